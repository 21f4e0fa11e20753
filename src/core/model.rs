//! The shapes of the contract, defined once, with serde.
//!
//! * Inputs (`*Input`) are what JavaScript passes, in camelCase; unknown keys are refused. The
//!   same types serialize as the request bodies the REST gateway expects: proto names
//!   (snake_case), path parameters and absent options left out.
//! * Outputs are what JavaScript receives, in camelCase. They are read from the server's answers
//!   under either naming (snake_case proto names or lowerCamelCase) and tolerantly: missing and
//!   `null` members take their defaults, unknown members are skipped without being built, 64-bit
//!   integers may be numbers or strings, unknown enum values are kept as strings.
//!
//! Under `cargo test` every type also derives `ts_rs::TS`; the TypeScript in
//! `js/types/generated/` is generated from these definitions and checked by the tests at the end.

use serde::{Deserialize, Serialize, Serializer};

use super::wire::{count, js_uint, object, or_default, timestamp};

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Tool access of a session token. `""` (or leaving it out) exposes every tool, like `"FULL"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum AccessLevel {
    #[serde(rename = "FULL")]
    Full,
    /// Only tools annotated read-only.
    #[serde(rename = "READ_ONLY")]
    ReadOnly,
    #[serde(rename = "")]
    Default,
}

/// Which tools of one connection a config exposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct ConnectionToolMappingInput {
    /// Name of the connection, e.g. `"gmail"`.
    pub connection_name: String,
    /// Tool names of the connection to expose; empty or left out exposes all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
}

/// Input of `createConfig`, and of `ensureConfig` (the config as it should be; its mappings are
/// compared as sets with the existing config's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct CreateConfigInput {
    /// Unique name: 1-100 characters, lowercase letters, digits, `-` and `_`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// At most 25 connections, each named once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_tool_mappings: Option<Vec<ConnectionToolMappingInput>>,
}

/// Filters of `listConfigs`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ConfigFilter {
    pub id: Option<String>,
    /// Case-insensitive exact name: at most 100 characters, letters, digits, `-` and `_`.
    pub name: Option<String>,
    /// Configs that include this provider, e.g. `"GMAIL"`.
    pub provider: Option<String>,
    /// The config whose MCP server URL this is.
    pub mcp_server_url: Option<String>,
}

/// Input of `listConfigs`; every field is optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ListConfigsInput {
    #[serde(default, deserialize_with = "object")]
    pub filter: Option<ConfigFilter>,
    /// Look-ahead text search on the config name.
    pub search: Option<String>,
    /// Configs per page, 0 to 30 (0: the server's default).
    #[serde(default, deserialize_with = "js_uint")]
    pub page_size: Option<u32>,
    /// `nextPageToken` or `prevPageToken` of an earlier page.
    pub page_token: Option<String>,
}

/// Input of `getConfig` and `deleteConfig`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ConfigIdInput {
    pub config_id: String,
}

/// Input of `updateConfig`: at least one of `description` and `connectionToolMappings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct UpdateConfigInput {
    #[serde(skip_serializing)]
    pub config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Replaces the config's mappings (1 to 25 entries; an empty list cannot clear them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_tool_mappings: Option<Vec<ConnectionToolMappingInput>>,
}

/// Input of `listConnectedAccounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct ListConnectedAccountsInput {
    #[serde(skip_serializing)]
    pub config_id: String,
    /// The user, 1-255 characters.
    pub identifier: String,
    /// Create missing connected accounts and return a fresh authentication link for each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_auth_link: Option<bool>,
}

/// A protobuf `Duration` in JSON: whole seconds and an `s`.
fn duration_seconds<S: Serializer>(secs: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match secs {
        Some(n) => s.serialize_str(&format!("{n}s")),
        None => s.serialize_none(),
    }
}

