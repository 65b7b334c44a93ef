//! The HTTP side of the mock: hyper's HTTP/1 server with a header-read
//! timeout (slowloris) and graceful shutdown, axum's body types, and the
//! request handler.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use bytes::Bytes;
use codegen::spec::{MediaKind, ParamIn};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use super::auth::Credentials;
use super::canned::Canned;
use super::form::{fields_to_json, parse_form, parse_multipart};
use super::inject;
use super::lifecycle::{Call, Ledger};
use super::routes::{Matched, MockOperation, ParamCheck, Routes};
use super::webhook::{Delivery, Notifier};
use crate::drift::field_errors;
use crate::validators::{OperationEntry, RequestEntry, Validators};

/// How the mock listens and what it tolerates.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub seed: u64,
    /// Larger request bodies get 413.
    pub body_limit: usize,
    /// A request whose headers or body take longer is dropped (408 for a slow body).
    pub read_timeout: Duration,
    /// Open connections served at once, so a flood of connections cannot
    /// exhaust memory or file descriptors (the default stays under the
    /// common `ulimit -n` of 1024). At the cap a new client takes the
    /// place of the oldest idle connection (silent, or kept alive between
    /// requests); only when every connection is mid-request does it wait.
    pub max_connections: usize,
    /// The only credentials accepted (each under the schemes an operation declares).
    pub credentials: Credentials,
    /// Answer every request on its own (canned), remembering nothing.
    pub stateless: bool,
    /// Sessions (and customers) remembered; past it the oldest is forgotten.
    pub session_cap: usize,
    /// Completed payments are POSTed here, signed (stateful mode only).
    pub webhook_url: Option<String>,
    /// The merchant's webhook key: signs webhooks and payment results.
    pub webhook_key: String,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: 0,
            body_limit: 1 << 20,
            read_timeout: Duration::from_secs(5),
            max_connections: 768,
            credentials: Credentials::default(),
            stateless: false,
            session_cap: 10_000,
            webhook_url: None,
            webhook_key: "mock-webhook-key".into(),
        }
    }
}

struct State {
    validators: Arc<Validators>,
    routes: Routes,
    config: MockConfig,
    /// `None` when stateless.
    ledger: Option<Arc<Ledger>>,
    /// `None` when stateless.
    notifier: Option<Arc<Notifier>>,
}

/// A running mock; [`MockServer::shutdown`] stops it (dropping it stops accepting too).
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    ledger: Option<Arc<Ledger>>,
    notifier: Option<Arc<Notifier>>,
}

impl MockServer {
    /// Builds the route table, pre-generates responses and starts listening
    /// on 127.0.0.1 (must run inside a tokio runtime).
    pub async fn start(validators: Arc<Validators>, config: MockConfig) -> std::io::Result<Self> {
        let routes = Routes::build(&validators, config.seed).map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let ledger = (!config.stateless).then(|| {
            Arc::new(Ledger::new(
                config.session_cap,
                routes.card_list(),
                config.webhook_key.clone(),
            ))
        });
        // Stateful: notifications go to a session's own loopback
        // `webhook_url`, else to the configured one.
        let notifier = ledger
            .is_some()
            .then(|| Arc::new(Notifier::new(config.webhook_url.clone())));
        let state = Arc::new(State {
            validators,
            routes,
            config,
            ledger: ledger.clone(),
            notifier: notifier.clone(),
        });
        let task = tokio::spawn(accept_loop(listener, state, stopped));
        Ok(Self {
            addr,
            stop,
            task: Some(task),
            ledger,
            notifier,
        })
    }

    /// Forgets every session and saved card (a stateless mock has none).
    pub fn reset(&self) {
        if let Some(l) = &self.ledger {
            l.reset();
        }
    }

    /// Webhook deliveries finished so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.notifier.as_ref().map(|n| n.log()).unwrap_or_default()
    }

    /// Sessions remembered now (0 when stateless).
    pub fn sessions(&self) -> usize {
        self.ledger.as_ref().map_or(0, |l| l.sessions())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish (at most 2 s), frees the port.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(3), task).await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// One open connection as the accept loop sees it.
