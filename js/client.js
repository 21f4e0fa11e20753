// The public client. Each method hands its input to the wasm core as JSON and gets JSON back:
// validation, request building, the HTTP exchange (global fetch), retries, the access token and
// response parsing all happen in Rust. This layer only shapes arguments, turns failures into
// error classes, and adds what JavaScript does best: async iterators and callbacks.

import { Core } from '#core';
import { AuthTimeoutError, InvalidResponseError, fromCore, validationError } from './errors.js';

const CALL_OPTIONS = new Set(['signal', 'timeoutMs']);
const WAIT_OPTIONS = new Set(['signal', 'timeoutMs', 'pollIntervalMs', 'onPending', 'includeAuthLinks']);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isAbortSignal(value) {
  return isObject(value) && typeof value.aborted === 'boolean' && typeof value.addEventListener === 'function';
}

/** Checks the per-call options object; unknown keys and wrong types are a ValidationError. */
function callOptions(options, allowed = CALL_OPTIONS) {
  if (options === undefined) return {};
  if (!isObject(options)) throw validationError('options', 'options must be an object such as { signal, timeoutMs }');
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw validationError(`options.${key}`, `unknown option "${key}"; expected one of: ${[...allowed].join(', ')}`);
    }
  }
  const { signal, timeoutMs } = options;
  if (signal !== undefined && signal !== null && !isAbortSignal(signal)) {
    throw validationError('options.signal', 'options.signal must be an AbortSignal');
  }
  if (timeoutMs !== undefined && timeoutMs !== null) {
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw validationError('options.timeoutMs', 'options.timeoutMs must be a positive, finite number of milliseconds');
    }
  }
  return options;
}

/**
 * JSON for the core. JSON.stringify would quietly turn NaN and Infinity into null and drop
 * functions, so those are refused here, naming the field; so are values JSON cannot carry.
 */
function encode(input, name) {
  if (input === undefined) return 'null';
  const bad = unencodable(input, '', 0);
  if (bad) throw validationError(bad.path || name, `${bad.path || name} ${bad.why}`);
  try {
    return JSON.stringify(input);
  } catch (err) {
    throw validationError(name, `${name} cannot be encoded as JSON: ${err instanceof Error ? err.message : 'unsupported value'}`);
  }
}

function unencodable(value, path, depth) {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? null : { path, why: `must be a finite number, not ${value}` };
    case 'bigint':
      return { path, why: 'must be a number, not a BigInt' };
    case 'function':
    case 'symbol':
      return { path, why: `must not be a ${typeof value}` };
    case 'object': {
      if (value === null) return null;
      if (depth > 32) return { path, why: 'is nested too deeply' };
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i += 1) {
          const bad = unencodable(value[i], `${path}[${i}]`, depth + 1);
          if (bad) return bad;
        }
        return null;
      }
      for (const key of Object.keys(value)) {
        const bad = unencodable(value[key], path ? `${path}.${key}` : key, depth + 1);
        if (bad) return bad;
      }
      return null;
    }
    default:
      return null;
  }
}

function decode(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidResponseError('the core produced an unreadable result', { code: 'INVALID_RESPONSE' });
  }
}

function readEnv(name) {
  const g = globalThis;
  if (g.process?.env && typeof g.process.env[name] === 'string') return g.process.env[name];
  try {
    if (g.Deno?.env?.get) return g.Deno.env.get(name) ?? undefined;
  } catch {
    // Deno without --allow-env: treat as unset
  }
  return undefined;
}

export class ScalekitMcp {
  #core;
  #info;

  /**
   * @param {{ envUrl: string, clientId: string, clientSecret: string, timeoutMs?: number,
   *           maxRetries?: number, dangerouslyAllowBrowser?: boolean }} options
   */
  constructor(options) {
    if (!isObject(options)) {
      throw validationError('options', 'new ScalekitMcp(options) needs { envUrl, clientId, clientSecret }');
    }
    try {
      this.#core = new Core(encode(options, 'options'));
    } catch (err) {
      throw fromCore(err);
    }
    this.#info = decode(this.#core.describe());
  }

  /**
   * A client from SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET; `overrides`
   * adds or replaces options (for example `timeoutMs`).
   */
  static fromEnv(overrides = {}) {
    if (!isObject(overrides)) throw validationError('overrides', 'ScalekitMcp.fromEnv(overrides) takes an options object');
    const fromVars = {};
    const vars = [
      ['envUrl', 'SCALEKIT_ENV_URL'],
      ['clientId', 'SCALEKIT_CLIENT_ID'],
      ['clientSecret', 'SCALEKIT_CLIENT_SECRET'],
    ];
    for (const [key, variable] of vars) {
      const value = readEnv(variable);
      if (value !== undefined && value !== '') fromVars[key] = value;
      else if (overrides[key] === undefined) {
        throw validationError(key, `environment variable ${variable} is not set`);
      }
    }
    return new ScalekitMcp({ ...fromVars, ...overrides });
  }

  /** The environment URL this client talks to. */
  get envUrl() {
    return this.#info.envUrl;
  }

  /** The client id (not a secret). */
  get clientId() {
    return this.#info.clientId;
  }

