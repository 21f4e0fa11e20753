#!/usr/bin/env node
// The benchmarks of scalekit-mcp: size, cold start, per-call latency, throughput and client CPU,
// token economy, memory over many calls, large answers and hostile answers. Timings are measured
// side by side with a hand-written plain `fetch` client (bench/baseline.mjs) and reported as
// ratios; memory is read in fresh child processes (bench/memory/). Every figure is printed
// against its budget (bench/lib/budgets.mjs). Run with `npm run bench` (which builds pkg/ first)
// or `node bench/run.mjs [options]`:
//
//   --quick            fewer iterations everywhere (a rough picture in about a minute)
//   --only=a,b         some of: size, cold, latency, throughput, floor, tokens, memory, answers, hostile
//   --out=FILE         where the results go (default bench/results.json)
//   --no-write         print only
//   --root=DIR         measure the package built in another checkout (its pkg/), e.g. an
//                      experiment's build; such runs never touch bench/history.jsonl
//
// Prints a Markdown table on stdout (progress goes to stderr) and writes the results file; a
// full run also adds its line to bench/history.jsonl. These are measurements, not tests: a missed
// budget is reported, never an exit code (the size budget is also a test: tests/size/check.mjs).

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, isDeepStrictEqual } from 'node:util';
import { BaselineClient } from './baseline.mjs';
import { spawnAnswersServer } from './lib/answers-server.mjs';
import { LARGE_ANSWERS, MB, PLATEAU_CALLS } from './lib/budgets.mjs';
import { spawnEmulator } from './lib/emulator.mjs';
import { WASM_NAME, WORKER_BUILD, bundleWorker, compressed, workerBundleSize } from './lib/sizes.mjs';
import { extent, median, ratio, roundDeep, sorted, summary } from './lib/stats.mjs';
import { renderTable, evaluateBudgets, historyLine } from './lib/table.mjs';
import { cleanEnv, firstLine, freePort, httpGet, packageCount, run, sleep, treeSize } from './lib/util.mjs';
import { runChild } from './memory/probe.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const TMP = join(BENCH, 'tmp');
const OFFICIAL = '@scalekit-sdk/node';
const SECTIONS = ['size', 'cold', 'latency', 'throughput', 'floor', 'tokens', 'memory', 'answers', 'hostile'];
const HISTORY = join(BENCH, 'history.jsonl');
/** The latency calls are also cut into this many blocks, to show how much a ratio moves in a run. */
const LATENCY_BLOCKS = 8;
/** The client's limit on an answer's body (src/core/wire.rs MAX_BODY_BYTES): 10 MiB. */
const BODY_LIMIT = 10 * 1024 * 1024;

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: join(BENCH, 'results.json') },
    'no-write': { type: 'boolean', default: false },
    root: { type: 'string' },
  },
});
const ROOT = argv.root ? resolve(argv.root) : join(BENCH, '..');
const PKG = join(ROOT, 'pkg');
const only = new Set(argv.only ? argv.only.split(',').map((s) => s.trim()) : SECTIONS);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section "${s}"; use ${SECTIONS.join(', ')}`);

const SEED_MIX = [...Array(8).fill('getConfig'), 'ensureInstance', 'createSessionToken'];
const settings = argv.quick
  ? {
      latencyCalls: 300, latencyWarmup: 50, concurrency: 64, throughputWarmupMs: 1000, throughputRoundMs: 500, throughputRounds: 2,
      coldRuns: 3, tokenCallers: 100, tokenCallsPerCaller: 100,
      plateauCheckpoints: [2000, 10_000], plateauConcurrency: 64, plateauMix: SEED_MIX,
      largeCount: 10, largeBytes: LARGE_ANSWERS.bytes, hostileCount: 10, inflatedBytes: 10 * MB, chunkedBytes: 50 * MB,
    }
  : {
      latencyCalls: 2000, latencyWarmup: 200, concurrency: 64, throughputWarmupMs: 1000, throughputRoundMs: 1000, throughputRounds: 16,
      coldRuns: 9, tokenCallers: 100, tokenCallsPerCaller: 100,
      plateauCheckpoints: [PLATEAU_CALLS.early, 50_000, 100_000, 150_000, PLATEAU_CALLS.late], plateauConcurrency: 64, plateauMix: SEED_MIX,
      largeCount: LARGE_ANSWERS.count, largeBytes: LARGE_ANSWERS.bytes, hostileCount: 100, inflatedBytes: 10 * MB, chunkedBytes: 50 * MB,
    };

const log = (...args) => console.error('[bench]', ...args);
const CONFIG_NAME = `bench-${process.pid}`;
const USER = 'bench-user';
const EXPIRY_SECONDS = 1800;

const results = {
  command: argv.root ? `node bench/run.mjs --root=${argv.root}${argv.quick ? ' --quick' : ''}${argv.only ? ` --only=${argv.only}` : ''}` : `npm run bench${argv.quick ? ' -- --quick' : ''}${argv.only ? ` -- --only=${argv.only}` : ''}`,
  generatedAt: new Date().toISOString(),
  machine: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    loadAverageAtEnd: null,
  },
  package: null,
  settings: { ...settings, quick: argv.quick },
  size: null,
  coldStart: null,
  latency: null,
  throughput: null,
  floor: null,
  tokenEconomy: null,
  memoryPlateau: null,
  largeAnswers: null,
  hostileAnswers: null,
  budgets: [],
  notes: [],
};

// ---- the package under test -----------------------------------------------------------------

function packageInfo() {
  const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = existsSync(join(ROOT, '.git')) ? git('rev-parse', 'HEAD') : null;
  // Uncommitted changes to what the package is built from.
  const dirty = commit ? git('status', '--porcelain', '--', 'src', 'js', 'Cargo.toml', 'Cargo.lock', 'scripts/build.sh', 'scripts/build.mjs') !== '' : null;
  const wasm = existsSync(join(PKG, WASM_NAME)) ? readFileSync(join(PKG, WASM_NAME)) : null;
  return { name: pkgJson.name, version: pkgJson.version, root: argv.root ?? null, commit, dirty, wasmSha256: wasm ? createHash('sha256').update(wasm).digest('hex') : null };
}

async function npm(args, cwd) {
  const r = await run('npm', args, { cwd, env: cleanEnv(), timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-2000)}`);
  return r;
}

