// The tools API (`scalekit.v1.tools.ToolService`): `GET /api/v1/tools` (ListTools), served from the
// catalogue and the custom tools of connected accounts.
//
// What a listing holds, in order:
//   1. the catalogue's tools, one per provider and name (gmail and MY_GMAIL share theirs), of
//      - every connection, or
//      - the connection `filter.connector` names, or
//      - the connections of the accounts an account lookup matched (below);
//   2. the custom tools of the matched accounts (not with `filter.query`: it searches the catalogue's
//      tools only).
// An account lookup happens when `filter.identifier` or `filter.connected_account_id` is set: the
// accounts matching every one of identifier, connected_account_id, connector (the connection),
// organization_id and user_id that is set. Matching none is a 404. `connector` alone is no lookup
// (a connection name does not identify an account), and neither are organization_id and user_id
// without identifier or connected_account_id.
// Then `filter.provider` (case-insensitive), `filter.tool_name` (any of the exact names) and
// `filter.query` (each of its space- or underscore-separated tokens in the tool name,
// case-insensitive) narrow the list. A page holds `page_size` tools (0 or absent: 300; larger than
// 1000: 1000; with `query`: at most 100); page tokens are tied to the filter they were made with.
// `tool_names` lists the names of the page; with `filter.summary`, `tools` is empty.

import { createHash } from 'node:crypto';
import { errors } from './errors.mjs';
import { ListToolsRequest } from './messages.mjs';
import { paginate } from './paging.mjs';
import { decodeQuery, timestamp } from './protojson.mjs';
import { validateListTools } from './validate.mjs';

export const DEFAULT_TOOLS_PAGE_SIZE = 300;
export const MAX_TOOLS_PAGE_SIZE = 1000;
export const MAX_SEARCH_PAGE_SIZE = 100;

/** When the catalogue's tools were last updated, as their `updated_at` says. */
export const CATALOGUE_UPDATED_AT = '2026-01-01T00:00:00Z';

/** `tol_` and 18 digits derived from `seed`, so a tool keeps its id across listings and restarts. */
export function toolId(seed) {
  const digest = createHash('sha256').update(seed).digest();
  return `tol_${10n ** 17n + (digest.readBigUInt64BE(0) % (9n * 10n ** 17n))}`;
}

/** A google.protobuf.Struct value as protojson writes it: object keys sorted, at every depth. */
export function structJson(value) {
  if (Array.isArray(value)) return value.map(structJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, structJson(value[key])]),
  );
}

/**
 * A Tool message. `definition` carries what an MCP client needs (the Python SDK builds its MCP
 * tools from it): name, description, input_schema (the schema MCP's `tools/list` shows as
 * `inputSchema`) and the annotations with snake_case hints. `definition` and `metadata` are
 * Structs.
 */
export function toolJson({ id, provider, tool, updatedAt }) {
  const a = tool.annotations;
  return {
    id,
    provider,
    definition: structJson({
      name: tool.name,
      description: tool.description,
      input_schema: tool.inputSchema,
      annotations: {
        title: a.title,
        read_only_hint: a.readOnlyHint,
        destructive_hint: a.destructiveHint,
        idempotent_hint: a.idempotentHint,
        open_world_hint: a.openWorldHint,
      },
    }),
    metadata: structJson(tool.metadata),
    tags: [...tool.tags],
    is_default: true,
    updated_at: updatedAt,
  };
}

/** The accounts a ListTools filter names, or null when it names none (no lookup). */
function lookUpAccounts(store, f) {
  if (!f.identifier && !f.connected_account_id) return null;
  const wanted = [
    ['connector', f.connector, (a) => a.connectionName],
    ['identifier', f.identifier, (a) => a.identifier],
    ['connected_account_id', f.connected_account_id, (a) => a.id],
    ['organization_id', f.organization_id, (a) => a.organizationId],
    ['user_id', f.user_id, (a) => a.userId],
  ].filter(([, value]) => value);
  const accounts = store.listAccounts().filter((a) => wanted.every(([, value, of]) => of(a) === value));
  if (accounts.length === 0) {
    const named = wanted.map(([field, value]) => `${field} "${value}"`).join(', ');
    throw errors.notFound(`connected account not found: no connected account matches ${named}`);
  }
  return accounts;
}

/** The tokens of a search query: split on spaces and underscores, lower-cased. */
const queryTokens = (query) => query.toLowerCase().split(/[\s_]+/).filter(Boolean);

/** GET /api/v1/tools. */
export function listTools(ctx) {
  const { store, catalogue } = ctx.emu;
  const req = decodeQuery(ListToolsRequest, ctx.query);
  validateListTools(req);
  const { summary = false, ...f } = req.filter ?? {};
  const searching = f.query !== undefined;

  let connections = catalogue.list();
  if (f.connector) {
    const connection = catalogue.byName(f.connector);
    if (!connection) throw errors.notFound(`connection "${f.connector}" not found`);
    connections = [connection];
  }
  const accounts = lookUpAccounts(store, f);
  if (accounts) {
    const names = new Set(accounts.map((a) => a.connectionName));
    connections = connections.filter((c) => names.has(c.name));
  }

  let items = catalogue.providerTools(connections).map(({ tool, provider }) => ({
    id: toolId(`${provider}\n${tool.name}`),
    provider,
    tool,
    updatedAt: CATALOGUE_UPDATED_AT,
  }));
  if (accounts && !searching) {
    for (const account of accounts) {
      const provider = catalogue.byName(account.connectionName).provider;
      for (const tool of account.tools) {
        items.push({ id: toolId(`${account.id}\n${tool.name}`), provider, tool, updatedAt: timestamp(account.toolsUpdatedAt) });
      }
    }
  }
  if (f.provider) items = items.filter((t) => t.provider.toLowerCase() === f.provider.toLowerCase());
  if (f.tool_name?.length) items = items.filter((t) => f.tool_name.includes(t.tool.name));
  if (searching) {
    const tokens = queryTokens(f.query);
    items = items.filter((t) => tokens.every((token) => t.tool.name.toLowerCase().includes(token)));
  }

  let pageSize = Math.min(req.page_size || DEFAULT_TOOLS_PAGE_SIZE, MAX_TOOLS_PAGE_SIZE);
  if (searching) pageSize = Math.min(pageSize, MAX_SEARCH_PAGE_SIZE);
  const page = paginate(items, { pageSize, pageToken: req.page_token, scope: { tools: f } });
  // Fields in the order of their numbers, as protojson writes them.
  return {
    status: 200,
    json: {
      next_page_token: page.nextPageToken,
      total_size: page.totalSize,
      prev_page_token: page.prevPageToken,
      tool_names: page.page.map((t) => t.tool.name),
      tools: summary ? [] : page.page.map(toolJson),
    },
  };
}
