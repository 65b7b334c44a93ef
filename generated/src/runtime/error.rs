//! What can go wrong with a call, and what an error may show.

use std::fmt;

use super::options::OptionError;
use super::response::{MaskedHeaders, ResponseMeta};
use super::validate::ValidationError;

/// The error of an operation whose documented error responses are `E`.
///
/// Every error that got a response carries its status and headers
/// ([`Error::status`], [`Error::headers`], [`Error::meta`]): API errors,
/// oversized bodies, decode failures, undocumented statuses and undecoded
/// successes.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The server answered with a status the spec documents as an error;
    /// its body is decoded into `E`.
    Api {
        /// The operation's documented error.
        error: E,
        /// Status and headers of the response.
        meta: ResponseMeta,
    },
    /// A request value breaks a constraint of the spec; nothing was sent.
    Validation(ValidationError),
    /// The request could not be sent or the response not read (connection,
    /// TLS, timeout).
    Transport(TransportError),
    /// The response body is larger than the configured limit.
    BodyTooLarge {
        /// HTTP status.
        status: u16,
        /// The limit in bytes.
        limit: usize,
        /// Status and headers of the response.
        meta: ResponseMeta,
    },
    /// A documented response whose body does not match its schema.
    Decode {
        /// HTTP status.
        status: u16,
        /// What did not match (names the field).
        message: String,
        /// The start of the body, with secret-looking values masked.
        body: BodyExcerpt,
        /// Status and headers of the response.
        meta: ResponseMeta,
    },
    /// A status the spec does not document for this operation.
    UnexpectedStatus(UnexpectedResponse),
    /// **The request succeeded** (HTTP 2xx: a payment went through, a card
    /// was deleted), but the body could not be decoded as documented, or
    /// the 2xx status is not documented. It is *not* a failure: never
    /// retry a payment or mark its order failed on it; reconcile with the
    /// whole body it carries ([`UndecodedSuccess::body`]).
    /// [`Error::took_effect`] is true for it.
    Undecoded(Box<UndecodedSuccess>),
    /// The configured [`Auth`](crate::Auth) is not one of the schemes the
    /// operation accepts (its documentation lists them); nothing was sent,
    /// so the credential never reached an endpoint that does not take it.
    AuthNotAccepted {
        /// The operation (`operationId`).
        operation: &'static str,
        /// How the client is configured to authenticate (never the credential).
        configured: crate::AuthKind,
        /// The spec's schemes the operation accepts (`basicAuth`, `SSO_JWT_Auth`, ...).
        accepted: &'static [&'static str],
    },
    /// A per-request option (timeout, header, idempotency key) cannot be
    /// used; nothing was sent.
    InvalidOption(OptionError),
}

impl<E> Error<E> {
    /// True when the server said the request succeeded (a 2xx whose body
    /// could not be decoded, [`Error::Undecoded`]): whatever it did (a
    /// charge) happened. False means the server did not confirm success;
    /// it does not prove nothing happened (a timeout can hide a charge).
    pub fn took_effect(&self) -> bool {
        matches!(self, Self::Undecoded(_))
    }

    /// Status and headers of the response, when there was one.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Self::Api { meta, .. }
            | Self::BodyTooLarge { meta, .. }
            | Self::Decode { meta, .. } => Some(meta),
            Self::UnexpectedStatus(r) => Some(&r.meta),
            Self::Undecoded(s) => Some(&s.meta),
            Self::Validation(_)
            | Self::Transport(_)
            | Self::AuthNotAccepted { .. }
            | Self::InvalidOption(_) => None,
        }
    }

    /// The HTTP status, when a response came.
    pub fn status(&self) -> Option<u16> {
        self.meta().map(ResponseMeta::status)
    }

    /// The response headers, when a response came.
    pub fn headers(&self) -> Option<&reqwest::header::HeaderMap> {
        self.meta().map(ResponseMeta::headers)
    }

    /// The operation's documented error, if that is what this is.
    pub fn api(&self) -> Option<&E> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl<E> From<OptionError> for Error<E> {
    fn from(e: OptionError) -> Self {
        Self::InvalidOption(e)
    }
}

