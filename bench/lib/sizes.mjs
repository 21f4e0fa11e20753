// The bytes a user ships, measured the same way by the bench (bench/run.mjs, from the packed and
// installed package) and by the size check of `npm test` (tests/size/check.mjs, from pkg/):
// the `.wasm`, and a one-call Cloudflare Worker bundled with the package.

import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WASM_NAME = 'scalekit_mcp_bg.wasm';

/** Raw, gzip -9 and brotli -q 11 byte counts of `buf` (node:zlib). */
export function compressed(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

/** The esbuild options of a Worker build: ES module, the `workerd` condition first. */
export const WORKER_BUILD = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  minify: false,
};

/**
 * Bundles bench/workerd/sdk-worker.js (`import { ScalekitMcp } from 'scalekit-mcp'`, one call per
 * request) as a Worker build would, resolving the package from `resolveDir` (through its
 * `exports` and the `workerd` condition), into `outDir`/sdk-worker.js, and copies the `.wasm`
 * it imports next to it. Returns the two paths.
 */
export async function bundleWorker({ resolveDir, outDir, wasmPath }) {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const js = join(outDir, 'sdk-worker.js');
  rmSync(js, { force: true });
  await build({
    ...WORKER_BUILD,
    stdin: { contents: readFileSync(join(BENCH, 'workerd', 'sdk-worker.js'), 'utf8'), resolveDir, sourcefile: 'sdk-worker.js' },
    outfile: js,
    external: ['*.wasm'],
    // Paths in the bundle's comments relative to the consumer folder, the installed package
    // named by its node_modules path: the same bytes whether the package is a copy or a link.
    absWorkingDir: resolveDir,
    preserveSymlinks: true,
  });
  const wasm = join(outDir, WASM_NAME);
  copyFileSync(wasmPath, wasm);
  return { js, wasm };
}

/**
 * The sizes of a Worker bundle: each file raw, gzip -9 and brotli; `total` sums the files (each
 * compressed on its own, as they are separate modules of the upload); `gzipConcatenated` is gzip
 * -9 of the two files as one stream, for comparison with earlier runs.
 */
export function workerBundleSize({ js, wasm }) {
  const a = readFileSync(js);
  const b = readFileSync(wasm);
  const sj = compressed(a);
  const sw = compressed(b);
  return {
    js: sj,
    wasm: sw,
    total: { raw: sj.raw + sw.raw, gzip: sj.gzip + sw.gzip, brotli: sj.brotli + sw.brotli },
    gzipConcatenated: gzipSync(Buffer.concat([a, b]), { level: 9 }).length,
  };
}
