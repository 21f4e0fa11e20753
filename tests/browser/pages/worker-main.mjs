// The message handler every worker kind shares: load the package's browser entry, run a probe.
import { refusals, allowed } from './probe.mjs';

export async function handle({ entry, phase, creds, name }) {
  const api = await import(entry);
  if (phase === 'refusals') return refusals(api, creds);
  if (phase === 'allowed') return allowed(api, creds, name);
  throw new Error(`unknown phase ${phase}`);
}

export function reply(port) {
  return async (e) => {
    try {
      port.postMessage(await handle(e.data));
    } catch (err) {
      port.postMessage({ error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` });
    }
  };
}
