//! The contract suite: exercises every operation against the embedded mock
//! (every documented status and union branch, seeded valid and invalid
//! requests) or a live server (read-only by default), judging every response.

use std::sync::Arc;
use std::time::{Duration, Instant};

use codegen::sample::{self, SplitMix64};
use codegen::spec::{MediaKind, ParamIn};
use serde_json::{Value, json};

use crate::finding::{Finding, Kind};
use crate::mock::auth::Admits;
use crate::mock::{Credentials, Drift, MockConfig, MockServer, routes};
use crate::report::{Case, Outcome, Redactor, Report};
use crate::validators::{OperationEntry, Validators};

/// Where the suite sends requests.
#[derive(Debug, Clone)]
pub enum Target {
    /// Start the embedded mock.
    Mock,
    /// A live server.
    Live { base_url: String, api_key: String },
}

/// Values a live run needs to exercise real data.
#[derive(Clone, Default)]
pub struct Fixtures {
    pub session_id: Option<String>,
    pub card_token: Option<String>,
    pub customer_id: Option<String>,
}

impl std::fmt::Debug for Fixtures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "set" } else { "unset" };
        write!(
            f,
            "Fixtures {{ session_id: {}, card_token: {}, customer_id: {} }}",
            set(&self.session_id),
            set(&self.card_token),
            set(&self.customer_id)
        )
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    pub target: Target,
    pub seed: u64,
    /// Valid and invalid generated requests per operation (mock only).
    pub cases: usize,
    pub allow_production: bool,
    pub allow_payments: bool,
    pub fixtures: Fixtures,
    /// Progress lines on stderr.
    pub progress: bool,
    pub timeout: Duration,
    /// Mock only: ask the mock to inject this drift (`X-Mock-Drift`) into
    /// every documented response, to see the suite fail on it.
    pub drift: Option<Drift>,
}

impl Default for SuiteConfig {
    fn default() -> Self {
        Self {
            target: Target::Mock,
            seed: 1,
            cases: 8,
            allow_production: false,
            allow_payments: false,
            fixtures: Fixtures::default(),
            progress: false,
            timeout: Duration::from_secs(15),
            drift: None,
        }
    }
}

/// Why the suite could not run at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("`{0}` is not a valid base URL (expected http(s)://host[:port])")]
    BadUrl(String),
    #[error(
        "refusing to run against `{0}`: only sandbox.ottu.net and loopback are allowed without --allow-production (a live run sends real requests)"
    )]
    Production(String),
    #[error("could not start the mock server: {0}")]
    Mock(std::io::Error),
    #[error("could not build the HTTP client: {0}")]
    Client(String),
}

/// `scheme://`, authority and the rest of a URL (`""` for a missing scheme).
fn url_parts(url: &str) -> (&str, &str, &str) {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    (scheme, authority, tail)
}

/// The host part of an `http(s)://` URL, lower case.
pub fn host_of(url: &str) -> Option<String> {
    let (scheme, authority, _) = url_parts(url);
    if !matches!(scheme, "https://" | "http://") {
        return None;
    }
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A URL as reports and errors show it: credentials in the authority
/// (`user:password@`) and the query (`?key=...`) masked.
pub fn display_url(url: &str) -> String {
    let (scheme, authority, tail) = url_parts(url);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, _)) => format!("{path}?***"),
        None => tail.to_string(),
    };
    format!("{scheme}{authority}{tail}")
}

/// Responses larger than this are not judged (a live server could send
/// anything; the suite must not run out of memory on it).
const MAX_BODY: usize = 8 << 20;

/// The whole body, or why not (larger than `max`, or the read failed).
async fn read_capped(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(format!(
                        "response body exceeds {} MiB; not judged",
                        max >> 20
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(format!(
                    "response body could not be read: {}",
                    crate::drift::excerpt(&e.to_string(), 160)
                ));
            }
        }
    }
}

/// Is a live run against this URL allowed without `--allow-production`?
pub fn guard(url: &str, allow_production: bool) -> Result<(), SuiteError> {
    let host = host_of(url).ok_or_else(|| SuiteError::BadUrl(display_url(url)))?;
    let loopback = host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    if host == "sandbox.ottu.net" || loopback || allow_production {
        Ok(())
    } else {
        Err(SuiteError::Production(host))
    }
}

struct Runner {
    validators: Arc<Validators>,
    client: reqwest::Client,
    base_url: String,
    /// Live: `Api-Key <key>`.
    auth: String,
    /// The embedded mock's credentials (it takes no others).
    mock_credentials: Option<Credentials>,
    config: SuiteConfig,
    redactor: Redactor,
    cases: Vec<Case>,
}

