// Draws every <canvas data-chart="..."> with Chart.js: the page puts the chart's type, labels and
// datasets in the attribute as JSON (no inline script), and a table with the same numbers beside it for
// screen readers and for people who prefer numbers. Spec: {type, labels, datasets: [{label, data, unit?}],
// unit?, stacked?, integer?}.
(function () {
  "use strict";
  var palette = ["#1f6f4a", "#2b6cb0", "#b7791f", "#9b2c2c", "#553c9a", "#2c7a7b"];

  // One y axis per unit: amounts in two currencies (or kg and kWh) never share a scale. A chart of counts
  // ("integer": true) has whole-number ticks only.
  function axisId(index) {
    return index === 0 ? "y" : "y" + index;
  }

  function scales(spec) {
    var units = [];
    spec.datasets.forEach(function (dataset) {
      var unit = dataset.unit || spec.unit || "";
      if (units.indexOf(unit) < 0) {
        units.push(unit);
      }
      dataset.yAxisID = axisId(units.indexOf(unit));
    });
    var axes = { x: { stacked: Boolean(spec.stacked) } };
    units.forEach(function (unit, index) {
      axes[axisId(index)] = {
        type: "linear",
        position: index % 2 === 0 ? "left" : "right",
        stacked: Boolean(spec.stacked),
        beginAtZero: true,
        grid: { drawOnChartArea: index === 0 },
        ticks: spec.integer ? { precision: 0 } : {},
        title: { display: Boolean(unit), text: unit }
      };
    });
    return axes;
  }

  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    spec.datasets.forEach(function (dataset, index) {
      var colour = dataset.color || palette[index % palette.length];
      dataset.backgroundColor = spec.type === "line" ? colour + "33" : colour;
      dataset.borderColor = colour;
      dataset.borderWidth = spec.type === "line" ? 2 : 0;
      dataset.fill = spec.type === "line" && spec.datasets.length === 1;
      dataset.tension = 0.2;
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1, position: "bottom" },
          title: { display: false }
        },
        scales: scales(spec)
      }
    });
  }

  function drawAll() {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