/** `npm pack` of the repository into bench/tmp; returns the tarball and npm's figures. */
async function pack() {
  mkdirSync(TMP, { recursive: true });
  const r = await npm(['pack', '--json', '--pack-destination', TMP], ROOT);
  const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
  return { path: join(TMP, info.filename), size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount };
}

/** A fresh consumer folder with `npm install <spec>`; returns its node_modules figures. */
async function consumer(dir, spec) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'bench-consumer', private: true, version: '0.0.0' }, null, 2)}\n`);
  const r = await npm(['install', spec, '--no-audit', '--no-fund', '--loglevel=error'], dir);
  const nm = join(dir, 'node_modules');
  const tree = treeSize(nm);
  const du = await run('du', ['-sk', nm]);
  return {
    bytes: tree.bytes,
    files: tree.files,
    diskBytes: du.code === 0 ? Number(du.stdout.split(/\s/)[0]) * 1024 : null,
    packages: packageCount(nm),
    installMs: r.ms,
  };
}

// ---- size -----------------------------------------------------------------------------------

async function measureSize(ctx) {
  const wasm = readFileSync(join(PKG, WASM_NAME));
  const size = { wasm: compressed(wasm), glue: {}, tarball: null, consumer: null, baselineSource: null, edgeBundle: null };
  for (const f of ['node.cjs', 'node.mjs', 'index.js', 'workerd.js']) {
    if (existsSync(join(PKG, f))) size.glue[f] = compressed(readFileSync(join(PKG, f)));
  }
  size.baselineSource = compressed(readFileSync(join(BENCH, 'baseline.mjs')));
  // Where the .wasm bytes go (the same code with its function names kept; see bench/profile-wasm.mjs).
  // A quick run leaves it out: it rebuilds the module with its names.
  if (argv.quick) {
    size.wasmBreakdown = { skipped: 'quick run' };
  } else try {
    const { namedBuild, profileWasm } = await import('./profile-wasm.mjs');
    const p = profileWasm(namedBuild(join(TMP, 'wasm-profile'), ROOT), 10);
    size.wasmBreakdown = {
      sections: Object.fromEntries(p.sections.map((s) => [s.name, s.bytes])),
      codeByCrate: Object.fromEntries(p.crates.slice(0, 10).map((c) => [c.crate, c.bytes])),
      largestFunctions: p.largest.map((f) => ({ name: f.name.slice(0, 160), bytes: f.bytes })),
    };
  } catch (err) {
    size.wasmBreakdown = { error: String(err.message ?? err).split('\n')[0] };
  }
  if (ctx.tarball) size.tarball = { size: ctx.tarball.size, unpackedSize: ctx.tarball.unpackedSize, entryCount: ctx.tarball.entryCount };
  if (ctx.sdkConsumer || ctx.officialConsumer) {
    size.consumer = {
      scalekitMcp: ctx.sdkConsumer ?? null,
      official: ctx.officialConsumer ?? null,
      officialVersion: ctx.officialVersion ?? null,
      ratio: ratio(ctx.sdkConsumer?.bytes, ctx.officialConsumer?.bytes),
    };
  }
  return size;
}

// ---- cold start -----------------------------------------------------------------------------

async function prepareColdStart(ctx) {
  const dir = ctx.sdkConsumerDir;
  for (const f of ['sdk-import.mjs', 'sdk-require.cjs', 'baseline-import.mjs', 'baseline-require.cjs']) {
    copyFileSync(join(BENCH, 'cold', f), join(dir, f));
  }
  copyFileSync(join(BENCH, 'baseline.mjs'), join(dir, 'baseline.mjs'));
  const { build } = await import('esbuild');
  // The CommonJS copy of the baseline, for `require`.
  await build({ entryPoints: [join(BENCH, 'baseline.mjs')], outfile: join(dir, 'baseline.cjs'), format: 'cjs', platform: 'node', target: 'node18', logLevel: 'warning' });
  if (ctx.officialConsumerDir) {
    for (const f of ['official-import.mjs', 'official-require.cjs']) copyFileSync(join(BENCH, 'cold', f), join(ctx.officialConsumerDir, f));
  }
  // workerd: both workers bundled as a Worker build would be, next to a copy of the config.
  const wd = join(TMP, 'workerd');
  rmSync(wd, { recursive: true, force: true });
  mkdirSync(wd, { recursive: true });
  copyFileSync(join(BENCH, 'workerd', 'config.capnp'), join(wd, 'config.capnp'));
  const built = await bundleWorker({ resolveDir: dir, outDir: wd, wasmPath: join(dir, 'node_modules', 'scalekit-mcp', 'pkg', WASM_NAME) });
  await build({ ...WORKER_BUILD, entryPoints: [join(BENCH, 'workerd', 'baseline-worker.js')], outfile: join(wd, 'baseline-worker.js') });
  ctx.edgeBundle = {
    scalekitMcp: workerBundleSize(built),
    baseline: { js: compressed(readFileSync(join(wd, 'baseline-worker.js'))) },
  };
  ctx.workerdDir = wd;
}

async function nodeCold(ctx, script, cwd) {
  const { emu } = ctx;
  const { wallMs, line } = await firstLine(process.execPath, [script, emu.url, emu.clientId, emu.clientSecret, CONFIG_NAME, USER], { cwd });
  const t = JSON.parse(line);
  if (!t.id && !t.ok) throw new Error(`${script}: ${line}`);
  const callMs = t.done !== undefined ? t.done - t.imported : t.constructed - t.imported;
  return { wallMs, importMs: t.imported - t.start, callMs, bootMs: t.start };
}

async function workerdCold(ctx, variant) {
  const { emu } = ctx;
  const bin = join(BENCH, '..', 'node_modules', '.bin', 'workerd');
  const port = await freePort();
  const headers = {
    'x-env-url': emu.url,
    'x-client-id': emu.clientId,
    'x-client-secret': emu.clientSecret,
    'x-config-name': CONFIG_NAME,
    'x-user-identifier': USER,
  };
  const t0 = performance.now();
  const child = spawn(bin, ['serve', 'config.capnp', variant, '--socket-addr', `http=127.0.0.1:${port}`], {
    cwd: ctx.workerdDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      try {
        const res = await httpGet(port, '/', headers);
        const wallMs = performance.now() - t0;
        if (res.status !== 200) throw new Error(`workerd ${variant}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
        return { wallMs };
      } catch (err) {
        if (err.code !== 'ECONNREFUSED' && err.code !== 'ECONNRESET') throw err;
        if (exited) throw new Error(`workerd ${variant} exited:\n${stderr}`);
        if (performance.now() - t0 > 30_000) throw new Error(`workerd ${variant} did not answer in 30 s:\n${stderr}`);
        await sleep(1);
      }
    }
  } finally {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([gone, sleep(3000)]);
      if (!exited) child.kill('SIGKILL');
    }
  }
}

