/* Compare view: any pair (?a=&b=&w=), keys n/p/d/s; pages side by side (frame.js marks fields).
   No rule here: data/*.js hold what the build computed; differs / caused by = values / digests of
   a path the core read unequal. Every scenario's title (data-list) loads only for the picker. */
(function () {
  "use strict";
  var D = window.CompareData, box = document.getElementById("comparison");
  if (!D || !box) return;
  var L = D.labels;
  var a = box.getAttribute("data-a"), b = box.getAttribute("data-b");
  var query = new URLSearchParams(location.search), qa = query.get("a"), qb = query.get("b");
  var width = query.get("w") === "phone" ? "phone" : "desktop";
  // Without a prototype: a scenario may be named "constructor".
  var states = window.CompareStates = window.CompareStates || Object.create(null);
  var isId = new RegExp(D.idPattern || "(?!)");  // none: load no data file
  var visual = document.querySelector("[data-visual]"), notice = null;
  var point = function () {};  // the field in view in both frames (side-by-side.js), once they show
  function title(id) { return states[id].title[D.locale]; }
  function page(id) { return "../" + states[id].path; }

  function link(x, y) {
    return "index.html?a=" + encodeURIComponent(x) + "&b=" + encodeURIComponent(y) +
      (width === "phone" ? "&w=phone" : "");
  }
  function go(x, y) { location.href = link(x, y); }

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] != null) node.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (kid) {
      if (kid != null) node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return node;
  }
  function code(text) { return el("code", {}, [text]); }
  function badge(text, tone, name) { return el("span", {"class": "badge tone-" + tone, "data-code": name}, [text]); }
  function list(items) {
    var out = [];
    items.forEach(function (item, i) { if (i) out.push(", "); out.push(code(item)); });
    return out;
  }
  // The forms by count (Catalogue.forms). n is written as digits: a pair differs in fewer rows
  // than a page has, far from the 1,000 where the build would group them.
  function count(n) { return (L.count[n] || L.count.other).replace("{count}", n); }

  function compare(A, B) {
    return D.keys.filter(function (key) { return key in A.rows || key in B.rows; }).map(function (key) {
      var ra = A.rows[key], rb = B.rows[key], va = ra && ra[0], vb = rb && rb[0];
      var read = (ra ? ra[2] : []).concat(rb ? rb[2] : []).map(function (i) { return D.paths[i]; });
      var drivers = (D.fields[key] || [key, []])[1].filter(function (p) { return read.indexOf(p) >= 0; });
      return {section: key.slice(0, key.indexOf("/")), field: key.slice(key.indexOf("/") + 1), key: key,
        a: va, b: vb, tones: [ra && ra[1], rb && rb[1]], differs: va !== vb,
        causes: va === vb ? [] : drivers.filter(function (p) { return A.causes[p] !== B.causes[p]; })};
    });
  }

  function cell(sideName, l, v, tone) {
    var w = D.values[l.key + "\t" + v];
    return el("td", {"data-side": sideName}, [v === undefined ? el("span", {"class": "muted"}, ["— " + L.absent]) :
      w ? badge(w, tone, v) : el("code", {"class": "value", "data-code": v}, [v])]);
  }

  function render(x, y) {
    var lines = compare(states[x], states[y]), n = 0;
    var differences = lines.filter(function (l) { return l.differs; }).length;
    var caption = title(x) + " " + L.vs + " " + title(y);
    var table = el("table", {"class": "compare"}, [
      el("caption", {id: "h-compare"}, [caption]),
      el("thead", {}, [el("tr", {}, [
        el("th", {scope: "col"}, [L.col_field]),
        el("th", {scope: "col", "data-side": "a"}, [el("a", {href: page(x)}, [title(x)]), " ", code(x)]),
        el("th", {scope: "col", "data-side": "b"}, [el("a", {href: page(y)}, [title(y)]), " ", code(y)]),
        el("th", {scope: "col"}, [L.col_difference])])])]);
    var body = null, section = null;
    lines.forEach(function (l) {
      if (l.section !== section) {
        section = l.section;
        body = table.appendChild(el("tbody", {"data-compare-section": section}, [el("tr", {"class": "section-row"},
          [el("th", {scope: "colgroup", colspan: "4"}, [D.sections[section] || section])])]));
      }
      if (l.differs) n += 1;
      var verdict = l.differs ? [badge(L.different, "warn", "different"), l.causes.length ?
        el("span", {"class": "causes"}, [" " + L.caused_by + " "].concat(list(l.causes))) : null,
        visual ? " " : null, visual ? el("button", {type: "button", "data-show": l.key}, [L.show]) : null]
        : [el("span", {"class": "muted"}, ["= " + L.same])];
      body.appendChild(el("tr", {"data-row": l.key, "class": l.differs ? "differs" : "same",
        id: l.differs ? "diff-" + n : null, tabindex: l.differs ? "-1" : null}, [
        el("th", {scope: "row"}, [(D.fields[l.key] || [l.field])[0] + " ", code(l.field)]),
        cell("a", l, l.a, l.tones[0]), cell("b", l, l.b, l.tones[1]),
        el("td", {}, verdict)]));
    });
    var total = count(differences);
    box.replaceChildren(
      el("p", {"class": "compare-count big", role: "status", "data-differences": String(differences)},
        [differences ? el("a", {href: "#diff-1"}, [total]) : total]),
      el("div", {"class": "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "h-compare"}, [table]));
    if (notice) box.insertBefore(notice, box.firstChild);
    box.setAttribute("data-a", x);
    box.setAttribute("data-b", y);
    document.title = caption + " — " + document.title.split(" — ").pop();
    if (visual) point = window.CompareFrames(visual, {a: x, b: y}, lines, {L: L, title: title, page: page,
      box: box, width: width, key: function (k) { if (actions[k]) actions[k](); }, resize: function (w) {
        width = w;
        history.replaceState(null, "", link(box.getAttribute("data-a"), box.getAttribute("data-b")));
      }});
  }

  // A script element, not fetch(): file:// refuses fetch; CSP script-src 'self' allows it.
  function inject(src, done, failed) {
    var script = el("script", {src: src});
    script.onload = done;
    script.onerror = failed;
    document.head.appendChild(script);
  }
  var data = document.currentScript.src.replace(/[^/]*$/, "") + "compare/data/";
  // A scenario's data file (its rows, title and page); fails for an id the site has none for (?a=x),
  // and loads nothing for what is no id (?a=index.rows, ?a=../x): only data files run here.
  function load(id, done, failed) {
    function loaded() { (states[id] ? done : failed)(); }
    if (states[id] || !id || !isId.test(id)) loaded();
    else inject(data + encodeURIComponent(id) + ".js", loaded, failed);
  }
  function both(x, y, done, failed) { load(x, function () { load(y, done, failed); }, failed); }

  var tools = document.querySelector("[data-compare-tools]"), listed = false;
  function option(s) { return el("option", {value: s[0]}, [s[1] + " (" + s[0] + ")"]); }
  function setup() {
    if (!tools) return;
    tools.hidden = false;
    var picks = tools.querySelectorAll("select[data-pick]");
    // Each picker holds the scenario it shows; the list of every scenario loads once one is about
    // to be used (pointer over it, or focus), never to show a pair.
    function all() {
      if (!listed) inject(tools.getAttribute("data-list"), function () {
        picks.forEach(function (select) {
          var value = select.value;
          select.replaceChildren.apply(select, window.CompareScenarios.map(option));
          select.value = value;
        });
      }, function () { listed = false; this.remove(); });  // not loaded (a 404, offline): again at next use
      listed = true;
    }
    picks.forEach(function (select) {
      var id = select.getAttribute("data-pick") === "a" ? a : b;
      select.replaceChildren(option([id, title(id)]));
      select.addEventListener("change", function () { go(picks[0].value, picks[1].value); });
      select.addEventListener("pointerenter", all);
      select.addEventListener("focus", all);
    });
    var swap = tools.querySelector("[data-swap]");
    if (swap) swap.setAttribute("href", link(b, a));
    var next = tools.querySelector("[data-next]");
    if (next) next.addEventListener("click", function () { step(1); });
  }

  function step(direction) {
    var rows = Array.prototype.slice.call(box.querySelectorAll("tr.differs"));
    if (!rows.length) return;
    var i = rows.indexOf(document.activeElement);
    i = i < 0 ? (direction > 0 ? 0 : rows.length - 1) : (i + direction + rows.length) % rows.length;
    rows[i].focus();
    rows[i].scrollIntoView({block: "center"});
    point(rows[i].getAttribute("data-row"));
  }

  var actions = {
    n: function () { step(1); },
    p: function () { step(-1); },
    s: function () { go(b, a); },
    d: function () { var only = document.getElementById("only-differences"); if (only) only.click(); }
  };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || !actions[event.key]) return;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    event.preventDefault();
    actions[event.key]();
  });

  function start() {
    setup();
    // The picker page always draws; a prepared page only for another pair.
    if (visual || a !== box.getAttribute("data-a") || b !== box.getAttribute("data-b")) render(a, b);
  }
  function none() {}
  if (qa === null && qb === null) both(a, b, start, none);
  else both(qa, qb, function () { a = qa; b = qb; start(); }, function () {
    notice = box.insertBefore(el("p", {"class": "notice", role: "alert"}, [L.unknown]), box.firstChild);
    both(a, b, start, none);
  });
})();
