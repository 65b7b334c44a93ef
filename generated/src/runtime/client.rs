//! The HTTP plumbing every generated operation goes through.
//!
//! No request is retried unless a [`RetryPolicy`] is configured, and even
//! then only as its operation's [`RetrySafety`] allows (see
//! [`super::retry`]): an operation that moves money says `Never`, since a
//! retry after a timeout or a 503 (the charge may have gone through) could
//! charge twice. Such requests are sent exactly once; callers decide,
//! typically by checking the payment's status before trying again.

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::config::{Auth, AuthKind, Config};
use super::error::{BodyExcerpt, Error, TransportError, UndecodedSuccess, UnexpectedResponse};
use super::files::{Download, Redirect, Upload};
use super::options::{CallOptions, OptionError};
use super::response::ResponseMeta;
use super::retry::{self, RetryPolicy, RetrySafety};
use super::trace;
use super::validate::ValidationError;

/// A configured Ottu API client. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    auth: Option<HeaderValue>,
    auth_kind: Option<AuthKind>,
    /// The credential's forms, masked in every response (see [`Scrub`]).
    scrub: Scrub,
    timeout: std::time::Duration,
    max_body: usize,
    retry: Option<RetryPolicy>,
}

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL does not parse or is not http(s).
    #[error("invalid base URL `{0}`")]
    BaseUrl(String),
    /// The credentials contain characters a header cannot carry (not shown).
    #[error("the credentials cannot be sent in an HTTP header")]
    Credentials,
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    /// Credentials would go in clear text over `http://` to this host (not
    /// loopback); see [`Config::allow_insecure_http`](crate::Config::allow_insecure_http).
    #[error(
        "refusing to send credentials over plain http to `{0}`: use https, or Config::allow_insecure_http"
    )]
    InsecureBaseUrl(String),
}

fn auth_header(auth: &Auth) -> Result<Option<HeaderValue>, BuildError> {
    let text = match auth {
        Auth::ApiKey(key) | Auth::PublicKey(key) => format!("Api-Key {}", key.expose()),
        Auth::Basic { username, password } => {
            let raw = format!("{username}:{}", password.expose());
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        }
        Auth::Bearer(token) => format!("Bearer {}", token.expose()),
        Auth::Token(key) => format!("Token {}", key.expose()),
        Auth::None => return Ok(None),
    };
    let mut value = HeaderValue::from_str(&text).map_err(|_| BuildError::Credentials)?;
    value.set_sensitive(true);
    Ok(Some(value))
}

/// With the `rustls-ring` feature, reqwest's rustls has no crypto provider
/// of its own (`rustls-no-provider`) and takes the process default: install
/// `ring` as that default unless the application installed one already
/// (then it is kept: the application's choice wins).
#[cfg(feature = "rustls-ring")]
fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another installer leaves a provider installed: fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Other TLS features bring their own provider.
#[cfg(not(feature = "rustls-ring"))]
fn install_tls_provider() {}

impl Client {
    /// Builds a client. Fails on a bad base URL or unsendable credentials.
    pub fn new(config: Config) -> Result<Self, BuildError> {
        let mut base = Url::parse(&config.base_url)
            .map_err(|_| BuildError::BaseUrl(config.base_url.clone()))?;
        if !matches!(base.scheme(), "https" | "http") || base.cannot_be_a_base() {
            return Err(BuildError::BaseUrl(config.base_url));
        }
        let host = base.host_str().unwrap_or_default();
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        // Credentials: configured auth, or `user:password@` in the URL
        // (which the HTTP client would send as Basic auth).
        let credentials = !matches!(config.auth, Auth::None)
            || !base.username().is_empty()
            || base.password().is_some();
        if base.scheme() == "http" && !loopback && !config.allow_insecure_http && credentials {
            return Err(BuildError::InsecureBaseUrl(host.to_string()));
        }
        // Operation paths are absolute; keep any path prefix of the base.
        let trimmed = base.path().trim_end_matches('/').to_string();
        base.set_path(&trimmed);
        let http = match config.http {
            Some(http) => http,
            None => {
                install_tls_provider();
                reqwest::Client::builder()
                    .timeout(config.timeout)
                    .connect_timeout(config.connect_timeout)
                    .user_agent(config.user_agent)
                    // A documented redirect (a report's pre-signed download URL)
                    // is the operation's result, returned with its `Location`;
                    // following it would hide that result, turn a POST into a
                    // GET, and could carry the request to another host.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| BuildError::Http(e.to_string()))?
            }
        };
        Ok(Self {
            http,
            base,
            auth: auth_header(&config.auth)?,
            auth_kind: config.auth.kind(),
            scrub: Scrub::of(&config.auth),
            timeout: config.timeout,
            max_body: config.max_body_bytes,
            retry: config.retry,
        })
    }

