// Live Code runs the page's code on Binder (sphinx-thebe, thebe 0.8). When Binder fails,
// thebe reports the status "failed" (or "dead"), and sphinx-thebe shows only that word
// after "Launching from mybinder.org:"; when Binder is busy, it can keep building for many
// minutes with nothing more said. Either way, this tells the reader in plain words, below
// the button, and points to Colab. The words come from the page (BIRNN_LAUNCH_TEXT, written
// at build time by tools/sphinx_clients.py in the page's language). Offline, the thebe
// script itself fails to load; _static/site.js handles that case.
(() => {
  if (typeof BIRNN_LAUNCH_TEXT === "undefined") return;
  let timer = null;

  function tell(message) {
    document.querySelectorAll(".thebe-launch-button").forEach((button) => {
      let note = button.nextElementSibling;
      if (!note || !note.classList.contains("birnn-launch-note")) {
        note = document.createElement("p");
        note.className = "birnn-launch-note";
        note.setAttribute("role", "status");
        button.after(note);
      }
      note.textContent = message;
    });
  }

  function watch() {
    if (typeof thebelab === "undefined" || !thebelab.on) return;
    thebelab.on("status", (event, data) => {
      const status = data && data.status;
      if (status === "failed" || status === "dead") {
        clearTimeout(timer);
        tell(BIRNN_LAUNCH_TEXT.failed);
      } else if (status === "ready") {
        clearTimeout(timer);
        document.querySelectorAll(".birnn-launch-note").forEach((note) => note.remove());
      }
    });
    timer = setTimeout(() => tell(BIRNN_LAUNCH_TEXT.slow), BIRNN_LAUNCH_TEXT.slowAfterMs);
  }

  // sphinx-thebe adds thebe's <script> on the first click and sets up thebe in that
  // script's load listener; a capturing listener here runs first, so the status listener
  // is added a moment later, after sphinx-thebe's own.
  document.addEventListener("load", (event) => {
    const src = event.target && event.target.src;
    if (typeof THEBE_JS_URL === "undefined" || src !== THEBE_JS_URL) return;
    setTimeout(watch, 0);
  }, true);
})();
