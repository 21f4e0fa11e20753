//! One HTTP attempt through the global `fetch`: build the `Request`, race it (and the body read)
//! against the call's [`Stop`], and classify what happened.

use super::js::{get, global_fetch, now_ms};
use super::stop::{Raced, Stop, Stopped};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::ops::HttpRequest;
use crate::core::policy::{parse_retry_after, Outcome};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

/// Bodies larger than this are refused (InvalidResponse).
pub(crate) const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A response that arrived in full.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) trace_id: Option<String>,
    pub(crate) retry_after_ms: Option<u64>,
}

/// Why an attempt produced no response.
pub(crate) enum Failure {
    /// The attempt may be retried if the policy allows it for this outcome.
    Retryable(SdkError, Outcome),
    /// Stop now: aborted, timed out, or a broken response.
    Final(SdkError),
    /// The call's stop fired (the fetch was aborted).
    Stopped(Stopped),
}

fn internal(msg: &str) -> SdkError {
    SdkError::new(ErrorKind::Connection, "CONNECTION_ERROR", msg)
}

fn build(base: &str, req: &HttpRequest, token: Option<&str>, ctl: &AbortController) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    headers.set("accept", "application/json")?;
    if let Some(token) = token {
        headers.set("authorization", &(String::from("Bearer ") + token))?;
    }
    let init = RequestInit::new();
    init.set_method(req.method);
    if let Some(body) = &req.body {
        headers.set("content-type", req.content_type.unwrap_or("application/json"))?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    init.set_signal(Some(&ctl.signal()));
    Request::new_with_str_and_init(&(String::from(base) + &req.path_and_query), &init)
}

/// `err.cause.code` of a fetch rejection (Node/undici put the system error there; Bun puts its
/// code on the error itself).
fn cause_code(err: &JsValue) -> Option<String> {
    get(&get(err, "cause"), "code").as_string().or_else(|| get(err, "code").as_string())
}

/// A fetch rejection: the request did not go out (DNS, refused) or may have (reset, TLS, ...).
fn connection_error(base: &str, err: &JsValue) -> (SdkError, Outcome) {
    let code = cause_code(err);
    let not_sent = matches!(code.as_deref(), Some("ECONNREFUSED" | "ENOTFOUND" | "EAI_AGAIN" | "ConnectionRefused"));
    let mut msg = String::from("Could not reach ") + base;
    match &code {
        Some(code) => {
            msg.push_str(" (");
            msg.push_str(code);
            msg.push(')');
        }
        None => {
            if let Some(m) = get(err, "message").as_string() {
                msg.push_str(": ");
                msg.push_str(&m);
            }
        }
    }
    (internal(&msg), if not_sent { Outcome::NotSent } else { Outcome::MaybeSent })
}

fn too_large(status: u16, trace_id: Option<String>) -> SdkError {
    let mut e = SdkError::invalid_response(Some(status), "the response body is larger than 10 MiB");
    e.trace_id = trace_id;
    e
}

/// Send `req` once. The fetch gets its own AbortController, aborted when `stop` fires first.
pub(crate) async fn attempt(base: &str, req: &HttpRequest, token: Option<&str>, stop: &Stop) -> Result<RawResponse, Failure> {
    let ctl = AbortController::new().map_err(|_| Failure::Final(internal("AbortController is not available")))?;
    let request = build(base, req, token, &ctl).map_err(|e| {
        let mut msg = String::from("Could not build the request to ") + base;
        if let Some(m) = get(&e, "message").as_string() {
            msg.push_str(": ");
            msg.push_str(&m);
        }
        Failure::Final(internal(&msg))
    })?;
    let promise = global_fetch(&request).map_err(|e| {
        let (err, _) = connection_error(base, &e);
        Failure::Final(err)
    })?;
    let response = match stop.race(promise).await {
        Raced::Done(Ok(v)) => v,
        Raced::Done(Err(e)) => {
            let (err, outcome) = connection_error(base, &e);
            return Err(Failure::Retryable(err, outcome));
        }
        Raced::Stopped(why) => {
            ctl.abort();
            return Err(Failure::Stopped(why));
        }
    };
    let response: Response = response.dyn_into().map_err(|_| Failure::Final(internal("fetch did not return a Response")))?;
    let status = response.status();
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let trace_id = header("x-trace-id");
    let retry_after_ms = header("retry-after").and_then(|v| parse_retry_after(&v, now_ms()));
    let declared = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        ctl.abort();
        return Err(Failure::Final(too_large(status, trace_id)));
    }
    let text = response.text().map_err(|_| Failure::Final(internal("Could not read the response body")))?;
    let body = match stop.race(text).await {
        Raced::Done(Ok(v)) => v,
        Raced::Done(Err(e)) => {
            // The connection broke while the body was streaming: the request was sent.
            let (err, _) = connection_error(base, &e);
            return Err(Failure::Retryable(err, Outcome::MaybeSent));
        }
        Raced::Stopped(why) => {
            ctl.abort();
            return Err(Failure::Stopped(why));
        }
    };
    // UTF-16 length first (cheap, no copy), then the UTF-8 length of the copy.
    if body.dyn_ref::<js_sys::JsString>().is_some_and(|s| s.length() as usize > MAX_BODY_BYTES) {
        return Err(Failure::Final(too_large(status, trace_id)));
    }
    let body = body.as_string().unwrap_or_default();
    if body.len() > MAX_BODY_BYTES {
        return Err(Failure::Final(too_large(status, trace_id)));
    }
    Ok(RawResponse { status, body, trace_id, retry_after_ms })
}