/// Input of `createSessionToken`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct CreateSessionTokenInput {
    #[serde(skip_serializing)]
    pub config_id: String,
    /// The user the token acts for (its `sub`), 1-255 characters.
    pub identifier: String,
    /// Lifetime of the token in whole seconds, 60 to 86400. Default 3600.
    #[serde(default, rename(serialize = "expiry"), deserialize_with = "js_uint", serialize_with = "duration_seconds", skip_serializing_if = "Option::is_none")]
    pub expiry_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level: Option<AccessLevel>,
}

/// Input of `createConnectionSessionToken`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct CreateConnectionSessionTokenInput {
    /// The connection's name (its `key_id`).
    #[serde(skip_serializing)]
    pub connection_name: String,
    /// The user the token acts for (its `sub`), 1-255 characters.
    pub identifier: String,
    /// Lifetime of the token in whole seconds, 60 to 86400. Default 3600.
    #[serde(default, rename(serialize = "expiry"), deserialize_with = "js_uint", serialize_with = "duration_seconds", skip_serializing_if = "Option::is_none")]
    pub expiry_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level: Option<AccessLevel>,
}

/// Input of `ensureInstance`: get or create the user's instance of a config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct EnsureInstanceInput {
    /// Name of the config, as given to `createConfig`.
    pub config_name: String,
    /// The user, 1-255 characters.
    pub user_identifier: String,
    /// Display name of the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Filters of `listInstances`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct InstanceFilter {
    pub id: Option<String>,
    /// Exact instance name.
    pub name: Option<String>,
    pub config_name: Option<String>,
    pub user_identifier: Option<String>,
}

/// Input of `listInstances`; every field is optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ListInstancesInput {
    #[serde(default, deserialize_with = "object")]
    pub filter: Option<InstanceFilter>,
    /// Text search across instance name and user identifier.
    pub search: Option<String>,
    /// Instances per page, 0 to 30 (0: the server's default).
    #[serde(default, deserialize_with = "js_uint")]
    pub page_size: Option<u32>,
    pub page_token: Option<String>,
}

/// Input of `getInstance` and `deleteInstance`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct InstanceIdInput {
    pub instance_id: String,
}

/// Input of `updateInstance`: at least one of `name` and `configName`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase", serialize = "snake_case"))]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase", optional_fields))]
pub struct UpdateInstanceInput {
    #[serde(skip_serializing)]
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Moves the instance to another config (its connections are rebuilt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_name: Option<String>,
}

/// Input of `getInstanceAuthState`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct GetInstanceAuthStateInput {
    pub instance_id: String,
    /// Generate a fresh authentication link for each connection.
    pub include_auth_links: Option<bool>,
}

/// What `waitForAuth` polls: an instance, or a config for one user. Exactly one of the two
/// shapes; [`crate::core::validate`] tells which.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WaitTargetInput {
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub config_id: Option<String>,
    #[serde(default)]
    pub identifier: Option<String>,
}

/// Filters of `listTools`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ToolFilter {
    /// Tools of this provider, e.g. `"GMAIL"`; at most 50 characters.
    pub provider: Option<String>,
    /// A connection's name: its tools (with `identifier` or `connectedAccountId`, also the
    /// custom tools of that connected account); at most 400 characters of letters, digits,
    /// spaces, `-`, `_` and `:`.
    pub connector: Option<String>,
    /// The connected account's user identifier; at most 100 characters.
    pub identifier: Option<String>,
    /// The connected account, instead of `connector` with `identifier`; at most 100 characters.
    pub connected_account_id: Option<String>,
    /// Scopes the connected-account lookup; at most 32 characters.
    pub organization_id: Option<String>,
    /// Scopes the connected-account lookup; at most 32 characters.
    pub user_id: Option<String>,
    /// Only tools with one of these exact names.
    pub tool_name: Option<Vec<String>>,
    /// 3 to 100 characters; every word (split on spaces and underscores) must appear in the
    /// tool's name. Searches the catalogue's tools only, at most 100 per page.
    pub query: Option<String>,
    /// Only the names (`toolNames`), no tools.
    pub summary: Option<bool>,
}

