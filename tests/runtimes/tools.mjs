// The tools users run the examples with (Next.js, wrangler, and the newer Node that the newest
// wrangler asks for), installed from the npm registry into a cache outside the checkout, and the
// examples as users get them: a copy of the example folder with the packed scalekit-mcp installed
// into it.
//
// The cache: one folder per tool version, keyed by the exact manifest it was installed from (the
// example's package.json with the tool versions pinned), the platform and this file's layout
// version. A folder is installed under a temporary name and renamed when the install succeeded,
// so it is either complete or absent, and it is never written again: each run copies it (a second
// or two) into `.tmp/runtimes/` of the checkout and installs the tarball there. That is why reusing
// it is safe across runs and checkouts: the only package that changes between runs, scalekit-mcp,
// is installed fresh each time and checked against pkg/ byte for byte.
//
// To try newer versions, change the tables below; the README's runtime table names the versions.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, run } from './consumer.mjs';

/** Next.js: the newest 15 and the newest 16 on the registry when these were set (2026-12-04). */
export const NEXT_VERSIONS = ['15.5.29', '16.5.0'];
export const REACT_VERSION = '19.3.1';

/**
 * wrangler: the newest that installs on Node 20 (4.86.0, engines `>=20.3.0`; from 4.87.0 on it
 * asks for Node 22), which is what `npm install wrangler` gives a Node 20 user, and the newest
 * overall, which needs Node >= 22.12 and runs on the Node below.
 */
export const WRANGLERS = [
  { version: '4.86.0', node: null },
  { version: '4.164.0', node: '22.23.5' },
];

/** What the Next.js suite pins in examples/next-edge for `version`. */
export const nextPins = (version) => ({ next: version, react: REACT_VERSION, 'react-dom': REACT_VERSION });

/** The cache entries the suites install, as {name, manifest}: the same ones in the tests and in `install` below. */
export const nextTool = (version) => ({ name: `next-${version}`, manifest: exampleManifest('next-edge', nextPins(version)) });
export const wranglerTool = (version) => ({ name: `wrangler-${version}`, manifest: exampleManifest('cloudflare-worker', { wrangler: version }) });

/** The agent recipes' frameworks that are not dev dependencies of the package (LangChain, Mastra). */
const RECIPE_ONLY = ['@langchain/mcp-adapters', '@langchain/core', '@langchain/langgraph', '@mastra/mcp', '@mastra/core', 'zod'];
export function recipeTool() {
  const manifest = exampleManifest('agents', {});
  manifest.dependencies = Object.fromEntries(Object.entries(manifest.dependencies).filter(([name]) => RECIPE_ONLY.includes(name)));
  return { name: 'agent-recipes', manifest };
}

const LAYOUT = 1;
export const cacheRoot = process.env.SCALEKIT_MCP_TOOL_CACHE || join(homedir(), '.cache', 'scalekit-mcp', 'tools');
const work = join(root, '.tmp', 'runtimes');

const sha = (data) => createHash('sha256').update(data).digest('hex');

/**
 * Installs `manifest` (a package.json object) with `npm install` into a cache folder named after
 * it, unless that folder is already complete. Returns {dir, cached, ms}. Throws with npm's output
 * when the install fails.
 */
export async function ensureInstalled(name, manifest, { pathPrefix = [] } = {}) {
  const key = sha(JSON.stringify({ manifest, platform: process.platform, arch: process.arch, layout: LAYOUT })).slice(0, 12);
  const dir = join(cacheRoot, `${name}-${key}`);
  if (existsSync(join(dir, '.installed'))) return { dir, cached: true, ms: 0 };
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const started = Date.now();
  const env = pathPrefix.length ? { PATH: [...pathPrefix, process.env.PATH].join(':') } : {};
  const out = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env, timeoutMs: 600_000 });
  if (out.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install of ${name} failed (exit ${out.code}):\n${out.stdout}\n${out.stderr}`);
  }
  const ms = Date.now() - started;
  writeFileSync(join(tmp, '.installed'), `${new Date().toISOString()} ${ms} ms\n`);
  if (existsSync(join(dir, '.installed'))) {
    rmSync(tmp, { recursive: true, force: true }); // another run finished the same install first
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  // older installs of the same tool (other manifests) are left for `rm -rf` of the cache
  return { dir, cached: false, ms };
}

const nodePackage = () => `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

/**
 * The path of a Node binary of at least `version`'s major.minor: this process's Node when it is
 * new enough, otherwise the registry's `node-<platform>-<arch>` package of exactly `version`.
 * Returns {bin, version, cached, ms}.
 */
export async function ensureNode(version) {
  const [wantMajor, wantMinor] = version.split('.').map(Number);
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) {
    return { bin: process.execPath, version: process.versions.node, cached: true, ms: 0 };
  }
  const pkg = nodePackage();
  const installed = await ensureInstalled(`node-${version}`, { name: `node-${version}`, private: true, dependencies: { [pkg]: version } });
  const bin = join(installed.dir, 'node_modules', pkg, 'bin', 'node');
  const out = await run(bin, ['--version']);
  if (out.stdout.trim() !== `v${version}`) throw new Error(`${bin} --version printed ${JSON.stringify(out.stdout)}`);
  return { bin, version, ...installed };
}

