// The shape explorer's view (anywidget). The drawing lives here, not in the kernel, so the
// controls still redraw the picture in the rendered book, where no kernel is running.
// layout() mirrors book/explorer.py:layout(); the browser test compares the two.

const NAMES = ["T", "n", "d", "h_f", "h_b", "q", "L"];
const SVG = "http://www.w3.org/2000/svg";

// The view's words: each t("...") call's English text is its message id, and the widget
// sends the words in its language ({id: word}, book.i18n.view_words, from the catalog);
// an id without a word stays English. {name} fields are filled from `fields`. The sizes'
// descriptions and the row titles come translated in the config.
function translator(words) {
  return (id, fields = {}) => (words[id] || id).replace(/\{(\w+)\}/g,
    (all, name) => (name in fields ? String(fields[name]) : all));
}
const english = translator({});

// Returns [sizes, null] or [null, message]; the same message ids as validate_sizes() in
// Python.
function validate(raw, cfg, t = english) {
  const sizes = {};
  for (const name of NAMES) {
    const [low, high] = cfg.limits[name];
    const allowed = t("{name} ({desc}) must be a whole number from {low} to {high}",
      { name, desc: cfg.descriptions[name], low, high });
    let value = raw[name];
    if (typeof value === "string") {
      if (value.trim() === "") return [null, t("{allowed}; the box is empty", { allowed })];
      value = Number(value);
    }
    if (typeof value !== "number" || Number.isNaN(value)) {
      return [null, t("{allowed}; got {value}", { allowed, value: JSON.stringify(raw[name]) })];
    }
    if (!Number.isInteger(value)) {
      return [null, t("{allowed}; got {value}, which is not a whole number", { allowed, value })];
    }
    if (value < low) return [null, t("{allowed}; got {value}", { allowed, value })];
    if (value > high) {
      return [null, t("{allowed}; got {value}, which is too large to draw or to check quickly "
        + "here", { allowed, value })];
    }
    sizes[name] = value;
  }
  return [sizes, null];
}

function shapesOf(s) {
  const h = s.h_f + s.h_b;
  const shapes = {
    X_t: [s.n, s.L === 1 ? s.d : h], H_f_t: [s.n, s.h_f], H_b_t: [s.n, s.h_b], H_t: [s.n, h],
    W_hq: [h, s.q], O_t: [s.n, s.q], outputs: [s.T, s.n, h],
  };
  for (let l = 1; l <= s.L; l++) {
    shapes[`input_${l}`] = [s.T, s.n, l === 1 ? s.d : h];
    shapes[`H_f_final_${l}`] = [s.n, s.h_f];
    shapes[`H_b_final_${l}`] = [s.n, s.h_b];
  }
  return shapes;
}

// The blocks, as book/explorer.py's _specs (the same names, the same message ids).
function specs(s, t = english) {
  const list = [
    // The top layer's input at step t: the data, or the layer below's states.
    s.L === 1 ? ["X_t", "X_t", "n×d", "input", 0, 0]
      : ["X_t", t("H_t layer {layer}", { layer: s.L - 1 }), "n×(h_f+h_b)", "concat", 0, s.h_f],
    ["H_f_t", "H→_t", "n×h_f", "forward", 0, 0],
    ["H_b_t", "H←_t", "n×h_b", "backward", 0, 0],
    ["H_t", "H_t", "n×(h_f+h_b)", "concat", 0, s.h_f],
    ["W_hq", "W_hq", "(h_f+h_b)×q", "weight", 0, 0],
    ["O_t", "O_t", "n×q", "output", 0, 0],
    ["outputs", "outputs", "T×n×(h_f+h_b)", "concat", 1, s.h_f],
  ];
  for (let l = 1; l <= s.L; l++) {
    list.push([`H_f_final_${l}`, t("H→_T layer {layer}", { layer: l }), "n×h_f", "forward", 1, 0]);
    list.push([`H_b_final_${l}`, t("H←_1 layer {layer}", { layer: l }), "n×h_b", "backward", 1, 0]);
  }
  if (s.L > 1) {
    for (let l = 1; l <= s.L; l++) {
      list.push([`input_${l}`, t("input of layer {layer}", { layer: l }), l === 1 ? "T×n×d" : "T×n×(h_f+h_b)",
        l === 1 ? "input" : "concat", 2, l === 1 ? 0 : s.h_f]);
    }
  }
  return list;
}

