#!/usr/bin/env node
// The two builds side by side in one process: the committed package (serde_json reads the body's
// bytes) and the JSON.parse variant (bench/tmp/variant-json-parse, made by build.sh), with the
// plain fetch client as the floor, against one emulator. Taking turns call by call (latency) and
// round by round (throughput, client CPU) puts the machine's changing load on all three alike,
// so the variant/serde ratio is read directly rather than from two runs of bench/run.mjs.
//
//   node bench/experiments/json-parse/ab.mjs [--calls=2000] [--rounds=12] [--round-ms=1000]
//
// Prints a Markdown table and writes bench/experiments/json-parse/ab-results.json.

import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BaselineClient } from '../../baseline.mjs';
import { spawnEmulator } from '../../lib/emulator.mjs';
import { median, roundDeep, sorted } from '../../lib/stats.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const VARIANT = join(ROOT, 'bench', 'tmp', 'variant-json-parse');
const { values: argv } = parseArgs({
  options: { calls: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '12' }, 'round-ms': { type: 'string', default: '1000' } },
});
const CALLS = Number(argv.calls);
const ROUNDS = Number(argv.rounds);
const ROUND_MS = Number(argv['round-ms']);
const USER = 'ab-user';
const log = (...a) => console.error('[ab]', ...a);

if (!existsSync(join(VARIANT, 'pkg', 'node.cjs'))) {
  console.error(`${VARIANT}/pkg is not built: run bash bench/experiments/json-parse/build.sh`);
  process.exit(1);
}
const require = createRequire(import.meta.url);
const serde = require(join(ROOT, 'pkg', 'node.cjs'));
const parse = require(join(VARIANT, 'pkg', 'node.cjs'));

