// What every page does once it is loaded (no inline script: the content security policy forbids it).
// - The menu is a <details> disclosure: closed on a phone, it is opened on wider screens, where it reads as
//   a plain navigation bar. Without this script it still works: a "Menu" button.
// - A form sent back with errors has a summary at its top: it takes the focus (and so is read out and
//   scrolled into view), and each of its links focuses its field.
// - A table wider than its box says so ("scroll sideways") and can be scrolled with the keyboard.
(function () {
  "use strict";
  var WIDE = window.matchMedia("(min-width: 48rem)");

  function syncMenu() {
    document.querySelectorAll("details[data-menu]").forEach(function (menu) {
      menu.open = WIDE.matches;
    });
  }

  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) {
          return;
        }
        event.preventDefault();
        var label = document.querySelector("label[for='" + field.id + "']") || field;
        label.scrollIntoView({ block: "center" });
        field.focus({ preventScroll: true });
      });
    });
  }

  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", scrolls);
      var cue = wrap.previousElementSibling;
      var hasCue = cue && cue.classList.contains("scroll-cue");
      if (scrolls && !hasCue) {
        cue = document.createElement("p");
        cue.className = "scroll-cue";
        cue.textContent = "More columns: scroll the table sideways →";
        wrap.parentNode.insertBefore(cue, wrap);
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      } else if (!scrolls && hasCue) {
        cue.remove();
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  function start() {
    syncMenu();
    focusErrors();
    markScrollingTables();
    WIDE.addEventListener("change", syncMenu);
    window.addEventListener("resize", markScrollingTables);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
