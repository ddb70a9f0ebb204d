// Site script for every page (Jupyter Book adds every .js file in _static/ to every page,
// so only code that every page needs lives here).

// Live Code offline: sphinx-thebe loads THEBE_JS_URL with a <script> tag when a reader
// clicks the button and has no error path, so offline the button would spin forever.
document.addEventListener("error", (event) => {
  const src = event.target && event.target.src;
  if (typeof THEBE_JS_URL === "undefined" || src !== THEBE_JS_URL) return;
  document.querySelectorAll(".thebe-launch-button").forEach((button) => {
    button.textContent = "Live Code needs a network connection: it runs the code on Binder.";
  });
}, true);
