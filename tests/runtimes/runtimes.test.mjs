// The packed package in every server-side runtime it supports, each running the whole seed flow
// against the emulator on 127.0.0.1: Node (require and import), Node with jsdom and happy-dom,
// Deno 2, Bun, Cloudflare's workerd, and a Vercel Edge bundle. The package is `npm pack`ed once
// and installed once into a consumer folder; the examples run from that folder too.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../js/emulator/index.mjs';
import { prepareConsumer, copyIntoConsumer, run, lastJson, freePort, root, bin } from './consumer.mjs';
import { checkFlowReport, checkFlowRequests, verifyJwt } from './checks.mjs';
import { bundleForWorkers, bundleForVercelEdge, writeWorkerdConfig, startWorkerd } from './edge.mjs';

let consumer;
let emulator;
const timings = {};

function credentials(tag) {
  return { envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret, tag };
}

async function timed(name, fn) {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - started;
  }
}

/** Runs a fixture in the consumer folder and returns its JSON report (failing with its output). */
async function runFixture(cmd, args, env = {}) {
  const out = await run(cmd, args, { cwd: consumer.dir, env, timeoutMs: 60_000 });
  const report = lastJson(out.stdout);
  if (!report || out.code !== 0) {
    assert.fail(`${cmd} ${args[0]} exited with ${out.code}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}`);
  }
  return report;
}

before(async () => {
  consumer = await timed('pack+install', prepareConsumer);
  copyIntoConsumer(consumer.dir, [
    ['tests/runtimes/flow.mjs', 'flow.mjs'],
    ['tests/runtimes/fixtures', '.'],
    ['examples', 'examples'],
  ]);
  emulator = await startEmulator({ port: 0 });
});

after(async () => {
  await emulator?.close();
  const parts = Object.entries(timings).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`);
  console.log(`# timings: ${parts.join(', ')}${consumer?.reused ? ' (consumer folder reused)' : ''}`);
});

