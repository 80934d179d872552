// Progressive enhancement of the assistant's chat: htmx posts the question and appends
// the answer to the log (an aria-live region). This file only tidies up afterwards.
let sentFromForm = false;
let sentText = "";
let typedMeanwhile = "";

document.addEventListener("submit", (event) => {
  sentFromForm = event.target.id === "chat-form";
  const input = event.target.querySelector("input[name=question]");
  sentText = input ? input.value : "";
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "chat-log") {
    const answers = event.detail.target.querySelectorAll(".chat-msg--assistant");
    const latest = answers[answers.length - 1];
    if (latest) latest.scrollIntoView({ block: "nearest" });
  }
});

document.addEventListener("htmx:oobBeforeSwap", (event) => {
  // Keep a question typed while the previous one was being answered.
  const input = document.querySelector("#chat-form input[name=question]");
  typedMeanwhile = input && input.value !== sentText ? input.value : "";
});

document.addEventListener("htmx:oobAfterSwap", (event) => {
  // The question form is replaced out of band with fresh hidden fields; keep typing there
  // if the question was sent from it (not when a suggestion button was used).
  if (!event.detail.target || event.detail.target.id !== "chat-form") return;
  const input = event.detail.target.querySelector("input[name=question]");
  if (input && typedMeanwhile) input.value = typedMeanwhile;
  const summary = event.detail.target.querySelector("[data-autofocus]");
  if (summary) summary.focus();
  else if (input && sentFromForm) input.focus();
  sentFromForm = false;
  typedMeanwhile = "";
});
