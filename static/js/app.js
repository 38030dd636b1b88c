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
// <form data-offline-draft="key"> (the visit and record forms): what is typed is kept in localStorage until the
// server confirms the save. The form is sent with fetch: saved means the server answered with the page it
// redirects to after a save (not the form again, not the login page); only then is the draft deleted. A form that
// cannot be sent (offline, or the connection drops while the browser believes it is online) goes to an outbox and
// is posted when the connection is back. A queued form refused by the server (the form again with errors, or the
// login page of an expired session) stays in the outbox and the person is told in a banner. Each form carries a
// hidden client_key (a UUID), so a draft sent twice is saved once by the server. Nothing about location is read.
(function () {
  "use strict";
  var OUTBOX = "zhanwu-outbox";
  var PREFIX = "zhanwu-draft:";
  var FLASH = "zhanwu-flash";
  var LOGIN = "/login/";

  function read(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or off */ }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* storage off */ }
  }
  function fields(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") out.push([name, value]); });
    return out;
  }
  function valueOf(pairs, name) {
    for (var i = 0; i < pairs.length; i++) { if (pairs[i][0] === name) return pairs[i][1]; }
    return "";
  }
  function status(form, text) {
    var el = form.querySelector("[data-offline-status]");
    if (el) el.textContent = text;
  }
  function pathOf(url) { return new URL(url, window.location.href).pathname; }
  // The CSRF token of this page (a queued form's own may be stale after logging in again).
  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) return input.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  // What the server's answer to a posted form means.
  function outcome(response, url) {
    var at = pathOf(response.url || url);
    if (at.indexOf(LOGIN) === 0 || response.status === 401 || response.status === 403) return "login";
    if (response.status === 400 || response.status === 404) return "invalid";
    if (response.ok && response.redirected && at !== pathOf(url)) return "saved";
    if (response.ok) return "invalid"; // the form again
    return "retry"; // the server is in trouble: try again later
  }

  // Each queued item: {id, url, fields, draftKey, clientKey, state}; items queued by an older version of this
  // file lack some of these, so they are filled in when read.
  var made = 0;
  function newId() { made += 1; return Date.now().toString(36) + "-" + made + "-" + Math.random().toString(36).slice(2); }
  function outbox() {
    var queue = read(OUTBOX, []);
    if (!Array.isArray(queue)) return [];
    return queue.filter(function (item) { return item && item.url && Array.isArray(item.fields); }).map(function (item) {
      if (!item.id) item.id = newId();
      if (!item.clientKey) item.clientKey = valueOf(item.fields, "client_key");
      return item;
    });
  }
  function dropFromOutbox(clientKey, draftKey, id) {
    write(OUTBOX, outbox().filter(function (item) {
      return !((id && item.id === id) || (clientKey && item.clientKey === clientKey) || (draftKey && item.draftKey === draftKey));
    }));
  }
  function enqueue(url, pairs, draftKey) {
    var clientKey = valueOf(pairs, "client_key");
    dropFromOutbox(clientKey, draftKey);
    var queue = outbox();
    var id = newId();
    queue.push({ id: id, url: url, fields: pairs, draftKey: draftKey, clientKey: clientKey, state: "" });
    write(OUTBOX, queue);
    return id;
  }
  function mark(id, state) {
    write(OUTBOX, outbox().map(function (item) {
      if (item.id === id) item.state = state;
      return item;
    }));
  }

  // The messages of the page a save led to (fetch read that page, so the server will not show them again).
  function keepFlash(html) {
    try {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var out = [];
      doc.querySelectorAll(".messages .alert").forEach(function (el) {
        var kind = (el.className.match(/alert-(success|info|warning|danger)/) || [])[1] || "info";
        out.push([kind, el.textContent.trim()]);
      });
      window.sessionStorage.setItem(FLASH, JSON.stringify(out));
    } catch (e) { /* nothing to keep */ }
  }
  function alertBox(kind, nodes) {
    var box = document.createElement("div");
    box.className = "alert alert-" + kind;
    box.setAttribute("role", kind === "success" || kind === "info" ? "status" : "alert");
    nodes.forEach(function (node) { box.appendChild(typeof node === "string" ? document.createTextNode(node) : node); });
    return box;
  }
  function link(text, href) {
    var a = document.createElement("a");
    a.className = "alert-link ms-1";
    a.href = href;
    a.textContent = text;
    return a;
  }
  function showFlash() {
    var items;
    try { items = JSON.parse(window.sessionStorage.getItem(FLASH) || "[]"); window.sessionStorage.removeItem(FLASH); } catch (e) { items = []; }
    var main = document.getElementById("main");
    if (!main || !items.length) return;
    var holder = document.createElement("div");
    holder.className = "messages";
    items.forEach(function (m) { holder.appendChild(alertBox(m[0], [m[1]])); });
    main.insertBefore(holder, main.firstChild);
  }

  // The banner on every page: drafts the server refused, and what to do about them.
  function showOutbox() {
    var queue = outbox();
    var box = document.querySelector("[data-offline-drafts]");
    if (box) {
      var waiting = queue.filter(function (item) { return !item.state; }).length;
      box.hidden = waiting === 0;
      box.textContent = waiting ? "本机还有 " + waiting + " 条未提交的记录，联网后将自动提交。" : "";
    }
    var banner = document.querySelector("[data-draft-banner]");
    if (!banner) return;
    banner.textContent = "";
    var login = queue.filter(function (item) { return item.state === "login"; });
    var invalid = queue.filter(function (item) { return item.state === "invalid"; });
    if (login.length) {
      var next = encodeURIComponent(window.location.pathname + window.location.search);
      banner.appendChild(alertBox("warning", [
        "草稿未能提交：登录已过期。草稿仍保存在本机，请登录后重试（登录后会自动提交，不会重复登记）。",
        link("去登录", LOGIN + "?next=" + next),
      ]));
    }
    invalid.forEach(function (item) {
      banner.appendChild(alertBox("danger", [
        "草稿未能提交：服务器没有接受这条记录（内容需要修改，或对象已不存在）。草稿仍保存在本机，请检查后重新提交。",
        link("打开草稿", item.url),
      ]));
    });
    banner.hidden = !login.length && !invalid.length;
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return;
    var queue = outbox();
    write(OUTBOX, queue); // ids given to items of an older version stay the same from here on
    var item = queue.filter(function (i) { return i.state !== "invalid"; })[0];
    if (!item) return;
    flushing = true;
    var body = new FormData();
    item.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" ? (csrfToken() || pair[1]) : pair[1]);
    });
    fetch(item.url, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      flushing = false;
      var result = outcome(response, item.url);
      if (result === "saved") {
        dropFromOutbox(item.clientKey, item.draftKey, item.id);
        if (item.draftKey) forget(item.draftKey);
        document.querySelectorAll("form[data-offline-draft]").forEach(function (form) {
          if (PREFIX + form.getAttribute("data-offline-draft") === item.draftKey) status(form, "已联网，本机保存的记录已提交。");
        });
        showOutbox();
        flush();
      } else if (result === "login" || result === "invalid") {
        // Kept, and the person is told; an invalid one waits for the person, a login one is retried after login.
        mark(item.id, result);
        showOutbox();
        if (result === "invalid") flush();
      }
    }).catch(function () { flushing = false; /* still offline: try again on the next "online" event */ });
  }

  document.querySelectorAll("form[data-offline-draft]").forEach(function (form) {
    var key = PREFIX + form.getAttribute("data-offline-draft");
    var saved = read(key, null);
    if (saved && !form.querySelector(".is-invalid, .alert-danger")) {
      saved.forEach(function (pair) {
        if (pair[0] === "csrfmiddlewaretoken") return;
        form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (el) {
          if (el.type === "file") return;
          if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === pair[1]; } else { el.value = pair[1]; }
        });
      });
      status(form, "已恢复上次未提交的内容。");
    }
    form.addEventListener("input", function () { write(key, fields(form)); });
    form.addEventListener("change", function () { write(key, fields(form)); });
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-native-submit")) return; // the server's own answer is wanted (see below)
      event.preventDefault();
      var url = form.getAttribute("action") || window.location.pathname + window.location.search;
      var pairs = fields(form);
      write(key, pairs); // the draft stays until the server confirms the save
      if (!navigator.onLine) {
        enqueue(url, pairs, key);
        status(form, "当前没有网络：已保存在本机，联网后自动提交，不会重复登记。");
        showOutbox();
        return;
      }
      var buttons = form.querySelectorAll('button[type="submit"], input[type="submit"]');
      buttons.forEach(function (b) { b.disabled = true; });
      status(form, "正在提交……");
      var body;
      try { body = new FormData(form, event.submitter || undefined); } catch (e) { body = new FormData(form); }
      fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
        var result = outcome(response, url);
        if (result === "saved") {
          return response.text().then(function (html) {
            forget(key);
            dropFromOutbox(valueOf(pairs, "client_key"), key);
            keepFlash(html);
            window.location.assign(response.url);
          });
        }
        buttons.forEach(function (b) { b.disabled = false; });
        if (result === "invalid") {
          // The form again with the server's messages next to the fields: send it the ordinary way so the page
          // shows them (nothing was saved, so sending it again saves nothing twice); the draft stays.
          form.setAttribute("data-native-submit", "");
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        var queued = enqueue(url, pairs, key);
        if (result === "login") {
          mark(queued, "login");
          status(form, "草稿未能提交：登录已过期。草稿仍保存在本机，请登录后重试。");
        } else {
          status(form, "服务器暂时无法保存：已保存在本机，稍后自动重试，不会重复登记。");
        }
        showOutbox();
      }).catch(function () {
        // The connection dropped while the browser believed it was online: keep it for later.
        buttons.forEach(function (b) { b.disabled = false; });
        enqueue(url, pairs, key);
        status(form, "网络中断：已保存在本机，联网后自动提交，不会重复登记。");
        showOutbox();
      });
    });
  });
  window.addEventListener("online", flush);
  showFlash();
  showOutbox();
  flush();
})();
