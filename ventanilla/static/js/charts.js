/* Ventanilla charts: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function axis(title, min, max) {
    var a = { title: { display: !!title, text: title } };
    if (min !== null && min !== undefined) { a.suggestedMin = min; }
    if (max !== null && max !== undefined) { a.suggestedMax = max; }
    return a;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var node = document.getElementById(canvas.getAttribute("data-chart"));
    if (!node) { return; }
    var spec = JSON.parse(node.textContent);
    var config;
    if (spec.kind === "scatter") {
      config = {
        type: "scatter",
        data: { datasets: [{
          label: spec.valueLabel,
          data: spec.points.map(function (p) { return { x: p.x, y: p.y, label: p.label }; }),
          backgroundColor: palette[0], pointRadius: 6
        }] },
        options: {
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (ctx) {
              return ctx.raw.label + ": " + ctx.raw.x + ", " + ctx.raw.y;
            } } }
          },
          scales: { x: axis(spec.xLabel), y: axis(spec.yLabel) }
        },
        plugins: [{
          id: "pointLabels",
          afterDatasetsDraw: function (chart) {
            var ctx = chart.ctx;
            ctx.save();
            ctx.font = "12px " + Chart.defaults.font.family;
            ctx.fillStyle = "#212529";
            chart.getDatasetMeta(0).data.forEach(function (el, i) {
              ctx.fillText(spec.points[i].label, el.x + 8, el.y + 4);
            });
            ctx.restore();
          }
        }]
      };
    } else {
      var horizontal = spec.kind === "horizontalBar";
      config = {
        type: horizontal ? "bar" : spec.kind,
        data: {
          labels: spec.labels,
          datasets: spec.series.map(function (s, i) {
            return {
              label: s.label, data: s.values, type: s.kind || undefined,
              backgroundColor: palette[i % palette.length],
              borderColor: palette[i % palette.length], spanGaps: true, tension: 0.2
            };
          })
        },
        options: {
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          plugins: { legend: { display: spec.series.length > 1 } },
          scales: horizontal
            ? { x: axis(spec.valueLabel, spec.suggestedMin, spec.suggestedMax) }
            : { y: axis(spec.valueLabel, spec.suggestedMin, spec.suggestedMax) }
        }
      };
    }
    new Chart(canvas, config);
  });
})();
