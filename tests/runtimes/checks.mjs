// What every runtime's seed-flow report must show, checked on the Node side: ids, statuses, the
// authorization links, the session token's signature and claims, the error classes, and the
// requests the emulator actually received.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const json64 = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * What an agent does with a session token: an MCP client (`@modelcontextprotocol/sdk`) connects to
 * `url` with it, lists the tools and calls gmail_fetch_mails, which must answer for `user`.
 * Returns the names of the tools listed.
 */
export async function agentUses(url, token, user, clientName) {
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    const result = await client.callTool({ name: 'gmail_fetch_mails', arguments: { query: 'is:unread' } });
    assert.equal(result.isError, false, JSON.stringify(result));
    assert.equal(result.structuredContent.user, user);
    return names;
  } finally {
    await client.close();
  }
}

/** Verifies an RS256 JWT against the emulator's JWKS; returns {header, claims}. */
export async function verifyJwt(token, baseUrl) {
  const [h, p, s] = token.split('.');
  const header = json64(h);
  const claims = json64(p);
  const { keys } = await (await fetch(`${baseUrl}/keys`)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `the token's key ${header.kid} is in /keys`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  assert.ok(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), 'the JWT signature verifies');
  return { header, claims };
}

/** Checks a report of tests/runtimes/flow.mjs against the emulator that served it. */
export async function checkFlowReport(report, emulator, tag) {
  assert.ok(report, 'the runtime printed a report');
  assert.ok(!report.failed, `the flow failed in the runtime: ${JSON.stringify(report.error)}\n${report.stack ?? ''}`);
  const base = emulator.url;

  const { config, instance, pending, ready, session, user } = report;
  assert.match(config.id, /^cfg_/);
  assert.ok(config.name.startsWith(`rt-${tag}-`), config.name);
  assert.ok(config.mcpServerUrl.startsWith(`${base}/mcp/v3/servers/`), config.mcpServerUrl);
  assert.deepEqual(config.connections, [
    ['MY_GMAIL', ['gmail_fetch_mails']],
    ['MY_CALENDAR', ['googlecalendar_create_event']],
  ]);

  assert.match(instance.id, /^inst_/);
  assert.equal(instance.againId, instance.id, 'ensureInstance twice gives the same instance');
  assert.equal(instance.againUrl, instance.url);
  assert.ok(instance.url.startsWith(`${base}/mcp/v2/instances/`), instance.url);
  assert.equal(instance.configId, config.id);

  assert.equal(pending.allActive, false);
  assert.deepEqual(pending.connections.map((c) => c.connectionName).sort(), ['MY_CALENDAR', 'MY_GMAIL']);
  for (const c of pending.connections) {
    assert.equal(c.status, 'PENDING_AUTH', c.connectionName);
    assert.ok(c.link.startsWith(`${base}/_emulator/authorize/`), c.link);
  }
  assert.deepEqual(report.linkStatuses, [200, 200], 'each authorization link opened');

  assert.equal(ready.allActive, true);
  assert.deepEqual(ready.connections.map((c) => c.status), ['ACTIVE', 'ACTIVE']);
  const accounts = emulator.accounts().filter((a) => a.identifier === user);
  assert.deepEqual(accounts.map((a) => [a.connectionName, a.status]).sort(), [
    ['MY_CALENDAR', 'ACTIVE'],
    ['MY_GMAIL', 'ACTIVE'],
  ]);

  const { header, claims } = await verifyJwt(session.token, base);
  assert.equal(header.alg, 'RS256');
  assert.equal(claims.sub, user);
  assert.deepEqual([claims.aud].flat(), [config.mcpServerUrl]);
  assert.equal(claims.mcp_cfg, config.id);
  assert.equal(claims.access_level, 'READ_ONLY');
  assert.equal(claims.exp - claims.iat, 900);
  assert.equal(claims.exp, Math.floor(Date.parse(session.expiresAt) / 1000));
  assert.deepEqual([...claims.ca_ids].sort(), accounts.map((a) => a.connectedAccountId).sort());
  const left = Date.parse(session.expiresAt) - Date.now();
  assert.ok(left > 870_000 && left <= 901_000, `expiresAt ${session.expiresAt}`);

  const { validation, notFound } = report.errors;
  assert.deepEqual(
    [validation.name, validation.isClass, validation.isBase, validation.code, validation.field, validation.status],
    ['ValidationError', true, true, 'INVALID_ARGUMENT', 'name', null],
  );
  assert.deepEqual(
    [notFound.name, notFound.isClass, notFound.isBase, notFound.code, notFound.status],
    ['NotFoundError', true, true, 'NOT_FOUND', 404],
  );
}

/**
 * The requests of one seed flow: one access token for the whole flow, then one request per call;
 * the invalid config name never leaves the runtime. Returns the log.
 */
export function checkFlowRequests(emulator, report) {
  assert.ok(report && !report.failed, `the flow failed in the runtime: ${JSON.stringify(report?.error)}\n${report?.stack ?? ''}`);
  const log = emulator.requests();
  const lines = log.map((e) => `${e.method} ${decodeURIComponent(e.path)}`);
  const inst = `/api/v1/mcp/instances`;
  assert.deepEqual(lines, [
    'POST /oauth/token',
    'POST /api/v1/mcp/configs',
    `POST ${inst}`,
    `POST ${inst}`,
    `POST ${inst}/${report.instance.id}:get_auth_state`,
    `POST ${inst}/${report.instance.id}:get_auth_state`,
    `POST /api/v1/mcp/configs/${report.config.id}/tokens`,
    'GET /api/v1/mcp/configs/cfg_does_not_exist',
  ]);
  assert.deepEqual(log.map((e) => e.status), [200, 200, 200, 200, 200, 200, 200, 404]);
  return log;
}
