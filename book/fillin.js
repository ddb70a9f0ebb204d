// The fill-in-the-blank demo's view (anywidget; book/fillin.py). It runs the two trained
// models itself: an embedding, one GRU layer (one direction or both) and a linear read-out,
// exactly the layers of book.text.TokenRNN. So it answers in the rendered book with no
// kernel, and in Jupyter with the models the learner just trained. A range control (the
// look-ahead) limits how far past each blank the bidirectional model reads: with look-ahead
// k, blank t is guessed from the sentence cut after position t + k, as
// book.fillin.blank_probs(..., lookahead=k) does.
//
// Python owns the words, the vocabulary (the mask id is the index of its <mask> token) and
// the colours (the palette). The rules repeated here are named exports that
// tests/test_js_parity.py runs under Node against book.fillin and PyTorch: parse (parse),
// and the models through debugApi (logits, blankProbs, influence; both engines).

// The view's words: each t("...") call's English text is its message id, and the widget
// sends the words in its language ({id: word}, book.i18n.view_words, from the catalog);
// an id without a word stays English. {name} fields are filled from `fields`.
function translator(words) {
  return (id, fields = {}) => (words[id] || id).replace(/\{(\w+)\}/g,
    (all, name) => (name in fields ? String(fields[name]) : all));
}
const english = translator({});

const DEBOUNCE_MS = 120;
const TOP_K = 3;
// The look-ahead control's steps: characters read past each blank; -1 is the whole sentence.
const LOOKAHEADS = [0, 1, 2, 4, 8, 16, -1];
const ROLES = ["uni", "bi"];          // the one-direction and the bidirectional model

// ---- The models ---------------------------------------------------------------------

// (A plain loop: Uint8Array.from(text, mapper) took 20-45 ms a model, most of the view's
// first render.)
function decodeWeights(b64) {
  const text = atob(b64), bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(bytes.length / 4);       // exact: float32 values in doubles
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

// One model, as arrays: per direction the input products of every token, hoisted out of
// the time loop (W_ih e_v + b_ih for each of the q tokens), W_hh and b_hh; the read-out.
function buildModel(spec, q) {
  const flat = decodeWeights(spec.data);
  const tensors = {};
  let offset = 0;
  for (const [name, shape] of spec.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors[name] = flat.subarray(offset, offset + size);
    offset += size;
  }
  if (offset !== flat.length) throw new Error(`${flat.length} weights packed, ${offset} described`);
  const h = spec.hidden_size, e = spec.embed_size;
  const emb = tensors["embedding.weight"];
  const dirs = [];
  for (const suffix of spec.bidirectional ? ["_l0", "_l0_reverse"] : ["_l0"]) {
    const Wih = tensors[`rnn.weight_ih${suffix}`], bih = tensors[`rnn.bias_ih${suffix}`];
    const gi = new Float64Array(q * 3 * h);   // computed in double, like every state
    for (let v = 0; v < q; v++) {
      for (let j = 0; j < 3 * h; j++) {
        let acc = bih[j];
        for (let k = 0; k < e; k++) acc += Wih[j * e + k] * emb[v * e + k];
        gi[v * 3 * h + j] = acc;
      }
    }
    dirs.push({ gi, Whh: tensors[`rnn.weight_hh${suffix}`], bhh: tensors[`rnn.bias_hh${suffix}`] });
  }
  return { h, q, dirs, W: tensors["head.weight"], b: tensors["head.bias"],
           k: h * dirs.length };
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

// a[i..i+len) · b[j..j+len), four running sums (JavaScript engines do not vectorise; this
// keeps four multiply-adds in flight, the demo's hot loop).
function dot(a, i, b, j, len) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[i + k] * b[j + k];
    s1 += a[i + k + 1] * b[j + k + 1];
    s2 += a[i + k + 2] * b[j + k + 2];
    s3 += a[i + k + 3] * b[j + k + 3];
  }
  for (; k < len; k++) s0 += a[i + k] * b[j + k];
  return (s0 + s1) + (s2 + s3);
}

