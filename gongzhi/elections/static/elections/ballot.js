/* The ballot: show how many are ticked and stop at the number of seats (the server checks again). */
(function () {
  "use strict";
  document.querySelectorAll("form.ballot").forEach(function (form) {
    var max = parseInt(form.dataset.seats, 10) || 0;
    var counter = form.querySelector("[data-ballot-count]");
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=choices]"));
    function update() {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      boxes.forEach(function (b) {
        b.disabled = !b.checked && ticked >= max;
        var label = b.closest("label");
        if (label) { label.classList.toggle("border-success", b.checked); label.classList.toggle("bg-success-subtle", b.checked); }
      });
      if (counter) {
        counter.textContent = counter.dataset.template.replace("{n}", ticked).replace("{max}", max);
      }
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
