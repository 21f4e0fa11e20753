// The packed package in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// a page that imports it through its `browser` export, and module, classic and shared workers.
// A client holding the client secret is refused with BrowserEnvironmentError before any request
// (the emulator's request log stays empty); `dangerouslyAllowBrowser: true` opts out, and then
// the page really talks to the emulator (cross-origin, with CORS).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../js/emulator/index.mjs';
import { prepareConsumer } from '../runtimes/consumer.mjs';
import { startStaticServer } from './static-server.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

let consumer;
let emulator;
let site;
let browser;
let page;
const consoleLines = [];
let nameCounter = 0;

const creds = () => ({ envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret });

before(async () => {
  consumer = await prepareConsumer();
  emulator = await startEmulator({ port: 0 });
  site = await startStaticServer({ consumerDir: consumer.dir, manifest: consumer.manifest });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await emulator?.close();
  if (consoleLines.length) console.log(`# browser console:\n# ${consoleLines.join('\n# ')}`);
});

test('the page loads the package through its browser export and the .wasm from beside it', () => {
  assert.equal(site.entry, '/node_modules/scalekit-mcp/pkg/index.js');
  const served = site.served();
  assert.ok(served.includes('/node_modules/scalekit-mcp/pkg/index.js'));
  assert.ok(served.includes('/node_modules/scalekit-mcp/pkg/scalekit_mcp_bg.wasm'));
});

/** Checks one refusal: the class, the code, a message that says why and what to do, no secret. */
function assertRefused(view, where) {
  assert.equal(view.resolved, undefined, `${where}: expected a refusal, got ${JSON.stringify(view.value)}`);
  assert.equal(view.name, 'BrowserEnvironmentError', `${where}: ${view.name}: ${view.message}`);
  assert.equal(view.isBrowserEnvironmentError, true, where);
  assert.equal(view.isScalekitError, true, where);
  assert.equal(view.isError, true, where);
  assert.equal(view.code, 'BROWSER_ENVIRONMENT', where);
  assert.equal(view.status, null, where);
  assert.match(view.message, /browser/i, where);
  assert.match(view.message, /client secret/i, `${where}: says why`);
  assert.match(view.message, /server/i, `${where}: says what to do`);
  assert.match(view.message, /dangerouslyAllowBrowser: true/, `${where}: names the opt-out`);
  for (const text of [view.message, view.json ?? '', view.stack]) {
    assert.ok(!text.includes(emulator.clientSecret), `${where}: the secret does not appear`);
  }
}

/** Runs `fn` and checks that the emulator received nothing while it ran. */
async function nothingSent(fn) {
  emulator.clearRequests();
  const before = emulator.counters();
  const result = await fn();
  assert.deepEqual(emulator.requests(), [], 'the emulator received no request');
  assert.deepEqual(emulator.counters(), before);
  return result;
}

function assertRefusals(report, where) {
  assertRefused(report.constructed, `${where} constructor`);
  assertRefused(report.withFalse, `${where} constructor with dangerouslyAllowBrowser: false`);
  const names = Object.keys(report.methods);
  assert.deepEqual(names, ['createConfig', 'ensureInstance', 'getInstanceAuthState', 'createSessionToken',
    'listConfigs', 'deleteInstance', 'waitForAuth', 'configsIterator']);
  for (const name of names) assertRefused(report.methods[name], `${where} ${name}()`);
}

async function assertAllowed(report, name, where) {
  assert.equal(report.result.resolved, true, `${where}: ${report.result.name}: ${report.result.message}`);
  const { configId, configName, instanceId, instanceConfigId } = report.result.value;
  assert.match(configId, /^cfg_/);
  assert.equal(configName, name);
  assert.match(instanceId, /^inst_/);
  assert.equal(instanceConfigId, configId);
  const log = emulator.requests();
  assert.deepEqual(log.map((e) => `${e.method} ${e.path} ${e.status}`), [
    'POST /oauth/token 200',
    'POST /api/v1/mcp/configs 200',
    'POST /api/v1/mcp/instances 200',
  ]);
  for (const entry of log) assert.equal(entry.headers.origin, site.url, 'sent cross-origin by the page');
  assert.match(log[0].headers['user-agent'], /Chrome\//);
}

describe('window', () => {
  test('is a browser: a window with a document', async () => {
    const context = await page.evaluate(() => window.scalekitProbe.context());
    assert.equal(context.hasDocument, true);
    assert.equal(context.constructorName, 'Window');
  });

  test('a client with a secret is refused, and every credentialed method too; nothing is sent', async () => {
    const report = await nothingSent(() => page.evaluate((c) => window.scalekitProbe.refusals(c), creds()));
    assertRefusals(report, 'window');
  });

  test('dangerouslyAllowBrowser: true opts out, and the page reaches the emulator', async () => {
    emulator.clearRequests();
    const name = `browser-window-${process.pid}-${++nameCounter}`;
    const report = await page.evaluate(([c, n]) => window.scalekitProbe.allowed(c, n), [creds(), name]);
    await assertAllowed(report, name, 'window');
  });
});

for (const kind of ['module', 'classic', 'shared']) {
  describe(`${kind} worker`, () => {
    test('a client with a secret is refused, and every credentialed method too; nothing is sent', async () => {
      const report = await nothingSent(() => page.evaluate(([k, c]) => window.scalekitProbe.inWorker(k, { phase: 'refusals', creds: c }), [kind, creds()]));
      assert.equal(report.context.hasDocument, false, 'a worker has no document');
      assert.equal(report.context.workerGlobalScope, 'function');
      assert.equal(report.context.importScripts, 'function', 'browser workers of every kind have importScripts');
      assertRefusals(report, `${kind} worker`);
    });

    test('dangerouslyAllowBrowser: true opts out, and the worker reaches the emulator', async () => {
      emulator.clearRequests();
      const name = `browser-${kind}-${process.pid}-${++nameCounter}`;
      const report = await page.evaluate(([k, c, n]) => window.scalekitProbe.inWorker(k, { phase: 'allowed', creds: c, name: n }), [kind, creds(), name]);
      await assertAllowed(report, name, `${kind} worker`);
    });
  });
}