// PyTorch's GRU update (gates r, z, n) of one state, in place: H[off..off + h) from the
// token's input products gi[base..] and the state's recurrent products G[g..].
function gruUpdate(gi, base, G, g, H, off, h) {
  for (let j = 0; j < h; j++) {
    const r = sigmoid(gi[base + j] + G[g + j]);
    const z = sigmoid(gi[base + h + j] + G[g + h + j]);
    const n = Math.tanh(gi[base + 2 * h + j] + r * G[g + 2 * h + j]);
    H[off + j] = (1 - z) * n + z * H[off + j];
  }
}

// Up to `rows` states of direction d advanced together, one GRU step at a time: the
// WebAssembly kernel's (float32, like PyTorch) or plain JavaScript's (float64). load(i, x)
// sets state i, tok[i] is the token it reads next, step(active) advances states
// 0..active-1, state(i) views state i.
function batchOf(m, d, rows) {
  if (m.wasm) return m.wasm.batch(d, rows);
  const h = m.h, dir = m.dirs[d];
  const H = new Float64Array(rows * h), G = new Float64Array(rows * 3 * h);
  const tok = new Int32Array(rows);
  return {
    tok,
    load: (i, x) => H.set(x, i * h),
    state: (i) => H.subarray(i * h, (i + 1) * h),
    step(active) {
      recurrentProducts(dir.Whh, dir.bhh, H, G, h, active);
      for (let i = 0; i < active; i++) gruUpdate(dir.gi, tok[i] * 3 * h, G, i * 3 * h, H, i * h, h);
    },
  };
}

// One GRU step of direction d from state prev: a new state.
function gruStep(m, d, token, prev) {
  const one = batchOf(m, d, 1);
  one.load(0, prev);
  one.tok[0] = token;
  one.step(1);
  return one.state(0).slice();
}

// Every state of direction d (0 reads left to right, 1 right to left), by position.
function statesOf(m, d, ids) {
  const T = ids.length, states = new Array(T);
  let prev = new Float64Array(m.h);
  for (let i = 0; i < T; i++) {
    const t = d === 0 ? i : T - 1 - i;
    prev = states[t] = gruStep(m, d, ids[t], prev);
  }
  return states;
}

function allStates(m, ids) {
  return { fwd: statesOf(m, 0, ids), bwd: m.dirs.length > 1 ? statesOf(m, 1, ids) : null,
           zero: new Float64Array(m.h) };
}

// The backward states of the sentence cut to ids[0..end), from end - 1 down to t: a sparse
// array (a state before t never decides position t).
function backwardCut(m, ids, t, end) {
  const states = new Array(end);
  let prev = new Float64Array(m.h);
  for (let p = end - 1; p >= t; p--) prev = states[p] = gruStep(m, 1, ids[p], prev);
  return states;
}

// What position t is read from with look-ahead k (k < 0: all): the sentence cut after
// t + k and its states. The forward states are the full sentence's (they never read ahead);
// only a bidirectional model's backward states are computed again, on the cut sequence.
function cutAt(m, ids, states, t, k) {
  const end = k < 0 ? ids.length : Math.min(ids.length, t + k + 1);
  if (!states.bwd || end === ids.length) return { ids, states };
  return { ids: ids.slice(0, end),
           states: { fwd: states.fwd, bwd: backwardCut(m, ids, t, end), zero: states.zero } };
}

function logitsAt(m, f, b) {
  const out = new Float64Array(m.q), h = m.h;
  for (let v = 0; v < m.q; v++) {
    let acc = m.b[v];
    const row = v * m.k;
    for (let k = 0; k < h; k++) acc += m.W[row + k] * f[k];
    if (b) for (let k = 0; k < h; k++) acc += m.W[row + h + k] * b[k];
    out[v] = acc;
  }
  return out;
}

