// Shows the points still available while a person fills in the ballot (server checks anyway).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-ballot]");
    if (!form) return;
    var total = Number(form.dataset.total), out = form.querySelector("[data-remaining]");
    function update() {
      var used = 0;
      form.querySelectorAll("[data-points]").forEach(function (input) {
        var n = parseInt(input.value, 10);
        if (!isNaN(n) && n > 0) used += n;
      });
      var left = total - used;
      out.hidden = false;
      out.textContent = left >= 0
        ? "Noch " + left + " von " + total + " Punkten verfügbar."
        : "Sie haben " + (-left) + " Punkte zu viel verteilt.";
    }
    form.addEventListener("input", update);
    update();
  });
})();
