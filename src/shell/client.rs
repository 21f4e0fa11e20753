//! The client state shared by every call of one `Core`: options, the token cache and the
//! single-flight token request. Calls hold an `Rc<Shared>` and borrow the `RefCell` only for
//! short, synchronous steps, never across an `.await`.

use super::http::{attempt, Failure, RawResponse};
use super::js::now_ms;
use super::stop::{Raced, Stop, Stopped};
use crate::core::auth::{parse_token_response, token_request, ClientOptions, TokenGrant};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::ops::{build_request, parse_response, HttpRequest, Operation};
use crate::core::policy::{redact, retry_delay_ms, should_retry, Outcome, TokenCache};
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// One token request in flight: the promise every waiting call awaits, and the slot where the
/// request leaves its typed result before settling that promise.
#[derive(Clone)]
struct Flight {
    promise: Promise,
    result: Rc<RefCell<Option<Result<String, SdkError>>>>,
}

struct State {
    cache: TokenCache,
    flight: Option<Flight>,
    /// The access token most recently obtained, for redaction.
    last_token: Option<String>,
}

pub(crate) struct Shared {
    pub(crate) opts: ClientOptions,
    state: RefCell<State>,
}

pub(crate) fn timed_out(ms: f64) -> SdkError {
    let mut msg = String::from("Request timed out after ");
    msg.push_str(&ms_text(ms));
    msg.push_str(" ms");
    SdkError::new(ErrorKind::Timeout, "TIMEOUT", &msg)
}

pub(crate) fn aborted() -> SdkError {
    SdkError::new(ErrorKind::Abort, "ABORTED", "The operation was aborted by its AbortSignal")
}

/// Whole milliseconds as text (`1500`, not `1500.0`), without pulling in float formatting.
pub(crate) fn ms_text(ms: f64) -> String {
    let whole = if ms.is_finite() { ms.round().clamp(0.0, 9.0e15) as u64 } else { 0 };
    whole.to_string()
}

fn stopped_error(why: Stopped, timeout_ms: f64) -> SdkError {
    match why {
        Stopped::Aborted => aborted(),
        Stopped::TimedOut => timed_out(timeout_ms),
    }
}

/// The token endpoint is retried like a safe request: not sent, 408, 429, 5xx.
fn token_should_retry(outcome: &Outcome, retries_done: u32, max_retries: u32) -> bool {
    retries_done < max_retries
        && match outcome {
            Outcome::NotSent => true,
            Outcome::MaybeSent => false,
            Outcome::Status(s) => *s == 408 || *s == 429 || *s >= 500,
        }
}

impl Shared {
    pub(crate) fn new(opts: ClientOptions) -> Shared {
        Shared { opts, state: RefCell::new(State { cache: TokenCache::new(), flight: None, last_token: None }) }
    }

    /// The error as the JSON string a promise rejects with, with the client secret and the access
    /// token masked as a last line of defence.
    pub(crate) fn reject_value(&self, err: &SdkError) -> JsValue {
        let token = self.state.try_borrow().ok().and_then(|s| s.last_token.clone());
        let mut secrets: Vec<&str> = vec![self.opts.client_secret.as_str()];
        if let Some(t) = token.as_deref() {
            secrets.push(t);
        }
        JsValue::from_str(&redact(&err.to_json(), &secrets))
    }

    fn clear_token_if(&self, token: &str) {
        if let Ok(mut st) = self.state.try_borrow_mut() {
            st.cache.clear_if(token);
        }
    }

    /// A valid access token: from the cache, or by joining (or starting) the one token request in
    /// flight. Leaving early (abort, timeout) does not cancel the request for the other callers.
    async fn token(self: &Rc<Self>, stop: &Stop, timeout_ms: f64) -> Result<String, SdkError> {
        let flight = {
            let st = self.state.try_borrow().map_err(|_| busy())?;
            if let Some(t) = st.cache.get(now_ms()) {
                return Ok(t);
            }
            st.flight.clone()
        };
        let flight = match flight {
            Some(f) => f,
            None => {
                let result = Rc::new(RefCell::new(None));
                let promise = future_to_promise(token_flight(self.clone(), result.clone()));
                let f = Flight { promise, result };
                let mut st = self.state.try_borrow_mut().map_err(|_| busy())?;
                st.flight = Some(f.clone());
                f
            }
        };
        match stop.race(flight.promise.clone()).await {
            Raced::Done(_) => match flight.result.try_borrow().ok().and_then(|r| r.clone()) {
                Some(r) => r,
                None => Err(SdkError::new(ErrorKind::Authentication, "UNAUTHENTICATED", "The token request ended without a result")),
            },
            Raced::Stopped(why) => Err(stopped_error(why, timeout_ms)),
        }
    }

