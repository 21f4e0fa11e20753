// examples/cloudflare-worker as a user runs it: the packed package installed into a copy of the
// example, `wrangler dev` in local mode (no login; wrangler bundles the Worker, uploads the .wasm
// as a compiled module and runs it in its workerd), on the newest wrangler that installs on Node 20
// and on the newest wrangler (on the newer Node it asks for). Real requests on 127.0.0.1 against
// the emulator, started here: a cold burst of 8 concurrent requests as the first thing the Worker
// sees, then 20 concurrent warm requests (three rounds), all 200 with one access token for all
// of them; then the documented requests one by one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEmulator } from '../../js/emulator/index.mjs';
import { prepareConsumer, freePort, need, printTimings, installedClient, postJson, tokenRequests as countTokens } from './consumer.mjs';
import { agentUses, verifyJwt } from './checks.mjs';
import { WRANGLERS, ensureInstalled, ensureNode, exampleRanges, wranglerTool, prepareExample, startServer, tally } from './tools.mjs';

let consumer;
let emulator;
let mcp;
let config;
const timings = {};

before(async () => {
  consumer = await prepareConsumer();
  emulator = await startEmulator({ port: 0 });
  mcp = installedClient(consumer.dir, emulator);
  config = await mcp.createConfig({
    name: `example-wrangler-${process.pid}`,
    connectionToolMappings: [{ connectionName: 'MY_GMAIL' }, { connectionName: 'MY_CALENDAR' }],
  });
});

after(async () => {
  await emulator?.close();
  printTimings(timings);
});

function authorize(identifier) {
  for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) emulator.setAccountStatus({ connectionName, identifier, status: 'ACTIVE' });
}

const tokenRequests = () => countTokens(emulator);

