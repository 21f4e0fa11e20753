//! The operations: for each, its input, the request it makes, and what its answer gives.
//!
//! An operation is a type implementing [`Operation`]; [`OPERATIONS`] lists them by their
//! JavaScript method names, and [`operation`] finds one. Paths are relative to the environment
//! URL. Answers are decoded straight from the body's bytes into the output types (unknown members
//! skipped without being built), so a large answer costs memory in proportion to what is kept.

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::SdkError;
use super::model::*;
use super::url::{segment, with_query};
use super::validate::{read, Validate};
use super::wire::{count, object, or_default};

/// A request to send: `path_and_query` is appended to the environment URL.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub path_and_query: String,
    pub body: Option<String>,
    pub content_type: Option<&'static str>,
}

/// The body may hold the client secret, so `Debug` shows only its length.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("body", &self.body.as_ref().map(|b| format!("<{} bytes>", b.len())))
            .field("content_type", &self.content_type)
            .finish()
    }
}

pub(crate) const JSON: &str = "application/json";
const API: &str = "/api/v1/mcp";

impl HttpRequest {
    pub fn get(path_and_query: String) -> HttpRequest {
        HttpRequest { method: "GET", path_and_query, body: None, content_type: None }
    }

    fn delete(path: String) -> HttpRequest {
        HttpRequest { method: "DELETE", ..HttpRequest::get(path) }
    }

    /// `method` with `body` serialized as JSON.
    fn json(method: &'static str, path: String, body: &impl Serialize) -> HttpRequest {
        // Serializing these types cannot fail: they hold strings, numbers, booleans and lists.
        let body = serde_json::to_string(body).unwrap_or_default();
        HttpRequest { method, path_and_query: path, body: Some(body), content_type: Some(JSON) }
    }

    /// The full URL on the environment `base` (as normalized by `parse_client_options`).
    pub fn url(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path_and_query)
    }
}

/// `/api/v1/mcp/<collection>/<id><rest>`, the id percent-encoded as one path segment.
fn item_path(collection: &str, id: &str, rest: &str) -> String {
    format!("{API}/{collection}/{}{rest}", segment(id))
}

/// What an answer gives JavaScript: the output of whichever operation it answered. It
/// serializes as the output itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Config(McpConfig),
    Configs(ListConfigsResult),
    Instance(McpInstance),
    Instances(ListInstancesResult),
    AuthState(InstanceAuthState),
    Accounts(ConnectedAccounts),
    Token(SessionToken),
    Tools(ListToolsResult),
    /// Deletes: `undefined` in JavaScript.
    Nothing,
}

impl Answer {
    /// The connections of an auth state (`getInstanceAuthState`, `listConnectedAccounts`).
    pub fn connections(&self) -> Option<&[ConnectionAuthState]> {
        match self {
            Answer::AuthState(s) => Some(&s.connections),
            Answer::Accounts(a) => Some(&a.connected_accounts),
            _ => None,
        }
    }

    /// The connections of an auth state that are not ACTIVE yet (none for other answers).
    pub fn pending(&self) -> impl Iterator<Item = &ConnectionAuthState> {
        self.connections().unwrap_or_default().iter().filter(|c| !c.is_active())
    }
}

/// One operation of the API.
pub trait Operation {
    /// The JavaScript method name.
    const NAME: &'static str;
    /// Whether repeating the request is harmless once it may have reached the server: true for
    /// reads, updates that set the same values, token mints and `ensureInstance` (get-or-create).
    const RETRY_SAFE: bool = true;
    type Input: DeserializeOwned + Validate;
    fn request(input: &Self::Input) -> HttpRequest;
    /// The output of a 2xx answer's body.
    fn answer(body: &[u8]) -> Result<Answer, SdkError>;
    /// The connections and tools an input names, for `checkTools` (the writes of a config).
    fn mappings(_input: Self::Input) -> Vec<ConnectionToolMappingInput> {
        Vec::new()
    }
}

/// A checked input made into its request, with the mappings it names (empty but for the writes
/// of a config).
#[derive(Debug)]
pub struct Built {
    pub request: HttpRequest,
    pub mappings: Vec<ConnectionToolMappingInput>,
}

/// An operation, type-erased, as the shell runs it.
pub struct Spec {
    pub name: &'static str,
    pub retry_safe: bool,
    /// Reads and checks the input, and builds the request.
    pub build: fn(Value) -> Result<Built, SdkError>,
    /// The output of a 2xx answer's body.
    pub answer: fn(&[u8]) -> Result<Answer, SdkError>,
}

fn build<O: Operation>(input: Value) -> Result<Built, SdkError> {
    let input = read::<O::Input>(input)?;
    Ok(Built { request: O::request(&input), mappings: O::mappings(input) })
}

const fn spec<O: Operation>() -> Spec {
    Spec { name: O::NAME, retry_safe: O::RETRY_SAFE, build: build::<O>, answer: O::answer }
}

/// Every operation, in the order of the contract.
pub const OPERATIONS: &[Spec] = &[
    spec::<CreateConfig>(),
    spec::<ListConfigs>(),
    spec::<GetConfig>(),
    spec::<UpdateConfig>(),
    spec::<DeleteConfig>(),
    spec::<ListConnectedAccounts>(),
    spec::<CreateSessionToken>(),
    spec::<CreateConnectionSessionToken>(),
    spec::<EnsureInstance>(),
    spec::<ListInstances>(),
    spec::<GetInstance>(),
    spec::<UpdateInstance>(),
    spec::<DeleteInstance>(),
    spec::<GetInstanceAuthState>(),
    spec::<ListTools>(),
];

/// The operation with JavaScript method name `name`.
pub fn operation(name: &str) -> Option<&'static Spec> {
    OPERATIONS.iter().find(|s| s.name == name)
}

// ---------------------------------------------------------------------------------------------
// Decoding answers
// ---------------------------------------------------------------------------------------------

/// `T` from a JSON body, or an `InvalidResponse` error saying where the body breaks the
/// contract (line and column, and what was expected there) without quoting the body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SdkError> {
    serde_json::from_slice(body).map_err(|e| {
        let at = format!("line {}, column {}", e.line(), e.column());
        match e.classify() {
            serde_json::error::Category::Data => {
                let msg = e.to_string();
                let expected = msg.split_once(", expected ").and_then(|(_, exp)| exp.split(" at line ").next());
                match expected {
                    Some(exp) => SdkError::invalid_response(None, format!("the body has a member of the wrong type at {at} (expected {exp})")),
                    None => SdkError::invalid_response(None, format!("the body has an invalid member at {at}")),
                }
            }
            serde_json::error::Category::Eof if body.iter().all(u8::is_ascii_whitespace) => SdkError::invalid_response(None, "the body is empty"),
            _ => SdkError::invalid_response(None, format!("the body is not valid JSON ({at})")),
        }
    })
}

/// Any JSON object, its members skipped.
struct AnyObject;

impl<'de> Deserialize<'de> for AnyObject {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyObject)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct ConfigAnswer {
    #[serde(default, deserialize_with = "object")]
    config: Option<McpConfig>,
}

#[derive(Deserialize)]
struct InstanceAnswer {
    #[serde(default, deserialize_with = "object")]
    instance: Option<McpInstance>,
}

fn config_answer(body: &[u8]) -> Result<Answer, SdkError> {
    let config = decode::<ConfigAnswer>(body)?.config.ok_or_else(|| SdkError::invalid_response(None, "`config` is missing"))?;
    Ok(Answer::Config(config))
}

