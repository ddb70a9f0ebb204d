// The shape explorer's view (anywidget; book/explorer.py). It draws the picture itself, so
// the controls still redraw it in the rendered book, where no kernel is running.
//
// Python owns the words and the table of blocks (the config: book.explorer.view_config).
// The rules a slider needs at once are repeated here, as named exports that
// tests/test_js_parity.py runs under Node against book.explorer: validate (validate_sizes),
// shapesOf (predict_shapes) and layout (layout). The rest is drawing and event handling.

const NAMES = ["T", "n", "d", "h_f", "h_b", "q", "L"];
const SVG = "http://www.w3.org/2000/svg";
// A typed value is drawn once the reader has stopped typing this long (or on Enter).
const PAUSE_MS = 800;

// The view's words: each t("...") call's English text is its message id, and the widget
// sends the words in its language ({id: word}, book.i18n.view_words, from the catalog);
// an id without a word stays English. {name} fields are filled from `fields`.
function translator(words) {
  return (id, fields = {}) => (words[id] || id).replace(/\{(\w+)\}/g,
    (all, name) => (name in fields ? String(fields[name]) : all));
}
const english = translator({});

// ---- The rules (tests/test_js_parity.py) ------------------------------------------------

// Returns [sizes, null] or [null, message]; the message ids of validate_sizes() in Python.
// A value is a number, or a number box's text.
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

// The room a block takes in its row: the block, its stack, or its longest label line.
function panelWidth(b, extra, cfg) {
  return Math.max(b.width + extra, cfg.min_panel_px,
    Math.max(b.name.length, b.label.length) * cfg.char_px);
}

// Every block placed at one scale, rows wrapping at cfg.max_row_px; the blocks are
// cfg.block_table's for s.L, and a "concat" block is split after its h_f forward columns.
function layout(s, cfg) {
  const shapes = shapesOf(s);
  const table = cfg.block_table[String(s.L)];
  const longest = Math.max(...table.map(([key]) => Math.max(...shapes[key].slice(-2))));
  const scale = Math.min(cfg.max_scale_px, cfg.max_side_px / longest);
  const blocks = [];
  let x = 0, y = 0, rowNow = 0, rowHeight = 0;
  for (const [key, name, formula, role, row] of table) {
    const shape = shapes[key];
    const width = shape[shape.length - 1] * scale, height = shape[shape.length - 2] * scale;
    const depth = shape.length === 3 ? shape[0] : 1;
    const extra = (Math.min(depth, cfg.stack_shown) - 1) * cfg.stack_offset_px;
    const split = role === "concat" ? s.h_f : 0;
    const label = `${formula} = ${shape.join("×")}`;
    const panel = panelWidth({ width, name, label }, extra, cfg);
    if (row !== rowNow) {
      y += rowHeight + cfg.row_gap_px;
      x = 0; rowNow = row; rowHeight = 0;
    }
    if (x > 0 && x + panel > cfg.max_row_px) {
      x = 0; y += rowHeight + cfg.line_gap_px; rowHeight = 0;
    }
    blocks.push({ key, name, formula, shape, role, row, x, y, width, height, split, depth, extra, label });
    x += panel + cfg.gap_px;
    rowHeight = Math.max(rowHeight, height + extra);
  }
  return blocks;
}

// ---- Drawing ---------------------------------------------------------------------------

