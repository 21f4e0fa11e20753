// Request messages of `scalekit.v1.mcp.McpService` (mcp.proto) and of the one
// `scalekit.v1.tools.ToolService` RPC the emulator serves (tools.proto), as in the descriptors, for
// the protojson decoder. Output-only fields are listed too: protojson accepts them in requests and the
// service ignores them.

import { message, repeated } from './protojson.mjs';

export const McpConfigConnectionToolMapping = message('scalekit.v1.mcp.McpConfigConnectionToolMapping', {
  connection_id: 'string',
  connection_name: 'string',
  provider: 'string',
  tools: repeated('string'),
  connected_account_id: 'string',
  connected_account_status: 'string',
});

// POST /api/v1/mcp/configs: the body is the McpConfig itself (`body: "config"`).
export const McpConfig = message('scalekit.v1.mcp.McpConfig', {
  id: 'string',
  name: 'string',
  description: 'string',
  connection_tool_mappings: repeated(McpConfigConnectionToolMapping),
  mcp_server_url: 'string',
});

export const UpdateMcpConfigRequest = message('scalekit.v1.mcp.UpdateMcpConfigRequest', {
  config_id: 'string',
  description: 'string',
  connection_tool_mappings: repeated(McpConfigConnectionToolMapping),
});

export const ListMcpConfigsRequest = message('scalekit.v1.mcp.ListMcpConfigsRequest', {
  filter: message('scalekit.v1.mcp.ListMcpConfigsRequest.Filter', {
    id: 'string',
    name: 'string',
    provider: 'string',
    mcp_server_url: 'string',
  }),
  search: 'string',
  page_size: 'uint32',
  page_token: 'string',
});

export const ListMcpConnectedAccountsRequest = message('scalekit.v1.mcp.ListMcpConnectedAccountsRequest', {
  config_id: 'string',
  identifier: 'string',
  include_auth_link: 'bool',
});

export const CreateMcpSessionTokenRequest = message('scalekit.v1.mcp.CreateMcpSessionTokenRequest', {
  mcp_config_id: 'string',
  identifier: 'string',
  expiry: 'duration',
  key_id: 'string',
  access_level: 'string',
});

export const EnsureMcpInstanceRequest = message('scalekit.v1.mcp.EnsureMcpInstanceRequest', {
  name: 'string',
  config_name: 'string',
  user_identifier: 'string',
});

export const ListMcpInstancesRequest = message('scalekit.v1.mcp.ListMcpInstancesRequest', {
  filter: message('scalekit.v1.mcp.ListMcpInstancesRequest.Filter', {
    id: 'string',
    name: 'string',
    config_name: 'string',
    user_identifier: 'string',
  }),
  search: 'string',
  page_size: 'uint32',
  page_token: 'string',
});

export const UpdateMcpInstanceRequest = message('scalekit.v1.mcp.UpdateMcpInstanceRequest', {
  instance_id: 'string',
  name: 'string',
  config_name: 'string',
});

export const GetMcpInstanceAuthStateRequest = message('scalekit.v1.mcp.GetMcpInstanceAuthStateRequest', {
  instance_id: 'string',
  include_auth_links: 'bool',
});

// GET /api/v1/tools (ToolService.ListTools). `summary` is a google.protobuf.BoolValue: protojson
// and the gateway's query parser read it as a bare bool. `query`, `connector`, `organization_id`,
// `user_id` and `connected_account_id` are proto3 `optional`: decoded, they are present whenever
// the request names them, even as "".
export const ListToolsRequest = message('scalekit.v1.tools.ListToolsRequest', {
  filter: message('scalekit.v1.tools.Filter', {
    summary: 'bool',
    provider: 'string',
    identifier: 'string',
    tool_name: repeated('string'),
    query: 'string',
    connector: 'string',
    organization_id: 'string',
    user_id: 'string',
    connected_account_id: 'string',
  }),
  page_size: 'uint32',
  page_token: 'string',
});
