//! The operations: one request builder and one response parser each.
//!
//! `build_request` turns the JSON of a JavaScript input into the HTTP request to send (after
//! checking every rule); `parse_response` turns a 2xx answer into the camelCase JSON JavaScript
//! receives. Paths are relative to the environment URL.

use crate::prelude::*;

use super::error::SdkError;
use super::json::{self, parse_input, parse_wire_object, Input, ObjectWriter, Wire};
use super::model::*;
use super::text::{cat, u64_text};
use super::url::{push_encoded, Query};
use super::validate;

/// The operations of the client, named as the JavaScript methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    CreateConfig,
    ListConfigs,
    GetConfig,
    UpdateConfig,
    DeleteConfig,
    ListConnectedAccounts,
    CreateSessionToken,
    CreateConnectionSessionToken,
    EnsureInstance,
    ListInstances,
    GetInstance,
    UpdateInstance,
    DeleteInstance,
    GetInstanceAuthState,
}

impl Operation {
    /// Every operation, in the order of the contract.
    pub const ALL: [Operation; 14] = [
        Operation::CreateConfig,
        Operation::ListConfigs,
        Operation::GetConfig,
        Operation::UpdateConfig,
        Operation::DeleteConfig,
        Operation::ListConnectedAccounts,
        Operation::CreateSessionToken,
        Operation::CreateConnectionSessionToken,
        Operation::EnsureInstance,
        Operation::ListInstances,
        Operation::GetInstance,
        Operation::UpdateInstance,
        Operation::DeleteInstance,
        Operation::GetInstanceAuthState,
    ];

    /// The operation for a JavaScript method name (`"createConfig"`, ...).
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The JavaScript method name.
    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateConfig => "createConfig",
            Operation::ListConfigs => "listConfigs",
            Operation::GetConfig => "getConfig",
            Operation::UpdateConfig => "updateConfig",
            Operation::DeleteConfig => "deleteConfig",
            Operation::ListConnectedAccounts => "listConnectedAccounts",
            Operation::CreateSessionToken => "createSessionToken",
            Operation::CreateConnectionSessionToken => "createConnectionSessionToken",
            Operation::EnsureInstance => "ensureInstance",
            Operation::ListInstances => "listInstances",
            Operation::GetInstance => "getInstance",
            Operation::UpdateInstance => "updateInstance",
            Operation::DeleteInstance => "deleteInstance",
            Operation::GetInstanceAuthState => "getInstanceAuthState",
        }
    }

    /// Whether repeating the request is harmless once it may have reached the server. Creating a
    /// config (a second one would conflict) and the deletes (a repeat would answer 404) are not;
    /// reads, updates that set the same values, token mints and `ensureInstance` (get-or-create)
    /// are.
    pub fn retry_safe_after_send(self) -> bool {
        !matches!(self, Operation::CreateConfig | Operation::DeleteConfig | Operation::DeleteInstance)
    }
}

/// A request to send: `path_and_query` is appended to the environment URL.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub path_and_query: String,
    pub body: Option<String>,
    pub content_type: Option<&'static str>,
}

impl HttpRequest {
    /// The full URL on the environment `base` (as normalized by `parse_client_options`).
    pub fn url(&self, base: &str) -> String {
        cat(&[base.trim_end_matches('/'), &self.path_and_query])
    }
}

/// The body may hold the client secret, so `Debug` shows only its length.
impl ::core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        struct Len(usize);
        impl ::core::fmt::Debug for Len {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("<")?;
                f.write_str(&u64_text(self.0 as u64))?;
                f.write_str(" bytes>")
            }
        }
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("body", &self.body.as_ref().map(|b| Len(b.len())))
            .field("content_type", &self.content_type)
            .finish()
    }
}

const API: &str = "/api/v1/mcp";
pub(crate) const JSON: &str = "application/json";

fn get(path: String) -> HttpRequest {
    HttpRequest { method: "GET", path_and_query: path, body: None, content_type: None }
}

fn with_json(method: &'static str, path: String, body: String) -> HttpRequest {
    HttpRequest { method, path_and_query: path, body: Some(body), content_type: Some(JSON) }
}

/// `/api/v1/mcp/<collection>/<id><rest>`, the id percent-encoded as one path segment.
fn item_path(collection: &str, id: &str, rest: &str) -> String {
    let mut p = String::with_capacity(API.len() + collection.len() + id.len() + rest.len() + 8);
    p.push_str(API);
    p.push('/');
    p.push_str(collection);
    p.push('/');
    push_encoded(&mut p, id);
    p.push_str(rest);
    p
}

fn config_path(id: &str) -> String {
    item_path("configs", id, "")
}

fn instance_path(id: &str) -> String {
    item_path("instances", id, "")
}

fn page_params(q: &mut Query, search: Option<&str>, page_size: Option<u32>, page_token: Option<&str>) {
    q.push_opt("search", search);
    if let Some(n) = page_size.filter(|n| *n > 0) {
        q.push("page_size", &u64_text(u64::from(n)));
    }
    q.push_opt("page_token", page_token);
}

fn list_configs_request(i: &ListConfigsInput) -> HttpRequest {
    let mut q = Query::default();
    if let Some(f) = &i.filter {
        q.push_opt("filter.id", f.id.as_deref());
        q.push_opt("filter.name", f.name.as_deref());
        q.push_opt("filter.provider", f.provider.as_deref());
        q.push_opt("filter.mcp_server_url", f.mcp_server_url.as_deref());
    }
    page_params(&mut q, i.search.as_deref(), i.page_size, i.page_token.as_deref());
    get(q.append_to(cat(&[API, "/configs"])))
}

fn list_instances_request(i: &ListInstancesInput) -> HttpRequest {
    let mut q = Query::default();
    if let Some(f) = &i.filter {
        q.push_opt("filter.id", f.id.as_deref());
        q.push_opt("filter.name", f.name.as_deref());
        q.push_opt("filter.config_name", f.config_name.as_deref());
        q.push_opt("filter.user_identifier", f.user_identifier.as_deref());
    }
    page_params(&mut q, i.search.as_deref(), i.page_size, i.page_token.as_deref());
    get(q.append_to(cat(&[API, "/instances"])))
}

fn list_connected_accounts_request(i: &ListConnectedAccountsInput) -> HttpRequest {
    with_json("POST", item_path("configs", &i.config_id, "/connected_accounts"), i.body())
}

fn auth_state_request(instance_id: &str, include_links: bool) -> HttpRequest {
    let mut q = Query::default();
    if include_links {
        q.push("include_auth_links", "true");
    }
    let path = q.append_to(item_path("instances", instance_id, ":get_auth_state"));
    HttpRequest { method: "POST", path_and_query: path, body: None, content_type: None }
}

