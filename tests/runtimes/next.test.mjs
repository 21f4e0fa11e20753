// examples/next-edge as a user runs it: the packed package installed into a copy of the example,
// `next build`, then `next start`, for the newest Next.js 15 (webpack) and the newest Next.js 16
// (Turbopack). The example has the same handler on two routes: /api/mcp-session on the Edge
// runtime and /api/mcp-session-node on the Node.js runtime. Real requests on 127.0.0.1 against the
// emulator, started here: links until the user has authorized, then a session token that an MCP
// client accepts; 8 concurrent requests on each route. Then `next dev`, which compiles the routes
// on their first request, answers both.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../js/emulator/index.mjs';
import { prepareConsumer, run, freePort, need, printTimings, installedClient, postJson, tokenRequests as countTokens } from './consumer.mjs';
import { agentUses, verifyJwt } from './checks.mjs';
import { NEXT_VERSIONS, ensureInstalled, exampleRanges, nextPins, nextTool, prepareExample, startServer, tally } from './tools.mjs';

const TOOLS = ['gmail_fetch_mails'];
let consumer;
let emulator;
let configName;
const timings = {};

before(async () => {
  consumer = await prepareConsumer();
  emulator = await startEmulator({ port: 0 });
  configName = `example-next-${process.pid}`;
  await installedClient(consumer.dir, emulator).createConfig({ name: configName, connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: TOOLS }] });
});

after(async () => {
  await emulator?.close();
  printTimings(timings);
});

const tokenRequests = () => countTokens(emulator);

