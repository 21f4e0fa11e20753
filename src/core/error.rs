//! `SdkError`: the one error type of the package, and its reading of the server's error bodies.
//!
//! A failure crosses into JavaScript as the plain object that serde makes of [`SdkError`];
//! `js/errors.js` picks the error class from `kind`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::redact::Redactor;

/// Which error class JavaScript throws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum ErrorKind {
    /// Invalid input, caught before any request was sent.
    Validation,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401, or a rejected client credential.
    Authentication,
    /// HTTP 403.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 429.
    RateLimit,
    /// HTTP 5xx.
    InternalServer,
    /// Any other non-2xx status.
    Api,
    /// A 2xx answer whose body is not what the contract says.
    InvalidResponse,
    /// The request could not be sent or its answer not received.
    Connection,
    /// The call ran out of time.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Abort,
    /// `waitForAuth` gave up before every connection was active.
    AuthTimeout,
    /// A client holding the secret was created in a browser without opting in.
    BrowserEnvironment,
}

impl ErrorKind {
    /// The variant name, as JavaScript sees it in `kind`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Validation => "Validation",
            ErrorKind::BadRequest => "BadRequest",
            ErrorKind::Authentication => "Authentication",
            ErrorKind::PermissionDenied => "PermissionDenied",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Conflict => "Conflict",
            ErrorKind::RateLimit => "RateLimit",
            ErrorKind::InternalServer => "InternalServer",
            ErrorKind::Api => "Api",
            ErrorKind::InvalidResponse => "InvalidResponse",
            ErrorKind::Connection => "Connection",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Abort => "Abort",
            ErrorKind::AuthTimeout => "AuthTimeout",
            ErrorKind::BrowserEnvironment => "BrowserEnvironment",
        }
    }

    /// The package's own `code` for errors raised on the client side; `None` for server statuses.
    pub fn client_code(self) -> Option<&'static str> {
        match self {
            ErrorKind::Validation => Some(code::INVALID_ARGUMENT),
            ErrorKind::Connection => Some(code::CONNECTION_ERROR),
            ErrorKind::Timeout => Some(code::TIMEOUT),
            ErrorKind::Abort => Some(code::ABORTED),
            ErrorKind::InvalidResponse => Some(code::INVALID_RESPONSE),
            ErrorKind::AuthTimeout => Some(code::AUTH_TIMEOUT),
            ErrorKind::BrowserEnvironment => Some(code::BROWSER_ENVIRONMENT),
            _ => None,
        }
    }
}

/// The `code`s the package sets itself (the others are the server's gRPC status names).
pub mod code {
    pub const INVALID_ARGUMENT: &str = "INVALID_ARGUMENT";
    pub const CONNECTION_ERROR: &str = "CONNECTION_ERROR";
    pub const TIMEOUT: &str = "TIMEOUT";
    pub const ABORTED: &str = "ABORTED";
    pub const INVALID_RESPONSE: &str = "INVALID_RESPONSE";
    pub const AUTH_TIMEOUT: &str = "AUTH_TIMEOUT";
    pub const BROWSER_ENVIRONMENT: &str = "BROWSER_ENVIRONMENT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const REDIRECTED: &str = "REDIRECTED";
    pub const INTERNAL: &str = "INTERNAL";
}

/// One violated rule of a request, as the server reported it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FieldViolation {
    /// Path of the field in the request, as the server wrote it (proto names).
    pub field: String,
    pub description: String,
    /// The rule's id, such as `string.pattern`, when the server gave one.
    pub constraint: String,
}

/// A link the server offers to explain the error.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct HelpLink {
    pub description: String,
    pub url: String,
}

/// The resource the error is about.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ResourceInfo {
    pub resource_name: String,
    pub owner: String,
    pub description: String,
    pub required_permissions: Vec<String>,
}

/// The server's identification of the failed request.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RequestInfo {
    pub request_id: String,
    pub serving_data: String,
}

