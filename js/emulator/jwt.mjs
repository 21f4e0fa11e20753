// RS256 JSON Web Tokens signed with a key pair generated when the emulator starts.
//
// The public half is served as a JWKS at `GET /keys`, so session tokens (and access tokens) can be
// verified exactly as tokens of a real environment: header {"alg":"RS256","typ":"JWT","kid":"snk_..."}.

import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export const base64url = (data) => Buffer.from(data).toString('base64url');

export class Signer {
  constructor(privateKey, publicKey, kid) {
    this.privateKey = privateKey;
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

  /** The JSON Web Key Set served at `/keys`. */
  jwks() {
    return { keys: [this.jwk] };
  }
}

/** Generates a fresh 2048-bit RSA key pair and a `snk_<hex>` key id. */
export async function createSigner() {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return new Signer(privateKey, publicKey, `snk_${randomBytes(8).toString('hex')}`);
}

/** Decodes the header and payload of a compact JWT without verifying it. */
export function decodeJwt(token) {
  const [header, payload] = String(token).split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}