function svgNode(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function colour(cfg, role) {
  return role === "weight" ? cfg.palette.neutral : cfg.palette[role];
}

function hatchPattern(cfg) {
  const pattern = svgNode("pattern", { id: "birnn-hatch", width: 6, height: 6,
    patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pattern.append(svgNode("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: cfg.palette.backward,
    "stroke-width": 1.5 }));
  const defs = svgNode("defs");
  defs.append(pattern);
  return defs;
}

// One rectangle in a role's colour, on an opaque white base (so stacked slabs do not blend);
// backward ones hatched, the cue that is not colour.
function slab(g, [x, y, w, h], role, cfg) {
  const c = colour(cfg, role);
  const attrs = { x, y, width: Math.max(w, 1.5), height: Math.max(h, 1.5), fill: c,
    "fill-opacity": 0.33, stroke: c, "stroke-width": 1.2 };
  g.append(svgNode("rect", { x, y, width: attrs.width, height: attrs.height, fill: "white" }));
  g.append(svgNode("rect", attrs));
  if (role === "backward") g.append(svgNode("rect", { ...attrs, fill: "url(#birnn-hatch)", "fill-opacity": 1 }));
}

// A block (its stack back to front, a concatenation in its two colours) and its labels.
function drawBlock(b, cfg) {
  const g = svgNode("g", { class: "birnn-block", "data-key": b.key, "data-role": b.role,
    "data-shape": b.shape.join(","), "data-width": b.width, "data-height": b.height });
  for (let k = Math.min(b.depth, cfg.stack_shown) - 1; k >= 0; k--) {
    const x = b.x + k * cfg.stack_offset_px, y = b.y + k * cfg.stack_offset_px;
    if (b.split) {
      const cut = b.split * (b.width / b.shape[b.shape.length - 1]);
      slab(g, [x, y, cut, b.height], "forward", cfg);
      slab(g, [x + cut, y, b.width - cut, b.height], "backward", cfg);
    } else {
      slab(g, [x, y, b.width, b.height], b.role, cfg);
    }
  }
  const top = b.y + b.height + b.extra;
  // Only the two directions get coloured text; green and orange text would be hard to read.
  const fill = (b.role === "forward" || b.role === "backward") ? colour(cfg, b.role) : "#222222";
  g.append(svgNode("text", { x: b.x, y: top + 14, fill, class: "birnn-name" }, b.name));
  g.append(svgNode("text", { x: b.x, y: top + 31, fill, class: "birnn-label" }, b.label));
  return g;
}

function draw(svg, blocks, cfg) {
  svg.replaceChildren(hatchPattern(cfg));
  for (const row of [...new Set(blocks.map((b) => b.row))]) {
    const y = Math.min(...blocks.filter((b) => b.row === row).map((b) => b.y));
    svg.append(svgNode("text", { x: 0, y: y - 8, class: "birnn-caption" }, cfg.row_titles[row]));
  }
  let right = 0, bottom = 0;
  for (const b of blocks) {
    svg.append(drawBlock(b, cfg));
    right = Math.max(right, b.x + panelWidth(b, b.extra, cfg));
    bottom = Math.max(bottom, b.y + b.height + b.extra + 37);
  }
  svg.setAttribute("viewBox", `-4 -22 ${right + 8} ${bottom + 26}`);
  svg.setAttribute("width", right + 8);
}

// ---- The controls ----------------------------------------------------------------------

function htmlNode(tag, props = {}, attrs = {}) {
  const node = Object.assign(document.createElement(tag), props);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// One size's row: its name, - and + (one step, for when a slider step is too small to hit
// with a pointer), a slider and a number box.
function controlRow(name, cfg, t) {
  const [low, high] = cfg.limits[name];
  const range = { min: low, max: high, step: 1 };
  const row = htmlNode("div", { className: "birnn-control", title: cfg.descriptions[name] });
  const slider = htmlNode("input", { type: "range", ...range },
    { "aria-label": `${name}, ${cfg.descriptions[name]}`, "data-size": name });
  const number = htmlNode("input", { type: "number", ...range },
    { "aria-label": t("{name} value", { name }), "data-size": name });
  const [minus, plus] = [["−", t("decrease {name}", { name }), -1],
    ["+", t("increase {name}", { name }), 1]].map(([text, label, delta]) =>
    htmlNode("button", { type: "button", className: "birnn-step", textContent: text },
      { "aria-label": label, "data-size": name, "data-step": delta }));
  row.append(htmlNode("span", { textContent: name }), minus, slider, plus, number);
  return { row, slider, number, minus, plus };
}

function buildControls(cfg, t) {
  const controls = htmlNode("div", { className: "birnn-controls" });
  const inputs = {};
  for (const name of NAMES) {
    const { row, ...parts } = controlRow(name, cfg, t);
    controls.append(row);
    inputs[name] = parts;
  }
  return { controls, inputs };
}

// JupyterLab and Notebook 7 bind plain keys (arrows, letters, Enter, Space) to notebook
// commands in command mode, which swallowed a focused slider's arrow keys. Their command
// registry (Lumino) skips elements marked data-lm-suppress-shortcuts; it reads keys on
// the way down to the slider in Notebook 7 and on the way up in JupyterLab, so only the
// mark works in both. Text boxes need none: those shortcuts skip editable elements, and
// Shift+Enter in a box still runs the cell. Other hosts' handlers that listen as keys
// bubble up (and any document-level handler) do not see keys the controls use; Tab,
// Escape and modified keys go on.
function guardKeys(controls, inputs) {
  for (const { slider, minus, plus } of Object.values(inputs)) {
    for (const node of [slider, minus, plus]) node.setAttribute("data-lm-suppress-shortcuts", "true");
  }
  controls.addEventListener("keydown", (event) => {
    if (event.key === "Tab" || event.key === "Escape" || event.ctrlKey || event.metaKey ||
        event.altKey || (event.key === "Enter" && event.shiftKey)) return;
    event.stopPropagation();
  });
}

// The kernel's check (book.explorer.compare_shapes) when it belongs to the sizes drawn;
// else a note that the shapes are predicted only.
function checkPanel(panel, result, drawn, t) {
  const same = drawn && result.sizes && NAMES.every((k) => result.sizes[k] === drawn[k]);
  const line = (text, className = "") => htmlNode("p", { textContent: text, className });
  if (same) {
    panel.className = "birnn-check " + (result.ok ? "birnn-ok" : "birnn-bad");
    panel.replaceChildren(...(result.lines || []).map((l) => line((result.ok ? "✓ " : "✗ ") + l)),
      ...(result.notes || []).map((note) => line("• " + note, "birnn-note")));
  } else {
    panel.className = "birnn-check birnn-pending";
    panel.replaceChildren(line(drawn && drawn.h_f !== drawn.h_b
      ? t("Predicted shapes. Run the notebook to build this model and confirm them; "
        + "nn.RNN(bidirectional=True) would need h_f = h_b.")
      : t("Predicted shapes. Run the notebook to build this model and confirm them.")));
  }
}

// ---- The view: its parts and state, and what each event does -----------------------------

function buildView(model, root) {
  const cfg = model.get("config");
  const t = translator(model.get("words") || {});
  const { controls, inputs } = buildControls(cfg, t);
  guardKeys(controls, inputs);
  const message = htmlNode("p", { className: "birnn-message" }, { role: "alert" });
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "birnn-picture");
  svg.setAttribute("role", "img");
  const check = htmlNode("div", { className: "birnn-check" });
  root.append(controls, message, svg, check);
  // drawn: the sizes of the picture on screen (always valid); pending: a typed value's timer.
  return { model, root, cfg, t, inputs, message, svg, check, drawn: null, pending: null, width: 0 };
}

// Draw v.drawn at the width the view has (a phone's column), rather than shrink it: labels
// keep their 12 px size. Python's layout is the same with max_row_px = 720.
function redraw(v) {
  const room = Math.floor(v.root.getBoundingClientRect().width);
  const maxRow = room ? Math.min(v.cfg.max_row_px, room - 12) : v.cfg.max_row_px;
  draw(v.svg, layout(v.drawn, { ...v.cfg, max_row_px: maxRow }), v.cfg);
  v.svg.setAttribute("aria-label", v.t("Blocks to scale for {sizes}",
    { sizes: NAMES.map((k) => `${k}=${v.drawn[k]}`).join(", ") }));
}

function showError(v, error) {
  v.message.textContent = error || "";
  v.root.classList.toggle("birnn-invalid", Boolean(error));
}

function showCheck(v) {
  checkPanel(v.check, v.model.get("check") || {}, v.drawn, v.t);
}

// Show these sizes (numbers or box texts): their picture, or why they cannot be drawn.
function refresh(v, raw) {
  const [sizes, error] = validate(raw, v.cfg, v.t);
  showError(v, error);
  for (const name of NAMES) v.inputs[name].number.setAttribute("aria-invalid", "false");
  if (sizes) {
    v.drawn = sizes;
    redraw(v);
  }
  showCheck(v);
}

const typed = (v) => Object.fromEntries(NAMES.map((k) => [k, v.inputs[k].number.value]));

function fromModel(v) {
  for (const name of NAMES) {
    const value = v.model.get(name);
    v.inputs[name].number.value = value;
    const [low, high] = v.cfg.limits[name];
    if (typeof value === "number" && value >= low && value <= high) v.inputs[name].slider.value = value;
  }
  refresh(v, Object.fromEntries(NAMES.map((k) => [k, v.model.get(k)])));
}

function send(v, name, value) {
  v.model.set(name, value);
  try {
    v.model.save_changes();
  } catch (err) {
    // In the rendered book there is no kernel to tell; the picture is drawn here anyway.
    if (!String(err).includes("no comm channel")) throw err;
  }
}

// A typed value is drawn only once it is committed: on Enter, on leaving the box, or
// when it is valid and the reader has stopped typing for PAUSE_MS. So typing 10000 never
// draws 1 or 10 on the way, and 2.5 or 1e2 never leave 2 or 1 drawn. Until then the box
// only says whether, and why, the value is invalid.
function commit(v, name) {
  clearTimeout(v.pending);
  const raw = typed(v);
  refresh(v, raw);
  const [sizes] = validate(raw, v.cfg, v.t);
  if (sizes) {
    v.inputs[name].slider.value = sizes[name];
    send(v, name, sizes[name]);
  }
}

function bindInputs(v) {
  for (const name of NAMES) {
    const { slider, number, minus, plus } = v.inputs[name];
    slider.addEventListener("input", () => {
      clearTimeout(v.pending);
      number.value = slider.value;
      refresh(v, typed(v));
      send(v, name, Number(slider.value));
    });
    for (const button of [minus, plus]) {
      button.addEventListener("click", () => {
        const [low, high] = v.cfg.limits[name];
        const base = v.drawn ? v.drawn[name] : Number(slider.value);
        slider.value = Math.min(high, Math.max(low, base + Number(button.dataset.step)));
        slider.dispatchEvent(new Event("input"));
      });
    }
    number.addEventListener("input", () => {
      clearTimeout(v.pending);
      const [sizes, error] = validate(typed(v), v.cfg, v.t);
      if (sizes) v.pending = setTimeout(() => commit(v, name), PAUSE_MS);
      showError(v, error);
      number.setAttribute("aria-invalid", error ? "true" : "false");
    });
    number.addEventListener("change", () => commit(v, name));  // Enter, or leaving the box
    number.addEventListener("keydown", (event) => { if (event.key === "Enter") commit(v, name); });
  }
}

// Re-flow the drawing when the view's width changes; returns what stops watching.
function watchWidth(v) {
  if (typeof ResizeObserver === "undefined") return () => {};
  const observer = new ResizeObserver(() => {
    const now = Math.floor(v.root.getBoundingClientRect().width);
    if (!now || now === v.width || !v.drawn) return;
    v.width = now;
    redraw(v);
  });
  observer.observe(v.root);
  return () => observer.disconnect();
}

function render({ model, el: root }) {
  root.lang = model.get("lang") === "zh" ? "zh-CN" : "en";
  root.classList.add("birnn-explorer");
  const v = buildView(model, root);
  bindInputs(v);
  const unwatch = watchWidth(v);
  const onSize = () => fromModel(v);
  const onCheck = () => showCheck(v);
  for (const name of NAMES) model.on(`change:${name}`, onSize);
  model.on("change:check", onCheck);
  fromModel(v);
  return () => {
    for (const name of NAMES) model.off(`change:${name}`, onSize);
    model.off("change:check", onCheck);
    clearTimeout(v.pending);
    unwatch();
  };
}

export { translator, validate, shapesOf, layout };
export default { render };
