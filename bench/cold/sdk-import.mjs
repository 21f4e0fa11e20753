// Cold start, Node `import`: a fresh process loads scalekit-mcp and completes its first call.
// Copied next to a consumer's node_modules by bench/run.mjs; prints one JSON line of timings.
const [envUrl, clientId, clientSecret, configName, userIdentifier] = process.argv.slice(2);
const t0 = performance.now();
const { ScalekitMcp } = await import('scalekit-mcp');
const t1 = performance.now();
const client = new ScalekitMcp({ envUrl, clientId, clientSecret });
const instance = await client.ensureInstance({ configName, userIdentifier });
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ start: t0, imported: t1, done: t2, id: instance.id })}\n`);
process.exit(0);