    pub(crate) fn request(
        &self,
        method: Method,
        path: &[PathPart<'_>],
        operation: OperationPolicy,
    ) -> Request {
        let mut url = self.base.clone();
        let mut p = url.path().trim_end_matches('/').to_string();
        for part in path {
            match part {
                PathPart::Literal(s) => p.push_str(s),
                PathPart::Param(s) => p.push_str(&encode_segment(s)),
            }
        }
        url.set_path(&p);
        Request {
            method,
            url,
            operation,
            headers: Vec::new(),
            body: None,
            multipart: None,
            options: CallOptions::default(),
        }
    }

    /// Fetches a documented redirect's target (a report's pre-signed
    /// storage URL) **without any credential**: the URL authorizes itself,
    /// and the client's key never goes to another host. A `2xx` is the
    /// file; another status is [`Error::UnexpectedStatus`]; a redirect
    /// without `Location` is [`Error::Decode`].
    pub async fn fetch_redirect(
        &self,
        redirect: &Redirect,
    ) -> Result<Download, Error<std::convert::Infallible>> {
        let Some(url) = redirect.url() else {
            return Err(Error::Decode {
                status: redirect.status(),
                message: "the redirect has no Location".into(),
                body: BodyExcerpt::masking(&[], &[]),
                meta: ResponseMeta::new(redirect.status(), HeaderMap::new(), &[]),
            });
        };
        let resp = self
            .http
            .get(url.clone())
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| Error::Transport(TransportError::new(e)))?;
        if resp.status().is_success() {
            return Ok(Download::new(resp));
        }
        let operation = OperationPolicy {
            id: "fetch_redirect",
            // Not traced: the target is another host's pre-signed URL.
            path: "(redirect target)",
            retry: RetrySafety::Never,
            secret_fields: &[],
            auth: AuthRule::ANY,
        };
        Err(self.read(resp, &operation).await?.unexpected())
    }

    /// The credential to send for `operation`: the configured one when the
    /// operation accepts its kind (or declares nothing); none when it does
    /// not but may be called anonymously; else refused, before sending.
    fn credential<E>(&self, operation: &OperationPolicy) -> Result<Option<&HeaderValue>, Error<E>> {
        let (Some(kind), Some(accepts)) = (self.auth_kind, operation.auth.accepts) else {
            return Ok(self.auth.as_ref());
        };
        if accepts.contains(&kind) {
            Ok(self.auth.as_ref())
        } else if operation.auth.anonymous {
            Ok(None)
        } else {
            Err(Error::AuthNotAccepted {
                operation: operation.id,
                configured: kind,
                accepted: operation.auth.schemes,
            })
        }
    }

    /// Sends `req` and reads the whole response; retried only under a
    /// policy and only as its operation allows (never a payment).
    pub(crate) async fn send<E>(&self, req: Request) -> Result<Response, Error<E>> {
        let operation = req.operation;
        match self.exchange(req, &[]).await? {
            Sent::Read(resp) => Ok(resp),
            // No status keeps its body unread here; read as any other.
            Sent::File(file) => self.read(file.into_inner(), &operation).await,
        }
    }

    /// Sends `req`; a response whose status is in `files` is returned
    /// unread (a [`Download`]), any other is read whole. A credential the
    /// operation does not accept is refused before anything is sent.
    pub(crate) async fn exchange<E>(&self, req: Request, files: &[u16]) -> Result<Sent, Error<E>> {
        let credential = self.credential(&req.operation)?.cloned();
        let call = trace::Call::start(req.operation.id, &req.method, req.operation.path);
        let (result, attempts) = call
            .run(self.attempts(req, credential.as_ref(), files, &call))
            .await;
        call.finish(result.as_ref().map(Sent::status), attempts);
        result
    }

