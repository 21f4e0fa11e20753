#!/usr/bin/env node
// Writes the README's "Performance" section from bench/results.json (and bench/history.jsonl)
// into bench/README-performance.md, to be pasted into README.md. Links are relative to the
// repository root, where the README lives.
//
//   node bench/report.mjs [results.json] [--stdout]

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGETS } from './lib/budgets.mjs';
import { budgetMargin, bytes, machineLine, outcomes, renderHistory, renderTable } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const toStdout = args.includes('--stdout');
const file = args.find((a) => !a.startsWith('--')) ?? join(BENCH, 'results.json');
const r = JSON.parse(readFileSync(file, 'utf8'));

const historyFile = join(BENCH, 'history.jsonl');
const history = existsSync(historyFile)
  ? readFileSync(historyFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
  : [];
const historyTable = renderHistory(history);

const held = r.budgets.filter((b) => b.holds === true);
const missed = r.budgets.filter((b) => b.holds === false);
const unmeasured = r.budgets.filter((b) => b.holds === null);
const limitText = (b) => b.limit.replace(/[\d.]+/, (n) => Number(n).toLocaleString('en-US')).replace('<=', '≤').replace('>=', '≥').replace('==', '=');
const valueText = (b) => (typeof b.value === 'number' ? (Number.isInteger(b.value) ? b.value.toLocaleString('en-US') : b.value.toFixed(3)) : '–');
const listed = (bs) => bs.map((b) => `${b.name} ${valueText(b)} (${limitText(b)})`).join('; ');
const close = held.filter((b) => budgetMargin(b) !== null && budgetMargin(b) < 0.05);

// Every full run against these budgets: which budgets held in all of them, which in none, which in some.
const runs = history.filter((h) => h.budgets && r.budgets.every((b) => b.name in h.budgets));
const holdsIn = (b, h) => {
  const v = h.budgets[b.name];
  if (typeof v !== 'number') return null;
  const [op, n] = b.limit.split(' ');
  return op === '<=' ? v <= Number(n) : op === '>=' ? v >= Number(n) : v === Number(n);
};
const tally = r.budgets.map((b) => ({ b, held: runs.filter((h) => holdsIn(b, h) === true).length, measured: runs.filter((h) => holdsIn(b, h) !== null).length }));
const range = (b) => {
  const vs = runs.map((h) => h.budgets[b.name]).filter((v) => typeof v === 'number');
  const f = (v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2));
  return vs.length ? (Math.min(...vs) === Math.max(...vs) ? f(vs[0]) : `${f(Math.min(...vs))}–${f(Math.max(...vs))}`) : '–';
};
const acrossText = runs.length > 1
  ? `\nAcross the ${runs.length} full runs in the history: ${tally.filter((t) => t.held === t.measured).length} budgets held in every run; missed in every run: ${tally.filter((t) => t.held === 0 && t.measured).map((t) => `${t.b.name} (${range(t.b)})`).join('; ') || 'none'}; missed in some: ${tally.filter((t) => t.held > 0 && t.held < t.measured).map((t) => `${t.b.name} (held in ${t.held} of ${t.measured}; ${range(t.b)})`).join('; ') || 'none'}.\n`
  : '';

const overheads = ['ensureInstance', 'getConfig', 'createSessionToken']
  .map((op) => r.latency?.[op] && r.latency[op].sdk.median - r.latency[op].baseline.median)
  .filter((v) => typeof v === 'number');

// What the floor says about the CPU budget: the pieces an attempt must have, against the rest.
const floorOps = ['getConfig', 'ensureInstance'].filter((op) => r.floor?.[op]?.M && r.floor[op].P);
const span = (vs) => `${Math.min(...vs).toFixed(2)}–${Math.max(...vs).toFixed(2)}×`;
const floorText = floorOps.length
  ? `\nWhere the client CPU goes (the floor rows above): what every attempt must have by the package's contract costs the plain client ${span(floorOps.map((op) => r.floor[op].M.ratios.cpu))} its CPU per call${floorOps.every((op) => r.floor[op].W) ? `, and ${span(floorOps.map((op) => r.floor[op].W.ratios.cpu))} written as the package drives \`fetch\`` : ''}; the package itself takes ${span(floorOps.map((op) => r.floor[op].P.ratios.cpu))} in the same process. So the miss of the CPU and throughput budgets is the package's own layer (${floorOps.map((op) => `${op} ${(r.floor[op].P.cpuUs - (r.floor[op].W ?? r.floor[op].M).cpuUs).toFixed(0)} µs`).join(', ')} per call beyond ${floorOps.every((op) => r.floor[op].W) ? 'W' : 'M'}: the wasm code, its glue, serde and the futures), not the pieces its contract asks for. The same calls with \`fetch\` stubbed (\`node bench/profile-calls.mjs --stub\`, no sockets) cost the package 40–70 µs more than the plain client: between real socket events, the same layer costs two to three times as much.\n`
  : '';

