// Behaviour shared by every page. The Content-Security-Policy allows no inline script, so templates carry
// data- attributes and this file (loaded by base.html) acts on them.
(function () {
  "use strict";

  // Buttons that fill a field with a suggested value (e.g. "恢复标准名称"):
  // <button type="button" data-fill-target="id_name" data-fill-value="…">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-target]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-fill-target"));
    if (field) { field.value = button.getAttribute("data-fill-value"); field.focus(); }
  });

  // Bootstrap tooltips: <span data-bs-toggle="tooltip" title="…"> (e.g. the clause quotes of a policy).
  function initTooltips(root) {
    if (!window.bootstrap) return;
    root.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
      window.bootstrap.Tooltip.getOrCreateInstance(el);
    });
  }
  initTooltips(document);
  // Content swapped in by htmx gets its tooltips too.
  document.addEventListener("htmx:afterSwap", function (event) { initTooltips(event.target); });
})();