/// Input of `listTools`; every field is optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ListToolsInput {
    #[serde(default, deserialize_with = "object")]
    pub filter: Option<ToolFilter>,
    /// Tools per page, 0 to 1000 (0: the server's default, 300).
    #[serde(default, deserialize_with = "js_uint")]
    pub page_size: Option<u32>,
    pub page_token: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

/// Status of a connected account: `"ACTIVE"`, `"PENDING_AUTH"`, `"EXPIRED"`,
/// `"PENDING_VERIFICATION"`, `"DISCONNECTED"`, or `""` when there is no account. Compare
/// case-insensitively.
#[cfg(test)]
#[derive(ts_rs::TS)]
pub struct ConnectedAccountStatus(pub String);

/// One connection of a config and the tools it exposes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectionToolMapping {
    #[serde(alias = "connection_id", deserialize_with = "or_default")]
    pub connection_id: String,
    #[serde(alias = "connection_name", deserialize_with = "or_default")]
    pub connection_name: String,
    /// Provider of the connection, e.g. `"GMAIL"`.
    #[serde(deserialize_with = "or_default")]
    pub provider: String,
    /// Exposed tool names; empty means all tools.
    #[serde(deserialize_with = "or_default")]
    pub tools: Vec<String>,
    /// Present in an instance's config: the user's connected account.
    #[serde(alias = "connected_account_id", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub connected_account_id: Option<String>,
    #[serde(alias = "connected_account_status", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional, as = "Option<ConnectedAccountStatus>"))]
    pub connected_account_status: Option<String>,
}

/// An MCP config: which connections and tools an MCP server exposes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct McpConfig {
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    #[serde(deserialize_with = "or_default")]
    pub description: String,
    #[serde(alias = "connection_tool_mappings", deserialize_with = "or_default")]
    pub connection_tool_mappings: Vec<ConnectionToolMapping>,
    /// The config's virtual MCP server; `""` when the feature is off for the environment.
    #[serde(alias = "mcp_server_url", deserialize_with = "or_default")]
    pub mcp_server_url: String,
}

/// A user's MCP instance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct McpInstance {
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    #[serde(alias = "user_identifier", deserialize_with = "or_default")]
    pub user_identifier: String,
    #[serde(deserialize_with = "object")]
    pub config: Option<McpConfig>,
    /// The user's MCP endpoint. It works without further credentials: keep it secret.
    #[serde(deserialize_with = "or_default")]
    pub url: String,
    /// RFC 3339; `null` when never used.
    #[serde(alias = "last_used_at", deserialize_with = "timestamp")]
    pub last_used_at: Option<String>,
    /// RFC 3339.
    #[serde(alias = "updated_at", deserialize_with = "timestamp")]
    pub updated_at: Option<String>,
}

/// Authorization state of one connection for one user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectionAuthState {
    #[serde(alias = "connection_id", deserialize_with = "or_default")]
    pub connection_id: String,
    #[serde(alias = "connection_name", deserialize_with = "or_default")]
    pub connection_name: String,
    #[serde(deserialize_with = "or_default")]
    pub provider: String,
    /// `""` when the user has no account on the connection yet.
    #[serde(alias = "connected_account_id", deserialize_with = "or_default")]
    pub connected_account_id: String,
    #[serde(alias = "connected_account_status", deserialize_with = "or_default")]
    #[cfg_attr(test, ts(as = "ConnectedAccountStatus"))]
    pub connected_account_status: String,
    /// Where the user authorizes the connection; `""` unless links were asked for.
    #[serde(alias = "authentication_link", deserialize_with = "or_default")]
    pub authentication_link: String,
}

impl ConnectionAuthState {
    /// Whether the connected account is `ACTIVE` (in any letter case).
    pub fn is_active(&self) -> bool {
        self.connected_account_status.eq_ignore_ascii_case("ACTIVE")
    }
}

