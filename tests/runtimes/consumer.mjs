// The package as users get it: `npm pack` of the built package, installed with
// `npm install <tarball>` into a fresh consumer folder. The folder is keyed by the tarball's hash,
// so the runtime and browser suites of one `npm test` share one install.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = join(root, 'node_modules/.bin');
const work = join(root, '.tmp');

/** Runs a command to its end; resolves {code, stdout, stderr}. Never rejects on a non-zero exit. */
export function run(cmd, args, { cwd = root, env = {}, timeoutMs = 120_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
    });
  });
}

/** The last line of `stdout` that parses as a JSON object. */
export function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line);
    } catch {
      // not the report line
    }
  }
  return null;
}

/** A free TCP port on 127.0.0.1 (for programs that cannot be told to pick one and report it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers at all (any status), or throws after `timeoutMs`. */
export async function waitForHttp(url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${last?.message}`);
}

/**
 * Packs the built package and installs it into a consumer folder; returns
 * {dir, tarball, packageDir, manifest, reused, packMs, installMs}.
 */
export async function prepareConsumer() {
  if (!existsSync(join(root, 'pkg/scalekit_mcp_bg.wasm'))) {
    throw new Error('pkg/ is not built: run `bash scripts/build.sh` first');
  }
  mkdirSync(work, { recursive: true });
  const packDir = join(tmpdir(), `scalekit-mcp-pack-${process.pid}`);
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });

  let started = Date.now();
  const packed = await run('npm', ['pack', '--json', '--pack-destination', packDir], { timeoutMs: 60_000 });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [{ filename, files }] = JSON.parse(packed.stdout);
  const tarballPath = join(packDir, filename);
  const packMs = Date.now() - started;

  const hash = createHash('sha256').update(readFileSync(tarballPath)).digest('hex').slice(0, 16);
  const dir = join(work, `consumer-${hash}`);
  const tarball = join(work, `scalekit-mcp-${hash}.tgz`);
  const ready = join(dir, '.installed');
  let installMs = 0;
  let reused = true;
  if (!existsSync(ready)) {
    reused = false;
    for (const entry of readdirSync(work)) {
      if (/^consumer-|^scalekit-mcp-.*\.tgz$/.test(entry)) rmSync(join(work, entry), { recursive: true, force: true });
    }
    cpSync(tarballPath, tarball);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
    started = Date.now();
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    if (installed.code !== 0) throw new Error(`npm install of the tarball failed:\n${installed.stderr}`);
    installMs = Date.now() - started;
    writeFileSync(ready, `${new Date().toISOString()}\n`);
  }
  rmSync(packDir, { recursive: true, force: true });
  const packageDir = join(dir, 'node_modules/scalekit-mcp');
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  return { dir, tarball, packageDir, manifest, files: files.map((f) => f.path), reused, packMs, installMs };
}

/** Copies test fixtures and examples into the consumer folder, so they import the installed package. */
export function copyIntoConsumer(consumerDir, entries) {
  for (const [from, to] of entries) {
    cpSync(join(root, from), join(consumerDir, to), { recursive: true, filter: (src) => !src.split(/[\\/]/).includes('node_modules') });
  }
}

/** Fails a step of a suite whose earlier steps did not get as far as it needs. */
export function need(value, what) {
  if (!value) throw new Error(`not run: ${what} failed earlier`);
  return value;
}

/** One `# timings:` line of how long a suite's steps took, for the test log. */
export function printTimings(timings) {
  console.log(`# timings: ${Object.entries(timings).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
}

/** A client of the package installed in the consumer folder `dir`, on `emulator`. */
export function installedClient(dir, emulator) {
  const { ScalekitMcp } = createRequire(join(dir, 'x.js'))('scalekit-mcp');
  return new ScalekitMcp({ envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret });
}

/** POSTs `body` (sent as it is when a string, else as JSON) to `url`: {status, body}, the body parsed, or {unparsed} when it is not JSON. */
export async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: { unparsed: text.slice(0, 500) } };
  }
}

/** How many access tokens `emulator` has handed out. */
export const tokenRequests = (emulator) => emulator.requests().filter((e) => e.path === '/oauth/token').length;
