//! Per-request options every operation's request takes beside its own
//! parameters: a timeout, a retry policy, extra headers. A bad option is
//! an [`OptionError`] returned when the request is sent, before anything
//! goes on the wire.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::retry::RetryPolicy;

/// A per-request option that cannot be used; nothing was sent. Names the
/// option, never its value (a header value may be a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    option: String,
    reason: String,
}

impl OptionError {
    pub(crate) fn new(option: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            option: option.into(),
            reason: reason.into(),
        }
    }

    /// The option: `timeout`, `header(X-Name)`, or the header of a typed
    /// setter (`Tracking-Key`).
    pub fn option(&self) -> &str {
        &self.option
    }

    /// What is wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid request option `{}`: {}; nothing was sent",
            self.option, self.reason
        )
    }
}

impl std::error::Error for OptionError {}

/// Headers a free-form [`CallOptions::header`] may not set: the
/// credential (only the configured [`Auth`](crate::Auth) sets it, and only
/// where the operation accepts it), and what the client derives from the
/// request itself.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "host",
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// The options of one call, gathered by a generated request's setters.
#[derive(Debug, Default)]
pub(crate) struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    /// Marked sensitive: their values never show in `Debug`.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The first bad option, returned when the request is sent.
    invalid: Option<OptionError>,
}

impl CallOptions {
    fn refuse(&mut self, option: impl Into<String>, reason: impl Into<String>) {
        if self.invalid.is_none() {
            self.invalid = Some(OptionError::new(option, reason));
        }
    }

    pub(crate) fn timeout(&mut self, timeout: Duration) {
        if timeout.is_zero() {
            self.refuse("timeout", "must be greater than zero");
        } else {
            self.timeout = Some(timeout);
        }
    }

    pub(crate) fn retry(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// An extra header. `declared`: the operation's own header parameters
    /// (wire name, setter), which have typed setters instead.
    pub(crate) fn header(&mut self, name: &str, value: &str, declared: &[(&str, &str)]) {
        let option = format!("header({name})");
        let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
            return self.refuse(option, "not a valid HTTP header name");
        };
        if RESERVED_HEADERS.contains(&header.as_str()) {
            let why = if header.as_str().ends_with("authorization") || header.as_str() == "cookie" {
                "credentials are set only by the client's configured Auth, never per request"
            } else {
                "the client sets it from the request itself"
            };
            return self.refuse(option, why);
        }
        if let Some((_, setter)) = declared
            .iter()
            .find(|(wire, _)| wire.eq_ignore_ascii_case(name))
        {
            return self.refuse(
                option,
                format!("a parameter of this operation: use its typed setter `.{setter}(..)`"),
            );
        }
        let Ok(mut value) = HeaderValue::from_str(value) else {
            return self.refuse(
                option,
                "the value is not valid in an HTTP header (control characters or non-ASCII)",
            );
        };
        value.set_sensitive(true);
        self.headers.push((header, value));
    }

    /// The options, or the first bad one.
    pub(crate) fn checked(self) -> Result<Self, OptionError> {
        match self.invalid {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(f: impl FnOnce(&mut CallOptions)) -> OptionError {
        let mut o = CallOptions::default();
        f(&mut o);
        o.checked().unwrap_err()
    }

    #[test]
    fn bad_options_are_named_and_values_never_shown() {
        let e = refused(|o| o.timeout(Duration::ZERO));
        assert_eq!(e.option(), "timeout");
        let e = refused(|o| o.header("Authorization", "Api-Key sk_live_9", &[]));
        assert_eq!(e.option(), "header(Authorization)");
        assert!(!e.to_string().contains("sk_live_9"), "{e}");
        let e = refused(|o| o.header("x-note", "line\nbreak sk_live_9", &[]));
        assert!(e.reason().contains("not valid"), "{e}");
        assert!(!e.to_string().contains("sk_live_9"), "{e}");
        let e = refused(|o| o.header("tracking-key", "k1", &[("Tracking-Key", "tracking_key")]));
        assert!(e.reason().contains(".tracking_key(..)"), "{e}");
        let e = refused(|o| o.header("bad name", "v", &[]));
        assert_eq!(e.option(), "header(bad name)");
    }

    #[test]
    fn good_options_are_kept_and_masked_in_debug() {
        let mut o = CallOptions::default();
        o.timeout(Duration::from_secs(2));
        o.header("X-Request-Id", "sk_live_in_a_header", &[]);
        let o = o.checked().unwrap();
        assert_eq!(o.timeout, Some(Duration::from_secs(2)));
        assert_eq!(o.headers[0].0.as_str(), "x-request-id");
        assert!(!format!("{o:?}").contains("sk_live_in_a_header"));
    }
}