/// Runs the suite; the returned redactor knows every secret seen, for rendering.
pub async fn run(
    validators: Arc<Validators>,
    config: SuiteConfig,
) -> Result<(Report, Redactor), SuiteError> {
    let started = Instant::now();
    let mut redactor = Redactor::default();
    let mut mock = None;
    let mut mock_credentials = None;
    let (base_url, auth, mode) = match &config.target {
        Target::Mock => {
            // Stateless: the suite judges each documented answer on its
            // own (random session ids and card tokens are not a lifecycle).
            let mock_config = MockConfig {
                seed: config.seed,
                stateless: true,
                ..MockConfig::default()
            };
            // The mock accepts only its own credentials: each request sends
            // the one its operation declares (see `Runner::authorization`).
            let auth = String::new();
            mock_credentials = Some(mock_config.credentials.clone());
            let server = MockServer::start(validators.clone(), mock_config)
                .await
                .map_err(SuiteError::Mock)?;
            let url = server.base_url();
            mock = Some(server);
            (url, auth, "mock")
        }
        Target::Live { base_url, api_key } => {
            guard(base_url, config.allow_production)?;
            redactor.add(api_key);
            // Credentials in the URL itself (`user:password@`, `?key=`) are
            // secrets too, wherever the URL is echoed (transport errors).
            if let Ok(url) = reqwest::Url::parse(base_url) {
                redactor.add(url.password().unwrap_or_default());
                for (_, value) in url.query_pairs() {
                    redactor.add(&value);
                }
            }
            (
                base_url.trim_end_matches('/').to_string(),
                format!("Api-Key {api_key}"),
                "live",
            )
        }
    };
    for v in [&config.fixtures.card_token, &config.fixtures.session_id]
        .into_iter()
        .flatten()
    {
        redactor.add(v);
    }
    let client = reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| SuiteError::Client(e.to_string()))?;
    let mut runner = Runner {
        validators: validators.clone(),
        client,
        base_url: base_url.clone(),
        auth,
        mock_credentials,
        config: config.clone(),
        redactor,
        cases: Vec::new(),
    };
    let ops: Vec<usize> = (0..validators.operations.len()).collect();
    for (n, i) in ops.iter().enumerate() {
        let op = &validators.operations[*i];
        if runner.config.progress {
            eprintln!("[{}/{}] {}", n + 1, ops.len(), op.id);
        }
        if mock.is_some() {
            runner.mock_cases(op).await;
        } else {
            runner.live_cases(op).await;
        }
    }
    if let Some(server) = mock {
        server.shutdown().await;
    }
    let root = std::env::current_dir().unwrap_or_default();
    let report = Report {
        overlays: validators
            .spec
            .overlays()
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
            .collect(),
        mode: mode.into(),
        target: display_url(&base_url),
        seed: config.seed,
        spec_findings: validators.spec_findings().to_vec(),
        cases: runner.cases,
        millis: started.elapsed().as_millis() as u64,
    };
    Ok((report, runner.redactor))
}

/// One request to send.
#[derive(Debug, Clone, Default)]
struct Req {
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
    headers: Vec<(String, String)>,
    auth: bool,
}

/// What the case expects of the status.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Exactly(u16),
    Success,
    ClientError,
    Anything,
}

impl Runner {
    async fn mock_cases(&mut self, op: &OperationEntry) {
        let valid = self.valid_request(op, self.config.seed);
        // Every documented status and union branch.
        for (status, label) in routes::examples(&self.validators, op) {
            let mut req = valid.clone();
            let prefer = match &label {
                Some(l) => format!("code={status}, example={l}"),
                None => format!("code={status}"),
            };
            req.headers.push(("Prefer".into(), prefer));
            if let Some(d) = &self.config.drift {
                req.headers.push(("X-Mock-Drift".into(), d.name().into()));
            }
            let name = match &label {
                Some(l) => format!("documented {status} ({l})"),
                None => format!("documented {status}"),
            };
            self.case(op, &name, req, Expect::Exactly(status)).await;
        }
        // Seeded valid requests: 2xx and a conforming body.
        for i in 0..self.config.cases {
            let seed = self
                .config
                .seed
                .wrapping_mul(1_000_003)
                .wrapping_add(i as u64 + 1);
            let req = self.valid_request(op, seed);
            self.case(
                op,
                &format!("valid request #{i} (seed {seed})"),
                req,
                Expect::Success,
            )
            .await;
        }
        // Seeded invalid requests: 4xx and a conforming error body.
        let mut rng = SplitMix64(self.config.seed ^ 0x5EED);
        for (i, (name, req)) in self
            .invalid_requests(op, &valid, &mut rng)
            .into_iter()
            .enumerate()
        {
            if i >= self.config.cases.max(4) {
                break;
            }
            self.case(op, &format!("invalid: {name}"), req, Expect::ClientError)
                .await;
        }
    }

