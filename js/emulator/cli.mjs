#!/usr/bin/env node
// scalekit-mcp-emulator: runs a local Scalekit emulator until interrupted.
// The first line on stdout is always `listening on http://HOST:PORT`.

import { parseArgs } from 'node:util';
import {
  DEFAULT_AUTH_LINK_TTL,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PORT,
  DEFAULT_TOKEN_TTL,
  startEmulator,
} from './index.mjs';

const USAGE = `Usage: scalekit-mcp-emulator [options]

Runs a local Scalekit environment (OAuth token endpoint, JWKS, MCP REST API, tools API, MCP
servers on the instance, virtual server and connection URLs, test controls).

Options:
  --port N                 port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --host HOST              address to bind (default 127.0.0.1)
  --client-id ID           accepted client id (default ${DEFAULT_CLIENT_ID})
  --client-secret SECRET   accepted client secret (default ${DEFAULT_CLIENT_SECRET})
  --fixtures FILE          JSON catalogue of connections replacing the built-in one
  --token-ttl SECONDS      access-token lifetime (default ${DEFAULT_TOKEN_TTL})
  --auth-link-ttl SECONDS  authentication-link lifetime (default ${DEFAULT_AUTH_LINK_TTL})
  --mcp-response json|sse  MCP answer format when a client accepts both (default json)
  -h, --help               show this help

The first line printed is "listening on http://HOST:PORT". Stop with Ctrl-C (SIGINT) or SIGTERM.
`;

function fail(message) {
  process.stderr.write(`scalekit-mcp-emulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(text, name, min) {
  if (!/^\d+$/.test(text) || Number(text) < min) fail(`${name} must be an integer >= ${min}, got "${text}"`);
  return Number(text);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      fixtures: { type: 'string' },
      'token-ttl': { type: 'string' },
      'auth-link-ttl': { type: 'string' },
      'mcp-response': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err.message);
}

if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const mcpResponse = args['mcp-response'] ?? 'json';
if (mcpResponse !== 'json' && mcpResponse !== 'sse') fail(`--mcp-response must be json or sse, got "${mcpResponse}"`);

const port = args.port === undefined ? DEFAULT_PORT : integer(args.port, '--port', 0);
if (port > 65535) fail('--port must be at most 65535');

let emulator;
try {
  emulator = await startEmulator({
    port,
    host: args.host ?? '127.0.0.1',
    clientId: args['client-id'] ?? DEFAULT_CLIENT_ID,
    clientSecret: args['client-secret'] ?? DEFAULT_CLIENT_SECRET,
    fixtures: args.fixtures,
    tokenTtl: args['token-ttl'] === undefined ? undefined : integer(args['token-ttl'], '--token-ttl', 1),
    authLinkTtl: args['auth-link-ttl'] === undefined ? undefined : integer(args['auth-link-ttl'], '--auth-link-ttl', 1),
    mcpResponse,
  });
} catch (err) {
  process.stderr.write(`scalekit-mcp-emulator: ${err.message}\n`);
  process.exit(1);
}

process.stdout.write(
  `listening on ${emulator.url}\n` +
    `client id:     ${emulator.clientId}\n` +
    `client secret: ${emulator.clientSecret}\n` +
    `jwks:          ${emulator.url}/keys\n` +
    `controls:      ${emulator.url}/_emulator/\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    process.exit(0);
  });
}
