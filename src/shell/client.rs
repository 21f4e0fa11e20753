//! Calls: the client state shared by every call of one `Core` (options, the token cache, the
//! single-flight token request) and the run of one call (token, attempts, one re-authentication
//! on 401, retries by policy, all within one deadline).
//!
//! A call is a value ([`Call`]) handed from step to step, never a future: it rides on its attempt
//! in flight ([`super::http`]), or sleeps before a retry or waits for the token request
//! ([`super::timer`]), and each of those hands it on when it ends. The common case, a cached
//! token and a first attempt that settles the call, makes no promise of its own: the attempt's
//! promise is the call's ([`Then::Return`]).
//!
//! State lives behind `RefCell`s borrowed only for short, synchronous steps, never across a call
//! into JavaScript.

use super::http::{self, Attempt, Headers, Reply, Target};
use super::js::now_ms;
use super::timer::{self, Parked, Woke};
use super::wait::{self, AuthWait};
use crate::core::auth::{parse_token_response, token_request, ClientOptions, TokenGrant};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::ops::{build_request, parse_response, HttpRequest, Operation};
use crate::core::policy::{redact, retry_delay_ms, should_retry, Outcome, TokenCache};
use crate::core::text::{cat, push_u64};
use crate::prelude::*;
use ::core::cell::RefCell;
use alloc::rc::Rc;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// An access token ready to send: the headers that carry it (made once per token), and the
/// token's number, to tell it from a newer one after a 401.
#[derive(Clone)]
struct Bearer {
    headers: Rc<Headers>,
    generation: u32,
}

/// The one token request in flight, and the calls waiting for it (parked, by id).
struct TokenFlight {
    waiters: Vec<u32>,
    retries: u32,
    /// `Date.now()` time at which the token request times out (the client's timeout).
    deadline: f64,
}

struct State {
    cache: TokenCache,
    /// The headers of the cached token.
    bearer: Option<Bearer>,
    generation: u32,
    flight: Option<TokenFlight>,
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

    /// The cached token, if it is still fresh at `now`.
    fn cached(&self, now: f64) -> Option<Bearer> {
        let st = self.state.try_borrow().ok()?;
        st.cache.get_ref(now)?;
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
}

/// A promise's `resolve` and `reject`.
pub(crate) struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    /// A new pending promise and the functions that settle it.
    pub(crate) fn new() -> (Promise, Option<Settle>) {
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some(Settle { resolve, reject }));
        // The executor runs synchronously, so `settle` is set.
        (promise, settle)
    }

    pub(crate) fn settle(&self, value: Result<JsValue, JsValue>) {
        let _ = match value {
            Ok(v) => self.resolve.call1(&JsValue::NULL, &v),
            Err(e) => self.reject.call1(&JsValue::NULL, &e),
        };
    }
}

