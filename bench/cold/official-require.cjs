// Reference point: how long a fresh process takes to require the official Node SDK,
// @scalekit-sdk/node, and construct its client (it speaks gRPC, so no call to the emulator).
const [envUrl, clientId, clientSecret] = process.argv.slice(2);
const t0 = performance.now();
const { ScalekitClient } = require('@scalekit-sdk/node');
const t1 = performance.now();
const client = new ScalekitClient(envUrl, clientId, clientSecret);
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ start: t0, imported: t1, constructed: t2, ok: typeof client === 'object' })}\n`);
process.exit(0);
