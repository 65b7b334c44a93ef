//! Typed async client for the Ottu payment API, generated from its OpenAPI specs.
//!
//! A whole payment: create a checkout session, pay it by auto-debit with
//! the customer's saved card, ask for its status, refund part of it and ask
//! again (`examples/ottu_checkout_refund.rs`; `cargo test -p contract-tests
//! --test checkout_refund_example` runs it against the embedded mock and
//! checks every state, amount and signed webhook):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ottu_client::types::{
//!     AutoDebit, CardEnvironment, CheckoutPOSTRequestRequest, CheckoutPaymentType, CheckoutType,
//!     Inquiry, Operation, OperationOperation, Success, UserCards,
//! };
//! use ottu_client::{Auth, Client, Config};
//! let client = Client::new(Config::sandbox(Auth::api_key("<private key>")))?;
//! // 1. A session for 12.500 KWD; Ottu POSTs signed results to webhook_url.
//! let request = CheckoutPOSTRequestRequest::new(
//!     "12.500".parse()?,
//!     "KWD",
//!     vec!["credit-card".into()],
//!     CheckoutType::ECommerce,
//! )
//! .with_customer_id("customer-1")
//! .with_payment_type(CheckoutPaymentType::AutoDebit)
//! .with_webhook_url("https://merchant.example/hooks/ottu");
//! let Success::CheckoutPOSTResponse(created) =
//!     client.create_payment_transaction_checkout(&request).await?
//! else {
//!     return Err("not a created session".into());
//! };
//! let session_id = created.session_id.unwrap_or_default();
//! // 2. Paid by auto-debit with a saved card (a payment is never retried).
//! let cards = client
//!     .get_user_cards(&UserCards::new(CardEnvironment::Sandbox, "customer-1"))
//!     .await?;
//! let token = cards.iter().find_map(|c| c.token.clone()).ok_or("no saved card")?;
//! let paid = client.auto_debit_2(&AutoDebit::new(session_id.clone(), token)).await?;
//! // 3. Its status: state, amount, paid and refunded amounts.
//! let inquiry = Inquiry::new().with_session_id(session_id.clone());
//! let status = client.inquiry().body(&inquiry).await?;
//! // 4. 5.000 back. The Tracking-Key makes it safe to send again: the same
//! //    key answers the first result instead of refunding twice.
//! let refund = Operation::new(OperationOperation::Refund)
//!     .with_session_id(session_id.clone())
//!     .with_amount("5.000".parse()?);
//! let refunded = client
//!     .public_operations(&refund)
//!     .tracking_key("refund-order-1001")
//!     .await?;
//! // 5. And again: refunded_amount is 5.000 now.
//! let after = client.inquiry().body(&inquiry).await?;
//! println!("{:?} -> {:?} -> {refunded:?} -> {:?}", paid.state, status.state, after.refunded_amount);
//! # Ok(()) }
//! ```
//!
//! The calls one by one:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ottu_client::types::{CardEnvironment, UserCards};
//! use ottu_client::{Auth, Client, Config};
//! let client = Client::new(Config::sandbox(Auth::api_key("<private key>")))?;
//! // Required fields are arguments of `new`; optional ones have `with_` setters.
//! let request = UserCards::new(CardEnvironment::Sandbox, "customer-1").with_agreement_id("agr-1");
//! let cards = client.get_user_cards(&request).await?;
//! # let _ = cards; Ok(()) }
//! ```
//!
//! Each call can carry its own options, and hand back the response's
//! status and headers beside the typed value (`examples/ottu_options.rs`
//! runs these calls against the embedded mock in `cargo test -p
//! contract-tests --test options_example`):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use ottu_client::types::{
//!     CardEnvironment, GoogleDirectPaymentChannel, Operation, OperationOperation, UserCards,
//! };
//! # use ottu_client::types::GooglePayDirectPayment;
//! use ottu_client::{Auth, Client, Config, RetryPolicy};
//! // Each call is one `ottu.call` span (operation, method, path template,
//! // status, attempts, duration; never a key or a card token).
//! tracing_subscriber::fmt()
//!     .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
//!     .init();
//! let client = Client::new(Config::sandbox(Auth::api_key("<private key>")))?;
//! let request = UserCards::new(CardEnvironment::Sandbox, "customer-1");
//! // This call's timeout, an extra header and a retry policy; the status
//! // and headers come beside the typed cards.
//! let resp = client
//!     .get_user_cards(&request)
//!     .timeout(Duration::from_secs(2))
//!     .header("X-Correlation-Id", "order-1001")
//!     .retry(RetryPolicy::new().max_attempts(2))
//!     .send_with_response()
//!     .await?;
//! println!("HTTP {}, date {:?}", resp.status(), resp.meta().header("date"));
//! let cards = resp.into_inner();
//! # let payment: GooglePayDirectPayment = serde_json::from_str("{}")?;
//! // A header the spec declares is a typed setter: Google Pay's `channel`.
//! let paid = client
//!     .google_direct_payment(&payment)
//!     .channel(GoogleDirectPaymentChannel::WebSdk)
//!     .timeout(Duration::from_secs(20))
//!     .await?;
//! # let _ = paid;
//! // A refund with a `Tracking-Key` (Ottu's idempotency key, one per logical
//! // operation): with it, a retry policy may repeat the call safely.
//! let refund = Operation::new(OperationOperation::Refund)
//!     .with_session_id("session-1")
//!     .with_amount("1.000".parse()?);
//! match client
//!     .public_operations(&refund)
//!     .tracking_key("refund-order-1001-1")
//!     .timeout(Duration::from_secs(10))
//!     .retry(RetryPolicy::new())
//!     .await
//! {
//!     Ok(done) => println!("{done:?}"),
//!     // Every error that got a response has its status and headers.
//!     Err(err) => println!("{err}: HTTP {:?}, {:?}", err.status(), err.headers()),
//! }
//! # let _ = cards; Ok(()) }
//! ```
//!
//! * Each operation is a method of [`Client`] taking the operation's
//!   required inputs and returning its request (in [`requests`]): optional
//!   parameters are typed setters (a parameter Ottu adds is not a breaking
//!   release), beside `.timeout(..)`, `.header(..)` (never `Authorization`,
//!   nor a header the operation declares: that one has its setter) and
//!   `.retry(..)` (a payment is still sent once). `.await` gives the success
//!   type or [`Error`]`<OperationError>`; `.send_with_response()` a
//!   [`Response`] with status and headers. A bad option (a zero timeout, a
//!   header value HTTP cannot carry, an empty idempotency key) is
//!   [`Error::InvalidOption`], naming it, before anything is sent.
//! * The operation's own error enum has one variant per documented error
//!   status (a 400's field errors and operation error are told apart by
//!   content; a `4XX` range or `default` response is one variant carrying
//!   the actual status) and is `#[non_exhaustive]`; [`Error`] adds
//!   validation, transport, oversized-body, decode and undocumented-status
//!   cases, each with the response's status and headers when there was one
//!   ([`Error::meta`]; `Debug` masks credential, cookie and token headers).
//! * Response types decode tolerantly, because Ottu's bodies drift from
//!   its specs: every field is optional (`None` when left out, even if the
//!   spec requires it), undeclared properties and values that do not fit
//!   their field are kept in the struct's `additional` map and sent back on
//!   encoding, a number sent as a string is read, and no struct ever decodes
//!   from a JSON array. Request types stay strict: required fields are
//!   required in Rust.
//! * Every type in [`types`] is `#[non_exhaustive]`, so what Ottu adds is
//!   not a breaking release: structs are built with `new` (the required
//!   fields, in the spec's order) and chainable `with_<field>` setters (the
//!   optional ones; response structs implement `Default` too), and a `match`
//!   on an enum or union needs a `_` arm.
//! * String enums keep values this version does not know (`Unknown`);
//!   optional nullable fields are [`Nullable`] (absent, null or a value);
//!   numbers and amounts are exact [`Decimal`]s (never `f64`), from a JSON
//!   number or string; request values are checked against the spec's
//!   length and range constraints before anything is sent.
//! * Secrets ([`Secret`], card tokens, Apple Pay and Google Pay payment data)
//!   never appear in `Debug` output or errors.
//! * Nothing is retried unless a [`RetryPolicy`] is configured, and payments
//!   (Apple Pay, Google Pay, auto-debit) never are: a retry could charge twice.
//! * Cargo features choose what is compiled: one per API group of the specs
//!   (`all-groups`, on by default, enables every one; an operation is
//!   compiled with its group, a type with any group that reaches it, the
//!   webhook payload always) and the TLS stack (`rustls`, the default, with
//!   aws-lc-rs; `rustls-ring`, lighter to build; `native-tls`, the
//!   platform's). Without a TLS feature only plain `http://` is reachable.
//!
//! Layout: `runtime/` is hand-written and generic; `types.rs` and
//! `operations.rs` are generated from the specs (their first line names the
//! command and the specs; do not edit them).

