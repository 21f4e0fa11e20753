// The connections the emulated environment has, with their tools.
//
// The built-in catalogue (catalogue.json) has gmail, googlecalendar, MY_GMAIL, MY_CALENDAR,
// slack, github, notion and acme_mcp (a custom MCP connector: no tools of its own, only the
// custom tools of its connected accounts). A fixtures file (or object) replaces it; its shape
// is the same:
//   {"connections": [{"name": "gmail", "id": "conn_...", "provider": "GMAIL", "key": "gmail",
//                     "tools": [TOOL...],
//                     "accounts": [{"identifier", "status", "organizationId", "userId",
//                                   "tools": [TOOL...]}]}]}
//   TOOL = {"name", "title", "description", "readOnly", "inputSchema",
//           "annotations": {"destructiveHint", "idempotentHint", "openWorldHint"},
//           "tags": [...], "metadata": {...}}
// Only names are required. A connection's `id` defaults to a stable id derived from the name,
// `provider` to the upper-cased name, `key` (the connection's key_id: its MCP URL segment and the
// path of connection session tokens) to the name. A connection with `"key": ""` has no key: it
// gets no authentication links and no connection-level MCP server.
//
// A tool's `readOnly` (or `annotations.readOnlyHint`) defaults to false, `title` to its name
// in words, `destructiveHint` to "not read-only", `idempotentHint` to "read-only",
// `openWorldHint` to true, `inputSchema` to an empty object schema. The same view feeds MCP
// (`tools/list`) and the tools API (`GET /api/v1/tools`), so both show the same names, schemas
// and hints.
//
// The tools API lists tools per provider: connections of one provider (gmail and MY_GMAIL) share
// their tools, so a tool name that two connections of one provider both have must be defined
// identically by both.
//
// `accounts` seeds connected accounts (status ACTIVE unless given) with custom tools of their
// own, as a custom MCP connector's accounts have: they exist from the start and again after
// every reset, and their tools appear in `GET /api/v1/tools` only when the account is named
// (`filter.connector` + `filter.identifier`, or `filter.connected_account_id`) and on the MCP URLs
// of that account's user. A custom tool may not reuse a name of its connection's tools.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const DEFAULT_CATALOGUE_URL = new URL('./catalogue.json', import.meta.url);

/** Statuses a connected account can have (connected_accounts.ConnectorStatus names). */
export const ACCOUNT_STATUSES = Object.freeze(['ACTIVE', 'EXPIRED', 'PENDING_AUTH', 'PENDING_VERIFICATION', 'DISCONNECTED']);

export class Catalogue {
  constructor(connections) {
    this.connections = connections;
    this.byNameMap = new Map(connections.map((c) => [c.name, c]));
    this.byKeyMap = new Map(connections.filter((c) => c.key).map((c) => [c.key, c]));
  }

  list() {
    return this.connections;
  }

  byName(name) {
    return this.byNameMap.get(name);
  }

  byKey(key) {
    return this.byKeyMap.get(key);
  }

