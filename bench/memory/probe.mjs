// What the bench's measuring child processes share: loading the package under test, a full
// garbage collection, and a snapshot of the process's memory, wasm memory included.
//
// The children run as `node --expose-gc --require bench/lib/wasm-memory.cjs <child> <json>` (see
// runChild), take their settings as one JSON argument and print their figures as one JSON line.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = join(BENCH, 'lib', 'wasm-memory.cjs');

/** The package's CommonJS entry (`.../pkg/node.cjs`), loaded as `require` would. */
export function loadPackage(entry) {
  return createRequire(import.meta.url)(entry);
}

/**
 * Full collections until the heap stops shrinking (at most 5), with a pause between them for
 * the FinalizationRegistry callbacks that free the wasm side of dropped objects.
 */
export async function fullGc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 5; i += 1) {
    globalThis.gc();
    await sleep(20);
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.999) break;
    last = used;
  }
}

const wasmBytes = () => globalThis[Symbol.for('scalekit-mcp.bench.wasmMemoryBytes')]?.() ?? null;

/** wasm memory, RSS, JS heap used, external and ArrayBuffer bytes, and the peak RSS so far. */
export function memory() {
  const m = process.memoryUsage();
  return {
    wasmBytes: wasmBytes(),
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** The child's settings: its one JSON argument. */
export const settings = () => JSON.parse(process.argv[2] ?? '{}');

/** Prints the child's result as its one stdout line and exits. */
export function done(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/**
 * Runs `script` (a path under bench/) in a fresh process with the wasm memory probe and
 * `--expose-gc`; resolves its JSON result. Its stderr lines go to `onLog`.
 */
export function runChild(script, input, { onLog = () => {}, timeoutMs = 900_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--require', PROBE, join(BENCH, script), JSON.stringify(input)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err = (err + d).slice(-8000);
      for (const line of d.split('\n')) if (line.trim()) onLog(line);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) return reject(new Error(`${script} exited ${code}\n${err}`));
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`${script} printed no JSON: ${line.slice(0, 500)}\n${err}`));
      }
    });
  });
}
