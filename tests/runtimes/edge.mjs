// Bundling a consumer the way the edge platforms do, and running the bundle in the real workerd.
//
// Cloudflare (wrangler): esbuild with the conditions `workerd, worker, browser`; every imported
// `.wasm` file is uploaded beside the script as a compiled-module part, and the import names it.
//
// Vercel Edge (Next.js `runtime = 'edge'`, Vercel Edge Functions): the `edge-light` condition;
// `import wasm from './x.wasm?module'` becomes a global binding `wasm_<sha1 of the file>` that the
// platform fills with a WebAssembly.Module compiled at deploy time (Next's
// next-middleware-wasm-loader, Vercel's edge-wasm-plugin); the runtime has an `EdgeRuntime`
// global and `process.env`, and refuses to compile wasm bytes at run time. Vercel runs edge code
// in V8 isolates; workerd, started here with the script in service-worker form and those globals
// as bindings, plays that part.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { bin, waitForHttp } from './consumer.mjs';

const sha1 = (buf) => createHash('sha1').update(buf).digest('hex');

/** esbuild plugin: `.wasm` imports become separate module parts, as wrangler uploads them. */
function wranglerWasm(outDir, modules) {
  return {
    name: 'wrangler-wasm',
    setup(b) {
      b.onResolve({ filter: /\.wasm(\?module)?$/ }, (args) => {
        const file = join(args.resolveDir, args.path.replace(/\?module$/, ''));
        const bytes = readFileSync(file);
        const name = `${sha1(bytes).slice(0, 16)}-${basename(file)}`;
        copyFileSync(file, join(outDir, name));
        modules.set(name, file);
        return { path: `./${name}`, external: true };
      });
    },
  };
}

/** esbuild plugin: `*.wasm?module` becomes the global `wasm_<sha1>`, as Vercel's bundlers do. */
function vercelWasm(outDir, bindings) {
  return {
    name: 'vercel-wasm',
    setup(b) {
      b.onResolve({ filter: /\.wasm\?module$/i }, (args) => {
        const file = join(args.resolveDir, args.path.replace(/\?module$/i, ''));
        const bytes = readFileSync(file);
        const name = `wasm_${sha1(bytes)}`;
        copyFileSync(file, join(outDir, `${name}.wasm`));
        bindings.set(name, `${name}.wasm`);
        return { path: name, namespace: 'vercel-wasm' };
      });
      b.onLoad({ filter: /.*/, namespace: 'vercel-wasm' }, (args) => ({
        loader: 'js',
        contents: `export default globalThis[${JSON.stringify(args.path)}];`,
      }));
      // An edge runtime has no way to load a plain `.wasm` import or to compile bytes.
      b.onResolve({ filter: /\.wasm$/ }, (args) => ({
        errors: [{ text: `plain .wasm import "${args.path}" from ${args.importer}: not loadable on Vercel Edge` }],
      }));
    },
  };
}

/** Bundles `entry` (inside the consumer folder) for workerd; returns {script, modules, inputs}. */
export async function bundleForWorkers(consumerDir, entry, outDir) {
  mkdirSync(outDir, { recursive: true });
  const modules = new Map();
  const result = await build({
    absWorkingDir: consumerDir,
    entryPoints: [entry],
    outfile: join(outDir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [wranglerWasm(outDir, modules)],
    metafile: true,
    logLevel: 'silent',
  });
  return { script: 'worker.js', modules: [...modules.keys()], inputs: Object.keys(result.metafile.inputs), warnings: result.warnings };
}

/** Bundles `entry` for Vercel Edge; returns {script, wasmBindings, inputs}. */
export async function bundleForVercelEdge(consumerDir, entry, outDir) {
  mkdirSync(outDir, { recursive: true });
  const bindings = new Map();
  const result = await build({
    absWorkingDir: consumerDir,
    entryPoints: [entry],
    outfile: join(outDir, 'edge.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    // Next.js edge builds have listed `node` among their conditions: `edge-light` must win.
    conditions: ['edge-light', 'worker', 'browser', 'node'],
    plugins: [vercelWasm(outDir, bindings)],
    metafile: true,
    logLevel: 'silent',
  });
  return { script: 'edge.js', wasmBindings: [...bindings.entries()], inputs: Object.keys(result.metafile.inputs), warnings: result.warnings };
}

const str = (s) => JSON.stringify(String(s));

function bindingList(bindings) {
  return bindings
    .map((b) => {
      if (b.text !== undefined) return `(name = ${str(b.name)}, text = ${str(b.text)})`;
      if (b.json !== undefined) return `(name = ${str(b.name)}, json = ${str(JSON.stringify(b.json))})`;
      if (b.wasmModule !== undefined) return `(name = ${str(b.name)}, wasmModule = embed ${str(b.wasmModule)})`;
      throw new Error(`unknown binding ${JSON.stringify(b)}`);
    })
    .join(',\n      ');
}

/**
 * Writes a workerd config with one socket per worker, all on 127.0.0.1, whose outbound fetches
 * may reach loopback (the emulator). Each worker: {name, port, compatibilityFlags?, bindings?,
 * and either esModules: {main, modules: [wasm names]} or serviceWorkerScript}.
 */
export function writeWorkerdConfig(dir, workers) {
  const services = workers.map((w) => `(name = ${str(w.name)}, worker = .${w.name}Worker)`);
  services.push('(name = "internet", network = (allow = ["public", "local"]))');
  const sockets = workers.map((w) => `(name = ${str(`${w.name}-http`)}, address = ${str(`127.0.0.1:${w.port}`)}, http = (), service = ${str(w.name)})`);
  const defs = workers.map((w) => {
    const code = w.serviceWorkerScript
      ? `serviceWorkerScript = embed ${str(w.serviceWorkerScript)},`
      : `modules = [
      (name = ${str(w.esModules.main)}, esModule = embed ${str(w.esModules.main)}),
      ${w.esModules.modules.map((m) => `(name = ${str(m)}, wasm = embed ${str(m)})`).join(',\n      ')}
    ],`;
    return `const ${w.name}Worker :Workerd.Worker = (
    ${code}
    compatibilityDate = ${str(w.compatibilityDate ?? '2025-09-01')},
    compatibilityFlags = [${(w.compatibilityFlags ?? []).map(str).join(', ')}],
    bindings = [
      ${bindingList(w.bindings ?? [])}
    ],
    globalOutbound = "internet",
  );`;
  });
  const text = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')}
  ],
  sockets = [
    ${sockets.join(',\n    ')}
  ],
);
${defs.join('\n')}
`;
  const file = join(dir, 'config.capnp');
  writeFileSync(file, text);
  return file;
}

/** Starts `workerd serve config` and waits until every worker's socket answers; returns {stop, urls, logs()}. */
export async function startWorkerd(configFile, workers) {
  const child = spawn(join(bin, 'workerd'), ['serve', basename(configFile), '--verbose'], {
    cwd: dirname(configFile),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const urls = Object.fromEntries(workers.map((w) => [w.name, `http://127.0.0.1:${w.port}`]));
  try {
    await Promise.race([
      Promise.all(Object.values(urls).map((u) => waitForHttp(`${u}/__ready`, 20_000))),
      exited.then(({ code }) => { throw new Error(`workerd exited with ${code}:\n${logs}`); }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    urls,
    logs: () => logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

