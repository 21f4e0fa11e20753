// The test-control routes under `/_emulator/`. They need no bearer token, are never faulted and
// are not logged. Bodies are JSON with snake_case (or camelCase) keys; failures are Status JSON.
//
//   POST   /_emulator/reset                  forget all state (catalogue kept)           -> {}
//   GET    /_emulator/accounts               connected accounts                         -> {accounts}
//   POST   /_emulator/accounts               {connection_name, identifier, status}      -> {account}
//   POST   /_emulator/expire-tokens          every access token issued so far expires   -> {expired}
//   POST   /_emulator/account-tools          {connection_name, identifier, tools,       -> {account}
//                                             status?, organization_id?, user_id?}: an
//                                             account's custom tools (replaced)
//   GET    /_emulator/faults                 pending faults                             -> {faults}
//   POST   /_emulator/faults                 inject a fault (see faults.mjs)            -> {fault}
//   DELETE /_emulator/faults                 drop pending faults                        -> {}
//   GET    /_emulator/requests               the request log                            -> [entry...]
//   DELETE /_emulator/requests               clear the request log                      -> {}
//   GET    /_emulator/counters                                                          -> {token_requests, api_requests}
//   GET    /_emulator/clock                  the emulator's "now"                       -> {now, now_ms, offset_ms}
//   POST   /_emulator/clock                  {advance_ms}: move "now" forward           -> {now, now_ms, offset_ms}
//   GET    /_emulator/authorize/{token}      an authentication link: the account turns ACTIVE (HTML)

import { errors } from './errors.mjs';
import { FaultError, faultJson } from './faults.mjs';
import { authorizePage } from './pages.mjs';

const ok = (json) => ({ status: 200, json });

function jsonBody(ctx) {
  const text = ctx.body ? ctx.body.toString('utf8') : '';
  if (text.trim() === '') return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw errors.badBody(`invalid JSON: ${err.message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw errors.badBody('expected a JSON object');
  return value;
}

export const accountJson = (a) => ({
  connection_name: a.connectionName,
  identifier: a.identifier,
  connected_account_id: a.id,
  status: a.status,
});

export const reset = (ctx) => {
  ctx.emu.reset();
  return ok({});
};

export const listAccounts = (ctx) => ok({ accounts: ctx.emu.store.listAccounts().map(accountJson) });

export function setAccount(ctx) {
  const body = jsonBody(ctx);
  const connectionName = body.connection_name ?? body.connectionName;
  const { identifier, status } = body;
  if (typeof connectionName !== 'string' || typeof identifier !== 'string' || identifier === '' || typeof status !== 'string') {
    throw errors.invalidArgument('expected {"connection_name", "identifier", "status"} strings');
  }
  return ok({ account: accountJson(ctx.emu.setAccountStatus({ connectionName, identifier, status })) });
}

const ACCOUNT_TOOLS_FIELDS = {
  connection_name: 'connectionName', identifier: 'identifier', tools: 'tools', status: 'status',
  organization_id: 'organizationId', user_id: 'userId',
};

export function setAccountTools(ctx) {
  const body = jsonBody(ctx);
  const options = {};
  for (const [key, value] of Object.entries(body)) {
    const name = ACCOUNT_TOOLS_FIELDS[key] ?? (Object.values(ACCOUNT_TOOLS_FIELDS).includes(key) ? key : null);
    if (!name) throw errors.invalidArgument(`unknown field "${key}"`);
    if (value !== null) options[name] = value;
  }
  const { connectionName, identifier, status } = options;
  if (typeof connectionName !== 'string' || typeof identifier !== 'string' || identifier === '') {
    throw errors.invalidArgument('expected {"connection_name", "identifier", "tools"} with non-empty strings');
  }
  if (status !== undefined && typeof status !== 'string') throw errors.invalidArgument('status must be a string');
  const account = ctx.emu.setAccountTools(options);
  return ok({
    account: {
      ...accountJson(account),
      organization_id: account.organizationId,
      user_id: account.userId,
      tools: account.tools.map((t) => t.name),
    },
  });
}

export const expireTokens = (ctx) => ok({ expired: ctx.emu.expireTokens() });

export const listFaults = (ctx) => ok({ faults: ctx.emu.faults.list().map(faultJson) });

export function addFault(ctx) {
  try {
    return ok({ fault: faultJson(ctx.emu.faults.add(jsonBody(ctx))) });
  } catch (err) {
    if (err instanceof FaultError) throw errors.invalidArgument(err.message);
    throw err;
  }
}

export function clearFaults(ctx) {
  ctx.emu.faults.clear();
  return ok({});
}

export const listRequests = (ctx) => ok(ctx.emu.recorder.list());

export function clearRequests(ctx) {
  ctx.emu.recorder.clear();
  return ok({});
}

export function counters(ctx) {
  const c = ctx.emu.recorder.counters();
  return ok({ token_requests: c.tokenRequests, api_requests: c.apiRequests });
}

const clockJson = ({ now, nowMs, offsetMs }) => ({ now, now_ms: nowMs, offset_ms: offsetMs });

export const getClock = (ctx) => ok(clockJson(ctx.emu.clock.state()));

export function advanceClock(ctx) {
  const body = jsonBody(ctx);
  const ms = body.advance_ms ?? body.advanceMs;
  for (const key of Object.keys(body)) {
    if (key !== 'advance_ms' && key !== 'advanceMs') throw errors.invalidArgument(`unknown clock field "${key}"`);
  }
  try {
    return ok(clockJson(ctx.emu.advanceTime(ms, 'advance_ms')));
  } catch (err) {
    if (err instanceof RangeError) throw errors.invalidArgument(err.message);
    throw err;
  }
}

export function authorize(ctx) {
  const { status, html } = authorizePage(ctx.emu.authorize(ctx.params.token));
  return { status, html };
}
