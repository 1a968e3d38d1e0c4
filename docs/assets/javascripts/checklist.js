// Security checklist: ticks are kept in this browser's localStorage (no server, no cookies).
(function () {
  "use strict";
  var PREFIX = "desterlib-checklist:";

  function store(id, value) {
    try {
      if (value) { window.localStorage.setItem(PREFIX + id, "1"); }
      else { window.localStorage.removeItem(PREFIX + id); }
    } catch (e) { /* storage disabled: ticks just do not persist */ }
  }

  function stored(id) {
    try { return window.localStorage.getItem(PREFIX + id) === "1"; } catch (e) { return false; }
  }

  function setup() {
    var marks = document.querySelectorAll(".sg-check[data-id]");
    Array.prototype.forEach.call(marks, function (mark) {
      var item = mark.closest("li");
      var box = item && item.querySelector("input[type=checkbox]");
      if (!box) { return; }
      var id = mark.getAttribute("data-id");
      box.disabled = false;
      box.checked = stored(id);
      // Name the box by the item's own words, not the "(guide · enforced by …)" links after them.
      var label = item.cloneNode(true);
      Array.prototype.forEach.call(label.querySelectorAll("a"), function (a) { a.remove(); });
      box.setAttribute("aria-label", label.textContent.replace(/\(\s*(·\s*enforced by[\s,]*)?\)/, "").trim());
      box.addEventListener("change", function () { store(id, box.checked); });
    });
  }

  if (typeof document$ !== "undefined") { document$.subscribe(setup); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); }
  else { setup(); }
})();