#[derive(Default)]
struct Slot {
    /// Requests being handled on it now.
    in_flight: AtomicUsize,
    /// Told to close when idle (a new client needs its place).
    evict: Notify,
    closed: AtomicBool,
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    // Oldest first; closed ones are dropped from the front as they are met.
    let mut slots: VecDeque<Arc<Slot>> = VecDeque::new();
    let max = state.config.max_connections.max(1);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        while connections.try_join_next().is_some() {}
        slots.retain(|s| !s.closed.load(Ordering::Acquire));
        if connections.len() >= max {
            // At the cap: an idle connection (silent, or kept alive between
            // requests) gives its place to the new client, oldest first;
            // when every one is mid-request, the new client waits for one to end.
            match slots
                .iter()
                .position(|s| s.in_flight.load(Ordering::Acquire) == 0)
            {
                Some(i) => {
                    if let Some(slot) = slots.remove(i) {
                        slot.evict.notify_one();
                    }
                }
                None => {
                    tokio::select! {
                        _ = connections.join_next() => {}
                        _ = stopped.changed() => break,
                    }
                }
            }
        }
        let _ = stream.set_nodelay(true);
        let slot = Arc::new(Slot::default());
        slots.push_back(slot.clone());
        connections.spawn(serve_connection(
            stream,
            state.clone(),
            stopped.clone(),
            slot,
        ));
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    state: Arc<State>,
    mut stopped: watch::Receiver<bool>,
    slot: Arc<Slot>,
) {
    let io = TokioIo::new(stream);
    let timeout = state.config.read_timeout;
    let counter = slot.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let state = state.clone();
        let counter = counter.clone();
        counter.in_flight.fetch_add(1, Ordering::AcqRel);
        async move {
            let response = handle(&state, req).await;
            counter.in_flight.fetch_sub(1, Ordering::AcqRel);
            Ok::<_, Infallible>(response)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_buf_size(64 * 1024)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = slot.evict.notified() => {
            // Idle when chosen: a response still being written finishes.
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_millis(500), conn).await;
        }
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
        }
    }
    slot.closed.store(true, Ordering::Release);
}

fn json_response(status: u16, body: Bytes) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn detail(status: u16, message: &str) -> Response<Body> {
    json_response(
        status,
        Bytes::from(json!({ "detail": message }).to_string()),
    )
}

/// `X-Mock-Capture: manual` on a payment: it is only authorized, to be
/// captured or voided by an operation (as with a gateway in authorize mode).
pub const AUTHORIZE_ONLY_HEADER: &str = "x-mock-capture";

