//! The embedded mock server: every operation of the loaded specs on
//! 127.0.0.1, answering from the same compiled schemas the judge uses.
//!
//! - Auth: only the credentials the mock was started with
//!   ([`Credentials`]), each only under a scheme the operation's `security`
//!   declares ([`auth::Admits`]); anything else gets 401 `{"detail": ...}`.
//! - Requests: JSON or form bodies validated against the spec; bad fields
//!   get 400 `{"field": ["message", ...]}` as DRF does; malformed JSON 400
//!   `{"detail": "JSON parse error - ..."}`; an undocumented content type
//!   415; a body over the limit (1 MiB) 413; a slow request 408 or a closed
//!   connection, never a hang. Nothing a client sends causes a 5xx.
//! - Responses: pre-generated at startup from `codegen::sample`
//!   (deterministic for the seed and operation). Choose one with
//!   `Prefer: code=400`, `Prefer: example=redirect` (matches the union
//!   branch's component name) or the same in `X-Mock-Response`.
//! - State (unless `stateless`): sessions and saved cards follow Ottu's
//!   lifecycle as the policy's `x-ottu-lifecycle` describes it (checkout,
//!   pay, retrieve/inquiry, update before payment, refund/capture/void/
//!   cancel/expire/delete under Ottu's money rules, `Tracking-Key` acting
//!   once), bounded, reset by `POST /__mock/reset` (see [`lifecycle`],
//!   [`session`]). `X-Mock-Capture: manual` on a payment only authorizes
//!   it (to capture or void later). A request that chooses its response
//!   (`Prefer`, `X-Mock-Drift`) gets the canned one.
//! - Webhooks: every completed payment and money-moving operation is
//!   POSTed, signed with `webhook_key` (the answer carries the same
//!   signature), to the session's own loopback `webhook_url` or else to
//!   the configured `webhook_url`; retried, logged ([`webhook`]).
//! - Drift: `X-Mock-Drift: <name>` corrupts the chosen response on purpose;
//!   the response header `X-Mock-Drift-Pointer` names the JSON pointer it
//!   touched. See [`Drift`].

pub mod auth;
mod canned;
mod drifts;
mod form;
pub mod inject;
pub mod lifecycle;
pub mod routes;
mod server;
pub mod session;
pub mod webhook;

pub use auth::Credentials;
pub use canned::Canned;
pub use drifts::Drift;
pub use routes::Routes;
pub use server::{MockConfig, MockServer, RESET_PATH};
