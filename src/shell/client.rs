//! Calls: the client state shared by every call of one `Core` (options, the token cache, the
//! single-flight token request) and the run of one call (token, attempts, one re-authentication
//! on 401, retries by policy, all within one deadline).
//!
//! The common case, a cached token and a first attempt that settles the call, runs without a Rust
//! future: [`start`] sends the request with the call parked on the attempt, the attempt's promise
//! is the call's promise, and [`finish`] turns the reply into the output or the error. Anything
//! else (no token yet, a 401, a retry) continues in a future ([`run`]).
//!
//! State lives behind `RefCell`s borrowed only for short, synchronous steps, never across an
//! `.await` or a call into JavaScript.

use super::http::{self, attempt, Attempt, Headers, Reply, Target};
use super::js::now_ms;
use super::task;
use super::timer::{wait, Woke};
use crate::core::auth::{parse_token_response, token_request, ClientOptions, TokenGrant};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::ops::{build_request, parse_response, HttpRequest, Operation};
use crate::core::policy::{redact, retry_delay_ms, should_retry, Outcome, TokenCache};
use crate::core::text::{cat, push_u64};
use crate::prelude::*;
use ::core::cell::RefCell;
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// An access token ready to send: the headers that carry it (made once per token), and the
/// token's number, to tell it from a newer one after a 401.
#[derive(Clone)]
struct Bearer {
    headers: Rc<Headers>,
    generation: u32,
}

/// One token request in flight: the promise every waiting call awaits, and the slot where the
/// request leaves its typed result before settling that promise.
#[derive(Clone)]
struct Flight {
    promise: Promise,
    result: Rc<RefCell<Option<Result<Bearer, SdkError>>>>,
}

struct State {
    cache: TokenCache,
    /// The headers of the cached token.
    bearer: Option<Bearer>,
    generation: u32,
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
    SdkError::new(ErrorKind::Timeout, "TIMEOUT", msg)
}

pub(crate) fn aborted() -> SdkError {
    SdkError::new(ErrorKind::Abort, "ABORTED", "The operation was aborted by its AbortSignal")
}

/// Whole milliseconds as text (`1500`, not `1500.0`).
pub(crate) fn ms_text(ms: f64) -> String {
    let whole = if ms.is_finite() { (ms.clamp(0.0, 9.0e15) + 0.5) as u64 } else { 0 };
    let mut s = String::new();
    push_u64(&mut s, whole);
    s
}

fn busy() -> SdkError {
    SdkError::new(ErrorKind::Connection, "INTERNAL", "client state is busy")
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
        let state = State { cache: TokenCache::new(), bearer: None, generation: 0, flight: None, last_token: None };
        Shared { opts, state: RefCell::new(state) }
    }

    /// The error as the JSON string a promise rejects with, with the client secret and the access
    /// token masked as a last line of defence.
    pub(crate) fn reject_value(&self, err: &SdkError) -> JsValue {
        let token = self.state.try_borrow().ok().and_then(|s| s.last_token.clone());
        let mut secrets: Vec<&str> = Vec::with_capacity(2);
        secrets.push(self.opts.client_secret.as_str());
        if let Some(t) = token.as_deref() {
            secrets.push(t);
        }
        JsValue::from_str(&redact(&err.to_json(), &secrets))
    }

    /// The cached token, if it is still fresh.
    fn cached(&self) -> Option<Bearer> {
        let st = self.state.try_borrow().ok()?;
        st.cache.get_ref(now_ms())?;
        st.bearer.clone()
    }

    /// Forgets the token numbered `generation` (after a 401 with it), unless a newer one
    /// replaced it meanwhile.
    fn clear_token(&self, generation: u32) {
        if let Ok(mut st) = self.state.try_borrow_mut() {
            if st.bearer.as_ref().is_some_and(|b| b.generation == generation) {
                st.cache.clear();
                st.bearer = None;
            }
        }
    }

    /// A valid access token: from the cache, or by joining (or starting) the one token request in
    /// flight. Leaving early (abort, timeout) does not cancel the request for the other callers.
    async fn token(self: &Rc<Self>, call: &Call) -> Result<Bearer, SdkError> {
        if let Some(b) = self.cached() {
            return Ok(b);
        }
        let flight = self.state.try_borrow().map_err(|_| busy())?.flight.clone();
        let flight = match flight {
            Some(f) => f,
            None => {
                let result = Rc::new(RefCell::new(None));
                let promise = task::spawn(token_flight(self.clone(), result.clone()));
                let f = Flight { promise, result };
                let mut st = self.state.try_borrow_mut().map_err(|_| busy())?;
                st.flight = Some(f.clone());
                f
            }
        };
        call.wait(Some(&flight.promise), f64::INFINITY).await?;
        match flight.result.try_borrow().ok().and_then(|r| r.clone()) {
            Some(r) => r,
            None => Err(SdkError::new(ErrorKind::Authentication, "UNAUTHENTICATED", "The token request ended without a result")),
        }
    }

    /// Runs `op` to its end with its own deadline of `timeout_ms` (as `Core::call` does).
    pub(crate) async fn run(self: &Rc<Self>, op: Operation, req: HttpRequest, signal: Option<AbortSignal>, timeout_ms: f64) -> Result<String, SdkError> {
        run(Call::new(self.clone(), op, req, signal, timeout_ms)).await
    }
}