/// `POST` here forgets every session and card (no spec path starts with `/__mock/`).
pub const RESET_PATH: &str = "/__mock/reset";

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    if path == RESET_PATH && parts.method == axum::http::Method::POST {
        if let Some(l) = &state.ledger {
            l.reset();
        }
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        return r;
    }
    let (op, path_params) = match state.routes.find(&parts.method, path) {
        Matched::Found(op, params) => (op, params),
        Matched::MethodNotAllowed(allow) => {
            let mut r = detail(405, &format!("Method \"{}\" not allowed.", parts.method));
            if let Ok(v) = HeaderValue::from_str(&allow) {
                r.headers_mut().insert(header::ALLOW, v);
            }
            return r;
        }
        Matched::NotFound => return detail(404, "Not found."),
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if let Some(why) = op.admits.check(&state.config.credentials, authorization) {
        return detail(401, why);
    }
    let query: Vec<(String, String)> = parts.uri.query().map(parse_form).unwrap_or_default();
    let given = Given {
        query: &query,
        path: &path_params,
        headers: &parts.headers,
    };
    let mut errors = param_errors(op, &given);
    if let Some(name) = bad_path_param(op, &given) {
        // Django routes by the path pattern: a value outside it matches no
        // URL, so Ottu answers 404. Where the operation documents no 404
        // but a 400, the mock answers the documented one, a field error.
        if entry_documents(state, op, 404) || !entry_documents(state, op, 400) {
            return detail(404, "Not found.");
        }
        errors.push((name.to_string(), "Not a valid value.".into()));
    }
    let entry = &state.validators.operations[op.index];
    let mut body_value = None;
    if !entry.request.is_empty() {
        match body_errors(state, entry, &parts.headers, body).await {
            Ok((found, value)) => {
                errors.extend(found);
                body_value = Some(value);
            }
            Err(refused) => return refused.response(),
        }
    }
    if !errors.is_empty() {
        return field_errors_response(state, op, errors);
    }
    // The lifecycle answers, unless the client chose a documented response.
    if let (Some(ledger), Some(role)) = (&state.ledger, &op.role)
        && !parts.headers.contains_key("prefer")
        && !parts.headers.contains_key("x-mock-response")
        && !parts.headers.contains_key("x-mock-drift")
    {
        let idempotency_key = entry
            .policy
            .idempotency_header
            .as_deref()
            .and_then(|h| parts.headers.get(h))
            .and_then(|v| v.to_str().ok())
            .filter(|k| !k.is_empty());
        let call = Call {
            body: body_value.as_ref(),
            path: &path_params,
            query: &query,
            idempotency_key,
            authorize_only: parts
                .headers
                .get(AUTHORIZE_ONLY_HEADER)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"manual")),
        };
        if let Some(outcome) = ledger.answer(role, &call) {
            let (status, body) = outcome.answer;
            if let (Some(notifier), Some(notice)) = (&state.notifier, outcome.notice) {
                notifier.send(notice.session_id, notice.url, notice.body);
            }
            return match body {
                Some(b) => json_response(status, b),
                None => {
                    let mut r = Response::new(Body::empty());
                    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                    r
                }
            };
        }
    }
    respond(op, &parts.headers)
}

/// The parameters a request carries, where the mock looks for them.
struct Given<'a> {
    query: &'a [(String, String)],
    path: &'a [(&'a str, String)],
    headers: &'a HeaderMap,
}

impl Given<'_> {
    fn raw(&self, p: &ParamCheck) -> Option<String> {
        match p.location {
            ParamIn::Query => self
                .query
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.clone()),
            ParamIn::Path => self
                .path
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.clone()),
            ParamIn::Header => self
                .headers
                .get(p.name.as_str())
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            ParamIn::Cookie => None,
        }
    }
}

fn param_value(p: &ParamCheck, raw: String) -> Value {
    if p.as_string {
        Value::String(raw)
    } else {
        serde_json::from_str(&raw).unwrap_or(Value::String(raw))
    }
}

/// The first path parameter whose value its schema refuses.
fn bad_path_param<'a>(op: &'a MockOperation, given: &Given<'_>) -> Option<&'a str> {
    op.params
        .iter()
        .filter(|p| p.location == ParamIn::Path)
        .find(|p| {
            given
                .raw(p)
                .is_some_and(|raw| !p.validator.is_valid(&param_value(p, raw)))
        })
        .map(|p| p.name.as_str())
}

/// Whether the operation documents `status` (exactly, by range or `default`).
fn entry_documents(state: &State, op: &MockOperation, status: u16) -> bool {
    state.validators.operations[op.index]
        .response(status)
        .is_some()
}

/// Query and header parameters against their schemas, as DRF words it.
fn param_errors(op: &MockOperation, given: &Given<'_>) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    for p in op.params.iter().filter(|p| p.location != ParamIn::Path) {
        match given.raw(p) {
            None if p.required => errors.push((p.name.clone(), "This field is required.".into())),
            None => {}
            Some(raw) => {
                for (_, m) in field_errors(&p.validator, &param_value(p, raw)) {
                    errors.push((p.name.clone(), m));
                }
            }
        }
    }
    errors
}

/// Why the mock refuses a request before judging it: answered as
/// `{"detail": message}` with this status.
struct Refusal(u16, String);

impl Refusal {
    fn response(&self) -> Response<Body> {
        detail(self.0, &self.1)
    }
}