async function measureColdStart(ctx) {
  if (!ctx.workerdDir) throw new Error('the consumer folders could not be prepared');
  const sdkDir = ctx.sdkConsumerDir;
  const variants = {
    'node-import/sdk': () => nodeCold(ctx, 'sdk-import.mjs', sdkDir),
    'node-import/baseline': () => nodeCold(ctx, 'baseline-import.mjs', sdkDir),
    'node-require/sdk': () => nodeCold(ctx, 'sdk-require.cjs', sdkDir),
    'node-require/baseline': () => nodeCold(ctx, 'baseline-require.cjs', sdkDir),
    'workerd/sdk': () => workerdCold(ctx, 'sdk'),
    'workerd/baseline': () => workerdCold(ctx, 'baseline'),
  };
  if (ctx.officialConsumerDir) {
    variants['official-import'] = () => nodeCold(ctx, 'official-import.mjs', ctx.officialConsumerDir);
    variants['official-require'] = () => nodeCold(ctx, 'official-require.cjs', ctx.officialConsumerDir);
  }
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const errors = {};
  // One discarded round warms the file cache; then the variants take turns, in a rotating order.
  for (let r = -1; r < settings.coldRuns; r += 1) {
    const order = names.map((_, i) => names[(i + Math.max(r, 0)) % names.length]);
    for (const name of order) {
      if (errors[name]) continue;
      try {
        const s = await variants[name]();
        if (r >= 0) samples[name].push(s);
      } catch (err) {
        errors[name] = err.message;
        log(`cold start ${name} failed: ${err.message.split('\n')[0]}`);
      }
    }
  }
  const med = (name, key) => (samples[name].length ? median(samples[name].map((s) => s[key])) : null);
  const range = (name, key) => extent(samples[name].map((s) => s[key]));
  const pair = (prefix) => {
    const side = (name) => ({ wallMs: med(name, 'wallMs'), wallRangeMs: range(name, 'wallMs'), importMs: med(name, 'importMs'), firstCallMs: med(name, 'callMs') });
    const sdk = side(`${prefix}/sdk`);
    const baseline = side(`${prefix}/baseline`);
    // The two sides of one round ran one after the other: the ratio of each round shows the spread.
    const a = samples[`${prefix}/sdk`];
    const b = samples[`${prefix}/baseline`];
    const perRound = a.length === b.length ? a.map((x, i) => x.wallMs / b[i].wallMs) : [];
    const ratioRange = extent(perRound);
    return { sdk, baseline, ratio: ratio(sdk.wallMs, baseline.wallMs), ratioRange, runs: a.length };
  };
  const requireRatios = samples['node-require/sdk'].length === samples['official-require']?.length
    ? samples['node-require/sdk'].map((x, i) => x.importMs / samples['official-require'][i].importMs)
    : [];
  const out = {
    runs: settings.coldRuns,
    nodeImport: pair('node-import'),
    nodeRequire: pair('node-require'),
    workerd: pair('workerd'),
    official: ctx.officialConsumerDir
      ? {
          version: ctx.officialVersion,
          importMs: med('official-import', 'importMs'),
          requireMs: med('official-require', 'importMs'),
          importWallMs: med('official-import', 'wallMs'),
          constructMs: med('official-import', 'callMs'),
          requireRatio: ratio(med('node-require/sdk', 'importMs'), med('official-require', 'importMs')),
          requireRatioRange: extent(requireRatios),
        }
      : null,
    errors,
  };
  for (const key of ['nodeImport', 'nodeRequire', 'workerd']) {
    for (const side of ['sdk', 'baseline']) {
      const s = out[key][side];
      if (s.importMs === null) delete s.importMs;
      if (s.firstCallMs === null) delete s.firstCallMs;
    }
  }
  return out;
}