/// One call in progress.
pub(crate) struct Call {
    shared: Rc<Shared>,
    op: Operation,
    req: HttpRequest,
    url: String,
    signal: Option<AbortSignal>,
    /// `Date.now()` time at which the call times out.
    deadline: f64,
    timeout_ms: f64,
    retries: u32,
    reauthed: bool,
    /// The token of the attempt in flight.
    generation: u32,
}

/// What one attempt leaves to do.
enum Next {
    /// The call is settled.
    Done(Result<String, SdkError>),
    /// Another attempt with a fresh token (after a 401).
    Reauth,
    /// Another attempt after sleeping this long (a retry).
    Retry(f64),
}

impl Call {
    pub(crate) fn new(shared: Rc<Shared>, op: Operation, req: HttpRequest, signal: Option<AbortSignal>, timeout_ms: f64) -> Call {
        // The deadline starts now, not when a future is first polled.
        let deadline = now_ms() + timeout_ms;
        let url = cat(&[&shared.opts.env_url, &req.path_and_query]);
        Call { shared, op, req, url, signal, deadline, timeout_ms, retries: 0, reauthed: false, generation: 0 }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn request(&self) -> &HttpRequest {
        &self.req
    }

    pub(crate) fn signal(&self) -> Option<&AbortSignal> {
        self.signal.as_ref()
    }

    fn remaining(&self) -> f64 {
        self.deadline - now_ms()
    }

    /// Waits for `promise` or `sleep_ms`, unless the deadline passes or the signal aborts first.
    async fn wait(&self, promise: Option<&Promise>, sleep_ms: f64) -> Result<(), SdkError> {
        match wait(promise, sleep_ms, self.remaining(), self.signal.as_ref()).await {
            Woke::Done => Ok(()),
            Woke::TimedOut => Err(timed_out(self.timeout_ms)),
            Woke::Aborted => Err(aborted()),
        }
    }

    /// What the reply of the attempt made with token `self.generation` means for the call.
    fn next(&mut self, mut reply: Reply) -> Next {
        let shared = &self.shared;
        let (err, outcome) = match reply.classify(&shared.opts.env_url) {
            Attempt::Response { status, body } if (200..300).contains(&status) => {
                return Next::Done(parse_response(self.op, status, &body).map_err(|mut e| {
                    e.status = e.status.or(Some(status));
                    e.trace_id = e.trace_id.or_else(|| reply.trace_id());
                    e
                }));
            }
            Attempt::Response { status: 401, .. } if !self.reauthed => {
                // The token was revoked or expired early: forget it (unless another call
                // already replaced it) and try once more with a fresh one.
                shared.clear_token(self.generation);
                self.reauthed = true;
                return Next::Reauth;
            }
            Attempt::Response { status, body } => {
                let trace = reply.trace_id();
                (SdkError::from_http(status, trace.as_deref(), reply.retry_after_ms(), &body), Outcome::Status(status))
            }
            Attempt::Failed(e, o) => (e, o),
            Attempt::Final(e) => return Next::Done(Err(e)),
            Attempt::TimedOut => return Next::Done(Err(timed_out(self.timeout_ms))),
            Attempt::Aborted => return Next::Done(Err(aborted())),
        };
        if !should_retry(self.op, &outcome, self.retries, shared.opts.max_retries) {
            return Next::Done(Err(err));
        }
        match backoff_delay(self.retries, &err, self.remaining()) {
            Some(delay) => {
                self.retries += 1;
                Next::Retry(delay)
            }
            None => Next::Done(Err(err)),
        }
    }
}

/// The sleep before retry number `retries_done + 1`, or `None` when there is none: the policy
/// says no (the server asked for more than we wait), or it would pass the deadline.
fn backoff_delay(retries_done: u32, err: &SdkError, remaining: f64) -> Option<f64> {
    retry_delay_ms(retries_done, js_sys::Math::random(), err.retry_after_ms).filter(|d| *d < remaining)
}

/// Runs a call: token, attempts, one re-authentication on 401, retries by policy.
async fn run(mut call: Call) -> Result<String, SdkError> {
    loop {
        let bearer = call.shared.token(&call).await?;
        call.generation = bearer.generation;
        let reply = attempt(&call.url, &call.req, Some(&bearer.headers), call.signal.as_ref(), call.remaining()).await;
        match call.next(reply) {
            Next::Done(r) => return r,
            Next::Reauth => {}
            Next::Retry(delay) => call.wait(None, delay).await?,
        }
    }
}

/// [`run`] for JavaScript: the output JSON, or the SdkError JSON to reject with.
async fn run_for_js(call: Call) -> Result<JsValue, JsValue> {
    let shared = call.shared.clone();
    match run(call).await {
        Ok(out) => Ok(JsValue::from_str(&out)),
        Err(e) => Err(shared.reject_value(&e)),
    }
}

/// Starts a call: at once when a token is cached, else as a future.
pub(crate) fn start(mut call: Call) -> Promise {
    let Some(bearer) = call.shared.cached() else {
        return task::spawn(run_for_js(call));
    };
    call.generation = bearer.generation;
    let ms = call.remaining();
    match http::start(Target::Call(call), Some(&bearer.headers), ms) {
        Ok((_, promise)) => promise,
        Err((reply, Some(call))) => match finish(call, reply) {
            Ok(v) => Promise::resolve(&v),
            Err(e) => Promise::reject(&e),
        },
        Err((_, None)) => Promise::reject(&JsValue::from_str(&busy().to_json())),
    }
}

/// The reply of a call's first attempt: the output, the error to throw, or the promise of the
/// rest of the call.
pub(crate) fn finish(mut call: Call, reply: Reply) -> Result<JsValue, JsValue> {
    match call.next(reply) {
        Next::Done(Ok(out)) => Ok(JsValue::from_str(&out)),
        Next::Done(Err(e)) => Err(call.shared.reject_value(&e)),
        Next::Reauth => Ok(task::spawn(run_for_js(call)).into()),
        Next::Retry(delay) => Ok(task::spawn(async move {
            if let Err(e) = call.wait(None, delay).await {
                return Err(call.shared.reject_value(&e));
            }
            run_for_js(call).await
        })
        .into()),
    }
}

/// The token request as its own task: retried like a safe request within the client's timeout,
/// its typed result left in `slot` for every waiter, the flight cleared when it ends.
async fn token_flight(shared: Rc<Shared>, slot: Rc<RefCell<Option<Result<Bearer, SdkError>>>>) -> Result<JsValue, JsValue> {
    let result = fetch_token(&shared).await;
    let now = now_ms();
    // Made before borrowing the state: it calls into JavaScript.
    let headers = result.as_ref().ok().map(|g| Rc::new(Headers::new(&cat(&["Bearer ", &g.access_token]))));
    let mut out = Err(busy());
    if let Ok(mut st) = shared.state.try_borrow_mut() {
        out = match (result, headers) {
            (Ok(grant), Some(headers)) => {
                st.cache.store(&grant, now);
                st.generation = st.generation.wrapping_add(1);
                let bearer = Bearer { headers, generation: st.generation };
                st.bearer = Some(bearer.clone());
                st.last_token = Some(grant.access_token);
                Ok(bearer)
            }
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(busy()),
        };
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
    let deadline = now_ms() + opts.timeout_ms;
    let req = token_request(opts);
    let url = cat(&[&opts.env_url, &req.path_and_query]);
    let mut retries: u32 = 0;
    loop {
        let mut reply = attempt(&url, &req, None, None, deadline - now_ms()).await;
        let (err, outcome) = match reply.classify(&opts.env_url) {
            Attempt::Response { status, body } => match parse_token_response(status, &body) {
                Ok(grant) => return Ok(grant),
                // A 2xx that is not a token is not worth repeating.
                Err(e) if (200..300).contains(&status) => return Err(e),
                Err(mut e) => {
                    e.status = e.status.or(Some(status));
                    e.trace_id = e.trace_id.or_else(|| reply.trace_id());
                    e.retry_after_ms = e.retry_after_ms.or_else(|| reply.retry_after_ms());
                    (e, Outcome::Status(status))
                }
            },
            Attempt::Failed(e, o) => (e, o),
            Attempt::Final(e) => return Err(e),
            Attempt::TimedOut => return Err(timed_out(opts.timeout_ms)),
            Attempt::Aborted => return Err(aborted()),
        };
        if !token_should_retry(&outcome, retries, opts.max_retries) {
            return Err(err);
        }
        let Some(delay) = backoff_delay(retries, &err, deadline - now_ms()) else { return Err(err) };
        if wait(None, delay, deadline - now_ms(), None).await != Woke::Done {
            return Err(timed_out(opts.timeout_ms));
        }
        retries += 1;
    }
}

/// Validates and builds the request of `op` (no I/O).
pub(crate) fn prepare(op_name: &str, input_json: &str) -> Result<(Operation, HttpRequest), SdkError> {
    let Some(op) = Operation::from_name(op_name) else {
        let msg = cat(&["Unknown operation: ", op_name]);
        return Err(SdkError::new(ErrorKind::Validation, "INVALID_ARGUMENT", msg));
    };
    let req = build_request(op, input_json)?;
    Ok((op, req))
}