fn instance_answer(body: &[u8]) -> Result<Answer, SdkError> {
    let instance = decode::<InstanceAnswer>(body)?
        .instance
        .ok_or_else(|| SdkError::invalid_response(None, "`instance` is missing"))?;
    Ok(Answer::Instance(instance))
}

/// Deletes answer an empty body or an object (whatever it holds).
fn nothing(body: &[u8]) -> Result<Answer, SdkError> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        decode::<AnyObject>(body)?;
    }
    Ok(Answer::Nothing)
}

fn token_answer(body: &[u8]) -> Result<Answer, SdkError> {
    let token: SessionToken = decode(body)?;
    if token.token.is_empty() {
        return Err(SdkError::invalid_response(None, "`token` is missing"));
    }
    Ok(Answer::Token(token))
}

fn all_active(connections: &[ConnectionAuthState]) -> bool {
    connections.iter().all(ConnectionAuthState::is_active)
}

/// `GET path` with a list's filters (those not given left out), then its page: `page_size` (0
/// leaves it to the server) and `page_token`.
fn list_request<'a>(
    path: String,
    filters: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    page_size: Option<u32>,
    page_token: Option<&'a str>,
) -> HttpRequest {
    let page_size = page_size.filter(|n| *n > 0).map(|n| n.to_string());
    let mut pairs: Vec<(&str, &str)> = filters.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect();
    pairs.push(("page_size", page_size.as_deref().unwrap_or_default()));
    pairs.push(("page_token", page_token.unwrap_or_default()));
    HttpRequest::get(with_query(path, pairs))
}

// ---------------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------------

pub struct CreateConfig;
impl Operation for CreateConfig {
    const NAME: &'static str = "createConfig";
    /// A second create would conflict with the first.
    const RETRY_SAFE: bool = false;
    type Input = CreateConfigInput;
    fn request(input: &CreateConfigInput) -> HttpRequest {
        HttpRequest::json("POST", format!("{API}/configs"), input)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        config_answer(body)
    }
    fn mappings(input: CreateConfigInput) -> Vec<ConnectionToolMappingInput> {
        input.connection_tool_mappings.unwrap_or_default()
    }
}

pub struct ListConfigs;
impl Operation for ListConfigs {
    const NAME: &'static str = "listConfigs";
    type Input = ListConfigsInput;
    fn request(i: &ListConfigsInput) -> HttpRequest {
        let none = ConfigFilter::default();
        let f = i.filter.as_ref().unwrap_or(&none);
        let filters = [
            ("filter.id", f.id.as_deref()),
            ("filter.name", f.name.as_deref()),
            ("filter.provider", f.provider.as_deref()),
            ("filter.mcp_server_url", f.mcp_server_url.as_deref()),
            ("search", i.search.as_deref()),
        ];
        list_request(format!("{API}/configs"), filters, i.page_size, i.page_token.as_deref())
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        decode(body).map(Answer::Configs)
    }
}

pub struct GetConfig;
impl Operation for GetConfig {
    const NAME: &'static str = "getConfig";
    type Input = ConfigIdInput;
    fn request(i: &ConfigIdInput) -> HttpRequest {
        HttpRequest::get(item_path("configs", &i.config_id, ""))
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        config_answer(body)
    }
}

pub struct UpdateConfig;
impl Operation for UpdateConfig {
    const NAME: &'static str = "updateConfig";
    type Input = UpdateConfigInput;
    fn request(i: &UpdateConfigInput) -> HttpRequest {
        HttpRequest::json("PUT", item_path("configs", &i.config_id, ""), i)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        config_answer(body)
    }
    fn mappings(input: UpdateConfigInput) -> Vec<ConnectionToolMappingInput> {
        input.connection_tool_mappings.unwrap_or_default()
    }
}

pub struct DeleteConfig;
impl Operation for DeleteConfig {
    const NAME: &'static str = "deleteConfig";
    /// A repeat would answer 404.
    const RETRY_SAFE: bool = false;
    type Input = ConfigIdInput;
    fn request(i: &ConfigIdInput) -> HttpRequest {
        HttpRequest::delete(item_path("configs", &i.config_id, ""))
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        nothing(body)
    }
}

pub struct ListConnectedAccounts;
impl Operation for ListConnectedAccounts {
    const NAME: &'static str = "listConnectedAccounts";
    type Input = ListConnectedAccountsInput;
    fn request(i: &ListConnectedAccountsInput) -> HttpRequest {
        HttpRequest::json("POST", item_path("configs", &i.config_id, "/connected_accounts"), i)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        let mut accounts: ConnectedAccounts = decode(body)?;
        accounts.all_active = all_active(&accounts.connected_accounts);
        Ok(Answer::Accounts(accounts))
    }
}

pub struct CreateSessionToken;
impl Operation for CreateSessionToken {
    const NAME: &'static str = "createSessionToken";
    type Input = CreateSessionTokenInput;
    fn request(i: &CreateSessionTokenInput) -> HttpRequest {
        HttpRequest::json("POST", item_path("configs", &i.config_id, "/tokens"), i)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        token_answer(body)
    }
}

pub struct CreateConnectionSessionToken;
impl Operation for CreateConnectionSessionToken {
    const NAME: &'static str = "createConnectionSessionToken";
    type Input = CreateConnectionSessionTokenInput;
    fn request(i: &CreateConnectionSessionTokenInput) -> HttpRequest {
        HttpRequest::json("POST", item_path("connections", &i.connection_name, "/tokens"), i)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        token_answer(body)
    }
}

pub struct EnsureInstance;
impl Operation for EnsureInstance {
    const NAME: &'static str = "ensureInstance";
    type Input = EnsureInstanceInput;
    fn request(i: &EnsureInstanceInput) -> HttpRequest {
        HttpRequest::json("POST", format!("{API}/instances"), i)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        instance_answer(body)
    }
}

pub struct ListInstances;
impl Operation for ListInstances {
    const NAME: &'static str = "listInstances";
    type Input = ListInstancesInput;
    fn request(i: &ListInstancesInput) -> HttpRequest {
        let none = InstanceFilter::default();
        let f = i.filter.as_ref().unwrap_or(&none);
        let filters = [
            ("filter.id", f.id.as_deref()),
            ("filter.name", f.name.as_deref()),
            ("filter.config_name", f.config_name.as_deref()),
            ("filter.user_identifier", f.user_identifier.as_deref()),
            ("search", i.search.as_deref()),
        ];
        list_request(format!("{API}/instances"), filters, i.page_size, i.page_token.as_deref())
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        decode(body).map(Answer::Instances)
    }
}

pub struct GetInstance;
impl Operation for GetInstance {
    const NAME: &'static str = "getInstance";
    type Input = InstanceIdInput;
    fn request(i: &InstanceIdInput) -> HttpRequest {
        HttpRequest::get(item_path("instances", &i.instance_id, ""))
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        instance_answer(body)
    }
}

pub struct UpdateInstance;
impl Operation for UpdateInstance {
    const NAME: &'static str = "updateInstance";
    type Input = UpdateInstanceInput;
    fn request(i: &UpdateInstanceInput) -> HttpRequest {
        HttpRequest::json("PATCH", item_path("instances", &i.instance_id, ""), i)
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        instance_answer(body)
    }
}

