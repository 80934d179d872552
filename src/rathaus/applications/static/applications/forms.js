// Show and hide conditional form fields (data-show-if-field / data-show-if-values).
// Without JavaScript all fields stay visible and the server applies the same rules.
(function () {
  "use strict";
  function currentValues(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { values.push(input.type === "checkbox" && input.value === "on" ? "on" : input.value); }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }
  function update(form) {
    form.querySelectorAll("[data-show-if-field]").forEach(function (wrapper) {
      var wanted = wrapper.getAttribute("data-show-if-values").split("|");
      var have = currentValues(form, wrapper.getAttribute("data-show-if-field"));
      var show = have.some(function (v) { return wanted.indexOf(v) !== -1; });
      wrapper.hidden = !show;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-conditional]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
    // A repeating group's rows were added or removed by htmx (ADR 0027): apply the
    // conditions to the new inputs as well.
    document.body.addEventListener("htmx:afterSwap", function () {
      document.querySelectorAll("form[data-conditional]").forEach(update);
    });
  });
})();

// Forms marked data-once disable their buttons after the first submit (the server is
// idempotent anyway; this only spares the citizen a confusing second wait).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-once")) { return; }
  if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
  form.setAttribute("data-submitted", "1");
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
});
