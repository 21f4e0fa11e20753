//! Calls: the state one client shares between its calls (options, the access token, the one
//! token request in flight) and the run of one call, as straight-line async code that performs
//! what `core::policy` decides: the token, an attempt, one re-authentication on 401, retries with
//! backoff or `Retry-After`, all within the call's deadline.
//!
//! State lives behind a `RefCell` borrowed only in short synchronous steps, never across an
//! `.await`, so any number of calls may run at once on one client.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::fetch::{attempt, Answered, Attempt};
use super::js::now_ms;
use super::stop::{timer, Stop, Stopped};
use crate::core::auth::{parse_token_response, token_request, ClientOptions};
use crate::core::configs::ConnectionTools;
use crate::core::error::{code, sanitize_message, server_text, ErrorKind, SdkError};
use crate::core::events::{event_url, oddities, Event, EventError, Next};
use crate::core::ops::{Answer, HttpRequest, Operation, Spec};
use crate::core::policy::{parse_retry_after, Bearer, Decision, Outcome, Retries, TokenCache};
use crate::core::redact::Redactor;
use web_sys::AbortSignal;

/// The token request in flight: its result once it has one, the calls waiting for it, and its
/// deadline, which each call that joins moves to its own when that is later.
///
/// Each waiting call waits on a JavaScript promise of its own, made when it joins, which the
/// token request resolves when it ends. In Cloudflare Workers a promise's reactions run in the
/// request that made it: so a call of one request goes on in that request, never inside the
/// request whose call happened to start the token request (whose I/O, and so whose end, it would
/// otherwise share).
struct Flight {
    result: Rc<RefCell<Option<Result<Bearer, SdkError>>>>,
    waiters: Rc<RefCell<Vec<Function>>>,
    deadline: Rc<Cell<f64>>,
}

struct TokenState {
    cache: TokenCache,
    flight: Option<Flight>,
}

/// What one client shares between its calls.
pub(crate) struct Client {
    pub(crate) opts: ClientOptions,
    state: RefCell<TokenState>,
    /// The tools of connections, as `checkTools` fetched them: (connection, when, tools).
    pub(crate) tools: RefCell<Vec<(String, f64, ConnectionTools)>>,
    /// Who hears of the client's events (the logger and hooks of `js/observe.js`), if anyone.
    observer: Option<Function>,
    /// The number of the last call (or token request) started, for events.
    calls: Cell<u64>,
}

/// The operation a call performs: its request, whether it is safe to repeat once sent, and how
/// its answer is read.
pub(crate) struct Work {
    /// The operation's name (`getConfig`), for events.
    pub(crate) operation: &'static str,
    pub(crate) request: HttpRequest,
    pub(crate) retry_safe: bool,
    pub(crate) answer: fn(&[u8]) -> Result<Answer, SdkError>,
}

impl Work {
    /// The operation of `spec`, making `request`.
    pub(crate) fn new(spec: &Spec, request: HttpRequest) -> Work {
        Work { operation: spec.name, request, retry_safe: spec.retry_safe, answer: spec.answer }
    }

    /// Operation `O` with `input` (already checked).
    pub(crate) fn of<O: Operation>(input: &O::Input) -> Work {
        Work { operation: O::NAME, request: O::request(input), retry_safe: O::RETRY_SAFE, answer: O::answer }
    }
}

pub(crate) fn timed_out(ms: f64) -> SdkError {
    SdkError::new(ErrorKind::Timeout, code::TIMEOUT, format!("Request timed out after {} ms", ms.max(0.0).round() as u64))
}

pub(crate) fn aborted() -> SdkError {
    SdkError::new(ErrorKind::Abort, code::ABORTED, "The operation was aborted by its AbortSignal")
}

impl Stopped {
    /// The error of a call with time limit `timeout_ms` that stopped for this reason.
    pub(crate) fn error(self, timeout_ms: f64) -> SdkError {
        match self {
            Stopped::TimedOut => timed_out(timeout_ms),
            Stopped::Aborted => aborted(),
        }
    }
}

