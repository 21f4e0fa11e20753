// The budgets of the benchmark and the Markdown table of a results object (bench/results.json).
// Sizes use SI units: 1 KB = 1000 bytes, 1 MB = 1000 KB.

const KB = 1000;

export const BUDGETS = {
  wasmRawBytes: 120 * KB,
  wasmGzipBytes: 50 * KB,
  latencyMedianRatio: 1.15,
  throughputRatio: 0.85,
  nodeColdStartRatio: 1.5,
  tokenRequests: 1,
};

const OPS = ['ensureInstance', 'getConfig', 'createSessionToken'];
const has = (v) => v !== null && v !== undefined && !(typeof v === 'object' && 'error' in v);

/** Every budget of the issue, with the measured value and whether it holds (null: not measured). */
export function evaluateBudgets(r) {
  const out = [];
  const add = (name, value, limit, op) => {
    const holds = value == null ? null : op === '<=' ? value <= limit : op === '>=' ? value >= limit : value === limit;
    out.push({ name, value: value ?? null, limit: `${op} ${limit}`, holds });
  };
  const size = has(r.size) ? r.size : null;
  add('.wasm raw bytes', size?.wasm?.raw, BUDGETS.wasmRawBytes, '<=');
  add('.wasm gzip bytes', size?.wasm?.gzip, BUDGETS.wasmGzipBytes, '<=');
  for (const op of OPS) {
    add(`${op} median latency ratio`, has(r.latency) ? r.latency[op]?.ratio?.median : null, BUDGETS.latencyMedianRatio, '<=');
  }
  for (const op of OPS) {
    add(`${op} throughput ratio`, has(r.throughput) ? r.throughput[op]?.ratio : null, BUDGETS.throughputRatio, '>=');
  }
  const cold = has(r.coldStart) ? r.coldStart : null;
  add('Node import cold start ratio', cold?.nodeImport?.ratio, BUDGETS.nodeColdStartRatio, '<=');
  add('Node require cold start ratio', cold?.nodeRequire?.ratio, BUDGETS.nodeColdStartRatio, '<=');
  add('/oauth/token requests for 10 000 concurrent calls', has(r.tokenEconomy) ? r.tokenEconomy.sdk?.tokenRequests : null, BUDGETS.tokenRequests, '==');
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
/** A ratio checked against a budget: a third decimal where two would round onto the budget. */
/** ` (lo–hi)`: the lowest and highest ratio of the blocks or rounds of a run, when known. */
const spread = (range) => (Array.isArray(range) && range.every((v) => typeof v === 'number') ? ` (${range[0].toFixed(2)}–${range[1].toFixed(2)})` : '');
const xb = (v, budget) => (v != null && v !== budget && Number(v.toFixed(2)) === budget ? `${v.toFixed(3)}×` : x(v));
const mark = (holds) => (holds === null || holds === undefined ? '' : holds ? '✅' : '❌');

function row(cells) {
  return `| ${cells.map((c) => (c === undefined || c === null ? '' : String(c))).join(' | ')} |`;
}

/** One line naming the machine, its load and the time of the run. */
export function machineLine(r) {
  const m = r.machine ?? {};
  const load = m.loadAverageAtStart ? `; load average ${m.loadAverageAtStart[0]} at start, ${m.loadAverageAtEnd?.[0] ?? '?'} at end` : '';
  return [`Node ${m.node}, ${m.cpus} × ${m.cpuModel ?? 'CPU'}, ${m.platform}${load}; ${r.generatedAt}${r.settings?.quick ? ' (quick run)' : ''}.`];
}

/** A Markdown table of every figure, grouped by section, with the ratio and the budget of each. */
export function renderTable(r, { preamble = true, summary = true } = {}) {
  const budgets = r.budgets ?? evaluateBudgets(r);
  const holds = (name) => budgets.find((b) => b.name === name)?.holds;
  const lines = [];
  const head = () => {
    lines.push(row(['', 'scalekit-mcp', 'baseline / reference', 'ratio', 'budget', '']));
    lines.push('|---|---:|---:|---:|---|---|');
  };
  const sectionRow = (title) => lines.push(row([`**${title}**`, '', '', '', '', '']));

  if (preamble) lines.push(...machineLine(r), 'Baseline: a hand-written client over the global `fetch` doing the same calls (bench/baseline.mjs).', '');
  head();

  // Size
  if (has(r.size)) {
    const s = r.size;
    sectionRow('Size');
    lines.push(row(['`.wasm` raw', bytes(s.wasm.raw), '', '', '≤ 120 KB', mark(holds('.wasm raw bytes'))]));
    lines.push(row(['`.wasm` gzip -9', bytes(s.wasm.gzip), '', '', '≤ 50 KB', mark(holds('.wasm gzip bytes'))]));
    lines.push(row(['`.wasm` brotli -q 11', bytes(s.wasm.brotli), '', '', '', '']));
    if (s.glue?.['node.cjs']) {
      const g = s.glue['node.cjs'];
      lines.push(row(['JS of the Node entry (`node.cjs`) raw / gzip', `${bytes(g.raw)} / ${bytes(g.gzip)}`, `${bytes(s.baselineSource.raw)} / ${bytes(s.baselineSource.gzip)}`, '', '', '']));
    }
    if (s.tarball) lines.push(row(['`npm pack` tarball', `${bytes(s.tarball.size)} (${s.tarball.entryCount} files)`, '', '', '', '']));
    if (s.consumer) {
      const c = s.consumer;
      const fmt = (v) => (v ? `${bytes(v.bytes)}, ${v.packages} package${v.packages === 1 ? '' : 's'}` : '–');
      lines.push(row([`fresh consumer \`node_modules\` (vs \`${'@scalekit-sdk/node'}\` ${c.officialVersion ?? ''})`, fmt(c.scalekitMcp), fmt(c.official), x(c.ratio), '', '']));
    }
    if (s.edgeBundle) {
      const e = s.edgeBundle;
      lines.push(row(['Worker bundle, JS + `.wasm`, gzip', bytes(e.scalekitMcp.total.gzip), bytes(e.baseline.js.gzip), x(e.scalekitMcp.total.gzip / e.baseline.js.gzip), '', '']));
    }
  }

  // Cold start
  if (has(r.coldStart)) {
    const c = r.coldStart;
    sectionRow(`Cold start: fresh process → first call done (median of ${c.runs})`);
    const cold = (label, v, budgetName) => {
      if (!v) return;
      lines.push(row([label, ms(v.sdk.wallMs), ms(v.baseline.wallMs), x(v.ratio), budgetName ? '≤ 1.5×' : '', budgetName ? mark(holds(budgetName)) : '']));
    };
    cold('Node `import`', c.nodeImport, 'Node import cold start ratio');
    cold('Node `require`', c.nodeRequire, 'Node require cold start ratio');
    cold('workerd (`workerd serve`, first request)', c.workerd);
    const part = (label, key) => {
      const v = c.nodeImport;
      if (v?.sdk?.[key] == null) return;
      lines.push(row([label, ms(v.sdk[key]), ms(v.baseline[key]), x(v.sdk[key] / v.baseline[key]), '', '']));
    };
    part('… of which `import()` of the module', 'importMs');
    part('… of which the first call (token + `ensureInstance`)', 'firstCallMs');
    const rq = c.nodeRequire;
    if (rq?.sdk?.importMs != null) lines.push(row(['… `require()` of the module', ms(rq.sdk.importMs), ms(rq.baseline.importMs), x(rq.sdk.importMs / rq.baseline.importMs), '', '']));
    if (c.official?.importMs != null) {
      lines.push(row([`\`import\` of \`@scalekit-sdk/node\` ${c.official.version} (reference)`, ms(c.nodeImport?.sdk?.importMs), ms(c.official.importMs), x(c.nodeImport?.sdk?.importMs / c.official.importMs), '', '']));
    }
    if (c.official?.requireMs != null) {
      lines.push(row([`\`require\` of \`@scalekit-sdk/node\` ${c.official.version} (reference)`, ms(c.nodeRequire?.sdk?.importMs), ms(c.official.requireMs), x(c.nodeRequire?.sdk?.importMs / c.official.requireMs), '', '']));
    }
  }

  // Latency
  if (has(r.latency)) {
    sectionRow(`Per-call latency (${r.latency.calls} calls each, interleaved)`);
    for (const op of OPS) {
      const v = r.latency[op];
      if (!v) continue;
      lines.push(row([`\`${op}\` median`, ms(v.sdk.median), ms(v.baseline.median), `${xb(v.ratio.median, BUDGETS.latencyMedianRatio)}${spread(v.ratio.medianRange)}`, '≤ 1.15×', mark(holds(`${op} median latency ratio`))]));
      lines.push(row([`\`${op}\` p99`, ms(v.sdk.p99), ms(v.baseline.p99), x(v.ratio.p99), '', '']));
    }
  }

  // Throughput
  if (has(r.throughput)) {
    sectionRow(`Throughput, ${r.throughput.concurrency} calls in flight`);
    for (const op of OPS) {
      const v = r.throughput[op];
      if (!v) continue;
      lines.push(row([`\`${op}\``, rate(v.sdk.callsPerSecond), rate(v.baseline.callsPerSecond), `${xb(v.ratio, BUDGETS.throughputRatio)}${spread(v.ratioRange)}`, '≥ 0.85×', mark(holds(`${op} throughput ratio`))]));
      lines.push(row([`\`${op}\` client CPU per call`, us(v.sdk.cpuUsPerCall), us(v.baseline.cpuUsPerCall), x(v.cpuRatio), '', '']));
    }
  }

  // Tokens
  if (has(r.tokenEconomy)) {
    const t = r.tokenEconomy;
    sectionRow('Token economy');
    lines.push(row([`\`/oauth/token\` requests for ${t.calls.toLocaleString('en-US')} calls by ${t.callers} concurrent callers`, t.sdk.tokenRequests, t.baseline.tokenRequests, '', '= 1', mark(holds('/oauth/token requests for 10 000 concurrent calls'))]));
  }

  if (!summary) return lines.join('\n');
  const missed = budgets.filter((b) => b.holds === false).map((b) => b.name);
  const unmeasured = budgets.filter((b) => b.holds === null).map((b) => b.name);
  lines.push('');
  lines.push(`Budgets: ${budgets.filter((b) => b.holds).length} of ${budgets.length} hold` + (missed.length ? `; missed: ${missed.join(', ')}` : '') + (unmeasured.length ? `; not measured: ${unmeasured.join(', ')}` : '') + '.');
  if (r.notes?.length) {
    lines.push('');
    for (const n of r.notes) lines.push(`- ${n}`);
  }
  return lines.join('\n');
}

/** The figures of a run that the history keeps: when, which commit, the load, every budget's value. */
export function historyLine(r) {
  return {
    generatedAt: r.generatedAt,
    commit: r.package?.commit ?? null,
    loadAverageAtStart: r.machine?.loadAverageAtStart?.[0] ?? null,
    budgets: Object.fromEntries((r.budgets ?? []).map((b) => [b.name, b.value])),
    held: (r.budgets ?? []).filter((b) => b.holds === true).length,
    of: (r.budgets ?? []).length,
  };
}

/** A Markdown table of the latest `count` runs of the history (newest first). */
export function renderHistory(lines, count = 6) {
  const runs = lines.slice(-count).reverse();
  if (!runs.length) return '';
  const ops = ['ensureInstance', 'getConfig', 'createSessionToken'];
  const v = (run, name, f) => (typeof run.budgets?.[name] === 'number' ? f(run.budgets[name]) : '–');
  const out = [
    `| run | commit | load | ${ops.map((op) => `\`${op}\` latency`).join(' | ')} | ${ops.map((op) => `\`${op}\` throughput`).join(' | ')} | budgets held |`,
    `|---|---|---:|${ops.map(() => '---:').join('|')}|${ops.map(() => '---:').join('|')}|---:|`,
  ];
  for (const run of runs) {
    const lat = ops.map((op) => v(run, `${op} median latency ratio`, (n) => xb(n, BUDGETS.latencyMedianRatio)));
    const thr = ops.map((op) => v(run, `${op} throughput ratio`, (n) => xb(n, BUDGETS.throughputRatio)));
    const when = String(run.generatedAt ?? '').replace('T', ' ').slice(0, 16);
    out.push(`| ${when} | ${String(run.commit ?? '').slice(0, 7)} | ${run.loadAverageAtStart ?? '–'} | ${lat.join(' | ')} | ${thr.join(' | ')} | ${run.held} of ${run.of} |`);
  }
  return out.join('\n');
}
