// What an MCP URL serves once a client is through the transport: the JSON-RPC methods
// (`initialize`, `ping`, `tools/list`, `tools/call`) over the tools of one scope.
//
// A scope is what one request to an MCP URL may see:
//   {tools: [{tool, connection}], user, accessLevel: 'FULL' | 'READ_ONLY'}
// `tools` are the config's whitelisted tools (instance and virtual server URLs; a mapping with no
// tools means every tool of its connection plus the custom tools of the user's connected account
// on it; when two mappings offer a tool of the same name, the first mapping's is served) or every
// tool of one connection, the user's custom tools included (connection URLs). A READ_ONLY scope
// lists and allows only the read-only ones.
//
// `tools/call` does not reach any provider: while the user's connected account for the tool's
// connection is ACTIVE it answers the call echoed back (tool, connection, user, arguments) as
// `structuredContent` plus the same JSON as a text item; otherwise a tool error saying the account
// needs authorizing.

import { readFileSync } from 'node:fs';
import { checkSchema } from './jsonschema.mjs';

/** Protocol revisions served, newest first (the Streamable HTTP transport exists since 2025-03-26). */
export const MCP_PROTOCOL_VERSIONS = Object.freeze(['2025-11-25', '2025-06-18', '2025-03-26']);
export const LATEST_MCP_PROTOCOL_VERSION = MCP_PROTOCOL_VERSIONS[0];
// From this revision on, tool argument validation failures are tool execution errors (SEP-1303);
// before it they were JSON-RPC "invalid params" errors.
const ARGUMENT_ERRORS_AS_TOOL_ERRORS = '2025-11-25';

/** JSON-RPC error codes. */
export const RpcCode = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
});

/** A JSON-RPC error answered to a request. */
export class RpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }

  toJson() {
    const error = { code: this.code, message: this.message };
    if (this.data !== undefined) error.data = this.data;
    return error;
  }
}

const SERVER_INFO = Object.freeze({
  name: 'scalekit-mcp-emulator',
  title: 'Scalekit MCP (emulator)',
  version: packageVersion(),
});

