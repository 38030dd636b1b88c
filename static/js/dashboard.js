// The dashboard's charts (templates/dashboards/dashboard.html): children side by side against the target, and the
// place's trend over the year's months. Reads the JSON the page embeds with json_script; no inline script (CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  function data(el) {
    var source = document.getElementById(el.dataset.chartSource);
    return source ? JSON.parse(source.textContent) : null;
  }
  document.querySelectorAll(".dashboard-chart").forEach(function (el) {
    var d = data(el);
    if (!d) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var series = [{ type: "bar", data: d.values, label: { show: true, position: "right", formatter: function (p) {
      return p.value === null ? "—" : p.value.toFixed(1) + "%"; } } }];
    if (d.target !== null) {
      series[0].markLine = { symbol: "none", data: [{ xAxis: d.target, name: "目标" }],
        label: { formatter: "目标 " + d.target.toFixed(1) + "%" } };
    }
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) {
        return v === null ? "—" : v.toFixed(1) + "%"; } },
      grid: { left: 8, right: 48, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.categories, inverse: true },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
  document.querySelectorAll(".dashboard-trend").forEach(function (el) {
    var d = data(el);
    if (!d || !d.trend.length) { el.remove(); return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      title: { text: "逐月趋势", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v.toFixed(1) + "%"; } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.trend.map(function (p) { return p[0].slice(5) + "月"; }) },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: [{ type: "line", data: d.trend.map(function (p) { return p[1]; }), connectNulls: true }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
