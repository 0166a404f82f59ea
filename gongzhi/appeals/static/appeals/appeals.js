/* Appeal pages. Loaded as a file: the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  // Let htmx show the re-rendered panel for form errors (400), conflicts (409) and refusals (403/422),
  // so a wrong entry or a colleague's earlier action is explained in place instead of silently ignored.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var el = event.detail.elt;
    if ([400, 403, 409, 413, 422].indexOf(status) !== -1 && el.closest && el.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Select all rows of a list for bulk dispatch: <input type="checkbox" data-select-all="name">.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLInputElement && el.dataset.selectAll) {
      document.querySelectorAll('input[name="' + el.dataset.selectAll + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  // Fill latitude/longitude from the phone's position when the resident asks: <button data-locate>.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-locate]") : null;
    if (!button || !navigator.geolocation) { return; }
    var status = document.getElementById(button.dataset.locate);
    navigator.geolocation.getCurrentPosition(function (pos) {
      var form = button.form;
      form.querySelector('[name="latitude"]').value = pos.coords.latitude.toFixed(6);
      form.querySelector('[name="longitude"]').value = pos.coords.longitude.toFixed(6);
      if (status) { status.textContent = button.dataset.done || ""; }
    }, function () {
      if (status) { status.textContent = button.dataset.failed || ""; }
    }, { timeout: 10000 });
  });
})();
