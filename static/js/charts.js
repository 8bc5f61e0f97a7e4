// Draws every <div class="chart" data-chart="pie|bar" data-source="ID"> from the JSON of
// <script type="application/json" id="ID">{"labels": [...], "values": [...]}</script> (CSP: no inline JS).
(function () {
  "use strict";
  var palette = ["#7a1f2b", "#c8963e", "#2f6f8f", "#5b8c5a", "#8a6fb0", "#d0693b", "#4d5d6c", "#b0a040"];

  function optionFor(kind, data) {
    if (kind === "pie") {
      return {
        color: palette,
        tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: ["40%", "70%"], center: ["50%", "45%"],
          label: { formatter: "{b}: {c}" },
          data: data.labels.map(function (label, i) { return { name: label, value: data.values[i] }; })
        }]
      };
    }
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels.slice().reverse() },
      series: [{ type: "bar", data: data.values.slice().reverse(), itemStyle: { color: palette[0] } }]
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(optionFor(el.dataset.chart, JSON.parse(source.textContent)));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
