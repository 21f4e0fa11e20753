// Child process of the bench: the memory plateau. One client of the package makes `checkpoints`'
// last number of calls against the emulator, `concurrency` in flight, the calls of the seed flow
// in a fixed rotation (`mix`); at each checkpoint the calls in flight finish, a full GC runs, and
// memory is read (bench/memory/probe.mjs: wasm memory through the probe, JS heap used after GC,
// RSS). The emulator's request log is emptied every 5,000 calls, so that it does not grow.
//
// Settings: {entry, envUrl, clientId, clientSecret, config: {id, name}, user, checkpoints,
// concurrency, mix}. Prints {checkpoints: [{calls, seconds, failed, ...memory}]}.

import { done, fullGc, loadPackage, memory, settings } from './probe.mjs';

const s = settings();
const log = (...a) => console.error('[plateau]', ...a);
const api = loadPackage(s.entry);
const client = new api.ScalekitMcp({ envUrl: s.envUrl, clientId: s.clientId, clientSecret: s.clientSecret });
const ops = {
  getConfig: () => client.getConfig(s.config.id),
  ensureInstance: () => client.ensureInstance({ configName: s.config.name, userIdentifier: s.user }),
  createSessionToken: () => client.createSessionToken({ configId: s.config.id, identifier: s.user, expirySeconds: 1800 }),
};
const mix = s.mix.map((name) => ops[name]);
const clearLog = async () => void (await (await fetch(`${s.envUrl}/_emulator/requests`, { method: 'DELETE' })).arrayBuffer());

let next = 0;
let failed = 0;
let firstError = null;
const t0 = performance.now();
const points = [];
for (const target of s.checkpoints) {
  const worker = async () => {
    for (;;) {
      const i = next;
      if (i >= target) return;
      next += 1;
      if (i % 5000 === 4999) await clearLog();
      try {
        await mix[i % mix.length]();
      } catch (err) {
        failed += 1;
        firstError ??= `${err.name}: ${err.message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: s.concurrency }, worker));
  await fullGc();
  const seconds = (performance.now() - t0) / 1000;
  points.push({ calls: next, seconds, failed, ...memory() });
  log(`${next} calls in ${seconds.toFixed(1)} s (${failed} failed): wasm ${points.at(-1).wasmBytes} B, heap ${points.at(-1).heapUsedBytes} B`);
}
done({ checkpoints: points, firstError });