const emu = await spawnEmulator();
try {
  const token = (await (await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret }),
  })).json()).access_token;
  const created = await (await fetch(`${emu.url}/api/v1/mcp/configs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `ab-${process.pid}`, description: 'A/B', connection_tool_mappings: [{ connection_name: 'MY_GMAIL', tools: ['gmail_fetch_mails'] }, { connection_name: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] }] }),
  })).json();
  const config = created.config;
  for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) await emu.setAccountStatus({ connectionName, identifier: USER, status: 'ACTIVE' });

  const opts = { envUrl: emu.url, clientId: emu.clientId, clientSecret: emu.clientSecret };
  const clients = { serde: new serde.ScalekitMcp(opts), parse: new parse.ScalekitMcp(opts), baseline: new BaselineClient(opts) };
  const SIDES = Object.keys(clients);
  const ops = (c) => ({
    ensureInstance: () => c.ensureInstance({ configName: config.name, userIdentifier: USER }),
    getConfig: () => c.getConfig(config.id),
    createSessionToken: () => c.createSessionToken({ configId: config.id, identifier: USER, expirySeconds: 1800 }),
  });
  const calls = Object.fromEntries(SIDES.map((s) => [s, ops(clients[s])]));
  const OPS = Object.keys(calls.serde);

  // The same objects from all three, or the comparison means nothing.
  for (const op of OPS) {
    const seen = await Promise.all(SIDES.map(async (s) => {
      const v = structuredClone(await calls[s][op]());
      delete v.token;
      delete v.expiresAt;
      return JSON.stringify(v);
    }));
    if (new Set(seen).size !== 1) throw new Error(`${op}: the clients return different objects: ${seen.join(' / ')}`);
  }

  const out = { calls: CALLS, rounds: ROUNDS, roundMs: ROUND_MS, latency: {}, throughput: {} };
  const order = (i) => SIDES.map((_, k) => SIDES[(k + i) % SIDES.length]);
  for (const op of OPS) {
    log(`latency ${op}`);
    for (let i = 0; i < 200; i += 1) for (const s of SIDES) await calls[s][op]();
    await emu.clearRequests();
    const t = Object.fromEntries(SIDES.map((s) => [s, new Float64Array(CALLS)]));
    for (let i = 0; i < CALLS; i += 1) {
      for (const s of order(i)) {
        const t0 = performance.now();
        await calls[s][op]();
        t[s][i] = performance.now() - t0;
      }
      if (i % 500 === 499) await emu.clearRequests();
    }
    const med = Object.fromEntries(SIDES.map((s) => [s, median(sorted(t[s]))]));
    const blocks = (a, b) => {
      const size = Math.floor(CALLS / 8);
      const r = Array.from({ length: 8 }, (_, k) => median(sorted(t[a].subarray(k * size, (k + 1) * size))) / median(sorted(t[b].subarray(k * size, (k + 1) * size))));
      return [Math.min(...r), Math.max(...r)];
    };
    out.latency[op] = {
      medianMs: med,
      serdeRatio: med.serde / med.baseline, serdeRange: blocks('serde', 'baseline'),
      parseRatio: med.parse / med.baseline, parseRange: blocks('parse', 'baseline'),
      parseVsSerde: med.parse / med.serde, parseVsSerdeRange: blocks('parse', 'serde'),
    };
  }

  const flood = async (fn, ms) => {
    let inWindow = 0;
    let done = 0;
    const cpu0 = process.cpuUsage();
    const deadline = performance.now() + ms;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (performance.now() < deadline) {
        await fn();
        done += 1;
        if (performance.now() <= deadline) inWindow += 1;
      }
    }));
    const cpu = process.cpuUsage(cpu0);
    return { rate: (inWindow / ms) * 1000, cpu: (cpu.user + cpu.system) / done };
  };
  for (const op of OPS) {
    log(`throughput ${op}`);
    for (const s of SIDES) await flood(calls[s][op], 1000);
    const rounds = Object.fromEntries(SIDES.map((s) => [s, []]));
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const s of order(r)) {
        rounds[s].push(await flood(calls[s][op], ROUND_MS));
        await emu.clearRequests();
      }
    }
    const pair = (a, b, key) => {
      const rs = rounds[a].map((x, i) => x[key] / rounds[b][i][key]);
      return { median: median(rs), range: [Math.min(...rs), Math.max(...rs)] };
    };
    out.throughput[op] = {
      callsPerSecond: Object.fromEntries(SIDES.map((s) => [s, median(rounds[s].map((x) => x.rate))])),
      cpuUsPerCall: Object.fromEntries(SIDES.map((s) => [s, median(rounds[s].map((x) => x.cpu))])),
      serde: pair('serde', 'baseline', 'rate'), parse: pair('parse', 'baseline', 'rate'), parseVsSerde: pair('parse', 'serde', 'rate'),
      serdeCpu: pair('serde', 'baseline', 'cpu'), parseCpu: pair('parse', 'baseline', 'cpu'), parseVsSerdeCpu: pair('parse', 'serde', 'cpu'),
    };
  }

  const x = (v) => `${v.toFixed(2)}×`;
  const rg = (r) => ` (${r[0].toFixed(2)}–${r[1].toFixed(2)})`;
  const lines = [
    `Both builds and the plain fetch client in one process, taking turns; ${CALLS} calls per method for latency, ${ROUNDS} rounds of ${ROUND_MS / 1000} s for throughput; in brackets the lowest and highest ratio of 8 blocks or of the rounds.`,
    '',
    '| | serde_json / baseline | JSON.parse / baseline | JSON.parse / serde_json |',
    '|---|---:|---:|---:|',
  ];
  for (const op of OPS) {
    const v = out.latency[op];
    lines.push(`| \`${op}\` median latency | ${x(v.serdeRatio)}${rg(v.serdeRange)} | ${x(v.parseRatio)}${rg(v.parseRange)} | ${x(v.parseVsSerde)}${rg(v.parseVsSerdeRange)} |`);
  }
  for (const op of OPS) {
    const v = out.throughput[op];
    lines.push(`| \`${op}\` calls per second, 64 in flight | ${x(v.serde.median)}${rg(v.serde.range)} | ${x(v.parse.median)}${rg(v.parse.range)} | ${x(v.parseVsSerde.median)}${rg(v.parseVsSerde.range)} |`);
    lines.push(`| \`${op}\` client CPU per call | ${x(v.serdeCpu.median)}${rg(v.serdeCpu.range)} | ${x(v.parseCpu.median)}${rg(v.parseCpu.range)} | ${x(v.parseVsSerdeCpu.median)}${rg(v.parseVsSerdeCpu.range)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  out.generatedAt = new Date().toISOString();
  writeFileSync(join(HERE, 'ab-results.json'), `${JSON.stringify(roundDeep(out, 4), null, 2)}\n`);
} finally {
  await emu.close();
}
process.exit(0);
