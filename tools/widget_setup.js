// Loaded on pages with widgets, after require.js and before the widget manager
// (embed-amd.js); `make vendor` copies it into the site's vendor/ folder. The manager
// finds its fonts relative to where RequireJS thinks the manager lives, which by default
// is next to the page; point RequireJS (and the manager's own override) at the copy in
// vendor/html-manager/ instead, so every font is fetched from the site.
(function () {
  var managerDir = new URL("html-manager", document.currentScript.src).href;
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": managerDir } });
  window.__jupyter_widgets_assets_path__ = managerDir + "/";
})();
