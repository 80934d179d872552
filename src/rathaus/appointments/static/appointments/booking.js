// Progressive enhancement: a second click on "reservieren" is ignored while the first is sent.
// (The server is idempotent anyway: the form carries an idempotency key.)
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (!button || !button.hasAttribute("data-once")) return;
  if (button.dataset.sent === "1") {
    event.preventDefault();
    return;
  }
  button.dataset.sent = "1";
  button.setAttribute("aria-disabled", "true");
});

// After htmx swapped in the times of a day, mark that day as the current one.
document.addEventListener("htmx:afterSwap", (event) => {
  if (!event.detail.target || event.detail.target.id !== "zeiten") return;
  const chosen = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!chosen || !chosen.classList.contains("day-list__day")) return;
  document.querySelectorAll(".day-list__day[aria-current]").forEach((day) => {
    day.removeAttribute("aria-current");
  });
  chosen.setAttribute("aria-current", "date");
});
