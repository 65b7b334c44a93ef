//! The HTTP side of the mock: hyper's HTTP/1 server with a header-read
//! timeout (slowloris) and graceful shutdown, axum's body types, and the
//! request handler.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use base64::Engine;
use bytes::Bytes;
use codegen::spec::MediaKind;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::canned::Canned;
use super::form::parse_form;
use super::inject;
use super::routes::{Matched, MockOperation, Routes};
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
    /// Open connections served at once; further clients wait in the
    /// listen backlog until one closes, so a flood of connections cannot
    /// exhaust memory or file descriptors (the default stays under the
    /// common `ulimit -n` of 1024).
    pub max_connections: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: 0,
            body_limit: 1 << 20,
            read_timeout: Duration::from_secs(5),
            max_connections: 768,
        }
    }
}

struct State {
    validators: Arc<Validators>,
    routes: Routes,
    config: MockConfig,
}

/// A running mock; [`MockServer::shutdown`] stops it (dropping it stops accepting too).
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockServer {
    /// Builds the route table, pre-generates responses and starts listening
    /// on 127.0.0.1 (must run inside a tokio runtime).
    pub async fn start(validators: Arc<Validators>, config: MockConfig) -> std::io::Result<Self> {
        let routes = Routes::build(&validators, config.seed).map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let state = Arc::new(State {
            validators,
            routes,
            config,
        });
        let task = tokio::spawn(accept_loop(listener, state, stopped));
        Ok(Self {
            addr,
            stop,
            task: Some(task),
        })
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

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    let max = state.config.max_connections.max(1);
    loop {
        if connections.len() >= max {
            // At the cap: accept nothing until a connection ends.
            tokio::select! {
                _ = connections.join_next() => continue,
                _ = stopped.changed() => break,
            }
        }
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                connections.spawn(serve_connection(stream, state.clone(), stopped.clone()));
                while connections.try_join_next().is_some() {}
            }
            _ = stopped.changed() => break,
        }
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
) {
    let io = TokioIo::new(stream);
    let timeout = state.config.read_timeout;
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(&state, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_buf_size(64 * 1024)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
        }
    }
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

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let (op, path_params) = match state.routes.find(&parts.method, path) {
        Matched::Found(op, params) => (op, params),
        Matched::MethodNotAllowed => {
            return detail(405, &format!("Method \"{}\" not allowed.", parts.method));
        }
        Matched::NotFound => return detail(404, "Not found."),
    };
    if op.secured && !authorized(&parts.headers) {
        return detail(401, "Authentication credentials were not provided.");
    }
    let mut errors = param_errors(op, parts.uri.query(), &path_params);
    let entry = &state.validators.operations[op.index];
    if !entry.request.is_empty() {
        match body_errors(state, entry, &parts.headers, body).await {
            Ok(found) => errors.extend(found),
            Err(refused) => return refused.response(),
        }
    }
    if !errors.is_empty() {
        return field_errors_response(errors);
    }
    respond(op, &parts.headers)
}

/// Path and query parameters against their schemas, as DRF words it.
fn param_errors(
    op: &MockOperation,
    query: Option<&str>,
    path_params: &[(&str, String)],
) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let query: Vec<(String, String)> = query.map(parse_form).unwrap_or_default();
    for p in &op.params {
        let raw = if p.in_query {
            query
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.clone())
        } else {
            path_params
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.clone())
        };
        match raw {
            None if p.required => errors.push((p.name.clone(), "This field is required.".into())),
            None => {}
            Some(v) => {
                let value = if p.as_string {
                    Value::String(v)
                } else {
                    serde_json::from_str(&v).unwrap_or(Value::String(v))
                };
                for (_, m) in field_errors(&p.validator, &value) {
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

/// The request body's field errors, or the response that refuses it
/// (413, 408, 415, malformed JSON, not an object).
async fn body_errors(
    state: &State,
    entry: &OperationEntry,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Vec<(String, String)>, Refusal> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let bytes = read_body(state, headers, body).await?;
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
    let value = body_value(state, req_entry, &media, &bytes)?;
    if !value.is_object() {
        return Err(Refusal(400, "Invalid data. Expected a dictionary.".into()));
    }
    let validator = &req_entry.compiled.validator;
    Ok(if validator.is_valid(&value) {
        Vec::new()
    } else {
        field_errors(validator, &value)
    })
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

/// The body as the JSON the schema judges: parsed JSON (blank is `{}`) or
/// form fields; anything else is a 415.
fn body_value(
    state: &State,
    req_entry: &RequestEntry,
    media: &str,
    bytes: &[u8],
) -> Result<Value, Refusal> {
    match req_entry.kind {
        MediaKind::Json if bytes.iter().all(u8::is_ascii_whitespace) => {
            Ok(Value::Object(Map::new()))
        }
        MediaKind::Json => serde_json::from_slice::<Value>(bytes)
            .map_err(|e| Refusal(400, format!("JSON parse error - {e}"))),
        MediaKind::Form => {
            let text = String::from_utf8_lossy(bytes);
            Ok(form_to_json(
                &state.validators,
                &req_entry.compiled.schema,
                parse_form(&text),
            ))
        }
        _ => Err(Refusal(
            415,
            format!(
                "Unsupported media type \"{}\" in request (the mock reads JSON and form bodies).",
                crate::drift::excerpt(media, 60)
            ),
        )),
    }
}

/// 400 `{"field": ["message", ...]}`, as DRF answers.
fn field_errors_response(errors: Vec<(String, String)>) -> Response<Body> {
    let mut grouped: Map<String, Value> = Map::new();
    for (field, message) in errors {
        if let Value::Array(list) = grouped
            .entry(field)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(Value::String(message));
        }
    }
    json_response(400, Bytes::from(Value::Object(grouped).to_string()))
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

/// `Api-Key <key>`, `Bearer <token>` or `Basic <base64 of user:pass>`.
fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, credentials)) = value.trim().split_once(' ') else {
        return false;
    };
    let credentials = credentials.trim();
    if credentials.is_empty() {
        return false;
    }
    if scheme.eq_ignore_ascii_case("api-key") || scheme.eq_ignore_ascii_case("bearer") {
        return !credentials.contains(char::is_whitespace);
    }
    if scheme.eq_ignore_ascii_case("basic") {
        return base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()
            .is_some_and(|d| d.contains(&b':'));
    }
    false
}

/// Form fields as the JSON object the schema describes: repeated or
/// array-typed fields become arrays, typed scalars are parsed.
fn form_to_json(validators: &Validators, schema: &Value, pairs: Vec<(String, String)>) -> Value {
    let spec = &validators.spec;
    let flat = codegen::sample::flatten(spec, schema, 0);
    let mut out = Map::new();
    for (k, v) in pairs {
        let prop = flat
            .get("properties")
            .and_then(|p| p.get(&k))
            .map(|p| codegen::sample::flatten(spec, p, 0));
        let types = prop.as_ref().and_then(|p| codegen::schema::types(spec, p));
        let is = |t: &str| types.as_ref().is_some_and(|s| s.contains(t));
        let scalar = if is("string") || types.is_none() {
            Value::String(v)
        } else {
            serde_json::from_str(&v).unwrap_or(Value::String(v))
        };
        if is("array") {
            if let Value::Array(list) = out.entry(k).or_insert_with(|| Value::Array(Vec::new())) {
                list.push(scalar);
            }
        } else {
            out.insert(k, scalar);
        }
    }
    Value::Object(out)
}
