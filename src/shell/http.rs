//! One HTTP attempt: the global `fetch` with a plain init object and an `AbortController`
//! (aborted at its deadline, or by the caller's `AbortSignal` forwarded by one listener; attempts
//! without a signal that are due together share one, see [`Batch`]), the body read as text, and
//! the outcome classified for the retry policy.
//!
//! An attempt lives in [`ATTEMPTS`] under a `u32` id while its exchange runs (js/exchange.js:
//! `fetch` and the body read, which hands the outcome with that id to one of the module's
//! long-lived [`Callback`]s); one timer serves the deadlines of all attempts. When the attempt
//! ends, its listener is gone and its target gets the reply: the call it is for
//! ([`super::client::finish`]), or the token request.

use super::client::{finish, token_reply, Call, Shared};
use super::js::{callback, clear_timeout, exchange, now_ms, set_timeout, Callback, Fields, Global, Listener, Props, Response, Slab, Timer};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::ops::HttpRequest;
use crate::core::policy::{parse_retry_after, Outcome};
use crate::core::text::cat;
use crate::prelude::*;
use ::core::cell::{OnceCell, RefCell};
use alloc::rc::Rc;
use js_sys::{JsString, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

/// Bodies larger than this are refused (InvalidResponse).
pub(crate) const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// How an attempt ended.
pub(crate) enum ReplyKind {
    /// The response arrived in full.
    Done { status: u16, body: String },
    /// `fetch` rejected; `detail` is the system error code, or the message after a `:`.
    Unreachable(Option<String>),
    /// The body failed midway: the request was sent.
    Broken(Option<String>),
    TimedOut,
    Aborted,
    /// Over 10 MiB, declared or read.
    TooLarge(u16),
    /// `fetch` (or `AbortController`) threw instead of returning.
    Threw(Option<String>),
}

/// An ended attempt: how, and the response (for its headers) when there was one.
pub(crate) struct Reply {
    pub(crate) kind: ReplyKind,
    response: Option<Response>,
}

/// What an attempt came to, for the retry policy.
pub(crate) enum Attempt {
    /// A response that arrived in full (at most [`MAX_BODY_BYTES`]).
    Response { status: u16, body: String },
    /// No usable response; the policy decides on a retry from the outcome.
    Failed(SdkError, Outcome),
    /// Stop now: an oversized response, or no `fetch` to call.
    Final(SdkError),
    /// The call's deadline passed.
    TimedOut,
    /// The caller's signal aborted.
    Aborted,
}

impl Reply {
    fn new(kind: ReplyKind) -> Reply {
        Reply { kind, response: None }
    }

    /// The server's `x-trace-id`.
    pub(crate) fn trace_id(&self) -> Option<String> {
        self.response.as_ref()?.header("x-trace-id")
    }

    /// The `Retry-After` of the response, in milliseconds from now.
    pub(crate) fn retry_after_ms(&self) -> Option<u64> {
        self.response.as_ref()?.header("retry-after").and_then(|v| parse_retry_after(&v, now_ms()))
    }

    /// The reply as the policy sees it; `base` (the environment URL) names the server in
    /// connection errors. Leaves the body behind.
    pub(crate) fn classify(&mut self, base: &str) -> Attempt {
        match &mut self.kind {
            ReplyKind::Done { status, body } => Attempt::Response { status: *status, body: ::core::mem::take(body) },
            ReplyKind::TimedOut => Attempt::TimedOut,
            ReplyKind::Aborted => Attempt::Aborted,
            ReplyKind::TooLarge(status) => {
                let mut e = SdkError::invalid_response(Some(*status), "the response body is larger than 10 MiB");
                e.trace_id = self.trace_id();
                Attempt::Final(e)
            }
            ReplyKind::Unreachable(d) => {
                let (e, o) = connection_error(base, d.as_deref());
                Attempt::Failed(e, o)
            }
            ReplyKind::Broken(d) => Attempt::Failed(connection_error(base, d.as_deref()).0, Outcome::MaybeSent),
            ReplyKind::Threw(d) => Attempt::Final(connection_error(base, d.as_deref()).0),
        }
    }
}

/// The error of a fetch rejection, and whether the request surely did not go out (refused,
/// DNS) or may have (reset, TLS, ...).
fn connection_error(base: &str, detail: Option<&str>) -> (SdkError, Outcome) {
    let mut msg = cat(&["Could not reach ", base]);
    let mut not_sent = false;
    if let Some(d) = detail {
        match d.strip_prefix(':') {
            Some(message) => {
                msg.push_str(": ");
                msg.push_str(message);
            }
            None => {
                not_sent = matches!(d, "ECONNREFUSED" | "ENOTFOUND" | "EAI_AGAIN" | "ConnectionRefused");
                msg.push_str(" (");
                msg.push_str(d);
                msg.push(')');
            }
        }
    }
    let e = SdkError::new(ErrorKind::Connection, "CONNECTION_ERROR", msg);
    (e, if not_sent { Outcome::NotSent } else { Outcome::MaybeSent })
}

/// What a fetch rejection says: `err.cause.code` (Node/undici put the system error there) or
/// `err.code` (Bun), else `:` and its message.
fn failure(err: &JsValue) -> Option<String> {
    let err: &Props = err.unchecked_ref();
    let cause_code = err.cause().ok().and_then(|c| c.code().ok()).and_then(|c| c.as_string());
    if let Some(code) = cause_code.or_else(|| err.code().ok().and_then(|c| c.as_string())) {
        return Some(code);
    }
    err.message().ok().and_then(|m| m.as_string()).map(|m| cat(&[":", &m]))
}

/// Headers of requests made with one access token (made once per token), and the `fetch` init
/// objects that carry them, by method and whether there is a body. `fetch` reads its init at
/// once, so one object serves every attempt: each sets its own `signal` (and `body`) on it.
pub(crate) struct Headers {
    authorization: JsValue,
    plain: Fields,
    json: Fields,
    inits: RefCell<Vec<(&'static str, bool, Fields)>>,
}

fn fields() -> Fields {
    Object::new().unchecked_into()
}

/// `accept: application/json`, the `authorization` value if any, and a `content-type`.
fn make_headers(authorization: Option<&JsValue>, content_type: Option<&str>) -> Fields {
    let h = fields();
    h.set_accept("application/json");
    if let Some(a) = authorization {
        h.set_authorization(a);
    }
    if let Some(t) = content_type {
        let _ = js_sys::Reflect::set(&h, &JsValue::from_str("content-type"), &JsValue::from_str(t));
    }
    h
}

impl Headers {
    /// The headers for `authorization` (the header's value).
    pub(crate) fn new(authorization: &str) -> Headers {
        let authorization = JsValue::from_str(authorization);
        let plain = make_headers(Some(&authorization), None);
        let json = make_headers(Some(&authorization), Some(JSON));
        Headers { authorization, plain, json, inits: RefCell::new(Vec::new()) }
    }

    /// The init object for `req` (its `signal` and `body` still to set): a shared one for the
    /// usual requests, else one made for it.
    fn init(auth: Option<&Headers>, req: &HttpRequest) -> Fields {
        let body = req.body.is_some();
        let content_type = req.body.as_ref().map(|_| req.content_type.unwrap_or(JSON));
        let Some(h) = auth.filter(|_| matches!(content_type, None | Some(JSON))) else {
            let init = fields();
            init.set_method(req.method);
            init.set_headers(&make_headers(auth.map(|h| &h.authorization), content_type));
            return init;
        };
        if let Ok(inits) = h.inits.try_borrow() {
            if let Some((_, _, init)) = inits.iter().find(|(m, b, _)| *m == req.method && *b == body) {
                return AsRef::<JsValue>::as_ref(init).clone().unchecked_into();
            }
        }
        let init = fields();
        init.set_method(req.method);
        init.set_headers(if body { &h.json } else { &h.plain });
        if let Ok(mut inits) = h.inits.try_borrow_mut() {
            inits.push((req.method, body, AsRef::<JsValue>::as_ref(&init).clone().unchecked_into()));
        }
        init
    }
}

const JSON: &str = "application/json";

/// What an attempt is for: the next attempt of a call, or of the token request. Whichever it is
/// gets the reply when the attempt ends.
pub(crate) enum Target {
    Call(Call),
    Token { shared: Rc<Shared>, url: String, req: HttpRequest },
}

struct Flight {
    ctl: AbortController,
    /// `Date.now()` time at which the attempt is aborted as timed out.
    deadline: f64,
    /// Whether `ctl` is a [`Batch`]'s, shared with other attempts due at the same time.
    batched: bool,
    /// The listener that forwards the `abort` of the caller's signal.
    listener: Option<Listener>,
    /// Why the controller was aborted (`TimedOut` or `Aborted`), if it was.
    stopped: Option<ReplyKind>,
    /// Who gets the reply.
    target: Target,
}

static ATTEMPTS: Global<Slab<Flight>> = Global(Slab::new());

static ON_SETTLED: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_FAILED: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_ALARM: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_ABORT: Global<OnceCell<Callback>> = Global(OnceCell::new());

/// Starts one attempt for `target` at `now`. `auth` holds the headers to send (`None`: `accept`
/// and the content type only); the attempt is aborted at `deadline` (both `Date.now()` times,
/// an attempt with no time left does not start). The promise settles when
/// the attempt ends, with what the target's handler gives ([`finish`] for a call). An attempt
/// that cannot start gives back its reply and its target at once (rarely: no need to box them).
#[allow(clippy::result_large_err)]
pub(crate) fn start(target: Target, auth: Option<&Headers>, deadline: f64, now: f64) -> Result<Promise, (Reply, Target)> {
    let (url, req, signal) = match &target {
        Target::Call(c) => (c.url(), c.request(), c.signal()),
        Target::Token { url, req, .. } => (url.as_str(), req, None),
    };
    let early = if signal.is_some_and(AbortSignal::aborted) {
        ReplyKind::Aborted
    } else if (deadline - now).is_nan() || deadline <= now {
        ReplyKind::TimedOut
    } else if let Some((ctl, ctl_signal, deadline, batched)) = controller(deadline, signal.is_some()) {
        let init = Headers::init(auth, req);
        if let Some(body) = &req.body {
            init.set_body(body);
        }
        init.set_signal(&ctl_signal);
        let url = JsValue::from_str(url);
        let signal = signal.cloned();
        let flight = Flight { ctl, deadline, batched, listener: None, stopped: None, target };
        let id = match ATTEMPTS.0.insert(flight) {
            Ok(id) => id,
            Err(f) => return Err((Reply::new(ReplyKind::Threw(Some(":too many requests in flight".to_owned()))), f.target)),
        };
        let sent = exchange(&url, &init, MAX_BODY_BYTES as f64, id, callback(&ON_SETTLED, on_settled).function(), callback(&ON_FAILED, on_failed).function());
        let promise = match sent {
            Ok(p) => p,
            Err(e) => {
                let kind = ReplyKind::Threw(failure(&e));
                return match ATTEMPTS.0.take(id) {
                    Some(f) => Err((Reply::new(kind), f.target)),
                    None => Ok(Promise::resolve(&JsValue::UNDEFINED)),
                };
            }
        };
        arm(deadline, now);
        if let Some(s) = signal {
            let listener = callback(&ON_ABORT, on_abort).on_abort_of(&s, id);
            with_flight(id, |flight| flight.listener = Some(listener));
        }
        return Ok(promise);
    } else {
        ReplyKind::Threw(Some(":AbortController is not available".to_owned()))
    };
    Err((Reply::new(early), target))
}

/// Ends attempt `id`: clears its timer and listener, then hands the reply to its target.
fn land(id: u32, kind: ReplyKind, response: Option<Response>) -> Result<JsValue, JsValue> {
    let Some(flight) = ATTEMPTS.0.take(id) else { return Ok(JsValue::UNDEFINED) };
    let Flight { listener, stopped, target, .. } = flight;
    if ATTEMPTS.0.is_empty() {
        disarm();
    }
    drop(listener);
    // An attempt whose controller was aborted ended for that reason, whatever fetch said.
    let reply = Reply { kind: stopped.unwrap_or(kind), response };
    match target {
        Target::Call(call) => finish(call, reply),
        Target::Token { shared, .. } => {
            token_reply(shared, reply);
            Ok(JsValue::UNDEFINED)
        }
    }
}

/// Runs `f` on attempt `id` while it flies.
fn with_flight<T>(id: u32, f: impl FnOnce(&mut Flight) -> T) -> Option<T> {
    ATTEMPTS.0.with(id, f)
}

/// Aborts attempt `id`'s fetch, recording why. A batch's controller is aborted when its deadline
/// passes, for every attempt in it at once; no later attempt joins it.
fn stop(id: u32, why: ReplyKind) {
    let ctl = with_flight(id, |f| {
        if f.stopped.is_none() {
            f.stopped = Some(why);
        }
        (f.ctl.clone(), f.batched.then_some(f.deadline))
    });
    let Some((ctl, batch)) = ctl else { return };
    if let (Some(at), Ok(mut current)) = (batch, BATCH.0.try_borrow_mut()) {
        if current.as_ref().is_some_and(|b| b.at == at) {
            *current = None;
        }
    }
    ctl.abort();
}

/// Deadlines of attempts without a caller's signal are rounded up to a multiple of this many
/// milliseconds, so that attempts started close together are due together and share one
/// `AbortController`: making a controller and its signal costs more than the rest of an
/// attempt's set-up in Node.
const BATCH_MS: f64 = 16.0;

/// At most this many attempts share a controller (`fetch` leaves a listener on the signal until
/// the request is collected).
const BATCH_USES: u32 = 32;

/// The controller that attempts due at `at` share.
struct Batch {
    ctl: AbortController,
    signal: AbortSignal,
    at: f64,
    uses: u32,
}

/// The newest batch; an attempt due at another time starts a new one.
static BATCH: Global<RefCell<Option<Batch>>> = Global(RefCell::new(None));

/// The controller of an attempt due at `deadline`, its signal, when it is aborted, and whether it
/// is a batch's: a controller of its own for an attempt that follows a caller's signal (which
/// aborts it alone), else the batch's, at `deadline` rounded up to [`BATCH_MS`].
fn controller(deadline: f64, own: bool) -> Option<(AbortController, AbortSignal, f64, bool)> {
    let mut batch = None;
    if !own && deadline < 9.0e15 {
        let mut at = (deadline / BATCH_MS) as u64 as f64 * BATCH_MS;
        if at < deadline {
            at += BATCH_MS;
        }
        if let Ok(mut current) = BATCH.0.try_borrow_mut() {
            if let Some(b) = current.as_mut().filter(|b| b.at == at && b.uses < BATCH_USES) {
                b.uses += 1;
                return Some((b.ctl.clone(), b.signal.clone(), at, true));
            }
            batch = Some(at);
        }
    }
    // No borrow is held while JavaScript makes the controller.
    let ctl = AbortController::new().ok()?;
    let signal = ctl.signal();
    match (batch, BATCH.0.try_borrow_mut()) {
        (Some(at), Ok(mut current)) => {
            *current = Some(Batch { ctl: ctl.clone(), signal: signal.clone(), at, uses: 1 });
            Some((ctl, signal, at, true))
        }
        _ => Some((ctl, signal, deadline, false)),
    }
}

/// The one timer of the attempts' deadlines: armed for the earliest one, it aborts what is due
/// and arms itself again for what is left. An attempt whose deadline is no earlier than the armed
/// one costs no timer of its own, which is every attempt of calls with the same timeout.
struct Alarm {
    at: f64,
    timer: JsValue,
    /// An `unref`ed timer (Node, Bun) does not keep the process alive, so it may stay armed
    /// when no attempt is left; others are cleared then.
    unref: bool,
}

static ALARM: Global<RefCell<Option<Alarm>>> = Global(RefCell::new(None));

/// Larger delays overflow `setTimeout` (a 32-bit signed int) and fire at once.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Makes sure the timer fires by `at` (a `Date.now()` time; the time is `now`).
fn arm(at: f64, now: f64) {
    let Ok(mut alarm) = ALARM.0.try_borrow_mut() else { return };
    if alarm.as_ref().is_some_and(|a| a.at <= at) {
        return;
    }
    if let Some(old) = alarm.take() {
        clear_timeout(&old.timer);
    }
    let timer = set_timeout(callback(&ON_ALARM, on_alarm).function(), (at - now).clamp(0.0, MAX_TIMER_MS), 0);
    let unref = timer.unchecked_ref::<Timer>().unref().is_ok();
    *alarm = Some(Alarm { at, timer, unref });
}

/// Clears the timer, unless it does not keep the process alive.
fn disarm() {
    if let Ok(mut alarm) = ALARM.0.try_borrow_mut() {
        if alarm.as_ref().is_some_and(|a| !a.unref) {
            if let Some(old) = alarm.take() {
                clear_timeout(&old.timer);
            }
        }
    }
}

fn on_alarm(_: u32, _: JsValue, _: JsValue) -> Result<JsValue, JsValue> {
    if let Ok(mut alarm) = ALARM.0.try_borrow_mut() {
        *alarm = None;
    }
    let now = now_ms();
    // Due within the timer's millisecond granularity.
    let due = now + 1.0;
    let mut expired = Vec::new();
    let mut next = f64::INFINITY;
    ATTEMPTS.0.each(|id, f| {
        if f.deadline <= due {
            expired.push(id);
        } else if f.deadline < next {
            next = f.deadline;
        }
    });
    for id in expired {
        stop(id, ReplyKind::TimedOut);
    }
    if next.is_finite() {
        arm(next, now);
    }
    Ok(JsValue::UNDEFINED)
}

fn on_abort(id: u32, _: JsValue, _: JsValue) -> Result<JsValue, JsValue> {
    stop(id, ReplyKind::Aborted);
    Ok(JsValue::UNDEFINED)
}

/// The exchange of attempt `id` ended with a response: `text` is its body, `null` when it
/// declared more than [`MAX_BODY_BYTES`], `undefined` when `fetch` (replaced, say) resolved with
/// something else than a `Response`.
fn on_settled(id: u32, res: JsValue, text: JsValue) -> Result<JsValue, JsValue> {
    if text.is_undefined() {
        return land(id, ReplyKind::Threw(Some(":fetch did not return a Response".to_owned())), None);
    }
    let res: Response = res.unchecked_into();
    let status = res.status();
    // The UTF-16 length first (cheap, no copy), then the UTF-8 length of the copy.
    let kind = if text.is_null() || text.unchecked_ref::<JsString>().length() as usize > MAX_BODY_BYTES {
        ReplyKind::TooLarge(status)
    } else {
        let body = text.as_string().unwrap_or_default();
        if body.len() > MAX_BODY_BYTES {
            ReplyKind::TooLarge(status)
        } else {
            ReplyKind::Done { status, body }
        }
    };
    land(id, kind, Some(res))
}

/// `fetch` rejected (the request may not have gone out), or the body read failed (`midway`: it
/// did).
fn on_failed(id: u32, err: JsValue, midway: JsValue) -> Result<JsValue, JsValue> {
    let detail = failure(&err);
    land(id, if midway.is_truthy() { ReplyKind::Broken(detail) } else { ReplyKind::Unreachable(detail) }, None)
}