// ---- the running clients --------------------------------------------------------------------

/** The three calls of the seed flow, for a client of either kind. */
function calls(client, config) {
  return {
    ensureInstance: () => client.ensureInstance({ configName: config.name, userIdentifier: USER }),
    getConfig: () => client.getConfig(config.id),
    createSessionToken: () => client.createSessionToken({ configId: config.id, identifier: USER, expirySeconds: EXPIRY_SECONDS }),
  };
}

/** Both clients must return the same objects (volatile fields aside), or the comparison is unfair. */
async function compareOutputs(sdkCalls, baseCalls) {
  const volatile = (v) => {
    const copy = structuredClone(v);
    if (copy && typeof copy === 'object') {
      delete copy.token;
      delete copy.expiresAt;
    }
    return copy;
  };
  const out = {};
  for (const op of Object.keys(sdkCalls)) {
    const a = volatile(await sdkCalls[op]());
    const b = volatile(await baseCalls[op]());
    out[op] = isDeepStrictEqual(a, b) ? 'same' : { sdk: a, baseline: b };
  }
  return out;
}

async function measureLatency(ctx) {
  const sdk = calls(ctx.sdkClient, ctx.config);
  const base = calls(ctx.baseClient, ctx.config);
  const ops = Object.keys(sdk);
  const outputs = await compareOutputs(sdk, base);
  for (const [op, v] of Object.entries(outputs)) {
    if (v !== 'same') {
      results.notes.push(`${op}: the package and the baseline return different objects (see latency.outputs)`);
      log(`${op}: outputs differ`, JSON.stringify(v));
    }
  }
  for (let i = 0; i < settings.latencyWarmup; i += 1) {
    for (const op of ops) {
      await sdk[op]();
      await base[op]();
    }
  }
  await ctx.emu.clearRequests();
  const n = settings.latencyCalls;
  const times = Object.fromEntries(ops.map((op) => [op, { sdk: new Float64Array(n), baseline: new Float64Array(n) }]));
  for (let i = 0; i < n; i += 1) {
    for (const op of ops) {
      const first = i % 2 === 0 ? 'sdk' : 'baseline';
      for (const side of first === 'sdk' ? ['sdk', 'baseline'] : ['baseline', 'sdk']) {
        const fn = side === 'sdk' ? sdk[op] : base[op];
        const t0 = performance.now();
        await fn();
        times[op][side][i] = performance.now() - t0;
      }
    }
    if (i % 500 === 499) await ctx.emu.clearRequests();
  }
  const out = { calls: n, unit: 'ms', blocks: LATENCY_BLOCKS, outputs };
  for (const op of ops) {
    const s = summary(times[op].sdk);
    const b = summary(times[op].baseline);
    // How much the ratio moves within this run: the ratio of the medians in each block of
    // consecutive calls.
    const size = Math.floor(n / LATENCY_BLOCKS);
    const blocks = Array.from({ length: size ? LATENCY_BLOCKS : 0 }, (_, k) => {
      const part = (side) => median(sorted(times[op][side].subarray(k * size, (k + 1) * size)));
      return part('sdk') / part('baseline');
    });
    const medianRange = extent(blocks);
    out[op] = { sdk: s, baseline: b, ratio: { median: ratio(s.median, b.median), medianRange, p99: ratio(s.p99, b.p99), mean: ratio(s.mean, b.mean) }, overheadMs: { median: s.median - b.median } };
  }
  await ctx.emu.clearRequests();
  return out;
}

