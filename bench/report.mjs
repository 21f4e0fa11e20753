#!/usr/bin/env node
// Renders the README's "Performance" section from bench/results.json.
//
//   node bench/report.mjs [results.json]   (prints the section; README.md holds it between the
//   "performance:" markers)

import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetMargin, machineLine, renderHistory, renderTable } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const r = JSON.parse(readFileSync(process.argv[2] ?? join(BENCH, 'results.json'), 'utf8'));

const overheads = ['ensureInstance', 'getConfig', 'createSessionToken']
  .map((op) => r.latency?.[op] && r.latency[op].sdk.median - r.latency[op].baseline.median)
  .filter((v) => typeof v === 'number');
const overheadText = overheads.length
  ? `In absolute terms the package adds ${Math.min(...overheads).toFixed(2)}–${Math.max(...overheads).toFixed(2)} ms to the median call
here: the calls cross into WebAssembly as JSON text and back, and each request carries an abort
signal that \`fetch\` links to its own (the cancelling timeout). Next to a request to a Scalekit
environment over the internet, which takes tens of milliseconds, that is a few percent at most;
next to the loopback emulator it is the ratio above.`
  : '';
const historyFile = join(BENCH, 'history.jsonl');
const history = existsSync(historyFile)
  ? readFileSync(historyFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
  : [];
const historyTable = renderHistory(history);
const held = r.budgets.filter((b) => b.holds === true).length;
const missed = r.budgets.filter((b) => b.holds === false);

const close = r.budgets.filter((b) => b.holds === true && budgetMargin(b) !== null && budgetMargin(b) < 0.05);
const closeText = close.length
  ? `\nWithin 5% of their limit: ${close.map((b) => `${b.name} ${b.value.toLocaleString('en-US')} (${b.limit.replace(/[\d.]+/, (n) => Number(n).toLocaleString('en-US')).replace('<=', '≤').replace('>=', '≥')})`).join('; ')}.`
  : '';

const text = `## Performance

\`npm run bench\` measures the package side by side with what you would otherwise write: a
hand-written client that makes the same calls with the global \`fetch\`, maps the answers to the
same camelCase objects and shares one access token between concurrent callers
([bench/baseline.mjs](bench/baseline.mjs)). Every figure is a ratio to that floor. Both run
against the local emulator, started in its own process on 127.0.0.1, so the numbers show what
the client adds, not network time. The latest run, made with \`npm run bench\`
(${Math.round(r.elapsedSeconds)} s; every figure, with more detail, in [bench/results.json](bench/results.json)):

${machineLine(r).join('\n')}

${renderTable(r, { preamble: false, summary: false })}

How each figure is made:

- **Size**: the shipped \`.wasm\` raw, gzip -9 and brotli -q 11 (node:zlib); \`npm pack\` of the
  repository; \`node_modules\` of an empty folder after \`npm install <tarball>\`, next to one after
  \`npm install @scalekit-sdk/node\`; the Worker bundle is what esbuild makes of a one-call Worker
  with the \`workerd\` condition, plus the \`.wasm\`.
- **Cold start**: a fresh \`node\` process (or \`workerd serve\`) from spawn to the first completed
  \`ensureInstance\` (access token included), median of ${r.coldStart?.runs ?? '?'} runs taken in turns;
  the \`import\`/\`require\` rows are the module load alone.
- **Per-call latency**: ${r.latency?.calls ?? '?'} sequential calls of each method, package and baseline
  alternating call by call, after a warm-up; median and p99. In brackets, the lowest and highest
  ratio of the medians in ${r.latency?.blocks ?? 8} blocks of consecutive calls: how much the ratio moves within one run.
- **Throughput**: after ${((r.settings?.throughputWarmupMs ?? 300) / 1000).toFixed(1)} s of warm-up each, ${r.throughput?.concurrency ?? 64} callers in a loop for ${((r.throughput?.roundMs ?? 0) / 1000).toFixed(1)} s, ${r.throughput?.rounds ?? '?'} rounds each in turns; the
  calls per second (those completed within a round) are medians over the rounds, the ratio is
  the median of the ratios of rounds taken one after the other (in brackets, the lowest and
  highest of those ratios); "client CPU per call" is the benchmark process's CPU time (user +
  system) divided by the calls, which leaves out the emulator's share.
- **Token economy**: ${r.tokenEconomy?.callers ?? 100} concurrent callers making ${(r.tokenEconomy?.calls ?? 10000).toLocaleString('en-US')} calls on a new client; the emulator
  counts the \`/oauth/token\` requests.

Budgets: \`.wasm\` ≤ 120 KB raw and ≤ 50 KB gzip (1 KB = 1000 bytes), median latency ≤ 1.15× the
baseline, throughput ≥ 0.85×, Node cold start ≤ 1.5×, one token request. ${held} of ${r.budgets.length} hold in
this run${missed.length ? `; missed: ${missed.map((b) => b.name).join('; ')}` : ''}.${closeText} These are
measurements, not tests: the command never fails because a machine is slow. The run above was
made on a shared 2-core machine (see the load average), so the latency and throughput ratios move
by several percent from run to run; sizes and token counts do not.
${historyTable ? `\nThe ratios of the latest full runs ([bench/history.jsonl](bench/history.jsonl); every \`npm run bench\`\nadds its line), newest first:\n\n${historyTable}\n` : ''}${overheadText ? `\n${overheadText}\n` : ''}
Where the size and the time go: \`node bench/profile-wasm.mjs\` lists the \`.wasm\` by section,
crate and function; \`node bench/profile-calls.mjs --op=getConfig\` profiles a run of calls of
both clients and sums the CPU time by where it is spent; \`node bench/overhead.mjs\` prices, one
at a time, the steps a call through the package takes beyond the plain \`fetch\`.
`;

process.stdout.write(text);