    /// The attempts of one call, and how many were made.
    async fn attempts<E>(
        &self,
        mut req: Request,
        credential: Option<&HeaderValue>,
        files: &[u16],
        call: &trace::Call,
    ) -> (Result<Sent, Error<E>>, u32) {
        // A streamed upload cannot be replayed: sent once.
        if let Some(form) = req.multipart.take() {
            return (self.send_once(&req, credential, Some(form), files).await, 1);
        }
        // A per-request policy replaces the client's; either way the
        // operation's own safety decides whether it applies at all.
        let Some(policy) = req
            .options
            .retry
            .as_ref()
            .or(self.retry.as_ref())
            .filter(|_| req.operation.retry.allows_retry(&req.headers))
        else {
            return (self.send_once(&req, credential, None, files).await, 1);
        };
        let mut attempt = 1;
        loop {
            let result = self.send_once(&req, credential, None, files).await;
            if attempt >= policy.attempts() {
                return (result, attempt);
            }
            let retry_after = match &result {
                Ok(Sent::Read(resp)) if retry::is_retry_status(resp.status) => {
                    retry::retry_after(&resp.headers)
                }
                // Safe to repeat: a reset or timeout after sending is retried too.
                Err(Error::Transport(_)) => None,
                _ => return (result, attempt),
            };
            let Some(wait) = policy.delay(attempt, retry_after) else {
                return (result, attempt);
            };
            call.retry(attempt, result.as_ref().map(Sent::status), wait);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn send_once<E>(
        &self,
        req: &Request,
        credential: Option<&HeaderValue>,
        multipart: Option<reqwest::multipart::Form>,
        files: &[u16],
    ) -> Result<Sent, Error<E>> {
        let mut builder = self
            .http
            .request(req.method.clone(), req.url.clone())
            .timeout(req.options.timeout.unwrap_or(self.timeout));
        if let Some(auth) = credential {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        // Never `Authorization` or an operation's own parameter: refused
        // when they were set (`CallOptions::header`).
        for (name, value) in &req.options.headers {
            builder = builder.header(name, value);
        }
        if let Some(form) = multipart {
            // Sets `multipart/form-data; boundary=...`; parts are streamed.
            builder = builder.multipart(form);
        } else if let Some(body) = &req.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| Error::Transport(TransportError::new(e)))?;
        if files.contains(&resp.status().as_u16()) {
            return Ok(Sent::File(Download::new(resp)));
        }
        self.read(resp, &req.operation).await.map(Sent::Read)
    }

    /// Reads a whole response (within the size limit), masking the credential.
    async fn read<E>(
        &self,
        mut resp: reqwest::Response,
        operation: &OperationPolicy,
    ) -> Result<Response, Error<E>> {
        let status = resp.status().as_u16();
        let url = resp.url().clone();
        let mut headers = std::mem::take(resp.headers_mut());
        self.scrub.headers(&mut headers);
        let too_large = |headers: &HeaderMap| Error::BodyTooLarge {
            status,
            limit: self.max_body,
            meta: ResponseMeta::new(status, headers.clone(), operation.secret_fields),
        };
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(too_large(&headers));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Error::Transport(TransportError::new(e)))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large(&headers));
            }
            body.extend_from_slice(&chunk);
        }
        self.scrub.body(&mut body);
        Ok(Response {
            status,
            url,
            headers,
            body,
            secret_fields: operation.secret_fields,
            operation: operation.id,
        })
    }
}

/// What [`Client::exchange`] got back.
#[derive(Debug)]
pub(crate) enum Sent {
    /// Read whole.
    Read(Response),
    /// A file, unread: the caller streams or saves it.
    File(Download),
}

impl Sent {
    /// The response's status, all tracing learns of it.
    pub(crate) fn status(&self) -> u16 {
        match self {
            Sent::Read(resp) => resp.status,
            Sent::File(file) => file.status(),
        }
    }
}

/// A server that echoes the credential (a 401 "invalid key sk_live_..."
/// page, a debug traceback) must not put it into a decoded value or an
/// error: every form of it is replaced by `***` in each response's body and
/// headers before anything reads them. Secrets shorter than 6 bytes are not
/// masked (they would mangle ordinary text, and are no protection anyway).
#[derive(Clone, Default)]
struct Scrub(Vec<Vec<u8>>);

impl std::fmt::Debug for Scrub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scrub({} forms)", self.0.len())
    }
}

impl Scrub {
    fn of(auth: &Auth) -> Self {
        let forms = match auth {
            Auth::ApiKey(key) | Auth::PublicKey(key) => vec![key.expose().to_string()],
            Auth::Basic { username, password } => vec![
                password.expose().to_string(),
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{}", password.expose())),
            ],
            Auth::Bearer(token) | Auth::Token(token) => vec![token.expose().to_string()],
            Auth::None => Vec::new(),
        };
        Self(
            forms
                .into_iter()
                .filter(|f| f.len() >= 6)
                .map(String::into_bytes)
                .collect(),
        )
    }

    fn body(&self, body: &mut Vec<u8>) {
        for form in &self.0 {
            if body.windows(form.len()).any(|w| w == form.as_slice()) {
                *body = replace(body, form);
            }
        }
    }