/// Result of `getInstanceAuthState`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InstanceAuthState {
    #[serde(deserialize_with = "or_default")]
    pub connections: Vec<ConnectionAuthState>,
    /// Whether every connection's status is `ACTIVE` (true when there are none).
    #[serde(skip_deserializing)]
    pub all_active: bool,
}

/// Result of `listConnectedAccounts`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectedAccounts {
    #[serde(alias = "connected_accounts", deserialize_with = "or_default")]
    pub connected_accounts: Vec<ConnectionAuthState>,
    /// Whether every connection's status is `ACTIVE` (true when there are none).
    #[serde(skip_deserializing)]
    pub all_active: bool,
}

/// Result of `listConfigs`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ListConfigsResult {
    #[serde(deserialize_with = "or_default")]
    pub configs: Vec<McpConfig>,
    /// `""` on the last page.
    #[serde(alias = "next_page_token", deserialize_with = "or_default")]
    pub next_page_token: String,
    /// `""` on the first page.
    #[serde(alias = "prev_page_token", deserialize_with = "or_default")]
    pub prev_page_token: String,
    /// Number of configs matching the filter.
    #[serde(alias = "total_size", deserialize_with = "count")]
    pub total_size: u32,
}

/// Result of `listInstances`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ListInstancesResult {
    #[serde(deserialize_with = "or_default")]
    pub instances: Vec<McpInstance>,
    /// `""` on the last page.
    #[serde(alias = "next_page_token", deserialize_with = "or_default")]
    pub next_page_token: String,
    /// `""` on the first page.
    #[serde(alias = "prev_page_token", deserialize_with = "or_default")]
    pub prev_page_token: String,
    /// Number of instances matching the filter.
    #[serde(alias = "total_size", deserialize_with = "count")]
    pub total_size: u32,
}

/// A timestamp member read as RFC 3339 text, `""` when absent.
fn timestamp_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(timestamp(d)?.unwrap_or_default())
}

/// Result of `createSessionToken` and `createConnectionSessionToken`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionToken {
    /// A signed JWT for the MCP server, sent as `Authorization: Bearer <token>`. Keep it secret.
    #[serde(deserialize_with = "or_default")]
    pub token: String,
    /// RFC 3339 expiry; `""` if the server did not say.
    #[serde(alias = "expires_at", deserialize_with = "timestamp_text")]
    pub expires_at: String,
}

/// The MCP annotations of a tool (hints for clients; absent when the catalogue does not say).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ToolAnnotations {
    #[serde(alias = "read_only_hint", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub read_only_hint: Option<bool>,
    #[serde(alias = "destructive_hint", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub destructive_hint: Option<bool>,
    #[serde(alias = "idempotent_hint", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub idempotent_hint: Option<bool>,
    #[serde(alias = "open_world_hint", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub open_world_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub title: Option<String>,
}

/// A tool's `definition` in the tools API: its MCP description.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ToolDefinition {
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    #[serde(deserialize_with = "or_default")]
    pub description: String,
    #[serde(alias = "inputSchema", deserialize_with = "or_default")]
    pub input_schema: serde_json::Value,
    #[serde(deserialize_with = "or_default")]
    pub annotations: ToolAnnotations,
}

/// A tool as the tools API lists it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ListedTool {
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    #[serde(deserialize_with = "or_default")]
    pub provider: String,
    #[serde(deserialize_with = "or_default")]
    pub definition: ToolDefinition,
    #[serde(deserialize_with = "or_default")]
    pub tags: Vec<String>,
    #[serde(alias = "isDefault", deserialize_with = "or_default")]
    pub is_default: bool,
    #[serde(alias = "updatedAt", deserialize_with = "timestamp")]
    pub updated_at: Option<String>,
}

