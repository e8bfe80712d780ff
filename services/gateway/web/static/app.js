// Consortia console: progressive enhancement only. Every page works without
// this script; it adds CPV autocompletion and an upload progress bar.
(function () {
  "use strict";

  // CPV search: suggest codes by code prefix or label as the user types; a
  // suggestion is a checkbox in the profile form, ticked to add the interest.
  function cpvSearch() {
    var input = document.getElementById("cpv-search");
    var results = document.getElementById("cpv-results");
    if (!input || !results) return;
    var timer = null, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        var mine = ++seq;
        if (q.length < 2) { results.textContent = ""; return; }
        fetch(input.dataset.endpoint + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) {
            if (mine !== seq) return;
            var kept = {};
            document.querySelectorAll("#cpv-interests input[name=cpv]").forEach(function (el) { kept[el.value] = true; });
            results.textContent = "";
            hits.forEach(function (h) {
              if (kept[h.code]) return;
              var li = document.createElement("li");
              var label = document.createElement("label");
              var box = document.createElement("input");
              box.type = "checkbox"; box.name = "cpv"; box.value = h.code;
              var code = document.createElement("code");
              code.textContent = h.code;
              label.append(box, " ", code, " " + h.label);
              li.append(label);
              results.append(li);
            });
          })
          .catch(function () { /* the search button still works */ });
      }, 250);
    });
    var form = document.getElementById("cpv-search-form");
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); input.dispatchEvent(new Event("input")); });
  }

  // Import: upload with a progress bar, then show the server's summary page.
  function importProgress() {
    var form = document.getElementById("import-form");
    if (!form || !window.XMLHttpRequest || !window.FormData) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var box = document.getElementById("import-progress");
      var bar = box.querySelector("progress");
      var text = box.querySelector(".progress-text");
      var button = document.getElementById("import-submit");
      box.hidden = false; button.disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable) return;
        var pct = Math.round(ev.loaded * 100 / ev.total);
        bar.value = pct; text.textContent = pct + " %";
        if (pct >= 100) { bar.removeAttribute("value"); text.textContent = form.dataset.processing || "…"; }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL.indexOf("/tenders/import") < 0) { window.location = xhr.responseURL; return; }
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = doc.querySelector("main");
        if (main) { document.querySelector("main").replaceWith(main); importProgress(); }
        else { window.location.reload(); }
      });
      xhr.addEventListener("error", function () { button.disabled = false; text.textContent = "✘"; });
      xhr.send(new FormData(form));
    });
  }

  // The bell: a short poll of the unread count (see pages_notifications.go for
  // why a poll and not server-sent events); the inbox page reloads when it grows.
  function bell() {
    var a = document.getElementById("bell");
    if (!a || !window.fetch) return;
    var count = document.getElementById("bell-count");
    var every = (parseInt(a.dataset.poll, 10) || 10) * 1000;
    var last = parseInt(count.textContent, 10) || 0;
    function poll() {
      fetch("/notifications/count", { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (!j || j.unread < 0) return;
          count.textContent = j.unread;
          count.className = j.unread === 0 ? "zero" : "";
          var inbox = document.getElementById("inbox");
          if (inbox && j.unread > last) { window.location.reload(); return; }
          last = j.unread;
        })
        .catch(function () {})
        .then(function () { window.setTimeout(poll, every); });
    }
    window.setTimeout(poll, every);
  }

  document.addEventListener("DOMContentLoaded", function () { cpvSearch(); importProgress(); bell(); });
})();
