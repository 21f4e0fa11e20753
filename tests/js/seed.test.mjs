// The seed flow on the built package, loaded once with `import` and once with `require`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from 'scalekit-mcp';
import { startEmulator, clientFor, verifyJwt, uniqueName, createMailCalendarConfig } from './helpers.mjs';

const cjs = createRequire(import.meta.url)('scalekit-mcp');
let emulator;

before(async () => {
  emulator = await startEmulator({ port: 0 });
});
after(() => emulator?.close());

test('import and require share one wasm instance and one set of classes', () => {
  assert.equal(esm.ScalekitMcp, cjs.ScalekitMcp);
  assert.equal(esm.NotFoundError, cjs.NotFoundError);
  assert.ok(new esm.NotFoundError('x') instanceof cjs.ScalekitError);
});

for (const [loader, api] of [['import', esm], ['require', cjs]]) {
  test(`seed flow through ${loader}`, async () => {
    const mcp = clientFor(api, emulator);
    const name = uniqueName(loader);

    const config = await createMailCalendarConfig(mcp, name);
    assert.match(config.id, /^cfg_/);
    assert.equal(config.name, name);
    assert.equal(config.description, 'Reads email and creates calendar reminders');
    assert.deepEqual(config.connectionToolMappings.map((m) => [m.connectionName, m.tools]), [
      ['MY_GMAIL', ['gmail_fetch_mails']],
      ['MY_CALENDAR', ['googlecalendar_create_event']],
    ]);
    for (const m of config.connectionToolMappings) {
      assert.match(m.connectionId, /^conn_/);
      assert.ok(m.provider.length > 0);
    }
    assert.ok(config.mcpServerUrl.startsWith(`${emulator.url}/`));

    const user = `user-${loader}@example.com`;
    const instance = await mcp.ensureInstance({ configName: name, userIdentifier: user });
    assert.match(instance.id, /^inst_/);
    assert.equal(instance.userIdentifier, user);
    assert.equal(instance.config.id, config.id);
    assert.ok(instance.url.startsWith(`${emulator.url}/`));
    assert.equal(instance.lastUsedAt, null);
    assert.ok(!Number.isNaN(Date.parse(instance.updatedAt)));
    const again = await mcp.ensureInstance({ configName: name, userIdentifier: user });
    assert.equal(again.id, instance.id, 'ensureInstance is idempotent');
    assert.equal(again.url, instance.url);

    const pending = await mcp.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true });
    assert.equal(pending.allActive, false);
    assert.deepEqual(pending.connections.map((c) => c.connectionName).sort(), ['MY_CALENDAR', 'MY_GMAIL']);
    for (const c of pending.connections) {
      assert.equal(c.connectedAccountStatus, 'PENDING_AUTH');
      assert.match(c.connectedAccountId, /^ca_/);
      assert.ok(c.authenticationLink.startsWith(`${emulator.url}/`));
    }

    // the user opens each link and grants access
    for (const c of pending.connections) {
      const page = await fetch(c.authenticationLink);
      assert.equal(page.status, 200);
      await page.text();
    }

    const ready = await mcp.getInstanceAuthState({ instanceId: instance.id });
    assert.equal(ready.allActive, true);
    for (const c of ready.connections) {
      assert.equal(c.connectedAccountStatus, 'ACTIVE');
      assert.equal(c.authenticationLink, '');
    }

    const session = await mcp.createSessionToken({ configId: config.id, identifier: user, expirySeconds: 900 });
    const expiresIn = Date.parse(session.expiresAt) - Date.now();
    assert.ok(expiresIn > 880_000 && expiresIn <= 901_000, `expiresAt ${session.expiresAt}`);
    const { header, claims, ok } = await verifyJwt(session.token, emulator.url);
    assert.equal(ok, true, 'signature verifies against /keys');
    assert.equal(header.alg, 'RS256');
    assert.equal(claims.sub, user);
    assert.deepEqual([claims.aud].flat(), [config.mcpServerUrl]);
    assert.equal(claims.mcp_cfg, config.id);
    assert.equal(claims.exp, Math.floor(Date.parse(session.expiresAt) / 1000));
    assert.equal(claims.ca_ids.length, 2);
  });
}

test('fromEnv reads SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET', async () => {
  const saved = { ...process.env };
  try {
    process.env.SCALEKIT_ENV_URL = emulator.url;
    process.env.SCALEKIT_CLIENT_ID = emulator.clientId;
    process.env.SCALEKIT_CLIENT_SECRET = emulator.clientSecret;
    const mcp = esm.ScalekitMcp.fromEnv();
    assert.equal(mcp.envUrl, emulator.url);
    const { configs } = await mcp.listConfigs({ pageSize: 1 });
    assert.ok(Array.isArray(configs));
    delete process.env.SCALEKIT_CLIENT_SECRET;
    assert.throws(() => esm.ScalekitMcp.fromEnv(), (err) => err instanceof esm.ValidationError && err.field === 'clientSecret');
  } finally {
    for (const key of ['SCALEKIT_ENV_URL', 'SCALEKIT_CLIENT_ID', 'SCALEKIT_CLIENT_SECRET']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
});

test('results are plain objects with no wasm handles', async () => {
  const mcp = clientFor(esm, emulator);
  const config = await createMailCalendarConfig(mcp);
  assert.equal(Object.getPrototypeOf(config), Object.prototype);
  assert.equal(typeof config.free, 'undefined');
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
});