/// Checks the input of `op` (the JSON of the JavaScript argument) and builds its request.
/// Any problem is a `Validation` error naming the field; nothing is built unless all is valid.
pub fn build_request(op: Operation, input_json: &str) -> Result<HttpRequest, SdkError> {
    Ok(match op {
        Operation::CreateConfig => with_json("POST", cat(&[API, "/configs"]), CreateConfigInput::read(input_json)?.body()),
        Operation::ListConfigs => list_configs_request(&ListConfigsInput::read(input_json)?),
        Operation::GetConfig => get(config_path(&ConfigIdInput::read(input_json)?.config_id)),
        Operation::UpdateConfig => {
            let i = UpdateConfigInput::read(input_json)?;
            with_json("PUT", config_path(&i.config_id), i.body())
        }
        Operation::DeleteConfig => HttpRequest { method: "DELETE", ..get(config_path(&ConfigIdInput::read(input_json)?.config_id)) },
        Operation::ListConnectedAccounts => list_connected_accounts_request(&ListConnectedAccountsInput::read(input_json)?),
        Operation::CreateSessionToken => {
            let i = CreateSessionTokenInput::read(input_json)?;
            with_json("POST", item_path("configs", &i.config_id, "/tokens"), i.body())
        }
        Operation::CreateConnectionSessionToken => {
            let i = CreateConnectionSessionTokenInput::read(input_json)?;
            with_json("POST", item_path("connections", &i.connection_name, "/tokens"), i.body())
        }
        Operation::EnsureInstance => with_json("POST", cat(&[API, "/instances"]), EnsureInstanceInput::read(input_json)?.body()),
        Operation::ListInstances => list_instances_request(&ListInstancesInput::read(input_json)?),
        Operation::GetInstance => get(instance_path(&InstanceIdInput::read(input_json)?.instance_id)),
        Operation::UpdateInstance => {
            let i = UpdateInstanceInput::read(input_json)?;
            with_json("PATCH", instance_path(&i.instance_id), i.body())
        }
        Operation::DeleteInstance => {
            HttpRequest { method: "DELETE", ..get(instance_path(&InstanceIdInput::read(input_json)?.instance_id)) }
        }
        Operation::GetInstanceAuthState => {
            let i = GetInstanceAuthStateInput::read(input_json)?;
            auth_state_request(&i.instance_id, i.include_auth_links == Some(true))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

// The answers are written as JavaScript's JSON while they are read, member by member in the
// order of the output types of `model` (whose TypeScript the tests compare with what is written
// here); a member of the wrong type stops the writing with an error naming it.

fn write_mapping(w: &Wire<'_, '_>, out: &mut String) -> Result<(), SdkError> {
    let mut o = ObjectWriter::new(out);
    o.str("connectionId", w.str("connection_id")?)
        .str("connectionName", w.str("connection_name")?)
        .str("provider", w.str("provider")?);
    w.write_strings("tools", o.key("tools"))?;
    o.some_str("connectedAccountId", w.opt_str("connected_account_id")?)
        .some_str("connectedAccountStatus", w.opt_str("connected_account_status")?)
        .end();
    Ok(())
}

fn write_config(w: &Wire<'_, '_>, out: &mut String) -> Result<(), SdkError> {
    let mut o = ObjectWriter::new(out);
    o.str("id", w.str("id")?).str("name", w.str("name")?).str("description", w.str("description")?);
    w.write_objects("connection_tool_mappings", o.key("connectionToolMappings"), write_mapping)?;
    o.str("mcpServerUrl", w.str("mcp_server_url")?).end();
    Ok(())
}

fn write_instance(w: &Wire<'_, '_>, out: &mut String) -> Result<(), SdkError> {
    let mut o = ObjectWriter::new(out);
    o.str("id", w.str("id")?).str("name", w.str("name")?).str("userIdentifier", w.str("user_identifier")?);
    match w.object("config")? {
        Some(c) => write_config(&c, o.key("config"))?,
        None => o.key("config").push_str("null"),
    }
    o.str("url", w.str("url")?)
        .opt_str("lastUsedAt", w.timestamp("last_used_at")?.as_deref())
        .opt_str("updatedAt", w.timestamp("updated_at")?.as_deref())
        .end();
    Ok(())
}

/// `{"<name>": [auth states], "allActive": ...}` from the array `key`.
fn write_auth_states(w: &Wire<'_, '_>, key: &str, name: &str, out: &mut String) -> Result<(), SdkError> {
    let mut all_active = true;
    let mut o = ObjectWriter::new(out);
    w.write_objects(key, o.key(name), |c, out| {
        let status = c.str("connected_account_status");
        let mut o = ObjectWriter::new(out);
        o.str("connectionId", c.str("connection_id")?)
            .str("connectionName", c.str("connection_name")?)
            .str("provider", c.str("provider")?)
            .str("connectedAccountId", c.str("connected_account_id")?);
        let status = status?;
        all_active &= status.eq_ignore_ascii_case("ACTIVE");
        o.str("connectedAccountStatus", status).str("authenticationLink", c.str("authentication_link")?).end();
        Ok(())
    })?;
    o.bool("allActive", all_active).end();
    Ok(())
}

/// A page: `{"<name>": [...], "nextPageToken", "prevPageToken", "totalSize"}`.
fn write_page(w: &Wire<'_, '_>, key: &str, name: &str, item: fn(&Wire<'_, '_>, &mut String) -> Result<(), SdkError>, out: &mut String) -> Result<(), SdkError> {
    let mut o = ObjectWriter::new(out);
    w.write_objects(key, o.key(name), item)?;
    o.str("nextPageToken", w.str("next_page_token")?)
        .str("prevPageToken", w.str("prev_page_token")?)
        .u64("totalSize", u64::from(w.u32("total_size")?))
        .end();
    Ok(())
}

fn is_delete(op: Operation) -> bool {
    matches!(op, Operation::DeleteConfig | Operation::DeleteInstance)
}

/// The JSON for JavaScript of a 2xx answer to `op`.
///
/// Members may use proto (snake_case) or lowerCamelCase names; missing or `null` members take
/// their defaults and unknown ones are ignored. A body that is not a JSON object, a member of
/// the wrong type, or a missing `config`/`instance`/`token` is an `InvalidResponse` error with
/// `status` set. Deletes answer `null` for any object or an empty body. A non-2xx `status` gives
/// the error of [`SdkError::from_http`].
pub fn parse_response(op: Operation, status: u16, body: &str) -> Result<String, SdkError> {
    if !(200..300).contains(&status) {
        return Err(SdkError::from_http(status, None, None, body));
    }
    parse_ok(op, body).map_err(|e| e.with_status(status))
}

fn parse_ok(op: Operation, body: &str) -> Result<String, SdkError> {
    if is_delete(op) {
        if body.trim().is_empty() {
            return Ok("null".to_owned());
        }
        parse_wire_object(body)?;
        return Ok("null".to_owned());
    }
    let map = parse_wire_object(body)?;
    let w = Wire::root(&map);
    let mut out = String::with_capacity(body.len());
    match op {
        Operation::CreateConfig | Operation::GetConfig | Operation::UpdateConfig => {
            write_config(&w.required_object("config")?, &mut out)?
        }
        Operation::EnsureInstance | Operation::GetInstance | Operation::UpdateInstance => {
            write_instance(&w.required_object("instance")?, &mut out)?
        }
        Operation::ListConfigs => write_page(&w, "configs", "configs", write_config, &mut out)?,
        Operation::ListInstances => write_page(&w, "instances", "instances", write_instance, &mut out)?,
        Operation::ListConnectedAccounts => write_auth_states(&w, "connected_accounts", "connectedAccounts", &mut out)?,
        Operation::GetInstanceAuthState => write_auth_states(&w, "connections", "connections", &mut out)?,
        Operation::CreateSessionToken | Operation::CreateConnectionSessionToken => {
            let token = w.str("token")?;
            if token.is_empty() {
                return Err(SdkError::invalid_response(None, "`token` is missing"));
            }
            let mut o = ObjectWriter::new(&mut out);
            o.str("token", token).str("expiresAt", w.timestamp("expires_at")?.as_deref().unwrap_or_default()).end();
        }
        Operation::DeleteConfig | Operation::DeleteInstance => out.push_str("null"),
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// waitForAuth
// ---------------------------------------------------------------------------------------------

/// What `waitForAuth` polls: an instance (`getInstanceAuthState`) or a config for one user
/// (`listConnectedAccounts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitTarget {
    Instance { instance_id: String },
    Config { config_id: String, identifier: String },
}

impl WaitTarget {
    /// The operation each poll performs.
    pub fn operation(&self) -> Operation {
        match self {
            WaitTarget::Instance { .. } => Operation::GetInstanceAuthState,
            WaitTarget::Config { .. } => Operation::ListConnectedAccounts,
        }
    }

    /// The request of one poll, asking for authentication links when `include_links`.
    pub fn poll_request(&self, include_links: bool) -> HttpRequest {
        match self {
            WaitTarget::Instance { instance_id } => auth_state_request(instance_id, include_links),
            WaitTarget::Config { config_id, identifier } => {
                let input = ListConnectedAccountsInput {
                    config_id: config_id.clone(),
                    identifier: identifier.clone(),
                    include_auth_link: include_links.then_some(true),
                };
                list_connected_accounts_request(&input)
            }
        }
    }
}

const WAIT_KEYS: &[&str] = &["instanceId", "configId", "identifier"];

/// Reads the target of `waitForAuth`: exactly one of `{instanceId}` and `{configId, identifier}`.
pub fn parse_wait_target(input_json: &str) -> Result<WaitTarget, SdkError> {
    let v = parse_input(input_json, false)?;
    let i = Input::new(&v, "", WAIT_KEYS)?;
    let has = |k: &str| i.get(k).is_some();
    match (has("instanceId"), has("configId") || has("identifier")) {
        (true, true) => Err(SdkError::validation(
            "instanceId",
            "waitForAuth takes either instanceId, or configId with identifier, not both",
        )),
        (false, false) => Err(SdkError::validation(
            "instanceId",
            "waitForAuth needs instanceId, or configId with identifier",
        )),
        (true, false) => {
            let instance_id = i.req_str("instanceId")?;
            validate::path_param("instanceId", &instance_id)?;
            Ok(WaitTarget::Instance { instance_id })
        }
        (false, true) => {
            let config_id = i.req_str("configId")?;
            validate::path_param("configId", &config_id)?;
            let identifier = i.req_str("identifier")?;
            validate::non_empty_max("identifier", &identifier, validate::MAX_ID)?;
            Ok(WaitTarget::Config { config_id, identifier })
        }
    }
}

/// The JSON for JavaScript of one poll's answer (an `InstanceAuthState` or `ConnectedAccounts`).
pub fn parse_poll_response(target: &WaitTarget, status: u16, body: &str) -> Result<String, SdkError> {
    parse_response(target.operation(), status, body)
}

/// Whether a poll's output JSON reports every connection `ACTIVE` (`allActive`); `false` for
/// anything unreadable.
pub fn all_active(output_json: &str) -> bool {
    json::parse(output_json).and_then(|v| v.get("allActive").and_then(json::Value::as_bool)).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;
    use serde_json::{json, Value};

    fn req(op: Operation, input: Value) -> HttpRequest {
        build_request(op, &input.to_string()).unwrap_or_else(|e| panic!("{op:?} {input}: {e:?}"))
    }

    fn err(op: Operation, input: &str) -> SdkError {
        match build_request(op, input) {
            Ok(r) => panic!("{op:?} {input} built {r:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(op));
        }
        assert_eq!(Operation::from_name("CreateConfig"), None);
        assert_eq!(Operation::from_name(""), None);
        let unsafe_ops: Vec<_> = Operation::ALL.into_iter().filter(|o| !o.retry_safe_after_send()).collect();
        assert_eq!(unsafe_ops, [Operation::CreateConfig, Operation::DeleteConfig, Operation::DeleteInstance]);
    }

    #[test]
    fn create_config_request() {
        let r = req(
            Operation::CreateConfig,
            json!({"name":"email-calendar-agent","description":"Summarizes mail",
                   "connectionToolMappings":[{"connectionName":"gmail","tools":["gmail_fetch_mails"]},
                                             {"connectionName":"googlecalendar","tools":[]}]}),
        );
        assert_eq!((r.method, r.path_and_query.as_str(), r.content_type), ("POST", "/api/v1/mcp/configs", Some("application/json")));
        assert_eq!(
            r.body.as_deref().unwrap(),
            r#"{"name":"email-calendar-agent","description":"Summarizes mail","connection_tool_mappings":[{"connection_name":"gmail","tools":["gmail_fetch_mails"]},{"connection_name":"googlecalendar","tools":[]}]}"#
        );
        let r = req(Operation::CreateConfig, json!({"name":"a","connectionToolMappings":[{"connectionName":"x"}]}));
        assert_eq!(r.body.as_deref().unwrap(), r#"{"name":"a","connection_tool_mappings":[{"connection_name":"x"}]}"#);
        let r = req(Operation::CreateConfig, json!({"name":"a","description":null,"connectionToolMappings":null}));
        assert_eq!(r.body.as_deref().unwrap(), r#"{"name":"a"}"#);
    }

    #[test]
    fn list_configs_request() {
        for input in ["", "null", "{}", " {} "] {
            let r = build_request(Operation::ListConfigs, input).unwrap();
            assert_eq!((r.method, r.path_and_query.as_str(), r.body.as_ref()), ("GET", "/api/v1/mcp/configs", None));
        }
        let r = req(
            Operation::ListConfigs,
            json!({"filter":{"id":"cfg 1","name":"My_cfg-1","provider":"GMAIL","mcpServerUrl":"https://e.x/mcp/v3/servers/u?x=1&y"},
                   "search":"a&b=c","pageSize":30,"pageToken":"tok/+="}),
        );
        assert_eq!(
            r.path_and_query,
            "/api/v1/mcp/configs?filter.id=cfg%201&filter.name=My_cfg-1&filter.provider=GMAIL\
             &filter.mcp_server_url=https%3A%2F%2Fe.x%2Fmcp%2Fv3%2Fservers%2Fu%3Fx%3D1%26y&search=a%26b%3Dc&page_size=30&page_token=tok%2F%2B%3D"
        );
        let r = req(Operation::ListConfigs, json!({"filter":{"name":"","id":null},"search":"","pageSize":0,"pageToken":""}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/configs");
        let r = req(Operation::ListConfigs, json!({"filter":null,"pageSize":5}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/configs?page_size=5");
    }

    #[test]
    fn config_id_requests_encode_the_segment() {
        for (id, seg) in [
            ("cfg_85630864460904897", "cfg_85630864460904897"),
            ("../configs", "..%2Fconfigs"),
            ("a/b?c", "a%2Fb%3Fc"),
            ("ü#x", "%C3%BC%23x"),
            ("...", "..."),
        ] {
            let r = req(Operation::GetConfig, json!({ "configId": id }));
            assert_eq!((r.method, r.body.as_ref()), ("GET", None));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}"));
            let r = req(Operation::DeleteConfig, json!({ "configId": id }));
            assert_eq!((r.method, r.body.as_ref(), r.content_type), ("DELETE", None, None));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}"));
            let r = req(Operation::UpdateConfig, json!({ "configId": id, "description": "d" }));
            assert_eq!((r.method, r.path_and_query.clone()), ("PUT", format!("/api/v1/mcp/configs/{seg}")));
            let r = req(Operation::ListConnectedAccounts, json!({ "configId": id, "identifier": "u" }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}/connected_accounts"));
            let r = req(Operation::CreateSessionToken, json!({ "configId": id, "identifier": "u" }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}/tokens"));
            let r = req(Operation::CreateConnectionSessionToken, json!({ "connectionName": id, "identifier": "u" }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/connections/{seg}/tokens"));
            let r = req(Operation::GetInstance, json!({ "instanceId": id }));
            assert_eq!((r.method, r.path_and_query.clone()), ("GET", format!("/api/v1/mcp/instances/{seg}")));
            let r = req(Operation::DeleteInstance, json!({ "instanceId": id }));
            assert_eq!((r.method, r.path_and_query.clone()), ("DELETE", format!("/api/v1/mcp/instances/{seg}")));
            let r = req(Operation::UpdateInstance, json!({ "instanceId": id, "name": "n" }));
            assert_eq!((r.method, r.path_and_query.clone()), ("PATCH", format!("/api/v1/mcp/instances/{seg}")));
            let r = req(Operation::GetInstanceAuthState, json!({ "instanceId": id }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/instances/{seg}:get_auth_state"));
        }
    }

    #[test]
    fn update_config_request() {
        let r = req(Operation::UpdateConfig, json!({"configId":"cfg_1","description":""}));
        assert_eq!(r.body.as_deref(), Some(r#"{"description":""}"#));
        let r = req(
            Operation::UpdateConfig,
            json!({"configId":"cfg_1","connectionToolMappings":[{"connectionName":"gmail","tools":["a"]}]}),
        );
        assert_eq!(r.body.as_deref(), Some(r#"{"connection_tool_mappings":[{"connection_name":"gmail","tools":["a"]}]}"#));
        assert_eq!(r.content_type, Some("application/json"));
    }

    #[test]
    fn connected_accounts_and_token_requests() {
        let r = req(Operation::ListConnectedAccounts, json!({"configId":"cfg_1","identifier":"user_123","includeAuthLink":true}));
        assert_eq!(r.method, "POST");
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"user_123","include_auth_link":true}"#));
        let r = req(Operation::ListConnectedAccounts, json!({"configId":"cfg_1","identifier":"user_123"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"user_123"}"#));

        let r = req(
            Operation::CreateSessionToken,
            json!({"configId":"cfg_1","identifier":"user_123","expirySeconds":3600,"accessLevel":"READ_ONLY"}),
        );
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"user_123","expiry":"3600s","access_level":"READ_ONLY"}"#));
        let r = req(Operation::CreateSessionToken, json!({"configId":"cfg_1","identifier":"u","expirySeconds":null,"accessLevel":""}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","access_level":""}"#));
        let r = req(Operation::CreateConnectionSessionToken, json!({"connectionName":"github-connect","identifier":"u","expirySeconds":60}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/connections/github-connect/tokens");
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","expiry":"60s"}"#));
        let r = req(Operation::CreateConnectionSessionToken, json!({"connectionName":"c","identifier":"u","expirySeconds":86400.0,"accessLevel":"FULL"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","expiry":"86400s","access_level":"FULL"}"#));
    }

    #[test]
    fn instance_requests() {
        let r = req(Operation::EnsureInstance, json!({"name":"reminder-mcp-john","configName":"reminder-manager","userIdentifier":"john-doe"}));
        assert_eq!((r.method, r.path_and_query.as_str()), ("POST", "/api/v1/mcp/instances"));
        assert_eq!(
            r.body.as_deref(),
            Some(r#"{"config_name":"reminder-manager","user_identifier":"john-doe","name":"reminder-mcp-john"}"#)
        );
        let r = req(Operation::EnsureInstance, json!({"configName":"c","userIdentifier":"u"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"config_name":"c","user_identifier":"u"}"#));

        let r = req(Operation::UpdateInstance, json!({"instanceId":"inst_1","configName":"other"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"config_name":"other"}"#));
        let r = req(Operation::UpdateInstance, json!({"instanceId":"inst_1","name":"n","configName":"c"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"name":"n","config_name":"c"}"#));

        let r = req(Operation::ListInstances, json!({}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/instances");
        let r = req(
            Operation::ListInstances,
            json!({"filter":{"id":"i","name":"n n","configName":"c","userIdentifier":"a@b.c"},"search":"é","pageSize":10,"pageToken":"1"}),
        );
        assert_eq!(
            r.path_and_query,
            "/api/v1/mcp/instances?filter.id=i&filter.name=n%20n&filter.config_name=c&filter.user_identifier=a%40b.c&search=%C3%A9&page_size=10&page_token=1"
        );

        let r = req(Operation::GetInstanceAuthState, json!({"instanceId":"inst_1","includeAuthLinks":true}));
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.as_ref(), r.content_type),
            ("POST", "/api/v1/mcp/instances/inst_1:get_auth_state?include_auth_links=true", None, None)
        );
        let r = req(Operation::GetInstanceAuthState, json!({"instanceId":"inst_1","includeAuthLinks":false}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/instances/inst_1:get_auth_state");
    }

    /// Every rule: (operation, input, field of the error).
    #[test]
    fn validation_table() {
        let long = |n: usize| "x".repeat(n);
        let mappings = |n: usize| (0..n).map(|i| format!(r#"{{"connectionName":"c{i}"}}"#)).collect::<Vec<_>>().join(",");
        use Operation::*;
        let cases: Vec<(Operation, String, &str)> = vec![
            // The input itself.
            (CreateConfig, "null".into(), ""),
            (CreateConfig, "[]".into(), ""),
            (CreateConfig, "\"x\"".into(), ""),
            (CreateConfig, "5".into(), ""),
            (CreateConfig, "".into(), ""),
            (CreateConfig, "{".into(), ""),
            (GetConfig, "null".into(), ""),
            (ListConfigs, "[]".into(), ""),
            (ListConfigs, "\"x\"".into(), ""),
            (ListInstances, "true".into(), ""),
            // Unknown keys.
            (CreateConfig, r#"{"name":"a","nmae":"b"}"#.into(), "nmae"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":"c","tool":[]}]}"#.into(), "connectionToolMappings[0].tool"),
            (ListConfigs, r#"{"filter":{"configName":"x"}}"#.into(), "filter.configName"),
            (ListConfigs, r#"{"page_size":1}"#.into(), "page_size"),
            (ListInstances, r#"{"filter":{"provider":"x"}}"#.into(), "filter.provider"),
            (GetConfig, r#"{"configId":"c","id":"d"}"#.into(), "id"),
            (GetInstanceAuthState, r#"{"instanceId":"i","includeAuthLink":true}"#.into(), "includeAuthLink"),
            (ListConnectedAccounts, r#"{"configId":"c","identifier":"u","includeAuthLinks":true}"#.into(), "includeAuthLinks"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expiry":"1h"}"#.into(), "expiry"),
            (CreateConnectionSessionToken, r#"{"configId":"c","identifier":"u"}"#.into(), "configId"),
            // createConfig.
            (CreateConfig, r#"{}"#.into(), "name"),
            (CreateConfig, r#"{"name":null}"#.into(), "name"),
            (CreateConfig, r#"{"name":""}"#.into(), "name"),
            (CreateConfig, r#"{"name":5}"#.into(), "name"),
            (CreateConfig, r#"{"name":"Upper"}"#.into(), "name"),
            (CreateConfig, r#"{"name":"a b"}"#.into(), "name"),
            (CreateConfig, format!(r#"{{"name":"{}"}}"#, long(101)), "name"),
            (CreateConfig, r#"{"name":"a","description":7}"#.into(), "description"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":{}}"#.into(), "connectionToolMappings"),
            (CreateConfig, format!(r#"{{"name":"a","connectionToolMappings":[{}]}}"#, mappings(26)), "connectionToolMappings"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[5]}"#.into(), "connectionToolMappings[0]"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{}]}"#.into(), "connectionToolMappings[0].connectionName"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":""}]}"#.into(), "connectionToolMappings[0].connectionName"),
            (CreateConfig, format!(r#"{{"name":"a","connectionToolMappings":[{{"connectionName":"{}"}}]}}"#, long(256)), "connectionToolMappings[0].connectionName"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":"g"},{"connectionName":"g"}]}"#.into(), "connectionToolMappings[1].connectionName"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":"x"}]}"#.into(), "connectionToolMappings[0].tools"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":["a",""]}]}"#.into(), "connectionToolMappings[0].tools[1]"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":["a",3]}]}"#.into(), "connectionToolMappings[0].tools[1]"),
            (CreateConfig, r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":[null]}]}"#.into(), "connectionToolMappings[0].tools[0]"),
            // listConfigs / listInstances.
            (ListConfigs, r#"{"filter":5}"#.into(), "filter"),
            (ListConfigs, r#"{"filter":{"name":"a.b"}}"#.into(), "filter.name"),
            (ListConfigs, format!(r#"{{"filter":{{"name":"{}"}}}}"#, long(101)), "filter.name"),
            (ListConfigs, r#"{"filter":{"id":1}}"#.into(), "filter.id"),
            (ListConfigs, r#"{"filter":{"provider":[]}}"#.into(), "filter.provider"),
            (ListConfigs, r#"{"filter":{"mcpServerUrl":true}}"#.into(), "filter.mcpServerUrl"),
            (ListConfigs, r#"{"pageSize":31}"#.into(), "pageSize"),
            (ListConfigs, r#"{"pageSize":-1}"#.into(), "pageSize"),
            (ListConfigs, r#"{"pageSize":1.5}"#.into(), "pageSize"),
            (ListConfigs, r#"{"pageSize":"10"}"#.into(), "pageSize"),
            (ListConfigs, r#"{"pageToken":1}"#.into(), "pageToken"),
            (ListConfigs, r#"{"search":{}}"#.into(), "search"),
            (ListInstances, r#"{"pageSize":31}"#.into(), "pageSize"),
            (ListInstances, r#"{"pageSize":1e300}"#.into(), "pageSize"),
            (ListInstances, r#"{"filter":{"configName":1}}"#.into(), "filter.configName"),
            (ListInstances, r#"{"filter":{"userIdentifier":false}}"#.into(), "filter.userIdentifier"),
            (ListInstances, r#"{"search":1}"#.into(), "search"),
            // Ids.
            (GetConfig, r#"{}"#.into(), "configId"),
            (GetConfig, r#"{"configId":""}"#.into(), "configId"),
            (GetConfig, r#"{"configId":null}"#.into(), "configId"),
            (GetConfig, r#"{"configId":1}"#.into(), "configId"),
            (GetConfig, r#"{"configId":".."}"#.into(), "configId"),
            (GetConfig, r#"{"configId":"."}"#.into(), "configId"),
            (GetConfig, format!(r#"{{"configId":"{}"}}"#, long(256)), "configId"),
            (DeleteConfig, r#"{"configId":""}"#.into(), "configId"),
            (GetInstance, r#"{"instanceId":""}"#.into(), "instanceId"),
            (GetInstance, r#"{"instanceId":".."}"#.into(), "instanceId"),
            (DeleteInstance, r#"{}"#.into(), "instanceId"),
            (GetInstanceAuthState, r#"{}"#.into(), "instanceId"),
            (GetInstanceAuthState, r#"{"instanceId":"i","includeAuthLinks":"yes"}"#.into(), "includeAuthLinks"),
            // updateConfig.
            (UpdateConfig, r#"{"configId":"c"}"#.into(), "description"),
            (UpdateConfig, r#"{"configId":"c","description":null,"connectionToolMappings":null}"#.into(), "description"),
            (UpdateConfig, r#"{"description":"d"}"#.into(), "configId"),
            (UpdateConfig, r#"{"configId":"c","connectionToolMappings":[]}"#.into(), "connectionToolMappings"),
            (UpdateConfig, format!(r#"{{"configId":"c","connectionToolMappings":[{}]}}"#, mappings(26)), "connectionToolMappings"),
            (UpdateConfig, r#"{"configId":"c","connectionToolMappings":[{"connectionName":""}]}"#.into(), "connectionToolMappings[0].connectionName"),
            (UpdateConfig, r#"{"configId":"c","description":false}"#.into(), "description"),
            (UpdateConfig, r#"{"configId":"c","name":"n","description":"d"}"#.into(), "name"),
            // listConnectedAccounts.
            (ListConnectedAccounts, r#"{"configId":"c"}"#.into(), "identifier"),
            (ListConnectedAccounts, r#"{"configId":"c","identifier":""}"#.into(), "identifier"),
            (ListConnectedAccounts, format!(r#"{{"configId":"c","identifier":"{}"}}"#, long(256)), "identifier"),
            (ListConnectedAccounts, r#"{"identifier":"u"}"#.into(), "configId"),
            (ListConnectedAccounts, r#"{"configId":"c","identifier":"u","includeAuthLink":1}"#.into(), "includeAuthLink"),
            // Session tokens.
            (CreateSessionToken, r#"{"configId":"c"}"#.into(), "identifier"),
            (CreateSessionToken, r#"{"configId":"c","identifier":""}"#.into(), "identifier"),
            (CreateSessionToken, format!(r#"{{"configId":"c","identifier":"{}"}}"#, long(256)), "identifier"),
            (CreateSessionToken, r#"{"identifier":"u"}"#.into(), "configId"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":59}"#.into(), "expirySeconds"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":86401}"#.into(), "expirySeconds"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":0}"#.into(), "expirySeconds"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":-3600}"#.into(), "expirySeconds"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":3600.5}"#.into(), "expirySeconds"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":"3600"}"#.into(), "expirySeconds"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","expirySeconds":1e999}"#.into(), ""),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","accessLevel":"read_only"}"#.into(), "accessLevel"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","accessLevel":"ADMIN"}"#.into(), "accessLevel"),
            (CreateSessionToken, r#"{"configId":"c","identifier":"u","accessLevel":1}"#.into(), "accessLevel"),
            (CreateConnectionSessionToken, r#"{"identifier":"u"}"#.into(), "connectionName"),
            (CreateConnectionSessionToken, r#"{"connectionName":"","identifier":"u"}"#.into(), "connectionName"),
            (CreateConnectionSessionToken, r#"{"connectionName":"..","identifier":"u"}"#.into(), "connectionName"),
            (CreateConnectionSessionToken, r#"{"connectionName":"c"}"#.into(), "identifier"),
            (CreateConnectionSessionToken, r#"{"connectionName":"c","identifier":"u","expirySeconds":30}"#.into(), "expirySeconds"),
            (CreateConnectionSessionToken, r#"{"connectionName":"c","identifier":"u","accessLevel":"Full"}"#.into(), "accessLevel"),
            // ensureInstance / updateInstance.
            (EnsureInstance, r#"{"userIdentifier":"u"}"#.into(), "configName"),
            (EnsureInstance, r#"{"configName":"","userIdentifier":"u"}"#.into(), "configName"),
            (EnsureInstance, r#"{"configName":"Bad Name","userIdentifier":"u"}"#.into(), "configName"),
            (EnsureInstance, format!(r#"{{"configName":"{}","userIdentifier":"u"}}"#, long(101)), "configName"),
            (EnsureInstance, r#"{"configName":"c"}"#.into(), "userIdentifier"),
            (EnsureInstance, r#"{"configName":"c","userIdentifier":""}"#.into(), "userIdentifier"),
            (EnsureInstance, format!(r#"{{"configName":"c","userIdentifier":"{}"}}"#, long(256)), "userIdentifier"),
            (EnsureInstance, r#"{"configName":"c","userIdentifier":"u","name":1}"#.into(), "name"),
            (EnsureInstance, r#"{"configName":"c","userIdentifier":"u","user_identifier":"u"}"#.into(), "user_identifier"),
            (UpdateInstance, r#"{"instanceId":"i"}"#.into(), "name"),
            (UpdateInstance, r#"{"instanceId":"i","name":null,"configName":null}"#.into(), "name"),
            (UpdateInstance, r#"{"name":"n"}"#.into(), "instanceId"),
            (UpdateInstance, r#"{"instanceId":"i","configName":"A"}"#.into(), "configName"),
            (UpdateInstance, r#"{"instanceId":"i","configName":""}"#.into(), "configName"),
            (UpdateInstance, r#"{"instanceId":"i","name":[]}"#.into(), "name"),
        ];
        for (op, input, field) in &cases {
            let e = err(*op, input);
            assert_eq!(e.kind, ErrorKind::Validation, "{op:?} {input}");
            assert_eq!(e.code, "INVALID_ARGUMENT");
            assert_eq!(e.status, None);
            assert_eq!(e.field.as_deref(), Some(*field), "{op:?} {input}: {}", e.message);
            if !field.is_empty() {
                assert!(e.message.contains(field), "{op:?} {input}: message {:?} does not name {field}", e.message);
            }
        }
    }

    #[test]
    fn limits_are_inclusive() {
        let long = |n: usize| "x".repeat(n);
        req(Operation::CreateConfig, json!({ "name": long(100) }));
        req(Operation::ListConfigs, json!({ "pageSize": 30, "filter": { "name": long(100) } }));
        req(Operation::ListConfigs, json!({ "filter": { "name": "AZaz09_-" } }));
        req(Operation::CreateSessionToken, json!({ "configId": long(255), "identifier": long(255), "expirySeconds": 60 }));
        req(Operation::CreateSessionToken, json!({ "configId": "c", "identifier": "é".repeat(255), "expirySeconds": 86400 }));
        req(Operation::EnsureInstance, json!({ "configName": long(100), "userIdentifier": long(255) }));
        let m: Vec<Value> = (0..25).map(|i| json!({ "connectionName": format!("c{i}") })).collect();
        req(Operation::UpdateConfig, json!({ "configId": "c", "connectionToolMappings": m }));
        req(Operation::CreateConfig, json!({ "name": "a", "connectionToolMappings": [] }));
    }

    fn ok(op: Operation, body: &str) -> Value {
        let out = parse_response(op, 200, body).unwrap_or_else(|e| panic!("{op:?} {body}: {e:?}"));
        serde_json::from_str(&out).unwrap()
    }

    fn bad(op: Operation, status: u16, body: &str) -> SdkError {
        let e = parse_response(op, status, body).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidResponse, "{op:?} {body}: {e:?}");
        assert_eq!(e.code, "INVALID_RESPONSE");
        assert_eq!(e.status, Some(status));
        e
    }

    const CONFIG_SNAKE: &str = r#"{"config":{"id":"cfg_85630864460904897","name":"email-calendar-agent","description":"Summarizes mail",
        "connection_tool_mappings":[{"connection_id":"conn_1","connection_name":"gmail","provider":"GMAIL","tools":["gmail_fetch_mails"]},
          {"connection_id":"conn_2","connection_name":"cal","provider":"GOOGLE","tools":[],"connected_account_id":"ca_1","connected_account_status":"ACTIVE"}],
        "mcp_server_url":"https://env.scalekit.com/mcp/v3/servers/550e8400","extra":{"x":1}}}"#;

    fn config_out() -> Value {
        json!({"id":"cfg_85630864460904897","name":"email-calendar-agent","description":"Summarizes mail",
            "connectionToolMappings":[
                {"connectionId":"conn_1","connectionName":"gmail","provider":"GMAIL","tools":["gmail_fetch_mails"]},
                {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","tools":[],"connectedAccountId":"ca_1","connectedAccountStatus":"ACTIVE"}],
            "mcpServerUrl":"https://env.scalekit.com/mcp/v3/servers/550e8400"})
    }

    #[test]
    fn config_responses_in_both_name_styles() {
        for op in [Operation::CreateConfig, Operation::GetConfig, Operation::UpdateConfig] {
            assert_eq!(ok(op, CONFIG_SNAKE), config_out());
        }
        let camel = r#"{"config":{"id":"cfg_85630864460904897","name":"email-calendar-agent","description":"Summarizes mail",
            "connectionToolMappings":[{"connectionId":"conn_1","connectionName":"gmail","provider":"GMAIL","tools":["gmail_fetch_mails"]},
              {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","tools":null,"connectedAccountId":"ca_1","connectedAccountStatus":"ACTIVE"}],
            "mcpServerUrl":"https://env.scalekit.com/mcp/v3/servers/550e8400"}}"#;
        assert_eq!(ok(Operation::GetConfig, camel), config_out());
        // Missing members take defaults; optional mapping members stay absent.
        assert_eq!(
            ok(Operation::GetConfig, r#"{"config":{"connection_tool_mappings":[{}]}}"#),
            json!({"id":"","name":"","description":"","connectionToolMappings":[{"connectionId":"","connectionName":"","provider":"","tools":[]}],"mcpServerUrl":""})
        );
        assert_eq!(ok(Operation::GetConfig, r#"{"config":{}}"#)["connectionToolMappings"], json!([]));
        // Present-but-empty optional members are kept.
        let v = ok(Operation::GetConfig, r#"{"config":{"connection_tool_mappings":[{"connected_account_id":"","connected_account_status":null}]}}"#);
        assert_eq!(v["connectionToolMappings"][0]["connectedAccountId"], json!(""));
        assert!(v["connectionToolMappings"][0].get("connectedAccountStatus").is_none());
    }

    #[test]
    fn config_response_errors() {
        for body in [
            "",
            "   ",
            "{",
            r#"{"config":{"id":"x""#,
            "<html><body>ok</body></html>",
            "[]",
            "null",
            "5",
            "{}",
            r#"{"config":null}"#,
            r#"{"config":5}"#,
            r#"{"config":"x"}"#,
            r#"{"config":[]}"#,
            r#"{"config":{"id":5}}"#,
            r#"{"config":{"connection_tool_mappings":{}}}"#,
            r#"{"config":{"connection_tool_mappings":[5]}}"#,
            r#"{"config":{"connection_tool_mappings":[{"tools":"a"}]}}"#,
            r#"{"config":{"connection_tool_mappings":[{"tools":[1]}]}}"#,
            r#"{"config":{"connection_tool_mappings":[{"connected_account_status":1}]}}"#,
        ] {
            bad(Operation::GetConfig, 200, body);
        }
        let e = bad(Operation::CreateConfig, 201, r#"{"config":{"connection_tool_mappings":[{"tools":[1]}]}}"#);
        assert!(e.message.contains("config.connection_tool_mappings[0].tools[0]"), "{}", e.message);
        // The body itself is never quoted.
        let e = bad(Operation::GetConfig, 200, r#"{"config":{"id":5,"mcp_server_url":"https://secret"}}"#);
        assert!(!e.message.contains("secret"), "{}", e.message);
    }

    #[test]
    fn instance_responses() {
        let body = r#"{"instance":{"id":"inst_1","name":"reminder-mcp-john","user_identifier":"john-doe","config":{"id":"cfg_1","name":"reminder-manager"},
            "last_used_at":"0001-01-01T00:00:00Z","updated_at":"2025-10-07T12:21:00Z","url":"https://x/mcp/v2/abc"}}"#;
        for op in [Operation::EnsureInstance, Operation::GetInstance, Operation::UpdateInstance] {
            assert_eq!(
                ok(op, body),
                json!({"id":"inst_1","name":"reminder-mcp-john","userIdentifier":"john-doe",
                    "config":{"id":"cfg_1","name":"reminder-manager","description":"","connectionToolMappings":[],"mcpServerUrl":""},
                    "url":"https://x/mcp/v2/abc","lastUsedAt":null,"updatedAt":"2025-10-07T12:21:00Z"})
            );
        }
        let camel = r#"{"instance":{"id":"i","userIdentifier":"u","lastUsedAt":"2024-06-19T11:11:58.823707848Z","updatedAt":{"seconds":"1718795518","nanos":823000000}}}"#;
        assert_eq!(
            ok(Operation::GetInstance, camel),
            json!({"id":"i","name":"","userIdentifier":"u","config":null,"url":"",
                "lastUsedAt":"2024-06-19T11:11:58.823707848Z","updatedAt":"2024-06-19T11:11:58.823Z"})
        );
        let zeros = r#"{"instance":{"last_used_at":"","updated_at":{},"config":null}}"#;
        let v = ok(Operation::GetInstance, zeros);
        assert_eq!((v["lastUsedAt"].clone(), v["updatedAt"].clone(), v["config"].clone()), (Value::Null, Value::Null, Value::Null));
        let v = ok(Operation::GetInstance, r#"{"instance":{"updated_at":{"seconds":-62135596800}}}"#);
        assert_eq!(v["updatedAt"], Value::Null);
        for body in [
            r#"{}"#,
            r#"{"instance":null}"#,
            r#"{"instance":5}"#,
            r#"{"instance":{"config":5}}"#,
            r#"{"instance":{"config":{"name":[]}}}"#,
            r#"{"instance":{"updated_at":5}}"#,
            r#"{"instance":{"updated_at":{"seconds":"x"}}}"#,
            r#"{"instance":{"updated_at":{"seconds":1,"nanos":1000000000}}}"#,
            r#"{"instance":{"updated_at":{"seconds":1,"nanos":-1}}}"#,
            r#"{"instance":{"updated_at":{"seconds":99999999999999}}}"#,
            r#"{"instance":{"url":true}}"#,
        ] {
            bad(Operation::EnsureInstance, 200, body);
        }
    }

    #[test]
    fn list_responses() {
        let body = format!(r#"{{"configs":[{}],"next_page_token":"2","prev_page_token":"","total_size":31}}"#, &CONFIG_SNAKE[10..CONFIG_SNAKE.len() - 1]);
        assert_eq!(
            ok(Operation::ListConfigs, &body),
            json!({"configs":[config_out()],"nextPageToken":"2","prevPageToken":"","totalSize":31})
        );
        assert_eq!(
            ok(Operation::ListConfigs, r#"{"nextPageToken":"n","totalSize":"4"}"#),
            json!({"configs":[],"nextPageToken":"n","prevPageToken":"","totalSize":4})
        );
        assert_eq!(ok(Operation::ListConfigs, "{}"), json!({"configs":[],"nextPageToken":"","prevPageToken":"","totalSize":0}));
        assert_eq!(
            ok(Operation::ListInstances, r#"{"instances":[{"id":"i"}],"total_size":1}"#),
            json!({"instances":[{"id":"i","name":"","userIdentifier":"","config":null,"url":"","lastUsedAt":null,"updatedAt":null}],
                   "nextPageToken":"","prevPageToken":"","totalSize":1})
        );
        for body in [
            r#"{"configs":"x"}"#,
            r#"{"configs":{}}"#,
            r#"{"configs":[1]}"#,
            r#"{"total_size":-1}"#,
            r#"{"total_size":1.5}"#,
            r#"{"total_size":4294967296}"#,
            r#"{"total_size":"x"}"#,
            r#"{"total_size":true}"#,
            r#"{"next_page_token":1}"#,
        ] {
            bad(Operation::ListConfigs, 200, body);
        }
        bad(Operation::ListInstances, 200, r#"{"instances":[{"config":1}]}"#);
    }

    #[test]
    fn auth_state_responses() {
        let body = r#"{"connections":[
            {"connection_id":"conn_1","connection_name":"gmail","provider":"GMAIL","connected_account_id":"ca_1","connected_account_status":"ACTIVE","authentication_link":""},
            {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","connectedAccountStatus":"PENDING_AUTH","authenticationLink":"https://auth"}]}"#;
        assert_eq!(
            ok(Operation::GetInstanceAuthState, body),
            json!({"connections":[
                {"connectionId":"conn_1","connectionName":"gmail","provider":"GMAIL","connectedAccountId":"ca_1","connectedAccountStatus":"ACTIVE","authenticationLink":""},
                {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","connectedAccountId":"","connectedAccountStatus":"PENDING_AUTH","authenticationLink":"https://auth"}],
                "allActive":false})
        );
        let active = r#"{"connected_accounts":[{"connected_account_status":"ACTIVE"},{"connected_account_status":"active"}]}"#;
        let v = ok(Operation::ListConnectedAccounts, active);
        assert_eq!(v["allActive"], json!(true));
        assert_eq!(v["connectedAccounts"].as_array().unwrap().len(), 2);
        assert_eq!(ok(Operation::ListConnectedAccounts, "{}"), json!({"connectedAccounts":[],"allActive":true}));
        assert_eq!(ok(Operation::GetInstanceAuthState, "{}"), json!({"connections":[],"allActive":true}));
        let missing = r#"{"connected_accounts":[{"connected_account_status":"ACTIVE"},{}]}"#;
        assert_eq!(ok(Operation::ListConnectedAccounts, missing)["allActive"], json!(false));
        bad(Operation::ListConnectedAccounts, 200, r#"{"connected_accounts":{}}"#);
        bad(Operation::GetInstanceAuthState, 200, r#"{"connections":[{"authentication_link":5}]}"#);
    }

    #[test]
    fn token_responses() {
        let body = r#"{"token":"eyJhbGciOiJSUzI1NiJ9.e30.sig","expires_at":"2026-08-21T11:00:00Z"}"#;
        for op in [Operation::CreateSessionToken, Operation::CreateConnectionSessionToken] {
            assert_eq!(ok(op, body), json!({"token":"eyJhbGciOiJSUzI1NiJ9.e30.sig","expiresAt":"2026-08-21T11:00:00Z"}));
        }
        assert_eq!(ok(Operation::CreateSessionToken, r#"{"token":"t","expiresAt":{"seconds":1787310000}}"#)["expiresAt"], json!("2026-08-21T11:00:00Z"));
        assert_eq!(ok(Operation::CreateSessionToken, r#"{"token":"t"}"#)["expiresAt"], json!(""));
        for body in [r#"{}"#, r#"{"token":""}"#, r#"{"token":null}"#, r#"{"token":5}"#, r#"{"token":"t","expires_at":5}"#] {
            bad(Operation::CreateSessionToken, 200, body);
        }
    }

    #[test]
    fn delete_responses() {
        for op in [Operation::DeleteConfig, Operation::DeleteInstance] {
            for body in ["", " ", "{}", r#"{"x":1}"#] {
                assert_eq!(parse_response(op, 200, body).unwrap(), "null");
            }
            assert_eq!(parse_response(op, 204, "").unwrap(), "null");
            for body in ["[]", "5", "{", "<html>"] {
                bad(op, 200, body);
            }
        }
    }

    #[test]
    fn non_2xx_gives_the_http_error() {
        let e = parse_response(Operation::GetConfig, 404, r#"{"code":5,"message":"not found"}"#).unwrap_err();
        assert_eq!((e.kind, e.code.as_str(), e.status), (ErrorKind::NotFound, "NOT_FOUND", Some(404)));
        let e = parse_response(Operation::GetConfig, 302, "").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Api);
    }

    #[test]
    fn huge_numbers_do_not_break_parsing() {
        let v = ok(Operation::ListConfigs, r#"{"configs":[],"extra":1e400,"total_size":3}"#);
        assert_eq!(v["totalSize"], json!(3));
    }

    #[test]
    fn wait_targets() {
        assert_eq!(parse_wait_target(r#"{"instanceId":"inst_1"}"#).unwrap(), WaitTarget::Instance { instance_id: "inst_1".into() });
        assert_eq!(
            parse_wait_target(r#"{"configId":"cfg_1","identifier":"u","instanceId":null}"#).unwrap(),
            WaitTarget::Config { config_id: "cfg_1".into(), identifier: "u".into() }
        );
        for (input, field) in [
            (r#"{}"#, "instanceId"),
            (r#"{"instanceId":"i","configId":"c","identifier":"u"}"#, "instanceId"),
            (r#"{"instanceId":"i","identifier":"u"}"#, "instanceId"),
            (r#"{"configId":"c"}"#, "identifier"),
            (r#"{"identifier":"u"}"#, "configId"),
            (r#"{"instanceId":""}"#, "instanceId"),
            (r#"{"instanceId":".."}"#, "instanceId"),
            (r#"{"instanceId":5}"#, "instanceId"),
            (r#"{"configId":"c","identifier":""}"#, "identifier"),
            (r#"{"instanceId":"i","includeAuthLinks":true}"#, "includeAuthLinks"),
            ("null", ""),
            ("[]", ""),
        ] {
            let e = parse_wait_target(input).unwrap_err();
            assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::Validation, Some(field)), "{input}");
        }
    }

    #[test]
    fn poll_requests_and_responses() {
        let inst = WaitTarget::Instance { instance_id: "inst/1".into() };
        let r = inst.poll_request(true);
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body),
            ("POST", "/api/v1/mcp/instances/inst%2F1:get_auth_state?include_auth_links=true", None)
        );
        assert_eq!(inst.poll_request(false).path_and_query, "/api/v1/mcp/instances/inst%2F1:get_auth_state");
        let cfg = WaitTarget::Config { config_id: "cfg_1".into(), identifier: "u".into() };
        let r = cfg.poll_request(true);
        assert_eq!((r.method, r.path_and_query.as_str()), ("POST", "/api/v1/mcp/configs/cfg_1/connected_accounts"));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","include_auth_link":true}"#));
        assert_eq!(r.content_type, Some("application/json"));
        assert_eq!(cfg.poll_request(false).body.as_deref(), Some(r#"{"identifier":"u"}"#));
        assert_eq!(r, build_request(Operation::ListConnectedAccounts, r#"{"configId":"cfg_1","identifier":"u","includeAuthLink":true}"#).unwrap());

        let out = parse_poll_response(&inst, 200, r#"{"connections":[{"connected_account_status":"ACTIVE"}]}"#).unwrap();
        assert!(all_active(&out));
        let out = parse_poll_response(&cfg, 200, r#"{"connected_accounts":[{"connected_account_status":"PENDING_AUTH"}]}"#).unwrap();
        assert!(!all_active(&out));
        assert!(out.starts_with(r#"{"connectedAccounts":"#));
        assert!(!all_active("garbage"));
        assert!(!all_active(r#"{"allActive":"true"}"#));
        let e = parse_poll_response(&inst, 404, "").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }

    #[test]
    fn debug_hides_the_body() {
        let r = HttpRequest { method: "POST", path_and_query: "/oauth/token".into(), body: Some("client_secret=s3cr3t".into()), content_type: None };
        let d = format!("{r:?}");
        assert!(!d.contains("s3cr3t"), "{d}");
        assert!(d.contains("20 bytes"), "{d}");
        assert_eq!(r.url("https://e.example/"), "https://e.example/oauth/token");
    }
}
