// The OAuth 2.0 token endpoint (`POST /oauth/token`), client credentials grant only, and the
// bearer-token check every API route goes through.
//
// Credentials come from the form body (`client_id`, `client_secret`) or HTTP Basic auth.
// Access tokens are RS256 JWTs signed with the emulator's key and valid for `tokenTtl` seconds of
// emulator time (or until `expireTokens()`); the emulator remembers every token it issued, so an unknown token
// is refused even when correctly signed by another emulator.

import { randomBytes } from 'node:crypto';
import { errors } from './errors.mjs';

const oauthError = (status, error, description) => ({
  status,
  json: { error, error_description: description },
  headers: status === 401 ? { 'www-authenticate': 'Basic realm="scalekit-emulator"' } : {},
});

function basicCredentials(header) {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return {};
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  const unescape = (s) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

export function tokenEndpoint(ctx) {
  const { emu, req } = ctx;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type && type !== 'application/x-www-form-urlencoded') {
    return oauthError(400, 'invalid_request', 'the request body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(ctx.body ? ctx.body.toString('utf8') : '');
  const basic = basicCredentials(req.headers.authorization);
  const clientId = form.get('client_id') ?? basic.id;
  const clientSecret = form.get('client_secret') ?? basic.secret;
  if (!clientId || !clientSecret) {
    return oauthError(401, 'invalid_client', 'client_id and client_secret are required');
  }
  if (clientId !== emu.clientId || clientSecret !== emu.clientSecret) {
    return oauthError(401, 'invalid_client', 'client authentication failed: unknown client or wrong secret');
  }
  const grantType = form.get('grant_type');
  if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', `grant_type "${grantType}" is not supported; use client_credentials`);
  }

  const iat = Math.floor(emu.clock.now() / 1000);
  const accessToken = emu.signer.sign({
    iss: emu.baseUrl,
    sub: clientId,
    aud: [emu.baseUrl],
    client_id: clientId,
    scope: 'openid',
    iat,
    nbf: iat,
    exp: iat + emu.tokenTtl,
    jti: randomBytes(12).toString('hex'),
  });
  emu.store.recordAccessToken(accessToken, (iat + emu.tokenTtl) * 1000);
  return {
    status: 200,
    json: { access_token: accessToken, token_type: 'Bearer', expires_in: emu.tokenTtl, scope: 'openid' },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}

/**
 * Checks the `authorization: Bearer <token>` header of an API request; throws the 401 the
 * service answers: "Token empty" (missing), "invalid token" (not issued here, or reset since),
 * "token expired".
 */
export function requireBearer(emu, req) {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s*(.*)$/i.exec(header.trim());
  if (!header.trim() || (m && m[1].trim() === '')) throw errors.unauthenticated('Token empty');
  if (!m) throw errors.unauthenticated('invalid token');
  const state = emu.store.accessTokenState(m[1].trim());
  if (state === 'unknown') throw errors.unauthenticated('invalid token');
  if (state === 'expired') throw errors.unauthenticated('token expired');
}
