// One emulated Scalekit environment: its credentials, catalogue, signing key, clock, state (MCP
// sessions included), faults and request log. The HTTP server, the `/_emulator/*` control routes
// and the handle returned by `startEmulator()` all act on an instance of this class.

import { Clock } from './clock.mjs';
import { FaultQueue } from './faults.mjs';
import { Recorder } from './recorder.mjs';
import { Store } from './store.mjs';
import { authLinkToken } from './urls.mjs';

export class Emulator {
  /**
   * @param {object} o
   * @param {string} o.clientId
   * @param {string} o.clientSecret
   * @param {number} o.tokenTtl     access-token lifetime, seconds
   * @param {number} o.authLinkTtl  authentication-link lifetime, seconds
   * @param {import('./catalogue.mjs').Catalogue} o.catalogue
   * @param {import('./jwt.mjs').Signer} o.signer
   * @param {'json'|'sse'} [o.mcpResponse]  MCP answer format when a client accepts both equally
   */
  constructor({ clientId, clientSecret, tokenTtl, authLinkTtl, catalogue, signer, mcpResponse = 'json' }) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.tokenTtl = tokenTtl;
    this.authLinkTtl = authLinkTtl;
    this.catalogue = catalogue;
    this.signer = signer;
    this.mcpResponse = mcpResponse;
    this.clock = new Clock();
    this.store = new Store({ catalogue, authLinkTtl, clock: this.clock });
    this.faults = new FaultQueue();
    this.recorder = new Recorder();
    this.baseUrl = ''; // set once the server listens
  }

  /**
   * Back to a fresh environment: everything but the catalogue and the signing key is forgotten,
   * and the clock is the system clock again.
   */
  reset() {
    this.clock.reset();
    this.store.reset();
    this.faults.clear();
    this.recorder.clear();
    this.recorder.resetCounters();
  }

  setAccountStatus({ connectionName, identifier, status }) {
    if (typeof connectionName !== 'string' || typeof identifier !== 'string' || identifier === '') {
      throw new TypeError('setAccountStatus needs a connection name and a non-empty identifier');
    }
    return this.store.setAccountStatus(connectionName, identifier, status);
  }

  /** Replaces the custom tools of a connected account (see Store.setAccountTools). */
  setAccountTools({ connectionName, identifier, tools, status, organizationId, userId }) {
    if (typeof connectionName !== 'string' || typeof identifier !== 'string' || identifier === '') {
      throw new TypeError('setAccountTools needs a connection name and a non-empty identifier');
    }
    return this.store.setAccountTools(connectionName, identifier, { tools, status, organizationId, userId });
  }

  /** Every access token issued so far expires now; returns how many were issued. */
  expireTokens() {
    return this.store.expireAccessTokens();
  }

  /** Moves emulator time forward by `ms` milliseconds; returns the clock's state. */
  advanceTime(ms, name) {
    return this.clock.advance(ms, name);
  }

  /** Plays the user opening an authentication link (a full URL or its token). */
  authorize(link) {
    return this.store.redeemAuthLink(authLinkToken(link));
  }
}
