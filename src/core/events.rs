//! What the client tells an observer (the JavaScript logger and hooks) about its work.
//!
//! Events carry only what is safe to show: the operation, the method, the URL with ids kept and
//! query values that may identify a user replaced by `…`, statuses, durations, trace ids, retry
//! decisions, and errors (whose messages are already redacted). Never a header, a body, a token
//! or a secret: there is no field to put one in.

use serde::Serialize;

use super::error::{ErrorKind, SdkError};
use super::model::EnsureAction;
use super::ops::Answer;
use super::policy::GiveUp;

/// An error as an event shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
}

impl From<&SdkError> for EventError {
    fn from(e: &SdkError) -> EventError {
        EventError { kind: e.kind, code: e.code.clone(), message: e.message.clone() }
    }
}

/// What the client did next after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Next {
    /// The call is done (with its result or its error).
    Done,
    Retry,
    /// A fresh access token, then the same request again (after a 401).
    Reauthenticate,
}

/// One thing the client did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Event {
    /// An attempt is about to be sent. `call` numbers the client's calls (the token requests
    /// too), so that an attempt's request and response events can be matched.
    Request { operation: &'static str, method: &'static str, url: String, call: u64, attempt: u32 },
    /// An attempt ended: with a status, or with `error` when there was no answer to use.
    Response {
        operation: &'static str,
        method: &'static str,
        url: String,
        call: u64,
        attempt: u32,
        status: Option<u16>,
        duration_ms: f64,
        trace_id: Option<String>,
        error: Option<EventError>,
        next: Next,
        /// How long the client waits before the retry.
        wait_ms: Option<f64>,
        /// The server's `Retry-After`, in milliseconds, when it sent one.
        retry_after_ms: Option<u64>,
        /// Why a failure that might have been retried ends the call.
        gave_up: Option<GiveUp>,
    },
    /// A call ended in an error, which the caller gets too.
    Failed { operation: &'static str, error: EventError },
    /// A poll of `waitForAuth` found connections still pending.
    Poll { polls: u32, pending: Vec<String>, next_poll_ms: f64 },
    /// What `ensureConfig` did.
    Ensured { name: String, action: EnsureAction, changes: usize, dry_run: bool },
    /// An answer the client took, though it is not what the contract describes.
    Odd { operation: &'static str, note: String },
}

/// Query parameters whose values say nothing about a user.
const PLAIN_QUERY: &[&str] = &["page_size", "include_auth_links", "filter.summary"];

/// `base` and `path_and_query` as an event shows them: the path as it is (ids are not secrets),
/// query values replaced by `…` but for page sizes and flags.
pub fn event_url(base: &str, path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else { return format!("{base}{path_and_query}") };
    let shown: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if PLAIN_QUERY.contains(&k) => format!("{k}={v}"),
            Some((k, _)) => format!("{k}=…"),
            None => pair.to_owned(),
        })
        .collect();
    format!("{base}{path}?{}", shown.join("&"))
}

/// The statuses of a connected account that the contract names.
const ACCOUNT_STATUSES: &[&str] = &["ACTIVE", "PENDING_AUTH", "EXPIRED", "PENDING_VERIFICATION", "DISCONNECTED", ""];

/// What is odd about an answer that was taken anyway: members the contract requires that are
/// empty, statuses it does not name.
pub fn oddities(answer: &Answer) -> Vec<String> {
    let mut notes = Vec::new();
    let config = |c: &super::model::McpConfig, notes: &mut Vec<String>| {
        if c.id.is_empty() {
            notes.push("a config without an id".to_owned());
        }
    };
    match answer {
        Answer::Config(c) => config(c, &mut notes),
        Answer::Configs(page) => page.configs.iter().for_each(|c| config(c, &mut notes)),
        Answer::Instance(i) => {
            if i.id.is_empty() {
                notes.push("an instance without an id".to_owned());
            }
            if i.url.is_empty() {
                notes.push("an instance without a url".to_owned());
            }
        }
        Answer::Token(t) if t.expires_at.is_empty() => notes.push("a session token without expires_at".to_owned()),
        _ => {}
    }
    for c in answer.connections().unwrap_or_default() {
        if !ACCOUNT_STATUSES.iter().any(|s| s.eq_ignore_ascii_case(&c.connected_account_status)) {
            notes.push(format!("connection {:?} has the unknown status {:?}", c.connection_name, c.connected_account_status));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{ConnectionAuthState, InstanceAuthState};

    #[test]
    fn urls_keep_ids_and_hide_query_values() {
        assert_eq!(event_url("https://e.x", "/api/v1/mcp/configs/cfg_1"), "https://e.x/api/v1/mcp/configs/cfg_1");
        assert_eq!(
            event_url("https://e.x", "/api/v1/mcp/instances?filter.user_identifier=alice%40x.com&page_size=10"),
            "https://e.x/api/v1/mcp/instances?filter.user_identifier=…&page_size=10"
        );
        assert_eq!(
            event_url("https://e.x", "/api/v1/mcp/instances/i:get_auth_state?include_auth_links=true"),
            "https://e.x/api/v1/mcp/instances/i:get_auth_state?include_auth_links=true"
        );
    }

    #[test]
    fn events_serialize_as_javascript_reads_them() {
        let e = Event::Poll { polls: 2, pending: vec!["gmail".into()], next_poll_ms: 3000.0 };
        assert_eq!(serde_json::to_value(e).unwrap(), serde_json::json!({"type":"poll","polls":2,"pending":["gmail"],"nextPollMs":3000.0}));
    }

    #[test]
    fn odd_answers_are_named() {
        let state = InstanceAuthState {
            connections: vec![ConnectionAuthState { connection_name: "gmail".into(), connected_account_status: "WEIRD".into(), ..Default::default() }],
            all_active: false,
        };
        assert_eq!(oddities(&Answer::AuthState(state)), [r#"connection "gmail" has the unknown status "WEIRD""#]);
        assert!(oddities(&Answer::Nothing).is_empty());
    }
}
