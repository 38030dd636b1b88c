// Stacked bar chart of stations by status per child division (templates/home/summary.html).
// Reads the JSON the page embeds with json_script; no inline script (CSP).
(function () {
  "use strict";
  function render(el) {
    var source = document.getElementById(el.dataset.chartSource);
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "stations", data: s.data, emphasis: { focus: "series" } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll(".area-chart").forEach(render);
})();
