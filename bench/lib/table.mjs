// Every budget checked against a results object (bench/results.json), and the Markdown table
// that prints each figure against its budget. The budget numbers live in bench/lib/budgets.mjs.
// Sizes use SI units: 1 KB = 1000 bytes, 1 MB = 1000 KB.

import { BUDGETS, KB } from './budgets.mjs';

export { BUDGETS };

const OPS = ['ensureInstance', 'getConfig', 'createSessionToken'];
const has = (v) => v !== null && v !== undefined && !(typeof v === 'object' && 'error' in v);

/** The budget names, as results.json and bench/history.jsonl keep them. */
export const NAMES = {
  wasmRaw: '.wasm raw bytes',
  wasmGzip: '.wasm gzip bytes',
  worker: 'Worker bundle gzip bytes',
  latency: (op) => `${op} median latency ratio`,
  throughput: (op) => `${op} throughput ratio`,
  cpu: (op) => `${op} client CPU per call ratio`,
  coldImport: 'Node import cold start ratio',
  coldRequire: 'Node require cold start ratio',
  requireOfficial: 'require vs @scalekit-sdk/node require ratio',
  workerd: 'workerd first request ratio',
  tokens: '/oauth/token requests for 10 000 concurrent calls',
  wasmPlateau: 'wasm memory plateau ratio',
  heapPlateau: 'JS heap plateau ratio',
  large: 'wasm memory after large answers / largest body',
};

/** Every budget of the issue, with the measured value and whether it holds (null: not measured). */
export function evaluateBudgets(r) {
  const out = [];
  const add = (name, value, limit, op) => {
    const holds = value == null ? null : op === '<=' ? value <= limit : op === '>=' ? value >= limit : value === limit;
    out.push({ name, value: value ?? null, limit: `${op} ${limit}`, holds });
  };
  const size = has(r.size) ? r.size : null;
  add(NAMES.wasmRaw, size?.wasm?.raw, BUDGETS.wasmRawBytes, '<=');
  add(NAMES.wasmGzip, size?.wasm?.gzip, BUDGETS.wasmGzipBytes, '<=');
  add(NAMES.worker, size?.edgeBundle?.scalekitMcp?.total?.gzip, BUDGETS.workerBundleGzipBytes, '<=');
  for (const op of OPS) add(NAMES.latency(op), has(r.latency) ? r.latency[op]?.ratio?.median : null, BUDGETS.latencyMedianRatio, '<=');
  for (const op of OPS) add(NAMES.throughput(op), has(r.throughput) ? r.throughput[op]?.ratio : null, BUDGETS.throughputRatio, '>=');
  for (const op of OPS) add(NAMES.cpu(op), has(r.throughput) ? r.throughput[op]?.cpuRatio : null, BUDGETS.cpuPerCallRatio, '<=');
  const cold = has(r.coldStart) ? r.coldStart : null;
  add(NAMES.coldImport, cold?.nodeImport?.ratio, BUDGETS.nodeColdStartRatio, '<=');
  add(NAMES.coldRequire, cold?.nodeRequire?.ratio, BUDGETS.nodeColdStartRatio, '<=');
  add(NAMES.requireOfficial, cold?.official?.requireRatio, BUDGETS.requireVsOfficialRatio, '<=');
  add(NAMES.workerd, cold?.workerd?.ratio, BUDGETS.workerdFirstRequestRatio, '<=');
  add(NAMES.tokens, has(r.tokenEconomy) ? r.tokenEconomy.sdk?.tokenRequests : null, BUDGETS.tokenRequests, '==');
  const p = has(r.memoryPlateau) ? r.memoryPlateau : null;
  add(NAMES.wasmPlateau, p?.wasmRatio, BUDGETS.wasmMemoryPlateauRatio, '<=');
  add(NAMES.heapPlateau, p?.heapRatio, BUDGETS.jsHeapPlateauRatio, '<=');
  add(NAMES.large, has(r.largeAnswers) ? r.largeAnswers.wasmToBodyRatio : null, BUDGETS.largeAnswerWasmMemoryRatio, '<=');
  return out;
}

