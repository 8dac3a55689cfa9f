// Draws every chart on the page from its JSON endpoint; no inline script (the CSP allows only
// files from this site). Markup, one element per chart:
//   <div class="chart" data-chart-src="/patients/P-1/charts.json" data-chart-key="bond"
//        data-chart-error="The chart could not be drawn; the table has the same data."></div>
// Elements sharing a data-chart-src share one request; data-chart-key picks one figure out of
// an object of figures (omit it when the endpoint returns a single {data, layout} figure).
(function () {
  "use strict";
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    // Axes are fixed (fixedrange): only the download button is of use; it stays clear of the top row.
    modeBarButtons: [["toImage"]]
  };
  var requests = {};

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

  function fail(el) {
    el.classList.add("chart--failed");
    el.textContent = el.dataset.chartError || "The chart could not be drawn; the table has the same data.";
  }

  function draw(el) {
    if (typeof window.Plotly === "undefined") { fail(el); return; }
    load(el.dataset.chartSrc).then(function (payload) {
      var figure = el.dataset.chartKey ? payload[el.dataset.chartKey] : payload;
      if (!figure || !figure.data) { throw new Error("no figure"); }
      return window.Plotly.newPlot(el, figure.data, figure.layout || {}, CONFIG);
    }).then(function () {
      el.classList.add("chart--drawn");
    }).catch(function () { fail(el); });
  }

  document.querySelectorAll("[data-chart-src]").forEach(draw);
})();
