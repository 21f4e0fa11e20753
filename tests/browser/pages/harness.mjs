// Loaded by the test page: the package through the import map in the window, and the same probes
// in a module worker, a classic worker and a shared worker, which load the package's browser
// entry by URL (import maps do not reach workers).
import * as api from 'scalekit-mcp';
import { refusals, allowed, describeContext } from './probe.mjs';

const entry = JSON.parse(document.querySelector('script[type=importmap]').textContent).imports['scalekit-mcp'];

function viaPort(port, message) {
  return new Promise((resolve, reject) => {
    port.onmessage = (e) => (e.data?.error ? reject(new Error(e.data.error)) : resolve(e.data));
    port.onmessageerror = () => reject(new Error('message error'));
    port.postMessage(message);
  });
}

function inWorker(kind, message) {
  const full = { ...message, entry };
  if (kind === 'module') {
    const w = new Worker('/pages/worker.mjs', { type: 'module' });
    w.onerror = (e) => console.error('worker error', e.message);
    return viaPort(w, full).finally(() => w.terminate());
  }
  if (kind === 'classic') {
    const w = new Worker('/pages/classic-worker.js');
    w.onerror = (e) => console.error('worker error', e.message);
    return viaPort(w, full).finally(() => w.terminate());
  }
  if (kind === 'shared') {
    const w = new SharedWorker('/pages/shared-worker.mjs', { type: 'module', name: `shared-${Math.random()}` });
    w.port.start();
    return viaPort(w.port, full);
  }
  throw new Error(`unknown worker kind ${kind}`);
}

window.scalekitProbe = {
  context: describeContext,
  refusals: (creds) => refusals(api, creds),
  allowed: (creds, name) => allowed(api, creds, name),
  inWorker,
};
document.getElementById('status').textContent = 'ready';