function layout(s, cfg, t = english) {
  const shapes = shapesOf(s);
  const list = specs(s, t);
  const longest = Math.max(...list.map(([key]) => Math.max(...shapes[key].slice(-2))));
  const scale = Math.min(cfg.max_scale_px, cfg.max_side_px / longest);
  const blocks = [];
  let x = 0, y = 0, rowNow = 0, rowHeight = 0;
  for (const [key, name, formula, role, row, split] of list) {
    const shape = shapes[key];
    const width = shape[shape.length - 1] * scale, height = shape[shape.length - 2] * scale;
    const depth = shape.length === 3 ? shape[0] : 1;
    const extra = (Math.min(depth, cfg.stack_shown) - 1) * cfg.stack_offset_px;
    if (row !== rowNow) {
      y += rowHeight + cfg.row_gap_px;
      x = 0; rowNow = row; rowHeight = 0;
    }
    const label = `${formula} = ${shape.join("×")}`;
    // Room in the row: the block, its stack, or its longest label line (as in Python).
    const panel = Math.max(width + extra, cfg.min_panel_px,
      Math.max(name.length, label.length) * cfg.char_px);
    if (x > 0 && x + panel > cfg.max_row_px) {
      x = 0; y += rowHeight + cfg.line_gap_px; rowHeight = 0;
    }
    blocks.push({ key, name, formula, shape, role, row, x, y, width, height, split, depth, extra, label });
    x += panel + cfg.gap_px;
    rowHeight = Math.max(rowHeight, height + extra);
  }
  return blocks;
}

