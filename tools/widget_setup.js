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
//
// The big saved values (the views' code and styles, the fill-in demo's weights) are not in
// the page: the build (tools/sphinx_site.py) moves them into files of the site, listed in the
// state under birnn_files, and they are fetched here, at low priority, once the page is
// parsed and has painted, so the text comes first. The site's own files only: no outside
// request.
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

  // Puts each moved value back where it was in its model's state (once per model, however
  // many views it has): files[id] lists [key path, URL relative to the page].
  const restored = new Map();
  function restoreFiles(id, values, files) {
    if (!restored.has(id)) {
      restored.set(id, Promise.all((files[id] || []).map(async ([path, url]) => {
        const response = await fetch(new URL(url, document.baseURI), { priority: "low" });
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        let parent = values;
        for (const key of path.slice(0, -1)) parent = parent[key];
        // A moved table of words comes back as JSON; code, styles and weights as text.
        parent[path[path.length - 1]] = url.endsWith(".json")
          ? await response.json() : await response.text();
      })));
    }
    return restored.get(id);
  }

  // A task of its own: what a view does when it is drawn never joins what came before it
  // (another view, the page's own scripts) into one long task.
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

  function savedView(tag, state) {
    const { model_id: id } = JSON.parse(tag.textContent);
    const saved = state[id];
    return saved && saved.model_module === "anywidget" ? { id, values: saved.state } : null;
  }

  async function renderView(tag, state, files) {
    const view = savedView(tag, state);
    if (!view) return;
    const { id, values } = view;
    await restoreFiles(id, values, files);
    await nextTask();
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
    const { state, birnn_files: files = {} } = JSON.parse(stateTag.textContent);
    const tags = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    // Every view's files are asked for at once; the views are drawn one after another.
    tags.forEach((tag) => {
      const view = savedView(tag, state);
      if (view) restoreFiles(view.id, view.values, files).catch(() => {});
    });
    tags.reduce((drawn, tag) => drawn.then(() => renderView(tag, state, files)
      .catch((err) => console.error("widget:", err))), Promise.resolve());
  }

  // Once the page's text has painted (its first contentful paint): the big files must not
  // compete with what draws it. Without that paint (a hidden tab), after 3 s all the same.
  function afterFirstPaint(f) {
    let done = false;
    const go = () => { if (!done) { done = true; setTimeout(f, 0); } };
    try {
      new PerformanceObserver((list, observer) => {
        if (list.getEntriesByName("first-contentful-paint").length) { observer.disconnect(); go(); }
      }).observe({ type: "paint", buffered: true });
    } catch (err) {
      go();
      return;
    }
    setTimeout(go, 3000);
  }
  // ... and once the page is parsed, so every view's tag is there.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => afterFirstPaint(start));
  } else {
    afterFirstPaint(start);
  }
})();
