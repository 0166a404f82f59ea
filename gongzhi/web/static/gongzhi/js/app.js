/* Gongzhi page behaviour. Loaded as a file: the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  // Confirm dangerous submissions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });

  // Auto-submit filter forms when a select changes: <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
      el.form.requestSubmit();
    }
  });

  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (el && navigator.clipboard) {
      navigator.clipboard.writeText(el.dataset.copy);
      el.setAttribute("aria-label", el.dataset.copiedLabel || "copied");
    }
  });

  // Charts: <div class="chart" data-chart='{"option": {...}}'> rendered with ECharts when it is loaded.
  function renderCharts(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) { return; }
      try {
        var spec = JSON.parse(el.dataset.chart);
        var chart = window.echarts.init(el, null, { renderer: "svg" });
        chart.setOption(spec);
        el.dataset.chartReady = "1";
        window.addEventListener("resize", function () { chart.resize(); });
      } catch (err) {
        el.textContent = el.dataset.chartError || "";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { renderCharts(event.target); });

  // After an htmx swap, move focus to the first element asking for it (keyboard and screen reader users).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target.querySelector("[data-focus]");
    if (target) { target.focus(); }
  });
})();