for (const version of NEXT_VERSIONS) {
  const major = version.split('.')[0];
  describe(`Next.js ${version}: next build, next start`, () => {
    const state = {};
    const post = (path, userId) => postJson(`${need(state.base, 'next start')}${path}`, { userId });

    after(async () => {
      await state.server?.stop();
    });

    test(`installs next ${version} and the packed package into a copy of the example`, async () => {
      const ranges = exampleRanges('next-edge');
      const pins = nextPins(version);
      const { name, manifest } = nextTool(version);
      const tool = await ensureInstalled(name, manifest);
      timings[`next ${major} install`] = tool.ms;
      const semverOf = createRequire(join(tool.dir, 'node_modules', 'x.js'))('semver');
      for (const [name, pinned] of Object.entries(pins)) {
        assert.ok(semverOf.satisfies(pinned, ranges[name]), `${name} ${pinned} satisfies the example's ${ranges[name]}`);
      }
      const project = await prepareExample({ name: `next-${version}`, example: 'next-edge', toolDir: tool.dir, tarball: consumer.tarball });
      timings[`next ${major} copy`] = project.ms;
      const installed = JSON.parse(readFileSync(join(project.dir, 'node_modules/next/package.json'), 'utf8'));
      assert.equal(installed.version, version);
      // the variables the example asks for, where a Next.js project keeps them
      writeFileSync(join(project.dir, '.env.local'), [
        `SCALEKIT_ENV_URL=${emulator.url}`,
        `SCALEKIT_CLIENT_ID=${emulator.clientId}`,
        `SCALEKIT_CLIENT_SECRET=${emulator.clientSecret}`,
        `MCP_CONFIG_NAME=${configName}`,
        '',
      ].join('\n'));
      state.dir = project.dir;
    });

    test('next build builds the Edge route (the .wasm as a compiled module) and the Node.js route', async () => {
      const dir = need(state.dir, 'the install');
      const started = Date.now();
      const out = await run('npm', ['run', 'build'], { cwd: dir, env: { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' }, timeoutMs: 600_000 });
      timings[`next ${major} build`] = Date.now() - started;
      assert.equal(out.code, 0, `next build failed:\n${out.stdout}\n${out.stderr}`);
      const middleware = JSON.parse(readFileSync(join(dir, '.next/server/middleware-manifest.json'), 'utf8'));
      const edge = middleware.functions?.['/api/mcp-session/route'];
      assert.ok(edge, `the Edge route is an edge function: ${JSON.stringify(Object.keys(middleware.functions ?? {}))}`);
      assert.equal(edge.wasm?.length, 1, `one .wasm binding: ${JSON.stringify(edge.wasm)}`);
      assert.ok(!middleware.functions['/api/mcp-session-node/route'], 'the Node.js route is not an edge function');
      const appPaths = JSON.parse(readFileSync(join(dir, '.next/server/app-paths-manifest.json'), 'utf8'));
      assert.ok(appPaths['/api/mcp-session-node/route'], JSON.stringify(appPaths));
      // What Vercel deploys for a Node.js function is what Next's output tracing lists: the
      // package's Node entry and its .wasm must be among it.
      const trace = join(dir, '.next/server/app/api/mcp-session-node/route.js.nft.json');
      assert.ok(existsSync(trace), `${trace} exists`);
      const files = JSON.parse(readFileSync(trace, 'utf8')).files.map((f) => f.replaceAll('\\', '/'));
      assert.ok(files.some((f) => f.endsWith('node_modules/scalekit-mcp/pkg/scalekit_mcp_bg.wasm')), `traced: ${files.filter((f) => f.includes('scalekit')).join(', ') || files.length}`);
      state.built = true;
    });

    test('next start serves both routes', async () => {
      need(state.built, 'next build');
      const port = await freePort();
      const started = Date.now();
      state.server = await startServer('npm', ['run', 'start', '--', '-p', String(port), '-H', '127.0.0.1'], {
        cwd: state.dir,
        env: { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
        ready: /Ready in/,
      });
      timings[`next ${major} start`] = Date.now() - started;
      state.base = `http://127.0.0.1:${port}`;
    });

    for (const [path, runtime] of [['/api/mcp-session', 'Edge'], ['/api/mcp-session-node', 'Node.js']]) {
      const tag = runtime === 'Edge' ? 'edge' : 'node';
      test(`${runtime} runtime (${path}): links until the user has authorized, then a session token an MCP client accepts`, async () => {
        need(state.base, 'next start');
        emulator.clearRequests();
        const user = `${tag}-${major}-${process.pid}@example.com`;
        const first = await post(path, user);
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assert.equal(first.body.status, 'authorization_required', JSON.stringify(first.body));
        assert.match(first.body.instanceId, /^inst_/);
        assert.deepEqual(first.body.authorize.map((a) => a.connection), ['MY_GMAIL']);
        const again = await post(path, user);
        assert.equal(again.body.status, 'authorization_required', 'still pending until the link is opened');
        assert.equal(again.body.instanceId, first.body.instanceId);

        const page = await fetch(again.body.authorize[0].link);
        assert.equal(page.status, 200);
        await page.text();

        const ready = await post(path, user);
        assert.equal(ready.status, 200, JSON.stringify(ready.body));
        assert.equal(ready.body.status, 'ready', JSON.stringify(ready.body));
        assert.equal(ready.body.instanceId, first.body.instanceId, 'the same instance on every request');
        const { claims } = await verifyJwt(ready.body.token, emulator.url);
        assert.equal(claims.sub, user);
        assert.deepEqual([claims.aud].flat(), [ready.body.mcpServerUrl]);
        assert.equal(claims.exp - claims.iat, 900);
        assert.deepEqual(await agentUses(ready.body.mcpServerUrl, ready.body.token, user, 'next-test'), TOOLS);

        assert.equal((await post(path, '')).status, 400);
        const bad = await fetch(`${state.base}${path}`, { method: 'POST', body: 'not json' });
        assert.equal(bad.status, 400);
        await bad.text();
        assert.equal(tokenRequests(), 1, 'one access token for the requests of this route');
      });

      test(`${runtime} runtime (${path}): 8 concurrent requests, each a session token for its user`, async () => {
        need(state.base, 'next start');
        const users = Array.from({ length: 8 }, (_, i) => `${tag}-${major}-burst-${i}@example.com`);
        for (const identifier of users) emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier, status: 'ACTIVE' });
        emulator.clearRequests();
        const answers = await Promise.all(users.map((u) => post(path, u)));
        const bad = answers.filter((a) => a.status !== 200 || a.body.status !== 'ready');
        assert.equal(bad.length, 0, `${bad.length} of 8 were not a ready token: ${tally(bad, (a) => `${a.status} ${JSON.stringify(a.body).slice(0, 120)}`)}`);
        for (const [i, a] of answers.entries()) {
          const { claims } = await verifyJwt(a.body.token, emulator.url);
          assert.equal(claims.sub, users[i]);
        }
        assert.equal(tokenRequests(), 0, 'the access token of the earlier requests serves these too');
      });
    }

    test('next dev answers both routes too', async () => {
      need(state.base, 'next start');
      await state.server.stop();
      state.server = null;
      const port = await freePort();
      const started = Date.now();
      state.server = await startServer('npm', ['run', 'dev', '--', '-p', String(port), '-H', '127.0.0.1'], {
        cwd: state.dir,
        env: { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
        ready: /Ready in/,
      });
      state.base = `http://127.0.0.1:${port}`;
      const user = `dev-${major}-${process.pid}@example.com`;
      emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: user, status: 'ACTIVE' });
      for (const path of ['/api/mcp-session', '/api/mcp-session-node']) {
        const answer = await post(path, user); // the first request compiles the route
        assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}\n${state.server.logs().slice(-3000)}`);
        assert.equal(answer.body.status, 'ready', JSON.stringify(answer.body));
        const { claims } = await verifyJwt(answer.body.token, emulator.url);
        assert.equal(claims.sub, user);
      }
      timings[`next ${major} dev`] = Date.now() - started;
    });
  });
}