function softmax(logits) {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const out = logits.map((x) => Math.exp(x - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((x) => x / sum);
}

// The states at position t of the sequences in which one character, at each of the
// positions `sources` (in reading order), is replaced by <mask>. A state never depends on
// inputs its direction has not read yet, so sequence s starts from the saved state just
// before s and stops at t; all of them advance together, one GRU step at a time.
function hiddenRuns(m, d, ids, t, sources, saved, zero, maskId) {
  const B = sources.length, step = d === 0 ? 1 : -1;
  const runs = batchOf(m, d, B);
  let active = 0;
  for (let p = sources[0]; ; p += step) {
    while (active < B && sources[active] === p) {
      const before = p - step;
      runs.load(active, before >= 0 && before < ids.length ? saved[before] : zero);
      active++;
    }
    for (let i = 0; i < active; i++) runs.tok[i] = sources[i] === p ? maskId : ids[p];
    runs.step(active);
    if (p === t) break;
  }
  return runs.state;
}

// How far hiding each other character moves the distribution at position t: the
// total-variation distance between the two distributions (0 to 1).
function influence(m, ids, t, maskId, states) {
  const T = ids.length, { fwd, bwd, zero } = states;
  const base = softmax(logitsAt(m, fwd[t], bwd && bwd[t]));
  const scores = new Float64Array(T);
  const before = [], after = [];
  for (let s = 0; s < T; s++) if (ids[s] !== maskId) (s < t ? before : after).push(s);
  after.reverse();                                 // the backward direction reads them last first
  const fRuns = before.length ? hiddenRuns(m, 0, ids, t, before, fwd, zero, maskId) : null;
  const bRuns = bwd && after.length ? hiddenRuns(m, 1, ids, t, after, bwd, zero, maskId) : null;
  const score = (s, f, b) => {
    const p = softmax(logitsAt(m, f, b));
    let tv = 0;
    for (let v = 0; v < m.q; v++) tv += Math.abs(p[v] - base[v]);
    scores[s] = tv / 2;
  };
  // An input the direction reads only after t leaves its state at t as it was.
  before.forEach((s, i) => score(s, fRuns(i), bwd && bwd[t]));
  after.forEach((s, i) => score(s, fwd[t], bRuns ? bRuns(i) : null));
  return scores;
}

// The logits at position t with look-ahead k.
function logitsCut(m, ids, states, t, k) {
  const { states: st } = cutAt(m, ids, states, t, k);
  return logitsAt(m, st.fwd[t], st.bwd && st.bwd[t]);
}

// influence() with look-ahead k: on the cut sentence, so the characters past t + k score
// exactly 0; one score per character of the whole sentence.
function influenceCut(m, ids, t, maskId, states, k) {
  const cut = cutAt(m, ids, states, t, k);
  const scores = influence(m, cut.ids, t, maskId, cut.states);
  if (cut.ids.length === ids.length) return scores;
  const full = new Float64Array(ids.length);
  full.set(scores);
  return full;
}

// G[i, j] = b[j] + sum_k W[j, k] H[i, k] for the first `active` rows of H: the plain
// JavaScript twin of the WebAssembly kernel (fillin_kernel.wat), six rows per pass over a
// weight row.
function recurrentProducts(Whh, bhh, H, G, h, active) {
  for (let j = 0; j < 3 * h; j++) {
    const row = j * h, bj = bhh[j];
    let i = 0;
    for (; i + 5 < active; i += 6) {
      const o0 = i * h, o1 = o0 + h, o2 = o1 + h, o3 = o2 + h, o4 = o3 + h, o5 = o4 + h;
      let a0 = bj, a1 = bj, a2 = bj, a3 = bj, a4 = bj, a5 = bj;
      for (let k = 0; k < h; k++) {
        const w = Whh[row + k];
        a0 += w * H[o0 + k]; a1 += w * H[o1 + k]; a2 += w * H[o2 + k];
        a3 += w * H[o3 + k]; a4 += w * H[o4 + k]; a5 += w * H[o5 + k];
      }
      const g = i * 3 * h + j, n = 3 * h;
      G[g] = a0; G[g + n] = a1; G[g + 2 * n] = a2; G[g + 3 * n] = a3; G[g + 4 * n] = a4;
      G[g + 5 * n] = a5;
    }
    for (; i < active; i++) G[i * 3 * h + j] = bj + dot(Whh, row, H, i * h, h);
  }
}

// ---- The WebAssembly kernel -----------------------------------------------------------

// WASM begin (tools/wasm.mjs)
const KERNEL_WASM =
  "AGFzbQEAAAABKQVgBH9/f38Ee3t7e2ADf39/AXtgA399ewBgCH9/f39/f39/AGABewF7AwkIAAECAwQEBAMFAwEAAQcRAgZt" +
  "ZW1vcnkCAARzdGVwAAcKswgImgEDAX8FewN/IAEgAmohCiAKIAJqIQsgCyACaiEMAkADQCAEIANPDQEgACAEav0ABAAhBSAG" +
  "IAUgASAEav0ABAD95gH95AEhBiAHIAUgCiAEav0ABAD95gH95AEhByAIIAUgCyAEav0ABAD95gH95AEhCCAJIAUgDCAEav0A" +
  "BAD95gH95AEhCSAEQRBqIQQMAAsLIAYgByAIIAkLOgIBfwF7AkADQCADIAJPDQEgBCAAIANq/QAEACABIANq/QAEAP3mAf3k" +
  "ASEEIANBEGohAwwACwsgBAshACAAIAEgAv0fACAC/R8BkiAC/R8CIAL9HwOSkpI4AgAL7gEEA38BfQN/BHsgBUECdCEMIAdB" +
  "AnQhDQJAA0AgCCAETw0BIAAgCCAMbGohCiABIAhBAnRqKgIAIQtBACEJIAMgCEECdGohDgJAA0AgCUEEaiAGSw0BIAogAiAJ" +
  "IAxsaiAMIAwQACESIREhECEPIA4gCyAPEAIgDiANaiALIBAQAiAOIA1BAmxqIAsgERACIA4gDUEDbGogCyASEAIgDiANQQJ0" +
  "aiEOIAlBBGohCQwACwsCQANAIAkgBk8NASAOIAsgCiACIAkgDGxqIAwQARACIA4gDWohDiAJQQFqIQkMAAsLIAhBAWohCAwA" +
  "CwsL6gEBA3sgAEMAAK7C/RP96QFDAACwQv0T/egBIQAgAEM7qrg//RP95gH9aiEBIAAgAUMAgDE//RP95gH95QEgAUODgF65" +
  "/RP95gH95QEhAkNnaVA5/RMhAyADIAL95gFDzkO3Ov0T/eQBIQMgAyAC/eYBQwiJCDz9E/3kASEDIAMgAv3mAUPBqSo9/RP9" +
  "5AEhAyADIAL95gFDqqoqPv0T/eQBIQMgAyAC/eYBQwAAAD/9E/3kASEDIAMgAiAC/eYB/eYBIAL95AFDAACAP/0T/eQBIQMg" +
  "AyAB/fgBQf8A/RH9rgFBF/2rAf3mAQsdAEMAAIA//RNDAACAP/0TIAD94QEQBP3kAf3nAQspAEMAAIA//RNDAAAAQP0TQwAA" +
  "gD/9EyAAIAD95AEQBP3kAf3nAf3lAQuTAgIGfwR7IAZBAnQhCiAAIAEgAyAEIAZBA2wgBiAHIAZBA2wQAwJAA0AgCCAHTw0B" +
  "IAIgBSAIQQJ0aigCACAKQQNsbGohCyAEIAggCkEDbGxqIQwgAyAIIApsaiENQQAhCQJAA0AgCSAKTw0BIAsgCWr9AAQAIAwg" +
  "CWr9AAQA/eQBEAUhDiALIApqIAlq/QAEACAMIApqIAlq/QAEAP3kARAFIQ8gCyAKQQF0aiAJav0ABAAgDiAMIApBAXRqIAlq" +
  "/QAEAP3mAf3kARAGIRAgDSAJav0ABAAhESANIAlqQwAAgD/9EyAP/eUBIBD95gEgDyAR/eYB/eQB/QsEACAJQRBqIQkMAAsL" +
  "IAhBAWohCAwACwsL";
// WASM end

let compiled;                                       // one compile per page, on first use

// Each model gets its own instance, holding per direction in float32, every row padded
// with zeros to hp units (a multiple of 4, the kernel's lanes): W_hh, b_hh, the input
// products of every token, and scratch room for up to maxRows states, their products and
// their tokens. Returns null (the JavaScript path) where WebAssembly SIMD is missing or
// when a page sets BIRNN_FILLIN_NO_WASM.
function wasmEngine(m, maxRows) {
  if (globalThis.BIRNN_FILLIN_NO_WASM) return null;
  try {
    if (compiled === undefined) {
      compiled = new WebAssembly.Module(Uint8Array.from(atob(KERNEL_WASM), (c) => c.charCodeAt(0)));
    }
  } catch (err) {
    compiled = null;
  }
  if (!compiled) return null;
  const h = m.h, hp = 4 * Math.ceil(h / 4), q = m.q, f32 = 4;
  let top = 0;
  const take = (count) => { const at = top; top += count * f32; return at; };
  const layout = m.dirs.map(() => ({ w: take(3 * hp * hp), b: take(3 * hp), gi: take(q * 3 * hp),
                                    H: take(maxRows * hp), G: take(maxRows * 3 * hp),
                                    tok: take(maxRows) }));
  const instance = new WebAssembly.Instance(compiled, {});
  const { memory, step } = instance.exports;
  const pages = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  const views = m.dirs.map((dir, d) => {
    const at = layout[d];
    const W = new Float32Array(memory.buffer, at.w, 3 * hp * hp);
    const b = new Float32Array(memory.buffer, at.b, 3 * hp);
    const gi = new Float32Array(memory.buffer, at.gi, q * 3 * hp);
    for (let j = 0; j < 3 * h; j++) {
      const row = Math.floor(j / h) * hp + (j % h);     // gate block, then unit
      b[row] = dir.bhh[j];
      W.set(dir.Whh.subarray(j * h, (j + 1) * h), row * hp);
      for (let v = 0; v < q; v++) gi[v * 3 * hp + row] = dir.gi[v * 3 * h + j];
    }
    return { H: new Float32Array(memory.buffer, at.H, maxRows * hp),
             tok: new Int32Array(memory.buffer, at.tok, maxRows) };
  });
  return {
    name: "wasm",
    batch(d, rows) {
      if (rows > maxRows) throw new Error(`${rows} sequences, room for ${maxRows}`);
      const at = layout[d], { H, tok } = views[d];
      return {
        tok,
        load: (i, x) => H.set(x, i * hp),               // the padding stays zero
        state: (i) => H.subarray(i * hp, i * hp + h),
        step: (active) => step(at.w, at.b, at.gi, at.H, at.G, at.tok, hp, active),
      };
    },
  };
}

// Both models of the packed data, each on the WebAssembly kernel where it runs.
function loadModel(data, role) {
  const m = buildModel(data.models[role], data.tokens.length);
  m.wasm = wasmEngine(m, data.max_chars);
  return m;
}

function loadModels(data) {
  return Object.fromEntries(ROLES.map((role) => [role, loadModel(data, role)]));
}

// The same, one model a task, so that drawing the view never holds the page for long (a
// phone at a quarter of a laptop's speed: each step stays under 50 ms, a long task's mark).
async function loadModelsInTurn(data) {
  const models = {};
  for (const role of ROLES) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    models[role] = loadModel(data, role);
  }
  return models;
}

// ---- Input ----------------------------------------------------------------------------

// The id a blank reads as: the vocabulary's <mask> token (book.text.Vocab.mask_id).
function maskIdOf(data) {
  const id = data.tokens.indexOf("<mask>");
  if (id < 0) throw new Error("the vocabulary has no <mask> token");
  return id;
}

// What Python's str.strip() removes (str.isspace()), so that both call the same text empty.
const ONLY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

// Returns [ids, null] or [null, message]; the same checks and message ids as
// book.fillin.parse().
function parse(raw, data, t = english) {
  const text = raw.toLowerCase();
  // Code points, as Python counts and sorts them (an emoji is one character, not two).
  const chars = [...text];
  const known = new Map(data.tokens.map((tok, i) => [tok, i]));
  if (ONLY_SPACE.test(text)) return [null, t("Type a sentence, with _ for each character to guess.")];
  if (chars.length > data.max_chars) {
    return [null, t("The sentence has {n} characters; the demo reads at most {max}.",
      { n: chars.length, max: data.max_chars })];
  }
  const unknown = [...new Set(chars)].filter((c) => c !== data.blank && !known.has(c))
    .sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
  if (unknown.length) {
    return [null, t("The models know only a-z and the space (the book was read in "
      + "lower case, without digits or punctuation); remove {shown}.",
    { shown: unknown.map((c) => `'${c}'`).join(" ") })];
  }
  if (!text.includes(data.blank)) return [null, t("No blank yet: type _ where a character is hidden.")];
  const maskId = maskIdOf(data);
  return [chars.map((c) => (c === data.blank ? maskId : known.get(c))), null];
}

const blanksOf = (ids, maskId) => ids.flatMap((v, s) => (v === maskId ? [s] : []));

// For tests and the curious: the raw numbers behind the view, from the text as typed. The
// look-ahead k is optional (omitted, null or -1: the whole sentence); logits() gives every
// position, each read with that look-ahead, blankProbs() the blanks' distributions,
// influence() one blank's highlights.
function debugApi(data, t = english, models = loadModels(data)) {
  const maskId = maskIdOf(data);
  const orAll = (k) => (k === undefined || k === null ? -1 : k);
  const read = (role, text) => {
    const [ids, error] = parse(text, data, t);
    if (error) throw new Error(error);
    return { m: models[role], ids, states: allStates(models[role], ids) };
  };
  return {
    logits(role, text, k) {
      const { m, ids, states } = read(role, text);
      return ids.map((_, s) => Array.from(logitsCut(m, ids, states, s, orAll(k))));
    },
    blankProbs(role, text, k) {
      const { m, ids, states } = read(role, text);
      return blanksOf(ids, maskId).map((s) => Array.from(softmax(logitsCut(m, ids, states, s, orAll(k)))));
    },
    influence(role, text, blank, k) {
      const { m, ids, states } = read(role, text);
      const target = blanksOf(ids, maskId)[blank];
      return Array.from(influenceCut(m, ids, target, maskId, states, orAll(k)));
    },
    message: (text) => parse(text, data, t)[1],
    engine: models.uni.wasm ? "wasm" : "js",
  };
}

// ---- The view: its parts ----------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

const glyph = (tok) => (tok === " " ? "␣" : tok);
const percent = (p) => `${(100 * p).toFixed(1)}%`;

// The chapter's palette (book.figures.PALETTE) as CSS custom properties: --birnn-forward...
function paint(root, palette) {
  for (const [role, colour] of Object.entries(palette || {})) root.style.setProperty(`--birnn-${role}`, colour);
}

// The look-ahead: a range over LOOKAHEADS (arrow keys, Home and End move it), its value in
// words beside it.
function lookaheadControl(id, t) {
  const range = el("input", { id: `${id}-lookahead`, class: "birnn-fillin-lookahead", type: "range",
                              min: "0", max: String(LOOKAHEADS.length - 1), step: "1" });
  const value = el("output", { for: `${id}-lookahead`, class: "birnn-fillin-lookahead-value",
                               "aria-hidden": "true" });
  const box = el("div", { class: "birnn-fillin-ahead" },
                 el("label", { for: `${id}-lookahead`,
                               text: t("How far the bidirectional model may read past each blank:") }),
                 range, value,
                 el("p", { class: "birnn-fillin-ahead-note",
                           text: t("With a look-ahead of k, each blank is guessed as if the sentence "
                             + "ended k characters after it. Only the bidirectional model's guesses "
                             + "change: the one-direction model never reads past a blank.") }));
  return { box, range, value };
}

let counter = 0;

function buildView(model, root, data, models, t) {
  const maskId = maskIdOf(data), id = `birnn-fillin-${++counter}`;
  const label = el("label", { for: `${id}-text`, text: t("Sentence, with _ for each hidden character") });
  const input = el("input", { id: `${id}-text`, class: "birnn-fillin-input", type: "text",
                              spellcheck: "false", autocomplete: "off", autocapitalize: "off" });
  input.value = model.get("text");
  const examples = el("div", { class: "birnn-fillin-examples" }, el("span", { text: t("Examples:") }));
  for (const sentence of model.get("examples")) {
    examples.append(" ", el("button", { type: "button", class: "birnn-fillin-example", text: sentence }));
  }
  const ahead = lookaheadControl(id, t);
  const message = el("p", { class: "birnn-fillin-message", role: "status", "aria-live": "polite" });
  const results = el("div", { class: "birnn-fillin-results" });
  const who = el("div", { class: "birnn-fillin-who" });
  root.append(label, input, examples, ahead.box, message, results, who);
  return {
    model, root, data, models, t, maskId, input, examples, ahead, message,
    results, who, role: { uni: t("one direction"), bi: t("bidirectional") },
    lookahead: lookaheadOf(model), chosen: 0, timer: null, tasks: scheduler(),
  };
}

// The look-ahead a model holds: an int >= 0, else -1 (the whole sentence).
function lookaheadOf(model) {
  const k = model.get("lookahead");
  return Number.isInteger(k) && k >= 0 ? k : -1;
}

// A value from Python between two steps is used as it is, the thumb standing at the step
// below it.
function showAhead(v) {
  const k = v.lookahead;
  const words = k < 0 ? v.t("all") : k === 1 ? v.t("1 character") : v.t("{k} characters", { k });
  v.ahead.range.value = String(k < 0 ? LOOKAHEADS.length - 1
    : LOOKAHEADS.reduce((best, step, i) => (step >= 0 && step <= k ? i : best), 0));
  v.ahead.range.setAttribute("aria-valuetext", words);
  v.ahead.value.textContent = words;
}

function candidates(probs, tokens) {
  const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]).slice(0, TOP_K);
  return order.map((v) => [tokens[v], probs[v]]);
}

