// Draws the feedback insight charts from <script type="application/json" id="insight-data"> (CSP: no inline JS):
// stacked bars of volume per period by kind and by theme, and the mean rating per period as a line.
(function () {
  "use strict";
  var palette = ["#7a1f2b", "#c8963e", "#2f6f8f", "#5b8c5a", "#8a6fb0", "#d0693b", "#4d5d6c", "#b0a040"];

  function stacked(data, key) {
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 32, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", minInterval: 1, name: data.names.volume },
      series: data[key].map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.values };
      })
    };
  }

  function trend(data) {
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.satisfaction.periods },
      yAxis: { type: "value", min: 1, max: 5, name: data.names.rating },
      series: [{ name: data.names.rating, type: "line", data: data.satisfaction.values, smooth: true }]
    };
  }

  function draw() {
    var source = document.getElementById("insight-data");
    if (typeof echarts === "undefined" || !source) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll(".feedback-chart[data-series]").forEach(function (el) {
      var key = el.dataset.series;
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(key === "satisfaction" ? trend(data) : stacked(data, key));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
