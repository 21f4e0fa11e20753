//! The shapes of the contract, defined once.
//!
//! * Inputs (`*Input`) are what JavaScript passes, in camelCase. `validate` fills them from the
//!   input JSON; their `body` method writes the request body the REST gateway expects
//!   (proto names, snake_case; path parameters are left out, and so are absent options).
//! * Outputs are what JavaScript receives, in camelCase: `ops` writes them while it reads the
//!   server's answer, and the tests check that what it writes matches these declarations.
//!
//! Under `cargo test` every type also derives `ts_rs::TS`; the TypeScript in
//! `js/types/generated/` is written from these definitions (see the tests at the end), so the
//! declarations cannot drift from what the core accepts and returns.

use crate::prelude::*;

use super::json::ObjectWriter;
use super::text::push_u64;

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Tool access of a session token. `""` (or leaving it out) exposes every tool, like `"FULL"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum AccessLevel {
    #[cfg_attr(test, ts(rename = "FULL"))]
    Full,
    /// Only tools annotated read-only.
    #[cfg_attr(test, ts(rename = "READ_ONLY"))]
    ReadOnly,
    #[cfg_attr(test, ts(rename = ""))]
    Default,
}

impl AccessLevel {
    /// The level for its exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<AccessLevel> {
        match name {
            "FULL" => Some(AccessLevel::Full),
            "READ_ONLY" => Some(AccessLevel::ReadOnly),
            "" => Some(AccessLevel::Default),
            _ => None,
        }
    }
}

/// Which tools of one connection a config exposes.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ConnectionToolMappingInput {
    /// Name of the connection, e.g. `"gmail"`.
    pub connection_name: String,
    /// Tool names of the connection to expose; empty or left out exposes all of them.
    #[cfg_attr(test, ts(optional))]
    pub tools: Option<Vec<String>>,
}

/// Input of `createConfig`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct CreateConfigInput {
    /// Unique name: 1-100 characters, lowercase letters, digits, `-` and `_`.
    pub name: String,
    #[cfg_attr(test, ts(optional))]
    pub description: Option<String>,
    /// At most 25 connections, each named once.
    #[cfg_attr(test, ts(optional))]
    pub connection_tool_mappings: Option<Vec<ConnectionToolMappingInput>>,
}

/// Filters of `listConfigs`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ConfigFilter {
    #[cfg_attr(test, ts(optional))]
    pub id: Option<String>,
    /// Case-insensitive exact name: at most 100 characters, letters, digits, `-` and `_`.
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
    /// Configs that include this provider, e.g. `"GMAIL"`.
    #[cfg_attr(test, ts(optional))]
    pub provider: Option<String>,
    /// The config whose MCP server URL this is.
    #[cfg_attr(test, ts(optional))]
    pub mcp_server_url: Option<String>,
}

/// Input of `listConfigs`; every field is optional.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ListConfigsInput {
    #[cfg_attr(test, ts(optional))]
    pub filter: Option<ConfigFilter>,
    /// Look-ahead text search on the config name.
    #[cfg_attr(test, ts(optional))]
    pub search: Option<String>,
    /// Configs per page, 0 to 30 (0: the server's default).
    #[cfg_attr(test, ts(optional))]
    pub page_size: Option<u32>,
    /// `nextPageToken` or `prevPageToken` of an earlier page.
    #[cfg_attr(test, ts(optional))]
    pub page_token: Option<String>,
}

/// Input of `getConfig` and `deleteConfig`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ConfigIdInput {
    pub config_id: String,
}

/// Input of `updateConfig`: at least one of `description` and `connectionToolMappings`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct UpdateConfigInput {
    pub config_id: String,
    #[cfg_attr(test, ts(optional))]
    pub description: Option<String>,
    /// Replaces the config's mappings (1 to 25 entries; an empty list cannot clear them).
    #[cfg_attr(test, ts(optional))]
    pub connection_tool_mappings: Option<Vec<ConnectionToolMappingInput>>,
}

/// Input of `listConnectedAccounts`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ListConnectedAccountsInput {
    pub config_id: String,
    /// The user, 1-255 characters.
    pub identifier: String,
    /// Create missing connected accounts and return a fresh authentication link for each.
    #[cfg_attr(test, ts(optional))]
    pub include_auth_link: Option<bool>,
}

/// Input of `createSessionToken`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct CreateSessionTokenInput {
    pub config_id: String,
    /// The user the token acts for (its `sub`), 1-255 characters.
    pub identifier: String,
    /// Lifetime of the token in whole seconds, 60 to 86400. Default 3600.
    #[cfg_attr(test, ts(optional))]
    pub expiry_seconds: Option<u32>,
    #[cfg_attr(test, ts(optional))]
    pub access_level: Option<AccessLevel>,
}

/// Input of `createConnectionSessionToken`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct CreateConnectionSessionTokenInput {
    /// The connection's name (its `key_id`).
    pub connection_name: String,
    /// The user the token acts for (its `sub`), 1-255 characters.
    pub identifier: String,
    /// Lifetime of the token in whole seconds, 60 to 86400. Default 3600.
    #[cfg_attr(test, ts(optional))]
    pub expiry_seconds: Option<u32>,
    #[cfg_attr(test, ts(optional))]
    pub access_level: Option<AccessLevel>,
}

/// Input of `ensureInstance`: get or create the user's instance of a config.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct EnsureInstanceInput {
    /// Name of the config, as given to `createConfig`.
    pub config_name: String,
    /// The user, 1-255 characters.
    pub user_identifier: String,
    /// Display name of the instance.
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
}

/// Filters of `listInstances`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct InstanceFilter {
    #[cfg_attr(test, ts(optional))]
    pub id: Option<String>,
    /// Exact instance name.
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
    #[cfg_attr(test, ts(optional))]
    pub config_name: Option<String>,
    #[cfg_attr(test, ts(optional))]
    pub user_identifier: Option<String>,
}

/// Input of `listInstances`; every field is optional.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ListInstancesInput {
    #[cfg_attr(test, ts(optional))]
    pub filter: Option<InstanceFilter>,
    /// Text search across instance name and user identifier.
    #[cfg_attr(test, ts(optional))]
    pub search: Option<String>,
    /// Instances per page, 0 to 30 (0: the server's default).
    #[cfg_attr(test, ts(optional))]
    pub page_size: Option<u32>,
    #[cfg_attr(test, ts(optional))]
    pub page_token: Option<String>,
}

/// Input of `getInstance` and `deleteInstance`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct InstanceIdInput {
    pub instance_id: String,
}

/// Input of `updateInstance`: at least one of `name` and `configName`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct UpdateInstanceInput {
    pub instance_id: String,
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
    /// Moves the instance to another config (its connections are rebuilt).
    #[cfg_attr(test, ts(optional))]
    pub config_name: Option<String>,
}

/// Input of `getInstanceAuthState`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct GetInstanceAuthStateInput {
    pub instance_id: String,
    /// Generate a fresh authentication link for each connection.
    #[cfg_attr(test, ts(optional))]
    pub include_auth_links: Option<bool>,
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
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ConnectionToolMapping {
    pub connection_id: String,
    pub connection_name: String,
    /// Provider of the connection, e.g. `"GMAIL"`.
    pub provider: String,
    /// Exposed tool names; empty means all tools.
    pub tools: Vec<String>,
    /// Present in an instance's config: the user's connected account.
    #[cfg_attr(test, ts(optional))]
    pub connected_account_id: Option<String>,
    #[cfg_attr(test, ts(optional, as = "Option<ConnectedAccountStatus>"))]
    pub connected_account_status: Option<String>,
}

/// An MCP config: which connections and tools an MCP server exposes.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct McpConfig {
    pub id: String,
    pub name: String,
    pub description: String,
    pub connection_tool_mappings: Vec<ConnectionToolMapping>,
    /// The config's virtual MCP server; `""` when the feature is off for the environment.
    pub mcp_server_url: String,
}

/// A user's MCP instance.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct McpInstance {
    pub id: String,
    pub name: String,
    pub user_identifier: String,
    pub config: Option<McpConfig>,
    /// The user's MCP endpoint. It works without further credentials: keep it secret.
    pub url: String,
    /// RFC 3339; `null` when never used.
    pub last_used_at: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
}

/// Authorization state of one connection for one user.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ConnectionAuthState {
    pub connection_id: String,
    pub connection_name: String,
    pub provider: String,
    /// `""` when the user has no account on the connection yet.
    pub connected_account_id: String,
    #[cfg_attr(test, ts(as = "ConnectedAccountStatus"))]
    pub connected_account_status: String,
    /// Where the user authorizes the connection; `""` unless links were asked for.
    pub authentication_link: String,
}

/// Result of `getInstanceAuthState`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct InstanceAuthState {
    pub connections: Vec<ConnectionAuthState>,
    /// Whether every connection's status is `ACTIVE` (true when there are none).
    pub all_active: bool,
}

/// Result of `listConnectedAccounts`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ConnectedAccounts {
    pub connected_accounts: Vec<ConnectionAuthState>,
    /// Whether every connection's status is `ACTIVE` (true when there are none).
    pub all_active: bool,
}

/// Result of `listConfigs`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ListConfigsResult {
    pub configs: Vec<McpConfig>,
    /// `""` on the last page.
    pub next_page_token: String,
    /// `""` on the first page.
    pub prev_page_token: String,
    /// Number of configs matching the filter.
    pub total_size: u32,
}

/// Result of `listInstances`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct ListInstancesResult {
    pub instances: Vec<McpInstance>,
    /// `""` on the last page.
    pub next_page_token: String,
    /// `""` on the first page.
    pub prev_page_token: String,
    /// Number of instances matching the filter.
    pub total_size: u32,
}

/// Result of `createSessionToken` and `createConnectionSessionToken`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename_all = "camelCase"))]
pub struct SessionToken {
    /// A signed JWT for the MCP server, sent as `Authorization: Bearer <token>`. Keep it secret.
    pub token: String,
    /// RFC 3339 expiry; `""` if the server did not say.
    pub expires_at: String,
}

// ---------------------------------------------------------------------------------------------
// Request bodies (snake_case, absent options left out)
// ---------------------------------------------------------------------------------------------

impl AccessLevel {
    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            AccessLevel::Full => "FULL",
            AccessLevel::ReadOnly => "READ_ONLY",
            AccessLevel::Default => "",
        }
    }
}

fn write_mappings(o: &mut ObjectWriter<'_>, mappings: Option<&Vec<ConnectionToolMappingInput>>) {
    if let Some(list) = mappings {
        o.array("connection_tool_mappings", list, |m, out| {
            let mut w = ObjectWriter::new(out);
            w.str("connection_name", &m.connection_name);
            if let Some(tools) = &m.tools {
                w.strs("tools", tools);
            }
            w.end();
        });
    }
}

/// `{"identifier", "expiry": "<n>s", "access_level"}` of both session token requests.
fn token_body(identifier: &str, expiry_seconds: Option<u32>, access_level: Option<AccessLevel>) -> String {
    let mut out = String::new();
    let mut o = ObjectWriter::new(&mut out);
    o.str("identifier", identifier);
    if let Some(n) = expiry_seconds {
        // A protobuf `Duration` in JSON: whole seconds and an `s`.
        let mut d = String::new();
        push_u64(&mut d, u64::from(n));
        d.push('s');
        o.str("expiry", &d);
    }
    o.some_str("access_level", access_level.map(AccessLevel::name));
    o.end();
    out
}

impl CreateConfigInput {
    pub fn body(&self) -> String {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("name", &self.name);
        o.some_str("description", self.description.as_deref());
        write_mappings(&mut o, self.connection_tool_mappings.as_ref());
        o.end();
        out
    }
}

impl UpdateConfigInput {
    pub fn body(&self) -> String {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.some_str("description", self.description.as_deref());
        write_mappings(&mut o, self.connection_tool_mappings.as_ref());
        o.end();
        out
    }
}

impl ListConnectedAccountsInput {
    pub fn body(&self) -> String {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("identifier", &self.identifier);
        if let Some(b) = self.include_auth_link {
            o.bool("include_auth_link", b);
        }
        o.end();
        out
    }
}

impl CreateSessionTokenInput {
    pub fn body(&self) -> String {
        token_body(&self.identifier, self.expiry_seconds, self.access_level)
    }
}

impl CreateConnectionSessionTokenInput {
    pub fn body(&self) -> String {
        token_body(&self.identifier, self.expiry_seconds, self.access_level)
    }
}

impl EnsureInstanceInput {
    pub fn body(&self) -> String {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("config_name", &self.config_name);
        o.str("user_identifier", &self.user_identifier);
        o.some_str("name", self.name.as_deref());
        o.end();
        out
    }
}

impl UpdateInstanceInput {
    pub fn body(&self) -> String {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.some_str("name", self.name.as_deref());
        o.some_str("config_name", self.config_name.as_deref());
        o.end();
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Output JSON (camelCase, members in declaration order)
// ---------------------------------------------------------------------------------------------

/// The JSON JavaScript receives for a value (the errors; answers are written by `ops`).
pub trait ToJson {
    fn write_json(&self, out: &mut String);

    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
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
            one::<FieldViolation>(cfg),
            one::<HelpLink>(cfg),
            one::<ResourceInfo>(cfg),
            one::<RequestInfo>(cfg),
            one::<ErrorDetail>(cfg),
            one::<ErrorKind>(cfg),
            one::<SdkError>(cfg),
        ]
    }

    /// Writes `js/types/generated/*.ts`. The files are committed; CI fails when a change of the
    /// model leaves them different from what is committed.
    #[test]
    fn export_typescript() {
        let dir = out_dir();
        let cfg = Config::new().with_out_dir(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let files = exports(&cfg);
        let names: std::collections::BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names.len(), files.len(), "two types share a file");
        for (path, text) in &files {
            let target = dir.join(path);
            if std::fs::read_to_string(&target).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&target, text).unwrap();
            }
        }
        // Files of types that no longer exist.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(names.contains(name.as_str()), "js/types/generated/{name} is not generated by any type; delete it");
        }
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

    /// The keys of the JSON written for `value`, each with `?` when `optional` lists it.
    fn json_keys<T: ToJson>(value: &T, optional: &[&str]) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&value.to_json()).unwrap();
        v.as_object()
            .unwrap()
            .keys()
            .map(|k| if optional.contains(&k.as_str()) { format!("{k}?") } else { k.clone() })
            .collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    /// The keys of a JSON object, each with `?` when `optional` lists it.
    fn object_keys(v: &serde_json::Value, optional: &[&str]) -> Vec<String> {
        v.as_object()
            .unwrap()
            .keys()
            .map(|k| if optional.contains(&k.as_str()) { format!("{k}?") } else { k.clone() })
            .collect()
    }

    /// What the parsers write is what the TypeScript declares: every member of a full answer,
    /// optional ones marked.
    #[test]
    fn output_json_matches_typescript() {
        use crate::core::ops::{parse_response, Operation};
        let out = |op, body: &str| -> serde_json::Value { serde_json::from_str(&parse_response(op, 200, body).unwrap()).unwrap() };
        let mapping = r#"{"connection_id":"c","connection_name":"n","provider":"p","tools":["t"],"connected_account_id":"a","connected_account_status":"ACTIVE"}"#;
        let config = format!(r#"{{"id":"i","name":"n","description":"d","connection_tool_mappings":[{mapping}],"mcp_server_url":"u"}}"#);
        let instance = format!(r#"{{"id":"i","name":"n","user_identifier":"u","config":{config},"url":"x","last_used_at":"2025-10-07T12:21:00Z","updated_at":"2025-10-07T12:21:00Z"}}"#);
        let state = r#"{"connection_id":"c","connection_name":"n","provider":"p","connected_account_id":"a","connected_account_status":"ACTIVE","authentication_link":"l"}"#;

        let c = out(Operation::GetConfig, &format!(r#"{{"config":{config}}}"#));
        let opt = ["connectedAccountId", "connectedAccountStatus"];
        assert_eq!(sorted(object_keys(&c["connectionToolMappings"][0], &opt)), sorted(ts_fields::<ConnectionToolMapping>()));
        assert_eq!(sorted(object_keys(&c, &[])), sorted(ts_fields::<McpConfig>()));
        let i = out(Operation::GetInstance, &format!(r#"{{"instance":{instance}}}"#));
        assert_eq!(sorted(object_keys(&i, &[])), sorted(ts_fields::<McpInstance>()));
        let a = out(Operation::GetInstanceAuthState, &format!(r#"{{"connections":[{state}]}}"#));
        assert_eq!(sorted(object_keys(&a["connections"][0], &[])), sorted(ts_fields::<ConnectionAuthState>()));
        assert_eq!(sorted(object_keys(&a, &[])), sorted(ts_fields::<InstanceAuthState>()));
        let a = out(Operation::ListConnectedAccounts, &format!(r#"{{"connected_accounts":[{state}]}}"#));
        assert_eq!(sorted(object_keys(&a, &[])), sorted(ts_fields::<ConnectedAccounts>()));
        let page = |key: &str, item: &str| format!(r#"{{"{key}":[{item}],"next_page_token":"n","prev_page_token":"p","total_size":1}}"#);
        let l = out(Operation::ListConfigs, &page("configs", &config));
        assert_eq!(sorted(object_keys(&l, &[])), sorted(ts_fields::<ListConfigsResult>()));
        let l = out(Operation::ListInstances, &page("instances", &instance));
        assert_eq!(sorted(object_keys(&l, &[])), sorted(ts_fields::<ListInstancesResult>()));
        let t = out(Operation::CreateSessionToken, r#"{"token":"t","expires_at":"2026-08-21T11:00:00Z"}"#);
        assert_eq!(sorted(object_keys(&t, &[])), sorted(ts_fields::<SessionToken>()));

        assert_eq!(sorted(json_keys(&FieldViolation::default(), &[])), sorted(ts_fields::<FieldViolation>()));
        let detail = ErrorDetail {
            help_links: Some(vec![]),
            resource_info: Some(ResourceInfo::default()),
            request_info: Some(RequestInfo::default()),
            ..Default::default()
        };
        let opt = ["helpLinks", "resourceInfo", "requestInfo"];
        assert_eq!(sorted(json_keys(&detail, &opt)), sorted(ts_fields::<ErrorDetail>()));
        assert_eq!(sorted(json_keys(&ResourceInfo::default(), &[])), sorted(ts_fields::<ResourceInfo>()));
        let e = SdkError::new(ErrorKind::Api, "UNKNOWN", "m");
        assert_eq!(sorted(json_keys(&e, &[])), sorted(ts_fields::<SdkError>()));
    }

    #[test]
    fn input_bodies_are_snake_case() {
        let input = CreateSessionTokenInput {
            config_id: "cfg_1".into(),
            identifier: "u".into(),
            expiry_seconds: Some(3600),
            access_level: Some(AccessLevel::ReadOnly),
        };
        assert_eq!(
            input.body(),
            r#"{"identifier":"u","expiry":"3600s","access_level":"READ_ONLY"}"#
        );
        let input = CreateSessionTokenInput { expiry_seconds: None, access_level: Some(AccessLevel::Default), ..input };
        assert_eq!(input.body(), r#"{"identifier":"u","access_level":""}"#);
        assert_eq!(AccessLevel::from_name("FULL"), Some(AccessLevel::Full));
        assert_eq!(AccessLevel::from_name("full"), None);
    }
}
