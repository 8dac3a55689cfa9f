// Draws each chart from its JSON endpoint when it comes near the screen (a closed <details> keeps
// it off screen until opened); no inline script (the CSP allows only files from this site). Markup,
// one element per chart:
//   <div class="chart" data-chart-src="/patients/P-1/charts.json" data-chart-key="bond"
//        data-chart-error="The chart could not be drawn; the table has the same data."></div>
// Elements sharing a data-chart-src share one request; data-chart-key picks one figure out of
// an object of figures (omit it when the endpoint returns a single {data, layout} figure).
// plotly.js (0.4 MB) is fetched with the first chart, from this script's data-plotly-src, unless the
// page loaded it already. Without script the tables beside the charts say the same.
(function () {
  "use strict";
  var PLOTLY_SRC = document.currentScript && document.currentScript.dataset.plotlySrc;
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    // Without a mouse plotly shows the mode bar all the time, over the chart: none on touch screens.
    displayModeBar: window.matchMedia("(hover: hover)").matches ? "hover" : false,
    // Axes are fixed (fixedrange): only the download button is of use; the figures keep a top margin for it.
    modeBarButtons: [["toImage"]]
  };
  var requests = {};
  var plotly = null;

  function load(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
    }
    return requests[url];
  }

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(window.Plotly); return; }
        if (!PLOTLY_SRC) { reject(new Error("no plotly.js")); return; }
        var tag = document.createElement("script");
        tag.src = PLOTLY_SRC;
        tag.onload = function () { if (window.Plotly) { resolve(window.Plotly); } else { reject(new Error("no Plotly")); } };
        tag.onerror = function () { reject(new Error("plotly.js did not load")); };
        document.head.appendChild(tag);
      });
    }
    return plotly;
  }

  function fail(el) {
    el.classList.add("chart--failed");
    el.textContent = el.dataset.chartError || "The chart could not be drawn; the table has the same data.";
  }

  function draw(el) {
    Promise.all([loadPlotly(), load(el.dataset.chartSrc)]).then(function (loaded) {
      var figure = el.dataset.chartKey ? loaded[1][el.dataset.chartKey] : loaded[1];
      if (!figure || !figure.data) { throw new Error("no figure"); }
      return loaded[0].newPlot(el, figure.data, figure.layout || {}, CONFIG);
    }).then(function () {
      el.classList.add("chart--drawn");
    }).catch(function () { fail(el); });
  }

  var charts = document.querySelectorAll("[data-chart-src]");
  if (!("IntersectionObserver" in window)) { charts.forEach(draw); return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
    });
  }, {rootMargin: "400px 0px"});  // a little ahead, so a chart is usually drawn when scrolled to
  charts.forEach(function (el) { observer.observe(el); });

  // A chart drawn, hidden by closing its section, and the window resized meanwhile: fit it on reopening.
  document.addEventListener("toggle", function (event) {
    if (!event.target.open || !window.Plotly) { return; }
    event.target.querySelectorAll(".chart--drawn").forEach(function (el) { window.Plotly.Plots.resize(el); });
  }, true);
})();

// Secondary sections of a long page, <details class="fold" data-fold>: closed in the HTML, so a phone
// gets a short page (and, without script, each section is one tap away); opened here on wide
// screens, and whenever a link or the address leads into one.
(function () {
  "use strict";
  var folds = document.querySelectorAll("details[data-fold]");
  if (window.matchMedia("(min-width: 48rem)").matches) {
    folds.forEach(function (fold) { fold.open = true; });
  }
  function unfold(id) {
    var target = id && document.getElementById(id);
    var fold = target && (target.closest("details[data-fold]") || target.querySelector("details[data-fold]"));
    if (fold) { fold.open = true; }
    return target;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (link) { unfold(decodeURIComponent(link.hash.slice(1))); }
  });
  var target = unfold(decodeURIComponent(location.hash.slice(1)));
  if (target) { target.scrollIntoView(); }
})();

// "Copy the link" buttons of the patient page: <button class="copy-button" data-copy-target="ID" hidden>
// next to a readonly <input id="ID">; shown only when this script runs (without it, the input can be
// selected and copied by hand). The nearest .copy-status element announces the result.
(function () {
  "use strict";
  function announce(button, text) {
    var status = button.parentElement && button.parentElement.querySelector(".copy-status");
    if (status) { status.textContent = text; }
  }
  document.querySelectorAll("button.copy-button[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      var done = function () { announce(button, "Link copied."); };
      var manual = function () { announce(button, "Press Ctrl+C (or long-press) to copy the selected link."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, manual);
      } else {
        try { if (document.execCommand("copy")) { done(); } else { manual(); } } catch (e) { manual(); }
      }
    });
  });
})();