/// A tool of the catalogue, with the name an MCP server lists it under.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Tool {
    pub name: String,
    pub description: String,
    /// Provider of the tool, e.g. `"GMAIL"`.
    pub provider: String,
    /// The JSON Schema of the tool's arguments.
    pub input_schema: serde_json::Value,
    pub annotations: ToolAnnotations,
    pub tags: Vec<String>,
    /// Whether the tool is among the provider's defaults.
    pub is_default: bool,
    /// RFC 3339; `null` when unknown.
    pub updated_at: Option<String>,
    pub id: String,
}

impl From<ListedTool> for Tool {
    fn from(t: ListedTool) -> Tool {
        let ListedTool { id, provider, definition, tags, is_default, updated_at } = t;
        let ToolDefinition { name, description, input_schema, annotations } = definition;
        Tool { name, description, provider, input_schema, annotations, tags, is_default, updated_at, id }
    }
}

/// Result of `listTools`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ListToolsResult {
    pub tools: Vec<Tool>,
    /// The names of this page's tools (also with `filter.summary`, when `tools` is empty).
    pub tool_names: Vec<String>,
    /// `""` on the last page.
    pub next_page_token: String,
    /// `""` on the first page.
    pub prev_page_token: String,
    pub total_size: u32,
}

/// What `ensureConfig` found different, and so changed (or, with `dryRun`, would change).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum ConfigChange {
    /// The config does not exist yet.
    Created,
    Description {
        from: String,
        to: String,
    },
    /// A connection the config does not map yet; `tools` empty: every tool.
    ConnectionAdded {
        connection_name: String,
        tools: Vec<String>,
    },
    ConnectionRemoved {
        connection_name: String,
    },
    /// A connection whose tools differ (empty lists: every tool).
    ToolsChanged {
        connection_name: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
}

/// What `ensureConfig` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum EnsureAction {
    Created,
    Updated,
    Unchanged,
}

