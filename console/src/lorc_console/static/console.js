// The console's only script (served by the package; the CSP allows no other): live
// progress of a running pipeline on the Runs page, from /runs/live.json: every 2 s while a
// run is on, every 15 s while none is (each poll is one access-log line).
// It writes text only (textContent), never HTML.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var wasRunning = live.getAttribute("data-running") === "true";
  function show(state) {
    if (!state.running) {
      if (wasRunning) { window.location.reload(); }  // the run ended: show its result
      return;
    }
    if (!wasRunning) { window.location.reload(); return; }  // a run started: show its frame
    var current = live.querySelector(".live-current");
    var done = live.querySelector(".live-done");
    if (current) { current.textContent = state.current || "–"; }
    if (done) { done.textContent = String(state.done) + (state.failed ? " (" + state.failed + " ✗)" : ""); }
  }
  function poll() {
    fetch(live.getAttribute("data-live-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () { /* the server stopped: keep the page as it is */ })
      .then(function () { window.setTimeout(poll, wasRunning ? 2000 : 15000); });
  }
  poll();
})();
