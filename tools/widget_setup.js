// Draws the book's anywidget views (the shape explorer and the fill-in demo) in the
// rendered book, where no kernel runs. `make vendor` copies this file into the site's vendor/ folder; myst-nb
// loads it on pages that embed widget state (nb_ipywidgets_js in _config.yml).
//
// It replaces @jupyter-widgets/html-manager (3.6 MB of RequireJS bundles and icon fonts,
// more than the whole budget of the explorer's page) with what an anywidget view needs
// without a kernel: the saved model state, get/set/on/off and a no-op save_changes. The
// view's code and styles are the ones saved with the widget (its _esm and _css), and so are
// its language and words: each edition's notebooks run in their own language (a state
// without words draws in English, the views' message ids).
(function () {
  "use strict";

  function makeModel(values) {
    const listeners = {};
    const emit = (event) => (listeners[event] || []).slice().forEach((f) => f());
    return {
      get: (key) => values[key],
      set: (key, value) => {
        const old = values[key];
        values[key] = value;
        if (old !== value) { emit(`change:${key}`); emit("change"); }
      },
      on: (event, f) => { (listeners[event] = listeners[event] || []).push(f); },
      off: (event, f) => {
        listeners[event] = f ? (listeners[event] || []).filter((g) => g !== f) : [];
      },
      save_changes: () => {},  // no kernel to tell: the view draws from the model alone
      send: () => {},
      widget_manager: {},
    };
  }

  async function renderView(tag, state) {
    const { model_id: id } = JSON.parse(tag.textContent);
    const saved = state[id];
    if (!saved || saved.model_module !== "anywidget") return;
    const values = saved.state;
    const el = document.createElement("div");
    el.className = "birnn-widget";
    tag.after(el);
    if (values._css) {
      const style = document.createElement("style");
      style.textContent = values._css;
      document.head.append(style);
    }
    const url = URL.createObjectURL(new Blob([values._esm], { type: "text/javascript" }));
    try {
      const module = await import(url);
      let widget = module.default || module;
      if (typeof widget === "function") widget = await widget();
      const model = makeModel({ ...values });
      if (widget.initialize) await widget.initialize({ model });
      await widget.render({ model, el });
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  function start() {
    const stateTag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    if (!stateTag) return;
    const state = JSON.parse(stateTag.textContent).state;
    document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')
      .forEach((tag) => renderView(tag, state).catch((err) => console.error("widget:", err)));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
