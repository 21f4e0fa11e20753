// The options objects of the client's methods and of agentSession, checked the same way
// everywhere: read once into an object of our own, unknown keys and wrong types a
// ValidationError naming `options.<key>`.

import { ValidationError, validationError } from './errors.js';

export const CALL_OPTIONS = new Set(['signal', 'timeoutMs']);

/** A non-array object (a revoked Proxy counts as one: reading it then names the argument). */
export function isObject(value) {
  if (value === null || typeof value !== 'object') return false;
  try {
    return !Array.isArray(value);
  } catch {
    // a revoked Proxy: plain() refuses it, naming the argument
    return true;
  }
}

const ABORTED = globalThis.AbortSignal ? Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get : undefined;

/** A genuine AbortSignal: the `aborted` getter of AbortSignal.prototype accepts it. */
export function isAbortSignal(value) {
  if (!ABORTED || value === null || typeof value !== 'object') return false;
  try {
    ABORTED.call(value);
    return true;
  } catch {
    return false;
  }
}

/** Checks the per-call options object; unknown keys and wrong types are a ValidationError. */
export function callOptions(given, allowed = CALL_OPTIONS) {
  if (given === undefined) return {};
  if (!isObject(given)) throw validationError('options', 'options must be an object such as { signal, timeoutMs }');
  // Read once, into an object of our own: a getter or a Proxy trap runs here or not at all.
  const options = {};
  try {
    for (const key of Object.keys(given)) {
      if (!allowed.has(key)) {
        throw validationError(`options.${key}`, `unknown option "${key}"; expected one of: ${[...allowed].join(', ')}`);
      }
      options[key] = given[key];
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw validationError('options', 'options cannot be read (a Proxy or getter threw)');
  }
  const { signal, timeoutMs } = options;
  for (const flag of ['checkTools', 'dryRun']) {
    if (options[flag] !== undefined && options[flag] !== null && typeof options[flag] !== 'boolean') {
      throw validationError(`options.${flag}`, `options.${flag} must be a boolean`);
    }
  }
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
