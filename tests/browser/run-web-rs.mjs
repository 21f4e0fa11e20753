// Runs tests/web.rs in headless Chromium: starts an emulator on 127.0.0.1, compiles its URL into
// the tests (SCALEKIT_MCP_WEB_EMULATOR), runs `wasm-pack test --headless --chrome -- --test web`
// and exits with its status. Output is wasm-pack's own (`test result: ok. N passed; N failed`).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../js/emulator/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const emulator = await startEmulator({ port: 0 });
const env = {
  ...process.env,
  PATH: `${process.env.HOME}/.cargo/bin:${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
  SCALEKIT_MCP_WEB_EMULATOR: emulator.url,
  SCALEKIT_MCP_WEB_CLIENT_ID: emulator.clientId,
  SCALEKIT_MCP_WEB_CLIENT_SECRET: emulator.clientSecret,
};
console.log(`emulator on ${emulator.url}`);
const child = spawn('wasm-pack', ['test', '--headless', '--chrome', '--', '--test', 'web'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
const code = await new Promise((resolve) => {
  child.on('error', (err) => { console.error(err.message); resolve(127); });
  child.on('close', (c) => resolve(c ?? 1));
});
await emulator.close();
process.exit(code);