/**
 * `concurrency` callers in a loop for `ms`: the calls per second completed within that window
 * (the calls still in flight when it closes finish, but count only for the CPU time), and the
 * client CPU time per call.
 */
async function flood(fn, concurrency, ms) {
  let inWindow = 0;
  let done = 0;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        await fn();
        done += 1;
        if (performance.now() <= deadline) inWindow += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { callsPerSecond: (inWindow / ms) * 1000, cpuUsPerCall: done ? (cpu.user + cpu.system) / done : null, calls: done, failed };
}

async function measureThroughput(ctx) {
  const sdk = calls(ctx.sdkClient, ctx.config);
  const base = calls(ctx.baseClient, ctx.config);
  const c = settings.concurrency;
  const out = { concurrency: c, roundMs: settings.throughputRoundMs, rounds: settings.throughputRounds };
  for (const op of Object.keys(sdk)) {
    // Until the first round, the emulator (and the JIT on both sides) is still settling into
    // this operation at this concurrency; a round that catches the end of it is not a measurement.
    await flood(sdk[op], c, settings.throughputWarmupMs);
    await flood(base[op], c, settings.throughputWarmupMs);
    await ctx.emu.clearRequests();
    const rounds = { sdk: [], baseline: [] };
    for (let r = 0; r < settings.throughputRounds; r += 1) {
      for (const side of r % 2 === 0 ? ['sdk', 'baseline'] : ['baseline', 'sdk']) {
        rounds[side].push(await flood(side === 'sdk' ? sdk[op] : base[op], c, settings.throughputRoundMs));
        await ctx.emu.clearRequests();
      }
    }
    const pick = (side) => ({
      callsPerSecond: median(rounds[side].map((x) => x.callsPerSecond)),
      cpuUsPerCall: median(rounds[side].map((x) => x.cpuUsPerCall)),
      failed: rounds[side].reduce((a, x) => a + x.failed, 0),
    });
    const s = pick('sdk');
    const b = pick('baseline');
    // Each round of the package is compared with the baseline's round next to it in time, so a
    // change in the machine's load between rounds touches both sides of a ratio alike.
    const pairs = (key) => rounds.sdk.map((x, i) => x[key] / rounds.baseline[i][key]);
    const perRound = pairs('callsPerSecond');
    const cpuPerRound = pairs('cpuUsPerCall');
    out[op] = {
      sdk: s,
      baseline: b,
      ratio: median(perRound),
      ratioRange: extent(perRound),
      roundRatios: perRound,
      cpuRatio: median(cpuPerRound),
      cpuRatioRange: extent(cpuPerRound),
    };
    if (s.failed || b.failed) results.notes.push(`throughput ${op}: ${s.failed} failed calls (package), ${b.failed} (baseline)`);
  }
  return out;
}

