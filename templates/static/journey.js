/* Scenario pages opened from a journey (?journey=<id>&step=<n>): "step n of m" with back and next
   links that keep the journey. Data and words come from journeys/data.js, built with the site. */
(function () {
  "use strict";
  var nav = document.querySelector("[data-journey-nav]");
  var data = window.SCENARIO_JOURNEYS;
  if (!nav || !data) return;
  var params = new URLSearchParams(window.location.search);
  var journey = data.journeys[params.get("journey")];
  var step = parseInt(params.get("step"), 10);
  if (!journey || !(step >= 1 && step <= journey.steps.length)) return;
  if (journey.steps[step - 1].id !== nav.getAttribute("data-scenario")) return;  // an address that lies
  var root = nav.getAttribute("data-root");
  var labels = data.labels;
  function link(text, index, which) {
    var a = document.createElement("a");
    a.href = root + journey.steps[index].href;
    a.setAttribute("data-journey-" + which, "");
    a.textContent = text;
    return a;
  }
  var title = document.createElement("a");
  title.href = root + journey.path;
  title.textContent = journey.title;
  var where = document.createElement("span");
  where.setAttribute("data-journey-step", String(step));
  where.textContent = labels.step.replace("{n}", String(step)).replace("{m}", String(journey.steps.length));
  var say = document.createElement("p");
  say.textContent = journey.steps[step - 1].say;
  nav.setAttribute("aria-label", labels.nav);
  nav.appendChild(title);
  nav.appendChild(document.createTextNode(" · "));
  nav.appendChild(where);
  if (step > 1) { nav.appendChild(document.createTextNode(" ")); nav.appendChild(link("← " + labels.back, step - 2, "prev")); }
  if (step < journey.steps.length) { nav.appendChild(document.createTextNode(" ")); nav.appendChild(link(labels.next + " →", step, "next")); }
  nav.appendChild(say);
  nav.hidden = false;
})();
