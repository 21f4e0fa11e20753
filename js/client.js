// The public client. Each method copies its input into plain data and hands it to the wasm
// core, which validates it, builds the request, performs the HTTP exchange (global fetch), the
// retries and the access token, and reads the answer into a plain object. This layer only
// shapes arguments, turns failures into error classes, and adds what JavaScript does best:
// async iterators and callbacks.

import { Core } from '#core';
import { AuthTimeoutError, InvalidResponseError, fromCore, validationError } from './errors.js';
import { CALL_OPTIONS, callOptions, isObject } from './options.js';
import { agentSession } from './session.js';
import { logLevel, observer } from './observe.js';

const WRITE_OPTIONS = new Set(['signal', 'timeoutMs', 'checkTools']);
const ENSURE_OPTIONS = new Set(['signal', 'timeoutMs', 'checkTools', 'dryRun']);
const WAIT_OPTIONS = new Set(['signal', 'timeoutMs', 'pollIntervalMs', 'onPending', 'includeAuthLinks']);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Longest string accepted anywhere in an input, in UTF-8 bytes. */
const MAX_STRING_BYTES = 64 * 1024;
/** Largest input accepted, in UTF-8 bytes of its strings plus a little per value. */
const MAX_INPUT_BYTES = 1024 * 1024;
const MAX_DEPTH = 32;

/** The UTF-8 length of `text`, counted without encoding it. */
function utf8Bytes(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) { bytes += 4; i += 1; }
    else bytes += 3;
  }
  return bytes;
}

/**
 * A copy of `input` as plain data for the core: objects, arrays, strings, finite numbers,
 * booleans and null, read once, as JSON.stringify would read them (`toJSON` honoured, keys whose
 * value is undefined left out). What JSON would quietly change or cannot carry (NaN, Infinity,
 * BigInt, functions, symbols, a `toJSON` giving undefined), what cannot be read (a getter or a
 * Proxy trap that throws), strings over 64 KiB and inputs over 1 MiB are a ValidationError
 * naming the field, before anything reaches the core.
 */