/**
 * What the pieces every attempt of the package must have (its own Headers and AbortController, a
 * timer for the call's deadline) cost a plain fetch client by themselves: bench/overhead.mjs's
 * variants A (the plain client), M (A with those pieces), W (M driven as the package drives fetch
 * and its Response) and P (the package), taking turns in a process of their own, per operation.
 */
async function measureFloor(ctx) {
  const rounds = argv.quick ? 2 : 6;
  const out = { rounds, roundMs: 1000, concurrency: 64 };
  for (const op of ['getConfig', 'ensureInstance']) {
    const args = [join(BENCH, 'overhead.mjs'), `--op=${op}`, '--variants=A,M,W,P', '--json', `--rounds=${rounds}`, `--calls=${argv.quick ? 200 : 1000}`];
    const child = await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, SCALEKIT_MCP_BENCH_ENTRY: ctx.entry } });
    if (child.code !== 0) throw new Error(`bench/overhead.mjs --op=${op} exited with ${child.code}: ${child.stderr.slice(-2000)}`);
    out[op] = JSON.parse(child.stdout).variants;
  }
  return out;
}

async function measureTokens(ctx, api) {
  const callers = settings.tokenCallers;
  const each = settings.tokenCallsPerCaller;
  const one = async (client) => {
    await ctx.emu.clearRequests();
    const before = await ctx.emu.counters();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let i = 0; i < each; i += 1) await client.getConfig(ctx.config.id);
      }),
    );
    const ms = performance.now() - t0;
    const after = await ctx.emu.counters();
    await ctx.emu.clearRequests();
    return { tokenRequests: after.tokenRequests - before.tokenRequests, apiRequests: after.apiRequests - before.apiRequests, ms };
  };
  const opts = { envUrl: ctx.emu.url, clientId: ctx.emu.clientId, clientSecret: ctx.emu.clientSecret };
  const sdk = await one(new api.ScalekitMcp(opts));
  const baseline = await one(new BaselineClient(opts));
  return { callers, callsPerCaller: each, calls: callers * each, sdk, baseline };
}

// ---- memory -----------------------------------------------------------------------------------

/** The package entry the child processes load: the installed copy when there is one. */

/** Memory over many calls: the same client after `early` and after `late` calls (bench/memory/plateau.mjs). */
async function measurePlateau(ctx) {
  const checkpoints = settings.plateauCheckpoints;
  const r = await runChild('memory/plateau.mjs', {
    entry: ctx.entry,
    envUrl: ctx.emu.url,
    clientId: ctx.emu.clientId,
    clientSecret: ctx.emu.clientSecret,
    config: ctx.config,
    user: USER,
    checkpoints,
    concurrency: settings.plateauConcurrency,
    mix: settings.plateauMix,
  }, { onLog: log });
  const early = r.checkpoints[0];
  const late = r.checkpoints.at(-1);
  if (late.failed) results.notes.push(`memory plateau: ${late.failed} of ${late.calls} calls failed (first: ${r.firstError})`);
  return {
    concurrency: settings.plateauConcurrency,
    mix: settings.plateauMix,
    early: early.calls,
    late: late.calls,
    checkpoints: r.checkpoints,
    wasmRatio: ratio(late.wasmBytes, early.wasmBytes),
    heapRatio: ratio(late.heapUsedBytes, early.heapUsedBytes),
    rssRatio: ratio(late.rssBytes, early.rssBytes),
    callsPerSecond: late.calls / late.seconds,
    firstError: r.firstError,
  };
}

/** Whether every call of a phase ended as `want` (a prefix of its outcome key). */
function allAre(phase, want) {
  return Object.keys(phase.outcomes).length === 1 && Object.keys(phase.outcomes)[0].startsWith(want);
}

