// Compiles book/fillin_kernel.wat (WebAssembly text) and writes the module, base64, into
// book/fillin.js between its WASM markers, so the demo's view stays one self-contained
// file. `node tools/wasm.mjs` writes it (`make wasm`); `--check` exits 1 when the copy in
// fillin.js differs from a fresh compile (tests/test_fillin.py runs it). The compiler is
// wabt from npm (package-lock.json), run only here, never by readers' browsers.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const watPath = join(root, "book", "fillin_kernel.wat");
const jsPath = join(root, "book", "fillin.js");
const MARKER = /(\/\/ WASM begin \(tools\/wasm\.mjs\)\n)[^]*?(\n\/\/ WASM end)/;

const wabt = await wabtInit();
const module = wabt.parseWat("fillin_kernel.wat", readFileSync(watPath, "utf8"),
                             { simd: true, multi_value: true });
module.validate();
const { buffer } = module.toBinary({});
const b64 = Buffer.from(buffer).toString("base64");
const lines = b64.match(/.{1,96}/g).map((part) => `  "${part}"`).join(" +\n");
const block = `const KERNEL_WASM =\n${lines};`;

const js = readFileSync(jsPath, "utf8");
if (!MARKER.test(js)) throw new Error("fillin.js has no WASM begin/end markers");
const updated = js.replace(MARKER, (_, begin, end) => begin + block + end);
if (process.argv.includes("--check")) {
  if (updated !== js) {
    console.error("book/fillin.js carries a stale WebAssembly kernel: run `make wasm`");
    process.exit(1);
  }
  console.log(`fillin.js kernel current (${buffer.length} bytes)`);
} else {
  writeFileSync(jsPath, updated);
  console.log(`wrote the kernel (${buffer.length} bytes) into book/fillin.js`);
}
