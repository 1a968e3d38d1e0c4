// Tables on phones: each row becomes a card, each cell labelled with its column's heading
// (CSS in snippetguard.css, below 45em). A table wider than the screen would otherwise hide
// its right-hand columns behind a sideways scroll nobody notices.
(function () {
  "use strict";

  function label() {
    var tables = document.querySelectorAll("article table:not([class])");
    Array.prototype.forEach.call(tables, function (table) {
      var heads = table.querySelectorAll("thead th");
      if (!heads.length || table.hasAttribute("data-sg-stack")) { return; }
      var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (names[index]) { cell.setAttribute("data-label", names[index]); }
        });
      });
      table.setAttribute("data-sg-stack", "");
    });
  }

  if (typeof document$ !== "undefined") { document$.subscribe(label); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", label); }
  else { label(); }
})();