/** 100 answers of 10 MB of `[{},{},...]`: wasm memory against the largest body (bench/memory/answers.mjs). */
async function measureLarge(ctx) {
  const bytes = settings.largeBytes;
  const r = await runChild('memory/answers.mjs', {
    entry: ctx.entry,
    envUrl: ctx.answers.url,
    phases: [{ name: 'array', configId: `array-${bytes}`, count: settings.largeCount }],
  }, { onLog: log });
  const phase = r.phases[0];
  return {
    body: '[{},{},...]',
    bodyBytes: bytes,
    count: settings.largeCount,
    withContentLength: true,
    before: r.before,
    after: phase.after,
    outcomes: phase.outcomes,
    eventLoopDelayMaxMs: phase.eventLoopDelayMaxMs,
    callMs: phase.callMs,
    wasmToBodyRatio: phase.after.wasmBytes / bytes,
  };
}

/**
 * The hostile answers, in one process: 100 inflated 10 MB answers (a config wrapped in junk),
 * then 100 chunked 50 MB answers that the client must cancel at 10 MiB; what the answers server
 * wrote of each chunked answer shows that the download stopped.
 */
async function measureHostile(ctx) {
  const n = settings.hostileCount;
  await ctx.answers.clearStats();
  const r = await runChild('memory/answers.mjs', {
    entry: ctx.entry,
    envUrl: ctx.answers.url,
    phases: [
      { name: 'inflated', configId: `inflated-${settings.inflatedBytes}`, count: n },
      { name: 'chunked', configId: `chunked-${settings.chunkedBytes}`, count: n, markBytes: BODY_LIMIT },
    ],
  }, { onLog: log });
  const streams = await ctx.answers.stats();
  const [inflated, chunked] = r.phases;
  if (!allAre(inflated, 'ok: id "x"')) results.notes.push(`hostile answers: the inflated answers did not all give the config: ${JSON.stringify(inflated.outcomes)}`);
  if (!allAre(chunked, 'InvalidResponseError')) results.notes.push(`hostile answers: the chunked answers did not all fail as too large: ${JSON.stringify(chunked.outcomes)}`);
  const written = streams.map((x) => x.bytes);
  const server = {
    answers: streams.length,
    cancelled: streams.filter((x) => x.closedEarly).length,
    bytesWritten: written.length ? { median: median(written), max: Math.max(...written), total: settings.chunkedBytes } : null,
  };
  if (server.cancelled !== n) results.notes.push(`hostile answers: only ${server.cancelled} of ${n} chunked answers were cut off by the client`);
  return {
    count: n,
    inflated: { body: '{"config":{"id":"x"},"junk":[{},{},...]}', bodyBytes: settings.inflatedBytes, withContentLength: true, ...inflated },
    chunked: { body: 'the same, chunked, no Content-Length', bodyBytes: settings.chunkedBytes, limitBytes: BODY_LIMIT, ...chunked, server },
    before: r.before,
  };
}

// ---- setup ----------------------------------------------------------------------------------

/** The config every call uses, with both mapped accounts ACTIVE for the user, made over plain HTTP. */
async function seed(emu) {
  const tokenRes = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret }),
  });
  const { access_token: token } = await tokenRes.json();
  const res = await fetch(`${emu.url}/api/v1/mcp/configs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: CONFIG_NAME,
      description: 'Reads email and creates calendar reminders',
      connection_tool_mappings: [
        { connection_name: 'MY_GMAIL', tools: ['gmail_fetch_mails'] },
        { connection_name: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] },
      ],
    }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`creating the benchmark config failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) {
    await emu.setAccountStatus({ connectionName, identifier: USER, status: 'ACTIVE' });
  }
  return { id: body.config.id, name: body.config.name };
}

async function section(name, fn) {
  log(`${name}...`);
  const t0 = performance.now();
  try {
    const value = await fn();
    (results.sectionSeconds ??= {})[name] = (performance.now() - t0) / 1000;
    log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return value;
  } catch (err) {
    log(`${name} FAILED: ${err.stack ?? err}`);
    results.notes.push(`${name} failed: ${String(err.message ?? err).split('\n')[0]}`);
    return { error: String(err.message ?? err) };
  }
}