const s = r.settings ?? {};
const p = r.memoryPlateau;
const l = r.largeAnswers;
const h = r.hostileAnswers;
const kb = (n) => `${n / 1000} KB`;

const text = `## Performance

\`npm run bench\` measures the package next to what you would otherwise write: a hand-written
client that makes the same calls with the global \`fetch\`, maps the answers to the same camelCase
objects and shares one access token between concurrent callers
([bench/baseline.mjs](bench/baseline.mjs)). Timings are ratios to that client. Both run against
the local emulator in its own process on 127.0.0.1, so the figures show what the client adds,
not network time. Memory is read in fresh child processes; the large and hostile answers come
from a small HTTP server of the bench's own, also on 127.0.0.1. The latest ${r.settings?.quick ? 'quick' : 'full'} run
(\`${r.command}\`, ${Math.round(r.elapsedSeconds)} s; every figure, with more detail, in
[bench/results.json](bench/results.json)):

${machineLine(r).join('\n')}

${renderTable(r, { preamble: false, summary: false })}

**${held.length} of ${r.budgets.length} budgets hold in this run.**${missed.length ? ` Missed: ${listed(missed)}.` : ''}${unmeasured.length ? ` Not measured: ${unmeasured.map((b) => b.name).join('; ')}.` : ''}${close.length ? ` Within 5% of their limit: ${listed(close)}.` : ''}
${acrossText}${l ? `\nThe ${bytes(l.bodyBytes)} \`${l.body}\` answers ended as: ${outcomes(l.outcomes)}. ` : ''}${h ? `The inflated answers ended as: ${outcomes(h.inflated.outcomes)}; the chunked ones as: ${outcomes(h.chunked.outcomes)}.` : ''}

How each figure is made:

- **Size**: the shipped \`.wasm\` raw, gzip -9 and brotli -q 11 (node:zlib); the Worker bundle is
  what esbuild makes of a one-call Worker ([bench/workerd/sdk-worker.js](bench/workerd/sdk-worker.js))
  importing the installed package under the \`workerd\` condition, plus the \`.wasm\` it imports,
  each file gzipped on its own and the two added up. \`node tests/size/check.mjs\` checks the same
  three sizes against the same budgets and fails when one is over.
- **Cold start**: a fresh \`node\` process (or \`workerd serve\`) from spawn to the first completed
  \`ensureInstance\` (access token included), median of ${r.coldStart?.runs ?? '?'} runs taken in turns after one
  discarded round; the package is the packed tarball installed into an empty folder. The
  \`require\` row compares \`require('scalekit-mcp')\` with \`require('@scalekit-sdk/node')\` in a fresh
  process each.
- **Per-call latency**: ${r.latency?.calls ?? '?'} sequential calls of each method, package and baseline
  alternating call by call, after ${s.latencyWarmup ?? '?'} warm-up calls; median and p99.
- **Throughput and client CPU**: ${r.throughput?.concurrency ?? 64} callers in a loop, after ${((s.throughputWarmupMs ?? 0) / 1000).toFixed(1)} s of warm-up
  each, ${r.throughput?.rounds ?? '?'} rounds of ${((r.throughput?.roundMs ?? 0) / 1000).toFixed(1)} s for each side in turns. Calls per second count the calls completed
  within a round; client CPU per call is the bench process's user + system CPU time over the
  calls of a round (the emulator's share is in its own process). Each ratio is the median of the
  ratios of rounds taken one after the other.
- **The floor**: [bench/overhead.mjs](bench/overhead.mjs) in a process of its own, ${r.floor?.concurrency ?? 64} calls in
  flight, ${r.floor?.rounds ?? '?'} rounds of ${((r.floor?.roundMs ?? 0) / 1000).toFixed(1)} s per variant in turns: the plain client (A); A with what
  every attempt of the package has by its contract (M: its own \`Headers\`, its own
  \`AbortController\` whose signal \`fetch\` gets, a timer for the call's deadline raced against the
  fetch and the body); M written the way the package drives \`fetch\` and its \`Response\`, step
  for step, still in JavaScript (W); and the package (P). Medians of the rounds.
- **Token economy**: ${r.tokenEconomy?.callers ?? 100} concurrent callers making ${(r.tokenEconomy?.calls ?? 10000).toLocaleString('en-US')} calls on a new client; the emulator
  counts the \`/oauth/token\` requests.
- **Memory over many calls**: a fresh process with one client makes ${p ? p.late.toLocaleString('en-US') : '?'} calls, ${p?.concurrency ?? 64} in
  flight, 8 \`getConfig\` for each \`ensureInstance\` and \`createSessionToken\`; at ${p ? p.checkpoints.map((c) => c.calls.toLocaleString('en-US')).join(', ') : '?'} calls the
  calls in flight finish, full garbage collections run (\`--expose-gc\`) and memory is read. The
  wasm memory is the byte length of the package's \`WebAssembly.Memory\`: the package does not
  expose its instance, so the child is started with
  [bench/lib/wasm-memory.cjs](bench/lib/wasm-memory.cjs) preloaded, which wraps
  \`WebAssembly.Instance\` and keeps the memory of the one instance that wasm-bindgen made. A wasm
  memory only grows, so it is the most the package ever held at once. The JS heap is
  \`process.memoryUsage().heapUsed\` after the collections.
- **Large answers**: in a fresh process, ${l?.count ?? '?'} \`getConfig\` answers, one after another, of exactly
  ${l ? l.bodyBytes.toLocaleString('en-US') : '?'} bytes of \`[{},{},...]\` with a Content-Length; the wasm memory after them is
  compared with the body's size.
- **Hostile answers**: in one fresh process, ${h?.count ?? '?'} answers of ${h ? h.inflated.bodyBytes.toLocaleString('en-US') : '?'} bytes of
  \`{"config":{"id":"x"},"junk":[{},{},...]}\` (the config is kept, the junk skipped), then ${h?.count ?? '?'}
  answers of the same shape, ${h ? h.chunked.bodyBytes.toLocaleString('en-US') : '?'} bytes, chunked without a Content-Length, which the client
  must stop reading past 10 MiB. Memory is read after a full GC before and after each series;
  the event-loop block is the longest delay \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution)
  saw during a series. The 10 MiB mark is the moment the package's body reader was handed the
  chunk that took it past 10 MiB (the child counts the bytes of \`ReadableStreamDefaultReader\`
  reads); the time to the error runs from there to the rejection of the call. The server counts
  what it wrote of each chunked answer before the connection closed.

The budgets, from [bench/lib/budgets.mjs](bench/lib/budgets.mjs) (1 KB = 1000 bytes): \`.wasm\`
≤ ${kb(BUDGETS.wasmRawBytes)} raw and ≤ ${kb(BUDGETS.wasmGzipBytes)} gzip -9, the Worker bundle ≤ ${kb(BUDGETS.workerBundleGzipBytes)} gzip; median latency
≤ ${BUDGETS.latencyMedianRatio}×, throughput with 64 in flight ≥ ${BUDGETS.throughputRatio}×, client CPU per call ≤ ${BUDGETS.cpuPerCallRatio}×; Node cold start ≤ ${BUDGETS.nodeColdStartRatio}×,
\`require\` ≤ ${BUDGETS.requireVsOfficialRatio}× of \`@scalekit-sdk/node\`'s, workerd first request ≤ ${BUDGETS.workerdFirstRequestRatio}×; ${BUDGETS.tokenRequests} token request for
10,000 calls by 100 callers; wasm memory and JS heap after 200,000 calls ≤ ${BUDGETS.wasmMemoryPlateauRatio}× of after 10,000;
wasm memory after the large answers ≤ ${BUDGETS.largeAnswerWasmMemoryRatio}× the largest body. The timings are measurements,
not tests: \`npm run bench\` never fails because a machine is slow; the sizes, which do not
depend on load, are also a test (\`node tests/size/check.mjs\`). The run above was made on a
shared 2-core machine (see the load average), so timing ratios move by several percent from
run to run; the brackets show how far within this run.
${historyTable ? `\nThe latest full runs against these budgets ([bench/history.jsonl](bench/history.jsonl); every full\n\`npm run bench\` adds its line), newest first:\n\n${historyTable}\n` : ''}${overheads.length ? `\nIn absolute terms the package adds ${Math.min(...overheads).toFixed(2)}–${Math.max(...overheads).toFixed(2)} ms to the median call here. Against a\nScalekit environment over the internet, where a call takes tens of milliseconds, that is a few\npercent at most; against the loopback emulator it is the ratio above.\n` : ''}${floorText}
Where the size and the time go: \`node bench/profile-wasm.mjs\` lists the \`.wasm\` by section,
crate and function; \`node bench/profile-calls.mjs --op=getConfig\` profiles a run of calls of
both clients and sums the CPU time by where it is spent; \`node bench/overhead.mjs\` prices, one
at a time, the steps a call through the package takes beyond the plain \`fetch\`.
`;

if (toStdout) process.stdout.write(text);
else {
  const out = join(BENCH, 'README-performance.md');
  writeFileSync(out, text);
  console.error(`wrote ${out}`);
}
