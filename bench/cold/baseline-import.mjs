// Cold start, Node `import`: a fresh process loads the plain fetch client and completes its first call.
const [envUrl, clientId, clientSecret, configName, userIdentifier] = process.argv.slice(2);
const t0 = performance.now();
const { BaselineClient } = await import('./baseline.mjs');
const t1 = performance.now();
const client = new BaselineClient({ envUrl, clientId, clientSecret });
const instance = await client.ensureInstance({ configName, userIdentifier });
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({ start: t0, imported: t1, done: t2, id: instance.id })}\n`);
process.exit(0);