// One blank: a button that picks it for the highlights, and each model's top guesses.
function card(v, i, pos, tops) {
  const box = el("div", { class: "birnn-fillin-blank", "data-blank-index": String(i),
                          "data-position": String(pos), "data-top-uni": tops.uni[0][0],
                          "data-top-bi": tops.bi[0][0] });
  const pick = el("button", { type: "button", class: "birnn-fillin-pick",
                              title: v.t("Show who decides this blank"), "aria-pressed": String(i === v.chosen),
                              text: v.t("Blank {i}, character {pos}", { i: i + 1, pos: pos + 1 }) });
  pick.addEventListener("click", () => { v.chosen = i; update(v, true); });
  box.append(pick);
  for (const role of ROLES) {
    const row = el("div", { class: `birnn-fillin-row birnn-fillin-${role}` },
                   el("span", { class: "birnn-fillin-model", text: v.role[role] }));
    for (const [tok, p] of tops[role]) {
      row.append(el("span", { class: "birnn-fillin-cand", "data-token": tok, title: tok === " " ? v.t("space") : tok },
                    el("code", { text: glyph(tok) }), el("span", { text: percent(p) }),
                    el("span", { class: "birnn-fillin-bar", style: `width: ${percent(p)}` })));
    }
    box.append(row);
  }
  return box;
}