    fn headers(&self, headers: &mut HeaderMap) {
        for value in headers.values_mut() {
            let mut bytes = value.as_bytes().to_vec();
            self.body(&mut bytes);
            if bytes != value.as_bytes() {
                *value = HeaderValue::from_bytes(&bytes).unwrap_or(HeaderValue::from_static("***"));
            }
        }
    }
}

fn replace(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(b"***");
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// One piece of an operation's path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PathPart<'a> {
    Literal(&'static str),
    /// A path parameter, percent-encoded so `/`, `?` or `#` in it stay data.
    Param(&'a str),
}

fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a generated operation declares about itself, from the spec: the
/// runtime obeys it and holds no list of its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperationPolicy {
    /// The operation's id (`operationId`), named by an undecoded success.
    pub(crate) id: &'static str,
    /// The spec's path template (`/card/{token}/`): traced instead of the
    /// expanded path, which can carry a card token.
    pub(crate) path: &'static str,
    /// Whether it may be sent again.
    pub(crate) retry: RetrySafety,
    /// Field names masked in error excerpts (the specs' secret fields).
    pub(crate) secret_fields: &'static [&'static str],
    /// Who may call it (the spec's `security`).
    pub(crate) auth: AuthRule,
}

/// The schemes an operation accepts, from the spec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuthRule {
    /// The kinds of credential it takes; `None`: the spec declares no
    /// security, so whatever is configured is sent.
    pub(crate) accepts: Option<&'static [AuthKind]>,
    /// The spec's names of those schemes (named by the refusal).
    pub(crate) schemes: &'static [&'static str],
    /// It may be called without credentials: a credential it does not
    /// accept is left out instead of refused.
    pub(crate) anonymous: bool,
}

impl AuthRule {
    /// No security declared: any configured auth is sent.
    pub(crate) const ANY: Self = Self {
        accepts: None,
        schemes: &[],
        anonymous: false,
    };
}

/// A request being built by a generated operation.
#[derive(Debug)]
pub(crate) struct Request {
    method: Method,
    url: Url,
    operation: OperationPolicy,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    multipart: Option<reqwest::multipart::Form>,
    options: CallOptions,
}

impl Request {
    /// The caller's per-request options; a bad one ends the call here,
    /// before anything is sent.
    pub(crate) fn options<E>(&mut self, options: CallOptions) -> Result<(), Error<E>> {
        self.options = options.checked()?;
        Ok(())
    }

    #[allow(dead_code, reason = "used only by operations with query parameters")]
    pub(crate) fn query(&mut self, name: &str, value: &dyn std::fmt::Display) {
        self.url
            .query_pairs_mut()
            .append_pair(name, &value.to_string());
    }

    /// A header parameter: refused (naming it) when its value cannot be
    /// sent in HTTP, or when it is the operation's idempotency key and empty.
    #[allow(dead_code, reason = "used only by operations with header parameters")]
    pub(crate) fn header<E>(
        &mut self,
        name: &'static str,
        value: &dyn std::fmt::Display,
    ) -> Result<(), Error<E>> {
        let value = value.to_string();
        if HeaderValue::from_str(&value).is_err() {
            return Err(OptionError::new(
                name,
                "the value is not valid in an HTTP header (control characters or non-ASCII)",
            )
            .into());
        }
        if let RetrySafety::IdempotencyKey(key) = self.operation.retry
            && key.eq_ignore_ascii_case(name)
            && value.trim().is_empty()
        {
            return Err(OptionError::new(
                name,
                "an empty idempotency key: leave it unset, or give one key per logical operation",
            )
            .into());
        }
        self.headers.push((name, value));
        Ok(())
    }

    pub(crate) fn json<E>(&mut self, body: &impl Serialize) -> Result<(), Error<E>> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Validation(ValidationError::new("body", e.to_string())))?;
        self.body = Some(bytes);
        Ok(())
    }

    /// A `multipart/form-data` body: each field of `fields` a text part
    /// (`null` and absent fields left out, a list one part per item, an
    /// object as JSON text), then each file a streamed part with its file
    /// name and content type. Never base64, never JSON.
    #[allow(dead_code, reason = "used only by operations with multipart bodies")]
    pub(crate) fn multipart<E>(
        &mut self,
        fields: &impl Serialize,
        files: Vec<(&'static str, Upload)>,
    ) -> Result<(), Error<E>> {
        let value = serde_json::to_value(fields)
            .map_err(|e| Error::Validation(ValidationError::new("body", e.to_string())))?;
        let mut form = reqwest::multipart::Form::new();
        for (name, v) in value.as_object().into_iter().flatten() {
            let items = match v {
                serde_json::Value::Array(items) => items.iter().collect(),
                v => vec![v],
            };
            for item in items {
                let text = match item {
                    serde_json::Value::Null => continue,
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                form = form.text(name.clone(), text);
            }
        }
        for (name, file) in files {
            let part = file
                .into_part()
                .map_err(|m| Error::Validation(ValidationError::new(name, m)))?;
            form = form.part(name, part);
        }
        self.multipart = Some(form);
        Ok(())
    }
}

/// A response read in full (within the size limit).
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    url: Url,
    headers: HeaderMap,
    body: Vec<u8>,
    secret_fields: &'static [&'static str],
    operation: &'static str,
}

