// The connections the emulated environment has, with their tools.
//
// The built-in catalogue (catalogue.json) has gmail, googlecalendar, MY_GMAIL, MY_CALENDAR,
// slack, github and notion. A fixtures file (or object) replaces it; its shape is the same:
//   {"connections": [{"name": "gmail", "id": "conn_...", "provider": "GMAIL", "key": "gmail",
//                     "tools": [{"name", "description", "readOnly", "inputSchema"}]}]}
// Only `name` is required: `id` defaults to a stable id derived from the name, `provider` to the
// upper-cased name, `key` (the connection's key_id: its MCP URL segment and the path of
// connection session tokens) to the name. A connection with `"key": ""` has no key: it gets no
// authentication links and no connection-level MCP server.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const DEFAULT_CATALOGUE_URL = new URL('./catalogue.json', import.meta.url);

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
  return new Catalogue(connections);
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
  const tools = (raw.tools ?? []).map((t, i) => normalizeTool(t, `${where}.tools[${i}]`));
  const toolNames = new Set();
  for (const t of tools) {
    if (toolNames.has(t.name)) throw new Error(`${where}: duplicate tool "${t.name}"`);
    toolNames.add(t.name);
  }
  return Object.freeze({
    name,
    id: raw.id ? String(raw.id) : stableId(name),
    provider: raw.provider ? String(raw.provider) : name.toUpperCase(),
    key: raw.key === undefined ? name : String(raw.key),
    tools: Object.freeze(tools),
  });
}

function normalizeTool(raw, where) {
  if (!raw || typeof raw !== 'object') throw new Error(`${where}: expected an object`);
  return Object.freeze({
    name: requireString(raw.name, `${where}.name`),
    description: String(raw.description ?? ''),
    readOnly: Boolean(raw.readOnly),
    inputSchema: raw.inputSchema ?? { type: 'object', properties: {}, required: [] },
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
