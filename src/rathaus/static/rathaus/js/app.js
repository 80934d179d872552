// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  const WIDE = window.matchMedia("(min-width: 64em)");
  const FOCUS_AFTER_SUBMIT = "rathaus:focus-after-submit";

  // The main menu is a <details> without JavaScript. Here it becomes a real button with
  // aria-expanded that collapses the menu on narrow screens and shows it inline on wide ones.
  function enhanceMenu() {
    const details = document.querySelector("[data-site-menu]");
    if (!details) return;
    const summary = details.querySelector("summary");
    const nav = details.querySelector("nav");
    const menu = document.createElement("div");
    menu.className = "site-menu site-menu--enhanced";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "site-menu__toggle site-menu__button";
    button.setAttribute("aria-controls", nav.id);
    button.innerHTML = summary.innerHTML;
    menu.appendChild(button);
    menu.appendChild(nav);
    details.replaceWith(menu);

    function setExpanded(expanded) {
      button.setAttribute("aria-expanded", String(expanded));
      nav.hidden = !expanded && !WIDE.matches;
    }
    setExpanded(false);
    button.addEventListener("click", () => setExpanded(button.getAttribute("aria-expanded") !== "true"));
    nav.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !WIDE.matches) {
        setExpanded(false);
        button.focus();
      }
    });
    WIDE.addEventListener("change", () => setExpanded(false));
  }

  // Wide tables scroll inside their own labelled region instead of the page (WCAG 1.4.10);
  // the region only becomes a Tab stop when it actually has something to scroll.
  let captionCounter = 0;

  function wrapTables() {
    document.querySelectorAll("main table").forEach((table) => {
      let region = table.parentElement;
      if (!region.classList.contains("table-scroll") && region.matches("[role=region][tabindex]")) {
        return; // the template gave this table its own scroll region already
      }
      if (!region.classList.contains("table-scroll")) {
        region = document.createElement("div");
        region.className = "table-scroll";
        table.parentNode.insertBefore(region, table);
        region.appendChild(table);
      }
      const caption = table.querySelector("caption");
      if (caption) {
        if (!caption.id) caption.id = "table-caption-" + ++captionCounter;
        region.setAttribute("aria-labelledby", caption.id);
      } else if (table.getAttribute("aria-label")) {
        region.setAttribute("aria-label", table.getAttribute("aria-label"));
      } else if (table.getAttribute("aria-labelledby")) {
        region.setAttribute("aria-labelledby", table.getAttribute("aria-labelledby"));
      }
    });
    markScrollableRegions();
  }

  function sameNameAsSection(region, labelId) {
    // A region named like the section around it would be a second landmark of that name.
    const section = region.parentElement && region.parentElement.closest("section[aria-labelledby]");
    const label = labelId && document.getElementById(labelId);
    const heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    return !!(label && heading && label.textContent.trim() === heading.textContent.trim());
  }

  function markScrollableRegions() {
    document.querySelectorAll(".table-scroll").forEach((region) => {
      const scrolls = region.scrollWidth > region.clientWidth + 1;
      const labelId = region.getAttribute("aria-labelledby");
      const labelled = (labelId && !sameNameAsSection(region, labelId)) || region.hasAttribute("aria-label");
      if (scrolls && labelled) region.setAttribute("role", "region");
      else region.removeAttribute("role");
      if (scrolls) region.setAttribute("tabindex", "0");
      else region.removeAttribute("tabindex");
    });
  }

  // After a form was sent, put the keyboard focus on what the next page says first: its
  // error summary or its heading, instead of the top of the page (fewer Tab presses per step).
  function focusAfterSubmit() {
    const summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
      try {
        sessionStorage.removeItem(FOCUS_AFTER_SUBMIT);
      } catch (e) {
        /* no storage: nothing to forget */
      }
      return;
    }
    let pending = null;
    try {
      pending = sessionStorage.getItem(FOCUS_AFTER_SUBMIT);
    } catch (e) {
      return;
    }
    if (pending) {
      sessionStorage.removeItem(FOCUS_AFTER_SUBMIT);
      if (location.hash) return;
      const heading = document.querySelector("main h1");
      if (heading) {
        if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  }

  function rememberSubmits() {
    document.addEventListener("submit", (event) => {
      const form = event.target;
      if (event.defaultPrevented || !form.closest("main")) return;
      if (form.matches("[hx-post], [hx-get], [data-no-focus-move]")) return;
      try {
        sessionStorage.setItem(FOCUS_AFTER_SUBMIT, "*");
      } catch (e) {
        /* private mode without storage: the page still works */
      }
    });
  }

  // Embedded pages (ADR 0008): a link to a page that can't be framed opens in the whole
  // window instead of a blocked frame; links of the embedded flow stay in the frame.
  function openOtherPagesOnTop() {
    if (!document.body.hasAttribute("data-embedded")) return;
    document.querySelectorAll("a[href]").forEach(function (link) {
      if (!link.target && link.pathname.indexOf("/einbetten/") !== 0) link.target = "_top";
    });
  }

  function start() {
    document.documentElement.classList.add("js");
    openOtherPagesOnTop();
    document.addEventListener("htmx:afterSwap", openOtherPagesOnTop);
    enhanceMenu();
    wrapTables();
    focusAfterSubmit();
    rememberSubmits();
    window.addEventListener("resize", markScrollableRegions);
    document.addEventListener("htmx:afterSwap", wrapTables); // refreshed queues, search results
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
