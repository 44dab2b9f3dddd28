/* Every page with the switcher, progressive enhancement only: on a narrow screen each switcher row
   scrolls sideways in its own box; bring the current stage and the current scenario into view. */
(function () {
  "use strict";
  [].forEach.call(document.querySelectorAll(".switcher ul"), function (row) {
    var current = row.querySelector("a.current, a[aria-current=page]");
    if (current && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - row.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
    }
  });
})();
