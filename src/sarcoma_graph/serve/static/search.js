// The label search box on every page: suggestions as you type, from this server's /search.
(function () {
  "use strict";
  document.querySelectorAll("form.sg-search").forEach(function (form) {
    var input = form.querySelector("input"), list = form.querySelector(".sg-suggest");
    var root = input.getAttribute("data-root") || "", timer = null, active = -1, serial = 0;
    var status = form.querySelector(".sg-status");
    function hide() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function show(hits) {
      list.innerHTML = "";
      hits.forEach(function (hit, i) {
        var li = document.createElement("li"), a = document.createElement("a");
        li.setAttribute("role", "option"); li.id = "sg-option-" + i;
        a.href = hit.href; a.textContent = hit.label; a.tabIndex = -1;
        if (hit.lang) { a.lang = hit.lang; }
        var small = document.createElement("small");
        small.textContent = (hit.kind === "synonym" ? "synonym · " : "") + (hit.typeCurie || "");
        a.appendChild(small); li.appendChild(a); list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      if (status) {  // read out by screen readers: how many suggestions, and how to reach them
        status.textContent = hits.length ? hits.length + " suggestions; use the arrow keys" :
          "no suggestion";
      }
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) { hide(); return; }
      timer = setTimeout(function () {
        var mine = ++serial;
        fetch(root + "/search?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (hits) { if (mine === serial) { show(hits); } })
          .catch(hide);
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      var items = list.querySelectorAll("li");
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (li, i) {
          li.classList.toggle("active", i === active);
          li.setAttribute("aria-selected", i === active ? "true" : "false");
        });
        input.setAttribute("aria-activedescendant", items[active].id);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (event.key === "Escape") { hide(); }
    });
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) { hide(); } });
  });
  // Printed, a page shows what its folded parts hold (the quotes behind each fact).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details"),
      function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