/// One entry of `details` of a `google.rpc.Status` error body (Scalekit's `ErrorInfo`, or the
/// standard `google.rpc` detail messages).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ErrorDetail {
    /// The detail's `@type`, e.g. `type.googleapis.com/scalekit.v1.errdetails.ErrorInfo`.
    pub type_url: String,
    /// Scalekit's `error_code` (or `reason` of a `google.rpc.ErrorInfo`).
    pub error_code: Option<String>,
    pub field_violations: Vec<FieldViolation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub help_links: Option<Vec<HelpLink>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub resource_info: Option<ResourceInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub request_info: Option<RequestInfo>,
}

/// Every failure of the package, as JavaScript receives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "SdkErrorJson"))]
pub struct SdkError {
    pub kind: ErrorKind,
    pub message: String,
    /// HTTP status of the answer that caused the error; null when there was no answer.
    pub status: Option<u16>,
    /// gRPC status name (`NOT_FOUND`, ...) or the package's own code (`INVALID_ARGUMENT`, `TIMEOUT`, ...).
    pub code: String,
    /// `error_code` of the server's first `ErrorInfo` detail (or the OAuth `error`).
    pub error_code: Option<String>,
    /// The server's `x-trace-id`.
    pub trace_id: Option<String>,
    /// The input field at fault, as a JavaScript path (`connectionToolMappings[0].connectionName`).
    pub field: Option<String>,
    /// How long the server asked to wait before retrying, in milliseconds.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub retry_after_ms: Option<u64>,
    pub details: Vec<ErrorDetail>,
}

/// Longest text from the server kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 300;
/// Most details and field violations read from one error body.
const MAX_DETAILS: usize = 16;

impl SdkError {
    pub fn new(kind: ErrorKind, code: &str, message: impl Into<String>) -> Self {
        SdkError {
            kind,
            message: message.into(),
            status: None,
            code: code.to_owned(),
            error_code: None,
            trace_id: None,
            field: None,
            retry_after_ms: None,
            details: Vec::new(),
        }
    }

    /// An invalid input. The message is prefixed with the field's path unless it names it already.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let message = if field.is_empty() || message.contains(field) { message } else { format!("{field}: {message}") };
        let mut e = SdkError::new(ErrorKind::Validation, code::INVALID_ARGUMENT, message);
        e.field = Some(field.to_owned());
        e
    }

    /// A 2xx answer that does not follow the contract. The body is never quoted: it may hold
    /// tokens or MCP URLs.
    pub fn invalid_response(status: Option<u16>, message: impl std::fmt::Display) -> Self {
        let mut e = SdkError::new(ErrorKind::InvalidResponse, code::INVALID_RESPONSE, format!("invalid response from Scalekit: {message}"));
        e.status = status;
        e
    }

    /// The error for a non-2xx answer.
    ///
    /// Reads a `google.rpc.Status` body (`{code, message, details}`, snake_case or camelCase
    /// names), an OAuth error body (`{error, error_description}`) or a short plain-text body. An
    /// HTML page or an empty body gives a message from the status alone. Every text taken from
    /// the body passes through `redactor` before it is cut to length.
    pub fn from_http(redactor: &Redactor, status: u16, trace_id: Option<&str>, retry_after_ms: Option<u64>, body: &str) -> Self {
        let clean = |text: &str| server_text(redactor, text);
        let mut server_message = String::new();
        let mut grpc_code: Option<&'static str> = None;
        let mut error_code: Option<String> = None;
        let mut details = Vec::new();

        let trimmed = body.trim();
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(obj)) => {
                grpc_code = obj.get("code").and_then(grpc_code_of);
                let oauth = obj.contains_key("error_description")
                    || (obj.get("error").is_some_and(Value::is_string) && !obj.contains_key("message") && !obj.contains_key("code"));
                if oauth {
                    server_message = str_of(&obj, "error_description").or_else(|| str_of(&obj, "error")).unwrap_or_default();
                    error_code = str_of(&obj, "error").map(|c| clean(&c));
                } else {
                    server_message = str_of(&obj, "message").or_else(|| str_of(&obj, "error")).unwrap_or_default();
                    if let Some(Value::Array(items)) = obj.get("details") {
                        details = items.iter().take(MAX_DETAILS).filter_map(|d| parse_detail(d, &clean)).collect();
                    }
                    error_code = details.iter().find_map(|d| d.error_code.clone());
                }
            }
            Ok(Value::String(s)) => server_message = s,
            Ok(_) => {}
            // A plain-text body may explain the failure; an HTML page never does usefully.
            Err(_) if !trimmed.contains('<') => server_message = trimmed.lines().next().unwrap_or_default().to_owned(),
            Err(_) => {}
        }

        let server_message = clean(&server_message);
        let message = if server_message.is_empty() {
            match reason_phrase(status) {
                Some(reason) => format!("HTTP {status} {reason}"),
                None => format!("HTTP {status}"),
            }
        } else {
            format!("{server_message} (HTTP {status})")
        };

        let field = details
            .iter()
            .flat_map(|d| d.field_violations.iter())
            .map(|v| v.field.as_str())
            .find(|f| !f.is_empty())
            .map(js_field_path)
            .or_else(|| field_from_message(&server_message));

        SdkError {
            kind: kind_for_status(status),
            message,
            status: Some(status),
            code: grpc_code.unwrap_or_else(|| code_for_status(status)).to_owned(),
            error_code: error_code.filter(|c| !c.is_empty()),
            trace_id: trace_id.map(clean).filter(|t| !t.is_empty()),
            field,
            retry_after_ms,
            details,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl std::fmt::Display for SdkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

/// The error class for an HTTP status.
pub(crate) fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        400 => ErrorKind::BadRequest,
        401 => ErrorKind::Authentication,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimit,
        500..=599 => ErrorKind::InternalServer,
        _ => ErrorKind::Api,
    }
}