/// The body of a success response, kept whole for the caller to reconcile.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum SuccessBody {
    /// The body was JSON (of a shape the client does not know).
    Json(serde_json::Value),
    /// The body was not JSON: its bytes (empty if there was none).
    Raw(Vec<u8>),
}

/// A 2xx response the client could not decode: the request succeeded.
/// The body is kept whole and unmasked in [`body`](Self::body); `Debug` and
/// `Display` mask secrets.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct UndecodedSuccess {
    /// The operation (`operationId`).
    pub operation: &'static str,
    /// The HTTP status (200..=299).
    pub status: u16,
    /// Why it did not decode (names the field), or that the status is undocumented.
    pub reason: String,
    /// The whole body, unmasked.
    pub body: SuccessBody,
    excerpt: BodyExcerpt,
    meta: ResponseMeta,
}

/// Not shown: it is unmasked ([`UndecodedSuccess`]'s `Debug` shows a masked excerpt).
impl fmt::Debug for SuccessBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(_) => f.write_str("Json(..)"),
            Self::Raw(b) => write!(f, "Raw({} bytes)", b.len()),
        }
    }
}

impl UndecodedSuccess {
    pub(crate) fn new(
        operation: &'static str,
        meta: ResponseMeta,
        reason: String,
        body: &[u8],
        secret_fields: &[&str],
    ) -> Self {
        let parsed = serde_json::from_slice(body).map(SuccessBody::Json);
        Self {
            operation,
            status: meta.status(),
            reason,
            body: parsed.unwrap_or_else(|_| SuccessBody::Raw(body.to_vec())),
            excerpt: BodyExcerpt::masking(body, secret_fields),
            meta,
        }
    }

    /// The response headers.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        self.meta.headers()
    }

    /// Status and headers.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The request took effect: always true (a reminder where it is read).
    pub fn took_effect(&self) -> bool {
        true
    }
}

impl fmt::Debug for UndecodedSuccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UndecodedSuccess")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("took_effect", &true)
            .field("reason", &self.reason)
            .field("body", &self.excerpt)
            .field("meta", &self.meta)
            .finish()
    }
}

