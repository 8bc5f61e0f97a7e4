// Draws the 5×5 risk heat maps from the JSON of <script type="application/json" id="heat-data">
// (CSP: no inline JS): one chart per element with data-kind "inherent" or "residual", likelihood up
// the side, impact along the bottom, each cell the number of risks, coloured by its score band.
(function () {
  "use strict";
  var band = ["#5b8c5a", "#2f6f8f", "#c8963e", "#7a1f2b"]; // low, medium, high, critical

  function level(score) {
    if (score >= 20) { return 3; }
    if (score >= 10) { return 2; }
    if (score >= 5) { return 1; }
    return 0;
  }

  function option(data, kind) {
    var cells = [];
    for (var l = 0; l < 5; l++) {
      for (var i = 0; i < 5; i++) {
        cells.push({
          value: [i, l, data[kind][l][i]],
          itemStyle: { color: band[level((l + 1) * (i + 1))], opacity: data[kind][l][i] ? 1 : 0.35 }
        });
      }
    }
    return {
      tooltip: {
        formatter: function (p) {
          return data.names.likelihood + ": " + data.likelihood[p.value[1]] + "<br>" +
            data.names.impact + ": " + data.impact[p.value[0]] + "<br>" + data.names.risks + ": " + p.value[2];
        }
      },
      grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.impact, name: data.names.impact, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "category", data: data.likelihood, name: data.names.likelihood },
      series: [{
        type: "heatmap", data: cells,
        label: { show: true, color: "#fff", formatter: function (p) { return p.value[2] || ""; } },
        itemStyle: { borderColor: "#fff", borderWidth: 2 }
      }]
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".risk-heatmap[data-source]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(data, el.dataset.kind));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
