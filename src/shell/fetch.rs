//! One HTTP attempt: the global `fetch` with an init object, headers and an `AbortController` of
//! its own (never shared with another attempt or call: a wrapped `fetch` may read the init after
//! an `await`, and Cloudflare Workers refuse I/O objects of another request), redirects not
//! followed, and the body read as a stream up to a byte limit.
//!
//! The attempt is raced against its call's [`Stop`]; when it loses, or ends early, dropping it
//! aborts its controller, which cancels the request or the download.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamReadResult, RequestInit, RequestRedirect, Response};

use super::js::{fetch, get, BodyStream};
use super::stop::{Stop, Stopped};
use crate::core::ops::HttpRequest;
use crate::core::policy::{classify_failure, Outcome};
use crate::core::wire::MAX_BODY_BYTES;

/// Most bytes read of an error answer: enough for any error the API writes, and an error body is
/// parsed whole.
pub(crate) const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A response that arrived.
pub(crate) struct Answered {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) trace_id: Option<String>,
    pub(crate) retry_after: Option<String>,
}

/// How an attempt ended, when its call did not stop it.
pub(crate) enum Attempt {
    /// A response, its body read in full (or, for an error status, its first
    /// [`MAX_ERROR_BODY_BYTES`]).
    Answered(Answered),
    /// A redirect (3xx, or status 0: an opaque redirect), not followed and its body not read.
    Redirected { status: u16, location: Option<String> },
    /// A 2xx response whose body is over [`MAX_BODY_BYTES`]; the download was cancelled there.
    TooLarge { status: u16, trace_id: Option<String> },
    /// `fetch` rejected, or the body failed midway (`MaybeSent`); `detail` is the system error
    /// code or the error's message, not yet redacted.
    Failed { outcome: Outcome, detail: Option<String> },
    /// The request could not even be made (a header value refused, no `fetch`, `fetch` threw or
    /// gave something else than a `Response`). Not worth repeating.
    Unusable { detail: Option<String>, headers: bool },
}

/// Aborts the attempt's controller when the attempt is dropped before it finished.
struct AbortOnDrop {
    ctl: AbortController,
    done: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.done {
            self.ctl.abort();
        }
    }
}

/// What a rejection says: `err.cause.code` (Node/undici put the system error there) or
/// `err.code` (Bun), else its message.
fn failure(err: &JsValue) -> Option<String> {
    let code = get(&get(err, "cause"), "code").as_string().or_else(|| get(err, "code").as_string());
    code.or_else(|| get(err, "message").as_string()).or_else(|| err.as_string())
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).ok().flatten()
}

/// The request's headers: `accept`, the content type and the `authorization` value, if any.
fn request_headers(req: &HttpRequest, authorization: Option<&str>) -> Result<Headers, JsValue> {
    let headers = Headers::new()?;
    headers.set("accept", "application/json")?;
    if let Some(t) = req.content_type {
        headers.set("content-type", t)?;
    }
    if let Some(a) = authorization {
        headers.set("authorization", a)?;
    }
    Ok(headers)
}

