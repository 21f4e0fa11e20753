// The sizes as a test: reads the built pkg/scalekit_mcp_bg.wasm, bundles a one-call Cloudflare
// Worker with the package exactly as `npm run bench` does (esbuild, the `workerd` condition of
// the package's exports, the `.wasm` beside it), and fails when a size is over its ceiling
// (bench/lib/budgets.mjs: SIZE_CEILINGS, with the budgets they miss named beside them). Bytes do not
// depend on the machine's load, so unlike the bench's timings this can fail a build.
//
//   node tests/size/check.mjs        (after `npm run build`; ends with `N passed, N failed`)

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIZE_BUDGETS, SIZE_CEILINGS } from '../../bench/lib/budgets.mjs';
import { WASM_NAME, bundleWorker, compressed, workerBundleSize } from '../../bench/lib/sizes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wasmPath = join(root, 'pkg', WASM_NAME);
const fmt = (n) => `${n.toLocaleString('en-US')} bytes (${(n / 1000).toFixed(1)} KB)`;

let passed = 0;
let failed = 0;
const check = (ok, line) => {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
};

if (!existsSync(wasmPath) || !existsSync(join(root, 'pkg', 'workerd.js'))) {
  check(false, `pkg/ is not built (no ${WASM_NAME} or workerd.js): run npm run build first`);
} else {
  const wasm = compressed(readFileSync(wasmPath));
  // The Worker resolves `scalekit-mcp` as a consumer would: node_modules/scalekit-mcp -> this repository.
  const dir = mkdtempSync(join(tmpdir(), 'scalekit-mcp-size-'));
  let worker = null;
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'scalekit-mcp'), 'dir');
    worker = workerBundleSize(await bundleWorker({ resolveDir: dir, outDir: join(dir, 'out'), wasmPath }));
  } catch (err) {
    check(false, `the Worker bundle could not be built: ${String(err.message ?? err).split('\n')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const measured = { wasmRaw: wasm.raw, wasmGzip: wasm.gzip, workerGzip: worker?.total.gzip };
  for (const [name, key, limit] of SIZE_CEILINGS) {
    const value = measured[key];
    if (value === undefined) continue;
    const over = value - limit;
    const budget = SIZE_BUDGETS.find(([n]) => n === name)?.[2];
    const missed = budget !== undefined && value > budget ? `; the budget of ${fmt(budget)} is missed by ${fmt(value - budget)}` : '';
    check(value <= limit, `${name}: ${fmt(value)}, ceiling ${fmt(limit)}${over > 0 ? `: ${fmt(over)} over` : `: ${fmt(-over)} to spare`}${missed}`);
  }
  if (worker) console.log(`     (Worker bundle: JS ${fmt(worker.js.gzip)} + .wasm ${fmt(worker.wasm.gzip)} gzip -9)`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
