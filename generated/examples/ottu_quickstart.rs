//! A first program with `ottu-client`: list a customer's saved cards,
//! charge a saved card by auto-debit, handle Google Pay's 3DS branches,
//! delete a card, and verify and parse a webhook.
//!
//! ```text
//! OTTU_API_KEY=... OTTU_CUSTOMER_ID=... cargo run -p ottu-client --example ottu_quickstart
//! ```
//!
//! Without `OTTU_API_KEY` it only runs the offline part (webhook
//! verification). `OTTU_BASE_URL` selects a merchant host (default:
//! sandbox); `OTTU_SESSION_ID` (an auto-debit session),
//! `OTTU_GOOGLE_PAY_SESSION_ID` and `OTTU_DELETE_CARD=1` turn on the steps
//! that move money or delete data. `cargo test -p contract-tests --test
//! quickstart` runs this file against the embedded mock.

use ottu_client::types::{
    AutoDebit, CardEnvironment, CardPgName, DirectGooglePaymentSuccess, GooglePayDirectPayment,
    GooglePayPaymentData, SchemaWebhookResult, UserCards, UserCardsErrors,
};
use ottu_client::{
    Auth, Client, Config, Error, GetUserCardsError, Notification, PassThrough, Secret,
    WebhookPayload, parse_notification, verify_webhook_signature,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the program is asked to do (from the environment in `main`).
#[derive(Debug)]
pub struct Settings {
    pub base_url: String,
    /// The private API key: a `Secret`, so `Debug` prints `***`.
    pub api_key: Secret,
    pub customer_id: String,
    /// A session created with `payment_type: auto_debit`: charge the first card.
    pub auto_debit_session: Option<String>,
    pub google_pay_session: Option<String>,
    /// Delete the last listed card (it cannot be undone).
    pub delete_card: bool,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let body = r#"{"amount":"86.000","currency_code":"KWD","customer_first_name":"example-customer",
        "signature":"6143b8ad4bd283540721ab000f6de746e722231aaaa90bc38f639081d3ff9f67"}"#;
    // The merchant's webhook key. This vector carries only the signed
    // fields, not a whole payment: response types decode tolerantly, so
    // what Ottu left out is `None` rather than an error.
    match handle_webhook(body, &Secret::new("pu9MpX3yPR")) {
        Ok(Notification::Payment(payment)) => println!(
            "webhook: payment {}",
            payment.state.as_deref().unwrap_or("?")
        ),
        Ok(Notification::Operation(op)) => println!("webhook: operation {:?}", op.operation),
        Ok(other) => println!("webhook: {other:?}"),
        Err(e) => println!("webhook: {e}"),
    }
    let Ok(key) = std::env::var("OTTU_API_KEY") else {
        println!("set OTTU_API_KEY (and OTTU_CUSTOMER_ID) to call the sandbox");
        return Ok(());
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let settings = Settings {
        base_url: var("OTTU_BASE_URL").unwrap_or_else(|| ottu_client::SANDBOX_URL.to_string()),
        api_key: Secret::new(key),
        customer_id: var("OTTU_CUSTOMER_ID").unwrap_or_else(|| "customer-1".into()),
        auto_debit_session: var("OTTU_SESSION_ID"),
        google_pay_session: var("OTTU_GOOGLE_PAY_SESSION_ID"),
        delete_card: var("OTTU_DELETE_CARD").as_deref() == Some("1"),
    };
    for line in run(&settings).await? {
        println!("{line}");
    }
    Ok(())
}

/// The calls, each answered with a line saying what happened.
pub async fn run(settings: &Settings) -> Result<Vec<String>, BoxError> {
    let mut said = Vec::new();
    let client = Client::new(Config::new(
        settings.base_url.clone(),
        Auth::api_key(settings.api_key.clone()),
    ))?;

    // 1. List the customer's saved cards.
    let request = UserCards::new(CardEnvironment::Sandbox, settings.customer_id.clone());
    let cards = match client.get_user_cards(&request).await {
        Ok(cards) => cards,
        // A 400 is errors per field (at any depth), one operation error or a
        // list of messages, decoded by content; `messages()` reads any of them.
        Err(Error::Api {
            error: e @ GetUserCardsError::BadRequest(UserCardsErrors::FieldErrors(_)),
            ..
        }) => {
            said.extend(e.messages());
            return Ok(said);
        }
        Err(e) => return Err(e.into()),
    };
    for card in &cards {
        // Response fields are all optional (Ottu leaves out fields its spec
        // requires); `pg_name` keeps gateways this client version does not know.
        said.push(format!(
            "card {} {} ({}), expired: {}",
            card.brand.as_deref().unwrap_or("?"),
            card.number.as_deref().unwrap_or("?"),
            card.pg_name.as_ref().map_or("?", CardPgName::as_str),
            card.is_expired.map_or("?".into(), |e| e.to_string())
        ));
    }

    // 2. Charge the first card by auto-debit. Never retried automatically:
    //    after a timeout, check the session's state before trying again.
    let first_token = cards.first().and_then(|c| c.token.clone());
    if let (Some(token), Some(session_id)) = (first_token, &settings.auto_debit_session) {
        let payment = client
            .auto_debit(&AutoDebit::new(session_id.clone(), token))
            .await?;
        said.push(format!(
            "auto-debit: {} (state {})",
            payment
                .result
                .as_ref()
                .map_or("?", SchemaWebhookResult::as_str),
            payment.state.as_deref().unwrap_or("?")
        ));
    }

    // 3. Google Pay: the 200 is a payment result or one of two 3DS steps.
    if let Some(session_id) = &settings.google_pay_session {
        // Google Pay's payment data as the device produced it: it is sent
        // byte for byte (the wallet signed it); `payload.typed()` reads it.
        // Request values are built with `new` (the required fields) and
        // `with_` setters (optional ones): a field Ottu adds breaks nothing.
        let device_token = r#"{"apiVersion":2,"apiVersionMinor":0,"paymentMethodData":{"type":"CARD","description":"Visa •••• 1111","info":{"cardNetwork":"VISA","cardDetails":"1111"},"tokenizationData":{"type":"PAYMENT_GATEWAY","token":"{}"}}}"#;
        let payload = PassThrough::<GooglePayPaymentData>::from_json(device_token)?;
        let request = GooglePayDirectPayment::new(payload, session_id.clone());
        said.push(match client.google_direct_payment(&request).await? {
            DirectGooglePaymentSuccess::SchemaWebhook(done) => {
                format!(
                    "google pay: paid, {}",
                    done.result
                        .as_ref()
                        .map_or("?", SchemaWebhookResult::as_str)
                )
            }
            DirectGooglePaymentSuccess::IFrame3DSResponse(step) => format!(
                "google pay: 3DS, render {} bytes of HTML in an iframe and listen on {}",
                step.html.as_deref().map_or(0, str::len),
                step.ws_url.as_deref().unwrap_or("?")
            ),
            DirectGooglePaymentSuccess::Redirect3DSResponse(step) => {
                format!(
                    "google pay: 3DS, send the customer to {}",
                    step.redirect_url.as_deref().unwrap_or("?")
                )
            }
            // Non-exhaustive: a kind of answer Ottu adds later lands here.
            other => format!("google pay: an answer this client does not know: {other:?}"),
        });
    }

    // 4. Delete a card: only when asked, it cannot be undone.
    if settings.delete_card
        && let Some(card) = cards.last()
        && let Some(token) = &card.token
    {
        client
            .delete_user_cards(token, &settings.customer_id, CardEnvironment::Sandbox)
            .await?;
        said.push(format!(
            "deleted card {}",
            card.number.as_deref().unwrap_or("?")
        ));
    }
    Ok(said)
}

/// What a webhook handler does with the body Ottu POSTs: verify the
/// signature first, then parse it (a payment's result, or a refund,
/// capture, void or cancel performed on one).
pub fn handle_webhook(body: &str, key: &Secret) -> Result<Notification<WebhookPayload>, BoxError> {
    let verified = verify_webhook_signature(body, key)?;
    if !verified.unsigned_fields.is_empty() {
        // Present but not covered by the signature: not vouched for by Ottu.
        eprintln!("webhook: unsigned fields {:?}", verified.unsigned_fields);
    }
    let notification = parse_notification(body).map_err(|e| {
        format!(
            "signature ok ({:?}), but not a whole payment: {e}",
            verified.scheme
        )
    })?;
    Ok(notification)
}
