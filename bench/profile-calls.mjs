#!/usr/bin/env node
// What one call costs on the client, by CPU profile: runs the same calls through scalekit-mcp and
// through the plain fetch client (bench/baseline.mjs) against the emulator in another process,
// profiles each run with the V8 sampling profiler, and sums self time by where it is spent
// (the wasm module, the package's JavaScript, fetch/undici, the rest of Node, GC, idle).
//
//   node bench/profile-calls.mjs [--op=getConfig] [--calls=3000] [--concurrency=1] [--rounds=4] [--top=25] [--stub]
//
// --stub replaces the global fetch, after one real exchange with the emulator, by a function that
// answers the recorded response at once: no sockets, no server, so what is left is the work of
// the client alone (and of constructing a Response, the same for both).
//
// The two clients take turns (--rounds profiles of --calls/--rounds calls each) so that a change
// in the machine's load touches both alike; the figures are sums over the rounds, per call, and
// the last table is the difference, function by function: what the package adds.
//
// The package is loaded from pkg/, with its .wasm replaced by the same optimized code that keeps
// its function names (bench/profile-wasm.mjs builds it), so wasm frames have Rust names. The raw
// profiles are written to bench/tmp/*.cpuprofile (open them in Chrome DevTools).

import { cpSync, existsSync, mkdirSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BaselineClient } from './baseline.mjs';
import { spawnEmulator } from './lib/emulator.mjs';
import { demangle, tidy } from './profile-wasm.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const TMP = join(BENCH, 'tmp');

const { values } = parseArgs({
  options: {
    op: { type: 'string', default: 'getConfig' },
    calls: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '1' },
    top: { type: 'string', default: '25' },
    rounds: { type: 'string', default: '4' },
    stub: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);

/** A copy of pkg/ whose .wasm has function names (same code as the shipped one). */
async function namedPackage() {
  const dir = join(TMP, 'profile-pkg');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'pkg'), dir, { recursive: true });
  const named = join(TMP, 'wasm-profile', 'named.wasm');
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [join(BENCH, 'profile-wasm.mjs'), '--top=1'], { stdio: 'ignore' });
  if (existsSync(named)) copyFileSync(named, join(dir, 'scalekit_mcp_bg.wasm'));
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  return createRequire(join(dir, 'node.cjs'))(join(dir, 'node.cjs'));
}

function category(frame) {
  const { url, functionName } = frame.callFrame;
  if (url.startsWith('wasm://')) return url.includes('scalekit_mcp') ? 'package wasm (Rust core and shell)' : 'fetch (undici: llhttp wasm)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle (waiting for the server)';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url.includes('profile-pkg')) return 'package JavaScript (client + wasm-bindgen glue)';
  if (url.includes('baseline.mjs')) return 'baseline JavaScript';
  if (url.includes('undici')) return 'fetch (undici)';
  if (url.startsWith('node:')) return 'Node internals (streams, net, timers...)';
  if (url.includes('/bench/')) return 'benchmark loop';
  if (url === '') return `native: ${functionName || '(anonymous)'}`;
  return url;
}

function summarize(profiles, calls) {
  const cats = new Map();
  const fns = new Map();
  let total = 0;
  for (const profile of profiles) {
  const dt = new Map();
  const { samples, timeDeltas, nodes } = profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (let i = 0; i < samples.length; i += 1) dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  for (const [id, us] of dt) {
    const node = byId.get(id);
    const cat = category(node);
    total += us;
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    const f = node.callFrame;
    const name = f.url.startsWith('wasm://') ? tidy(demangle(f.functionName)).replace(/::h[0-9a-f]{16}/g, '') : f.functionName || '(anonymous)';
    const key = `${name}  [${f.url.replace(/^.*\//, '') || cat}]`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  }
  const busy = total - (cats.get('idle (waiting for the server)') ?? 0);
  return {
    totalMs: total / 1000,
    busyUsPerCall: busy / calls,
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, usPerCall: us / calls, share: us / total })),
    functions: [...fns].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, usPerCall: us / calls })),
    byFunction: new Map([...fns].map(([k, us]) => [k, us / calls])),
  };
}

/** One profiled round of `calls` calls; resolves {profile, wallMs}. */
async function profiled(session, fn, calls) {
  await session.post('Profiler.start');
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls) {
        next += 1;
        await fn();
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const { profile } = await session.post('Profiler.stop');
  return { profile, wallMs };
}

