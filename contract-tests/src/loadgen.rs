//! A loopback HTTP/1.1 client and load generator (bounded in count and
//! time, 127.0.0.1 only) reporting requests/s and latency percentiles, and
//! a valid request for every operation of a spec: what the mock's load and
//! abuse tests send and what `cargo xtask bench` measures the mock with.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use codegen::spec::ParamIn;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::validators::Validators;

/// Result of a load run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LoadResult {
    pub connections: usize,
    pub requests: u64,
    /// Transport failures (not HTTP error statuses).
    pub errors: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_micros: u64,
    pub p99_micros: u64,
    pub statuses: BTreeMap<u16, u64>,
}

/// Sends up to `total` requests (cycling through `requests`, each a
/// complete HTTP/1.1 request with `Content-Length`) over `connections`
/// keep-alive connections to `addr`, stopping at `max_time` at the latest.
/// Refuses any address that is not loopback.
pub async fn load(
    addr: SocketAddr,
    connections: usize,
    total: u64,
    max_time: Duration,
    requests: Arc<Vec<Vec<u8>>>,
) -> LoadResult {
    if !addr.ip().is_loopback() || requests.is_empty() {
        return LoadResult {
            connections,
            ..LoadResult::default()
        };
    }
    let next = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + max_time;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections.max(1) {
        let (next, requests) = (next.clone(), requests.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
            let mut errors = 0u64;
            let mut conn: Option<Conn> = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || Instant::now() >= deadline {
                    break;
                }
                let req = &requests[(i % requests.len() as u64) as usize];
                if conn.is_none() {
                    match TcpStream::connect(addr).await {
                        Ok(s) => {
                            let _ = s.set_nodelay(true);
                            conn = Some(Conn {
                                stream: s,
                                buf: Vec::with_capacity(16 * 1024),
                            });
                        }
                        Err(_) => {
                            errors += 1;
                            continue;
                        }
                    }
                }
                let Some(c) = conn.as_mut() else { continue };
                let t = Instant::now();
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1));
                match tokio::time::timeout(left, c.roundtrip(req)).await {
                    Ok(Ok((status, keep))) => {
                        latencies.push(t.elapsed().as_micros() as u64);
                        *statuses.entry(status).or_default() += 1;
                        if !keep {
                            conn = None;
                        }
                    }
                    _ => {
                        errors += 1;
                        conn = None;
                    }
                }
            }
            (latencies, statuses, errors)
        });
    }
    let mut all = Vec::new();
    let mut result = LoadResult {
        connections,
        ..LoadResult::default()
    };
    while let Some(Ok((lat, st, err))) = tasks.join_next().await {
        all.extend(lat);
        for (k, v) in st {
            *result.statuses.entry(k).or_default() += v;
        }
        result.errors += err;
    }
    result.seconds = started.elapsed().as_secs_f64();
    result.requests = all.len() as u64;
    result.requests_per_second = result.requests as f64 / result.seconds.max(1e-9);
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    result.p50_micros = pct(0.50);
    result.p99_micros = pct(0.99);
    result
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Writes one request and reads one response: `(status, keep-alive)`.
    async fn roundtrip(&mut self, req: &[u8]) -> std::io::Result<(u16, bool)> {
        self.stream.write_all(req).await?;
        read_response(&mut self.stream, &mut self.buf).await
    }
}

/// Reads one HTTP/1.1 response (Content-Length framing, as the mock
/// sends): `(status, keep-alive)`. Leftover bytes stay in `buf`.
pub async fn read_response(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<(u16, bool)> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed response");
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err(bad());
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad())?;
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let mut length = 0usize;
    let mut keep = true;
    for line in head.split("\r\n").skip(1) {
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().map_err(|_| bad())?;
            } else if k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close")
            {
                keep = false;
            }
        }
    }
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.drain(..head_end + length);
    Ok((status, keep))
}

/// A complete HTTP/1.1 request.
pub fn raw_request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A valid request for every operation of the spec (sampled body, API-key
/// auth), for load runs with request validation on.
pub fn valid_requests(validators: &Validators, seed: u64) -> Vec<Vec<u8>> {
    let spec = &validators.spec;
    // The key a default mock accepts.
    let auth = crate::mock::Credentials::default().api_key_header();
    let mut out = Vec::new();
    for op in &validators.operations {
        let mut path = op.path.clone();
        let mut query = Vec::new();
        for (i, p) in op.parameters.iter().enumerate() {
            let v = codegen::sample::instance(spec, &p.schema, seed + i as u64);
            let text = match v {
                Value::String(s) if !s.is_empty() => s,
                Value::String(_) => "x".into(),
                other => other.to_string(),
            };
            let text: String = text
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let text = if text.is_empty() {
                "x".to_string()
            } else {
                text
            };
            match p.location {
                ParamIn::Path => path = path.replace(&format!("{{{}}}", p.name), &text),
                ParamIn::Query => query.push(format!("{}={text}", p.name)),
                ParamIn::Header | ParamIn::Cookie => {}
            }
        }
        if !query.is_empty() {
            path = format!("{path}?{}", query.join("&"));
        }
        let body = op
            .json_request()
            .map(|r| {
                (0..32u64)
                    .map(|a| codegen::sample::instance(spec, &r.compiled.source, seed + (a << 32)))
                    .find(|b| r.compiled.validator().is_valid(b))
                    .map(|b| serde_json::to_vec(&b).unwrap_or_default())
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let mut headers = vec![("Authorization", auth.as_str())];
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json"));
        }
        out.push(raw_request(&op.method, &path, &headers, &body));
    }
    out
}
