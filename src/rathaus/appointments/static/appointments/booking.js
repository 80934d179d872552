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
