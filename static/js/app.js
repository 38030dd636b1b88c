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

// --- services (issue 10): drafts that survive a dropped connection ------------------------------------------
// <form data-offline-draft="key"> (the visit and record forms): what is typed is kept in localStorage; a form
// sent while offline goes to an outbox and is posted when the connection is back. Each form carries a hidden
// client_key (a UUID), so a draft sent twice is saved once by the server. Nothing about location is read.
(function () {
  "use strict";
  var OUTBOX = "zhanwu-outbox";
  var PREFIX = "zhanwu-draft:";

  function read(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or off */ }
  }
  function fields(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") out.push([name, value]); });
    return out;
  }
  function status(form, text) {
    var el = form.querySelector("[data-offline-status]");
    if (el) el.textContent = text;
  }
  function showOutbox() {
    var box = document.querySelector("[data-offline-drafts]");
    if (!box) return;
    var n = read(OUTBOX, []).length;
    box.hidden = n === 0;
    box.textContent = n ? "本机还有 " + n + " 条未提交的记录，联网后将自动提交。" : "";
  }
  function flush() {
    if (!navigator.onLine) return;
    var queue = read(OUTBOX, []);
    if (!queue.length) return;
    var item = queue[0];
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    fetch(item.url, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      // Saved (redirected to the next page) or refused for good (its own form shows why): leave the outbox.
      if (response.ok || response.status === 400 || response.status === 404) {
        write(OUTBOX, read(OUTBOX, []).slice(1));
        showOutbox();
        flush();
      }
    }).catch(function () { /* still offline: try again on the next "online" event */ });
  }

  document.querySelectorAll("form[data-offline-draft]").forEach(function (form) {
    var key = PREFIX + form.getAttribute("data-offline-draft");
    var saved = read(key, null);
    if (saved && !form.querySelector(".is-invalid, .alert-danger")) {
      saved.forEach(function (pair) {
        if (pair[0] === "csrfmiddlewaretoken") return;
        form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (el) {
          if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === pair[1]; } else { el.value = pair[1]; }
        });
      });
      status(form, "已恢复上次未提交的内容。");
    }
    form.addEventListener("input", function () { write(key, fields(form)); });
    form.addEventListener("change", function () { write(key, fields(form)); });
    form.addEventListener("submit", function (event) {
      window.localStorage.removeItem(key);
      if (navigator.onLine) return;
      event.preventDefault();
      var queue = read(OUTBOX, []);
      queue.push({ url: form.getAttribute("action") || window.location.pathname, fields: fields(form) });
      write(OUTBOX, queue);
      status(form, "当前没有网络：已保存在本机，联网后自动提交，不会重复登记。");
      showOutbox();
    });
  });
  window.addEventListener("online", flush);
  showOutbox();
  flush();
})();
