//! The response beside the typed value: status and headers, on success
//! ([`Response`]) and on every error that got a response ([`ResponseMeta`],
//! from [`Error::meta`](crate::Error::meta)).

use std::fmt;

use reqwest::header::HeaderMap;

use super::error::is_sensitive_key;

/// A response's status and headers. The client's own credential is
/// already replaced by `***` in every header value it received; `Debug`
/// also masks the values of headers that carry credentials, cookies or
/// tokens (`Authorization`, `Api-Key`, `Set-Cookie`, `X-Card-Token`, ...)
/// and of the spec's secret fields.
#[derive(Clone, PartialEq)]
pub struct ResponseMeta {
    status: u16,
    /// Boxed: every error carries one, and errors stay small.
    headers: Box<HeaderMap>,
    secret_fields: &'static [&'static str],
}

/// Header names whose values `Debug` never shows, compared without case,
/// `-` or `_`: any name containing one of these words.
const SECRET_HEADER_WORDS: &[&str] = &[
    "auth",
    "cookie",
    "key",
    "secret",
    "token",
    "signature",
    "password",
    "session",
];

/// Headers whose value is a URL: `Debug` shows it without its query (a
/// report's pre-signed download URL carries its signature there).
const URL_HEADERS: &[&str] = &["location", "content-location", "link", "refresh"];

/// Is a header's value hidden from `Debug`?
pub(crate) fn is_secret_header(name: &str, secret_fields: &[&str]) -> bool {
    let normal: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_HEADER_WORDS.iter().any(|w| normal.contains(w)) || is_sensitive_key(name, secret_fields)
}

impl ResponseMeta {
    pub(crate) fn new(
        status: u16,
        headers: HeaderMap,
        secret_fields: &'static [&'static str],
    ) -> Self {
        Self {
            status,
            headers: Box::new(headers),
            secret_fields,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers (`Retry-After`, rate limits, a request id for
    /// Ottu's support), as received; the client's credential is masked.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub(crate) fn secret_fields(&self) -> &'static [&'static str] {
        self.secret_fields
    }

    /// One header's value as text (`None` if absent or not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Headers with secret values masked.
pub(crate) struct MaskedHeaders<'a>(pub(crate) &'a HeaderMap, pub(crate) &'a [&'a str]);

impl fmt::Debug for MaskedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            let text = String::from_utf8_lossy(value.as_bytes());
            if is_secret_header(name.as_str(), self.1) {
                map.entry(&name.as_str(), &"***");
            } else if let Some((url, _)) = text
                .split_once('?')
                .filter(|_| URL_HEADERS.contains(&name.as_str()))
            {
                // A pre-signed URL's query is its credential.
                map.entry(&name.as_str(), &format!("{url}?***"));
            } else {
                map.entry(&name.as_str(), &text);
            }
        }
        map.finish()
    }
}

impl fmt::Debug for ResponseMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("headers", &MaskedHeaders(&self.headers, self.secret_fields))
            .finish()
    }
}

/// An operation's typed result with the response it came in: what
/// `send_with_response()` of every operation's request returns.
///
/// ```rust,ignore
/// let resp = client.get_user_cards(&request).send_with_response().await?;
/// let request_id = resp.meta().header("x-request-id").map(str::to_string);
/// let (cards, meta) = resp.into_parts();
/// ```
#[derive(Clone, PartialEq)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Self { value, meta }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// Status and headers.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The typed value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The typed value, dropping status and headers.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The typed value, and status and headers.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.value, self.meta)
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.meta.status)
            .field(
                "headers",
                &MaskedHeaders(&self.meta.headers, self.meta.secret_fields),
            )
            .field("value", &self.value)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn debug_masks_credentials_cookies_and_tokens() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Api-Key sk_live_1"),
            ("api-key", "sk_live_2"),
            ("set-cookie", "sessionid=abc123"),
            ("x-card-token", "tok_live_3"),
            ("x-signature", "deadbeef"),
            ("payload", "wallet-data-4"),
            ("x-request-id", "req-42"),
            (
                "location",
                "https://files.example/r.csv?X-Amz-Signature=sig_5",
            ),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        let meta = ResponseMeta::new(402, headers, &["payload"]);
        let shown = format!("{meta:?} {:?}", Response::new(1, meta.clone()));
        for secret in [
            "sk_live_1",
            "sk_live_2",
            "abc123",
            "tok_live_3",
            "deadbeef",
            "wallet-data-4",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("req-42") && shown.contains("402"), "{shown}");
        assert!(shown.contains("https://files.example/r.csv?***"), "{shown}");
        assert_eq!(meta.header("x-request-id"), Some("req-42"));
    }
}