/// Sends `req` to `url` once, with `authorization` if given.
pub(crate) async fn attempt(req: &HttpRequest, url: &str, authorization: Option<&str>, stop: &mut Stop) -> Result<Attempt, Stopped> {
    stop.check()?;
    let headers = match request_headers(req, authorization) {
        Ok(h) => h,
        Err(e) => return Ok(Attempt::Unusable { detail: failure(&e), headers: true }),
    };
    let ctl = match AbortController::new() {
        Ok(c) => c,
        Err(e) => return Ok(Attempt::Unusable { detail: failure(&e), headers: false }),
    };
    let init = RequestInit::new();
    init.set_method(req.method);
    init.set_headers(&headers);
    init.set_redirect(RequestRedirect::Manual);
    init.set_signal(Some(&ctl.signal()));
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body));
    }
    let mut guard = AbortOnDrop { ctl, done: false };
    let promise = match fetch(url, &init) {
        Ok(p) => p,
        Err(e) => return Ok(Attempt::Unusable { detail: failure(&e), headers: false }),
    };
    let response = match stop.run(JsFuture::from(promise)).await? {
        Ok(r) => r,
        Err(e) => {
            let detail = failure(&e);
            return Ok(Attempt::Failed { outcome: classify_failure(detail.as_deref()), detail });
        }
    };
    let Ok(response) = response.dyn_into::<Response>() else {
        return Ok(Attempt::Unusable { detail: Some("fetch did not return a Response".to_owned()), headers: false });
    };
    let status = response.status();
    let headers = response.headers();
    let trace_id = header(&headers, "x-trace-id");
    let ok = (200..300).contains(&status);
    let limit = if ok { MAX_BODY_BYTES } else { MAX_ERROR_BODY_BYTES };
    let declared = header(&headers, "content-length").and_then(|l| l.trim().parse::<u64>().ok());
    if ok && declared.is_some_and(|n| n > limit as u64) {
        return Ok(Attempt::TooLarge { status, trace_id });
    }
    // Redirects are not followed: their body is not needed.
    if status == 0 || (300..400).contains(&status) {
        return Ok(Attempt::Redirected { status, location: header(&headers, "location") });
    }
    let retry_after = header(&headers, "retry-after");
    let read = match declared.and_then(|n| usize::try_from(n).ok()).filter(|n| *n <= limit) {
        // A length within the limit: the whole body at once (fetch holds it to that length).
        Some(_) => read_whole(&response, limit, stop).await?,
        // No length, or more than the limit: chunk by chunk, counting.
        None => read_body(&response, limit, stop).await?,
    };
    let (body, complete) = match read {
        Ok(read) => read,
        Err(e) => return Ok(Attempt::Failed { outcome: Outcome::MaybeSent, detail: failure(&e) }),
    };
    if ok && !complete {
        return Ok(Attempt::TooLarge { status, trace_id });
    }
    // An error body cut at its limit is still read for what it says; the guard cancels the rest.
    guard.done = complete;
    Ok(Attempt::Answered(Answered { status, body, trace_id, retry_after }))
}

/// The body's bytes in one read (`arrayBuffer()`), for a response that declares a length within
/// the limit, and whether that was all of it.
async fn read_whole(response: &Response, limit: usize, stop: &mut Stop) -> Result<Result<(Vec<u8>, bool), JsValue>, Stopped> {
    let promise = match response.array_buffer() {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    Ok(stop.run(JsFuture::from(promise)).await?.and_then(|buffer| {
        if !buffer.is_object() {
            return Err(JsValue::from_str("arrayBuffer() gave something else than bytes"));
        }
        let bytes = Uint8Array::new(&buffer);
        let complete = bytes.length() as usize <= limit;
        Ok((if complete { bytes.to_vec() } else { Vec::new() }, complete))
    }))
}

/// The body's bytes, read chunk by chunk, and whether that was all of it: reading stops once
/// `limit` bytes would be passed. `Err` when the stream failed.
async fn read_body(response: &Response, limit: usize, stop: &mut Stop) -> Result<Result<(Vec<u8>, bool), JsValue>, Stopped> {
    let Some(stream) = response.body() else { return Ok(Ok((Vec::new(), true))) };
    let reader = match stream.unchecked_into::<BodyStream>().get_reader() {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let mut body = Vec::new();
    loop {
        let read = match reader.read() {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let chunk = match stop.run(JsFuture::from(read)).await? {
            Ok(c) => c.unchecked_into::<ReadableStreamReadResult>(),
            Err(e) => return Ok(Err(e)),
        };
        if chunk.get_done().unwrap_or(false) {
            return Ok(Ok((body, true)));
        }
        let value = chunk.get_value();
        if !ArrayBuffer::is_view(&value) {
            return Ok(Err(JsValue::from_str("the body stream gave something else than bytes")));
        }
        let bytes = Uint8Array::new(&value);
        let len = bytes.length() as usize;
        if body.len() + len > limit {
            return Ok(Ok((body, false)));
        }
        let start = body.len();
        body.resize(start + len, 0);
        if let Some(dest) = body.get_mut(start..) {
            bytes.copy_to(dest);
        }
    }
}
