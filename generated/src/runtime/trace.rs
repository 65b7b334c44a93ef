//! What a call tells [`tracing`] (feature `tracing`, on by default): one
//! span per call (`ottu.call`) and an event per retry. Every field is
//! chosen so that it cannot carry a secret: the operation id, the method
//! and the path *template* are static text from the spec (the expanded path
//! can hold a card token), and the rest are numbers or fixed words. Nothing
//! from a body, a header, a query or a URL is ever recorded.
//!
//! Span fields: `operation`, `method`, `path`, then, when the call ends,
//! `status` (the last response's, if one came), `attempts`, `duration_ms`
//! and `error` (`timeout`, `transport`, `body_too_large`) when no response
//! was read. Retry events (target `ottu_client`, level INFO): `attempt`
//! (the one that failed), `reason` (`status`, `timeout`, `transport`),
//! `status` (for `status`) and `delay_ms`.

use std::future::Future;
use std::time::Duration;

use reqwest::Method;

use super::error::Error;

/// Why an attempt is repeated: a fixed word, never an error's text (a
/// transport error can name the URL).
pub(crate) fn reason<E>(result: Result<u16, &Error<E>>) -> (&'static str, Option<u16>) {
    match result {
        Ok(status) => ("status", Some(status)),
        Err(Error::Transport(t)) if t.is_timeout() => ("timeout", None),
        Err(_) => ("transport", None),
    }
}

/// What ended the call: the status of the last response, or a fixed word.
fn outcome<E>(result: Result<u16, &Error<E>>) -> (Option<u16>, Option<&'static str>) {
    match result {
        Ok(status) => (Some(status), None),
        Err(Error::BodyTooLarge { status, .. }) => (Some(*status), Some("body_too_large")),
        Err(Error::Transport(t)) if t.is_timeout() => (None, Some("timeout")),
        Err(Error::Transport(_)) => (None, Some("transport")),
        Err(_) => (None, Some("other")),
    }
}

#[cfg(feature = "tracing")]
mod imp {
    use std::future::Future;
    use std::time::{Duration, Instant};

    use tracing::Instrument as _;
    use tracing::field::Empty;

    /// One call: its span and when it started.
    #[derive(Debug)]
    pub(crate) struct Call {
        span: tracing::Span,
        start: Instant,
    }

    impl Call {
        pub(crate) fn start(operation: &'static str, method: &str, path: &'static str) -> Self {
            let span = tracing::info_span!(
                target: "ottu_client",
                "ottu.call",
                operation,
                method,
                path,
                status = Empty,
                attempts = Empty,
                duration_ms = Empty,
                error = Empty,
            );
            Self {
                span,
                start: Instant::now(),
            }
        }

        pub(crate) async fn run<F: Future>(&self, f: F) -> F::Output {
            f.instrument(self.span.clone()).await
        }

        pub(crate) fn retry(
            &self,
            attempt: u32,
            (reason, status): (&'static str, Option<u16>),
            delay: Duration,
        ) {
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            self.span.in_scope(|| {
                tracing::info!(target: "ottu_client", attempt, reason, status, delay_ms, "retrying");
            });
        }

        pub(crate) fn finish(
            &self,
            (status, error): (Option<u16>, Option<&'static str>),
            attempts: u32,
        ) {
            let duration_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.span.record("attempts", attempts);
            self.span.record("duration_ms", duration_ms);
            if let Some(status) = status {
                self.span.record("status", status);
            }
            if let Some(error) = error {
                self.span.record("error", error);
            }
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod imp {
    use std::future::Future;
    use std::time::Duration;

    /// Without the `tracing` feature a call records nothing.
    #[derive(Debug)]
    pub(crate) struct Call;

    impl Call {
        pub(crate) fn start(_: &'static str, _: &str, _: &'static str) -> Self {
            Self
        }

        pub(crate) async fn run<F: Future>(&self, f: F) -> F::Output {
            f.await
        }

        pub(crate) fn retry(&self, _: u32, _: (&'static str, Option<u16>), _: Duration) {}

        pub(crate) fn finish(&self, _: (Option<u16>, Option<&'static str>), _: u32) {}
    }
}

/// The trace of one call (a no-op without the `tracing` feature).
#[derive(Debug)]
pub(crate) struct Call(imp::Call);

impl Call {
    pub(crate) fn start(operation: &'static str, method: &Method, path: &'static str) -> Self {
        Self(imp::Call::start(operation, method.as_str(), path))
    }

    /// Runs the call's attempts inside its span.
    pub(crate) async fn run<F: Future>(&self, f: F) -> F::Output {
        self.0.run(f).await
    }

    /// Attempt `attempt` got `result` (a status or an error) and is
    /// repeated after `delay`.
    pub(crate) fn retry<E>(&self, attempt: u32, result: Result<u16, &Error<E>>, delay: Duration) {
        self.0.retry(attempt, reason(result), delay);
    }

    /// The call ended with `result` (a status or an error) after
    /// `attempts` attempts.
    pub(crate) fn finish<E>(&self, result: Result<u16, &Error<E>>, attempts: u32) {
        self.0.finish(outcome(result), attempts);
    }
}