pub struct DeleteInstance;
impl Operation for DeleteInstance {
    const NAME: &'static str = "deleteInstance";
    /// A repeat would answer 404.
    const RETRY_SAFE: bool = false;
    type Input = InstanceIdInput;
    fn request(i: &InstanceIdInput) -> HttpRequest {
        HttpRequest::delete(item_path("instances", &i.instance_id, ""))
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        nothing(body)
    }
}

pub struct GetInstanceAuthState;
impl Operation for GetInstanceAuthState {
    const NAME: &'static str = "getInstanceAuthState";
    type Input = GetInstanceAuthStateInput;
    fn request(i: &GetInstanceAuthStateInput) -> HttpRequest {
        let links = if i.include_auth_links == Some(true) { "true" } else { "" };
        let path = with_query(item_path("instances", &i.instance_id, ":get_auth_state"), [("include_auth_links", links)]);
        HttpRequest { method: "POST", ..HttpRequest::get(path) }
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        let mut state: InstanceAuthState = decode(body)?;
        state.all_active = all_active(&state.connections);
        Ok(Answer::AuthState(state))
    }
}

/// An answer of the tools API.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ToolsAnswer {
    #[serde(deserialize_with = "or_default")]
    tools: Vec<ListedTool>,
    #[serde(alias = "toolNames", deserialize_with = "or_default")]
    tool_names: Vec<String>,
    #[serde(alias = "nextPageToken", deserialize_with = "or_default")]
    next_page_token: String,
    #[serde(alias = "prevPageToken", deserialize_with = "or_default")]
    prev_page_token: String,
    #[serde(alias = "totalSize", deserialize_with = "count")]
    total_size: u32,
}

/// `GET /api/v1/tools`: the tools API's ListTools.
pub struct ListTools;
impl Operation for ListTools {
    const NAME: &'static str = "listTools";
    type Input = ListToolsInput;
    fn request(i: &ListToolsInput) -> HttpRequest {
        let none = ToolFilter::default();
        let f = i.filter.as_ref().unwrap_or(&none);
        let filters = [
            ("filter.summary", f.summary.map(|s| if s { "true" } else { "false" })),
            ("filter.provider", f.provider.as_deref()),
            ("filter.identifier", f.identifier.as_deref()),
            ("filter.query", f.query.as_deref()),
            ("filter.connector", f.connector.as_deref()),
            ("filter.organization_id", f.organization_id.as_deref()),
            ("filter.user_id", f.user_id.as_deref()),
            ("filter.connected_account_id", f.connected_account_id.as_deref()),
        ];
        let tool_names = f.tool_name.iter().flatten().map(|name| ("filter.tool_name", Some(name.as_str())));
        list_request("/api/v1/tools".to_owned(), filters.into_iter().chain(tool_names), i.page_size, i.page_token.as_deref())
    }
    fn answer(body: &[u8]) -> Result<Answer, SdkError> {
        let a: ToolsAnswer = decode(body)?;
        Ok(Answer::Tools(ListToolsResult {
            tools: a.tools.into_iter().map(Tool::from).collect(),
            tool_names: a.tool_names,
            next_page_token: a.next_page_token,
            prev_page_token: a.prev_page_token,
            total_size: a.total_size,
        }))
    }
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
    /// Reads the target of `waitForAuth`: exactly one of `{instanceId}` and
    /// `{configId, identifier}`.
    pub fn read(input: Value) -> Result<WaitTarget, SdkError> {
        let t: WaitTargetInput = read(input)?;
        Ok(match (t.instance_id, t.config_id, t.identifier) {
            (Some(instance_id), _, _) => WaitTarget::Instance { instance_id },
            (None, Some(config_id), Some(identifier)) => WaitTarget::Config { config_id, identifier },
            // `validate` refused the other shapes.
            _ => return Err(SdkError::validation("instanceId", "waitForAuth needs instanceId, or configId with identifier")),
        })
    }

    /// The operation each poll performs, and its request, asking for authentication links when
    /// `include_links`.
    pub fn poll(&self, include_links: bool) -> (Spec, HttpRequest) {
        match self {
            WaitTarget::Instance { instance_id } => {
                let input = GetInstanceAuthStateInput { instance_id: instance_id.clone(), include_auth_links: Some(include_links) };
                (spec::<GetInstanceAuthState>(), GetInstanceAuthState::request(&input))
            }
            WaitTarget::Config { config_id, identifier } => {
                let input = ListConnectedAccountsInput {
                    config_id: config_id.clone(),
                    identifier: identifier.clone(),
                    include_auth_link: include_links.then_some(true),
                };
                (spec::<ListConnectedAccounts>(), ListConnectedAccounts::request(&input))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;
    use serde_json::{json, Value};

    fn spec(name: &str) -> &'static Spec {
        operation(name).unwrap_or_else(|| panic!("no operation {name}"))
    }

    fn build_request(op: &str, input: &str) -> Result<HttpRequest, SdkError> {
        (spec(op).build)(serde_json::from_str(input).unwrap_or_else(|e| panic!("{input}: {e}"))).map(|b| b.request)
    }

    fn req(op: &str, input: Value) -> HttpRequest {
        (spec(op).build)(input.clone()).map(|b| b.request).unwrap_or_else(|e| panic!("{op:?} {input}: {e:?}"))
    }

    fn err(op: &str, input: &str) -> SdkError {
        match build_request(op, input) {
            Ok(r) => panic!("{op:?} {input} built {r:?}"),
            Err(e) => e,
        }
    }

    /// The output of a 2xx answer, or its error with `status` set as the shell sets it.
    fn parse_response(op: &str, status: u16, body: &str) -> Result<Answer, SdkError> {
        assert!((200..300).contains(&status));
        (spec(op).answer)(body.as_bytes()).map_err(|e| e.with_status(status))
    }

    #[test]
    fn names_and_retry_safety() {
        let names: Vec<&str> = OPERATIONS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), 15);
        for name in &names {
            assert_eq!(operation(name).map(|s| s.name), Some(*name));
        }
        assert!(operation("CreateConfig").is_none());
        assert!(operation("").is_none());
        let unsafe_ops: Vec<_> = OPERATIONS.iter().filter(|o| !o.retry_safe).map(|o| o.name).collect();
        assert_eq!(unsafe_ops, [CreateConfig::NAME, DeleteConfig::NAME, DeleteInstance::NAME]);
    }