impl Client {
    pub(crate) fn new(opts: ClientOptions, observer: Option<Function>) -> Client {
        let state = TokenState { cache: TokenCache::new(), flight: None };
        Client { opts, state: RefCell::new(state), tools: RefCell::new(Vec::new()), observer, calls: Cell::new(0) }
    }

    /// The number of a call starting now.
    fn next_call(&self) -> u64 {
        self.calls.set(self.calls.get() + 1);
        self.calls.get()
    }

    /// Whether anyone hears of events: when not, none is made.
    pub(crate) fn observed(&self) -> bool {
        self.observer.is_some()
    }

    /// Tells the observer of the event `make` makes (made only when there is an observer).
    pub(crate) fn emit(&self, make: impl FnOnce() -> Event) {
        if let Some(f) = &self.observer {
            // The observer catches what a logger or hook throws; `call1` is `catch` as well.
            let _ = f.call1(&JsValue::NULL, &crate::shell::to_js(&make()));
        }
    }

    /// The redactor for this client's secrets: the client secret and the access token in use.
    pub(crate) fn redactor(&self) -> Redactor {
        self.opts.redactor(self.state.borrow().cache.token())
    }

    /// The access token to send now: the cached one, or the one the token request in flight (or
    /// a new one) brings, unless the call stops first. Leaving early does not cancel the request
    /// for the other calls waiting on it.
    async fn bearer(self: &Rc<Self>, stop: &mut Stop) -> Result<Result<Bearer, SdkError>, Stopped> {
        let (result, done) = {
            let mut st = self.state.borrow_mut();
            if let Some(b) = st.cache.bearer(now_ms()) {
                return Ok(Ok(b.clone()));
            }
            let flight = st.flight.get_or_insert_with(|| start_token_request(self.clone()));
            flight.deadline.set(flight.deadline.get().max(stop.deadline()));
            let mut resolve = None;
            let done = Promise::new(&mut |res, _| resolve = Some(res));
            flight.waiters.borrow_mut().extend(resolve);
            (flight.result.clone(), done)
        };
        // The promise only ever resolves.
        let _ = stop.run(JsFuture::from(done)).await?;
        let outcome = result.borrow().clone();
        Ok(outcome.unwrap_or_else(|| Err(SdkError::new(ErrorKind::Connection, code::INTERNAL, "the access token request ended without a result"))))
    }

    /// Forgets the token numbered `generation` (after a 401 with it, or when it could not be
    /// sent), unless a newer one replaced it meanwhile.
    fn forget(&self, generation: u64) {
        self.state.borrow_mut().cache.forget(generation);
    }

    /// The error for a connection failure with `detail` (the system error code or a message).
    fn connection_error(&self, detail: Option<&str>) -> SdkError {
        let base = &self.opts.env_url;
        let message = match detail {
            Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') => {
                format!("Could not reach {base} ({d})")
            }
            Some(d) if !d.is_empty() => format!("Could not reach {base}: {}", server_text(&self.redactor(), d)),
            _ => format!("Could not reach {base}"),
        };
        SdkError::new(ErrorKind::Connection, code::CONNECTION_ERROR, message)
    }

    /// The error for a non-2xx answer.
    fn http_error(&self, a: &Answered) -> SdkError {
        let retry_after = a.retry_after.as_deref().and_then(|v| parse_retry_after(v, now_ms()));
        SdkError::from_http(&self.redactor(), a.status, a.trace_id.as_deref(), retry_after, &String::from_utf8_lossy(&a.body))
    }
}

/// The origin of a redirect's `Location` (never its path or query, which may carry a code).
fn origin(location: &str) -> Option<&str> {
    let (scheme, rest) = location.split_once("://")?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).map_or(location.len(), |i| scheme.len() + 3 + i);
    location.get(..end)
}

