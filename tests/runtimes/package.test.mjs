// The packed package as the packaging linters see it, and as CommonJS consumers of the emulator
// see it: `publint --strict` and `attw` (Are the Types Wrong?) on the tarball that the other
// runtime suites install, the emulator subpath through `require`, and the entries' way of turning
// the .wasm into an instance.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepareConsumer, run, bin, lastJson, root } from './consumer.mjs';
import { NEXT_VERSIONS, REACT_VERSION, WRANGLERS, cacheRoot } from './tools.mjs';

let consumer;

before(async () => {
  consumer = await prepareConsumer();
});

test('publint --strict finds nothing in the tarball', async () => {
  const out = await run(join(bin, 'publint'), ['run', '--strict', consumer.tarball], { env: { NO_COLOR: '1' } });
  const text = `${out.stdout}${out.stderr}`;
  assert.equal(out.code, 0, text);
  assert.doesNotMatch(text, /Errors:|Warnings:|Suggestions:/, text);
});

test('attw: every entry point resolves to matching types under node10, node16 (CJS and ESM) and bundler', async () => {
  // The .wasm subpath is a file for bundlers and wrangler to import, with no types by nature.
  const out = await run(join(bin, 'attw'), [consumer.tarball, '--exclude-entrypoints', './scalekit_mcp_bg.wasm', '--format', 'ascii', '--no-emoji', '--no-color']);
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
  assert.match(out.stdout, /No problems found/, out.stdout);
});

test('require("scalekit-mcp/emulator") gives a CommonJS entry with the ES module entry\'s constants and a working emulator', async () => {
  const script = `
    const emu = require('scalekit-mcp/emulator');
    (async () => {
      const esm = await import('scalekit-mcp/emulator');
      const constants = Object.keys(esm).filter((k) => typeof esm[k] !== 'function');
      const emulator = await emu.startEmulator({ port: 0 });
      try {
        const res = await fetch(emulator.url + '/oauth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emulator.clientId, client_secret: emulator.clientSecret }),
        });
        const token = await res.json();
        console.log(JSON.stringify({
          resolved: require.resolve('scalekit-mcp/emulator'),
          exports: Object.keys(emu).sort(),
          esmExports: Object.keys(esm).sort(),
          constantsEqual: constants.every((k) => emu[k] === esm[k]),
          constants,
          status: res.status,
          tokenType: token.token_type,
          tokenRequests: emulator.counters().tokenRequests,
        }));
      } finally {
        await emulator.close();
      }
    })().catch((err) => { console.log(JSON.stringify({ failed: String(err && err.stack || err) })); process.exitCode = 1; });
  `;
  const out = await run(process.execPath, ['-e', script], { cwd: consumer.dir });
  const report = lastJson(out.stdout);
  assert.ok(report && !report.failed && out.code === 0, `${out.stdout}\n${out.stderr}`);
  assert.match(report.resolved, /node_modules\/scalekit-mcp\/.*\.cjs$/);
  assert.deepEqual(report.exports, report.esmExports, 'the same names as the ES module entry');
  assert.ok(report.constants.length > 0);
  assert.equal(report.constantsEqual, true);
  assert.equal(report.status, 200);
  assert.equal(report.tokenType, 'Bearer');
  assert.equal(report.tokenRequests, 1);
});

test('no entry asks `instanceof WebAssembly.Module` of the module a bundler hands over', () => {
  // Next.js compiles an edge route's .wasm outside the sandbox that runs the route, so the module
  // it hands over is not an instance of the sandbox's WebAssembly.Module.
  for (const file of ['pkg/workerd.js', 'pkg/edge-light.js', 'pkg/index.js', 'pkg/node.cjs']) {
    const text = readFileSync(join(consumer.packageDir, file), 'utf8');
    assert.ok(!/instanceof\s*WebAssembly\.Module\b/.test(text), `${file} asks instanceof WebAssembly.Module`);
  }
});

test('npm run build in a fresh copy of the checkout (no node_modules, no pkg/) sets up what it needs and builds', async () => {
  // outside the checkout, so that nothing resolves to the checkout's node_modules
  const dir = join(tmpdir(), `scalekit-mcp-fresh-build-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
  assert.equal(listed.code, 0, listed.stderr);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(root, file))) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  // A cargo target directory of its own that outlives the run (beside the tool cache), so that a
  // warm machine does not compile the dependencies again, and the checkout's target/ is left alone.
  let out;
  try {
    out = await run('npm', ['run', 'build'], {
      cwd: dir,
      env: { CARGO_TARGET_DIR: join(cacheRoot, '..', 'fresh-build-target'), PATH: process.env.PATH.split(':').filter((p) => !p.includes('node_modules')).join(':') },
      timeoutMs: 900_000,
    });
    assert.equal(out.code, 0, `npm run build failed in a fresh copy:\n${out.stdout}\n${out.stderr}`);
    // The same package as the checkout's build, byte for byte: nothing depends on what was there.
    for (const file of ['pkg/scalekit_mcp_bg.wasm', 'pkg/node.cjs', 'pkg/node.mjs', 'pkg/index.js', 'pkg/workerd.js', 'pkg/edge-light.js', 'pkg/index.d.ts']) {
      assert.ok(existsSync(join(dir, file)), `${file} is built`);
      assert.ok(readFileSync(join(dir, file)).equals(readFileSync(join(root, file))), `${file} is the checkout's, byte for byte`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's runtime table names the versions of Next.js, React, wrangler and Node that the example suites run", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Runtimes'), readme.indexOf('## Emulator'));
  const table = section.slice(0, section.indexOf('Notes:'));
  const versions = [...NEXT_VERSIONS, REACT_VERSION, ...WRANGLERS.flatMap((w) => [w.version, w.node].filter(Boolean))];
  for (const version of versions) assert.ok(table.includes(version), `the runtime table names ${version}`);
});