    #[test]
    fn create_config_request() {
        let r = req(
            CreateConfig::NAME,
            json!({"name":"email-calendar-agent","description":"Summarizes mail",
                   "connectionToolMappings":[{"connectionName":"gmail","tools":["gmail_fetch_mails"]},
                                             {"connectionName":"googlecalendar","tools":[]}]}),
        );
        assert_eq!((r.method, r.path_and_query.as_str(), r.content_type), ("POST", "/api/v1/mcp/configs", Some("application/json")));
        assert_eq!(
            r.body.as_deref().unwrap(),
            r#"{"name":"email-calendar-agent","description":"Summarizes mail","connection_tool_mappings":[{"connection_name":"gmail","tools":["gmail_fetch_mails"]},{"connection_name":"googlecalendar","tools":[]}]}"#
        );
        let r = req(CreateConfig::NAME, json!({"name":"a","connectionToolMappings":[{"connectionName":"x"}]}));
        assert_eq!(r.body.as_deref().unwrap(), r#"{"name":"a","connection_tool_mappings":[{"connection_name":"x"}]}"#);
        let r = req(CreateConfig::NAME, json!({"name":"a","description":null,"connectionToolMappings":null}));
        assert_eq!(r.body.as_deref().unwrap(), r#"{"name":"a"}"#);
    }

    #[test]
    fn list_configs_request() {
        for input in ["{}", " {} "] {
            let r = build_request(ListConfigs::NAME, input).unwrap();
            assert_eq!((r.method, r.path_and_query.as_str(), r.body.as_ref()), ("GET", "/api/v1/mcp/configs", None));
        }
        let r = req(
            ListConfigs::NAME,
            json!({"filter":{"id":"cfg 1","name":"My_cfg-1","provider":"GMAIL","mcpServerUrl":"https://e.x/mcp/v3/servers/u?x=1&y"},
                   "search":"a&b=c","pageSize":30,"pageToken":"tok/+="}),
        );
        assert_eq!(
            r.path_and_query,
            "/api/v1/mcp/configs?filter.id=cfg+1&filter.name=My_cfg-1&filter.provider=GMAIL\
             &filter.mcp_server_url=https%3A%2F%2Fe.x%2Fmcp%2Fv3%2Fservers%2Fu%3Fx%3D1%26y&search=a%26b%3Dc&page_size=30&page_token=tok%2F%2B%3D"
        );
        let r = req(ListConfigs::NAME, json!({"filter":{"name":"","id":null},"search":"","pageSize":0,"pageToken":""}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/configs");
        let r = req(ListConfigs::NAME, json!({"filter":null,"pageSize":5}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/configs?page_size=5");
    }

    #[test]
    fn config_id_requests_encode_the_segment() {
        for (id, seg) in
            [("cfg_85630864460904897", "cfg_85630864460904897"), ("../configs", "..%2Fconfigs"), ("a/b?c", "a%2Fb%3Fc"), ("ü#x", "%C3%BC%23x"), ("...", "...")]
        {
            let r = req(GetConfig::NAME, json!({ "configId": id }));
            assert_eq!((r.method, r.body.as_ref()), ("GET", None));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}"));
            let r = req(DeleteConfig::NAME, json!({ "configId": id }));
            assert_eq!((r.method, r.body.as_ref(), r.content_type), ("DELETE", None, None));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}"));
            let r = req(UpdateConfig::NAME, json!({ "configId": id, "description": "d" }));
            assert_eq!((r.method, r.path_and_query.clone()), ("PUT", format!("/api/v1/mcp/configs/{seg}")));
            let r = req(ListConnectedAccounts::NAME, json!({ "configId": id, "identifier": "u" }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}/connected_accounts"));
            let r = req(CreateSessionToken::NAME, json!({ "configId": id, "identifier": "u" }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/configs/{seg}/tokens"));
            let r = req(CreateConnectionSessionToken::NAME, json!({ "connectionName": id, "identifier": "u" }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/connections/{seg}/tokens"));
            let r = req(GetInstance::NAME, json!({ "instanceId": id }));
            assert_eq!((r.method, r.path_and_query.clone()), ("GET", format!("/api/v1/mcp/instances/{seg}")));
            let r = req(DeleteInstance::NAME, json!({ "instanceId": id }));
            assert_eq!((r.method, r.path_and_query.clone()), ("DELETE", format!("/api/v1/mcp/instances/{seg}")));
            let r = req(UpdateInstance::NAME, json!({ "instanceId": id, "name": "n" }));
            assert_eq!((r.method, r.path_and_query.clone()), ("PATCH", format!("/api/v1/mcp/instances/{seg}")));
            let r = req(GetInstanceAuthState::NAME, json!({ "instanceId": id }));
            assert_eq!(r.path_and_query, format!("/api/v1/mcp/instances/{seg}:get_auth_state"));
        }
    }

    #[test]
    fn update_config_request() {
        let r = req(UpdateConfig::NAME, json!({"configId":"cfg_1","description":""}));
        assert_eq!(r.body.as_deref(), Some(r#"{"description":""}"#));
        let r = req(UpdateConfig::NAME, json!({"configId":"cfg_1","connectionToolMappings":[{"connectionName":"gmail","tools":["a"]}]}));
        assert_eq!(r.body.as_deref(), Some(r#"{"connection_tool_mappings":[{"connection_name":"gmail","tools":["a"]}]}"#));
        assert_eq!(r.content_type, Some("application/json"));
    }

    #[test]
    fn connected_accounts_and_token_requests() {
        let r = req(ListConnectedAccounts::NAME, json!({"configId":"cfg_1","identifier":"user_123","includeAuthLink":true}));
        assert_eq!(r.method, "POST");
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"user_123","include_auth_link":true}"#));
        let r = req(ListConnectedAccounts::NAME, json!({"configId":"cfg_1","identifier":"user_123"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"user_123"}"#));

        let r = req(CreateSessionToken::NAME, json!({"configId":"cfg_1","identifier":"user_123","expirySeconds":3600,"accessLevel":"READ_ONLY"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"user_123","expiry":"3600s","access_level":"READ_ONLY"}"#));
        let r = req(CreateSessionToken::NAME, json!({"configId":"cfg_1","identifier":"u","expirySeconds":null,"accessLevel":""}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","access_level":""}"#));
        let r = req(CreateConnectionSessionToken::NAME, json!({"connectionName":"github-connect","identifier":"u","expirySeconds":60}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/connections/github-connect/tokens");
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","expiry":"60s"}"#));
        let r = req(CreateConnectionSessionToken::NAME, json!({"connectionName":"c","identifier":"u","expirySeconds":86400.0,"accessLevel":"FULL"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","expiry":"86400s","access_level":"FULL"}"#));
    }

    #[test]
    fn instance_requests() {
        let r = req(EnsureInstance::NAME, json!({"name":"reminder-mcp-john","configName":"reminder-manager","userIdentifier":"john-doe"}));
        assert_eq!((r.method, r.path_and_query.as_str()), ("POST", "/api/v1/mcp/instances"));
        assert_eq!(r.body.as_deref(), Some(r#"{"config_name":"reminder-manager","user_identifier":"john-doe","name":"reminder-mcp-john"}"#));
        let r = req(EnsureInstance::NAME, json!({"configName":"c","userIdentifier":"u"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"config_name":"c","user_identifier":"u"}"#));

        let r = req(UpdateInstance::NAME, json!({"instanceId":"inst_1","configName":"other"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"config_name":"other"}"#));
        let r = req(UpdateInstance::NAME, json!({"instanceId":"inst_1","name":"n","configName":"c"}));
        assert_eq!(r.body.as_deref(), Some(r#"{"name":"n","config_name":"c"}"#));

        let r = req(ListInstances::NAME, json!({}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/instances");
        let r = req(
            ListInstances::NAME,
            json!({"filter":{"id":"i","name":"n n","configName":"c","userIdentifier":"a@b.c"},"search":"é","pageSize":10,"pageToken":"1"}),
        );
        assert_eq!(
            r.path_and_query,
            "/api/v1/mcp/instances?filter.id=i&filter.name=n+n&filter.config_name=c&filter.user_identifier=a%40b.c&search=%C3%A9&page_size=10&page_token=1"
        );

        let r = req(GetInstanceAuthState::NAME, json!({"instanceId":"inst_1","includeAuthLinks":true}));
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.as_ref(), r.content_type),
            ("POST", "/api/v1/mcp/instances/inst_1:get_auth_state?include_auth_links=true", None, None)
        );
        let r = req(GetInstanceAuthState::NAME, json!({"instanceId":"inst_1","includeAuthLinks":false}));
        assert_eq!(r.path_and_query, "/api/v1/mcp/instances/inst_1:get_auth_state");
    }

    /// Every rule: (operation, input, field of the error).
    #[test]
    fn validation_table() {
        let long = |n: usize| "x".repeat(n);
        let mappings = |n: usize| (0..n).map(|i| format!(r#"{{"connectionName":"c{i}"}}"#)).collect::<Vec<_>>().join(",");
        let cases: Vec<(&str, String, &str)> = vec![
            // The input itself.
            (CreateConfig::NAME, "null".into(), ""),
            (CreateConfig::NAME, "[]".into(), ""),
            (CreateConfig::NAME, "\"x\"".into(), ""),
            (CreateConfig::NAME, "5".into(), ""),
            (GetConfig::NAME, "null".into(), ""),
            (ListConfigs::NAME, "[]".into(), ""),
            (ListConfigs::NAME, "\"x\"".into(), ""),
            (ListInstances::NAME, "true".into(), ""),
            // Unknown keys.
            (CreateConfig::NAME, r#"{"name":"a","nmae":"b"}"#.into(), "nmae"),
            (CreateConfig::NAME, r#"{"name":"a","connectionToolMappings":[{"connectionName":"c","tool":[]}]}"#.into(), "connectionToolMappings[0].tool"),
            (ListConfigs::NAME, r#"{"filter":{"configName":"x"}}"#.into(), "filter.configName"),
            (ListConfigs::NAME, r#"{"page_size":1}"#.into(), "page_size"),
            (ListInstances::NAME, r#"{"filter":{"provider":"x"}}"#.into(), "filter.provider"),
            (GetConfig::NAME, r#"{"configId":"c","id":"d"}"#.into(), "id"),
            (GetInstanceAuthState::NAME, r#"{"instanceId":"i","includeAuthLink":true}"#.into(), "includeAuthLink"),
            (ListConnectedAccounts::NAME, r#"{"configId":"c","identifier":"u","includeAuthLinks":true}"#.into(), "includeAuthLinks"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expiry":"1h"}"#.into(), "expiry"),
            (CreateConnectionSessionToken::NAME, r#"{"configId":"c","identifier":"u"}"#.into(), "configId"),
            // createConfig.
            (CreateConfig::NAME, r#"{}"#.into(), "name"),
            (CreateConfig::NAME, r#"{"name":null}"#.into(), "name"),
            (CreateConfig::NAME, r#"{"name":""}"#.into(), "name"),
            (CreateConfig::NAME, r#"{"name":5}"#.into(), "name"),
            (CreateConfig::NAME, r#"{"name":"Upper"}"#.into(), "name"),
            (CreateConfig::NAME, r#"{"name":"a b"}"#.into(), "name"),
            (CreateConfig::NAME, format!(r#"{{"name":"{}"}}"#, long(101)), "name"),
            (CreateConfig::NAME, r#"{"name":"a","description":7}"#.into(), "description"),
            (CreateConfig::NAME, r#"{"name":"a","connectionToolMappings":{}}"#.into(), "connectionToolMappings"),
            (CreateConfig::NAME, format!(r#"{{"name":"a","connectionToolMappings":[{}]}}"#, mappings(26)), "connectionToolMappings"),
            (CreateConfig::NAME, r#"{"name":"a","connectionToolMappings":[5]}"#.into(), "connectionToolMappings[0]"),
            (CreateConfig::NAME, r#"{"name":"a","connectionToolMappings":[{}]}"#.into(), "connectionToolMappings[0].connectionName"),
            (CreateConfig::NAME, r#"{"name":"a","connectionToolMappings":[{"connectionName":""}]}"#.into(), "connectionToolMappings[0].connectionName"),
            (
                CreateConfig::NAME,
                format!(r#"{{"name":"a","connectionToolMappings":[{{"connectionName":"{}"}}]}}"#, long(256)),
                "connectionToolMappings[0].connectionName",
            ),
            (
                CreateConfig::NAME,
                r#"{"name":"a","connectionToolMappings":[{"connectionName":"g"},{"connectionName":"g"}]}"#.into(),
                "connectionToolMappings[1].connectionName",
            ),
            (CreateConfig::NAME, r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":"x"}]}"#.into(), "connectionToolMappings[0].tools"),
            (
                CreateConfig::NAME,
                r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":["a",""]}]}"#.into(),
                "connectionToolMappings[0].tools[1]",
            ),
            (
                CreateConfig::NAME,
                r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":["a",3]}]}"#.into(),
                "connectionToolMappings[0].tools[1]",
            ),
            (
                CreateConfig::NAME,
                r#"{"name":"a","connectionToolMappings":[{"connectionName":"g","tools":[null]}]}"#.into(),
                "connectionToolMappings[0].tools[0]",
            ),
            // listConfigs / listInstances.
            (ListConfigs::NAME, r#"{"filter":5}"#.into(), "filter"),
            (ListConfigs::NAME, r#"{"filter":{"name":"a.b"}}"#.into(), "filter.name"),
            (ListConfigs::NAME, format!(r#"{{"filter":{{"name":"{}"}}}}"#, long(101)), "filter.name"),
            (ListConfigs::NAME, r#"{"filter":{"id":1}}"#.into(), "filter.id"),
            (ListConfigs::NAME, r#"{"filter":{"provider":[]}}"#.into(), "filter.provider"),
            (ListConfigs::NAME, r#"{"filter":{"mcpServerUrl":true}}"#.into(), "filter.mcpServerUrl"),
            (ListConfigs::NAME, r#"{"pageSize":31}"#.into(), "pageSize"),
            (ListConfigs::NAME, r#"{"pageSize":-1}"#.into(), "pageSize"),
            (ListConfigs::NAME, r#"{"pageSize":1.5}"#.into(), "pageSize"),
            (ListConfigs::NAME, r#"{"pageSize":"10"}"#.into(), "pageSize"),
            (ListConfigs::NAME, r#"{"pageToken":1}"#.into(), "pageToken"),
            (ListConfigs::NAME, r#"{"search":{}}"#.into(), "search"),
            (ListInstances::NAME, r#"{"pageSize":31}"#.into(), "pageSize"),
            (ListInstances::NAME, r#"{"pageSize":1e300}"#.into(), "pageSize"),
            (ListInstances::NAME, r#"{"filter":{"configName":1}}"#.into(), "filter.configName"),
            (ListInstances::NAME, r#"{"filter":{"userIdentifier":false}}"#.into(), "filter.userIdentifier"),
            (ListInstances::NAME, r#"{"search":1}"#.into(), "search"),
            // Ids.
            (GetConfig::NAME, r#"{}"#.into(), "configId"),
            (GetConfig::NAME, r#"{"configId":""}"#.into(), "configId"),
            (GetConfig::NAME, r#"{"configId":null}"#.into(), "configId"),
            (GetConfig::NAME, r#"{"configId":1}"#.into(), "configId"),
            (GetConfig::NAME, r#"{"configId":".."}"#.into(), "configId"),
            (GetConfig::NAME, r#"{"configId":"."}"#.into(), "configId"),
            (GetConfig::NAME, format!(r#"{{"configId":"{}"}}"#, long(256)), "configId"),
            (DeleteConfig::NAME, r#"{"configId":""}"#.into(), "configId"),
            (GetInstance::NAME, r#"{"instanceId":""}"#.into(), "instanceId"),
            (GetInstance::NAME, r#"{"instanceId":".."}"#.into(), "instanceId"),
            (DeleteInstance::NAME, r#"{}"#.into(), "instanceId"),
            (GetInstanceAuthState::NAME, r#"{}"#.into(), "instanceId"),
            (GetInstanceAuthState::NAME, r#"{"instanceId":"i","includeAuthLinks":"yes"}"#.into(), "includeAuthLinks"),
            // updateConfig.
            (UpdateConfig::NAME, r#"{"configId":"c"}"#.into(), "description"),
            (UpdateConfig::NAME, r#"{"configId":"c","description":null,"connectionToolMappings":null}"#.into(), "description"),
            (UpdateConfig::NAME, r#"{"description":"d"}"#.into(), "configId"),
            (UpdateConfig::NAME, r#"{"configId":"c","connectionToolMappings":[]}"#.into(), "connectionToolMappings"),
            (UpdateConfig::NAME, format!(r#"{{"configId":"c","connectionToolMappings":[{}]}}"#, mappings(26)), "connectionToolMappings"),
            (UpdateConfig::NAME, r#"{"configId":"c","connectionToolMappings":[{"connectionName":""}]}"#.into(), "connectionToolMappings[0].connectionName"),
            (UpdateConfig::NAME, r#"{"configId":"c","description":false}"#.into(), "description"),
            (UpdateConfig::NAME, r#"{"configId":"c","name":"n","description":"d"}"#.into(), "name"),
            // listConnectedAccounts.
            (ListConnectedAccounts::NAME, r#"{"configId":"c"}"#.into(), "identifier"),
            (ListConnectedAccounts::NAME, r#"{"configId":"c","identifier":""}"#.into(), "identifier"),
            (ListConnectedAccounts::NAME, format!(r#"{{"configId":"c","identifier":"{}"}}"#, long(256)), "identifier"),
            (ListConnectedAccounts::NAME, r#"{"identifier":"u"}"#.into(), "configId"),
            (ListConnectedAccounts::NAME, r#"{"configId":"c","identifier":"u","includeAuthLink":1}"#.into(), "includeAuthLink"),
            // Session tokens.
            (CreateSessionToken::NAME, r#"{"configId":"c"}"#.into(), "identifier"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":""}"#.into(), "identifier"),
            (CreateSessionToken::NAME, format!(r#"{{"configId":"c","identifier":"{}"}}"#, long(256)), "identifier"),
            (CreateSessionToken::NAME, r#"{"identifier":"u"}"#.into(), "configId"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expirySeconds":59}"#.into(), "expirySeconds"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expirySeconds":86401}"#.into(), "expirySeconds"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expirySeconds":0}"#.into(), "expirySeconds"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expirySeconds":-3600}"#.into(), "expirySeconds"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expirySeconds":3600.5}"#.into(), "expirySeconds"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","expirySeconds":"3600"}"#.into(), "expirySeconds"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","accessLevel":"read_only"}"#.into(), "accessLevel"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","accessLevel":"ADMIN"}"#.into(), "accessLevel"),
            (CreateSessionToken::NAME, r#"{"configId":"c","identifier":"u","accessLevel":1}"#.into(), "accessLevel"),
            (CreateConnectionSessionToken::NAME, r#"{"identifier":"u"}"#.into(), "connectionName"),
            (CreateConnectionSessionToken::NAME, r#"{"connectionName":"","identifier":"u"}"#.into(), "connectionName"),
            (CreateConnectionSessionToken::NAME, r#"{"connectionName":"..","identifier":"u"}"#.into(), "connectionName"),
            (CreateConnectionSessionToken::NAME, r#"{"connectionName":"c"}"#.into(), "identifier"),
            (CreateConnectionSessionToken::NAME, r#"{"connectionName":"c","identifier":"u","expirySeconds":30}"#.into(), "expirySeconds"),
            (CreateConnectionSessionToken::NAME, r#"{"connectionName":"c","identifier":"u","accessLevel":"Full"}"#.into(), "accessLevel"),
            // ensureInstance / updateInstance.
            (EnsureInstance::NAME, r#"{"userIdentifier":"u"}"#.into(), "configName"),
            (EnsureInstance::NAME, r#"{"configName":"","userIdentifier":"u"}"#.into(), "configName"),
            (EnsureInstance::NAME, r#"{"configName":"Bad Name","userIdentifier":"u"}"#.into(), "configName"),
            (EnsureInstance::NAME, format!(r#"{{"configName":"{}","userIdentifier":"u"}}"#, long(101)), "configName"),
            (EnsureInstance::NAME, r#"{"configName":"c"}"#.into(), "userIdentifier"),
            (EnsureInstance::NAME, r#"{"configName":"c","userIdentifier":""}"#.into(), "userIdentifier"),
            (EnsureInstance::NAME, format!(r#"{{"configName":"c","userIdentifier":"{}"}}"#, long(256)), "userIdentifier"),
            (EnsureInstance::NAME, r#"{"configName":"c","userIdentifier":"u","name":1}"#.into(), "name"),
            (EnsureInstance::NAME, r#"{"configName":"c","userIdentifier":"u","user_identifier":"u"}"#.into(), "user_identifier"),
            (UpdateInstance::NAME, r#"{"instanceId":"i"}"#.into(), "name"),
            (UpdateInstance::NAME, r#"{"instanceId":"i","name":null,"configName":null}"#.into(), "name"),
            (UpdateInstance::NAME, r#"{"name":"n"}"#.into(), "instanceId"),
            (UpdateInstance::NAME, r#"{"instanceId":"i","configName":"A"}"#.into(), "configName"),
            (UpdateInstance::NAME, r#"{"instanceId":"i","configName":""}"#.into(), "configName"),
            (UpdateInstance::NAME, r#"{"instanceId":"i","name":[]}"#.into(), "name"),
            // listTools.
            (ListTools::NAME, r#"{"pageSize":1001}"#.into(), "pageSize"),
            (ListTools::NAME, r#"{"filter":{"query":"ab"}}"#.into(), "filter.query"),
            (ListTools::NAME, format!(r#"{{"filter":{{"query":"{}"}}}}"#, long(101)), "filter.query"),
            (ListTools::NAME, format!(r#"{{"filter":{{"provider":"{}"}}}}"#, long(51)), "filter.provider"),
            (ListTools::NAME, format!(r#"{{"filter":{{"identifier":"{}"}}}}"#, long(101)), "filter.identifier"),
            (ListTools::NAME, format!(r#"{{"filter":{{"organizationId":"{}"}}}}"#, long(33)), "filter.organizationId"),
            (ListTools::NAME, r#"{"filter":{"connector":"a/b"}}"#.into(), "filter.connector"),
            (ListTools::NAME, r#"{"filter":{"toolName":[""]}}"#.into(), "filter.toolName[0]"),
            (ListTools::NAME, r#"{"filter":{"toolName":"x"}}"#.into(), "filter.toolName"),
            (ListTools::NAME, r#"{"filter":{"summary":1}}"#.into(), "filter.summary"),
            (ListTools::NAME, r#"{"filter":{"tool_name":["x"]}}"#.into(), "filter.tool_name"),
        ];
        for (op, input, field) in &cases {
            let e = err(op, input);
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
        req(CreateConfig::NAME, json!({ "name": long(100) }));
        req(ListConfigs::NAME, json!({ "pageSize": 30, "filter": { "name": long(100) } }));
        req(ListConfigs::NAME, json!({ "filter": { "name": "AZaz09_-" } }));
        req(CreateSessionToken::NAME, json!({ "configId": long(255), "identifier": long(255), "expirySeconds": 60 }));
        req(CreateSessionToken::NAME, json!({ "configId": "c", "identifier": "é".repeat(255), "expirySeconds": 86400 }));
        req(EnsureInstance::NAME, json!({ "configName": long(100), "userIdentifier": long(255) }));
        let m: Vec<Value> = (0..25).map(|i| json!({ "connectionName": format!("c{i}") })).collect();
        req(UpdateConfig::NAME, json!({ "configId": "c", "connectionToolMappings": m }));
        req(CreateConfig::NAME, json!({ "name": "a", "connectionToolMappings": [] }));
    }

    fn ok(op: &str, body: &str) -> Value {
        let out = parse_response(op, 200, body).unwrap_or_else(|e| panic!("{op:?} {body}: {e:?}"));
        serde_json::to_value(out).unwrap()
    }

    fn bad(op: &str, status: u16, body: &str) -> SdkError {
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
        for op in [CreateConfig::NAME, GetConfig::NAME, UpdateConfig::NAME] {
            assert_eq!(ok(op, CONFIG_SNAKE), config_out());
        }
        let camel = r#"{"config":{"id":"cfg_85630864460904897","name":"email-calendar-agent","description":"Summarizes mail",
            "connectionToolMappings":[{"connectionId":"conn_1","connectionName":"gmail","provider":"GMAIL","tools":["gmail_fetch_mails"]},
              {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","tools":null,"connectedAccountId":"ca_1","connectedAccountStatus":"ACTIVE"}],
            "mcpServerUrl":"https://env.scalekit.com/mcp/v3/servers/550e8400"}}"#;
        assert_eq!(ok(GetConfig::NAME, camel), config_out());
        // Missing members take defaults; optional mapping members stay absent.
        assert_eq!(
            ok(GetConfig::NAME, r#"{"config":{"connection_tool_mappings":[{}]}}"#),
            json!({"id":"","name":"","description":"","connectionToolMappings":[{"connectionId":"","connectionName":"","provider":"","tools":[]}],"mcpServerUrl":""})
        );
        assert_eq!(ok(GetConfig::NAME, r#"{"config":{}}"#)["connectionToolMappings"], json!([]));
        // Present-but-empty optional members are kept.
        let v = ok(GetConfig::NAME, r#"{"config":{"connection_tool_mappings":[{"connected_account_id":"","connected_account_status":null}]}}"#);
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
            bad(GetConfig::NAME, 200, body);
        }
        let e = bad(CreateConfig::NAME, 201, r#"{"config":{"connection_tool_mappings":[{"tools":[1]}]}}"#);
        assert!(e.message.contains("line 1, column 50 (expected a string)"), "{}", e.message);
        // The body itself is never quoted.
        let e = bad(GetConfig::NAME, 200, r#"{"config":{"id":5,"mcp_server_url":"https://secret"}}"#);
        assert!(!e.message.contains("secret"), "{}", e.message);
    }

    #[test]
    fn instance_responses() {
        let body = r#"{"instance":{"id":"inst_1","name":"reminder-mcp-john","user_identifier":"john-doe","config":{"id":"cfg_1","name":"reminder-manager"},
            "last_used_at":"0001-01-01T00:00:00Z","updated_at":"2025-10-07T12:21:00Z","url":"https://x/mcp/v2/abc"}}"#;
        for op in [EnsureInstance::NAME, GetInstance::NAME, UpdateInstance::NAME] {
            assert_eq!(
                ok(op, body),
                json!({"id":"inst_1","name":"reminder-mcp-john","userIdentifier":"john-doe",
                    "config":{"id":"cfg_1","name":"reminder-manager","description":"","connectionToolMappings":[],"mcpServerUrl":""},
                    "url":"https://x/mcp/v2/abc","lastUsedAt":null,"updatedAt":"2025-10-07T12:21:00Z"})
            );
        }
        let camel = r#"{"instance":{"id":"i","userIdentifier":"u","lastUsedAt":"2024-06-19T11:11:58.823707848Z","updatedAt":{"seconds":"1718795518","nanos":823000000}}}"#;
        assert_eq!(
            ok(GetInstance::NAME, camel),
            json!({"id":"i","name":"","userIdentifier":"u","config":null,"url":"",
                "lastUsedAt":"2024-06-19T11:11:58.823707848Z","updatedAt":"2024-06-19T11:11:58.823Z"})
        );
        let zeros = r#"{"instance":{"last_used_at":"","updated_at":{},"config":null}}"#;
        let v = ok(GetInstance::NAME, zeros);
        assert_eq!((v["lastUsedAt"].clone(), v["updatedAt"].clone(), v["config"].clone()), (Value::Null, Value::Null, Value::Null));
        let v = ok(GetInstance::NAME, r#"{"instance":{"updated_at":{"seconds":-62135596800}}}"#);
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
            bad(EnsureInstance::NAME, 200, body);
        }
    }

    #[test]
    fn list_responses() {
        let body = format!(r#"{{"configs":[{}],"next_page_token":"2","prev_page_token":"","total_size":31}}"#, &CONFIG_SNAKE[10..CONFIG_SNAKE.len() - 1]);
        assert_eq!(ok(ListConfigs::NAME, &body), json!({"configs":[config_out()],"nextPageToken":"2","prevPageToken":"","totalSize":31}));
        assert_eq!(
            ok(ListConfigs::NAME, r#"{"nextPageToken":"n","totalSize":"4"}"#),
            json!({"configs":[],"nextPageToken":"n","prevPageToken":"","totalSize":4})
        );
        assert_eq!(ok(ListConfigs::NAME, "{}"), json!({"configs":[],"nextPageToken":"","prevPageToken":"","totalSize":0}));
        assert_eq!(
            ok(ListInstances::NAME, r#"{"instances":[{"id":"i"}],"total_size":1}"#),
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
            bad(ListConfigs::NAME, 200, body);
        }
        bad(ListInstances::NAME, 200, r#"{"instances":[{"config":1}]}"#);
    }

    #[test]
    fn auth_state_responses() {
        let body = r#"{"connections":[
            {"connection_id":"conn_1","connection_name":"gmail","provider":"GMAIL","connected_account_id":"ca_1","connected_account_status":"ACTIVE","authentication_link":""},
            {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","connectedAccountStatus":"PENDING_AUTH","authenticationLink":"https://auth"}]}"#;
        assert_eq!(
            ok(GetInstanceAuthState::NAME, body),
            json!({"connections":[
                {"connectionId":"conn_1","connectionName":"gmail","provider":"GMAIL","connectedAccountId":"ca_1","connectedAccountStatus":"ACTIVE","authenticationLink":""},
                {"connectionId":"conn_2","connectionName":"cal","provider":"GOOGLE","connectedAccountId":"","connectedAccountStatus":"PENDING_AUTH","authenticationLink":"https://auth"}],
                "allActive":false})
        );
        let active = r#"{"connected_accounts":[{"connected_account_status":"ACTIVE"},{"connected_account_status":"active"}]}"#;
        let v = ok(ListConnectedAccounts::NAME, active);
        assert_eq!(v["allActive"], json!(true));
        assert_eq!(v["connectedAccounts"].as_array().unwrap().len(), 2);
        assert_eq!(ok(ListConnectedAccounts::NAME, "{}"), json!({"connectedAccounts":[],"allActive":true}));
        assert_eq!(ok(GetInstanceAuthState::NAME, "{}"), json!({"connections":[],"allActive":true}));
        let missing = r#"{"connected_accounts":[{"connected_account_status":"ACTIVE"},{}]}"#;
        assert_eq!(ok(ListConnectedAccounts::NAME, missing)["allActive"], json!(false));
        bad(ListConnectedAccounts::NAME, 200, r#"{"connected_accounts":{}}"#);
        bad(GetInstanceAuthState::NAME, 200, r#"{"connections":[{"authentication_link":5}]}"#);
    }

    #[test]
    fn token_responses() {
        let body = r#"{"token":"eyJhbGciOiJSUzI1NiJ9.e30.sig","expires_at":"2026-08-21T11:00:00Z"}"#;
        for op in [CreateSessionToken::NAME, CreateConnectionSessionToken::NAME] {
            assert_eq!(ok(op, body), json!({"token":"eyJhbGciOiJSUzI1NiJ9.e30.sig","expiresAt":"2026-08-21T11:00:00Z"}));
        }
        assert_eq!(ok(CreateSessionToken::NAME, r#"{"token":"t","expiresAt":{"seconds":1787310000}}"#)["expiresAt"], json!("2026-08-21T11:00:00Z"));
        assert_eq!(ok(CreateSessionToken::NAME, r#"{"token":"t"}"#)["expiresAt"], json!(""));
        for body in [r#"{}"#, r#"{"token":""}"#, r#"{"token":null}"#, r#"{"token":5}"#, r#"{"token":"t","expires_at":5}"#] {
            bad(CreateSessionToken::NAME, 200, body);
        }
    }

    #[test]
    fn delete_responses() {
        for op in [DeleteConfig::NAME, DeleteInstance::NAME] {
            for body in ["", " ", "{}", r#"{"x":1}"#] {
                assert_eq!(parse_response(op, 200, body).unwrap(), Answer::Nothing);
            }
            assert_eq!(parse_response(op, 204, "").unwrap(), Answer::Nothing);
            assert_eq!(serde_json::to_value(Answer::Nothing).unwrap(), Value::Null);
            for body in ["[]", "5", "{", "<html>"] {
                bad(op, 200, body);
            }
        }
    }

    #[test]
    fn huge_numbers_do_not_break_parsing() {
        let v = ok(ListConfigs::NAME, r#"{"configs":[],"extra":1e400,"total_size":3}"#);
        assert_eq!(v["totalSize"], json!(3));
    }

    fn wait_target(input: &str) -> Result<WaitTarget, SdkError> {
        WaitTarget::read(serde_json::from_str(input).unwrap())
    }

    #[test]
    fn wait_targets() {
        assert_eq!(wait_target(r#"{"instanceId":"inst_1"}"#).unwrap(), WaitTarget::Instance { instance_id: "inst_1".into() });
        assert_eq!(
            wait_target(r#"{"configId":"cfg_1","identifier":"u","instanceId":null}"#).unwrap(),
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
            let e = wait_target(input).unwrap_err();
            assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::Validation, Some(field)), "{input}");
        }
    }

    #[test]
    fn poll_requests_and_responses() {
        let inst = WaitTarget::Instance { instance_id: "inst/1".into() };
        let r = inst.poll(true).1;
        assert_eq!((r.method, r.path_and_query.as_str(), r.body), ("POST", "/api/v1/mcp/instances/inst%2F1:get_auth_state?include_auth_links=true", None));
        assert_eq!(inst.poll(false).1.path_and_query, "/api/v1/mcp/instances/inst%2F1:get_auth_state");
        let cfg = WaitTarget::Config { config_id: "cfg_1".into(), identifier: "u".into() };
        let r = cfg.poll(true).1;
        assert_eq!((r.method, r.path_and_query.as_str()), ("POST", "/api/v1/mcp/configs/cfg_1/connected_accounts"));
        assert_eq!(r.body.as_deref(), Some(r#"{"identifier":"u","include_auth_link":true}"#));
        assert_eq!(r.content_type, Some("application/json"));
        assert_eq!(cfg.poll(false).1.body.as_deref(), Some(r#"{"identifier":"u"}"#));
        assert_eq!(r, build_request(ListConnectedAccounts::NAME, r#"{"configId":"cfg_1","identifier":"u","includeAuthLink":true}"#).unwrap());

        let out = (inst.poll(false).0.answer)(br#"{"connections":[{"connected_account_status":"ACTIVE"}]}"#).unwrap();
        assert!(out.connections().unwrap().iter().all(ConnectionAuthState::is_active));
        assert!(matches!(out, Answer::AuthState(InstanceAuthState { all_active: true, .. })));
        let out = (cfg.poll(false).0.answer)(br#"{"connected_accounts":[{"connected_account_status":"PENDING_AUTH"}]}"#).unwrap();
        assert!(matches!(out, Answer::Accounts(ConnectedAccounts { all_active: false, .. })));
        assert!(serde_json::to_string(&out).unwrap().starts_with(r#"{"connectedAccounts":"#));
        assert!((inst.poll(false).0.answer)(b"garbage").is_err());
    }

    #[test]
    fn list_tools_request_and_answer() {
        let r = req(
            ListTools::NAME,
            json!({"filter":{"provider":"GMAIL","toolName":["a b","c"],"summary":true,"connector":"MY_GMAIL"},"pageSize":0,"pageToken":"t"}),
        );
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            ("GET", "/api/v1/tools?filter.summary=true&filter.provider=GMAIL&filter.connector=MY_GMAIL&filter.tool_name=a+b&filter.tool_name=c&page_token=t")
        );
        let body = r#"{"tools":[{"id":"tol_1","provider":"GMAIL","definition":{"name":"gmail_search","description":"Search",
            "input_schema":{"type":"object","properties":{"q":{"type":"string"}}},"annotations":{"read_only_hint":true,"title":"Search mail"}},
            "metadata":{"x":1},"tags":["email"],"is_default":true,"updated_at":"2026-01-01T00:00:00Z","extra":[1]}],
            "tool_names":["gmail_search"],"next_page_token":"n","prev_page_token":"","total_size":"7"}"#;
        assert_eq!(
            ok(ListTools::NAME, body),
            json!({"tools":[{"name":"gmail_search","description":"Search","provider":"GMAIL",
                "inputSchema":{"type":"object","properties":{"q":{"type":"string"}}},
                "annotations":{"readOnlyHint":true,"title":"Search mail"},"tags":["email"],"isDefault":true,
                "updatedAt":"2026-01-01T00:00:00Z","id":"tol_1"}],
                "toolNames":["gmail_search"],"nextPageToken":"n","prevPageToken":"","totalSize":7})
        );
        let v = ok(ListTools::NAME, r#"{"tools":[{"definition":null}],"toolNames":null}"#);
        assert_eq!(v["tools"][0]["inputSchema"], Value::Null);
        assert_eq!(v["tools"][0]["annotations"], json!({}));
        bad(ListTools::NAME, 200, r#"{"tools":[{"definition":{"annotations":{"read_only_hint":"yes"}}}]}"#);
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