/** How far a budget's value is from its limit (`<= x` or `>= x`), as a fraction of the limit; `null` when unknown. */
export function budgetMargin(b) {
  const m = /^(<=|>=)\s*([\d.]+)$/.exec(String(b.limit));
  if (!m || typeof b.value !== 'number') return null;
  const limit = Number(m[2]);
  return (m[1] === '<=' ? limit - b.value : b.value - limit) / limit;
}

// ---- formatting -------------------------------------------------------------------------------

export function bytes(n) {
  if (n == null) return '–';
  if (n >= 1000 * KB) return `${(n / (1000 * KB)).toFixed(2)} MB`;
  if (n >= 10 * KB) return `${(n / KB).toFixed(1)} KB`;
  return `${(n / KB).toFixed(2)} KB`;
}

const ms = (v) => (v == null ? '–' : v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(3)} ms`);
const us = (v) => (v == null ? '–' : `${v.toFixed(0)} µs`);
const rate = (v) => (v == null ? '–' : `${Math.round(v).toLocaleString('en-US')}/s`);
const x = (v) => (v == null ? '–' : `${v.toFixed(2)}×`);
const int = (n) => (n == null ? '–' : n.toLocaleString('en-US'));
/** ` (lo–hi)`: the lowest and highest ratio of the blocks or rounds of a run, when known. */
const spread = (range, digits = 2) => (Array.isArray(range) && range.every((v) => typeof v === 'number') ? ` (${range[0].toFixed(digits)}–${range[1].toFixed(digits)})` : '');
/** A ratio checked against a budget: a third decimal where two would round onto the budget. */
const xb = (v, budget) => (v != null && v !== budget && Number(v.toFixed(2)) === budget ? `${v.toFixed(3)}×` : x(v));
const mark = (holds) => (holds === null || holds === undefined ? '' : holds ? '✅' : '❌');
const le = (v) => `≤ ${v}×`;
const ge = (v) => `≥ ${v}×`;
const kb = (n) => `≤ ${n / KB} KB`;

function row(cells) {
  return `| ${cells.map((c) => (c === undefined || c === null ? '' : String(c))).join(' | ')} |`;
}

/** One line naming the machine, its load and the time of the run. */
export function machineLine(r) {
  const m = r.machine ?? {};
  const load = m.loadAverageAtStart ? `; load average ${m.loadAverageAtStart[0]} at start, ${m.loadAverageAtEnd?.[0] ?? '?'} at end` : '';
  const what = r.package?.root ? `; package built in ${r.package.root}` : '';
  return [`Node ${m.node}, ${m.cpus} × ${m.cpuModel ?? 'CPU'}, ${m.platform}${load}; ${r.generatedAt}${r.settings?.quick ? ' (quick run)' : ''}${what}.`];
}

/** How a phase of answers ended, in words: `100 × ok: id "x"`. */
export function outcomes(o) {
  if (!o) return '–';
  return Object.entries(o).map(([k, n]) => `${n} × ${k}`).join('; ');
}

/** A Markdown table of every figure, grouped by section, with the ratio and the budget of each. */
export function renderTable(r, { preamble = true, summary = true } = {}) {
  const budgets = r.budgets ?? evaluateBudgets(r);
  const holds = (name) => budgets.find((b) => b.name === name)?.holds;
  const lines = [];
  const sectionRow = (title) => lines.push(row([`**${title}**`, '', '', '', '', '']));

  if (preamble) lines.push(...machineLine(r), 'Baseline: a hand-written client over the global `fetch` doing the same calls (bench/baseline.mjs).', '');
  lines.push(row(['', 'scalekit-mcp', 'baseline / reference', 'ratio', 'budget', '']));
  lines.push('|---|---:|---:|---:|---|---|');

  // Size
  if (has(r.size)) {
    const s = r.size;
    sectionRow('Size');
    lines.push(row(['`.wasm` raw', bytes(s.wasm.raw), '', '', kb(BUDGETS.wasmRawBytes), mark(holds(NAMES.wasmRaw))]));
    lines.push(row(['`.wasm` gzip -9', bytes(s.wasm.gzip), '', '', kb(BUDGETS.wasmGzipBytes), mark(holds(NAMES.wasmGzip))]));
    lines.push(row(['`.wasm` brotli -q 11', bytes(s.wasm.brotli), '', '', '', '']));
    if (s.edgeBundle) {
      const e = s.edgeBundle.scalekitMcp;
      lines.push(row(['Worker bundle, JS + `.wasm`, gzip -9 (each file)', `${bytes(e.total.gzip)} (JS ${bytes(e.js.gzip)})`, bytes(s.edgeBundle.baseline.js.gzip), '', kb(BUDGETS.workerBundleGzipBytes), mark(holds(NAMES.worker))]));
    }
    if (s.glue?.['node.cjs']) {
      const g = s.glue['node.cjs'];
      lines.push(row(['JS of the Node entry (`node.cjs`) raw / gzip', `${bytes(g.raw)} / ${bytes(g.gzip)}`, `${bytes(s.baselineSource.raw)} / ${bytes(s.baselineSource.gzip)}`, '', '', '']));
    }
    if (s.tarball) lines.push(row(['`npm pack` tarball', `${bytes(s.tarball.size)} (${s.tarball.entryCount} files)`, '', '', '', '']));
    if (s.consumer) {
      const c = s.consumer;
      const fmt = (v) => (v ? `${bytes(v.bytes)}, ${v.packages} package${v.packages === 1 ? '' : 's'}` : '–');
      lines.push(row([`fresh consumer \`node_modules\` (vs \`@scalekit-sdk/node\` ${c.officialVersion ?? ''})`, fmt(c.scalekitMcp), fmt(c.official), x(c.ratio), '', '']));
    }
  }

  // Cold start
  if (has(r.coldStart)) {
    const c = r.coldStart;
    sectionRow(`Cold start: fresh process → first call done (median of ${c.runs}; in brackets the lowest and highest ratio of a round)`);
    const cold = (label, v, name, budget) => {
      if (!v) return;
      lines.push(row([label, ms(v.sdk.wallMs), ms(v.baseline.wallMs), `${xb(v.ratio, budget)}${spread(v.ratioRange)}`, le(budget), mark(holds(name))]));
    };
    cold('Node `import`', c.nodeImport, NAMES.coldImport, BUDGETS.nodeColdStartRatio);
    cold('Node `require`', c.nodeRequire, NAMES.coldRequire, BUDGETS.nodeColdStartRatio);
    cold('workerd (`workerd serve`, first request)', c.workerd, NAMES.workerd, BUDGETS.workerdFirstRequestRatio);
    const part = (label, key) => {
      const v = c.nodeImport;
      if (v?.sdk?.[key] == null) return;
      lines.push(row([label, ms(v.sdk[key]), ms(v.baseline[key]), x(v.sdk[key] / v.baseline[key]), '', '']));
    };
    part('… of which `import()` of the module', 'importMs');
    part('… of which the first call (token + `ensureInstance`)', 'firstCallMs');
    const rq = c.nodeRequire;
    if (rq?.sdk?.importMs != null) lines.push(row(['… `require()` of the module', ms(rq.sdk.importMs), ms(rq.baseline.importMs), x(rq.sdk.importMs / rq.baseline.importMs), '', '']));
    if (c.official?.requireMs != null) {
      lines.push(row([`\`require\` of the package vs of \`@scalekit-sdk/node\` ${c.official.version}`, ms(rq?.sdk?.importMs), ms(c.official.requireMs), `${x(c.official.requireRatio)}${spread(c.official.requireRatioRange)}`, le(BUDGETS.requireVsOfficialRatio), mark(holds(NAMES.requireOfficial))]));
    }
    if (c.official?.importMs != null) {
      lines.push(row([`\`import\` of the package vs of \`@scalekit-sdk/node\` ${c.official.version}`, ms(c.nodeImport?.sdk?.importMs), ms(c.official.importMs), x(c.nodeImport?.sdk?.importMs / c.official.importMs), '', '']));
    }
  }

  // Latency
  if (has(r.latency)) {
    sectionRow(`Per-call latency (${r.latency.calls} calls each, interleaved; in brackets the lowest and highest ratio of ${r.latency.blocks} blocks)`);
    for (const op of OPS) {
      const v = r.latency[op];
      if (!v) continue;
      lines.push(row([`\`${op}\` median`, ms(v.sdk.median), ms(v.baseline.median), `${xb(v.ratio.median, BUDGETS.latencyMedianRatio)}${spread(v.ratio.medianRange)}`, le(BUDGETS.latencyMedianRatio), mark(holds(NAMES.latency(op)))]));
      lines.push(row([`\`${op}\` p99`, ms(v.sdk.p99), ms(v.baseline.p99), x(v.ratio.p99), '', '']));
    }
  }

  // Throughput and CPU
  if (has(r.throughput)) {
    sectionRow(`Throughput and client CPU, ${r.throughput.concurrency} calls in flight (${r.throughput.rounds} rounds of ${r.throughput.roundMs / 1000} s each; in brackets the lowest and highest ratio of a pair of rounds)`);
    for (const op of OPS) {
      const v = r.throughput[op];
      if (!v) continue;
      lines.push(row([`\`${op}\` calls per second`, rate(v.sdk.callsPerSecond), rate(v.baseline.callsPerSecond), `${xb(v.ratio, BUDGETS.throughputRatio)}${spread(v.ratioRange)}`, ge(BUDGETS.throughputRatio), mark(holds(NAMES.throughput(op)))]));
      lines.push(row([`\`${op}\` client CPU per call`, us(v.sdk.cpuUsPerCall), us(v.baseline.cpuUsPerCall), `${xb(v.cpuRatio, BUDGETS.cpuPerCallRatio)}${spread(v.cpuRatioRange)}`, le(BUDGETS.cpuPerCallRatio), mark(holds(NAMES.cpu(op)))]));
    }
  }

  // The floor: what the pieces every attempt has cost a plain client
  if (has(r.floor)) {
    const f = r.floor;
    sectionRow(`The floor, in a process of its own (bench/overhead.mjs; ${f.concurrency} calls in flight, ${f.rounds} rounds of ${f.roundMs / 1000} s taking turns): the plain client with what every attempt of the package has (its own \`Headers\`, its own \`AbortController\` whose signal \`fetch\` gets, a timer for the call's deadline raced against the fetch and the body); the same driven step for step as the package drives \`fetch\` and its \`Response\`, still in JavaScript; and the package, each against the plain client`);
    for (const op of ['getConfig', 'ensureInstance']) {
      const v = f[op];
      if (!v) continue;
      for (const [who, key] of [['the floor', 'M'], ['the floor as the package drives fetch', 'W'], ['scalekit-mcp', 'P']]) {
        if (!v[key]) continue;
        lines.push(row([`\`${op}\` client CPU per call, ${who}`, us(v[key].cpuUs), us(v.A.cpuUs), x(v[key].ratios.cpu), '', '']));
        lines.push(row([`\`${op}\` calls per second, ${who}`, rate(v[key].rate), rate(v.A.rate), x(v[key].ratios.throughput), '', '']));
      }
    }
  }

  // Tokens
  if (has(r.tokenEconomy)) {
    const t = r.tokenEconomy;
    sectionRow('Token economy');
    lines.push(row([`\`/oauth/token\` requests for ${int(t.calls)} calls by ${t.callers} concurrent callers`, t.sdk.tokenRequests, t.baseline.tokenRequests, '', `= ${BUDGETS.tokenRequests}`, mark(holds(NAMES.tokens))]));
  }

  // Memory plateau
  if (has(r.memoryPlateau)) {
    const p = r.memoryPlateau;
    const first = p.checkpoints[0];
    const last = p.checkpoints.at(-1);
    const counts = {};
    for (const op of p.mix) counts[op] = (counts[op] ?? 0) + 1;
    const rotation = Object.entries(counts).map(([op, n]) => `${n} \`${op}\``).join(' : ');
    sectionRow(`Memory over many calls: one client, ${p.concurrency} in flight, ${rotation} (${int(last.calls)} calls in ${last.seconds.toFixed(0)} s); after ${int(last.calls)} calls vs after ${int(first.calls)}`);
    lines.push(row(['wasm memory', bytes(last.wasmBytes), bytes(first.wasmBytes), xb(p.wasmRatio, BUDGETS.wasmMemoryPlateauRatio), le(BUDGETS.wasmMemoryPlateauRatio), mark(holds(NAMES.wasmPlateau))]));
    lines.push(row(['JS heap used, after a full GC', bytes(last.heapUsedBytes), bytes(first.heapUsedBytes), xb(p.heapRatio, BUDGETS.jsHeapPlateauRatio), le(BUDGETS.jsHeapPlateauRatio), mark(holds(NAMES.heapPlateau))]));
    lines.push(row(['RSS', bytes(last.rssBytes), bytes(first.rssBytes), x(p.rssRatio), '', '']));
    if (p.checkpoints.length > 2) {
      lines.push(row(['JS heap at each checkpoint', p.checkpoints.map((c) => `${int(c.calls / 1000)}k: ${bytes(c.heapUsedBytes)}`).join(', '), '', '', '', '']));
    }
  }

  // Large answers
  if (has(r.largeAnswers)) {
    const l = r.largeAnswers;
    sectionRow(`Large answers: ${l.count} \`getConfig\` answers of ${bytes(l.bodyBytes)} of \`${l.body}\`, one after another, fresh process`);
    lines.push(row(['wasm memory after them, vs the largest body', bytes(l.after.wasmBytes), bytes(l.bodyBytes), xb(l.wasmToBodyRatio, BUDGETS.largeAnswerWasmMemoryRatio), le(BUDGETS.largeAnswerWasmMemoryRatio), mark(holds(NAMES.large))]));
    lines.push(row(['wasm memory before them', bytes(l.before.wasmBytes), '', '', '', '']));
    lines.push(row(['RSS before → after (peak)', `${bytes(l.before.rssBytes)} → ${bytes(l.after.rssBytes)} (${bytes(l.after.maxRssBytes)})`, '', '', '', '']));
    lines.push(row(['longest event-loop block; median call', `${ms(l.eventLoopDelayMaxMs)}; ${ms(l.callMs.median)}`, '', '', '', '']));
  }

  // Hostile answers
  if (has(r.hostileAnswers)) {
    const h = r.hostileAnswers;
    const inf = h.inflated;
    const ch = h.chunked;
    sectionRow(`Hostile answers, in one process: ${h.count} inflated answers (\`${inf.body}\`, ${bytes(inf.bodyBytes)}), then ${h.count} chunked ${bytes(ch.bodyBytes)} answers (no Content-Length)`);
    lines.push(row(['wasm memory: before → after the inflated → after the chunked', `${bytes(h.before.wasmBytes)} → ${bytes(inf.after.wasmBytes)} → ${bytes(ch.after.wasmBytes)}`, '', `${x(inf.after.wasmBytes / inf.bodyBytes)} of a body`, '', '']));
    lines.push(row(['RSS: before → after the inflated → after the chunked (peak)', `${bytes(h.before.rssBytes)} → ${bytes(inf.after.rssBytes)} → ${bytes(ch.after.rssBytes)} (${bytes(ch.after.maxRssBytes)})`, '', '', '', '']));
    lines.push(row(['JS heap used after GC: before → after → after', `${bytes(h.before.heapUsedBytes)} → ${bytes(inf.after.heapUsedBytes)} → ${bytes(ch.after.heapUsedBytes)}`, '', '', '', '']));
    lines.push(row(['longest event-loop block: inflated / chunked', `${ms(inf.eventLoopDelayMaxMs)} / ${ms(ch.eventLoopDelayMaxMs)}`, '', '', '', '']));
    lines.push(row(['call duration, median (max): inflated / chunked', `${ms(inf.callMs.median)} (${ms(inf.callMs.max)}) / ${ms(ch.callMs.median)} (${ms(ch.callMs.max)})`, '', '', '', '']));
    if (ch.markToErrorMs) {
      lines.push(row([`from the 10 MiB mark to the error, median (min–max) of ${ch.markedCalls}`, `${ms(ch.markToErrorMs.median)} (${ms(ch.markToErrorMs.min)}–${ms(ch.markToErrorMs.max)})`, '', '', '', '']));
    }
    if (ch.server?.bytesWritten) {
      lines.push(row([`written by the server before the client closed, median (max), of ${bytes(ch.bodyBytes)}`, `${bytes(ch.server.bytesWritten.median)} (${bytes(ch.server.bytesWritten.max)}); ${ch.server.cancelled} of ${ch.server.answers} cut off`, '', '', '', '']));
    }
  }

  if (!summary) return lines.join('\n');
  const missed = budgets.filter((b) => b.holds === false).map((b) => b.name);
  const unmeasured = budgets.filter((b) => b.holds === null).map((b) => b.name);
  lines.push('');
  lines.push(`Budgets: ${budgets.filter((b) => b.holds).length} of ${budgets.length} hold` + (missed.length ? `; missed: ${missed.join(', ')}` : '') + (unmeasured.length ? `; not measured: ${unmeasured.join(', ')}` : '') + '.');
  const ends = [];
  if (has(r.largeAnswers)) ends.push(`The ${bytes(r.largeAnswers.bodyBytes)} \`${r.largeAnswers.body}\` answers ended as: ${outcomes(r.largeAnswers.outcomes)}`);
  if (has(r.hostileAnswers)) {
    ends.push(`The inflated answers ended as: ${outcomes(r.hostileAnswers.inflated.outcomes)}`);
    ends.push(`The chunked answers ended as: ${outcomes(r.hostileAnswers.chunked.outcomes)}`);
  }
  if (ends.length || r.notes?.length) lines.push('');
  for (const e of ends) lines.push(`- ${e}`);
  for (const n of r.notes ?? []) lines.push(`- ${n}`);
  return lines.join('\n');
}

