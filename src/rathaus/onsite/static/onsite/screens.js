// Vor-Ort screens: print buttons, the kiosk's return timer, and the call display's
// sound + visual signal. Browsers block autoplay, so the sound plays only after a
// person pressed "Ton aktivieren" once on the display.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // Kiosk: an error message takes focus so screen readers announce it first.
  var kioskError = document.getElementById("kiosk-error");
  if (kioskError) {
    kioskError.focus();
  }

  // Ticket page: go back to the kiosk start after a while so the next person starts fresh.
  var back = document.querySelector("[data-return-after]");
  if (back) {
    var seconds = parseInt(back.getAttribute("data-return-after"), 10) || 30;
    window.setTimeout(function () { window.location.href = back.href; }, seconds * 1000);
  }

  var calls = document.getElementById("calls");
  if (!calls) {
    return;
  }
  var toggle = document.querySelector("[data-sound-toggle]");
  var audio = document.querySelector("[data-signal]");
  var announce = document.querySelector("[data-announce]");
  var soundOn = false;
  var latest = currentLatest();

  function currentLatest() {
    var table = calls.querySelector("[data-latest]");
    return table ? table.getAttribute("data-latest") : "";
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      soundOn = !soundOn;
      toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
      toggle.querySelector(".kern-label").textContent =
        toggle.getAttribute(soundOn ? "data-label-on" : "data-label-off");
      if (soundOn && audio) {
        // Playing once inside the click unlocks audio for later calls.
        audio.currentTime = 0;
        audio.play().catch(function () {});
      }
    });
  }

  function signal(table) {
    document.body.classList.remove("display--flash");
    void document.body.offsetWidth; // restart the animation
    document.body.classList.add("display--flash");
    if (soundOn && audio) {
      audio.currentTime = 0;
      audio.play().catch(function () {});
    }
    if (announce && table) {
      announce.textContent = announce.getAttribute("data-template")
        .replace("%(number)s", table.getAttribute("data-number"))
        .replace("%(counter)s", table.getAttribute("data-counter"));
    }
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target !== calls) {
      return;
    }
    var now = currentLatest();
    if (now && now !== latest) {
      signal(calls.querySelector("[data-latest]"));
    }
    latest = now;
  });
})();
