// Draws the funding burn-down from <script type="application/json" id="burn-down-data"> (CSP: no inline JS):
// cumulative allocated, released and spent money, and what remains, as lines over time.
(function () {
  "use strict";
  var palette = ["#4d5d6c", "#2f6f8f", "#7a1f2b", "#c8963e"];

  function option(data) {
    return {
      color: palette,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return "¥" + Number(v).toLocaleString(); } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 40, top: 16, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: data.dates, boundaryGap: false },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return Number(v).toLocaleString(); } } },
      series: data.series.map(function (s, i) {
        return {
          name: s.name, type: "line", step: "end", data: s.values, showSymbol: data.dates.length < 30,
          lineStyle: i === 3 ? { type: "dashed" } : undefined
        };
      })
    };
  }

  function draw() {
    var source = document.getElementById("burn-down-data");
    var el = document.getElementById("burn-down-chart");
    if (typeof echarts === "undefined" || !source || !el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
