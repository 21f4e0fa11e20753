// Agent frameworks' own MCP clients, given nothing but `session.url` and `session.fetch`, against
// the emulator over HTTP: they list exactly the config's whitelist and call its tools; when the
// session token expires (the emulator's clock moved past it, so the session's own clock still
// thinks it valid and only the server's 401 tells), the next tool call succeeds in the same MCP
// session with exactly one more mint, and so do 50 concurrent calls across the expiry.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ScalekitMcp } from 'scalekit-mcp';
import { clientFor, jwtClaims, sharedEmulator } from './helpers.mjs';
import { FRAMEWORKS, USER, WHITELIST, configTokenPath, logOf, seedConfig } from './agents-helpers.mjs';

let emulator;
let mcp;

sharedEmulator((e) => {
  emulator = e;
  mcp = clientFor({ ScalekitMcp }, e);
});

/** A fresh config, a 60 s session for USER on it, the framework connected, and the log of it all. */
async function connected(framework) {
  const config = await seedConfig(emulator, mcp);
  const session = await mcp.agentSession({ configId: config.id, identifier: USER, expirySeconds: 60 });
  assert.equal(session.url, config.mcpServerUrl);
  const agent = await framework.connect(session);
  return { config, session, agent, log: logOf(emulator, session.url, configTokenPath(config.id)) };
}

for (const framework of FRAMEWORKS) {
  describe(`${framework.name} ${framework.version()} through agentSession`, () => {
    test('lists exactly the whitelist, calls a tool, and keeps working after the token expires: one more mint, same MCP session', async () => {
      const { session, agent, log } = await connected(framework);
      try {
        assert.deepEqual((await agent.list()).sort(), [...WHITELIST].sort());
        const first = await agent.call('gmail_fetch_mails', { query: 'is:unread' });
        assert.equal(first.tool, 'gmail_fetch_mails');
        assert.equal(first.user, USER);
        assert.deepEqual(first.arguments, { query: 'is:unread' });
        assert.equal(log.mints(), 1, 'one token for the whole connection so far');
        assert.equal(log.refusals(), 0);

        emulator.advanceTime(61_000); // the 60 s token is now expired for the server

        const second = await agent.call('gmail_search', { query: 'from:alice@example.com' });
        assert.equal(second.tool, 'gmail_search');
        assert.equal(second.user, USER);
        assert.equal(log.mints(), 2, 'exactly one extra mint');
        assert.equal(log.refusals(), 1, 'the server refused the expired token once, and the call was repeated');
        assert.equal(log.toolCalls(), 2);
        assert.equal(log.initializes(), 1, 'no reconnect: the same MCP session');
        assert.equal(log.sessionIds().size, 1, 'every request carried the one Mcp-Session-Id');
        const { token, expiresAt } = await session.token();
        const claims = jwtClaims(token);
        assert.equal(Date.parse(expiresAt), claims.exp * 1000, 'the token in hand is the one it says expires then');
      } finally {
        await agent.close();
        await session.close();
      }
    });

    test('50 concurrent tool calls across the expiry all succeed, with one mint', async () => {
      const { session, agent, log } = await connected(framework);
      try {
        assert.deepEqual((await agent.list()).sort(), [...WHITELIST].sort());
        assert.equal(log.mints(), 1);
        const calls = [];
        const call = (i) => agent.call('gmail_fetch_mails', { query: `label:q${i}` });
        for (let i = 0; i < 25; i += 1) calls.push(call(i));
        await Promise.race(calls); // some calls answered with the first token...
        emulator.advanceTime(61_000); // ...the rest cross its expiry
        for (let i = 25; i < 50; i += 1) calls.push(call(i));
        const results = await Promise.all(calls);

        results.forEach((result, i) => {
          assert.equal(result.user, USER);
          assert.deepEqual(result.arguments, { query: `label:q${i}` });
        });
        assert.equal(log.mints(), 2, 'one mint for every call that met the expiry');
        // calls sent with the expired token were refused once each and repeated with the new one
        assert.ok(log.refusals() >= 1 && log.refusals() <= 50, `refusals: ${log.refusals()}`);
        assert.equal(log.toolCalls(), 50);
        assert.equal(log.initializes(), 1);
        assert.equal(log.sessionIds().size, 1);
      } finally {
        await agent.close();
        await session.close();
      }
    });
  });
}
