/* A scenario page framed by the side-by-side compare view (compare.js): outlines the fields it is
   told differ, each with a word marker; reports its scrolling and follows the other side's; brings
   a field into view; passes the compare keys n/p/d/s up. Messages work between file:// frames,
   where reaching into another frame's document does not. Does nothing when the page is not framed. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var parent = window.parent, made = null;
  function post(message) { parent.postMessage(message, "*"); }
  // A row key is "section/field": data-shows on the page names fields, inside their section.
  function places(key) {
    var cut = key.indexOf("/");
    return document.querySelectorAll('[data-section="' + CSS.escape(key.slice(0, cut)) + '"] [data-shows~="' +
      CSS.escape(key.slice(cut + 1)) + '"]');
  }

  function mark(keys, word) {
    var found = [];
    keys.forEach(function (key) {
      var nodes = places(key);
      if (nodes.length) found.push(key);
      nodes.forEach(function (node) {
        var marked = node.getAttribute("data-changed");
        node.setAttribute("data-changed", marked ? marked + " " + key : key);
        if (!marked) place(node, word);
      });
    });
    post({type: "marked", keys: found});
  }

  // The word goes where the markup allows a span: beside a list or table, in a row's first cell or term.
  function place(node, word) {
    var marker = document.createElement("span"), first = node.firstElementChild;
    marker.className = "change-marker";
    marker.textContent = word;
    if (/^(UL|OL|DL|TABLE)$/.test(node.tagName)) node.parentNode.insertBefore(marker, node);
    else if (first && /^(TD|TH|DT)$/.test(first.tagName)) first.insertBefore(marker, first.firstChild);
    else node.insertBefore(marker, node.firstChild);
  }

  // A scroll this page makes on request is not reported back (no echo between the two sides): it
  // lands at once, so its event is the one that finds the page where the request left it.
  function quietly(scroll) {
    scroll();
    made = window.scrollY;
  }

  function show(key) {
    var node = places(key)[0], current = document.querySelector(".change-current");
    if (current) current.classList.remove("change-current");
    if (!node) return;
    node.classList.add("change-current");
    quietly(function () { node.scrollIntoView({block: "center"}); });
  }

  window.addEventListener("message", function (event) {
    var m = event.data;
    if (event.source !== parent || !m || typeof m !== "object") return;
    if (m.type === "mark" && Array.isArray(m.keys)) mark(m.keys, String(m.word));
    else if (m.type === "show") show(String(m.key));
    else if (m.type === "scroll" && typeof m.y === "number") quietly(function () { window.scrollTo(0, m.y); });
  });
  window.addEventListener("scroll", function () {
    if (window.scrollY !== made) post({type: "scrolled", y: window.scrollY});
    made = null;
  }, {passive: true});
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    if ("npds".indexOf(event.key) >= 0 && event.key.length === 1) {
      event.preventDefault();
      post({type: "key", key: event.key});
    }
  });
})();