async function main() {
  const t0 = performance.now();
  if (!existsSync(join(PKG, WASM_NAME)) || !existsSync(join(PKG, 'node.cjs'))) {
    console.error('pkg/ is not built: run `bash scripts/build.sh` (or `npm run bench`, which builds first)');
    process.exit(1);
  }
  results.package = packageInfo();
  const ctx = { sdkConsumerDir: join(TMP, 'consumer-scalekit-mcp'), officialConsumerDir: null };

  // The package as a user gets it: packed, then installed into an empty folder.
  const needInstall = only.has('size') || only.has('cold');
  if (needInstall) {
    await section('npm pack + consumer install', async () => {
      ctx.tarball = await pack();
      ctx.sdkConsumer = await consumer(ctx.sdkConsumerDir, ctx.tarball.path);
    });
    await section(`consumer install of ${OFFICIAL}`, async () => {
      const dir = join(TMP, 'consumer-official');
      ctx.officialConsumer = await consumer(dir, OFFICIAL);
      ctx.officialVersion = JSON.parse(readFileSync(join(dir, 'node_modules', OFFICIAL, 'package.json'), 'utf8')).version;
      ctx.officialConsumerDir = dir;
    });
  }
  if (needInstall && existsSync(join(ctx.sdkConsumerDir, 'node_modules'))) {
    await section('cold-start scripts and Worker bundles', () => prepareColdStart(ctx));
  }
  // The in-process benchmarks load the installed copy when there is one (pkg/ may be rebuilt meanwhile).
  const installed = join(ctx.sdkConsumerDir, 'node_modules', 'scalekit-mcp', 'package.json');
  const useInstalled = existsSync(installed) && needInstall;
  const api = useInstalled ? createRequire(installed)('scalekit-mcp') : createRequire(join(ROOT, 'package.json'))(join(PKG, 'node.cjs'));
  ctx.entry = useInstalled ? join(ctx.sdkConsumerDir, 'node_modules', 'scalekit-mcp', 'pkg', 'node.cjs') : join(PKG, 'node.cjs');

  ctx.emu = await spawnEmulator();
  try {
    ctx.config = await seed(ctx.emu);
    const opts = { envUrl: ctx.emu.url, clientId: ctx.emu.clientId, clientSecret: ctx.emu.clientSecret };
    ctx.sdkClient = new api.ScalekitMcp(opts);
    ctx.baseClient = new BaselineClient(opts);

    if (only.has('cold') && existsSync(join(ctx.sdkConsumerDir, 'node_modules'))) results.coldStart = await section('cold start', () => measureColdStart(ctx));
    if (only.has('size')) {
      results.size = await section('size', () => measureSize(ctx));
      if (results.size && ctx.edgeBundle) results.size.edgeBundle = ctx.edgeBundle;
    }
    if (only.has('latency')) results.latency = await section('per-call latency', () => measureLatency(ctx));
    if (only.has('throughput')) results.throughput = await section('throughput', () => measureThroughput(ctx));
    if (only.has('floor')) results.floor = await section('the floor of an attempt', () => measureFloor(ctx));
    if (only.has('tokens')) results.tokenEconomy = await section('token economy', () => measureTokens(ctx, api));
    if (only.has('memory')) results.memoryPlateau = await section('memory plateau', () => measurePlateau(ctx));
  } finally {
    await ctx.emu.close();
  }
  if (only.has('answers') || only.has('hostile')) {
    ctx.answers = await spawnAnswersServer();
    try {
      if (only.has('answers')) results.largeAnswers = await section('large answers', () => measureLarge(ctx));
      if (only.has('hostile')) results.hostileAnswers = await section('hostile answers', () => measureHostile(ctx));
    } finally {
      await ctx.answers.close();
    }
  }

  results.machine.loadAverageAtEnd = loadavg().map((v) => Math.round(v * 100) / 100);
  results.budgets = evaluateBudgets(results);
  results.elapsedSeconds = (performance.now() - t0) / 1000;
  const rounded = roundDeep(results, 4);
  process.stdout.write(`${renderTable(rounded)}\n`);
  if (!argv['no-write']) {
    writeFileSync(argv.out, `${JSON.stringify(rounded, null, 2)}\n`);
    log(`wrote ${argv.out}`);
    // Every full run leaves a line in the history, so that the README can show how the ratios
    // move from run to run, not one draw.
    if (!argv.quick && !argv.root && SECTIONS.every((s) => only.has(s))) {
      appendFileSync(HISTORY, `${JSON.stringify(historyLine(rounded))}\n`);
      log(`added the run to ${HISTORY}`);
    }
  }
  log(`finished in ${results.elapsedSeconds.toFixed(0)} s`);
  process.exit(0);
}

await main();