/// A redirect answer: not followed, so that no credential goes to another origin than the
/// environment's.
fn redirected(status: u16, location: Option<&str>, env_url: &str) -> SdkError {
    let target = match location.map(str::trim) {
        Some(l) => match origin(l) {
            Some(o) => format!(" to {}", sanitize_message(o)),
            None => format!(" within {env_url}"),
        },
        None => String::new(),
    };
    let what = if status == 0 { "a redirect".to_owned() } else { format!("HTTP {status}") };
    let mut e = SdkError::new(
        ErrorKind::Api,
        code::REDIRECTED,
        format!("the server answered {what}, a redirect{target}; redirects are not followed, so that credentials go to {env_url} only"),
    );
    e.status = (status != 0).then_some(status);
    e
}

/// Starts the token request, `POST /oauth/token` with the client credentials, with its retries
/// (it is safe to repeat, whatever went wrong). It runs on its own, not as part of any one call:
/// for the client's `timeoutMs`, or as long as the longest call waiting for it needs.
fn start_token_request(client: Rc<Client>) -> Flight {
    let deadline = Rc::new(Cell::new(now_ms() + client.opts.timeout()));
    let flight = Flight { result: Rc::default(), waiters: Rc::default(), deadline: deadline.clone() };
    let (result, waiters) = (flight.result.clone(), flight.waiters.clone());
    spawn_local(async move {
        let outcome = match select(pin!(token_attempts(&client)), pin!(until_deadline(deadline))).await {
            Either::Left((grant, _)) => grant,
            Either::Right(_) => Err(SdkError::new(
                ErrorKind::Timeout,
                code::TIMEOUT,
                format!("the access token request timed out after {} ms", client.opts.timeout().round() as u64),
            )),
        };
        let mut st = client.state.borrow_mut();
        st.flight = None;
        let outcome = outcome.map(|grant| st.cache.store(&grant, now_ms()));
        drop(st);
        *result.borrow_mut() = Some(outcome);
        // Calls that gave up meanwhile left their promise behind: resolving it is harmless.
        for resolve in waiters.take() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    flight
}

/// Resolves once `now` passes `deadline`, which may move later meanwhile.
async fn until_deadline(deadline: Rc<Cell<f64>>) {
    loop {
        let left = deadline.get() - now_ms();
        if left <= 0.0 {
            return;
        }
        timer(left).await;
    }
}

async fn token_attempts(client: &Client) -> Result<crate::core::auth::TokenGrant, SdkError> {
    let req = token_request(&client.opts);
    let url = req.url(&client.opts.env_url);
    // It ends when its flight's deadline passes, which is not this loop's to watch.
    let mut stop = Stop::new(f64::INFINITY, None);
    let mut retries = Retries::new(true, client.opts.retries(), false);
    let mut log = Attempts::new(client, TOKEN, &req);
    loop {
        let started = log.next();
        let step = match attempt(&req, &url, None, &mut stop).await {
            Err(s) => Step::Fatal(s.error(client.opts.timeout()), None),
            Ok(Attempt::Answered(a)) => match parse_token_response(&client.redactor(), a.status, &a.body) {
                // Events give no trace id for a token granted.
                Ok(grant) => Step::Done(grant, a.status, None),
                Err(e) if (200..300).contains(&a.status) => Step::Fatal(with_trace(e, a.trace_id), Some(a.status)),
                Err(e) => {
                    let mut e = with_trace(e, a.trace_id);
                    e.retry_after_ms = a.retry_after.as_deref().and_then(|v| parse_retry_after(v, now_ms()));
                    Step::Retryable(e, Outcome::Status(a.status), Some(a.status))
                }
            },
            Ok(Attempt::Redirected { status, location }) => Step::Fatal(redirected(status, location.as_deref(), &client.opts.env_url), Some(status)),
            Ok(Attempt::Failed { outcome, detail }) => Step::Retryable(client.connection_error(detail.as_deref()), outcome, None),
            Ok(Attempt::TooLarge { status, trace_id }) => Step::Fatal(with_trace(too_large(status), trace_id), Some(status)),
            Ok(Attempt::Unusable { detail, .. }) => Step::Fatal(client.connection_error(detail.as_deref()), None),
        };
        if let Some(result) = log.settle(started, step, &mut retries, &mut stop, client.opts.timeout()).await {
            return result;
        }
    }
}

/// The name events give the token request.
const TOKEN: &str = "accessToken";

fn with_trace(mut e: SdkError, trace_id: Option<String>) -> SdkError {
    e.trace_id = e.trace_id.or(trace_id);
    e
}

fn too_large(status: u16) -> SdkError {
    SdkError::invalid_response(Some(status), "the response body is larger than 10 MiB")
}

/// How an attempt came out.
enum Step<T> {
    /// The result, from a response with this status and trace id.
    Done(T, u16, Option<String>),
    /// An error not worth another attempt (with the status, if there was an answer).
    Fatal(SdkError, Option<u16>),
    /// An error the policy may retry.
    Retryable(SdkError, Outcome, Option<u16>),
}

/// The attempts of one request (a call's, or the token request's): their numbers and the
/// events that tell of them, and what follows each.
struct Attempts<'a> {
    client: &'a Client,
    operation: &'static str,
    req: &'a HttpRequest,
    call: u64,
    number: u32,
}

impl<'a> Attempts<'a> {
    fn new(client: &'a Client, operation: &'static str, req: &'a HttpRequest) -> Attempts<'a> {
        Attempts { client, operation, req, call: client.next_call(), number: 0 }
    }

    /// Numbers the next attempt and tells of it; returns when it started.
    fn next(&mut self) -> f64 {
        self.number += 1;
        let (operation, method, call, attempt) = (self.operation, self.req.method, self.call, self.number);
        self.client.emit(|| Event::Request { operation, method, url: self.url(), call, attempt });
        now_ms()
    }

    fn url(&self) -> String {
        event_url(&self.client.opts.env_url, &self.req.path_and_query)
    }

    /// Tells how the attempt that `started` ended, and what the call does next: `decision` for a
    /// failure the policy weighed, `None` when the call is done.
    fn ended(&self, started: f64, status: Option<u16>, trace_id: Option<String>, error: Option<&SdkError>, decision: Option<Decision>) {
        let (next, wait_ms, gave_up) = match decision {
            None => (Next::Done, None, None),
            Some(Decision::Fail(why)) => (Next::Done, None, Some(why)),
            Some(Decision::Reauthenticate) => (Next::Reauthenticate, None, None),
            Some(Decision::Retry(delay)) => (Next::Retry, Some(delay), None),
        };
        self.client.emit(|| Event::Response {
            operation: self.operation,
            method: self.req.method,
            url: self.url(),
            call: self.call,
            attempt: self.number,
            status,
            duration_ms: now_ms() - started,
            trace_id,
            error: error.map(EventError::from),
            next,
            wait_ms,
            retry_after_ms: error.and_then(|e| e.retry_after_ms),
            gave_up,
        });
    }

    /// What follows the attempt that `started` and came out as `step`: its result, or `None` for
    /// another attempt (after the retry's delay, slept here). A stop while sleeping is the call's
    /// error for `timeout_ms`.
    async fn settle<T>(&self, started: f64, step: Step<T>, retries: &mut Retries, stop: &mut Stop, timeout_ms: f64) -> Option<Result<T, SdkError>> {
        let (error, outcome, status) = match step {
            Step::Done(result, status, trace_id) => {
                self.ended(started, Some(status), trace_id, None, None);
                return Some(Ok(result));
            }
            Step::Fatal(e, status) => {
                self.ended(started, status, e.trace_id.clone(), Some(&e), None);
                return Some(Err(e));
            }
            Step::Retryable(e, outcome, status) => (e, outcome, status),
        };
        let decision = retries.after(outcome, error.retry_after_ms, js_sys::Math::random(), stop.remaining());
        self.ended(started, status, error.trace_id.clone(), Some(&error), Some(decision));
        match decision {
            Decision::Fail(_) => Some(Err(error)),
            Decision::Reauthenticate => None,
            Decision::Retry(delay) => stop.sleep(delay).await.err().map(|s| Err(s.error(timeout_ms))),
        }
    }
}

/// The time a call has, and its caller's signal. A call of several requests (a check of the
/// tools, then the write; `ensureConfig`'s lookup and create or update) runs each within what is
/// left, and whichever runs out names the call's own `timeout_ms`.
pub(crate) struct Budget<'a> {
    pub(crate) signal: Option<&'a AbortSignal>,
    deadline: f64,
    timeout_ms: f64,
}

impl<'a> Budget<'a> {
    /// `timeout_ms` from now, until `signal` aborts.
    pub(crate) fn new(signal: Option<&'a AbortSignal>, timeout_ms: f64) -> Budget<'a> {
        Budget { signal, deadline: now_ms() + timeout_ms, timeout_ms }
    }
}

/// Runs one request of a call: `work` on `client`, within what is left of `budget`.
pub(crate) async fn run(client: Rc<Client>, work: &Work, budget: &Budget<'_>) -> Result<Answer, SdkError> {
    let timeout_ms = budget.timeout_ms;
    let mut stop = Stop::until(budget.deadline, budget.signal);
    let url = work.request.url(&client.opts.env_url);
    let mut retries = Retries::new(work.retry_safe, client.opts.retries(), true);
    let failed = |e: SdkError| {
        client.emit(|| Event::Failed { operation: work.operation, error: EventError::from(&e) });
        e
    };
    let mut log = Attempts::new(&client, work.operation, &work.request);
    loop {
        let bearer = match client.bearer(&mut stop).await {
            Ok(Ok(b)) => b,
            Ok(Err(e)) => return Err(failed(e)),
            Err(s) => return Err(failed(s.error(timeout_ms))),
        };
        let started = log.next();
        let step = match attempt(&work.request, &url, Some(&bearer.authorization), &mut stop).await {
            Err(s) => Step::Fatal(s.error(timeout_ms), None),
            Ok(Attempt::Answered(a)) if (200..300).contains(&a.status) => match (work.answer)(&a.body) {
                Ok(answer) => Step::Done(answer, a.status, a.trace_id),
                Err(e) => Step::Fatal(with_trace(e.with_status(a.status), a.trace_id), Some(a.status)),
            },
            Ok(Attempt::Answered(a)) => {
                let e = client.http_error(&a);
                if a.status == 401 {
                    // Revoked or expired early: forget it (unless another call already replaced
                    // it); the policy asks for a fresh one once.
                    client.forget(bearer.generation);
                }
                Step::Retryable(e, Outcome::Status(a.status), Some(a.status))
            }
            Ok(Attempt::Redirected { status, location }) => Step::Fatal(redirected(status, location.as_deref(), &client.opts.env_url), Some(status)),
            Ok(Attempt::TooLarge { status, trace_id }) => Step::Fatal(with_trace(too_large(status), trace_id), Some(status)),
            Ok(Attempt::Failed { outcome, detail }) => Step::Retryable(client.connection_error(detail.as_deref()), outcome, None),
            Ok(Attempt::Unusable { detail, headers }) => {
                if headers {
                    // The token could not be sent: it must not be sent again.
                    client.forget(bearer.generation);
                }
                Step::Fatal(client.connection_error(detail.as_deref()), None)
            }
        };
        match log.settle(started, step, &mut retries, &mut stop, timeout_ms).await {
            Some(Ok(answer)) => {
                if client.observed() {
                    for note in oddities(&answer) {
                        client.emit(|| Event::Odd { operation: work.operation, note });
                    }
                }
                return Ok(answer);
            }
            Some(Err(e)) => return Err(failed(e)),
            None => {}
        }
    }
}