impl Response {
    /// Status and headers.
    pub(crate) fn meta(&self) -> ResponseMeta {
        ResponseMeta::new(self.status, self.headers.clone(), self.secret_fields)
    }

    /// A documented error status, decoded into `error`.
    pub(crate) fn api<E>(&self, error: E) -> Error<E> {
        Error::Api {
            error,
            meta: self.meta(),
        }
    }

    /// Decodes a documented body; a mismatch names the field.
    /// A 2xx whose body does not decode is [`Error::Undecoded`]: the
    /// request succeeded, and the caller gets the whole body.
    pub(crate) fn decode<T: DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        serde_json::from_slice(&self.body).map_err(|e| {
            if (200..=299).contains(&self.status) {
                return self.undecoded(e.to_string());
            }
            Error::Decode {
                status: self.status,
                message: e.to_string(),
                body: BodyExcerpt::masking(&self.body, self.secret_fields),
                meta: self.meta(),
            }
        })
    }

    fn undecoded<E>(&self, message: String) -> Error<E> {
        Error::Undecoded(Box::new(UndecodedSuccess::new(
            self.operation,
            self.meta(),
            message,
            &self.body,
            self.secret_fields,
        )))
    }

    /// A documented redirect: its `Location`, resolved against the request
    /// URL, never followed.
    pub(crate) fn redirect(&self) -> Redirect {
        let location = self
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| self.url.join(l).ok());
        Redirect::new(self.status, location)
    }

    /// A status the operation does not document.
    pub(crate) fn unexpected<E>(self) -> Error<E> {
        if (200..=299).contains(&self.status) {
            // Undocumented, but a success all the same: never a failure.
            return self.undecoded(format!("HTTP {} is not documented", self.status));
        }
        Error::UnexpectedStatus(UnexpectedResponse::new(
            self.meta(),
            BodyExcerpt::masking(&self.body, self.secret_fields),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONCE: OperationPolicy = OperationPolicy {
        id: "test",
        path: "/test/{id}",
        retry: RetrySafety::Never,
        secret_fields: &[],
        auth: AuthRule::ANY,
    };

    #[test]
    fn path_params_are_encoded() {
        assert_eq!(encode_segment("a/b?c#d e%"), "a%2Fb%3Fc%23d%20e%25");
        assert_eq!(encode_segment("tok_AZ-09.~"), "tok_AZ-09.~");
    }

    #[test]
    fn urls_keep_the_base_prefix() {
        let c = Client::new(Config::new("https://example.com/prefix/", Auth::None)).unwrap();
        let mut r = c.request(
            Method::DELETE,
            &[
                PathPart::Literal("/b/pbl/v2/card/"),
                PathPart::Param("t/1"),
                PathPart::Literal("/"),
            ],
            ONCE,
        );
        r.query("type", &"sandbox");
        assert_eq!(
            r.url.as_str(),
            "https://example.com/prefix/b/pbl/v2/card/t%2F1/?type=sandbox"
        );
    }

    #[test]
    fn urls_without_a_base_path_have_one_slash() {
        let c = Client::new(Config::sandbox(Auth::None)).unwrap();
        let r = c.request(Method::POST, &[PathPart::Literal("/b/pbl/v2/card/")], ONCE);
        assert_eq!(r.url.as_str(), "https://sandbox.ottu.net/b/pbl/v2/card/");
    }

    #[test]
    fn bad_config_is_an_error_without_secrets() {
        assert!(matches!(
            Client::new(Config::new("ftp://x", Auth::None)),
            Err(BuildError::BaseUrl(_))
        ));
        let e = Client::new(Config::sandbox(Auth::api_key("secret\nkey"))).unwrap_err();
        assert!(!e.to_string().contains("secret"));
        let c = Client::new(Config::sandbox(Auth::api_key("sk_live_1"))).unwrap();
        assert!(!format!("{c:?}").contains("sk_live_1"));
    }
}
