//! Per-request options, the response beside the typed value, and tracing:
//! calls with a timeout and a typed header (Google Pay's `channel`, a
//! refund's `Tracking-Key`),
//! extra headers and a retry policy for one call, status and headers of a
//! success and of an error, and `tracing_subscriber` printing one line
//! per call (operation, method, path template, status, attempts, time;
//! never a key or a card token).
//!
//! ```text
//! OTTU_API_KEY=... OTTU_CUSTOMER_ID=... cargo run -p ottu-client --example ottu_options
//! ```
//!
//! `OTTU_BASE_URL` selects a merchant host (default: sandbox).
//! `cargo test -p contract-tests --test options_example` runs this file
//! against the embedded mock.

use std::time::Duration;

use ottu_client::types::{
    CardEnvironment, GoogleDirectPaymentChannel, GooglePayDirectPayment, GooglePayPaymentData,
    Operation, OperationOperation, UserCards,
};
use ottu_client::{Auth, Client, Config, Error, PassThrough, RetryPolicy, Secret};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where to call, as whom.
#[derive(Debug)]
pub struct Settings {
    pub base_url: String,
    /// The private API key: a `Secret`, so `Debug` prints `***`.
    pub api_key: Secret,
    pub customer_id: String,
    /// A checkout session to pay with Google Pay (it moves money).
    pub google_pay_session: Option<String>,
    /// A paid session to refund in part (it moves money).
    pub refund_session: Option<String>,
}

/// The subscriber `main` installs: one line per call when it ends, with
/// its span's fields (`ottu.call{operation=get_user_cards method=POST
/// path=/b/pbl/v2/card/ status=200 attempts=1 ...}: close time.busy=...`),
/// written to `writer` (stdout in `main`).
pub fn subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(writer)
        .finish()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tracing::subscriber::set_global_default(subscriber(std::io::stdout))?;
    let Ok(key) = std::env::var("OTTU_API_KEY") else {
        println!("set OTTU_API_KEY (and OTTU_CUSTOMER_ID) to call the sandbox");
        return Ok(());
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let settings = Settings {
        base_url: var("OTTU_BASE_URL").unwrap_or_else(|| ottu_client::SANDBOX_URL.to_string()),
        api_key: Secret::new(key),
        customer_id: var("OTTU_CUSTOMER_ID").unwrap_or_else(|| "customer-1".into()),
        google_pay_session: var("OTTU_GOOGLE_PAY_SESSION_ID"),
        refund_session: var("OTTU_REFUND_SESSION_ID"),
    };
    for line in run(&settings).await? {
        println!("{line}");
    }
    Ok(())
}

/// The calls, each answered with a line saying what happened.
pub async fn run(settings: &Settings) -> Result<Vec<String>, BoxError> {
    let mut said = Vec::new();
    // The client's defaults: 30 s, no retries.
    let client = Client::new(Config::new(
        settings.base_url.clone(),
        Auth::ApiKey(settings.api_key.clone()),
    ))?;
    let request = UserCards::new(CardEnvironment::Sandbox, settings.customer_id.as_str());

    // A checkout page must answer in 2 s: this call's timeout, an extra
    // header, and a retry policy (listing cards is safe to repeat; a
    // payment never is, whatever the policy says). `send_with_response`
    // keeps status and headers beside the typed cards.
    let resp = client
        .get_user_cards(&request)
        .timeout(Duration::from_secs(2))
        .header("X-Correlation-Id", "order-1001")
        .retry(RetryPolicy::new().max_attempts(2))
        .send_with_response()
        .await?;
    said.push(format!(
        "cards: HTTP {}, content-type {}, {} card(s)",
        resp.status(),
        resp.meta().header("content-type").unwrap_or("?"),
        resp.value().len()
    ));
    let (cards, _meta) = resp.into_parts();
    for card in &cards {
        said.push(format!(
            "card {} {}",
            card.brand.as_deref().unwrap_or("?"),
            card.number.as_deref().unwrap_or("?")
        ));
    }

    // A plain `.await` is the typed value alone.
    let again = client.get_user_cards(&request).await?;
    said.push(format!("cards again: {}", again.len()));

    // Errors carry status and headers too (here: the mock answers 401
    // when asked to with `Prefer`; a live server for a bad key).
    match client
        .get_user_cards(&request)
        .header("Prefer", "code=401")
        .await
    {
        Ok(_) => said.push("no error asked for: the server is not the mock".into()),
        Err(err @ Error::Api { .. }) => said.push(format!(
            "error: {err} (HTTP {}, content-type {})",
            err.status().unwrap_or_default(),
            err.meta()
                .and_then(|m| m.header("content-type"))
                .unwrap_or("?"),
        )),
        Err(err) => return Err(err.into()),
    }

    // A header the spec declares is a typed setter: Google Pay's `channel`
    // (how 3DS redirects behave), with this call's own timeout. A payment
    // is sent once: no retry policy applies to it.
    if let Some(session_id) = &settings.google_pay_session {
        let device_token = r#"{"apiVersion":2,"apiVersionMinor":0,"paymentMethodData":{"type":"CARD","description":"Visa 1111","info":{"cardNetwork":"VISA"},"tokenizationData":{"type":"PAYMENT_GATEWAY","token":"{}"}}}"#;
        let payload = PassThrough::<GooglePayPaymentData>::from_json(device_token)?;
        let payment = GooglePayDirectPayment::new(payload, session_id.clone());
        let resp = client
            .google_direct_payment(&payment)
            .channel(GoogleDirectPaymentChannel::WebSdk)
            .timeout(Duration::from_secs(20))
            .send_with_response()
            .await?;
        said.push(format!("google pay: HTTP {}", resp.status()));
    }

    // A refund with a `Tracking-Key`, Ottu's idempotency key: one key per
    // logical operation, kept across attempts, so this call may be retried
    // (without a key it would be sent once, whatever the policy).
    if let Some(session_id) = &settings.refund_session {
        let refund = Operation::new(OperationOperation::Refund)
            .with_session_id(session_id.clone())
            .with_amount("1.000".parse()?);
        let resp = client
            .public_operations(&refund)
            .tracking_key(format!("refund-{session_id}-1"))
            .timeout(Duration::from_secs(10))
            .retry(RetryPolicy::new().max_attempts(3))
            .send_with_response()
            .await?;
        said.push(format!("refund: HTTP {}", resp.status()));
    }

    // A bad option is refused before anything is sent, naming the option.
    if let Err(err) = client
        .get_user_cards(&request)
        .header("Authorization", "Bearer someone-else")
        .await
    {
        said.push(format!("refused: {err}"));
    }
    Ok(said)
}