    async fn live_cases(&mut self, op: &OperationEntry) {
        // The spec's policy decides (`x-ottu-read-only`, `x-ottu-moves-money`),
        // else HTTP semantics: never a guess from the name.
        if !op.read_only() && !self.config.allow_payments {
            let what = if op.moves_money() {
                "moves money"
            } else {
                "changes data"
            };
            self.skip(op, &format!("{what}: pass --allow-payments (with OTTU_SESSION_ID, OTTU_CARD_TOKEN, OTTU_CUSTOMER_ID) to run it"));
            return;
        }
        let mut req = self.valid_request(op, self.config.seed);
        let f = self.config.fixtures.clone();
        let fill = |name: &str| -> Option<Option<String>> {
            match name {
                "customer_id" => Some(f.customer_id.clone()),
                "session_id" => Some(f.session_id.clone()),
                "token" => Some(f.card_token.clone()),
                "type" => Some(Some("sandbox".into())),
                _ => None,
            }
        };
        let mut missing = Vec::new();
        for (k, v) in req.path_params.iter_mut().chain(req.query.iter_mut()) {
            match fill(k) {
                Some(Some(x)) => *v = x,
                Some(None) => missing.push(k.clone()),
                None => {}
            }
        }
        if let Some(body) = &req.body
            && let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(body)
        {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                match fill(&k) {
                    Some(Some(x)) => {
                        m.insert(k, Value::String(x));
                    }
                    Some(None) => missing.push(k),
                    None => {}
                }
            }
            req.body = serde_json::to_vec(&m).ok();
        }
        if !missing.is_empty() {
            let env: Vec<String> = missing
                .iter()
                .map(|k| format!("OTTU_{}", k.to_uppercase().replace("TOKEN", "CARD_TOKEN")))
                .collect();
            self.skip(op, &format!("needs fixtures: set {}", env.join(", ")));
            return;
        }
        self.case(op, "live request", req, Expect::Anything).await;
    }

    /// The `Authorization` value for `op`: the live key, or the mock's
    /// credential under a scheme the operation declares.
    fn authorization(&self, op: &OperationEntry) -> String {
        let Some(credentials) = &self.mock_credentials else {
            return self.auth.clone();
        };
        let spec = &self.validators.spec;
        spec.operations()
            .iter()
            .find(|o| o.pointer() == op.pointer)
            .and_then(|o| credentials.header_for(&Admits::of(spec, o)))
            .unwrap_or_else(|| credentials.api_key_header())
    }

    fn skip(&mut self, op: &OperationEntry, why: &str) {
        self.cases.push(Case {
            operation: op.id.clone(),
            name: "live request".into(),
            request: format!("{} {}", op.method, op.path),
            status: None,
            outcome: Outcome::Skip,
            findings: Vec::new(),
            note: why.into(),
            millis: 0,
        });
    }

    /// A schema-valid request: sampled path, query and body.
    fn valid_request(&self, op: &OperationEntry, seed: u64) -> Req {
        let spec = &self.validators.spec;
        let mut req = Req {
            auth: true,
            ..Req::default()
        };
        for (i, p) in op.parameters.iter().enumerate() {
            let include = p.required || SplitMix64(seed ^ i as u64).chance(50);
            if !include || !matches!(p.location, ParamIn::Path | ParamIn::Query) {
                continue;
            }
            let mut v = sample::named(spec, &p.schema, &p.name, seed.wrapping_add(i as u64));
            if let Value::String(s) = &v
                && s.is_empty()
            {
                v = Value::String("x".into());
            }
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            if p.location == ParamIn::Path {
                req.path_params.push((p.name.clone(), text));
            } else {
                req.query.push((p.name.clone(), text));
            }
        }
        if let Some(json_req) = op.json_request() {
            let schema = &json_req.compiled.source;
            // Re-draw until the validator agrees (a union sample can match two branches).
            let mut body = Value::Null;
            for attempt in 0..32u64 {
                body = sample::instance(spec, schema, seed.wrapping_add(attempt << 32));
                if json_req.compiled.validator().is_valid(&body) {
                    break;
                }
            }
            req.body = serde_json::to_vec(&body).ok();
            req.content_type = Some(json_req.media_type.clone());
        } else if let Some(multi) = op.request.iter().find(|r| r.kind == MediaKind::Multipart) {
            // A multipart-only body (an upload): each sampled field a part,
            // a `format: binary` field a file part.
            let mut body = Value::Null;
            for attempt in 0..32u64 {
                body = sample::instance(
                    spec,
                    &multi.compiled.source,
                    seed.wrapping_add(attempt << 32),
                );
                if multi.compiled.validator().is_valid(&body) {
                    break;
                }
            }
            let flat = sample::flatten(spec, &multi.compiled.source, 0);
            let boundary = format!("ottu-contract-{seed:016x}");
            req.body = Some(multipart_body(&body, &flat, &boundary));
            req.content_type = Some(format!("multipart/form-data; boundary={boundary}"));
        }
        req
    }

    /// Invalid variants of a valid request: each must get a 4xx the spec documents.
    fn invalid_requests(
        &self,
        op: &OperationEntry,
        valid: &Req,
        rng: &mut SplitMix64,
    ) -> Vec<(String, Req)> {
        let mut out = Vec::new();
        let documented = |s: u16| op.response(s).is_some();
        if documented(401) {
            out.push((
                "no Authorization header".to_string(),
                Req {
                    auth: false,
                    ..valid.clone()
                },
            ));
            let mut bad = valid.clone();
            bad.headers.push(("Authorization".into(), "Token".into()));
            out.push(("malformed Authorization header".to_string(), bad));
            // Well-formed but not the server's: cannot move money anywhere.
            let mut wrong = valid.clone();
            wrong
                .headers
                .push(("Authorization".into(), "Api-Key not-the-key".into()));
            out.push(("wrong API key".to_string(), wrong));
        }
        if !documented(400) {
            return out;
        }
        if let Some(Value::Object(body)) = valid
            .body
            .as_ref()
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        {
            let spec = &self.validators.spec;
            // `readOnly` + `required` is required in responses only.
            let required: Vec<String> = op
                .json_request()
                .map(|r| {
                    let source = spec.resolve(&r.compiled.source);
                    codegen::schema::required(spec, source)
                        .into_iter()
                        .filter(|name| {
                            !matches!(
                                codegen::schema::property(spec, source, name),
                                codegen::schema::PropertyRule::Declared(p)
                                    if p.get("readOnly") == Some(&Value::Bool(true))
                                        || spec.resolve(p).get("readOnly") == Some(&Value::Bool(true))
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut fields: Vec<String> = required.clone();
            // Seeded order, so different seeds exercise different fields first.
            for i in (1..fields.len()).rev() {
                fields.swap(i, rng.below(i as u64 + 1) as usize);
            }
            for f in &fields {
                let mut b = body.clone();
                b.remove(f);
                out.push((
                    format!("required `{f}` missing"),
                    with_body(valid, &Value::Object(b)),
                ));
            }
            for f in &fields {
                let mut b = body.clone();
                let wrong = match b.get(f) {
                    Some(Value::String(_)) => json!(12345),
                    Some(Value::Object(_)) => json!("not-an-object"),
                    _ => json!({"unexpected": true}),
                };
                b.insert(f.clone(), wrong);
                out.push((
                    format!("`{f}` of the wrong type"),
                    with_body(valid, &Value::Object(b)),
                ));
            }
            out.push((
                "malformed JSON".to_string(),
                Req {
                    body: Some(b"{\"session_id\": ".to_vec()),
                    ..valid.clone()
                },
            ));
            out.push((
                "JSON array instead of object".to_string(),
                with_body(valid, &json!([])),
            ));
            if documented(415) {
                out.push((
                    "undocumented content type".to_string(),
                    Req {
                        content_type: Some("text/plain".into()),
                        ..valid.clone()
                    },
                ));
            }
        }
        for p in op
            .parameters
            .iter()
            .filter(|p| p.required && p.location == ParamIn::Query)
        {
            let mut bad = valid.clone();
            bad.query.retain(|(k, _)| *k != p.name);
            out.push((format!("required query `{}` missing", p.name), bad));
        }
        out
    }

    async fn case(&mut self, op: &OperationEntry, name: &str, req: Req, expect: Expect) {
        let started = Instant::now();
        let mut case = Case {
            operation: op.id.clone(),
            name: name.into(),
            request: format!("{} {}", op.method, op.path),
            status: None,
            outcome: Outcome::Pass,
            findings: Vec::new(),
            note: String::new(),
            millis: 0,
        };
        match self.request(op, &req).send().await {
            Err(e) => {
                case.outcome = Outcome::Fail;
                case.note = format!(
                    "request failed: {}",
                    crate::drift::excerpt(&e.without_url().to_string(), 160)
                );
            }
            Ok(resp) => self.judge(op, resp, expect, &mut case).await,
        }
        case.millis = started.elapsed().as_millis() as u64;
        if self.config.progress {
            let mark = if case.outcome == Outcome::Pass {
                "ok"
            } else {
                "FAIL"
            };
            eprintln!(
                "  {mark} {} -> {} ({} ms)",
                case.name,
                case.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                case.millis
            );
        }
        self.cases.push(case);
    }

    /// The HTTP request for `req`: URL, credentials, headers, body.
    fn request(&self, op: &OperationEntry, req: &Req) -> reqwest::RequestBuilder {
        let mut path = op.path.clone();
        for (k, v) in &req.path_params {
            path = path.replace(&format!("{{{k}}}"), &encode(v));
        }
        let mut url = format!("{}{path}", self.base_url);
        if !req.query.is_empty() {
            let q: Vec<String> = req
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            url = format!("{url}?{}", q.join("&"));
        }
        let method =
            reqwest::Method::from_bytes(op.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = self.client.request(method, &url);
        if req.auth
            && !req
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        {
            builder = builder.header("Authorization", self.authorization(op));
        }
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(
                    "Content-Type",
                    req.content_type.as_deref().unwrap_or("application/json"),
                )
                .body(body.clone());
        }
        builder
    }

    /// The judge's findings on a response, and whether its status is the
    /// one the case expects.
    async fn judge(
        &mut self,
        op: &OperationEntry,
        resp: reqwest::Response,
        expect: Expect,
        case: &mut Case,
    ) {
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        case.status = Some(status);
        let body = match read_capped(resp, MAX_BODY).await {
            Ok(body) => body,
            // Not judged: a partial body would report false drift.
            Err(why) => {
                case.outcome = Outcome::Fail;
                case.note = why;
                return;
            }
        };
        self.learn_secrets(&body);
        case.findings = self
            .validators
            .validate(&op.id, status, content_type.as_deref(), &body)
            .unwrap_or_default();
        let ok = match expect {
            Expect::Exactly(s) => status == s,
            Expect::Success => (200..300).contains(&status),
            Expect::ClientError => (400..500).contains(&status),
            Expect::Anything => true,
        };
        if !ok {
            case.findings.push(unexpected(op, status, expect));
        }
        if case.findings.iter().any(Finding::is_error) {
            case.outcome = Outcome::Fail;
        }
    }

    /// Values of secret fields (`spec.secret_fields()`: card tokens,
    /// signatures, ...) seen in responses are secrets in reports.
    fn learn_secrets(&mut self, body: &[u8]) {
        if body.len() > 1 << 20 {
            return;
        }
        if let Ok(v) = serde_json::from_slice::<Value>(body) {
            let names = self.validators.secret_names();
            collect_secrets(&v, names, &mut self.redactor, 0);
        }
    }
}

fn collect_secrets(v: &Value, names: &[String], r: &mut Redactor, depth: usize) {
    if depth > 32 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if names.iter().any(|n| n == k) => r.add(s),
                    _ => collect_secrets(x, names, r, depth + 1),
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| collect_secrets(x, names, r, depth + 1)),
        _ => {}
    }
}

fn unexpected(op: &OperationEntry, status: u16, expect: Expect) -> Finding {
    let wanted = match expect {
        Expect::Exactly(s) => s.to_string(),
        Expect::Success => "2xx".into(),
        Expect::ClientError => "4xx".into(),
        Expect::Anything => "any".into(),
    };
    Finding {
        kind: Kind::UnexpectedStatus,
        severity: Kind::UnexpectedStatus.severity(),
        operation: op.id.clone(),
        status: Some(status),
        pointer: String::new(),
        schema: codegen::pointer::push(&op.pointer, "responses"),
        file: String::new(),
        message: format!("expected {wanted}, got {status}"),
    }
}

fn with_body(valid: &Req, body: &Value) -> Req {
    Req {
        body: serde_json::to_vec(body).ok(),
        ..valid.clone()
    }
}

/// Percent-encodes everything but unreserved characters.
/// `fields` as a `multipart/form-data` body; properties of `schema` with
/// `format: binary` are file parts.
fn multipart_body(fields: &Value, schema: &Value, boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields.as_object().into_iter().flatten() {
        let binary = schema
            .pointer(&format!("/properties/{}", codegen::pointer::escape(name)))
            .and_then(|p| p.get("format"))
            .and_then(Value::as_str)
            == Some("binary");
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if binary {
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"sample.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
            );
        } else {
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            );
        }
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