function packageVersion() {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The tools of a config: [{tool, connection}] in mapping order, without duplicate names. A mapping
 * without tools brings every tool of its connection and then the custom tools `accountTools`
 * gives for it (those of the user's connected account).
 */
export function configTools(catalogue, config, accountTools = () => []) {
  const out = [];
  const seen = new Set();
  for (const m of config.mappings) {
    const connection = catalogue.byName(m.connectionName);
    if (!connection) continue;
    const tools = m.tools.length
      ? m.tools.map((name) => connection.tools.find((t) => t.name === name))
      : [...connection.tools, ...accountTools(connection)];
    for (const tool of tools) {
      if (!tool || seen.has(tool.name)) continue;
      seen.add(tool.name);
      out.push({ tool, connection });
    }
  }
  return out;
}

/** The tools of a connection's own MCP server: all of them, then the user's custom tools `accountTools` gives. */
export function connectionTools(connection, accountTools = () => []) {
  return [...connection.tools, ...accountTools(connection)].map((tool) => ({ tool, connection }));
}

/** The custom tools of `user`'s connected accounts, as configTools and connectionTools take them. */
export const userAccountTools = (store, user) => (connection) => store.account(connection.name, user)?.tools ?? [];

const visible = (scope) => (scope.accessLevel === 'READ_ONLY' ? scope.tools.filter((t) => t.tool.readOnly) : scope.tools);

// From this revision on, a tool has a top-level `title` (before it, only `annotations.title`).
const TOOL_TITLES = '2025-06-18';

/**
 * A tool as `tools/list` describes it on a session of `protocolVersion`: the catalogue's name,
 * description, input schema and annotations (the same the tools API's `definition` carries).
 */
export function toolJson({ tool }, protocolVersion = LATEST_MCP_PROTOCOL_VERSION) {
  const out = { name: tool.name };
  if (protocolVersion >= TOOL_TITLES) out.title = tool.title;
  out.description = tool.description;
  out.inputSchema = tool.inputSchema;
  out.annotations = { ...tool.annotations };
  return out;
}

/** The version to answer an `initialize` asking for `requested`: the same when served, else the latest. */
export function negotiateProtocolVersion(requested) {
  return MCP_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_MCP_PROTOCOL_VERSION;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks the params of `initialize`; returns {protocolVersion, clientInfo} or throws an RpcError. */
export function readInitializeParams(params) {
  if (!isObject(params)) throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: initialize needs {protocolVersion, capabilities, clientInfo}');
  if (typeof params.protocolVersion !== 'string' || params.protocolVersion === '') {
    throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: protocolVersion must be a string');
  }
  if (params.capabilities !== undefined && !isObject(params.capabilities)) {
    throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: capabilities must be an object');
  }
  const info = params.clientInfo;
  if (!isObject(info) || typeof info.name !== 'string' || typeof info.version !== 'string') {
    throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: clientInfo must be {name, version}');
  }
  return { protocolVersion: params.protocolVersion, clientInfo: { name: info.name, version: info.version } };
}

/** The `initialize` result for a negotiated version. */
export function initializeResult(protocolVersion) {
  return {
    protocolVersion,
    capabilities: { tools: { listChanged: false } },
    serverInfo: { ...SERVER_INFO },
  };
}

/**
 * Answers a request other than `initialize` (which opens the session, see mcp-http.mjs) on an
 * open session.
 * @param {object} emu        the Emulator (for connected accounts)
 * @param {object} scope      {tools, user, accessLevel}
 * @param {object} session    the MCP session (its protocolVersion decides how argument errors are reported)
 * @param {string} method
 * @param {unknown} params
 * @returns the JSON-RPC result; throws an RpcError for a JSON-RPC error
 */
export function answer(emu, scope, session, method, params) {
  if (params !== undefined && !isObject(params)) throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: params must be an object');
  switch (method) {
    case 'ping':
      return {};
    case 'tools/list':
      if (params?.cursor !== undefined) throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: unknown cursor');
      return { tools: visible(scope).map((entry) => toolJson(entry, session.protocolVersion)) };
    case 'tools/call':
      return callTool(emu, scope, session, params);
    default:
      throw new RpcError(RpcCode.METHOD_NOT_FOUND, `Method not found: ${method}`);
  }
}

const toolError = (text) => ({ content: [{ type: 'text', text }], isError: true });

function callTool(emu, scope, session, params) {
  if (!isObject(params) || typeof params.name !== 'string') {
    throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: tools/call needs {name, arguments}');
  }
  if (params.arguments !== undefined && !isObject(params.arguments)) {
    throw new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params: arguments must be an object');
  }
  const { name } = params;
  const entry = scope.tools.find((t) => t.tool.name === name);
  if (!entry) throw new RpcError(RpcCode.INVALID_PARAMS, `Unknown tool: ${name}`);
  if (scope.accessLevel === 'READ_ONLY' && !entry.tool.readOnly) {
    throw new RpcError(
      RpcCode.INVALID_PARAMS,
      `Tool not available: ${name} is not read-only and the session token's access level is READ_ONLY`,
    );
  }

  const args = params.arguments ?? {};
  const problem = checkSchema(entry.tool.inputSchema, args);
  if (problem) {
    const message = `Invalid arguments for tool ${name}: ${problem}`;
    if (session.protocolVersion >= ARGUMENT_ERRORS_AS_TOOL_ERRORS) return toolError(message);
    throw new RpcError(RpcCode.INVALID_PARAMS, message);
  }

  const { connection } = entry;
  const account = emu.store.account(connection.name, scope.user);
  if (account?.status !== 'ACTIVE') {
    const state = account ? `is ${account.status}` : 'does not exist yet';
    return toolError(
      `Connection "${connection.name}" needs authorizing: the connected account of "${scope.user}" ${state}. ` +
        `The user must authorize ${connection.name} (open a fresh authentication link) before ${name} can be called.`,
    );
  }
  const structuredContent = {
    tool: name,
    connection: connection.name,
    provider: connection.provider,
    user: scope.user,
    connectedAccountId: account.id,
    arguments: args,
  };
  return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent, isError: false };
}