/** Checks that every answer is a 200 session token for its user; the message counts what else came back. */
async function expectTokens(answers, users, what, logs) {
  const bad = answers.filter((a) => a.status !== 200);
  if (bad.length) {
    const io = [...new Set(logs().split('\n').filter((l) => /different request|I\/O|hung|Error/.test(l)).map((l) => l.trim()))].slice(0, 5);
    assert.fail(`${bad.length} of ${answers.length} ${what} did not answer 200: ${tally(bad, (a) => `${a.status} ${JSON.stringify(a.body).slice(0, 80)}`)}`
      + `${io.length ? `\nwrangler's log:\n${io.join('\n')}` : ''}`);
  }
  for (const [i, a] of answers.entries()) {
    const { claims } = await verifyJwt(a.body.token, emulator.url);
    assert.equal(claims.sub, users[i]);
    assert.equal(claims.mcp_cfg, config.id);
    assert.equal(a.body.mcpServerUrl, config.mcpServerUrl);
  }
}

for (const { version, node } of WRANGLERS) {
  describe(`wrangler ${version}: wrangler dev (local mode)`, () => {
    const state = {};
    const post = (body, path = '/session') => postJson(`${need(state.base, 'wrangler dev')}${path}`, body);

    after(async () => {
      await state.server?.stop();
    });

    test(`installs wrangler ${version}${node ? ` and Node ${node}` : ''}, and the packed package into a copy of the example`, async () => {
      const started = Date.now();
      const nodeBin = node ? await ensureNode(node) : { bin: process.execPath, version: process.versions.node };
      const pathPrefix = [dirname(nodeBin.bin)];
      const { name, manifest } = wranglerTool(version);
      const tool = await ensureInstalled(name, manifest, { pathPrefix });
      timings[`wrangler ${version} install`] = Date.now() - started;
      const range = exampleRanges('cloudflare-worker').wrangler;
      const semver = createRequire(join(tool.dir, 'node_modules', 'x.js'))('semver');
      assert.ok(semver.satisfies(version, range), `wrangler ${version} satisfies the example's ${range}`);
      const engines = JSON.parse(readFileSync(join(tool.dir, 'node_modules/wrangler/package.json'), 'utf8')).engines?.node;
      assert.ok(semver.satisfies(nodeBin.version, engines), `Node ${nodeBin.version} satisfies wrangler's engines ${engines}`);
      const project = await prepareExample({ name: `wrangler-${version}`, example: 'cloudflare-worker', toolDir: tool.dir, tarball: consumer.tarball, pathPrefix });
      timings[`wrangler ${version} copy`] = project.ms;
      // wrangler.toml's [vars] point at a real environment; .dev.vars overrides them in local
      // development and holds the secret, as the example's comments say.
      writeFileSync(join(project.dir, '.dev.vars'), [
        `SCALEKIT_ENV_URL=${emulator.url}`,
        `SCALEKIT_CLIENT_ID=${emulator.clientId}`,
        `SCALEKIT_CLIENT_SECRET=${emulator.clientSecret}`,
        `MCP_CONFIG_ID=${config.id}`,
        '',
      ].join('\n'));
      state.dir = project.dir;
      state.pathPrefix = pathPrefix;
      state.nodeVersion = nodeBin.version;
    });

    test('wrangler dev starts without a login', async () => {
      const dir = need(state.dir, 'the install');
      const [port, inspector] = [await freePort(), await freePort()];
      const started = Date.now();
      state.server = await startServer('npm', ['run', 'dev', '--', '--ip', '127.0.0.1', '--port', String(port),
        '--inspector-port', String(inspector), '--show-interactive-dev-session=false'], {
        cwd: dir,
        env: {
          PATH: [...state.pathPrefix, process.env.PATH].join(':'),
          WRANGLER_SEND_METRICS: 'false',
          XDG_CONFIG_HOME: join(dir, '.config'),
          NO_COLOR: '1',
          FORCE_COLOR: '0',
        },
        ready: /Ready on (http:\/\/127\.0\.0\.1:\d+)/,
      });
      timings[`wrangler ${version} start`] = Date.now() - started;
      state.base = state.server.match[1];
      assert.match(state.server.logs(), new RegExp(`wrangler ${version.replaceAll('.', '\\.')}`));
      assert.doesNotMatch(state.server.logs(), /wrangler login|not logged in/i);
    });

    test('a cold burst: 8 concurrent requests as the first the Worker sees, all 200, one access token', async () => {
      need(state.base, 'wrangler dev');
      emulator.clearRequests();
      const users = Array.from({ length: 8 }, (_, i) => `cold-${i}@example.com`);
      users.forEach(authorize);
      const answers = await Promise.all(users.map((userId) => post({ userId })));
      await expectTokens(answers, users, 'cold requests', state.server.logs);
      assert.equal(tokenRequests(), 1, 'one access token for the whole burst');
    });

    test('20 concurrent warm requests, three rounds, all 200, on the same access token', async () => {
      need(state.base, 'wrangler dev');
      const users = Array.from({ length: 20 }, (_, i) => `warm-${i}@example.com`);
      users.forEach(authorize);
      const answers = [];
      for (let round = 0; round < 3; round += 1) answers.push(...await Promise.all(users.map((userId) => post({ userId }))));
      await expectTokens(answers, [...users, ...users, ...users], 'warm requests', state.server.logs);
      assert.equal(tokenRequests(), 1, 'still the access token of the burst');
    });

    test('the documented requests: 409 until the user has authorized, then a session token an MCP client accepts', async () => {
      need(state.base, 'wrangler dev');
      const user = `dave-${version}@example.com`;
      const notYet = await post({ userId: user });
      assert.equal(notYet.status, 409, JSON.stringify(notYet.body));
      assert.equal(notYet.body.error, 'FAILED_PRECONDITION');

      // The user opens the authorization links (which the app got from listConnectedAccounts).
      const { connectedAccounts } = await mcp.listConnectedAccounts({ configId: config.id, identifier: user, includeAuthLink: true });
      for (const account of connectedAccounts) {
        const page = await fetch(account.authenticationLink);
        assert.equal(page.status, 200);
        await page.text();
      }

      const ready = await post({ userId: user });
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      const { claims } = await verifyJwt(ready.body.token, emulator.url);
      assert.equal(claims.sub, user);
      assert.equal(claims.exp - claims.iat, 900);
      assert.ok(Date.parse(ready.body.expiresAt) > Date.now());

      const tools = await agentUses(ready.body.mcpServerUrl, ready.body.token, user, 'wrangler-test');
      assert.ok(tools.includes('gmail_fetch_mails'), tools.join(', '));

      assert.equal((await post({ userId: '' })).status, 400);
      assert.equal((await post('not json')).status, 400);
      assert.equal((await post({ userId: user }, '/other')).status, 404);
      assert.equal(tokenRequests(), 1, 'one access token for every request the Worker served');
    });
  });
}
