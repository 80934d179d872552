// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen readers announce it (GOV.UK pattern).
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
});
