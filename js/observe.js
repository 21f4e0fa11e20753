// Seeing what the client does: the log lines of `logLevel` and the `hooks` of a client, made from
// the events the wasm core reports (src/core/events.rs). An event carries no header, body, token
// or secret, and its URL shows query values only for page sizes and flags, so neither a log line
// nor a hook argument can hold one. With `logLevel: 'off'` and no hooks there is no observer at
// all, and the core makes no event.

import { validationError } from './errors.js';

const LEVELS = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };
const PREFIX = 'scalekit-mcp:';

/** The level of `value`, an option or SCALEKIT_MCP_LOG; `field` names it in the error. */
export function logLevel(value, field) {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && Object.hasOwn(LEVELS, value.toLowerCase())) return value.toLowerCase();
  throw validationError(field, `${field} must be one of ${Object.keys(LEVELS).map((l) => `'${l}'`).join(', ')}`);
}

function checkLogger(logger) {
  if (logger === undefined || logger === null) return undefined;
  if (typeof logger !== 'object' && typeof logger !== 'function') {
    throw validationError('logger', 'logger must be an object with error, warn, info and debug methods (console, pino, ...)');
  }
  return logger;
}

function checkHooks(hooks) {
  if (hooks === undefined || hooks === null) return {};
  if (typeof hooks !== 'object') throw validationError('hooks', 'hooks must be an object such as { onRequest, onResponse }');
  const out = {};
  for (const key of Object.keys(hooks)) {
    if (key !== 'onRequest' && key !== 'onResponse') {
      throw validationError(`hooks.${key}`, `unknown hook "${key}"; expected onRequest or onResponse`);
    }
    const hook = hooks[key];
    if (hook !== undefined && hook !== null && typeof hook !== 'function') throw validationError(`hooks.${key}`, `hooks.${key} must be a function`);
    if (hook) out[key] = hook;
  }
  return out;
}

const ms = (n) => `${Math.round(n)} ms`;

/** What a hook sees of an attempt: a frozen copy. */
function attemptInfo(e) {
  const info = { operation: e.operation, method: e.method, url: e.url, call: e.call, attempt: e.attempt };
  if (e.type === 'response') {
    if (e.status !== null) info.status = e.status;
    info.durationMs = e.durationMs;
    if (e.traceId !== null) info.traceId = e.traceId;
    if (e.error !== null) info.error = Object.freeze({ ...e.error });
    info.next = e.next;
    if (e.waitMs !== null) info.waitMs = e.waitMs;
    if (e.gaveUp !== null) info.gaveUp = e.gaveUp;
  }
  return Object.freeze(info);
}

/**
 * The line for a failure the client retries elsewhere but not here, by the core's reason (one
 * that is never retried, such as a 404, gets none).
 */
const GAVE_UP = {
  notSafeToRepeat: ['info', (e) => `the request may have reached the server, and ${e.operation} is not repeated where it could act twice`],
  retriesSpent: ['info', (e) => `${e.attempt - 1} ${e.attempt === 2 ? 'retry' : 'retries'} made, as many as maxRetries allows`],
  retryAfterTooLong: ['warn', (e) => `the server asked to wait ${ms(e.retryAfterMs)} (Retry-After), longer than the client waits for; giving up`],
  noTimeLeft: ['info', () => "the wait before a retry would not end within the call's timeout"],
};

/** The line of an ended attempt. */
function attemptLine(e) {
  const outcome = e.status !== null ? `${e.status}` : e.error ? e.error.code : 'no answer';
  const trace = e.traceId ? ` trace ${e.traceId}` : '';
  const next = e.next === 'retry' ? `, retrying in ${ms(e.waitMs)}` : e.next === 'reauthenticate' ? ', fetching a new access token' : '';
  const why = e.error && e.status === null ? ` (${e.error.message})` : '';
  return `${PREFIX} ${e.operation} ${e.method} ${e.url} -> ${outcome} in ${ms(e.durationMs)}, attempt ${e.attempt}${trace}${why}${next}`;
}

/** The observer for a client's `logLevel`, `logger` and `hooks` (`null` when nothing listens). */
export function observer({ logLevel: level, logger, hooks }) {
  const threshold = LEVELS[level ?? 'off'];
  const out = checkLogger(logger) ?? globalThis.console;
  const { onRequest, onResponse } = checkHooks(hooks);
  if (threshold === 0 && !onRequest && !onResponse) return null;

  const log = (at, line) => {
    if (LEVELS[at] > threshold) return;
    try {
      const method = out?.[at];
      if (typeof method === 'function') method.call(out, line);
    } catch {
      // a logger that throws must not break a call
    }
  };
  const call = (name, hook, arg) => {
    try {
      const result = hook(arg);
      if (result && typeof result.then === 'function') {
        result.then(undefined, (err) => log('warn', `${PREFIX} the ${name} hook rejected: ${err instanceof Error ? err.message : String(err)}`));
      }
    } catch (err) {
      log('warn', `${PREFIX} the ${name} hook threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (e) => {
    switch (e.type) {
      case 'request':
        if (onRequest) call('onRequest', onRequest, attemptInfo(e));
        return;
      case 'response':
        if (onResponse) call('onResponse', onResponse, attemptInfo(e));
        log('debug', attemptLine(e));
        if (e.next === 'retry') {
          const because = e.retryAfterMs !== null ? `Retry-After ${ms(e.retryAfterMs)}` : 'backoff';
          log('info', `${PREFIX} ${e.operation} retried after ${e.status ?? e.error?.code} (${because}: waiting ${ms(e.waitMs)}, attempt ${e.attempt + 1} next)`);
        } else if (e.next === 'reauthenticate') {
          log('info', `${PREFIX} ${e.operation} answered 401: fetching a new access token and sending it again`);
        } else if (e.gaveUp !== null && GAVE_UP[e.gaveUp]) {
          const [level, why] = GAVE_UP[e.gaveUp];
          log(level, `${PREFIX} ${e.operation}: not retried after ${e.status ?? e.error?.code}: ${why(e)}`);
        }
        return;
      case 'failed':
        log('error', `${PREFIX} ${e.operation} failed: ${e.error.kind} ${e.error.code}: ${e.error.message}`);
        return;
      case 'poll':
        log('debug', `${PREFIX} waitForAuth poll ${e.polls}: ${e.pending.length} pending (${e.pending.join(', ')}), next poll in ${ms(e.nextPollMs)}`);
        return;
      case 'ensured':
        log('info', `${PREFIX} ensureConfig ${e.name}: ${e.action}${e.dryRun ? ' (dry run)' : ''}, ${e.changes} change${e.changes === 1 ? '' : 's'}`);
        return;
      case 'odd':
        log('warn', `${PREFIX} ${e.operation}: took an answer the API does not describe: ${e.note}`);
        return;
      default:
    }
  };
}
