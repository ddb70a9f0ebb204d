// Runs a view's named exports under Node for tests/test_js_parity.py. Reads one JSON request
// from stdin and prints one JSON answer:
//   {"module": path, "globals": {...}, "setup": [name, ...args] or null,
//    "calls": [[name, ...args], ...]}
// `globals` are set first (e.g. BIRNN_FILLIN_NO_WASM); `setup`, when given, is a named export
// called once whose result's methods the calls use instead of the module's exports. An
// argument {"$words": {...}} becomes the module's translator(words), the `t` of its views.
// Each call answers {"value": ...} (typed arrays as lists) or {"error": message}.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(0, "utf8"));
Object.assign(globalThis, request.globals || {});
const module = await import(pathToFileURL(resolve(request.module)).href);

const arg = (a) => (a && typeof a === "object" && "$words" in a ? module.translator(a.$words) : a);
const plain = (x) => {
  if (ArrayBuffer.isView(x)) return Array.from(x);
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
};

let api = module;
if (request.setup) {
  const [name, ...args] = request.setup;
  api = module[name](...args.map(arg));
}
const answers = request.calls.map(([name, ...args]) => {
  try {
    return { value: plain(api[name](...args.map(arg))) };
  } catch (err) {
    return { error: String(err && err.message || err) };
  }
});
process.stdout.write(JSON.stringify({ answers, engine: api.engine ?? null }));
