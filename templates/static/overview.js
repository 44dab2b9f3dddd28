/* Overview, progressive enhancement only: a filter box that narrows the scenario table as you type.
   Without this script the box stays hidden and every row shows. */
(function () {
  "use strict";
  var box = document.querySelector("[data-filter]");
  var table = document.querySelector("table.overview");
  if (!box || !table) return;
  var input = box.querySelector("input");
  var count = box.querySelector("[data-filter-count]");
  var rows = [].slice.call(table.querySelectorAll("tr[data-scenario]"));
  // Case and accents ignored: "echange" finds "Échange".
  var fold = function (text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); };
  var texts = rows.map(function (row) { return fold(row.querySelector("th").textContent); });
  box.hidden = false;
  function narrow() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row, i) {
      var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    [].forEach.call(table.tBodies, function (group) {
      group.hidden = !group.querySelector("tr[data-scenario]:not([hidden])");
    });
    count.textContent = words.length ? count.dataset.template.replace("{shown}", shown).replace("{total}", rows.length) : "";
  }
  input.addEventListener("input", narrow);
})();