/** The example's package.json with scalekit-mcp left out (installed from the tarball later) and `pins` applied. */
export function exampleManifest(example, pins) {
  const manifest = JSON.parse(readFileSync(join(root, 'examples', example, 'package.json'), 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    if (!manifest[field]) continue;
    delete manifest[field]['scalekit-mcp'];
    for (const [name, version] of Object.entries(pins)) {
      if (name in manifest[field]) manifest[field][name] = version;
    }
  }
  for (const name of Object.keys(pins)) {
    if (!manifest.dependencies?.[name] && !manifest.devDependencies?.[name]) {
      throw new Error(`examples/${example}/package.json does not depend on ${name}`);
    }
  }
  return manifest;
}

/** The version ranges the example asks for, before pinning (so a test can check a pin satisfies them). */
export function exampleRanges(example) {
  const manifest = JSON.parse(readFileSync(join(root, 'examples', example, 'package.json'), 'utf8'));
  return { ...manifest.devDependencies, ...manifest.dependencies };
}

/**
 * A copy of `examples/<example>` as a user has it after `npm install`: the cached install of its
 * tools copied to `.tmp/runtimes/<name>`, the example's own files over it, and the packed tarball
 * installed with `npm install <tarball>`. Returns {dir, ms}.
 */
export async function prepareExample({ name, example, toolDir, tarball, pathPrefix = [] }) {
  const started = Date.now();
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const copied = await run('cp', ['-a', toolDir, dir]);
  if (copied.code !== 0) cpSync(toolDir, dir, { recursive: true });
  rmSync(join(dir, '.installed'), { force: true });
  const source = join(root, 'examples', example);
  for (const entry of readdirSync(source)) {
    if (entry === 'package.json' || entry === 'node_modules') continue;
    cpSync(join(source, entry), join(dir, entry), { recursive: true });
  }
  const env = pathPrefix.length ? { PATH: [...pathPrefix, process.env.PATH].join(':') } : {};
  const out = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', tarball], { cwd: dir, env, timeoutMs: 300_000 });
  if (out.code !== 0) throw new Error(`npm install ${tarball} in ${dir} failed:\n${out.stdout}\n${out.stderr}`);
  const installed = readFileSync(join(dir, 'node_modules/scalekit-mcp/pkg/scalekit_mcp_bg.wasm'));
  const built = readFileSync(join(root, 'pkg/scalekit_mcp_bg.wasm'));
  if (sha(installed) !== sha(built)) throw new Error(`${dir}: the installed scalekit-mcp is not the one in pkg/`);
  return { dir, ms: Date.now() - started };
}

/**
 * Starts a long-running command (a dev or production server) in its own process group, collecting
 * its output; resolves once `ready` (a RegExp) matches the output, with {child, logs(), match, stop()}.
 * Rejects with the output when the command exits first or `timeoutMs` passes.
 */
export function startServer(cmd, args, { cwd, env = {}, ready, timeoutMs = 90_000 }) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let logs = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    killGroup('SIGKILL'); // children that outlived their parent
  };
  process.once('exit', () => killGroup('SIGKILL'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${cmd} ${args.join(' ')} was not ready within ${timeoutMs} ms:\n${logs}`));
    }, timeoutMs);
    const onData = (d) => {
      logs += d;
      const match = ready.exec(logs);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.on('data', (more) => { logs += more; });
        child.stderr.on('data', (more) => { logs += more; });
        resolve({ child, match, logs: () => logs, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')} exited (${code ?? signal}) before it was ready:\n${logs}`));
    });
  });
}

/** Counts of `key(item)`, as "3 × a, 1 × b" for failure messages. */
export function tally(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
}

// `node tests/runtimes/tools.mjs install`: fills the cache ahead of a test run (setup.sh --runtimes).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === 'install') {
  const say = (s) => console.error(`[tools] ${s}`);
  const done = (what, r) => say(`${what}: ${r.cached ? 'cached' : `installed in ${(r.ms / 1000).toFixed(1)} s`} (${r.dir ?? r.bin})`);
  for (const version of NEXT_VERSIONS) {
    const { name, manifest } = nextTool(version);
    done(`next ${version}`, await ensureInstalled(name, manifest));
  }
  for (const w of WRANGLERS) {
    const node = w.node ? await ensureNode(w.node) : null;
    if (node) done(`node ${node.version}`, node);
    const { name, manifest } = wranglerTool(w.version);
    done(`wrangler ${w.version}`, await ensureInstalled(name, manifest, { pathPrefix: node ? [join(node.bin, '..')] : [] }));
  }
  const recipes = recipeTool();
  done('agent recipes (LangChain, Mastra)', await ensureInstalled(recipes.name, recipes.manifest));
}
