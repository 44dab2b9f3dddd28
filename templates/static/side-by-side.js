/* The picker page's side-by-side view, apart from compare.js so that a pair page loads none of it:
   both scenario pages in frames, each field that differs outlined in place (frame.js), scrolling
   together; a key pressed in a frame acts as on the page. compare.js calls it with the pair it
   shows (sides), its lines, and what it shares (c); returns point(key): that field in both frames. */
window.CompareFrames = function (visual, sides, lines, c) {
  "use strict";
  var holder = visual.querySelector(".frames"), other = {a: "b", b: "a"};
  var frame = {a: visual.querySelector("[data-frame=a]"), b: visual.querySelector("[data-frame=b]")};
  function point(key) {
    ["a", "b"].forEach(function (s) { frame[s].contentWindow.postMessage({type: "show", key: key}, "*"); });
  }
  visual.hidden = false;
  ["a", "b"].forEach(function (s) {
    var keys = lines.filter(function (l) { return l.differs && (s === "a" ? l.a : l.b) !== undefined; })
      .map(function (l) { return l.key; });
    frame[s].setAttribute("title", c.L.frame.replace("{title}", c.title(sides[s])));
    frame[s].addEventListener("load", function () {
      frame[s].contentWindow.postMessage({type: "mark", keys: keys, word: c.L.changed}, "*");
    });
    frame[s].setAttribute("src", c.page(sides[s]));
  });
  window.addEventListener("message", function (event) {
    var from = event.source === frame.a.contentWindow ? "a" : event.source === frame.b.contentWindow ? "b" : null;
    var m = event.data;
    if (!from || !m || typeof m !== "object") return;
    if (m.type === "scrolled") frame[other[from]].contentWindow.postMessage({type: "scroll", y: m.y}, "*");
    else if (m.type === "marked") holder.setAttribute("data-marked-" + from, m.keys.join(" "));
    else if (m.type === "key") c.key(m.key);
  });
  visual.querySelectorAll("input[name=width]").forEach(function (radio) {
    radio.checked = radio.value === c.width;
    radio.addEventListener("change", function () {
      holder.setAttribute("data-width", radio.value);
      c.resize(radio.value);
    });
  });
  holder.setAttribute("data-width", c.width);
  // "Show on both sides": the frames in the window, the field in view in each.
  c.box.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-show]");
    if (!button) return;
    holder.scrollIntoView({block: "center"});
    point(button.getAttribute("data-show"));
  });
  return point;
};