    /// Runs one operation: token, attempts, one re-authentication on 401, retries by policy.
    pub(crate) async fn run(self: &Rc<Self>, op: Operation, req: &HttpRequest, stop: &Stop, timeout_ms: f64) -> Result<String, SdkError> {
        let max = self.opts.max_retries;
        let mut retries: u32 = 0;
        let mut reauthed = false;
        loop {
            let token = self.token(stop, timeout_ms).await?;
            let (err, outcome) = match attempt(&self.opts.env_url, req, Some(&token), stop).await {
                Ok(RawResponse { status, body, trace_id, .. }) if (200..300).contains(&status) => {
                    return parse_response(op, status, &body).map_err(|mut e| {
                        e.status = e.status.or(Some(status));
                        e.trace_id = e.trace_id.or(trace_id);
                        e
                    });
                }
                Ok(RawResponse { status: 401, .. }) if !reauthed => {
                    // The token was revoked or expired early: forget it (unless another call
                    // already replaced it) and try once more with a fresh one.
                    self.clear_token_if(&token);
                    reauthed = true;
                    continue;
                }
                Ok(r) => (SdkError::from_http(r.status, r.trace_id.as_deref(), r.retry_after_ms, &r.body), Outcome::Status(r.status)),
                Err(Failure::Retryable(e, o)) => (e, o),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Stopped(why)) => return Err(stopped_error(why, timeout_ms)),
            };
            if !should_retry(op, &outcome, retries, max) {
                return Err(err);
            }
            backoff(stop, retries, &err, timeout_ms).await?;
            retries += 1;
        }
    }
}

/// Sleeps before retry number `retries_done + 1`, or says why not: the policy's delay is `None`
/// (the server asked for more than we wait), or it would pass the deadline (the last error is
/// surfaced), or the caller aborted meanwhile.
async fn backoff(stop: &Stop, retries_done: u32, err: &SdkError, timeout_ms: f64) -> Result<(), SdkError> {
    let Some(delay) = retry_delay_ms(retries_done, js_sys::Math::random(), err.retry_after_ms) else {
        return Err(err.clone());
    };
    if delay >= stop.remaining() {
        return Err(err.clone());
    }
    stop.sleep(delay).await.map_err(|why| stopped_error(why, timeout_ms))
}

fn busy() -> SdkError {
    SdkError::new(ErrorKind::Connection, "INTERNAL", "client state is busy")
}

/// The token request as its own task: retried like a safe request within the client's timeout,
/// its typed result left in `slot` for every waiter, the flight cleared when it ends.
async fn token_flight(shared: Rc<Shared>, slot: Rc<RefCell<Option<Result<String, SdkError>>>>) -> Result<JsValue, JsValue> {
    let result = fetch_token(&shared).await;
    let now = now_ms();
    let out = match &result {
        Ok(grant) => Ok(grant.access_token.clone()),
        Err(e) => Err(e.clone()),
    };
    if let Ok(mut st) = shared.state.try_borrow_mut() {
        if let Ok(grant) = &result {
            st.cache.store(grant, now);
            st.last_token = Some(grant.access_token.clone());
        }
        if st.flight.as_ref().is_some_and(|f| Rc::ptr_eq(&f.result, &slot)) {
            st.flight = None;
        }
    }
    if let Ok(mut s) = slot.try_borrow_mut() {
        *s = Some(out);
    }
    // Waiters read the slot; the promise only says "done" (never rejects: no unhandled rejection).
    Ok(JsValue::UNDEFINED)
}

async fn fetch_token(shared: &Shared) -> Result<TokenGrant, SdkError> {
    let opts = &shared.opts;
    let stop = Stop::new(Some(opts.timeout_ms), None);
    let req = token_request(opts);
    let mut retries: u32 = 0;
    loop {
        let (err, outcome) = match attempt(&opts.env_url, &req, None, &stop).await {
            Ok(r) => match parse_token_response(r.status, &r.body) {
                Ok(grant) => return Ok(grant),
                // A 2xx that is not a token is not worth repeating.
                Err(e) if (200..300).contains(&r.status) => return Err(e),
                Err(mut e) => {
                    e.status = e.status.or(Some(r.status));
                    e.trace_id = e.trace_id.or(r.trace_id);
                    e.retry_after_ms = e.retry_after_ms.or(r.retry_after_ms);
                    (e, Outcome::Status(r.status))
                }
            },
            Err(Failure::Retryable(e, o)) => (e, o),
            Err(Failure::Final(e)) => return Err(e),
            Err(Failure::Stopped(why)) => return Err(stopped_error(why, opts.timeout_ms)),
        };
        if !token_should_retry(&outcome, retries, opts.max_retries) {
            return Err(err);
        }
        backoff(&stop, retries, &err, opts.timeout_ms).await?;
        retries += 1;
    }
}

/// Validates and builds the request of `op` (no I/O).
pub(crate) fn prepare(op_name: &str, input_json: &str) -> Result<(Operation, HttpRequest), SdkError> {
    let Some(op) = Operation::from_name(op_name) else {
        let mut msg = String::from("Unknown operation: ");
        msg.push_str(op_name);
        return Err(SdkError::new(ErrorKind::Validation, "INVALID_ARGUMENT", &msg));
    };
    let req = build_request(op, input_json)?;
    Ok((op, req))
}
