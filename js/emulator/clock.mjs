// The emulated environment's notion of "now": the system clock plus an offset that tests move
// forward (`advanceTime(ms)`, `POST /_emulator/clock`) to expire access tokens, session tokens and
// authentication links without waiting. Every time the emulator reads or writes (token `iat` /
// `exp`, `expires_at`, `updated_at`, link lifetimes, `last_used_at`) comes from here, so tokens
// minted after an advance carry emulator time consistently. `reset()` puts the offset back to 0.
//
// Only "now" moves: timers that play a fault's `delay_ms` still wait in real time.

import { timestamp } from './protojson.mjs';

/** The largest single advance accepted: 100 years, far beyond any token or link lifetime. */
export const MAX_ADVANCE_MS = 100 * 365 * 24 * 3600 * 1000;

export class Clock {
  constructor() {
    this.offsetMs = 0;
  }

  /** Emulator time in milliseconds since the epoch. */
  now() {
    return Date.now() + this.offsetMs;
  }

  /**
   * Moves emulator time forward by `ms` (a non-negative integer number of milliseconds, at most
   * MAX_ADVANCE_MS) and returns the new state. Throws a RangeError naming `name` for anything else.
   */
  advance(ms, name = 'ms') {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
      throw new RangeError(`${name} must be a non-negative integer number of milliseconds, at most ${MAX_ADVANCE_MS}`);
    }
    this.offsetMs += ms;
    return this.state();
  }

  /** Back to the system clock. */
  reset() {
    this.offsetMs = 0;
  }

  /** {now (RFC 3339), nowMs, offsetMs}. */
  state() {
    const nowMs = this.now();
    return { now: timestamp(nowMs), nowMs, offsetMs: this.offsetMs };
  }
}
