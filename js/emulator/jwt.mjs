// RS256 JSON Web Tokens signed with a key pair generated when the emulator starts.
//
// The public half is served as a JWKS at `GET /keys`, so session tokens (and access tokens) can be
// verified exactly as tokens of a real environment: header {"alg":"RS256","typ":"JWT","kid":"snk_..."}.

import { generateKeyPair, randomBytes, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export const base64url = (data) => Buffer.from(data).toString('base64url');

export class Signer {
  constructor(privateKey, publicKey, kid) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.kid = kid;
    this.jwk = Object.freeze({ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });
  }

  /** Signs `payload` (an object of claims) and returns the compact JWT. */
  sign(payload) {
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /**
   * Verifies a compact JWT signed by this signer and returns its claims, or null when the token is
   * malformed, not RS256, signed with another key, or expired at `nowMs` (default: the system clock).
   */
  verify(token, nowMs = Date.now()) {
    const result = this.check(token, nowMs);
    return result.error ? null : result.claims;
  }

  /**
   * Verifies a compact JWT and says why it is refused: {claims} when valid, else {error} with
   * error 'malformed' (not a JWT, not RS256, or another key id), 'signature' (the signature does
   * not match), or 'expired' (`exp` has passed at `nowMs`, by default the system clock; `claims`
   * is then set too).
   */
  check(token, nowMs = Date.now()) {
    const parts = String(token).split('.');
    if (parts.length !== 3) return { error: 'malformed' };
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { error: 'malformed' };
    }
    if (!header || header.alg !== 'RS256' || header.kid !== this.kid) return { error: 'malformed' };
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { error: 'malformed' };
    let signed = false;
    try {
      signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'));
    } catch {
      signed = false;
    }
    if (!signed) return { error: 'signature' };
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) return { error: 'expired', claims };
    return { claims };
  }

  /** The JSON Web Key Set served at `/keys`. */
  jwks() {
    return { keys: [this.jwk] };
  }
}

/** Generates a fresh 2048-bit RSA key pair and a `snk_<hex>` key id. */
/**
 * A signer with its own key id. The RSA key pair is made once per process and shared by every
 * emulator in it: generating one takes up to a second, and test suites start many emulators.
 * Tokens still never cross emulators: each JWKS lists only its own key id, and every check
 * compares the audience with the emulator's own URLs.
 */
let keyPair = null;
export async function createSigner() {
  keyPair ??= generateKeyPairAsync('rsa', { modulusLength: 2048 });
  let pair;
  try {
    pair = await keyPair;
  } catch (err) {
    keyPair = null;
    throw err;
  }
  return new Signer(pair.privateKey, pair.publicKey, `snk_${randomBytes(8).toString('hex')}`);
}