// Who decides blank i (at position target): per model, each character's influence as a bar.
function whoDecides(v, text, i, target, scores) {
  const box = el("div", {}, el("p", { class: "birnn-fillin-caption",
    text: v.t("Who decides blank {i}: how far hiding each character moves each model's guess",
      { i: i + 1 }) }));
  const max = Math.max(1e-12, ...scores.uni, ...scores.bi);
  for (const role of ROLES) {
    const row = el("div", { class: `birnn-fillin-chars birnn-fillin-${role}`, "data-role": role },
                   el("span", { class: "birnn-fillin-model", text: v.role[role] }));
    [...text].forEach((c, s) => {
      const score = scores[role][s];
      row.append(el("span", { class: "birnn-fillin-char" + (s === target ? " birnn-fillin-target" : ""),
                              "data-score": score.toFixed(6), title: percent(score) },
                    el("span", { class: "birnn-fillin-glyph", text: glyph(c) }),
                    el("span", { class: "birnn-fillin-level", style: `height: ${(100 * score / max).toFixed(1)}%` })));
    });
    box.append(row);
  }
  box.append(el("p", { class: "birnn-fillin-note",
    text: v.t("The one-direction model's bars never stand right of the blank: its state there was "
      + "computed before it read those characters, so hiding them cannot change its guess.") }));
  return box;
}

