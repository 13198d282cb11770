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
      var scales = horizontal
        ? { x: axis(spec.valueLabel, spec.suggestedMin, spec.suggestedMax) }
        : { y: axis(spec.valueLabel, spec.suggestedMin, spec.suggestedMax) };
      var hasSecondary = !horizontal && spec.series.some(function (s) { return s.isSecondary; });
      if (hasSecondary) {
        // a small count (errors) beside a large one (tickets): its own axis on the right
        scales.y2 = axis(spec.secondaryLabel, 0);
        scales.y2.position = "right";
        scales.y2.beginAtZero = true;
        scales.y2.grid = { drawOnChartArea: false };
        if (spec.decimals === 0) { scales.y2.ticks = { precision: 0 }; }
        scales.y.beginAtZero = true;
      }
      config = {
        type: horizontal ? "bar" : spec.kind,
        data: {
          labels: spec.labels,
          datasets: spec.series.map(function (s, i) {
            return {
              label: s.label, data: s.values, type: s.kind || undefined,
              backgroundColor: palette[i % palette.length],
              borderColor: palette[i % palette.length], spanGaps: true,
              // a count is not smoothed: a curve would dip below zero between months
              tension: s.isSecondary ? 0 : 0.2,
              yAxisID: s.isSecondary && hasSecondary ? "y2" : undefined,
              order: s.kind === "line" ? 0 : 1  // lines drawn over bars
            };
          })
        },
        options: {
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          plugins: { legend: {
            display: spec.series.length > 1,
            labels: { sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } }
          } },
          scales: scales
        }
      };
    }
    new Chart(canvas, config);
  });
})();
