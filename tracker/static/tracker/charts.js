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
  // On a narrow screen (a phone), horizontal bars' names are cut short (the
  // hover and the table below carry them whole), their value labels go inside
  // the bar where they fit, so that the bars keep most of the width, percent
  // ticks come every 50 and the legend, one entry a line, gets its own room.
  var NARROW = 600;
  var SHORT = 22;
  function cut(label) {
    label = String(label);
    if (label.length <= SHORT) return label;
    // Labels arrive with their markup escaped: never cut an entity in two.
    return label.slice(0, SHORT - 1).replace(/&[#\w]*$/, "").trim() + "\u2026";
  }
  function fitNarrow(figure, width) {
    if (width >= NARROW) return 0;
    var layout = figure.layout;
    ["xaxis", "yaxis"].forEach(function (name) {
      if (layout[name] && layout[name].dtick === 20) layout[name].dtick = 50;
    });
    var extra = 0;
    if (layout.showlegend !== false && figure.data.length > 2) {
      extra = 22 * (figure.data.length - 1);
      layout.margin = Object.assign({}, layout.margin, { t: (layout.margin || {}).t + extra });
      layout.height += extra;
    }
    figure.data.forEach(function (trace) {
      if (trace.type !== "bar" || trace.orientation !== "h" || !trace.y) return;
      var axis = (figure.layout.yaxis = figure.layout.yaxis || {});
      axis.tickmode = "array";
      axis.tickvals = trace.y;
      axis.ticktext = trace.y.map(cut);
      if (trace.textposition === "outside") trace.textposition = "auto";
    });
    return extra;
  }
  function draw() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-figure]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-figure"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      var extra = fitNarrow(figure, box.clientWidth);
      // Set through the DOM: the Content-Security-Policy refuses inline style attributes.
      box.style.height = Number(box.getAttribute("data-height")) + extra + "px";
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
