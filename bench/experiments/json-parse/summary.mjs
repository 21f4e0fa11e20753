#!/usr/bin/env node
// The side-by-side table of the JSON.parse experiment, made from the result files in this folder
// (and bench/results.json, bench/history.jsonl for the serde_json build's full runs), so that no
// figure in README.md is typed by hand.
//
//   node bench/experiments/json-parse/summary.mjs [--write]   (prints Markdown; --write puts it
//   into README.md between the summary markers)

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes } from '../../lib/table.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCH = join(HERE, '..', '..');
const read = (f) => JSON.parse(readFileSync(f, 'utf8'));
const files = (re) => readdirSync(HERE).filter((f) => re.test(f)).sort().map((f) => read(join(HERE, f)));

const OPS = ['ensureInstance', 'getConfig', 'createSessionToken'];
const x = (v) => (v == null ? '–' : `${v.toFixed(2)}×`);
const ms = (v) => (v == null ? '–' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`);
const all = (vs, f) => vs.map(f).join(' / ');

// Full bench runs: the serde_json build's from the history (same budgets), the variant's here.
const history = readFileSync(join(BENCH, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map(JSON.parse)
  .filter((h) => h.budgets && 'Worker bundle gzip bytes' in h.budgets);
const serdeRuns = history.map((h) => h.budgets);
const parseRuns = files(/^results-json-parse-\d+\.json$/).map((r) => Object.fromEntries(r.budgets.map((b) => [b.name, b.value])));
const serdeFull = read(join(BENCH, 'results.json'));
const parseFull = files(/^results-json-parse-\d+\.json$/).at(-1);
const ab = files(/^ab-results-\d+\.json$/);
const hs = files(/^hostile-serde-\d+\.json$/).map((r) => r.hostileAnswers);
const hj = files(/^hostile-json-parse-\d+\.json$/).map((r) => r.hostileAnswers);
// The hostile sections of the full runs count as runs too.
hs.unshift(serdeFull.hostileAnswers);
if (parseFull?.hostileAnswers) hj.unshift(parseFull.hostileAnswers);
const ls = [serdeFull.largeAnswers, ...files(/^hostile-serde-\d+\.json$/).map((r) => r.largeAnswers)];
const lj = [parseFull?.largeAnswers, ...files(/^hostile-json-parse-\d+\.json$/).map((r) => r.largeAnswers)].filter(Boolean);

const out = [];
out.push(`Each cell lists every run, separated by " / ". Full bench runs: ${serdeRuns.length} of the serde_json build (\`npm run bench\`), ${parseRuns.length} of the JSON.parse build (\`node bench/run.mjs --root=bench/tmp/variant-json-parse\`); A/B runs in one process: ${ab.length}; hostile-answer runs: ${hs.length} and ${hj.length}.`);
out.push('');
out.push('| | serde_json (committed) | JSON.parse + serde-wasm-bindgen |');
out.push('|---|---:|---:|');
out.push(`| \`.wasm\` raw | ${bytes(serdeFull.size.wasm.raw)} | ${bytes(parseFull.size.wasm.raw)} |`);
out.push(`| \`.wasm\` gzip -9 | ${bytes(serdeFull.size.wasm.gzip)} | ${bytes(parseFull.size.wasm.gzip)} |`);
out.push(`| Worker bundle gzip -9 | ${bytes(serdeFull.size.edgeBundle.scalekitMcp.total.gzip)} | ${bytes(parseFull.size.edgeBundle.scalekitMcp.total.gzip)} |`);
for (const op of OPS) {
  out.push(`| \`${op}\` median latency / baseline, full runs | ${all(serdeRuns, (b) => x(b[`${op} median latency ratio`]))} | ${all(parseRuns, (b) => x(b[`${op} median latency ratio`]))} |`);
}
for (const op of OPS) {
  out.push(`| \`${op}\` median latency / baseline, A/B | ${all(ab, (a) => x(a.latency[op].serdeRatio))} | ${all(ab, (a) => x(a.latency[op].parseRatio))} (JSON.parse / serde_json ${all(ab, (a) => x(a.latency[op].parseVsSerde))}) |`);
}
for (const op of OPS) {
  out.push(`| \`${op}\` throughput / baseline, 64 in flight, full runs | ${all(serdeRuns, (b) => x(b[`${op} throughput ratio`]))} | ${all(parseRuns, (b) => x(b[`${op} throughput ratio`]))} |`);
}
for (const op of OPS) {
  out.push(`| \`${op}\` throughput / baseline, A/B | ${all(ab, (a) => x(a.throughput[op].serde.median))} | ${all(ab, (a) => x(a.throughput[op].parse.median))} (JSON.parse / serde_json ${all(ab, (a) => x(a.throughput[op].parseVsSerde.median))}) |`);
}
for (const op of OPS) {
  out.push(`| \`${op}\` client CPU per call / baseline, A/B | ${all(ab, (a) => x(a.throughput[op].serdeCpu.median))} | ${all(ab, (a) => x(a.throughput[op].parseCpu.median))} (JSON.parse / serde_json ${all(ab, (a) => x(a.throughput[op].parseVsSerdeCpu.median))}) |`);
}
const n = hs[0].count;
const inf = (h) => h.inflated;
out.push(`| **${n} inflated answers of ${bytes(hs[0].inflated.bodyBytes)}** (\`{"config":{"id":"x"},"junk":[{},{},...]}\`) | | |`);
out.push(`| wasm memory before → after | ${all(hs, (h) => `${bytes(h.before.wasmBytes)} → ${bytes(inf(h).after.wasmBytes)}`)} | ${all(hj, (h) => `${bytes(h.before.wasmBytes)} → ${bytes(inf(h).after.wasmBytes)}`)} |`);
out.push(`| JS heap used after GC, before → after | ${all(hs, (h) => `${bytes(h.before.heapUsedBytes)} → ${bytes(inf(h).after.heapUsedBytes)}`)} | ${all(hj, (h) => `${bytes(h.before.heapUsedBytes)} → ${bytes(inf(h).after.heapUsedBytes)}`)} |`);
out.push(`| RSS before → after | ${all(hs, (h) => `${bytes(h.before.rssBytes)} → ${bytes(inf(h).after.rssBytes)}`)} | ${all(hj, (h) => `${bytes(h.before.rssBytes)} → ${bytes(inf(h).after.rssBytes)}`)} |`);
out.push(`| peak RSS during them | ${all(hs, (h) => bytes(inf(h).after.maxRssBytes))} | ${all(hj, (h) => bytes(inf(h).after.maxRssBytes))} |`);
out.push(`| longest event-loop block | ${all(hs, (h) => ms(inf(h).eventLoopDelayMaxMs))} | ${all(hj, (h) => ms(inf(h).eventLoopDelayMaxMs))} |`);
out.push(`| call duration, median | ${all(hs, (h) => ms(inf(h).callMs.median))} | ${all(hj, (h) => ms(inf(h).callMs.median))} |`);
out.push(`| how they ended | ${Object.keys(inf(hs[0]).outcomes).join('; ')} | ${Object.keys(inf(hj[0]).outcomes).join('; ')} |`);
out.push(`| **${n} chunked answers of ${bytes(hs[0].chunked.bodyBytes)}** (cancelled at 10 MiB) | | |`);
out.push(`| wasm memory after them | ${all(hs, (h) => bytes(h.chunked.after.wasmBytes))} | ${all(hj, (h) => bytes(h.chunked.after.wasmBytes))} |`);
out.push(`| longest event-loop block | ${all(hs, (h) => ms(h.chunked.eventLoopDelayMaxMs))} | ${all(hj, (h) => ms(h.chunked.eventLoopDelayMaxMs))} |`);
out.push(`| 10 MiB mark → error, median | ${all(hs, (h) => ms(h.chunked.markToErrorMs.median))} | ${all(hj, (h) => ms(h.chunked.markToErrorMs.median))} |`);
out.push(`| **${ls[0].count} answers of ${bytes(ls[0].bodyBytes)} of \`[{},{},...]\`** | | |`);
out.push(`| wasm memory after them | ${all(ls, (l) => bytes(l.after.wasmBytes))} | ${all(lj, (l) => bytes(l.after.wasmBytes))} |`);
out.push(`| peak RSS during them | ${all(ls, (l) => bytes(l.after.maxRssBytes))} | ${all(lj, (l) => bytes(l.after.maxRssBytes))} |`);
out.push(`| longest event-loop block | ${all(ls, (l) => ms(l.eventLoopDelayMaxMs))} | ${all(lj, (l) => ms(l.eventLoopDelayMaxMs))} |`);
out.push(`| how they ended | ${Object.keys(ls[0].outcomes).join('; ')} | ${Object.keys(lj[0].outcomes).join('; ')} |`);
const table = `${out.join('\n')}\n`;
if (process.argv.includes('--write')) {
  const file = join(HERE, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf('\n', readme.indexOf('<!-- summary')) + 1;
  const end = readme.indexOf('<!-- /summary -->');
  if (start <= 0 || end < start) throw new Error('README.md has no summary markers');
  writeFileSync(file, readme.slice(0, start) + table + readme.slice(end));
} else process.stdout.write(table);