  async #call(op, input, options) {
    const { signal, timeoutMs } = callOptions(options);
    const inputJson = encode(input, 'input');
    let out;
    try {
      out = await this.#core.call(op, inputJson, signal ?? null, timeoutMs ?? null);
    } catch (err) {
      throw fromCore(err);
    }
    return decode(out);
  }

  // ---- configs --------------------------------------------------------------------------

  createConfig(input, options) {
    return this.#call('createConfig', input, options);
  }

  getConfig(configId, options) {
    return this.#call('getConfig', { configId }, options);
  }

  listConfigs(input, options) {
    return this.#call('listConfigs', input ?? {}, options);
  }

  updateConfig(input, options) {
    return this.#call('updateConfig', input, options);
  }

  async deleteConfig(configId, options) {
    await this.#call('deleteConfig', { configId }, options);
  }

  /** Every config matching `input`, page after page, fetched only as the loop asks for more. */
  configs(input, options) {
    return this.#pages('listConfigs', 'configs', input, options);
  }

  listConnectedAccounts(input, options) {
    return this.#call('listConnectedAccounts', input, options);
  }

  createSessionToken(input, options) {
    return this.#call('createSessionToken', input, options);
  }

  createConnectionSessionToken(input, options) {
    return this.#call('createConnectionSessionToken', input, options);
  }

  // ---- instances ------------------------------------------------------------------------

  ensureInstance(input, options) {
    return this.#call('ensureInstance', input, options);
  }

  getInstance(instanceId, options) {
    return this.#call('getInstance', { instanceId }, options);
  }

  listInstances(input, options) {
    return this.#call('listInstances', input ?? {}, options);
  }

  updateInstance(input, options) {
    return this.#call('updateInstance', input, options);
  }

  async deleteInstance(instanceId, options) {
    await this.#call('deleteInstance', { instanceId }, options);
  }

  /** Every instance matching `input`, page after page, fetched only as the loop asks for more. */
  instances(input, options) {
    return this.#pages('listInstances', 'instances', input, options);
  }

  getInstanceAuthState(input, options) {
    return this.#call('getInstanceAuthState', input, options);
  }

  /**
   * Resolves with the auth state once every connection of the instance (or of the config for one
   * user) is ACTIVE. Polls with a growing interval; `onPending(state)` sees each pending state.
   */
  async waitForAuth(target, options) {
    const { signal, timeoutMs, pollIntervalMs, onPending, includeAuthLinks } = callOptions(options, WAIT_OPTIONS);
    if (pollIntervalMs !== undefined && pollIntervalMs !== null &&
        (typeof pollIntervalMs !== 'number' || !Number.isFinite(pollIntervalMs) || pollIntervalMs <= 0)) {
      throw validationError('options.pollIntervalMs', 'options.pollIntervalMs must be a positive, finite number of milliseconds');
    }
    if (onPending !== undefined && onPending !== null && typeof onPending !== 'function') {
      throw validationError('options.onPending', 'options.onPending must be a function');
    }
    if (includeAuthLinks !== undefined && includeAuthLinks !== null && typeof includeAuthLinks !== 'boolean') {
      throw validationError('options.includeAuthLinks', 'options.includeAuthLinks must be a boolean');
    }
    let last = null;
    let callbackError = null;
    const pending = (stateJson) => {
      last = decode(stateJson);
      if (onPending && callbackError === null) {
        try {
          const result = onPending(last);
          if (result && typeof result.then === 'function') {
            result.then(undefined, (err) => { callbackError = err; });
          }
        } catch (err) {
          callbackError = err;
          throw err;
        }
      }
    };
    let out;
    try {
      out = await this.#core.waitForAuth(encode(target, 'target'), pending, signal ?? null, timeoutMs ?? null,
        pollIntervalMs ?? null, includeAuthLinks ?? null);
    } catch (err) {
      if (callbackError !== null) throw callbackError;
      const error = fromCore(err);
      if (error instanceof AuthTimeoutError) error.state = last;
      throw error;
    }
    return decode(out);
  }

  async *#pages(op, key, input, options) {
    const query = input === undefined || input === null ? {} : input;
    if (!isObject(query)) throw validationError('input', `${op} input must be an object`);
    callOptions(options);
    let pageToken = query.pageToken;
    const seen = new Set();
    for (;;) {
      const page = await this.#call(op, { ...query, pageToken }, options);
      for (const item of page[key]) yield item;
      if (!page.nextPageToken) return;
      if (seen.has(page.nextPageToken)) {
        throw new InvalidResponseError(`${op} returned a page token it had returned before; stopping`, {
          code: 'INVALID_RESPONSE',
        });
      }
      seen.add(page.nextPageToken);
      pageToken = page.nextPageToken;
    }
  }

  /** Only the environment URL and client id: a client serializes without its secret. */
  toJSON() {
    return { envUrl: this.#info.envUrl, clientId: this.#info.clientId };
  }

  [INSPECT]() {
    return `ScalekitMcp { envUrl: ${JSON.stringify(this.#info.envUrl)}, clientId: ${JSON.stringify(this.#info.clientId)} }`;
  }

  get [Symbol.toStringTag]() {
    return 'ScalekitMcp';
  }
}
