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

  // A select that submits its form when changed: <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });

  // Buttons that ask before they submit: <button type="submit" data-confirm="…">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
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

  // Policy editor: a link to a section (#sec-…) opens its collapsed <details>.
  function openTarget() {
    var el = location.hash && document.getElementById(location.hash.slice(1));
    if (el && el.tagName === "DETAILS") el.open = true;
    if (el && el.closest) { var d = el.closest("details.editor-section"); if (d) d.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  // Policy editor: the sum of the weights, shown while typing (the server checks it again).
  document.addEventListener("input", function (event) {
    var box = event.target.closest("[data-weights]");
    if (!box) return;
    var total = 0;
    box.querySelectorAll("input").forEach(function (i) { total += parseFloat(i.value || "0") || 0; });
    var out = box.parentElement.querySelector(".weight-sum");
    if (out) out.textContent = (Math.round(total * 100) / 100) + "%";
  });
})();
