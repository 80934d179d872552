// A click on "reservieren" before the proof of work (ALTCHA) has finished waits for it with a
// visible progress note and then sends the form by itself: nobody is told to wait 20 seconds
// or blamed for JavaScript being off while the browser is still computing.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const widget = form.querySelector("altcha-widget");
  if (!widget || form.dataset.proofReady === "1") return;
  if (!window.customElements || !customElements.get("altcha-widget")) return; // slow path
  const payload = form.querySelector("input[name=altcha]");
  if (payload && payload.value) return;
  event.preventDefault();
  const note = form.querySelector("[data-proof-wait]");
  const progress = form.querySelector("[data-proof-progress]");
  if (note) note.textContent = note.dataset.waitText;
  if (progress) progress.hidden = false;
  const submitter = event.submitter;
  if (form.dataset.proofWaiting === "1") return;
  form.dataset.proofWaiting = "1";
  widget.addEventListener("statechange", function onState(change) {
    const state = change.detail && change.detail.state;
    if (state === "error" || state === "expired") {
      widget.removeEventListener("statechange", onState);
      delete form.dataset.proofWaiting;
      if (progress) progress.hidden = true;
      if (note) note.textContent = note.dataset.errorText;
      return;
    }
    if (state !== "verified") return;
    widget.removeEventListener("statechange", onState);
    if (progress) progress.hidden = true;
    form.dataset.proofReady = "1";
    if (note) note.textContent = note.dataset.doneText;
    // the widget writes its hidden field right after the event
    setTimeout(() => form.requestSubmit(submitter || undefined), 0);
  });
  if (typeof widget.verify === "function" && !widget.hasAttribute("auto") && !widget.dataset.started) {
    widget.dataset.started = "1";
    try {
      widget.verify();
    } catch (e) {
      /* already verifying (auto="onload"): the statechange event arrives anyway */
    }
  }
});

// Progressive enhancement: a second click on "reservieren" is ignored while the first is sent.
// (The server is idempotent anyway: the form carries an idempotency key.)
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
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
