// Draws the "rounds side by side" chart of a project page from the JSON of
// <script type="application/json" id="rounds-data"> (CSP: no inline JS): deviations opened and
// closed per round as bars, mean reader satisfaction (1–5) as a line on its own axis.
(function () {
  "use strict";
  var palette = ["#7a1f2b", "#c8963e", "#2f6f8f", "#5b8c5a"];

  function option(data) {
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 24, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: [
        { type: "value", minInterval: 1, name: "" },
        { type: "value", min: 0, max: 5, interval: 1, splitLine: { show: false } }
      ],
      series: [
        { name: data.names.opened, type: "bar", data: data.opened, itemStyle: { color: palette[0] } },
        { name: data.names.closed, type: "bar", data: data.closed, itemStyle: { color: palette[3] } },
        { name: data.names.satisfaction, type: "line", yAxisIndex: 1, data: data.satisfaction, symbolSize: 9,
          itemStyle: { color: palette[1] }, lineStyle: { width: 3 }, connectNulls: true }
      ]
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".alliance-chart[data-source]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      if (typeof data === "string") { data = JSON.parse(data); }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
