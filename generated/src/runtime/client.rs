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

use super::config::{Auth, Config};
use super::error::{BodyExcerpt, Error, TransportError, UndecodedSuccess, UnexpectedResponse};
use super::retry::{self, RetryPolicy, RetrySafety};
use super::trace;
use super::validate::ValidationError;

/// A configured Ottu API client. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    auth: Option<HeaderValue>,
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
        Auth::None => return Ok(None),
    };
    let mut value = HeaderValue::from_str(&text).map_err(|_| BuildError::Credentials)?;
    value.set_sensitive(true);
    Ok(Some(value))
}

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
            None => reqwest::Client::builder()
                .timeout(config.timeout)
                .connect_timeout(config.connect_timeout)
                .user_agent(config.user_agent)
                .build()
                .map_err(|e| BuildError::Http(e.to_string()))?,
        };
        Ok(Self {
            http,
            base,
            auth: auth_header(&config.auth)?,
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
        }
    }

    /// Sends `req`; retried only under a policy and only as its operation
    /// allows (never a payment).
    pub(crate) async fn send<E>(&self, req: Request) -> Result<Response, Error<E>> {
        let call = trace::Call::start(req.operation.id, &req.method, req.operation.path);
        let (result, attempts) = call.run(self.attempts(&req, &call)).await;
        call.finish(&result, attempts);
        result
    }

    /// The attempts of one call, and how many were made.
    async fn attempts<E>(
        &self,
        req: &Request,
        call: &trace::Call,
    ) -> (Result<Response, Error<E>>, u32) {
        let Some(policy) = self
            .retry
            .as_ref()
            .filter(|_| req.operation.retry.allows_retry(&req.headers))
        else {
            return (self.send_once(req).await, 1);
        };
        let mut attempt = 1;
        loop {
            let result = self.send_once(req).await;
            if attempt >= policy.attempts() {
                return (result, attempt);
            }
            let retry_after = match &result {
                Ok(resp) if retry::is_retry_status(resp.status) => {
                    retry::retry_after(&resp.headers)
                }
                // Safe to repeat: a reset or timeout after sending is retried too.
                Err(Error::Transport(_)) => None,
                _ => return (result, attempt),
            };
            let Some(wait) = policy.delay(attempt, retry_after) else {
                return (result, attempt);
            };
            call.retry(attempt, &result, wait);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn send_once<E>(&self, req: &Request) -> Result<Response, Error<E>> {
        let mut builder = self
            .http
            .request(req.method.clone(), req.url.clone())
            .timeout(self.timeout);
        if let Some(auth) = &self.auth {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut resp = builder
            .send()
            .await
            .map_err(|e| Error::Transport(TransportError::new(e)))?;
        let status = resp.status().as_u16();
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(Error::BodyTooLarge {
                status,
                limit: self.max_body,
            });
        }
        let mut headers = std::mem::take(resp.headers_mut());
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Error::Transport(TransportError::new(e)))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(Error::BodyTooLarge {
                    status,
                    limit: self.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        self.scrub.body(&mut body);
        self.scrub.headers(&mut headers);
        Ok(Response {
            status,
            headers,
            body,
            secret_fields: req.operation.secret_fields,
            operation: req.operation.id,
        })
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
            Auth::Bearer(token) => vec![token.expose().to_string()],
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
}

/// A request being built by a generated operation.
#[derive(Debug)]
pub(crate) struct Request {
    method: Method,
    url: Url,
    operation: OperationPolicy,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl Request {
    #[allow(dead_code, reason = "used only by operations with query parameters")]
    pub(crate) fn query(&mut self, name: &str, value: &dyn std::fmt::Display) {
        self.url
            .query_pairs_mut()
            .append_pair(name, &value.to_string());
    }

    #[allow(dead_code, reason = "used only by operations with header parameters")]
    pub(crate) fn header(&mut self, name: &'static str, value: &dyn std::fmt::Display) {
        self.headers.push((name, value.to_string()));
    }

    pub(crate) fn json<E>(&mut self, body: &impl Serialize) -> Result<(), Error<E>> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Validation(ValidationError::new("body", e.to_string())))?;
        self.body = Some(bytes);
        Ok(())
    }
}

/// A response read in full (within the size limit).
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    secret_fields: &'static [&'static str],
    operation: &'static str,
}

impl Response {
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
            }
        })
    }

    fn undecoded<E>(&self, message: String) -> Error<E> {
        Error::Undecoded(Box::new(UndecodedSuccess::new(
            self.operation,
            self.status,
            message,
            &self.body,
            self.secret_fields,
        )))
    }

    /// A status the operation does not document.
    pub(crate) fn unexpected<E>(self) -> Error<E> {
        if (200..=299).contains(&self.status) {
            // Undocumented, but a success all the same: never a failure.
            return self.undecoded(format!("HTTP {} is not documented", self.status));
        }
        let headers = self
            .headers
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "set-cookie" | "authorization" | "proxy-authorization"
                )
            })
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Error::UnexpectedStatus(UnexpectedResponse {
            status: self.status,
            headers,
            body: BodyExcerpt::masking(&self.body, self.secret_fields),
        })
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