const api = await namedPackage();
const emu = await spawnEmulator();
try {
  const tokenRes = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret }),
  });
  const { access_token: token } = await tokenRes.json();
  const res = await fetch(`${emu.url}/api/v1/mcp/configs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `profile-${process.pid}`,
      connection_tool_mappings: [{ connection_name: 'MY_GMAIL', tools: ['gmail_fetch_mails'] }, { connection_name: 'MY_CALENDAR', tools: [] }],
    }),
  });
  const config = (await res.json()).config;
  for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) await emu.setAccountStatus({ connectionName, identifier: 'profile-user', status: 'ACTIVE' });
  const opts = { envUrl: emu.url, clientId: emu.clientId, clientSecret: emu.clientSecret };
  const clients = { sdk: new api.ScalekitMcp(opts), baseline: new BaselineClient(opts) };
  const call = (c) =>
    ({
      ensureInstance: () => c.ensureInstance({ configName: config.name, userIdentifier: 'profile-user' }),
      getConfig: () => c.getConfig(config.id),
      createSessionToken: () => c.createSessionToken({ configId: config.id, identifier: 'profile-user', expirySeconds: 1800 }),
    })[values.op];
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  if (values.stub) {
    const realFetch = globalThis.fetch;
    const recorded = new Map();
    const kind = (input) => (String(typeof input === 'string' ? input : input.url).includes('/oauth/token') ? 'token' : 'api');
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      recorded.set(kind(input), { status: res.status, text: await res.clone().text(), headers: [...res.headers] });
      return res;
    };
    await call(new BaselineClient(opts))();
    globalThis.fetch = async (input) => {
      const r = recorded.get(kind(input));
      return new Response(r.text, { status: r.status, headers: r.headers });
    };
  }
  const fns = { sdk: call(clients.sdk), baseline: call(clients.baseline) };
  // warm up so that both runs measure steady state, not compilation
  for (let i = 0; i < 300; i += 1) {
    await fns.sdk();
    await fns.baseline();
  }
  const perRound = Math.ceil(CALLS / ROUNDS);
  const runs = { sdk: [], baseline: [] };
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const side of r % 2 ? ['baseline', 'sdk'] : ['sdk', 'baseline']) {
      await emu.clearRequests();
      runs[side].push(await profiled(session, fns[side], perRound));
    }
  }
  session.disconnect();
  const calls = perRound * ROUNDS;
  const out = {};
  for (const side of ['sdk', 'baseline']) {
    writeFileSync(join(TMP, `${side}-${values.op}.cpuprofile`), JSON.stringify(runs[side][0].profile));
    const wall = runs[side].reduce((a, x) => a + x.wallMs, 0);
    out[side] = { wallUsPerCall: (wall * 1000) / calls, ...summarize(runs[side].map((x) => x.profile), calls) };
  }
  const top = Number(values.top);
  console.log(`${values.op}: ${calls} calls, ${CONCURRENCY} in flight, ${ROUNDS} rounds in turns${values.stub ? ', fetch stubbed' : ''}; µs per call\n`);
  for (const side of ['sdk', 'baseline']) {
    const p = out[side];
    console.log(`== ${side}: wall ${p.wallUsPerCall.toFixed(0)} µs/call, client CPU (not idle) ${p.busyUsPerCall.toFixed(0)} µs/call`);
    for (const c of p.categories.filter((c) => c.usPerCall >= 1)) console.log(`  ${c.usPerCall.toFixed(1).padStart(8)}  ${(c.share * 100).toFixed(1).padStart(5)}%  ${c.name}`);
    console.log('  top functions (self time):');
    for (const f of p.functions.slice(0, top)) console.log(`  ${f.usPerCall.toFixed(1).padStart(8)}  ${f.name.slice(0, 140)}`);
    console.log('');
  }
  const catDiff = new Map();
  for (const side of ['sdk', 'baseline']) {
    for (const c of out[side].categories) catDiff.set(c.name, (catDiff.get(c.name) ?? 0) + (side === 'sdk' ? c.usPerCall : -c.usPerCall));
  }
  console.log('== what the package adds, by category (sdk − baseline, µs per call)');
  for (const [name, d] of [...catDiff].sort((a, b) => b[1] - a[1]).filter(([, d]) => Math.abs(d) >= 1)) console.log(`  ${d.toFixed(1).padStart(8)}  ${name}`);
  const fnDiff = new Map();
  for (const [k, v] of out.sdk.byFunction) fnDiff.set(k, v);
  for (const [k, v] of out.baseline.byFunction) fnDiff.set(k, (fnDiff.get(k) ?? 0) - v);
  console.log('\n== what the package adds, by function (sdk − baseline, µs per call, largest first)');
  for (const [name, d] of [...fnDiff].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${d.toFixed(1).padStart(8)}  ${name.slice(0, 140)}`);
  for (const side of ['sdk', 'baseline']) delete out[side].byFunction;
  writeFileSync(join(TMP, `profile-${values.op}.json`), JSON.stringify(out, null, 2));
} finally {
  await emu.close();
}