// ---- The view: updates ------------------------------------------------------------------

// Runs an update as tasks: the first at once, each one it returns in a task of its own, so
// that typing is never blocked for long; a newer run abandons an older one's remaining
// tasks. Returns each task's working time (not the waits between tasks), filled as they
// run; done(times) follows the last.
function scheduler() {
  let generation = 0;
  return (first, done) => {
    const mine = ++generation, times = [];
    const timed = (task) => {
      const begin = performance.now();
      const out = task();
      times.push(performance.now() - begin);
      return out;
    };
    const rest = timed(first) || [];
    const next = (i) => {
      if (i === rest.length) done(times);
      else setTimeout(() => { if (mine === generation) { timed(rest[i]); next(i + 1); } }, 0);
    };
    next(0);
    return times;
  };
}

// The update's first task: read the text and show each blank's guesses at once. Returns the
// highlight tasks (one a model), or none when the text cannot be read.
function predict(v, text, k, focusPick) {
  const [ids, error] = parse(text, v.data, v.t);
  v.results.replaceChildren();
  v.who.replaceChildren();
  Object.assign(v.root.dataset, { text, lookahead: String(k), state: error ? "error" : "busy" });
  v.message.textContent = error || "";
  if (error) return [];
  const positions = blanksOf(ids, v.maskId);
  if (v.chosen >= positions.length) v.chosen = 0;
  const states = { uni: allStates(v.models.uni, ids), bi: allStates(v.models.bi, ids) };
  positions.forEach((pos, i) => {
    const tops = {};
    for (const role of ROLES) {
      tops[role] = candidates(softmax(logitsCut(v.models[role], ids, states[role], pos, k)), v.data.tokens);
    }
    v.results.append(card(v, i, pos, tops));
  });
  if (focusPick) v.results.querySelectorAll(".birnn-fillin-pick")[v.chosen].focus();
  const target = positions[v.chosen], scores = {};
  const highlight = (role) => { scores[role] = influenceCut(v.models[role], ids, target, v.maskId, states[role], k); };
  return [() => highlight("uni"), () => {
    highlight("bi");
    v.who.append(whoDecides(v, text.toLowerCase(), v.chosen, target, scores));
  }];
}

