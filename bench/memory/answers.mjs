// Child process of the bench: large and hostile answers, one after another, on one client of the
// package, in a fresh process (see bench/memory/probe.mjs for how memory is read).
//
// Settings: {entry, envUrl, phases: [{name, configId, count, markBytes?}]}. `configId` names what
// the answers server (bench/lib/answers-server.mjs) sends. For each phase, in order: `count`
// sequential `getConfig` calls; how they ended (the result's `id`, or the error's class and
// message); the longest event-loop delay while they ran (perf_hooks.monitorEventLoopDelay, 1 ms
// resolution); each call's duration; and memory after a full GC. With `markBytes`, the time from
// the moment the package's body reader has been handed more than `markBytes` bytes (the read that
// passes the mark resolves) to the moment the call's promise rejects.
//
// Prints {before, phases: [...]} as one JSON line; `before` is memory after one small answer.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { done, fullGc, loadPackage, memory, settings } from './probe.mjs';
import { summary } from '../lib/stats.mjs';

const { entry, envUrl, phases } = settings();
const log = (...a) => console.error('[answers]', ...a);

// Counts the bytes the package's body reader is handed, when a phase asks for a mark. The
// package reads response bodies with `body.getReader()` and `reader.read()`; wrapping the
// prototype's `read` adds one promise reaction per chunk and nothing else.
const mark = { active: false, limit: 0, bytes: 0, at: null };
const read = ReadableStreamDefaultReader.prototype.read;
ReadableStreamDefaultReader.prototype.read = function readCounted(...args) {
  return read.apply(this, args).then((r) => {
    if (mark.active && r && !r.done && r.value) {
      mark.bytes += r.value.byteLength;
      if (mark.at === null && mark.bytes > mark.limit) mark.at = performance.now();
    }
    return r;
  });
};

const api = loadPackage(entry);
const client = new api.ScalekitMcp({ envUrl, clientId: 'bench', clientSecret: 'bench-secret', maxRetries: 0, timeoutMs: 120_000 });

// One small answer first: the access token, the code paths warmed, the baseline memory.
const small = await client.getConfig('inflated-100');
if (small.id !== 'x') throw new Error(`unexpected small answer ${JSON.stringify(small)}`);
await fullGc();
const before = memory();

const out = [];
for (const phase of phases) {
  log(`${phase.name}: ${phase.count} x ${phase.configId}`);
  const outcomes = {};
  const durations = [];
  const markToError = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let i = 0; i < phase.count; i += 1) {
    Object.assign(mark, { active: phase.markBytes !== undefined, limit: phase.markBytes ?? 0, bytes: 0, at: null });
    const t0 = performance.now();
    let key;
    try {
      const r = await client.getConfig(phase.configId);
      key = `ok: id ${JSON.stringify(r.id)}`;
    } catch (err) {
      const t = performance.now();
      if (mark.at !== null) markToError.push(t - mark.at);
      key = `${err.name}: ${err.message}`;
    }
    durations.push(performance.now() - t0);
    mark.active = false;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  delay.disable();
  await fullGc();
  out.push({
    name: phase.name,
    configId: phase.configId,
    count: phase.count,
    outcomes,
    eventLoopDelayMaxMs: delay.max / 1e6,
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    callMs: summary(durations),
    markToErrorMs: markToError.length ? summary(markToError) : null,
    markedCalls: markToError.length,
    after: memory(),
  });
}
done({ before, phases: out });
