// Shared pieces of the package tests: the emulator, a client on it, JWT checks.
import { createPublicKey, verify } from 'node:crypto';
import { startEmulator } from '../../js/emulator/index.mjs';

export { startEmulator };

export function clientFor(api, emulator, options = {}) {
  return new api.ScalekitMcp({
    envUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    ...options,
  });
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Verifies an RS256 JWT against the emulator's JWKS and returns its header and claims. */
export async function verifyJwt(token, baseUrl) {
  const [h, p, s] = token.split('.');
  const header = b64urlJson(h);
  const claims = b64urlJson(p);
  const { keys } = await (await fetch(`${baseUrl}/keys`)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in /keys`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  return { header, claims, ok };
}

let counter = 0;
/** A config name unique within the test run. */
export function uniqueName(prefix = 'cfg') {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Makes a config with Gmail and Calendar mappings and returns it. */
export function createMailCalendarConfig(mcp, name = uniqueName()) {
  return mcp.createConfig({
    name,
    description: 'Reads email and creates calendar reminders',
    connectionToolMappings: [
      { connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails'] },
      { connectionName: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] },
    ],
  });
}