function plain(input, name) {
  const budget = { bytes: 0 };
  const fail = (path, why) => validationError(path || name, `${path || name} ${why}`);

  const copy = (value, key, path, depth) => {
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      let toJSON;
      try {
        toJSON = value.toJSON;
      } catch {
        throw fail(path, 'cannot be read (its toJSON getter threw)');
      }
      if (typeof toJSON === 'function') {
        try {
          value = toJSON.call(value, key);
        } catch {
          throw fail(path, 'cannot be read (its toJSON threw)');
        }
        if (value === undefined) throw fail(path, 'has a toJSON that returned undefined');
      }
    }
    budget.bytes += 8;
    switch (typeof value) {
      case 'string': {
        const bytes = value.length > MAX_STRING_BYTES ? Infinity : utf8Bytes(value);
        if (bytes > MAX_STRING_BYTES) throw fail(path, `is longer than ${MAX_STRING_BYTES / 1024} KiB`);
        budget.bytes += bytes;
        break;
      }
      case 'number':
        if (!Number.isFinite(value)) throw fail(path, `must be a finite number, not ${value}`);
        break;
      case 'boolean':
        break;
      case 'undefined':
        return undefined;
      case 'bigint':
        throw fail(path, 'must be a number, not a BigInt');
      case 'function':
      case 'symbol':
        throw fail(path, `must not be a ${typeof value}`);
      default:
        if (value === null) return null;
        if (depth >= MAX_DEPTH) throw fail(path, 'is nested too deeply');
        return copyObject(value, path, depth);
    }
    if (budget.bytes > MAX_INPUT_BYTES) throw fail('', `is larger than ${MAX_INPUT_BYTES / (1024 * 1024)} MiB`);
    return value;
  };

  const copyObject = (value, path, depth) => {
    let keys;
    let isArray;
    try {
      isArray = Array.isArray(value);
      keys = isArray ? null : Object.keys(value);
    } catch {
      throw fail(path, 'cannot be read (a Proxy or getter threw)');
    }
    const read = (k) => {
      try {
        return value[k];
      } catch {
        throw fail(isArray ? `${path}[${k}]` : path ? `${path}.${k}` : k, 'cannot be read (its getter threw)');
      }
    };
    if (isArray) {
      const length = read('length');
      const out = [];
      for (let i = 0; i < length; i += 1) {
        const v = copy(read(i), String(i), `${path}[${i}]`, depth + 1);
        out.push(v === undefined ? null : v);
      }
      return out;
    }
    const out = {};
    for (const k of keys) {
      const v = copy(read(k), k, path ? `${path}.${k}` : k, depth + 1);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };

  return copy(input, '', '', 0);
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
    // The logging options hold functions and stay here; the rest goes to the core as plain data.
    let seeing;
    let rest;
    try {
      const { logLevel: level, logger, hooks, ...others } = options;
      seeing = { logLevel: level, logger, hooks };
      rest = others;
    } catch {
      throw validationError('options', 'options cannot be read (a Proxy or getter threw)');
    }
    const copied = plain(rest, 'options');
    const observe = observer({
      logLevel: logLevel(seeing.logLevel, 'logLevel') ?? logLevel(readEnv('SCALEKIT_MCP_LOG'), 'SCALEKIT_MCP_LOG'),
      logger: seeing.logger,
      hooks: seeing.hooks,
    });
    try {
      this.#core = new Core(copied, observe);
    } catch (err) {
      throw fromCore(err);
    }
    this.#info = this.#core.describe();
  }

  /**
   * A client from SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET; `overrides`
   * adds or replaces options (for example `timeoutMs`).
   */
  static fromEnv(given = {}) {
    if (!isObject(given)) throw validationError('overrides', 'ScalekitMcp.fromEnv(overrides) takes an options object');
    let seeing;
    let others;
    try {
      const { logger, hooks, ...rest } = given;
      seeing = { logger, hooks };
      others = rest;
    } catch {
      throw validationError('overrides', 'overrides cannot be read (a Proxy or getter threw)');
    }
    const overrides = { ...plain(others, 'overrides'), ...seeing };
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

  /** Runs operation `op` (or `ensureConfig`) with `input`, taking the options in `allowed`. */
  async #call(op, input, options, allowed = CALL_OPTIONS) {
    const { signal, timeoutMs, checkTools, dryRun } = callOptions(options, allowed);
    const data = plain(input, 'input');
    const flags = { checkTools: checkTools ?? false, dryRun: dryRun ?? false };
    try {
      return await (op === 'ensureConfig'
        ? this.#core.ensureConfig(data, signal ?? null, timeoutMs ?? null, flags)
        : this.#core.call(op, data, signal ?? null, timeoutMs ?? null, flags));
    } catch (err) {
      throw fromCore(err);
    }
  }

  /** Checks `input` for operation `op` as a call would, sending nothing. */
  #check(op, input) {
    const data = plain(input, 'input');
    try {
      this.#core.check(op, data);
    } catch (err) {
      throw fromCore(err);
    }
  }

  // ---- configs --------------------------------------------------------------------------

  /**
   * Creates a config. `options.checkTools: true` first checks every named tool against its
   * connection's tools (one tools API request per connection, cached for 5 minutes).
   */
  createConfig(input, options) {
    return this.#call('createConfig', input, options, WRITE_OPTIONS);
  }

  /**
   * The config named `input.name`, made what `input` says: created if missing, updated where its
   * description or mappings differ (compared as sets), left alone otherwise. Resolves with
   * `{ config, action: 'created' | 'updated' | 'unchanged', changes, dryRun }`. Safe to repeat
   * and to run from several processes at once. `options.dryRun: true` only plans: it sends no
   * write. `options.checkTools: true` checks the tool names first.
   */
  ensureConfig(input, options) {
    return this.#call('ensureConfig', input, options, ENSURE_OPTIONS);
  }

  getConfig(configId, options) {
    return this.#call('getConfig', { configId }, options);
  }

  listConfigs(input, options) {
    return this.#call('listConfigs', input ?? {}, options);
  }

  updateConfig(input, options) {
    return this.#call('updateConfig', input, options, WRITE_OPTIONS);
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

  // ---- tools ----------------------------------------------------------------------------

  /** A page of the tools catalogue: `{ tools, toolNames, nextPageToken, prevPageToken, totalSize }`. */
  listTools(input, options) {
    return this.#call('listTools', input ?? {}, options);
  }

  /** Every tool matching `input`, page after page, fetched only as the loop asks for more. */
  tools(input, options) {
    return this.#pages('listTools', 'tools', input, options);
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
    const data = plain(target, 'target');
    let last = null;
    let callbackError = null;
    const pending = (state) => {
      last = state;
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
    try {
      return await this.#core.waitForAuth(data, pending, signal ?? null, timeoutMs ?? null,
        pollIntervalMs ?? null, includeAuthLinks ?? null);
    } catch (err) {
      if (callbackError !== null) throw callbackError;
      const error = fromCore(err);
      if (error instanceof AuthTimeoutError) error.state = last;
      throw error;
    }
  }

  /** What an agent's MCP client needs for one MCP URL, its session token kept fresh (js/session.js). */
  agentSession(input, options) {
    return agentSession(this, input, options, (op, data) => this.#check(op, data));
  }

  async *#pages(op, key, input, options) {
    const query = input === undefined || input === null ? {} : plain(input, 'input');
    if (!isObject(query)) throw validationError('input', `${op} input must be an object`);
    // Read once: each page's call gets the checked copy, not the caller's object again.
    const pageOptions = callOptions(options);
    let pageToken = query.pageToken;
    const seen = new Set();
    for (;;) {
      const page = await this.#call(op, { ...query, pageToken }, pageOptions);
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
