/* Compare view, progressive enhancement: any two scenarios (deep link ?a=…&b=…), keys n/p/d/s.
   Mirrors generator/compare.py (alignment, causes) and templates/compare.html (markup); the data
   comes from compare/data/*.js, script files that load from file:// where fetch() cannot. */
(function () {
  "use strict";
  var D = window.CompareData, box = document.getElementById("comparison");
  if (!D || !box) return;
  var L = D.labels, titles = Object.create(null), paths = Object.create(null);
  D.scenarios.forEach(function (s) { titles[s[0]] = s[1]; paths[s[0]] = s[2]; });
  var a = box.getAttribute("data-a"), b = box.getAttribute("data-b");
  var query = new URLSearchParams(location.search), qa = query.get("a"), qb = query.get("b");
  var states = window.CompareStates = window.CompareStates || {};

  function go(x, y) {
    location.href = "index.html?a=" + encodeURIComponent(x) + "&b=" + encodeURIComponent(y);
  }

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
  function absent() { return el("span", {"class": "muted"}, ["— " + L.absent]); }
  function list(items, make) {
    var out = [];
    items.forEach(function (item, i) { if (i) out.push(", "); out.push(make(item)); });
    return out;
  }
  function count(n) { return (n === 0 ? L.count.zero : n === 1 ? L.count.one : L.count.other).replace("{count}", n); }
  function covers(driver, fact) {
    return fact === driver || fact.indexOf(driver + ".") === 0 || fact.indexOf(driver + "[") === 0;
  }
  // a's order, each key only b has placed right after the key b shows before it (compare._merge).
  function merge(x, y) {
    var inX = new Set(x), after = new Map(), anchor = null, out = [];
    y.forEach(function (k) {
      if (inX.has(k)) anchor = k;
      else { if (!after.has(anchor)) after.set(anchor, []); after.get(anchor).push(k); }
    });
    out.push.apply(out, after.get(null) || []);
    x.forEach(function (k) { out.push(k); out.push.apply(out, after.get(k) || []); });
    return out;
  }

  function cell(sideName, l, v, c) {
    var w = D.values[l.key + "\t" + v];
    return el("td", {"data-side": sideName}, [v === undefined ? absent() :
      w ? badge(w, c.tones[v], v) : el("code", {"class": "value", "data-code": v}, [v])]);
  }

  function compare(A, B) {
    var order = [], fields = Object.create(null), values = [new Map(), new Map()], tones = Object.create(null);
    [A, B].forEach(function (S, i) {
      S.rows.forEach(function (r) {
        if (!fields[r[0]]) { fields[r[0]] = [[], []]; order.push(r[0]); }
        fields[r[0]][i].push(r[1]);
        values[i].set(r[0] + "/" + r[1], r[2]);
        tones[r[2]] = r[3];
      });
    });
    var fa = new Map(A.facts), fb = new Map(B.facts);
    var changed = merge(A.facts.map(function (f) { return f[0]; }), B.facts.map(function (f) { return f[0]; }))
      .filter(function (p) { return fa.get(p) !== fb.get(p); });
    var lines = [];
    order.forEach(function (section) {
      merge(fields[section][0], fields[section][1]).forEach(function (field) {
        var key = section + "/" + field, va = values[0].get(key), vb = values[1].get(key);
        var drivers = (D.fields[key] || [field, []])[1];
        lines.push({section: section, field: field, key: key, a: va, b: vb, differs: va !== vb,
          causes: va === vb ? [] : drivers.filter(function (p) {
            return changed.some(function (c) { return covers(p, c); });
          })});
      });
    });
    return {lines: lines, tones: tones, facts: changed.map(function (p) { return [p, fa.get(p), fb.get(p)]; })};
  }

  function render(x, y) {
    var c = compare(states[x], states[y]), n = 0, differences = c.lines.filter(function (l) { return l.differs; });
    var caption = titles[x] + " " + L.vs + " " + titles[y];
    var table = el("table", {"class": "compare"}, [
      el("caption", {id: "h-compare"}, [caption]),
      el("thead", {}, [el("tr", {}, [
        el("th", {scope: "col"}, [L.col_field]),
        el("th", {scope: "col", "data-side": "a"}, [el("a", {href: "../" + paths[x]}, [titles[x]]), " ", code(x)]),
        el("th", {scope: "col", "data-side": "b"}, [el("a", {href: "../" + paths[y]}, [titles[y]]), " ", code(y)]),
        el("th", {scope: "col"}, [L.col_difference])])])]);
    var body = null, section = null;
    c.lines.forEach(function (l) {
      if (l.section !== section) {
        section = l.section;
        body = table.appendChild(el("tbody", {"data-compare-section": section}, [el("tr", {"class": "section-row"},
          [el("th", {scope: "colgroup", colspan: "4"}, [D.sections[section] || section])])]));
      }
      if (l.differs) n += 1;
      var verdict = l.differs ? [badge(L.different, "warn", "different"), l.causes.length ?
        el("span", {"class": "causes"}, [" " + L.caused_by + " "].concat(list(l.causes, code))) : null]
        : [el("span", {"class": "muted"}, ["= " + L.same])];
      body.appendChild(el("tr", {"data-row": l.key, "class": l.differs ? "differs" : "same",
        id: l.differs ? "diff-" + n : null, tabindex: l.differs ? "-1" : null}, [
        el("th", {scope: "row"}, [(D.fields[l.key] || [l.field])[0] + " ", code(l.field)]),
        cell("a", l, l.a, c), cell("b", l, l.b, c),
        el("td", {}, verdict)]));
    });
    var total = count(differences.length);
    var parts = [
      el("p", {"class": "compare-count big", role: "status", "data-differences": String(differences.length)},
        [differences.length ? el("a", {href: "#diff-1"}, [total]) : total]),
      el("div", {"class": "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "h-compare"}, [table]),
      el("h2", {id: "h-facts"}, [L.facts_title + " (" + c.facts.length + ")"])];
    if (c.facts.length) {
      parts.push(el("div", {"class": "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "h-facts"}, [
        el("table", {"class": "compare-facts"}, [
          el("thead", {}, [el("tr", {}, [L.fact, code(x), code(y), L.explains].map(function (h) {
            return el("th", {scope: "col"}, [h]);
          }))]),
          el("tbody", {}, c.facts.map(function (f) {
            var driven = differences.filter(function (l) {
              return l.causes.some(function (d) { return covers(d, f[0]); });
            });
            return el("tr", {"data-fact-change": f[0]}, [el("th", {scope: "row"}, [code(f[0])]),
              el("td", {}, [f[1] === undefined ? absent() : code(f[1])]),
              el("td", {}, [f[2] === undefined ? absent() : code(f[2])]),
              el("td", {}, list(driven, function (l) { return code(l.key); }))]);
          }))])]));
    } else {
      parts.push(el("p", {}, [L.no_facts]));
    }
    box.replaceChildren.apply(box, parts);
    box.setAttribute("data-a", x);
    box.setAttribute("data-b", y);
    document.title = caption + " — " + document.title.split(" — ").pop();
  }

  function load(id, done) {
    if (states[id]) return done();
    var script = el("script", {src: "data/" + encodeURIComponent(id) + ".js"});
    script.onload = done;
    document.head.appendChild(script);
  }

  var tools = document.querySelector("[data-compare-tools]");
  function setup() {
    if (!tools) return;
    tools.hidden = false;
    var picks = tools.querySelectorAll("select[data-pick]");
    picks.forEach(function (select) {
      D.scenarios.forEach(function (s) { select.appendChild(el("option", {value: s[0]}, [s[1] + " (" + s[0] + ")"])); });
      select.value = select.getAttribute("data-pick") === "a" ? a : b;
      select.addEventListener("change", function () { go(picks[0].value, picks[1].value); });
    });
    var swap = tools.querySelector("[data-swap]");
    if (swap) swap.setAttribute("href", "index.html?a=" + encodeURIComponent(b) + "&b=" + encodeURIComponent(a));
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
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    var only = document.getElementById("only-differences");
    var actions = {
      n: function () { step(1); },
      p: function () { step(-1); },
      s: function () { go(b, a); },
      d: function () { if (only) only.click(); }
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  });

  if (qa !== null || qb !== null) {
    if (qa in titles && qb in titles) {
      a = qa;
      b = qb;
    } else {
      box.insertBefore(el("p", {"class": "notice", role: "alert"}, [L.unknown]), box.firstChild);
    }
  }
  setup();
  if (a !== box.getAttribute("data-a") || b !== box.getAttribute("data-b")) {
    load(a, function () { load(b, function () { render(a, b); }); });
  }
})();
