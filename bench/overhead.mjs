#!/usr/bin/env node
// What a call through scalekit-mcp does beyond the plain fetch client, priced one step at a time.
// Starting from the baseline's `getConfig` (fetch(url, init) + res.json() + mapping), each variant
// adds one thing the package's shell does per call, and the run reports the client CPU time per
// call (64 calls in flight) and the median latency (one at a time) of every variant, interleaved.
// The last rows are the package itself.
//
//   node bench/overhead.mjs [--op=getConfig|ensureInstance] [--rounds=5] [--round-ms=1000] [--calls=1000]
//                           [--variants=A,M,P] [--json]
//
// M is the floor: the least that every attempt of the package has, by what the package promises
// (its own Headers, its own AbortController whose signal fetch gets, a timer for the call's
// deadline raced against the fetch and the body), written in plain JavaScript. Its ratios to A
// are what those pieces cost a plain client before any code of the package runs. --json prints
// the figures as JSON (for `npm run bench`) instead of the table. W is M written as the package
// drives fetch and its Response, step for step, still in plain JavaScript: what P costs beyond W
// is the package's own work (wasm, its glue, serde, its futures), not its use of fetch.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnEmulator } from './lib/emulator.mjs';
import { median } from './lib/stats.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const { values } = parseArgs({
  options: {
    op: { type: 'string', default: 'getConfig' },
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '1000' },
    calls: { type: 'string', default: '1000' },
    variants: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const emu = await spawnEmulator();
const tokenRes = await fetch(`${emu.url}/oauth/token`, {
  method: 'POST',
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret }),
});
const { access_token: token } = await tokenRes.json();
const created = await fetch(`${emu.url}/api/v1/mcp/configs`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: `overhead-${process.pid}`, connection_tool_mappings: [{ connection_name: 'MY_GMAIL', tools: ['gmail_fetch_mails'] }, { connection_name: 'MY_CALENDAR', tools: [] }] }),
});
const config = (await created.json()).config;
const configId = config.id;
const POST = values.op === 'ensureInstance';
const url = POST ? `${emu.url}/api/v1/mcp/instances` : `${emu.url}/api/v1/mcp/configs/${configId}`;
const method = POST ? 'POST' : 'GET';
// Only the POST carries a body (and its content-type), as in the package.
const body = () => (POST ? { body: JSON.stringify({ config_name: config.name, user_identifier: 'overhead-user' }) } : {});
const setBody = (headers) => POST && headers.set('content-type', 'application/json');

const mapConfigOnly = (c) => ({
  id: c.id,
  name: c.name,
  description: c.description,
  connectionToolMappings: c.connection_tool_mappings.map((m) => ({ connectionId: m.connection_id, connectionName: m.connection_name, provider: m.provider, tools: m.tools })),
  mcpServerUrl: c.mcp_server_url,
});
const mapConfig = POST
  ? (_, json) => ({ id: json.instance.id, name: json.instance.name, userIdentifier: json.instance.user_identifier, config: mapConfigOnly(json.instance.config), url: json.instance.url, lastUsedAt: null, updatedAt: json.instance.updated_at })
  : (c) => mapConfigOnly(c);
const read = (json) => mapConfig(json.config, json);

/** A fresh Headers object with what the package sends: accept, authorization, the content type. */
function packageHeaders() {
  const headers = new Headers();
  headers.set('accept', 'application/json');
  headers.set('authorization', `Bearer ${token}`);
  setBody(headers);
  return headers;
}

/** Reads the response headers the package reads. */
function readHeaders(res, names = ['x-trace-id', 'retry-after', 'content-length']) {
  for (const name of names) res.headers.get(name);
}

/** Runs `fn(race)`, where `race(p)` races `p` against a 20 s timer, cleared at the end. */
async function withTimer(fn) {
  let timer;
  const stop = new Promise((resolve) => {
    timer = setTimeout(resolve, 20_000, 'timeout');
  });
  try {
    return await fn((p) => Promise.race([p, stop]));
  } finally {
    clearTimeout(timer);
  }
}