function el(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function colour(cfg, role) {
  return role === "weight" ? cfg.palette.neutral : cfg.palette[role];
}

function draw(svg, blocks, cfg) {
  svg.replaceChildren();
  const defs = el("defs");
  const pattern = el("pattern", { id: "birnn-hatch", width: 6, height: 6,
    patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pattern.append(el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: cfg.palette.backward,
    "stroke-width": 1.5 }));
  defs.append(pattern);
  svg.append(defs);
  const rect = (g, x, y, w, h, role) => {
    const c = colour(cfg, role);
    const attrs = { x, y, width: Math.max(w, 1.5), height: Math.max(h, 1.5), fill: c,
      "fill-opacity": 0.33, stroke: c, "stroke-width": 1.2 };
    // An opaque white base keeps stacked slabs from blending into each other.
    g.append(el("rect", { x, y, width: attrs.width, height: attrs.height, fill: "white" }));
    g.append(el("rect", attrs));
    if (role === "backward") g.append(el("rect", { ...attrs, fill: "url(#birnn-hatch)", "fill-opacity": 1 }));
  };
  for (const row of [...new Set(blocks.map((b) => b.row))]) {
    const y = Math.min(...blocks.filter((b) => b.row === row).map((b) => b.y));
    svg.append(el("text", { x: 0, y: y - 8, class: "birnn-caption" }, cfg.row_titles[row]));
  }
  let right = 0, bottom = 0;
  for (const b of blocks) {
    const g = el("g", { class: "birnn-block", "data-key": b.key, "data-role": b.role,
      "data-shape": b.shape.join(","), "data-width": b.width, "data-height": b.height });
    for (let k = Math.min(b.depth, cfg.stack_shown) - 1; k >= 0; k--) {
      const x = b.x + k * cfg.stack_offset_px, y = b.y + k * cfg.stack_offset_px;
      if (b.split) {
        const unit = b.width / b.shape[b.shape.length - 1];
        rect(g, x, y, b.split * unit, b.height, "forward");
        rect(g, x + b.split * unit, y, b.width - b.split * unit, b.height, "backward");
      } else {
        rect(g, x, y, b.width, b.height, b.role);
      }
    }
    const top = b.y + b.height + b.extra;
    // Only the two directions get coloured text; green and orange text would be hard to read.
    const fill = (b.role === "forward" || b.role === "backward") ? colour(cfg, b.role) : "#222222";
    g.append(el("text", { x: b.x, y: top + 14, fill, class: "birnn-name" }, b.name));
    g.append(el("text", { x: b.x, y: top + 31, fill, class: "birnn-label" }, b.label));
    svg.append(g);
    right = Math.max(right, b.x + Math.max(b.width + b.extra, cfg.min_panel_px,
      Math.max(b.name.length, b.label.length) * cfg.char_px));
    bottom = Math.max(bottom, top + 37);
  }
  svg.setAttribute("viewBox", `-4 -22 ${right + 8} ${bottom + 26}`);
  svg.setAttribute("width", right + 8);
}

function render({ model, el: root }) {
  const cfg = model.get("config");
  const t = translator(model.get("words") || {});
  root.lang = model.get("lang") === "zh" ? "zh-CN" : "en";
  root.classList.add("birnn-explorer");
  const controls = document.createElement("div");
  controls.className = "birnn-controls";
  const inputs = {};
  for (const name of NAMES) {
    const [low, high] = cfg.limits[name];
    const row = document.createElement("div");
    row.className = "birnn-control";
    row.title = cfg.descriptions[name];
    const span = document.createElement("span");
    span.textContent = name;
    const slider = document.createElement("input");
    Object.assign(slider, { type: "range", min: low, max: high, step: 1 });
    slider.setAttribute("aria-label", `${name}, ${cfg.descriptions[name]}`);
    slider.dataset.size = name;
    const number = document.createElement("input");
    Object.assign(number, { type: "number", min: low, max: high, step: 1 });
    number.setAttribute("aria-label", t("{name} value", { name }));
    number.dataset.size = name;
    // One step down or up, for when a slider step is too small to hit with a pointer.
    const [minus, plus] = [["−", t("decrease {name}", { name }), -1],
      ["+", t("increase {name}", { name }), 1]].map(([text, label, delta]) => {
      const button = document.createElement("button");
      Object.assign(button, { type: "button", className: "birnn-step", textContent: text });
      button.setAttribute("aria-label", label);
      button.dataset.size = name;
      button.dataset.step = delta;
      return button;
    });
    row.append(span, minus, slider, plus, number);
    controls.append(row);
    inputs[name] = { slider, number, minus, plus };
  }
  // JupyterLab and Notebook 7 bind plain keys (arrows, letters, Enter, Space) to notebook
  // commands in command mode, which swallowed a focused slider's arrow keys. Their command
  // registry (Lumino) skips elements marked data-lm-suppress-shortcuts; it reads keys on
  // the way down to the slider in Notebook 7 and on the way up in JupyterLab, so only the
  // mark works in both. Text boxes need none: those shortcuts skip editable elements, and
  // Shift+Enter in a box still runs the cell.
  for (const name of NAMES) {
    for (const node of [inputs[name].slider, inputs[name].minus, inputs[name].plus]) {
      node.setAttribute("data-lm-suppress-shortcuts", "true");
    }
  }
  // Other hosts' handlers that listen as keys bubble up (and any document-level handler)
  // do not see keys the controls use; Tab, Escape and modified keys go on.
  controls.addEventListener("keydown", (event) => {
    if (event.key === "Tab" || event.key === "Escape" || event.ctrlKey || event.metaKey ||
        event.altKey || (event.key === "Enter" && event.shiftKey)) return;
    event.stopPropagation();
  });
  const message = document.createElement("p");
  message.className = "birnn-message";
  message.setAttribute("role", "alert");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "birnn-picture");
  svg.setAttribute("role", "img");
  const check = document.createElement("div");
  check.className = "birnn-check";
  root.append(controls, message, svg, check);

  let drawn = null;  // the sizes of the picture on screen (always valid)

  const refresh = (raw) => {
    const [sizes, error] = validate(raw, cfg, t);
    message.textContent = error || "";
    root.classList.toggle("birnn-invalid", Boolean(error));
    for (const name of NAMES) inputs[name].number.setAttribute("aria-invalid", "false");
    if (sizes) {
      drawn = sizes;
      const room = Math.floor(root.getBoundingClientRect().width);
      draw(svg, layout(sizes, room ? { ...cfg, max_row_px: Math.min(cfg.max_row_px, room - 12) } : cfg, t), cfg);
      svg.setAttribute("aria-label", t("Blocks to scale for {sizes}",
        { sizes: NAMES.map((k) => `${k}=${sizes[k]}`).join(", ") }));
    }
    showCheck();
  };

  const showCheck = () => {
    const result = model.get("check") || {};
    const same = drawn && result.sizes && NAMES.every((k) => result.sizes[k] === drawn[k]);
    check.replaceChildren();
    if (same) {
      check.className = "birnn-check " + (result.ok ? "birnn-ok" : "birnn-bad");
      for (const line of result.lines || []) {
        const p = document.createElement("p");
        p.textContent = (result.ok ? "✓ " : "✗ ") + line;
        check.append(p);
      }
      for (const note of result.notes || []) {
        const p = document.createElement("p");
        p.className = "birnn-note";
        p.textContent = "• " + note;
        check.append(p);
      }
    } else {
      check.className = "birnn-check birnn-pending";
      const p = document.createElement("p");
      p.textContent = drawn && drawn.h_f !== drawn.h_b
        ? t("Predicted shapes. Run the notebook to build this model and confirm them; "
          + "nn.RNN(bidirectional=True) would need h_f = h_b.")
        : t("Predicted shapes. Run the notebook to build this model and confirm them.");
      check.append(p);
    }
  };

  const current = () => Object.fromEntries(NAMES.map((k) => [k, inputs[k].number.value]));

  const fromModel = () => {
    for (const name of NAMES) {
      const value = model.get(name);
      inputs[name].number.value = value;
      const [low, high] = cfg.limits[name];
      if (typeof value === "number" && value >= low && value <= high) inputs[name].slider.value = value;
    }
    refresh(Object.fromEntries(NAMES.map((k) => [k, model.get(k)])));
  };

  const send = (name, value) => {
    model.set(name, value);
    try {
      model.save_changes();
    } catch (err) {
      // In the rendered book there is no kernel to tell; the picture is drawn here anyway.
      if (!String(err).includes("no comm channel")) throw err;
    }
  };

  // A typed value is drawn only once it is committed: on Enter, on leaving the box, or
  // when it is valid and the reader has stopped typing for PAUSE_MS. So typing 10000 never
  // draws 1 or 10 on the way, and 2.5 or 1e2 never leave 2 or 1 drawn. Until then the box
  // only says whether, and why, the value is invalid.
  const PAUSE_MS = 800;
  let pending = null;
  const commit = (name) => {
    clearTimeout(pending);
    const raw = current();
    refresh(raw);
    const [sizes] = validate(raw, cfg, t);
    if (sizes) {
      inputs[name].slider.value = sizes[name];
      send(name, sizes[name]);
    }
  };
  for (const name of NAMES) {
    const { slider, number, minus, plus } = inputs[name];
    slider.addEventListener("input", () => {
      clearTimeout(pending);
      number.value = slider.value;
      refresh(current());
      send(name, Number(slider.value));
    });
    for (const button of [minus, plus]) {
      button.addEventListener("click", () => {
        const [low, high] = cfg.limits[name];
        const base = drawn ? drawn[name] : Number(slider.value);
        const value = Math.min(high, Math.max(low, base + Number(button.dataset.step)));
        slider.value = value;
        slider.dispatchEvent(new Event("input"));
      });
    }
    number.addEventListener("input", () => {
      clearTimeout(pending);
      const [sizes, error] = validate(current(), cfg, t);
      if (sizes) pending = setTimeout(() => commit(name), PAUSE_MS);
      message.textContent = error || "";
      root.classList.toggle("birnn-invalid", Boolean(error));
      number.setAttribute("aria-invalid", error ? "true" : "false");
    });
    number.addEventListener("change", () => commit(name));  // Enter, or leaving the box
    number.addEventListener("keydown", (event) => { if (event.key === "Enter") commit(name); });
  }

  // Re-flow the drawing to the width it has (a phone's column), rather than shrink it:
  // labels keep their 12 px size. The Python layout is the same with max_row_px = 720.
  let width = 0;
  const reflow = () => {
    const now = Math.floor(root.getBoundingClientRect().width);
    if (!now || now === width || !drawn) return;
    width = now;
    draw(svg, layout(drawn, { ...cfg, max_row_px: Math.min(cfg.max_row_px, now - 12) }, t), cfg);
  };
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(reflow).observe(root);

  const onSize = () => fromModel();
  const onCheck = () => showCheck();
  for (const name of NAMES) model.on(`change:${name}`, onSize);
  model.on("change:check", onCheck);
  fromModel();
  return () => {
    for (const name of NAMES) model.off(`change:${name}`, onSize);
    model.off("change:check", onCheck);
  };
}

export default { render };