/** The figures of a run that the history keeps: when, which commit, the load, every budget's value. */
export function historyLine(r) {
  return {
    generatedAt: r.generatedAt,
    commit: r.package?.commit ?? null,
    dirty: r.package?.dirty ?? null,
    loadAverageAtStart: r.machine?.loadAverageAtStart?.[0] ?? null,
    elapsedSeconds: r.elapsedSeconds ?? null,
    budgets: Object.fromEntries((r.budgets ?? []).map((b) => [b.name, b.value])),
    held: (r.budgets ?? []).filter((b) => b.holds === true).length,
    of: (r.budgets ?? []).length,
  };
}

/** A Markdown table of the latest `count` runs of the history measured against these budgets (newest first). */
export function renderHistory(lines, count = 6) {
  const runs = lines.filter((l) => l.budgets && NAMES.worker in l.budgets).slice(-count).reverse();
  if (!runs.length) return '';
  const v = (run, name, f) => (typeof run.budgets?.[name] === 'number' ? f(run.budgets[name]) : '–');
  const out = [
    `| run | commit | load | \`.wasm\` gzip | ${OPS.map((op) => `\`${op}\` latency`).join(' | ')} | ${OPS.map((op) => `\`${op}\` throughput`).join(' | ')} | ${OPS.map((op) => `\`${op}\` CPU`).join(' | ')} | budgets held |`,
    `|---|---|---:|---:|${OPS.map(() => '---:').join('|')}|${OPS.map(() => '---:').join('|')}|${OPS.map(() => '---:').join('|')}|---:|`,
  ];
  for (const run of runs) {
    const lat = OPS.map((op) => v(run, NAMES.latency(op), (n) => xb(n, BUDGETS.latencyMedianRatio)));
    const thr = OPS.map((op) => v(run, NAMES.throughput(op), (n) => xb(n, BUDGETS.throughputRatio)));
    const cpu = OPS.map((op) => v(run, NAMES.cpu(op), (n) => xb(n, BUDGETS.cpuPerCallRatio)));
    const when = String(run.generatedAt ?? '').replace('T', ' ').slice(0, 16);
    out.push(`| ${when} | ${String(run.commit ?? '').slice(0, 7)}${run.dirty ? ' (+changes)' : ''} | ${run.loadAverageAtStart ?? '–'} | ${v(run, NAMES.wasmGzip, bytes)} | ${lat.join(' | ')} | ${thr.join(' | ')} | ${cpu.join(' | ')} | ${run.held} of ${run.of} |`);
  }
  return out.join('\n');
}
