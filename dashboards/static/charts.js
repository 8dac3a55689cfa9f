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