const GRPC_CODES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// The gRPC status name of a body's `code`: a number (3) or a name ("INVALID_ARGUMENT"). `OK` and
/// unknown values give `None`.
fn grpc_code_of(v: &Value) -> Option<&'static str> {
    let name = match v {
        Value::Number(n) => n.as_u64().and_then(|i| GRPC_CODES.get(usize::try_from(i).ok()?)).copied(),
        Value::String(s) => GRPC_CODES.iter().find(|c| c.eq_ignore_ascii_case(s.trim())).copied(),
        _ => None,
    };
    name.filter(|n| *n != "OK")
}

/// The gRPC status name for an HTTP status, inverting grpc-gateway's table.
pub(crate) fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        408 | 504 => "DEADLINE_EXCEEDED",
        409 => "ALREADY_EXISTS",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        502 | 503 => "UNAVAILABLE",
        500..=599 => "INTERNAL",
        _ => "UNKNOWN",
    }
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

fn str_of(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A member of a detail object under its snake_case or lowerCamelCase name.
fn member<'a>(obj: &'a Map<String, Value>, snake: &str) -> Option<&'a Value> {
    obj.get(snake).or_else(|| obj.get(&js_field_path(snake))).filter(|v| !v.is_null())
}

fn parse_detail(v: &Value, clean: &dyn Fn(&str) -> String) -> Option<ErrorDetail> {
    let d = v.as_object()?;
    let text = |obj: &Map<String, Value>, key: &str| member(obj, key).and_then(Value::as_str).map(clean).unwrap_or_default();
    let type_url = d.get("@type").and_then(Value::as_str).map(clean).unwrap_or_default();
    let type_name = type_url.rsplit(['/', '.']).next().unwrap_or_default().to_owned();
    let list = |v: Option<&Value>| -> Vec<Map<String, Value>> {
        match v {
            Some(Value::Array(items)) => items.iter().take(MAX_DETAILS).filter_map(Value::as_object).cloned().collect(),
            _ => Vec::new(),
        }
    };

    let error_code = member(d, "error_code")
        .or_else(|| if type_name == "ErrorInfo" { member(d, "reason") } else { None })
        .and_then(Value::as_str)
        .map(clean);

    // Scalekit nests the violations in `validation_error_info`; google.rpc.BadRequest has them
    // at the top.
    let violations = member(d, "validation_error_info")
        .and_then(Value::as_object)
        .and_then(|info| member(info, "field_violations"))
        .or_else(|| member(d, "field_violations"));
    let field_violations = list(violations)
        .iter()
        .map(|fv| FieldViolation { field: text(fv, "field"), description: text(fv, "description"), constraint: text(fv, "constraint") })
        .collect();

    let links =
        member(d, "help_info")
            .and_then(Value::as_object)
            .and_then(|h| member(h, "links"))
            .or_else(|| if type_name == "Help" { member(d, "links") } else { None });
    let help_links = links
        .is_some_and(Value::is_array)
        .then(|| list(links).iter().map(|l| HelpLink { description: text(l, "description"), url: text(l, "url") }).collect());

    let resource = member(d, "resource_info")
        .and_then(Value::as_object)
        .or(if type_name == "ResourceInfo" { Some(d) } else { None });
    let resource_info = resource.map(|r| ResourceInfo {
        resource_name: text(r, "resource_name"),
        owner: text(r, "owner"),
        description: text(r, "description"),
        required_permissions: match member(r, "required_permissions") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).take(MAX_DETAILS).map(clean).collect(),
            _ => Vec::new(),
        },
    });

    let request = member(d, "request_info")
        .and_then(Value::as_object)
        .or(if type_name == "RequestInfo" { Some(d) } else { None });
    let request_info = request.map(|r| RequestInfo { request_id: text(r, "request_id"), serving_data: text(r, "serving_data") });

    Some(ErrorDetail { type_url, error_code, field_violations, help_links, resource_info, request_info })
}