  /**
   * The tools of `connections` (default: all) as the tools API lists them, one per provider and
   * name, in catalogue order: [{tool, provider}].
   */
  providerTools(connections = this.connections) {
    const seen = new Set();
    const out = [];
    for (const connection of connections) {
      for (const tool of connection.tools) {
        const key = `${connection.provider}\n${tool.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ tool, provider: connection.provider });
      }
    }
    return out;
  }
}

/** Loads the catalogue from `fixtures` (a JSON file path or an object), or the built-in one. */
export function loadCatalogue(fixtures) {
  let source = fixtures;
  let origin = 'fixtures';
  if (source === undefined || source === null) {
    source = readJson(DEFAULT_CATALOGUE_URL);
    origin = 'catalogue.json';
  } else if (typeof source === 'string' || source instanceof URL) {
    origin = String(source);
    source = readJson(source);
  }
  const list = Array.isArray(source) ? source : source?.connections;
  if (!Array.isArray(list)) throw new Error(`${origin}: expected {"connections": [...]}`);
  const connections = list.map((raw, i) => normalizeConnection(raw, `${origin}: connections[${i}]`));
  const names = new Set();
  const keys = new Set();
  for (const c of connections) {
    if (names.has(c.name)) throw new Error(`${origin}: duplicate connection name "${c.name}"`);
    if (c.key && keys.has(c.key)) throw new Error(`${origin}: duplicate connection key "${c.key}"`);
    names.add(c.name);
    if (c.key) keys.add(c.key);
  }
  checkProviderTools(connections, origin);
  return new Catalogue(connections);
}

/** Connections of one provider share their tools: a name both define must be defined the same. */
function checkProviderTools(connections, origin) {
  const first = new Map(); // provider + name -> {connection, json}
  for (const connection of connections) {
    for (const tool of connection.tools) {
      const key = `${connection.provider}\n${tool.name}`;
      const json = JSON.stringify(tool);
      const seen = first.get(key);
      if (!seen) first.set(key, { connection, json });
      else if (seen.json !== json) {
        throw new Error(
          `${origin}: tool "${tool.name}" of provider ${connection.provider} is defined differently by connections "${seen.connection.name}" and "${connection.name}"`,
        );
      }
    }
  }
}

function readJson(path) {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: ${err.message}`);
  }
}

function normalizeConnection(raw, where) {
  if (!raw || typeof raw !== 'object') throw new Error(`${where}: expected an object`);
  const name = requireString(raw.name, `${where}.name`);
  const tools = normalizeTools(raw.tools ?? [], `${where}.tools`);
  const connection = {
    name,
    id: raw.id ? String(raw.id) : stableId(name),
    provider: raw.provider ? String(raw.provider) : name.toUpperCase(),
    key: raw.key === undefined ? name : String(raw.key),
    tools,
  };
  if (raw.accounts !== undefined && !Array.isArray(raw.accounts)) throw new Error(`${where}.accounts: expected an array`);
  const identifiers = new Set();
  connection.accounts = Object.freeze(
    (raw.accounts ?? []).map((a, i) => {
      const at = `${where}.accounts[${i}]`;
      if (!a || typeof a !== 'object') throw new Error(`${at}: expected an object`);
      const identifier = requireString(a.identifier, `${at}.identifier`);
      if (identifiers.has(identifier)) throw new Error(`${where}: duplicate account "${identifier}"`);
      identifiers.add(identifier);
      const status = a.status === undefined ? 'ACTIVE' : a.status;
      if (!ACCOUNT_STATUSES.includes(status)) throw new Error(`${at}.status: expected one of ${ACCOUNT_STATUSES.join(', ')}`);
      return Object.freeze({
        identifier,
        status,
        organizationId: a.organizationId === undefined ? '' : String(a.organizationId),
        userId: a.userId === undefined ? '' : String(a.userId),
        tools: normalizeCustomTools(connection, a.tools ?? [], `${at}.tools`),
      });
    }),
  );
  return Object.freeze(connection);
}

/** Normalizes a list of tools; names must be unique within it. */
export function normalizeTools(list, where) {
  if (!Array.isArray(list)) throw new Error(`${where}: expected an array`);
  const tools = list.map((t, i) => normalizeTool(t, `${where}[${i}]`));
  const names = new Set();
  for (const t of tools) {
    if (names.has(t.name)) throw new Error(`${where}: duplicate tool "${t.name}"`);
    names.add(t.name);
  }
  return Object.freeze(tools);
}

/** Normalizes the custom tools of an account of `connection`: none may reuse a connection tool's name. */
export function normalizeCustomTools(connection, list, where) {
  const tools = normalizeTools(list, where);
  for (const t of tools) {
    if (connection.tools.some((c) => c.name === t.name)) {
      throw new Error(`${where}: "${t.name}" is already a tool of connection "${connection.name}"`);
    }
  }
  return tools;
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

/** `gmail_fetch_mails` -> `Gmail fetch mails`. */
const words = (name) => {
  const text = name.replace(/[_-]+/g, ' ').trim() || name;
  return text[0].toUpperCase() + text.slice(1);
};

/**
 * A tool as every view shows it: {name, title, description, readOnly, inputSchema,
 * annotations: {title, readOnlyHint, destructiveHint, idempotentHint, openWorldHint}, tags, metadata}.
 */
export function normalizeTool(raw, where) {
  if (!raw || typeof raw !== 'object') throw new Error(`${where}: expected an object`);
  const name = requireString(raw.name, `${where}.name`);
  const given = raw.annotations ?? {};
  if (!isPlainObject(given)) throw new Error(`${where}.annotations: expected an object`);
  for (const [key, value] of Object.entries(given)) {
    if (key === 'title') continue;
    if (!HINTS.includes(key)) throw new Error(`${where}.annotations: unknown annotation "${key}"`);
    if (typeof value !== 'boolean') throw new Error(`${where}.annotations.${key}: expected a boolean`);
  }
  if (raw.readOnly !== undefined && given.readOnlyHint !== undefined && Boolean(raw.readOnly) !== given.readOnlyHint) {
    throw new Error(`${where}: readOnly and annotations.readOnlyHint disagree`);
  }
  const readOnly = Boolean(raw.readOnly ?? given.readOnlyHint ?? false);
  const title = String(raw.title ?? given.title ?? words(name));
  const inputSchema = raw.inputSchema ?? { type: 'object', properties: {}, required: [] };
  if (!isPlainObject(inputSchema)) throw new Error(`${where}.inputSchema: expected a JSON Schema object`);
  const tags = raw.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw new Error(`${where}.tags: expected an array of strings`);
  const metadata = raw.metadata ?? {};
  if (!isPlainObject(metadata)) throw new Error(`${where}.metadata: expected an object`);
  return Object.freeze({
    name,
    title,
    description: String(raw.description ?? ''),
    readOnly,
    inputSchema,
    annotations: Object.freeze({
      title,
      readOnlyHint: readOnly,
      destructiveHint: given.destructiveHint ?? !readOnly,
      idempotentHint: given.idempotentHint ?? readOnly,
      openWorldHint: given.openWorldHint ?? true,
    }),
    tags: Object.freeze([...tags]),
    metadata,
  });
}

function requireString(value, where) {
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: expected a non-empty string`);
  return value;
}

// `conn_` and 18 digits derived from the name, so ids survive restarts.
function stableId(name) {
  const digest = createHash('sha256').update(name).digest();
  return `conn_${10n ** 17n + (digest.readBigUInt64BE(0) % (9n * 10n ** 17n))}`;
}