const variants = {
  'A  baseline: fetch(url, {method, headers, body}) + res.json()': async () => {
    const headers = { authorization: `Bearer ${token}` };
    if (POST) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, ...body() });
    return read(await res.json());
  },
  'B  A + res.text() + JSON.parse': async () => {
    const headers = { authorization: `Bearer ${token}` };
    if (POST) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, ...body() });
    return read(JSON.parse(await res.text()));
  },
  'C  B + a Headers object, 2-3 set() calls, 3 get() on the response': async () => {
    const res = await fetch(url, { method, headers: packageHeaders(), ...body() });
    readHeaders(res);
    return read(JSON.parse(await res.text()));
  },
  'D  C + new AbortController() per call, its signal given to fetch': async () => {
    const ctl = new AbortController();
    const res = await fetch(url, { method, headers: packageHeaders(), ...body(), signal: ctl.signal });
    readHeaders(res);
    return read(JSON.parse(await res.text()));
  },
  'E  D + new Request(url, init), then fetch(request)': async () => {
    const ctl = new AbortController();
    const res = await fetch(new Request(url, { method, headers: packageHeaders(), ...body(), signal: ctl.signal }));
    readHeaders(res);
    return read(JSON.parse(await res.text()));
  },
  'M  C + its own AbortController and a cleared 20 s timer raced against fetch and body (the floor)': () =>
    withTimer(async (race) => {
      const ctl = new AbortController();
      const res = await race(fetch(url, { method, headers: packageHeaders(), ...body(), signal: ctl.signal }));
      readHeaders(res);
      return read(JSON.parse(await race(res.text())));
    }),
  'W  M as the package does it: an init object filled key by key, redirect manual, fetch and arrayBuffer awaited through then(), instanceof Response, 4 header reads, the bytes copied out': () =>
    withTimer(async (race) => {
      const ctl = new AbortController();
      const init = new Object();
      init.method = method;
      init.headers = packageHeaders();
      init.redirect = 'manual';
      init.signal = ctl.signal;
      if (POST) init.body = body().body;
      const res = await race(new Promise((ok, no) => globalThis.fetch(url, init).then(ok, no)));
      if (!(res instanceof Response)) throw new Error('fetch gave something else than a Response');
      readHeaders(res, ['x-trace-id', 'content-length', 'retry-after', 'location']);
      const buf = await race(new Promise((ok, no) => res.arrayBuffer().then(ok, no)));
      return read(JSON.parse(new TextDecoder().decode(new Uint8Array(buf).slice())));
    }),
  'F  E + a 20 s setTimeout per call (cleared) and a Promise race against it': () =>
    withTimer(async (race) => {
      const ctl = new AbortController();
      const res = await race(fetch(new Request(url, { method, headers: packageHeaders(), ...body(), signal: ctl.signal })));
      readHeaders(res);
      return read(JSON.parse(await race(res.text())));
    }),
};

let api = null;
// The entry `npm run bench` measures (SCALEKIT_MCP_BENCH_ENTRY), else its installed copy, else pkg/.
const installed = process.env.SCALEKIT_MCP_BENCH_ENTRY ?? join(BENCH, 'tmp', 'consumer-scalekit-mcp', 'node_modules', 'scalekit-mcp', 'pkg', 'node.cjs');
const local = join(ROOT, 'pkg', 'node.cjs');
if (existsSync(installed) || existsSync(local)) {
  api = createRequire(import.meta.url)(existsSync(installed) ? installed : local);
  const sdk = new api.ScalekitMcp({ envUrl: emu.url, clientId: emu.clientId, clientSecret: emu.clientSecret });
  const call = POST ? () => sdk.ensureInstance({ configName: config.name, userIdentifier: 'overhead-user' }) : () => sdk.getConfig(configId);
  await call();
  variants[`P  scalekit-mcp ${values.op}`] = call;
}

async function flood(fn, ms) {
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < deadline) {
        await fn();
        done += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / done, rate: (done / (performance.now() - t0)) * 1000 };
}

const picked = values.variants ? new Set(values.variants.split(',').map((v) => v.trim())) : null;
const names = Object.keys(variants).filter((n) => !picked || picked.has(n.split(' ')[0]));
if (!names.length || names[0][0] !== 'A') throw new Error('--variants must include A, the baseline the others are compared with');
for (const n of names) await flood(variants[n], 300);
const cpu = Object.fromEntries(names.map((n) => [n, []]));
const rate = Object.fromEntries(names.map((n) => [n, []]));
const lat = Object.fromEntries(names.map((n) => [n, []]));
const seqCpu = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < Number(values.rounds); r += 1) {
  for (const n of r % 2 ? [...names].reverse() : names) {
    const f = await flood(variants[n], Number(values['round-ms']));
    cpu[n].push(f.cpuUs);
    rate[n].push(f.rate);
    await emu.clearRequests();
  }
}
for (let i = 0; i < Number(values.calls); i += 1) {
  for (const n of i % 2 ? [...names].reverse() : names) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await variants[n]();
    lat[n].push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    seqCpu[n].push(c.user + c.system);
  }
  if (i % 500 === 499) await emu.clearRequests();
}
await emu.close();

const base = names[0];
if (values.json) {
  const figures = Object.fromEntries(
    names.map((n) => [n.split(' ')[0], { name: n.replace(/^\S+\s+/, ''), cpuUs: median(cpu[n]), rate: median(rate[n]), latencyMs: median(lat[n]), seqCpuUs: median(seqCpu[n]) }]),
  );
  const a = figures.A;
  for (const f of Object.values(figures)) f.ratios = { cpu: f.cpuUs / a.cpuUs, throughput: f.rate / a.rate, latency: f.latencyMs / a.latencyMs };
  console.log(JSON.stringify({ op: values.op, rounds: Number(values.rounds), roundMs: Number(values['round-ms']), calls: Number(values.calls), variants: figures }));
  process.exit(0);
}
console.log('| variant | client CPU / call (64 in flight) | Δ vs A | calls/s | median latency (1 in flight) | Δ vs A | client CPU / call (1 in flight, median) | Δ vs A |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const n of names) {
  const c = median(cpu[n]);
  const l = median(lat[n]);
  const sc = median(seqCpu[n]);
  console.log(`| ${n} | ${c.toFixed(0)} µs | ${(c - median(cpu[base])).toFixed(0)} µs | ${Math.round(median(rate[n]))} | ${(l * 1000).toFixed(0)} µs | ${((l - median(lat[base])) * 1000).toFixed(0)} µs | ${sc.toFixed(0)} µs | ${(sc - median(seqCpu[base])).toFixed(0)} µs |`);
}
process.exit(0);