// One update: the guesses at once, then each model's highlights as a task of its own. The
// timings are kept on the element for the tests and `make bench`.
function update(v, focusPick = false) {
  clearTimeout(v.timer);
  const text = v.input.value, k = v.lookahead, data = v.root.dataset;
  delete data.updateMs;
  const times = v.tasks(() => predict(v, text, k, focusPick), (all) => {
    data.updateMs = all.reduce((x, y) => x + y, 0).toFixed(2);
    data.longestTaskMs = Math.max(...all).toFixed(2);
    if (data.state === "busy") data.state = "ready";
  });
  data.predictMs = times[0].toFixed(2);
}

function commit(v) {
  if (v.model.get("text") === v.input.value) return;
  v.model.set("text", v.input.value);
  v.model.save_changes();
}

// Typing (debounced), the examples, the look-ahead control, and changes from Python.
// Returns what unbinds the model's listeners.
function bindEvents(v) {
  const { model, input } = v;
  input.addEventListener("input", () => {
    clearTimeout(v.timer);
    v.timer = setTimeout(() => { commit(v); update(v); }, DEBOUNCE_MS);
  });
  for (const button of v.examples.querySelectorAll("button")) {
    button.addEventListener("click", () => { input.value = button.textContent; commit(v); update(v); });
  }
  v.ahead.range.addEventListener("input", () => {
    v.lookahead = LOOKAHEADS[Number(v.ahead.range.value)];
    showAhead(v);
    if (model.get("lookahead") !== v.lookahead) {
      model.set("lookahead", v.lookahead);
      model.save_changes();
    }
    commit(v);                                      // a pending edit of the text, too
    update(v);
  });
  const onText = () => { if (input.value !== model.get("text")) { input.value = model.get("text"); update(v); } };
  const onAhead = () => {
    if (lookaheadOf(model) === v.lookahead) return;
    v.lookahead = lookaheadOf(model);
    showAhead(v);
    update(v);
  };
  model.on("change:text", onText);
  model.on("change:lookahead", onAhead);
  return () => { model.off("change:text", onText); model.off("change:lookahead", onAhead); };
}

async function render({ model, el: host }) {
  const t = translator(model.get("words") || {});
  const root = el("div", { class: "birnn-fillin" });
  if (model.get("lang") === "zh") root.lang = "zh-CN";
  paint(root, model.get("palette"));
  let v;
  try {
    const data = model.get("data");
    const models = await loadModelsInTurn(data);
    await new Promise((resolve) => setTimeout(resolve, 0));
    v = buildView(model, root, data, models, t);
  } catch (err) {
    root.append(el("p", { class: "birnn-fillin-message", role: "alert", text: t("The demo could not run: ") + err }));
    host.append(root);
    return;
  }
  host.append(root);          // whole, once built: whoever waits for the view finds it complete
  showAhead(v);
  const unbind = bindEvents(v);
  root.fillin = debugApi(v.data, t, v.models);
  update(v);
  return () => { clearTimeout(v.timer); unbind(); };
}

export { translator, parse, maskIdOf, buildModel, loadModels, allStates, logitsAt, softmax, influence, debugApi };
export default { render };
