/* Scenario pages, progressive enhancement only: "[" and "]" follow the previous/next links. */
(function () {
  "use strict";
  var keys = { "[": "a[rel=prev]", "]": "a[rel=next]" };
  var hint = document.querySelector("[data-keyboard-hint]");
  if (hint) hint.hidden = false;  // the keys work only with this script, so the hint shows only with it
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    var link = keys[event.key] && document.querySelector(keys[event.key]);
    if (link) {
      event.preventDefault();
      link.click();
    }
  });
})();
