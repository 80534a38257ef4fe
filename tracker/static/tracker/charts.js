// Draw each figure of the page from the JSON beside it; a click on a bar opens
// the page the bar stands for (its customdata). The tables under the charts
// carry the same figures for readers without JavaScript and for print.
(function () {
  "use strict";
  function target(event) {
    var point = event && event.points && event.points[0];
    if (!point || point.customdata === undefined) return null;
    var data = point.customdata;
    return Array.isArray(data) ? data[0] : data;
  }
  function draw() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-figure]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-figure"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      // Set through the DOM: the Content-Security-Policy refuses inline style attributes.
      box.style.height = box.getAttribute("data-height") + "px";
      Plotly.newPlot(box, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
      }).then(function () {
        box.on("plotly_click", function (event) {
          var url = target(event);
          if (url) window.location.assign(url);
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
