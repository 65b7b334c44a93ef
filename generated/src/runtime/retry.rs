//! Opt-in retries, for operations that are safe to send twice.
//!
//! # What may be retried
//! Without a policy ([`Config::retry`](crate::Config::retry)) nothing is.
//! With one, a request is retried only as its operation allows: each
//! generated operation states a [`RetrySafety`], decided in the spec (the
//! `x-ottu-retry` extension, else HTTP semantics: GET, HEAD and OPTIONS are
//! retried, anything else is sent once). The runtime knows no path and no
//! operation; it obeys what the operation says:
//! * [`RetrySafety::Safe`]: retried on transient failures;
//! * [`RetrySafety::IdempotencyKey`]: retried only when the request carries
//!   an idempotency key in the named header (the same key on every attempt,
//!   so the server can tell a repeat from a new request); without one it is
//!   sent once;
//! * [`RetrySafety::Never`]: sent exactly once, whatever the policy says.
//!   Payments are: a 503, a reset connection or a timeout does not tell
//!   whether the customer was charged, and a retry could charge them twice.
//!   No configuration can make such an operation retried; a caller who wants
//!   to try a payment again checks its status first.
//!
//! # When and how long
//! Retried: 429, 502, 503, 504 and transport failures (refused, reset,
//! timed out). The
//! wait before retry `n` is exponential (`base_delay * 2^(n-1)`, at most
//! `max_delay`) with equal jitter (a random point in its upper half), so
//! many clients do not retry in step. A `Retry-After` in seconds is a lower
//! bound on the wait; when it asks for longer than `max_delay` the client
//! stops and returns that response instead of waiting (or retrying early).

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// When a request may be sent again after a transient failure, as its
/// generated operation declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// Retried on transient failures: it only reads, or repeating it is harmless.
    Safe,
    /// Retried only when the request carries a key in this header.
    IdempotencyKey(&'static str),
    /// Sent once, whatever the [`RetryPolicy`] says.
    Never,
}

impl RetrySafety {
    /// Whether a request with these headers may be retried at all (the
    /// policy decides how often).
    pub(crate) fn allows_retry(self, headers: &[(&'static str, String)]) -> bool {
        match self {
            Self::Safe => true,
            Self::IdempotencyKey(name) => headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && !v.trim().is_empty()),
            Self::Never => false,
        }
    }
}

/// Statuses that mean "try again later" rather than "this request is wrong".
const RETRY_STATUSES: &[u16] = &[429, 502, 503, 504];

/// How often and how patiently safe requests are retried. See the module
/// documentation for which requests qualify (never a payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms base delay, 10 s maximum delay, with jitter.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Attempts in total, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; doubled for each further one.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait; a `Retry-After` asking for more ends the retries.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Waits exactly the exponential delay (for tests and reproducible runs).
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// Attempts in total.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before retry `retry` (1 for the first), or `None` when the
    /// server's `Retry-After` exceeds `max_delay`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry_after.is_some_and(|r| r > self.max_delay) {
            return None;
        }
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let exp = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let wait = if self.jitter {
            exp / 2 + exp.mul_f64(random_unit() / 2.0)
        } else {
            exp
        };
        Some(wait.max(retry_after.unwrap_or_default()))
    }
}

/// Whether a response status asks to try again later.
pub(crate) fn is_retry_status(status: u16) -> bool {
    RETRY_STATUSES.contains(&status)
}

/// `Retry-After` as delta-seconds. An HTTP-date is ignored (the backoff
/// applies): clocks of client and server need not agree.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A number in [0, 1) from the standard library's per-process random
/// hash keys: good enough to spread retries, no RNG dependency.
fn random_unit() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_decides_and_a_key_is_needed_for_idempotency_key() {
        let none: Vec<(&'static str, String)> = Vec::new();
        assert!(RetrySafety::Safe.allows_retry(&none));
        assert!(!RetrySafety::Never.allows_retry(&none));
        assert!(
            !RetrySafety::Never.allows_retry(&[("Tracking-Key", "k-1".into())]),
            "never means never, key or not"
        );
        let keyed = RetrySafety::IdempotencyKey("Tracking-Key");
        assert!(!keyed.allows_retry(&none), "no key: sent once");
        assert!(
            !keyed.allows_retry(&[("Tracking-Key", "  ".into())]),
            "blank key"
        );
        assert!(!keyed.allows_retry(&[("X-Other", "k-1".into())]));
        assert!(keyed.allows_retry(&[("tracking-key", "k-1".into())]));
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let p = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350))
            .without_jitter();
        let waits: Vec<_> = (1..=4)
            .map(|n| p.delay(n, None).unwrap().as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 350, 350]);
        assert_eq!(
            p.delay(40, None),
            Some(Duration::from_millis(350)),
            "no overflow"
        );
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let p = RetryPolicy::new().base_delay(Duration::from_millis(400));
        for _ in 0..200 {
            let d = p.delay(1, None).unwrap();
            assert!(
                d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
                "{d:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_a_lower_bound_and_too_long_stops() {
        let p = RetryPolicy::new()
            .base_delay(Duration::from_millis(10))
            .max_delay(Duration::from_secs(5));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(6))), None);
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, " 7 ".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::new().max_attempts(0).attempts(), 1);
    }
}
