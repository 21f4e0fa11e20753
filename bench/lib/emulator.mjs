// The emulator the benchmarks run against, in its own Node process so that its work does not
// share the measured client's event loop or CPU time. Its controls are plain HTTP under
// /_emulator/.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from '../../js/emulator/index.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../js/emulator/cli.mjs', import.meta.url));
const FALLBACK = fileURLToPath(new URL('./emulator-child.mjs', import.meta.url));

/** Reads the emulator's URL (and credentials, when printed) from the first line it writes. */
function parseFirstLine(line) {
  try {
    const json = JSON.parse(line);
    if (json && typeof json === 'object' && typeof json.url === 'string') return json;
  } catch {
    // not JSON: a human-readable line with the URL in it
  }
  const m = /https?:\/\/[^\s"'<>]+/.exec(line);
  if (!m) throw new Error(`the emulator's first line has no URL: ${line}`);
  return { url: m[0].replace(/[.,;)]+$/, '') };
}

/**
 * Starts `node js/emulator/cli.mjs --port 0` and resolves
 * {url, clientId, clientSecret, pid, control(method, path, body), counters(), close()}.
 */
export async function spawnEmulator() {
  const args = existsSync(CLI) ? [CLI, '--port', '0'] : [FALLBACK];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator printed nothing in 15 s\n${stderr}`)), 15_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}) before printing its URL\n${stderr}`));
    });
  });
  lines.on('line', () => {}); // keep draining its output
  const info = parseFirstLine(first);
  const url = info.url.replace(/\/+$/, '');

  async function control(method, path, body) {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  return {
    url,
    clientId: info.clientId ?? info.client_id ?? DEFAULT_CLIENT_ID,
    clientSecret: info.clientSecret ?? info.client_secret ?? DEFAULT_CLIENT_SECRET,
    pid: child.pid,
    control,
    async counters() {
      const c = await control('GET', 'counters');
      return { tokenRequests: c.token_requests ?? c.tokenRequests, apiRequests: c.api_requests ?? c.apiRequests };
    },
    /** Empties the request log so that it does not grow through 100 000 calls. */
    clearRequests: () => control('DELETE', 'requests'),
    setAccountStatus: ({ connectionName, identifier, status }) =>
      control('POST', 'accounts', { connection_name: connectionName, identifier, status }),
    close() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
