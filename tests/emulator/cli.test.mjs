// The CLI: spawn it with --port 0, read the first line, use it, stop it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const CLI = fileURLToPath(new URL('../../js/emulator/cli.mjs', import.meta.url));

/** Spawns the CLI and resolves {child, url, port, lines} once it printed its first line. */
async function spawnCli(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const reader = createInterface({ input: child.stdout });
  const first = new Promise((resolve, reject) => {
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`cli exited with ${code}`)));
  });
  const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(await first);
  assert.ok(m, `first line was ${JSON.stringify(lines[0])}`);
  return { child, url: m[1], port: Number(m[2]), lines };
}

describe('cli', () => {
  test('starts with a shebang', () => {
    assert.ok(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  test('--port 0: first line is the URL; it serves; SIGTERM stops it cleanly', async () => {
    const { child, url, port } = await spawnCli(['--port', '0']);
    try {
      assert.ok(port > 0);
      const token = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'skc_emulator', client_secret: 'sks_emulator_secret' }),
      });
      assert.equal(token.status, 200);
      const { access_token } = await token.json();
      const list = await fetch(`${url}/api/v1/mcp/configs`, { headers: { authorization: `Bearer ${access_token}` } });
      assert.deepEqual(await list.json(), { configs: [], next_page_token: '', prev_page_token: '', total_size: 0 });
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.equal(signal, null);
  });

  test('flags: credentials, TTLs and fixtures; SIGINT stops it', async () => {
    const fixtures = fileURLToPath(new URL('../../js/emulator/catalogue.json', import.meta.url));
    const { child, url } = await spawnCli([
      '--port', '0', '--host', '127.0.0.1', '--client-id', 'skc_cli', '--client-secret', 'sks_cli',
      '--token-ttl', '120', '--auth-link-ttl', '30', '--fixtures', fixtures,
    ]);
    try {
      const ok = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'skc_cli', client_secret: 'sks_cli' }),
      });
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).expires_in, 120);
      const wrong = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'skc_emulator', client_secret: 'sks_emulator_secret' }),
      });
      assert.equal(wrong.status, 401);
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  test('prints the credentials after the first line', async () => {
    const { child, lines } = await spawnCli(['--port', '0']);
    child.kill('SIGTERM');
    await once(child, 'close'); // stdout fully read
    const text = lines.slice(1).join('\n');
    assert.match(text, /skc_emulator/);
    assert.match(text, /sks_emulator_secret/);
  });

  test('--help prints usage and exits 0', () => {
    const res = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    assert.equal(res.status, 0);
    for (const flag of ['--port', '--host', '--client-id', '--client-secret', '--fixtures', '--token-ttl', '--auth-link-ttl']) {
      assert.ok(res.stdout.includes(flag), flag);
    }
    assert.match(res.stdout, /default 4010/);
  });

  test('bad flags exit 2 with a message', () => {
    for (const args of [['--port', 'abc'], ['--nope'], ['--token-ttl', '0'], ['--port', '70000']]) {
      const res = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      assert.equal(res.status, 2, args.join(' '));
      assert.match(res.stderr, /scalekit-mcp-emulator:/);
      assert.equal(res.stdout, '');
    }
  });

  test('a bad fixtures file exits 1', () => {
    const res = spawnSync(process.execPath, [CLI, '--port', '0', '--fixtures', '/nonexistent.json'], { encoding: 'utf8' });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /ENOENT/);
  });
});