/// Where the result of a call goes.
pub(crate) enum Then {
    /// Back to whoever finishes the call's first attempt: that attempt's promise settles with it.
    Return,
    /// To a promise.
    Promise(Settle),
    /// To the `waitForAuth` that polls with the call.
    Poll(Box<AuthWait>),
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
    pub(crate) then: Then,
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
    /// A call starting at `now` (a `Date.now()` time): its deadline is `timeout_ms` later.
    pub(crate) fn new(shared: Rc<Shared>, op: Operation, req: HttpRequest, signal: Option<AbortSignal>, timeout_ms: f64, now: f64) -> Call {
        let deadline = now + timeout_ms;
        let url = cat(&[&shared.opts.env_url, &req.path_and_query]);
        Call { shared, op, req, url, signal, deadline, timeout_ms, retries: 0, reauthed: false, generation: 0, then: Then::Return }
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

fn to_promise(result: Result<JsValue, JsValue>) -> Promise {
    match result {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    }
}

/// Starts a call made at `now` by `Core::call` and gives its promise.
pub(crate) fn start(mut call: Call, now: f64) -> Promise {
    if let Some(bearer) = call.shared.cached(now) {
        return send(call, &bearer, now);
    }
    let (promise, settle) = Settle::new();
    if let Some(settle) = settle {
        call.then = Then::Promise(settle);
        drive(call);
    }
    promise
}

/// Takes `call` to its next attempt: now with the cached token, or once the token request ends.
pub(crate) fn drive(call: Call) {
    let now = now_ms();
    match call.shared.cached(now) {
        Some(bearer) => {
            let _ = send(call, &bearer, now);
        }
        None => wait_for_token(call),
    }
}

/// Sends the next attempt of `call` at `now`. The promise settles with what [`finish`] gives.
fn send(mut call: Call, bearer: &Bearer, now: f64) -> Promise {
    call.generation = bearer.generation;
    let deadline = call.deadline;
    match http::start(Target::Call(call), Some(&bearer.headers), deadline, now) {
        Ok(promise) => promise,
        Err((reply, Target::Call(call))) => to_promise(finish(call, reply)),
        Err(_) => to_promise(Err(JsValue::from_str(&busy().to_json()))),
    }
}

/// The reply of an attempt of `call`: the call's result for [`Then::Return`] (or the promise of
/// the rest of the call), else `undefined` once the result went where `call.then` says.
pub(crate) fn finish(mut call: Call, reply: Reply) -> Result<JsValue, JsValue> {
    match call.next(reply) {
        Next::Done(result) => settle(call, result),
        Next::Reauth => later(call, None),
        Next::Retry(delay) => later(call, Some(delay)),
    }
}

/// Continues `call` after an attempt: another attempt at once (`None`) or after a sleep. A call
/// whose result went back to its first attempt's promise gets a promise of its own, which that
/// promise takes on.
fn later(mut call: Call, delay: Option<f64>) -> Result<JsValue, JsValue> {
    let mut promise = JsValue::UNDEFINED;
    if matches!(call.then, Then::Return) {
        let (p, settle) = Settle::new();
        let Some(settle) = settle else { return Err(call.shared.reject_value(&busy())) };
        call.then = Then::Promise(settle);
        promise = p.into();
    }
    match delay {
        None => drive(call),
        Some(ms) => {
            let (deadline, signal) = (call.remaining(), call.signal.clone());
            timer::park(Parked::Retry(call), ms, deadline, signal.as_ref());
        }
    }
    Ok(promise)
}

/// Delivers the result of `call` where `call.then` says.
fn settle(call: Call, result: Result<String, SdkError>) -> Result<JsValue, JsValue> {
    let Call { shared, then, .. } = call;
    if let Then::Poll(w) = then {
        wait::polled(w, result);
        return Ok(JsValue::UNDEFINED);
    }
    let value = match result {
        Ok(out) => Ok(JsValue::from_str(&out)),
        Err(e) => Err(shared.reject_value(&e)),
    };
    match then {
        Then::Promise(s) => {
            s.settle(value);
            Ok(JsValue::UNDEFINED)
        }
        _ => value,
    }
}

/// A parked call or token request woke up.
pub(crate) fn woke(parked: Parked, why: Woke) {
    match parked {
        Parked::Retry(call) | Parked::Token(call) => {
            let _ = match why {
                Woke::Done => {
                    drive(call);
                    Ok(JsValue::UNDEFINED)
                }
                Woke::TimedOut => {
                    let e = timed_out(call.timeout_ms);
                    settle(call, Err(e))
                }
                Woke::Aborted => settle(call, Err(aborted())),
            };
        }
        Parked::TokenRetry(shared) => match why {
            Woke::Done => token_send(shared),
            _ => {
                let e = timed_out(shared.opts.timeout_ms);
                token_done(&shared, Err(e));
            }
        },
        Parked::Auth(w) => wait::woke(w, why),
    }
}

/// Parks `call` until the token request in flight ends (starting one if there is none), its
/// deadline passes or its signal aborts. Leaving early does not cancel the request for the others.
fn wait_for_token(call: Call) {
    let shared = call.shared.clone();
    let (deadline, signal) = (call.remaining(), call.signal.clone());
    let Some(id) = timer::park(Parked::Token(call), f64::INFINITY, deadline, signal.as_ref()) else { return };
    let first = match shared.state.try_borrow_mut() {
        Ok(mut st) => match &mut st.flight {
            Some(f) => {
                f.waiters.push(id);
                false
            }
            None => {
                let deadline = now_ms() + shared.opts.timeout_ms;
                let mut waiters = Vec::with_capacity(4);
                waiters.push(id);
                st.flight = Some(TokenFlight { waiters, retries: 0, deadline });
                true
            }
        },
        // Cannot happen (no borrow outlives a step); the call then ends by its deadline.
        Err(_) => false,
    };
    if first {
        token_send(shared);
    }
}

/// Sends (again) the token request, `POST /oauth/token` with the client credentials.
fn token_send(shared: Rc<Shared>) {
    let deadline = shared.state.try_borrow().ok().and_then(|st| st.flight.as_ref().map(|f| f.deadline)).unwrap_or(0.0);
    let req = token_request(&shared.opts);
    let url = cat(&[&shared.opts.env_url, &req.path_and_query]);
    if let Err((reply, Target::Token { shared, .. })) = http::start(Target::Token { shared, url, req }, None, deadline, now_ms()) {
        token_reply(shared, reply);
    }
}

/// The reply of the token request: a token for every waiter, a retry, or the error for all.
pub(crate) fn token_reply(shared: Rc<Shared>, mut reply: Reply) {
    let opts = &shared.opts;
    let (err, outcome) = match reply.classify(&opts.env_url) {
        Attempt::Response { status, body } => match parse_token_response(status, &body) {
            Ok(grant) => return token_done(&shared, Ok(grant)),
            // A 2xx that is not a token is not worth repeating.
            Err(e) if (200..300).contains(&status) => return token_done(&shared, Err(e)),
            Err(mut e) => {
                e.status = e.status.or(Some(status));
                e.trace_id = e.trace_id.or_else(|| reply.trace_id());
                e.retry_after_ms = e.retry_after_ms.or_else(|| reply.retry_after_ms());
                (e, Outcome::Status(status))
            }
        },
        Attempt::Failed(e, o) => (e, o),
        Attempt::Final(e) => return token_done(&shared, Err(e)),
        Attempt::TimedOut | Attempt::Aborted => return token_done(&shared, Err(timed_out(opts.timeout_ms))),
    };
    let (retries, deadline) = match shared.state.try_borrow().ok().and_then(|st| st.flight.as_ref().map(|f| (f.retries, f.deadline))) {
        Some(f) => f,
        None => return token_done(&shared, Err(err)),
    };
    let delay = if token_should_retry(&outcome, retries, opts.max_retries) { backoff_delay(retries, &err, deadline - now_ms()) } else { None };
    let Some(delay) = delay else { return token_done(&shared, Err(err)) };
    if let Ok(mut st) = shared.state.try_borrow_mut() {
        if let Some(f) = &mut st.flight {
            f.retries += 1;
        }
    }
    timer::park(Parked::TokenRetry(shared.clone()), delay, deadline - now_ms(), None);
}

/// The token request ended: caches the token, and hands it (or the error) to every call waiting.
fn token_done(shared: &Rc<Shared>, result: Result<TokenGrant, SdkError>) {
    let now = now_ms();
    // Made before borrowing the state: it calls into JavaScript.
    let headers = result.as_ref().ok().map(|g| Rc::new(Headers::new(&cat(&["Bearer ", &g.access_token]))));
    let Ok(mut st) = shared.state.try_borrow_mut() else { return };
    let waiters = st.flight.take().map(|f| f.waiters).unwrap_or_default();
    let outcome = match (result, headers) {
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
    drop(st);
    let now = now_ms();
    for id in waiters {
        if let Some(Parked::Token(call)) = timer::unpark(id) {
            match &outcome {
                Ok(bearer) => {
                    let _ = send(call, bearer, now);
                }
                Err(e) => {
                    let _ = settle(call, Err(e.clone()));
                }
            }
        }
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