/// The request body's field errors and the body as JSON, or the response
/// that refuses it (413, 408, 415, malformed JSON, not an object).
async fn body_errors(
    state: &State,
    entry: &OperationEntry,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<(Vec<(String, String)>, Value), Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let media = content_type.map(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let bytes = read_body(state, headers, body).await?;
    if bytes.is_empty() && media.is_none() && !entry.request_required {
        // No body where the body is optional: nothing to judge.
        return Ok((Vec::new(), Value::Object(Default::default())));
    }
    if bytes.is_empty() && media.is_none() {
        // No body and no type: DRF parses nothing and judges empty data
        // (its field errors), never a 415 (which three of Ottu's
        // operations do not document).
        if let Some(first) = entry.request.first() {
            let value = Value::Object(Map::new());
            let errors = field_errors(first.compiled.validator(), &value);
            return Ok((errors, value));
        }
    }
    let media = media.unwrap_or_else(|| "application/json".into());
    let Some(req_entry) = entry
        .request
        .iter()
        .find(|r| r.media_type.eq_ignore_ascii_case(&media))
    else {
        return Err(Refusal(
            415,
            format!(
                "Unsupported media type \"{}\" in request.",
                crate::drift::excerpt(&media, 60)
            ),
        ));
    };
    let value = body_value(state, req_entry, content_type.unwrap_or(&media), &bytes)?;
    if !value.is_object() {
        return Err(Refusal(400, "Invalid data. Expected a dictionary.".into()));
    }
    let validator = &req_entry.compiled.validator();
    let errors = if validator.is_valid(&value) {
        Vec::new()
    } else {
        field_errors(validator, &value)
    };
    Ok((errors, value))
}

/// The whole body within the limit and the read timeout, or the 413, 408
/// or 400 that ends the request.
async fn read_body(state: &State, headers: &HeaderMap, body: Incoming) -> Result<Bytes, Refusal> {
    let limit = state.config.body_limit;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > limit as u64) {
        // Read (and drop) a moderately oversized body first: a client
        // that writes its whole body before reading would otherwise hit
        // a reset instead of seeing the 413. A huge one is not worth it,
        // nor waiting on a client that stops sending (a pause of 250 ms).
        if n <= 4 * limit as u64 {
            let mut body = body;
            let _ = tokio::time::timeout(state.config.read_timeout, async {
                while let Ok(Some(Ok(_))) =
                    tokio::time::timeout(Duration::from_millis(250), body.frame()).await
                {
                }
            })
            .await;
        }
        return Err(Refusal(413, format!("Request body exceeds {limit} bytes.")));
    }
    match tokio::time::timeout(
        state.config.read_timeout,
        Limited::new(body, limit).collect(),
    )
    .await
    {
        Err(_) => Err(Refusal(408, "Request body timed out.".into())),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            Err(Refusal(413, format!("Request body exceeds {limit} bytes.")))
        }
        Ok(Err(_)) => Err(Refusal(400, "Malformed request body.".into())),
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// The body as the JSON the schema judges: parsed JSON (blank is `{}`),
/// urlencoded or multipart fields; a media type the mock cannot read
/// (declared, but neither JSON nor form) is a 415.
fn body_value(
    state: &State,
    req_entry: &RequestEntry,
    content_type: &str,
    bytes: &[u8],
) -> Result<Value, Refusal> {
    let spec = &state.validators.spec;
    let schema = &req_entry.compiled.schema();
    match req_entry.kind {
        MediaKind::Json if bytes.iter().all(u8::is_ascii_whitespace) => {
            Ok(Value::Object(Map::new()))
        }
        MediaKind::Json => serde_json::from_slice::<Value>(bytes)
            .map_err(|e| Refusal(400, format!("JSON parse error - {e}"))),
        MediaKind::Form => Ok(fields_to_json(
            spec,
            schema,
            parse_form(&String::from_utf8_lossy(bytes)),
        )),
        MediaKind::Multipart => parse_multipart(content_type, bytes)
            .map(|pairs| fields_to_json(spec, schema, pairs))
            .map_err(|why| Refusal(400, format!("Multipart form parse error - {why}"))),
        _ => Err(Refusal(
            415,
            format!(
                "Unsupported media type \"{}\" in request (the mock reads JSON, form and multipart bodies).",
                crate::drift::excerpt(content_type, 60)
            ),
        )),
    }
}

/// 400 `{"field": ["message", ...]}`, as DRF answers.
/// DRF's field errors (`{"field": ["message"]}`), in the shape the
/// operation's 400 documents: the list form, else one message per field
/// (the upload's failures), else the documented 400 as generated.
fn field_errors_response(
    state: &State,
    op: &MockOperation,
    errors: Vec<(String, String)>,
) -> Response<Body> {
    let mut grouped: Map<String, Value> = Map::new();
    let mut first: Map<String, Value> = Map::new();
    for (field, message) in errors {
        first
            .entry(field.clone())
            .or_insert_with(|| Value::String(message.clone()));
        if let Value::Array(list) = grouped
            .entry(field)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(Value::String(message));
        }
    }
    let documented = state.validators.operations[op.index]
        .response(400)
        .and_then(|r| r.json_schema());
    let Some(compiled) = documented else {
        return json_response(400, Bytes::from(Value::Object(grouped).to_string()));
    };
    for body in [Value::Object(grouped), Value::Object(first)] {
        if state.validators.conforms(compiled, &body) {
            return json_response(400, Bytes::from(body.to_string()));
        }
    }
    match op.canned.iter().find(|c| c.status == 400) {
        Some(c) => canned_response(c),
        None => detail(400, "Invalid request."),
    }
}

