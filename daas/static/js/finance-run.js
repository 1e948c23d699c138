// A running billing run's page: asks /finance/billing-runs/<id>/progress.json every second, moves the
// progress bar and its text, and reloads the page when the run is over (the page then shows the drafts).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");

  function show(p) {
    var share = p.contracts ? Math.floor(p.processed * 100 / p.contracts) : 0;
    if (p.contracts) {
      bar.max = p.contracts;
      bar.value = p.processed;
    }
    bar.textContent = share + "%";
    text.textContent = p.processed + " of " + p.contracts + " contracts processed (" + share + "%); " +
      p.created + " invoices created, " + p.updated + " drafts recomputed" +
      (p.failed ? ", " + p.failed + " could not be billed." : ".");
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (p) {
        show(p);
        if (p.status !== "running") {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 1000);
})();