test('the tarball carries an entry for every runtime, and the export conditions point at them', () => {
  const exp = consumer.manifest.exports['.'];
  assert.deepEqual(Object.keys(exp), ['types', 'workerd', 'edge-light', 'deno', 'node', 'browser', 'require', 'default']);
  assert.deepEqual(exp.node, { import: './pkg/node.mjs', require: './pkg/node.cjs' });
  // The declarations of each module format: CommonJS for `require`, ES modules otherwise, and for
  // the browser entry even when a bundler resolves it with `require`.
  assert.deepEqual(exp.types, { browser: './pkg/index.d.ts', import: './pkg/index.d.ts', require: './pkg/index.d.cts', default: './pkg/index.d.ts' });
  for (const file of ['pkg/node.cjs', 'pkg/node.mjs', 'pkg/index.js', 'pkg/workerd.js', 'pkg/edge-light.js',
    'pkg/scalekit_mcp_bg.wasm', 'pkg/index.d.ts', 'pkg/index.d.cts']) {
    assert.ok(consumer.files.includes(file), `${file} is in the tarball`);
    assert.ok(existsSync(join(consumer.packageDir, file)), `${file} is installed`);
  }
  // One .wasm for every entry, and the compiled-module entries never compile bytes themselves.
  assert.equal(consumer.files.filter((f) => f.endsWith('.wasm')).length, 1);
  const workerd = readFileSync(join(consumer.packageDir, 'pkg/workerd.js'), 'utf8');
  const edge = readFileSync(join(consumer.packageDir, 'pkg/edge-light.js'), 'utf8');
  assert.match(workerd, /from\s*["']\.\/scalekit_mcp_bg\.wasm["']/);
  assert.match(edge, /from\s*["']\.\/scalekit_mcp_bg\.wasm\?module["']/);
  for (const text of [workerd, edge]) {
    assert.ok(!/\bawait\b[^;]*\binit\b|instantiateStreaming\(|import\.meta\.url/.test(text.replace(/\/\/.*$/gm, '')),
      'no top-level await, no fetch of the .wasm');
  }
});

describe('Node', () => {
  test('require: the seed flow through the CommonJS entry', async () => {
    emulator.clearRequests();
    const report = await timed('node-require', () => runFixture(process.execPath, ['node-require.cjs', JSON.stringify(credentials('node-require'))]));
    checkFlowRequests(emulator, report);
    await checkFlowReport(report, emulator, 'node-require');
    assert.ok(report.resolved.require.endsWith('/node_modules/scalekit-mcp/pkg/node.cjs'), report.resolved.require);
    assert.ok(report.runtime.node);
  });

  test('import: the seed flow, and import and require share one instance', async () => {
    emulator.clearRequests();
    const report = await timed('node-import', () => runFixture(process.execPath, ['node-import.mjs', JSON.stringify(credentials('node-import'))]));
    checkFlowRequests(emulator, report);
    await checkFlowReport(report, emulator, 'node-import');
    assert.ok(report.resolved.import.endsWith('/node_modules/scalekit-mcp/pkg/node.mjs'), report.resolved.import);
    assert.ok(report.resolved.require.endsWith('/node_modules/scalekit-mcp/pkg/node.cjs'), report.resolved.require);
    assert.equal(report.sameClasses, true, 'import and require give the same classes');
    assert.deepEqual(report.cachedCjs, ['scalekit-mcp/pkg/node.cjs'], 'the wasm glue is loaded once');
  });

  test('the example HTTP server ensures an instance on login and returns the MCP URL', async () => {
    const mcp = new (createRequire(join(consumer.dir, 'x.js'))('scalekit-mcp').ScalekitMcp)(credentials());
    const configName = `example-node-${process.pid}`;
    const config = await mcp.createConfig({
      name: configName,
      connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails'] }],
    });
    const child = spawn(process.execPath, ['examples/node-server/server.mjs'], {
      cwd: consumer.dir,
      env: {
        ...process.env,
        SCALEKIT_ENV_URL: emulator.url,
        SCALEKIT_CLIENT_ID: emulator.clientId,
        SCALEKIT_CLIENT_SECRET: emulator.clientSecret,
        MCP_CONFIG_NAME: configName,
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [first] = await Promise.race([
        createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
        new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))),
      ]);
      const base = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
      assert.ok(base, `first line: ${first}`);
      const login = async (userId) => {
        const res = await fetch(`${base}/login`, { method: 'POST', body: JSON.stringify({ userId }) });
        return { status: res.status, body: await res.json() };
      };

      const one = await login('alice@example.com');
      assert.equal(one.status, 200);
      assert.match(one.body.instanceId, /^inst_/);
      assert.ok(one.body.mcpUrl.startsWith(`${emulator.url}/mcp/v2/instances/`));
      assert.equal(one.body.allActive, false);
      assert.deepEqual(one.body.authorize.map((a) => a.connection), ['MY_GMAIL']);

      const page = await fetch(one.body.authorize[0].link);
      assert.equal(page.status, 200);
      await page.text();

      const two = await login('alice@example.com');
      assert.equal(two.status, 200);
      assert.equal(two.body.instanceId, one.body.instanceId, 'the same instance on every login');
      assert.equal(two.body.mcpUrl, one.body.mcpUrl);
      assert.equal(two.body.allActive, true);
      assert.deepEqual(two.body.authorize, []);
      const instance = await mcp.getInstance(one.body.instanceId);
      assert.equal(instance.config.id, config.id);
      assert.equal(instance.userIdentifier, 'alice@example.com');

      const other = await login('bob@example.com');
      assert.notEqual(other.body.instanceId, one.body.instanceId, 'each user gets an instance');
      assert.equal((await login('')).status, 400);
    } finally {
      child.kill('SIGTERM');
    }
  });

  // Both leave `self` pointing at the DOM window, which has no `process`.
  const doms = [
    ['jsdom', 'node_modules/jsdom/lib/api.js', 'installed as global-jsdom does'],
    ['happy-dom', 'node_modules/happy-dom/lib/index.js', 'installed as its GlobalRegistrator does (its fetch too)'],
  ];
  for (const [kind, lib, how] of doms) {
    test(`${kind} ${how}: not mistaken for a browser`, async () => {
      emulator.clearRequests();
      const report = await timed(`node-${kind}`, () => runFixture(process.execPath, ['node-dom.mjs', kind, join(root, lib), JSON.stringify(credentials(kind))]));
      assert.ok(!report.failed, JSON.stringify(report.error));
      assert.equal(report.runtime.hasWindow, true);
      assert.equal(report.runtime.hasDocument, true);
      assert.equal(report.documentBody, 'test');
      assert.equal(report.selfIsGlobal, false);
      assert.equal(report.listed, true);
      assert.deepEqual(emulator.requests().map((e) => `${e.method} ${e.path} ${e.status}`), [
        'POST /oauth/token 200',
        'GET /api/v1/mcp/configs 200',
      ]);
    });
  }
});

test('Deno 2: the seed flow through the deno export', async () => {
  emulator.clearRequests();
  const report = await timed('deno', () => runFixture(join(bin, 'deno'), ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', 'deno.mjs', JSON.stringify(credentials('deno'))],
    { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }));
  const log = checkFlowRequests(emulator, report);
  await checkFlowReport(report, emulator, 'deno');
  assert.match(report.runtime.deno, /^2\./);
  assert.match(log[0].headers['user-agent'] ?? '', /^Deno\//, 'the requests come from Deno');
  assert.ok(report.resolved.import.endsWith('/node_modules/scalekit-mcp/pkg/index.js'), report.resolved.import);
});

test('Bun: the seed flow, and import and require share one instance', async () => {
  emulator.clearRequests();
  const report = await timed('bun', () => runFixture(join(bin, 'bun'), ['bun.mjs', JSON.stringify(credentials('bun'))]));
  const log = checkFlowRequests(emulator, report);
  await checkFlowReport(report, emulator, 'bun');
  assert.ok(report.runtime.bun);
  assert.match(log[0].headers['user-agent'] ?? '', /^Bun\//, 'the requests come from Bun');
  assert.equal(report.sameClasses, true);
  assert.ok(report.resolved.import.endsWith('/node_modules/scalekit-mcp/pkg/node.mjs'), report.resolved.import);
});

describe('Cloudflare Workers (workerd)', () => {
  let workerd;
  let bundle;
  let config;
  const out = () => join(root, '.tmp', 'workerd-bundle');

  before(async () => {
    rmSync(out(), { recursive: true, force: true });
    mkdirSync(out(), { recursive: true });
    // The example Worker's config, with one user who has authorized and one who has not.
    const mcp = new (createRequire(join(consumer.dir, 'x.js'))('scalekit-mcp').ScalekitMcp)(credentials());
    config = await mcp.createConfig({
      name: `example-worker-${process.pid}`,
      connectionToolMappings: [{ connectionName: 'MY_GMAIL' }, { connectionName: 'MY_CALENDAR' }],
    });
    for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) {
      emulator.setAccountStatus({ connectionName, identifier: 'carol@example.com', status: 'ACTIVE' });
    }
    bundle = await timed('workerd bundle', () => bundleForWorkers(consumer.dir, './workerd-entry.mjs', out()));
    const env = [
      { name: 'SCALEKIT_ENV_URL', text: emulator.url },
      { name: 'SCALEKIT_CLIENT_ID', text: emulator.clientId },
      { name: 'SCALEKIT_CLIENT_SECRET', text: emulator.clientSecret },
      { name: 'MCP_CONFIG_ID', text: config.id },
      { name: 'TAG', text: 'workerd' },
    ];
    const workers = [
      { name: 'main', port: await freePort(), esModules: { main: bundle.script, modules: bundle.modules }, bindings: env },
      // A Worker whose compatibility settings give it no `navigator` (dates before 2022-03-21,
      // or the no_global_navigator flag): still a Worker, not a browser.
      { name: 'nonav', port: await freePort(), esModules: { main: bundle.script, modules: bundle.modules }, bindings: env,
        compatibilityFlags: ['no_global_navigator'] },
    ];
    const file = writeWorkerdConfig(out(), workers);
    workerd = await timed('workerd start', () => startWorkerd(file, workers));
  });

  after(async () => {
    await workerd?.stop();
  });

  test('the bundle takes the workerd entry and a separate .wasm module', () => {
    assert.ok(bundle.inputs.some((p) => p.endsWith('node_modules/scalekit-mcp/pkg/workerd.js')), bundle.inputs.join('\n'));
    assert.ok(!bundle.inputs.some((p) => /scalekit-mcp\/pkg\/(index|edge-light|node)\./.test(p)));
    assert.equal(bundle.modules.length, 1);
    assert.match(bundle.modules[0], /-scalekit_mcp_bg\.wasm$/);
  });

  test('workerd refuses to compile WebAssembly bytes at run time', async () => {
    const res = await fetch(`${workerd.urls.main}/__test/compile-bytes`);
    const body = await res.json();
    assert.equal(body.refused, true, JSON.stringify(body));
  });

  test('the seed flow inside workerd', async () => {
    emulator.clearRequests();
    const res = await timed('workerd flow', () => fetch(`${workerd.urls.main}/__test/flow`));
    const report = await res.json();
    checkFlowRequests(emulator, report);
    await checkFlowReport(report, emulator, 'workerd');
    assert.equal(report.runtime.userAgent, 'Cloudflare-Workers');
    assert.equal(report.runtime.webSocketPair, true);
    assert.equal(report.runtime.node, null);
  });

  test('the example Worker mints session tokens, reusing one access token across requests', async () => {
    emulator.clearRequests();
    const mint = async (userId) => {
      const res = await fetch(`${workerd.urls.main}/session`, { method: 'POST', body: JSON.stringify({ userId }) });
      return { status: res.status, body: await res.json() };
    };
    const first = await mint('carol@example.com');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.mcpServerUrl, config.mcpServerUrl);
    const { claims } = await verifyJwt(first.body.token, emulator.url);
    assert.equal(claims.sub, 'carol@example.com');
    assert.equal(claims.mcp_cfg, config.id);
    assert.deepEqual([claims.aud].flat(), [config.mcpServerUrl]);
    assert.equal(claims.exp - claims.iat, 900);

    const concurrent = await Promise.all([mint('carol@example.com'), mint('carol@example.com')]);
    for (const r of concurrent) assert.equal(r.status, 200, JSON.stringify(r.body));
    const tokenRequests = emulator.requests().filter((e) => e.path === '/oauth/token');
    assert.equal(tokenRequests.length, 1, 'one access token for every request of the isolate');

    const notYet = await mint('dave@example.com');
    assert.equal(notYet.status, 409);
    assert.equal(notYet.body.error, 'FAILED_PRECONDITION');
    assert.equal((await mint('')).status, 400);
  });

  test('a Worker without `navigator` is not mistaken for a browser', async () => {
    emulator.clearRequests();
    const report = await (await fetch(`${workerd.urls.nonav}/__test/guard`)).json();
    assert.equal(report.runtime?.userAgent, null, 'this Worker has no navigator');
    assert.ok(!report.failed, `refused: ${JSON.stringify(report.error)}`);
    assert.equal(report.listed, true);
  });
});

describe('Vercel Edge (edge-light)', () => {
  let workerd;
  let bundle;
  let configName;
  const out = () => join(root, '.tmp', 'edge-bundle');

  before(async () => {
    rmSync(out(), { recursive: true, force: true });
    mkdirSync(out(), { recursive: true });
    configName = `example-edge-${process.pid}`;
    const mcp = new (createRequire(join(consumer.dir, 'x.js'))('scalekit-mcp').ScalekitMcp)(credentials());
    await mcp.createConfig({ name: configName, connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails'] }] });
    bundle = await timed('edge bundle', () => bundleForVercelEdge(consumer.dir, './edge-entry.js', out()));
    const workers = [{
      name: 'edge',
      port: await freePort(),
      serviceWorkerScript: bundle.script,
      compatibilityFlags: ['no_global_navigator'],
      bindings: [
        ...bundle.wasmBindings.map(([name, file]) => ({ name, wasmModule: file })),
        { name: 'EdgeRuntime', text: 'edge-runtime' },
        { name: 'process', json: { env: {
          SCALEKIT_ENV_URL: emulator.url,
          SCALEKIT_CLIENT_ID: emulator.clientId,
          SCALEKIT_CLIENT_SECRET: emulator.clientSecret,
          MCP_CONFIG_NAME: configName,
        } } },
      ],
    }];
    const file = writeWorkerdConfig(out(), workers);
    workerd = await timed('edge start', () => startWorkerd(file, workers));
  });

  after(async () => {
    await workerd?.stop();
  });

  test('esbuild --conditions=edge-light takes the edge-light entry, whose .wasm arrives compiled', () => {
    assert.ok(bundle.inputs.some((p) => p.endsWith('node_modules/scalekit-mcp/pkg/edge-light.js')), bundle.inputs.join('\n'));
    assert.ok(!bundle.inputs.some((p) => /scalekit-mcp\/pkg\/(index|workerd|node)\./.test(p)));
    assert.equal(bundle.wasmBindings.length, 1);
    assert.match(bundle.wasmBindings[0][0], /^wasm_[0-9a-f]{40}$/);
  });

  test('the seed flow in the edge bundle', async () => {
    emulator.clearRequests();
    const report = await timed('edge flow', async () => (await fetch(`${workerd.urls.edge}/__test/flow`)).json());
    checkFlowRequests(emulator, report);
    await checkFlowReport(report, emulator, 'edge-light');
    assert.equal(report.runtime.edgeRuntime, 'edge-runtime');
    assert.equal(report.runtime.userAgent, null);
    assert.equal(report.runtime.node, null);
  });

  test('the example route handler (runtime = "edge") answers links, then a session token', async () => {
    const info = await (await fetch(`${workerd.urls.edge}/__test/runtime`)).json();
    assert.equal(info.routeRuntime, 'edge');
    const post = async (userId) => {
      const res = await fetch(`${workerd.urls.edge}/api/mcp-session`, { method: 'POST', body: JSON.stringify({ userId }) });
      return { status: res.status, body: await res.json() };
    };
    const first = await post('erin@example.com');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.status, 'authorization_required');
    assert.match(first.body.instanceId, /^inst_/);
    assert.deepEqual(first.body.authorize.map((a) => a.connection), ['MY_GMAIL']);
    await (await fetch(first.body.authorize[0].link)).text();

    const second = await post('erin@example.com');
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.status, 'ready');
    assert.equal(second.body.instanceId, first.body.instanceId);
    const { claims } = await verifyJwt(second.body.token, emulator.url);
    assert.equal(claims.sub, 'erin@example.com');
    assert.deepEqual([claims.aud].flat(), [second.body.mcpServerUrl]);
    assert.equal((await post('')).status, 400);
  });
});