/// The canned response the request asks for (`Prefer`/`X-Mock-Response`), drifted if asked.
fn respond(op: &MockOperation, headers: &HeaderMap) -> Response<Body> {
    let prefer = headers
        .get("prefer")
        .or_else(|| headers.get("x-mock-response"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let canned = match choose(op, prefer) {
        Some(c) => c,
        None => {
            return detail(
                400,
                &format!(
                    "No documented response of `{}` matches `{}`.",
                    op.id,
                    crate::drift::excerpt(prefer, 80)
                ),
            );
        }
    };
    let drift = headers.get("x-mock-drift").and_then(|v| v.to_str().ok());
    let Some(drift) = drift else {
        return canned_response(canned);
    };
    match inject::apply(canned, drift) {
        // Nothing to drift here: the documented response, marked, so a
        // suite injecting drift everywhere sees no false finding.
        Ok(None) => {
            let mut r = canned_response(canned);
            r.headers_mut()
                .insert("x-mock-drift-applied", HeaderValue::from_static("none"));
            r
        }
        Ok(Some(d)) => {
            let mut r = Response::new(Body::from(d.body));
            *r.status_mut() = StatusCode::from_u16(d.status).unwrap_or(StatusCode::OK);
            if let Some(ct) = d.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                r.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            if let Some(p) = d.pointer.and_then(|p| HeaderValue::from_str(&p).ok()) {
                r.headers_mut().insert("x-mock-drift-pointer", p);
            }
            r
        }
        Err(why) => detail(400, &why),
    }
}

fn canned_response(c: &Canned) -> Response<Body> {
    let mut r = Response::new(Body::from(c.body.clone()));
    *r.status_mut() = StatusCode::from_u16(c.status).unwrap_or(StatusCode::OK);
    if let Some(ct) = c
        .content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        r.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    r
}

/// `code=400, example=redirect` (also `;`-separated, or a bare `400` / `redirect`).
fn choose<'a>(op: &'a MockOperation, prefer: &str) -> Option<&'a Canned> {
    let mut code: Option<u16> = None;
    let mut example: Option<String> = None;
    for part in prefer
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("code") => {
                code = Some(v.trim().trim_matches('"').parse().ok()?)
            }
            Some((k, v)) if k.trim().eq_ignore_ascii_case("example") => {
                example = Some(v.trim().trim_matches('"').to_ascii_lowercase())
            }
            Some(_) => {}
            None => match part.parse::<u16>() {
                Ok(c) => code = Some(c),
                Err(_) => example = Some(part.to_ascii_lowercase()),
            },
        }
    }
    if code.is_none() && example.is_none() {
        return op.canned.get(op.default);
    }
    op.canned.iter().find(|c| {
        code.is_none_or(|s| c.status == s) && example.as_deref().is_none_or(|e| c.label.contains(e))
    })
}
