// Draws the insight charts from <script type="application/json" id="insight-data"> (CSP: no inline JS):
// activity by party kind, the collaboration network, the feedback funnel, the risk heat map, budgets, the funding burn-down,
// and on the oversight page projects by state and risks by level. Also the print button of the report page.
(function () {
  "use strict";
  var palette = ["#7a1f2b", "#c8963e", "#2f6f8f", "#5b8c5a", "#8a6fb0", "#d0693b", "#4d5d6c", "#b0a040"];

  var builders = {
    activity: function (d) {
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { bottom: 0, type: "scroll" },
        grid: { left: 8, right: 16, top: 32, bottom: 36, containLabel: true },
        xAxis: { type: "category", data: d.activity.months },
        yAxis: { type: "value", minInterval: 1, name: d.names.activities },
        series: d.activity.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.values }; })
      };
    },
    network: function (d) {
      var max = Math.max.apply(null, [1].concat(d.network.nodes.map(function (n) { return n.value; })));
      var maxLink = Math.max.apply(null, [1].concat(d.network.links.map(function (l) { return l.value; })));
      return {
        color: palette, tooltip: {}, legend: { bottom: 0, data: d.network.categories },
        series: [{
          type: "graph", layout: "circular", circular: { rotateLabel: false }, roam: true,
          categories: d.network.categories.map(function (c) { return { name: c }; }),
          label: { show: true, position: "right", fontSize: 11 },
          data: d.network.nodes.map(function (n) {
            return { id: n.id, name: n.name, category: n.category, value: n.value, symbolSize: 14 + 30 * n.value / max };
          }),
          links: d.network.links.map(function (l) {
            return { source: l.source, target: l.target, value: l.value, lineStyle: { width: 1 + 7 * l.value / maxLink, opacity: 0.6 } };
          }),
          lineStyle: { color: "source", curveness: 0.15 }
        }]
      };
    },
    funnel: function (d) {
      return {
        color: palette, tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
          label: { show: true, position: "inside", formatter: "{b}: {c}" }, data: d.funnel }]
      };
    },
    heat: function (d) {
      var max = Math.max.apply(null, [1].concat(d.heat.cells.map(function (c) { return c[2]; })));
      return {
        tooltip: { position: "top" },
        grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
        xAxis: { type: "category", data: d.heat.impact, name: d.names.impact, nameLocation: "middle", nameGap: 28, splitArea: { show: true } },
        yAxis: { type: "category", data: d.heat.likelihood, name: d.names.likelihood, splitArea: { show: true } },
        visualMap: { min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 80,
          inRange: { color: ["#f7f3ee", "#c8963e", "#7a1f2b"] } },
        series: [{ name: d.heat.name, type: "heatmap", data: d.heat.cells, label: { show: true } }]
      };
    },
    budget: function (d) {
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        grid: { left: 8, right: 24, top: 24, bottom: 32, containLabel: true },
        xAxis: { type: "value", name: d.budget.name }, yAxis: { type: "category", data: d.budget.projects },
        series: d.budget.series.map(function (s) { return { name: s.name, type: "bar", data: s.values }; })
      };
    },
    burndown: function (d) {
      return {
        color: ["#7a1f2b", "#2f6f8f", "#c8963e"], tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        grid: { left: 8, right: 24, top: 32, bottom: 32, containLabel: true },
        xAxis: { type: "category", data: d.burndown.months }, yAxis: { type: "value", name: d.burndown.name },
        series: d.burndown.series.map(function (s, i) {
          return { name: s.name, type: "line", step: "end", areaStyle: i === 0 ? { opacity: 0.15 } : undefined, data: s.values };
        })
      };
    },
    projects: function (d) {
      return {
        color: palette, tooltip: { trigger: "item" }, legend: { bottom: 0, type: "scroll" },
        series: [{ name: d.names.projects, type: "pie", radius: ["35%", "65%"],
          data: d.projects.labels.map(function (l, i) { return { name: l, value: d.projects.values[i] }; }) }]
      };
    },
    risks: function (d) {
      return {
        color: ["#5b8c5a", "#c8963e", "#d0693b", "#7a1f2b"], tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.risks.labels }, yAxis: { type: "value", minInterval: 1, name: d.names.risks, nameTextStyle: { align: "left" } },
        series: [{ name: d.names.risks, type: "bar", colorBy: "data", data: d.risks.values }]
      };
    }
  };

  function draw() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    var source = document.getElementById("insight-data");
    if (typeof echarts === "undefined" || !source) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll(".insight-chart[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      if (!build) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(build(data));
      var links = (data[el.dataset.chart] || {}).links;
      if (links) {  // drill-down: a slice or bar opens the list of items behind it
        chart.on("click", function (p) { if (links[p.dataIndex]) { window.location.href = links[p.dataIndex]; } });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