impl fmt::Display for UndecodedSuccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` SUCCEEDED (HTTP {}, it took effect) but its response was not understood ({}); reconcile with the body: {}",
            self.operation, self.status, self.reason, self.excerpt
        )
    }
}

impl<E> From<ValidationError> for Error<E> {
    fn from(e: ValidationError) -> Self {
        Self::Validation(e)
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api { error, .. } => write!(f, "{error}"),
            Self::Validation(e) => write!(f, "{e}"),
            Self::Transport(e) => write!(f, "{e}"),
            Self::BodyTooLarge { status, limit, .. } => {
                write!(f, "HTTP {status}: response body larger than {limit} bytes")
            }
            Self::Decode {
                status,
                message,
                body,
                ..
            } => write!(
                f,
                "HTTP {status}: cannot decode the response ({message}); body: {body}"
            ),
            Self::UnexpectedStatus(r) => write!(f, "{r}"),
            Self::Undecoded(s) => write!(f, "{s}"),
            Self::AuthNotAccepted {
                operation,
                configured,
                accepted,
            } => write!(
                f,
                "`{operation}` does not accept {configured} authentication (it accepts: {}); nothing was sent",
                if accepted.is_empty() {
                    "none this client can send".to_string()
                } else {
                    accepted.join(", ")
                }
            ),
            Self::InvalidOption(e) => write!(f, "{e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(&e.0),
            Self::Validation(e) => Some(e),
            Self::InvalidOption(e) => Some(e),
            _ => None,
        }
    }
}

/// A connection, TLS or timeout failure. The URL is stripped: it may carry
/// a card token in its path.
#[derive(Debug)]
pub struct TransportError(pub(crate) reqwest::Error);

impl TransportError {
    pub(crate) fn new(e: reqwest::Error) -> Self {
        Self(e.without_url())
    }

    /// True when a timeout ended the request.
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request failed: {}", self.0)
    }
}

/// A response with a status the operation does not document.
#[derive(Clone)]
pub struct UnexpectedResponse {
    /// HTTP status.
    pub status: u16,
    /// The start of the body, with secret-looking values masked.
    pub body: BodyExcerpt,
    meta: ResponseMeta,
}

impl UnexpectedResponse {
    pub(crate) fn new(meta: ResponseMeta, body: BodyExcerpt) -> Self {
        Self {
            status: meta.status(),
            body,
            meta,
        }
    }

    /// The response headers (the client's credential masked; `Debug`
    /// masks credential, cookie and token headers).
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        self.meta.headers()
    }

    /// Status and headers.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

impl fmt::Debug for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnexpectedResponse")
            .field("status", &self.status)
            .field(
                "headers",
                &MaskedHeaders(self.meta.headers(), self.meta.secret_fields()),
            )
            .field("body", &self.body)
            .finish()
    }
}

impl fmt::Display for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected HTTP {}; body: {}", self.status, self.body)
    }
}

/// At most [`BodyExcerpt::MAX`] bytes of a body, secrets masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyExcerpt {
    /// The excerpt.
    pub text: String,
    /// True when the body was longer.
    pub truncated: bool,
}

/// Keys whose values are never shown in an error or a `Debug` of undeclared
/// properties, whatever the spec says: credentials, and the card data error
/// bodies echo. The spec's own secret fields (wallet payment data, ...) come
/// from the generated crate's `SECRET_FIELDS`, which generated code passes
/// in (a test in `generated/tests/secrets.rs` checks that every one is
/// masked). Compared without case, `_` or `-` (`paymentData` is `payment_data`).
const ALWAYS_MASKED: &[&str] = &[
    "password",
    "secret",
    "apikey",
    "authorization",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "privatekey",
    "token",
    "number",
    "cardnumber",
    "cvv",
    "pan",
];

/// `paymentData`, `payment_data`, `Payment-Data` -> `paymentdata`.
fn normal(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Is a JSON key one whose value is never shown? `secret_fields` are the
/// spec's; a `Type.name` entry names one type's field, too common a name
/// to mask in every body (`Debug` of that type hides it).
pub(crate) fn is_sensitive_key(key: &str, secret_fields: &[&str]) -> bool {
    let key = normal(key);
    ALWAYS_MASKED.contains(&key.as_str())
        || secret_fields
            .iter()
            .any(|s| !s.contains('.') && normal(s) == key)
}

/// `Debug` of JSON a body carried that the spec does not describe (a
/// struct's undeclared properties): secret-looking values print as `***`.
/// The spec's secret fields come with it (the generated `SECRET_FIELDS`).
pub(crate) struct Masked<'a>(
    pub &'a serde_json::Map<String, serde_json::Value>,
    pub &'a [&'a str],
);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = serde_json::Value::Object(self.0.clone());
        mask(&mut v, self.1);
        fmt::Debug::fmt(&v, f)
    }
}

fn mask(v: &mut serde_json::Value, secret_fields: &[&str]) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_sensitive_key(k, secret_fields) {
                    mask_all(child);
                } else {
                    mask(child, secret_fields);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| mask(v, secret_fields)),
        _ => {}
    }
}

/// Masks every value under a secret key, keeping the keys (an error body's
/// `{"payload": {"paymentData": ["Invalid."]}}` still says which field was
/// wrong) and DRF's messages: the strings of a list that all read as prose
/// (a space, or a closing `.`, `!` or `?`; tokens, keys and signatures
/// never do).
fn mask_all(v: &mut serde_json::Value) {
    use serde_json::Value;
    let prose = |s: &str| s.contains(char::is_whitespace) || s.ends_with(['.', '!', '?']);
    match v {
        Value::Null => {}
        Value::Object(map) => map.values_mut().for_each(mask_all),
        Value::Array(items)
            if !items.is_empty() && items.iter().all(|i| i.as_str().is_some_and(prose)) => {}
        Value::Array(items) => items.iter_mut().for_each(mask_all),
        _ => *v = Value::String("***".into()),
    }
}

/// Masks `"key": "value"` pairs of sensitive keys in text that is not valid
/// JSON (a truncated body still carries whole tokens), to the closing quote
/// or the end of the text.
fn mask_text(text: &str, secret_fields: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        let (before, from_quote) = rest.split_at(start);
        out.push_str(before);
        let Some(key_len) = from_quote[1..].find('"') else {
            break;
        };
        let key = &from_quote[1..=key_len];
        let after_key = &from_quote[key_len + 2..];
        out.push_str(&from_quote[..key_len + 2]);
        rest = after_key;
        let value = after_key
            .trim_start()
            .strip_prefix(':')
            .map(str::trim_start);
        if let Some(v) = value
            .and_then(|v| v.strip_prefix('"'))
            .filter(|_| is_sensitive_key(key, secret_fields))
        {
            let mut end = v.len();
            let mut escaped = false;
            for (i, c) in v.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = i + 1;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            out.push_str(": \"***\"");
            rest = &v[end..];
        }
    }
    out.push_str(rest);
    out
}

impl BodyExcerpt {
    /// Longest excerpt kept, in bytes.
    pub const MAX: usize = 1024;

    /// Masks JSON values under credential and card-data keys, then
    /// truncates. Operations mask their spec's secret fields too
    /// ([`BodyExcerpt::masking`]).
    pub fn new(body: &[u8]) -> Self {
        Self::masking(body, &[])
    }

    /// Like [`BodyExcerpt::new`], masking `secret_fields` as well (the
    /// generated `SECRET_FIELDS`: any case, `_` or `-`).
    pub fn masking(body: &[u8], secret_fields: &[&str]) -> Self {
        let text = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(mut v) => {
                mask(&mut v, secret_fields);
                v.to_string()
            }
            Err(_) => mask_text(&String::from_utf8_lossy(body), secret_fields),
        };
        if text.len() <= Self::MAX {
            return Self {
                text,
                truncated: false,
            };
        }
        let mut end = Self::MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            text: text[..end].to_string(),
            truncated: true,
        }
    }
}

impl fmt::Display for BodyExcerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if self.truncated {
            f.write_str("…")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_masks_and_bounds() {
        let e = BodyExcerpt::new(br#"{"detail":"bad","token":"tok_123","card":{"number":"4111"}}"#);
        assert_eq!(
            e.text,
            r#"{"detail":"bad","token":"***","card":{"number":"***"}}"#
        );
        let big = "x".repeat(10_000);
        let e = BodyExcerpt::new(big.as_bytes());
        assert!(e.truncated && e.text.len() == BodyExcerpt::MAX);
    }

    #[test]
    fn excerpts_keep_field_error_messages_under_secret_keys() {
        let secret = &["payload", "paymentData"];
        let e = BodyExcerpt::masking(br#"{"payload": {"paymentData": ["Invalid."]}}"#, secret);
        assert_eq!(e.text, r#"{"payload":{"paymentData":["Invalid."]}}"#);
        // A token under the same keys is masked leaf by leaf.
        let e = BodyExcerpt::masking(
            br#"{"payload": {"paymentData": {"data": "CIPHER", "version": 1}, "signatures": ["MEUCIQD+x/y=="]}}"#,
            secret,
        );
        assert_eq!(
            e.text,
            r#"{"payload":{"paymentData":{"data":"***","version":"***"},"signatures":["***"]}}"#
        );
    }

    #[test]
    fn truncated_json_still_masks_tokens() {
        let e = BodyExcerpt::new(br#"[{"brand": "VISA", "token" : "tok_1\"x", "number": "4111"#);
        assert_eq!(
            e.text,
            r#"[{"brand": "VISA", "token": "***", "number": "***""#
        );
    }
}