#![forbid(unsafe_code)]

mod runtime;

#[rustfmt::skip]
mod operations;
#[rustfmt::skip]
pub mod types;
#[rustfmt::skip]
mod verdict;

pub use operations::*;
pub use runtime::client::{BuildError, Client};
pub use runtime::config::{Auth, AuthKind, Config, SANDBOX_URL};
pub use runtime::decimal::Decimal;
pub use runtime::error::{
    BodyExcerpt, Error, SuccessBody, TransportError, UndecodedSuccess, UnexpectedResponse,
};
pub use runtime::files::{Download, DownloadError, Redirect, Upload, UploadError};
pub use runtime::notification::{
    Notification, OperationNotification, ParseError, parse_notification,
};
pub use runtime::nullable::Nullable;
pub use runtime::options::OptionError;
pub use runtime::pass_through::PassThrough;
pub use runtime::response::{Response, ResponseMeta};
pub use runtime::retry::RetryPolicy;
pub use runtime::secret::Secret;
pub use runtime::validate::{Validate, ValidationError};
pub use runtime::verdict::{Absorbed, AbsorbedKind, Outcome, Verdict};
pub use runtime::webhook::{
    Scheme, SignatureError, Verified, standard_message, subscription_message,
    verify_webhook_signature,
};
pub use verdict::decode_response;