/// Text from the server or the runtime, fit for a message: its secrets redacted first, then
/// [`sanitize_message`]d (so no cut can leave part of a secret behind).
pub(crate) fn server_text(redactor: &Redactor, text: &str) -> String {
    sanitize_message(&redactor.clean(text))
}

/// Control characters become spaces, runs of spaces collapse, and the text is cut to
/// [`MAX_MESSAGE_CHARS`] characters.
pub(crate) fn sanitize_message(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    let mut last_space = true;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        if count == MAX_MESSAGE_CHARS {
            out.push('…');
            break;
        }
        last_space = c == ' ';
        out.push(c);
        count += 1;
    }
    out.truncate(out.trim_end().len());
    out
}

/// A server field path (proto names) as the JavaScript input path: `snake_case` segments become
/// `camelCase`, indexes stay, and the `config.` prefix of createConfig's body is dropped.
pub fn js_field_path(path: &str) -> String {
    let path = path.trim();
    let path = path.strip_prefix("config.").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    let mut depth = 0u32;
    let mut upper_next = false;
    for c in path.chars() {
        match c {
            '[' => depth = depth.saturating_add(1),
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && c == '_' && !out.is_empty() && !out.ends_with('.') {
            upper_next = true;
            continue;
        }
        if upper_next {
            upper_next = false;
            if c.is_ascii_lowercase() {
                out.push(c.to_ascii_uppercase());
                continue;
            }
            out.push('_');
        }
        out.push(c);
    }
    if upper_next {
        out.push('_');
    }
    out
}

/// The field of a protovalidate message such as
/// `validation error: - config.name: value does not match regex pattern ...`.
fn field_from_message(message: &str) -> Option<String> {
    if !message.to_ascii_lowercase().starts_with("validation error") {
        return None;
    }
    let after = message.split_once(" - ")?.1;
    let (path, _) = after.split_once(':')?;
    let path = path.trim();
    let plausible = !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"'));
    plausible.then(|| js_field_path(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_variant_names() {
        for (k, n) in [
            (ErrorKind::Validation, "Validation"),
            (ErrorKind::NotFound, "NotFound"),
            (ErrorKind::InvalidResponse, "InvalidResponse"),
            (ErrorKind::BrowserEnvironment, "BrowserEnvironment"),
        ] {
            assert_eq!(k.name(), n);
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(n));
        }
    }

    #[test]
    fn validation_error_names_the_field() {
        let e = SdkError::validation("name", "must not be empty");
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.code, "INVALID_ARGUMENT");
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "name: must not be empty");
        let e = SdkError::validation("name", "name is required");
        assert_eq!(e.message, "name is required");
        let e = SdkError::validation("", "input must be an object");
        assert_eq!(e.message, "input must be an object");
        assert_eq!(e.field.as_deref(), Some(""));
    }

    #[test]
    fn status_body_with_error_info_and_violations() {
        let body = r#"{"code":3,"message":"Validation error","details":[
            {"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"INVALID_NAME",
             "validation_error_info":{"field_violations":[
               {"field":"connection_tool_mappings[0].connection_name","description":"is required","constraint":"required"}]}}]}"#;
        let e = SdkError::from_http(&Redactor::default(), 400, Some("trace-1"), None, body);
        assert_eq!(e.kind, ErrorKind::BadRequest);
        assert_eq!(e.code, "INVALID_ARGUMENT");
        assert_eq!(e.status, Some(400));
        assert_eq!(e.error_code.as_deref(), Some("INVALID_NAME"));
        assert_eq!(e.trace_id.as_deref(), Some("trace-1"));
        assert_eq!(e.field.as_deref(), Some("connectionToolMappings[0].connectionName"));
        assert_eq!(e.message, "Validation error (HTTP 400)");
        assert_eq!(e.details.len(), 1);
        let d = &e.details[0];
        assert_eq!(d.type_url, "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo");
        assert_eq!(
            d.field_violations,
            vec![FieldViolation {
                field: "connection_tool_mappings[0].connection_name".into(),
                description: "is required".into(),
                constraint: "required".into()
            }]
        );
    }

    #[test]
    fn status_body_in_camel_case() {
        let body = r#"{"code":5,"message":"config not found","details":[
            {"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","errorCode":"CONFIG_NOT_FOUND",
             "validationErrorInfo":{"fieldViolations":[{"field":"config_id","description":"x"}]},
             "helpInfo":{"links":[{"description":"docs","url":"https://docs.example"}]},
             "resourceInfo":{"resourceName":"cfg_1","requiredPermissions":["virtual_mcp_servers:read"]},
             "requestInfo":{"requestId":"req-9"}}]}"#;
        let e = SdkError::from_http(&Redactor::default(), 404, None, None, body);
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.code, "NOT_FOUND");
        assert_eq!(e.error_code.as_deref(), Some("CONFIG_NOT_FOUND"));
        assert_eq!(e.field.as_deref(), Some("configId"));
        let d = &e.details[0];
        assert_eq!(d.help_links.as_ref().unwrap()[0].url, "https://docs.example");
        assert_eq!(d.resource_info.as_ref().unwrap().resource_name, "cfg_1");
        assert_eq!(d.resource_info.as_ref().unwrap().required_permissions, vec!["virtual_mcp_servers:read"]);
        assert_eq!(d.request_info.as_ref().unwrap().request_id, "req-9");
    }

    #[test]
    fn unauthenticated_example_from_the_docs() {
        let body = r#"{"code":16,"message":"Token empty","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"UNAUTHENTICATED"}]}"#;
        let e = SdkError::from_http(&Redactor::default(), 401, None, None, body);
        assert_eq!(e.kind, ErrorKind::Authentication);
        assert_eq!(e.code, "UNAUTHENTICATED");
        assert_eq!(e.error_code.as_deref(), Some("UNAUTHENTICATED"));
        assert_eq!(e.field, None);
        assert_eq!(e.message, "Token empty (HTTP 401)");
    }

    #[test]
    fn google_rpc_details() {
        let body = r#"{"code":"INVALID_ARGUMENT","message":"bad","details":[
            {"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"page_size","description":"too big"}]},
            {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"PAGE_SIZE","domain":"scalekit.com"},
            {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"d","url":"u"}]},
            {"@type":"type.googleapis.com/google.rpc.RequestInfo","requestId":"r1","servingData":"s"},
            {"@type":"type.googleapis.com/google.rpc.ResourceInfo","resourceName":"n","owner":"o"},
            5, "x", null]}"#;
        let e = SdkError::from_http(&Redactor::default(), 400, None, None, body);
        assert_eq!(e.code, "INVALID_ARGUMENT");
        assert_eq!(e.field.as_deref(), Some("pageSize"));
        assert_eq!(e.error_code.as_deref(), Some("PAGE_SIZE"));
        assert_eq!(e.details.len(), 5);
        assert_eq!(e.details[2].help_links.as_ref().unwrap()[0].url, "u");
        assert_eq!(e.details[3].request_info.as_ref().unwrap().serving_data, "s");
        assert_eq!(e.details[4].resource_info.as_ref().unwrap().owner, "o");
    }

    #[test]
    fn grpc_code_in_body_wins_over_http_status() {
        let e = SdkError::from_http(&Redactor::default(), 409, None, None, r#"{"code":6,"message":"config name already exists"}"#);
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.code, "ALREADY_EXISTS");
        let e = SdkError::from_http(&Redactor::default(), 400, None, None, r#"{"code":9,"message":"no connections"}"#);
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::BadRequest, "FAILED_PRECONDITION"));
        // Unknown or OK codes fall back to the HTTP status.
        let e = SdkError::from_http(&Redactor::default(), 404, None, None, r#"{"code":99,"message":"x"}"#);
        assert_eq!(e.code, "NOT_FOUND");
        let e = SdkError::from_http(&Redactor::default(), 404, None, None, r#"{"code":0,"message":"x"}"#);
        assert_eq!(e.code, "NOT_FOUND");
    }

    #[test]
    fn oauth_error_body() {
        let e = SdkError::from_http(&Redactor::default(), 401, None, None, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#);
        assert_eq!(e.kind, ErrorKind::Authentication);
        assert_eq!(e.code, "UNAUTHENTICATED");
        assert_eq!(e.error_code.as_deref(), Some("invalid_client"));
        assert_eq!(e.message, "client authentication failed (HTTP 401)");
        let e = SdkError::from_http(&Redactor::default(), 400, None, None, r#"{"error":"invalid_grant"}"#);
        assert_eq!(e.message, "invalid_grant (HTTP 400)");
        assert_eq!(e.error_code.as_deref(), Some("invalid_grant"));
        // An old grpc-gateway body has `error` too, but also `code`.
        let e = SdkError::from_http(&Redactor::default(), 404, None, None, r#"{"error":"config not found","code":5}"#);
        assert_eq!((e.message.as_str(), e.code.as_str(), e.error_code.as_deref()), ("config not found (HTTP 404)", "NOT_FOUND", None));
    }

    #[test]
    fn html_and_empty_bodies_give_status_messages() {
        let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>secret-ish</body></html>";
        let e = SdkError::from_http(&Redactor::default(), 502, None, None, html);
        assert_eq!(e.kind, ErrorKind::InternalServer);
        assert_eq!(e.code, "UNAVAILABLE");
        assert_eq!(e.message, "HTTP 502 Bad Gateway");
        let e = SdkError::from_http(&Redactor::default(), 503, None, None, "");
        assert_eq!((e.message.as_str(), e.code.as_str()), ("HTTP 503 Service Unavailable", "UNAVAILABLE"));
        let e = SdkError::from_http(&Redactor::default(), 418, None, None, "  ");
        assert_eq!((e.kind, e.message.as_str(), e.code.as_str()), (ErrorKind::Api, "HTTP 418", "UNKNOWN"));
        let e = SdkError::from_http(&Redactor::default(), 429, None, Some(3000), "[1,2]");
        assert_eq!((e.kind, e.code.as_str(), e.retry_after_ms), (ErrorKind::RateLimit, "RESOURCE_EXHAUSTED", Some(3000)));
        assert_eq!(e.message, "HTTP 429 Too Many Requests");
    }

    #[test]
    fn plain_text_body_is_kept_short_and_clean() {
        let e = SdkError::from_http(&Redactor::default(), 503, None, None, "upstream connect error\nor disconnect");
        assert_eq!(e.message, "upstream connect error (HTTP 503)");
        let long = format!("{{\"message\":\"{}\\u0007end\"}}", "a".repeat(1000));
        let e = SdkError::from_http(&Redactor::default(), 500, None, None, &long);
        assert!(e.message.chars().count() < 320, "{}", e.message);
        assert!(!e.message.contains('\u{7}'));
        assert!(e.message.ends_with("… (HTTP 500)"));
    }

    #[test]
    fn kinds_by_status() {
        for (s, k) in [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Authentication),
            (403, ErrorKind::PermissionDenied),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (429, ErrorKind::RateLimit),
            (500, ErrorKind::InternalServer),
            (599, ErrorKind::InternalServer),
            (405, ErrorKind::Api),
            (302, ErrorKind::Api),
        ] {
            assert_eq!(SdkError::from_http(&Redactor::default(), s, None, None, "").kind, k, "{s}");
        }
    }

    #[test]
    fn protovalidate_message_gives_the_field() {
        let body = r#"{"code":3,"message":"validation error:\n - config.name: value does not match regex pattern `^[a-z0-9_-]+$` [string.pattern]"}"#;
        let e = SdkError::from_http(&Redactor::default(), 400, None, None, body);
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(e.message.starts_with("validation error: - config.name: value"), "{}", e.message);
    }

    #[test]
    fn field_paths_become_camel_case() {
        assert_eq!(js_field_path("connection_tool_mappings[0].connection_name"), "connectionToolMappings[0].connectionName");
        assert_eq!(js_field_path("config.connection_tool_mappings[12].tools[3]"), "connectionToolMappings[12].tools[3]");
        assert_eq!(js_field_path("filter.mcp_server_url"), "filter.mcpServerUrl");
        assert_eq!(js_field_path("page_size"), "pageSize");
        assert_eq!(js_field_path("_x"), "_x");
        assert_eq!(js_field_path("a__b"), "aB");
        assert_eq!(js_field_path("a_"), "a_");
        assert_eq!(js_field_path("a_1"), "a_1");
        assert_eq!(js_field_path("m[\"a_b\"]"), "m[\"a_b\"]");
    }

    #[test]
    fn to_json_shape() {
        let mut e = SdkError::from_http(&Redactor::default(), 404, Some("t"), None, r#"{"code":5,"message":"nope"}"#);
        e.details.push(ErrorDetail { type_url: "x".into(), ..Default::default() });
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind":"NotFound","message":"nope (HTTP 404)","status":404,"code":"NOT_FOUND",
                "errorCode":null,"traceId":"t","field":null,"retryAfterMs":null,
                "details":[{"typeUrl":"x","errorCode":null,"fieldViolations":[]}]})
        );
        let e = SdkError::new(ErrorKind::Timeout, "TIMEOUT", "timed out");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"Timeout","message":"timed out","status":null,"code":"TIMEOUT","errorCode":null,"traceId":null,"field":null,"retryAfterMs":null,"details":[]}"#
        );
    }

    #[test]
    fn client_codes() {
        assert_eq!(ErrorKind::Connection.client_code(), Some("CONNECTION_ERROR"));
        assert_eq!(ErrorKind::Abort.client_code(), Some("ABORTED"));
        assert_eq!(ErrorKind::AuthTimeout.client_code(), Some("AUTH_TIMEOUT"));
        assert_eq!(ErrorKind::NotFound.client_code(), None);
    }
}