/// Result of `ensureConfig`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EnsureConfigResult {
    /// The config as it is now; with `dryRun`, as it was (`null` if it does not exist yet).
    pub config: Option<McpConfig>,
    pub action: EnsureAction,
    pub changes: Vec<ConfigChange>,
    /// Whether this was a plan only: nothing was written.
    pub dry_run: bool,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::error::{ErrorDetail, ErrorKind, FieldViolation, HelpLink, RequestInfo, ResourceInfo, SdkError};
    use std::path::PathBuf;
    use ts_rs::{Config, TS};

    fn out_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js/types/generated")
    }

    /// Each exported type and the file it is written to.
    fn exports(cfg: &Config) -> Vec<(String, String)> {
        fn one<T: TS + 'static + ?Sized>(cfg: &Config) -> (String, String) {
            (T::output_path().map(|p| p.display().to_string()).unwrap_or_default(), T::export_to_string(cfg).unwrap())
        }
        vec![
            one::<AccessLevel>(cfg),
            one::<ConnectionToolMappingInput>(cfg),
            one::<CreateConfigInput>(cfg),
            one::<ConfigFilter>(cfg),
            one::<ListConfigsInput>(cfg),
            one::<ConfigIdInput>(cfg),
            one::<UpdateConfigInput>(cfg),
            one::<ListConnectedAccountsInput>(cfg),
            one::<CreateSessionTokenInput>(cfg),
            one::<CreateConnectionSessionTokenInput>(cfg),
            one::<EnsureInstanceInput>(cfg),
            one::<InstanceFilter>(cfg),
            one::<ListInstancesInput>(cfg),
            one::<InstanceIdInput>(cfg),
            one::<UpdateInstanceInput>(cfg),
            one::<GetInstanceAuthStateInput>(cfg),
            one::<ConnectedAccountStatus>(cfg),
            one::<ConnectionToolMapping>(cfg),
            one::<McpConfig>(cfg),
            one::<McpInstance>(cfg),
            one::<ConnectionAuthState>(cfg),
            one::<InstanceAuthState>(cfg),
            one::<ConnectedAccounts>(cfg),
            one::<ListConfigsResult>(cfg),
            one::<ListInstancesResult>(cfg),
            one::<SessionToken>(cfg),
            one::<ToolFilter>(cfg),
            one::<ListToolsInput>(cfg),
            one::<ToolAnnotations>(cfg),
            one::<Tool>(cfg),
            one::<ListToolsResult>(cfg),
            one::<ConfigChange>(cfg),
            one::<EnsureAction>(cfg),
            one::<EnsureConfigResult>(cfg),
            one::<serde_json::Value>(cfg),
            one::<FieldViolation>(cfg),
            one::<HelpLink>(cfg),
            one::<ResourceInfo>(cfg),
            one::<RequestInfo>(cfg),
            one::<ErrorDetail>(cfg),
            one::<ErrorKind>(cfg),
            one::<SdkError>(cfg),
        ]
    }

    /// `js/types/generated/*.ts` is what these types generate. A change of the model that leaves
    /// the committed files behind fails here (and so `npm test`); `npm run types` rewrites them.
    #[test]
    fn typescript_is_current() {
        let dir = out_dir();
        let write = std::env::var_os("SCALEKIT_MCP_WRITE_TYPES").is_some();
        let cfg = Config::new().with_out_dir(&dir);
        let files = exports(&cfg);
        let names: std::collections::BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names.len(), files.len(), "two types share a file");
        let mut stale = Vec::new();
        for (path, text) in &files {
            let target = dir.join(path);
            if std::fs::read_to_string(&target).ok().as_deref() != Some(text.as_str()) {
                if write {
                    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                    std::fs::write(&target, text).unwrap();
                } else {
                    stale.push(path.clone());
                }
            }
        }
        let mut dirs = vec![dir.clone()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let name = path.strip_prefix(&dir).unwrap().display().to_string();
                if !names.contains(name.as_str()) {
                    stale.push(format!("{name} (no type generates it; delete it)"));
                }
            }
        }
        assert!(stale.is_empty(), "js/types/generated is out of date: {stale:?}; run `npm run types`");
    }

    #[test]
    fn typescript_has_no_any_and_uses_optional_fields() {
        let cfg = Config::new();
        for (path, text) in exports(&cfg) {
            for bad in [": any", "<any", "any>", "| any", "any |", ": unknown", "<unknown", "unknown>", "| unknown"] {
                assert!(!text.contains(bad), "{path}: {text}");
            }
            assert!(!text.contains("bigint"), "{path}: {text}");
        }
        let decl = CreateSessionTokenInput::decl(&cfg);
        assert!(decl.contains("expirySeconds?: number"), "{decl}");
        assert!(decl.contains("accessLevel?: AccessLevel"), "{decl}");
        assert!(decl.contains("configId: string"), "{decl}");
        assert_eq!(AccessLevel::inline(&cfg), r#""FULL" | "READ_ONLY" | """#);
        assert_eq!(ConnectedAccountStatus::inline(&cfg), "string");
        let decl = McpInstance::decl(&cfg);
        assert!(decl.contains("config: McpConfig | null"), "{decl}");
        assert!(decl.contains("lastUsedAt: string | null"), "{decl}");
        let decl = ConnectionToolMapping::decl(&cfg);
        assert!(decl.contains("connectedAccountStatus?: ConnectedAccountStatus"), "{decl}");
    }

    /// The field names of a TypeScript object declaration, each with `?` when optional.
    pub(crate) fn ts_fields<T: TS>() -> Vec<String> {
        let decl = T::decl(&Config::new());
        // Drop JSDoc comments, then read `name?:` at the top level of the braces.
        let mut text = String::new();
        let mut rest = decl.as_str();
        while let Some(start) = rest.find("/**") {
            text.push_str(&rest[..start]);
            rest = rest[start..].split_once("*/").map(|(_, r)| r).unwrap_or("");
        }
        text.push_str(rest);
        let body = &text[text.find('{').unwrap() + 1..text.rfind('}').unwrap()];
        let mut fields = Vec::new();
        let mut depth = 0i32;
        let mut current = String::new();
        for c in body.chars() {
            match c {
                '{' | '<' | '(' | '[' => depth += 1,
                '}' | '>' | ')' | ']' => depth -= 1,
                _ => {}
            }
            if c == ',' && depth == 0 {
                fields.push(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
        }
        fields.push(current);
        fields
            .iter()
            .filter_map(|f| f.split_once(':').map(|(n, _)| n.trim().to_owned()))
            .filter(|n| !n.is_empty())
            .collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    /// The keys of what serde writes for `value`, each with `?` when `optional` lists it.
    fn keys<T: Serialize>(value: &T, optional: &[&str]) -> Vec<String> {
        let v = serde_json::to_value(value).unwrap();
        sorted(
            v.as_object()
                .unwrap()
                .keys()
                .map(|k| if optional.contains(&k.as_str()) { format!("{k}?") } else { k.clone() })
                .collect(),
        )
    }

    /// What serde writes is what the TypeScript declares: every member of a full value, the
    /// optional ones marked.
    #[test]
    fn serialized_outputs_match_typescript() {
        let mapping = ConnectionToolMapping { connected_account_id: Some("a".into()), connected_account_status: Some("ACTIVE".into()), ..Default::default() };
        let opt = ["connectedAccountId", "connectedAccountStatus"];
        assert_eq!(keys(&mapping, &opt), sorted(ts_fields::<ConnectionToolMapping>()));
        assert_eq!(keys(&McpConfig::default(), &[]), sorted(ts_fields::<McpConfig>()));
        assert_eq!(keys(&McpInstance::default(), &[]), sorted(ts_fields::<McpInstance>()));
        assert_eq!(keys(&ConnectionAuthState::default(), &[]), sorted(ts_fields::<ConnectionAuthState>()));
        assert_eq!(keys(&InstanceAuthState::default(), &[]), sorted(ts_fields::<InstanceAuthState>()));
        assert_eq!(keys(&ConnectedAccounts::default(), &[]), sorted(ts_fields::<ConnectedAccounts>()));
        assert_eq!(keys(&ListConfigsResult::default(), &[]), sorted(ts_fields::<ListConfigsResult>()));
        assert_eq!(keys(&ListInstancesResult::default(), &[]), sorted(ts_fields::<ListInstancesResult>()));
        assert_eq!(keys(&SessionToken::default(), &[]), sorted(ts_fields::<SessionToken>()));
        assert_eq!(keys(&FieldViolation::default(), &[]), sorted(ts_fields::<FieldViolation>()));
        let detail = ErrorDetail {
            help_links: Some(vec![]),
            resource_info: Some(ResourceInfo::default()),
            request_info: Some(RequestInfo::default()),
            ..Default::default()
        };
        assert_eq!(keys(&detail, &["helpLinks", "resourceInfo", "requestInfo"]), sorted(ts_fields::<ErrorDetail>()));
        assert_eq!(keys(&ResourceInfo::default(), &[]), sorted(ts_fields::<ResourceInfo>()));
        assert_eq!(keys(&SdkError::new(ErrorKind::Api, "UNKNOWN", "m"), &[]), sorted(ts_fields::<SdkError>()));
        // Optional members are left out when absent.
        assert_eq!(keys(&ConnectionToolMapping::default(), &[]), ["connectionId", "connectionName", "provider", "tools"]);
    }

    #[test]
    fn request_bodies_are_snake_case() {
        let input = CreateSessionTokenInput {
            config_id: "cfg_1".into(),
            identifier: "u".into(),
            expiry_seconds: Some(3600),
            access_level: Some(AccessLevel::ReadOnly),
        };
        assert_eq!(serde_json::to_string(&input).unwrap(), r#"{"identifier":"u","expiry":"3600s","access_level":"READ_ONLY"}"#);
        let input = CreateSessionTokenInput { expiry_seconds: None, access_level: Some(AccessLevel::Default), ..input };
        assert_eq!(serde_json::to_string(&input).unwrap(), r#"{"identifier":"u","access_level":""}"#);
    }
}
