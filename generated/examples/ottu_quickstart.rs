//! A first program with `ottu-client`: list a customer's saved cards,
//! delete one, charge a saved card by auto-debit, handle Google Pay's 3DS
//! branches, and verify a webhook.
//!
//! ```text
//! OTTU_API_KEY=... OTTU_CUSTOMER_ID=... cargo run -p ottu-client --example ottu_quickstart
//! ```
//!
//! Without `OTTU_API_KEY` it only runs the offline part (webhook
//! verification). `OTTU_BASE_URL` selects a merchant host (default: sandbox).

use ottu_client::types::{
    AutoDebit, CardEnvironment, DirectGooglePaymentSuccess, GooglePayDirectPayment,
    GooglePayPaymentData, PaymentMethodData, UserCards, UserCardsErrors,
};
use ottu_client::{
    Auth, Client, Config, Error, GetUserCardsError, Secret, verify_webhook_signature,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    verify_a_webhook()?;
    let Ok(key) = std::env::var("OTTU_API_KEY") else {
        println!("set OTTU_API_KEY (and OTTU_CUSTOMER_ID) to call the sandbox");
        return Ok(());
    };
    let base =
        std::env::var("OTTU_BASE_URL").unwrap_or_else(|_| ottu_client::SANDBOX_URL.to_string());
    // The key is a Secret from here on: Debug and errors print `***`.
    let client = Client::new(Config::new(base, Auth::api_key(key)))?;
    let customer_id = std::env::var("OTTU_CUSTOMER_ID").unwrap_or_else(|_| "customer-1".into());

    // 1. List the customer's saved cards.
    let request = UserCards {
        r#type: CardEnvironment::Sandbox,
        customer_id: customer_id.clone(),
        pg_codes: None,
        agreement_id: None,
    };
    let cards = match client.get_user_cards(&request).await {
        Ok(cards) => cards,
        // A 400 is either errors per field or one operation error, decoded by content.
        Err(Error::Api(GetUserCardsError::BadRequest(UserCardsErrors::FieldErrors(fields)))) => {
            for (field, messages) in fields {
                eprintln!("{field}: {}", messages.join("; "));
            }
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    for card in &cards {
        // `pg_name` keeps gateways this client version does not know.
        println!(
            "{} {} ({}), expired: {}",
            card.brand.as_deref().unwrap_or("?"),
            card.number.as_deref().unwrap_or("?"),
            card.pg_name,
            card.is_expired
        );
    }

    // 2. Charge the first card by auto-debit (needs a session created with
    //    payment_type "auto_debit" by the checkout API). Never retried
    //    automatically: after a timeout, check the session before retrying.
    if let (Some(card), Ok(session_id)) = (cards.first(), std::env::var("OTTU_SESSION_ID")) {
        let payment = client
            .auto_debit(&AutoDebit {
                session_id,
                token: card.token.clone(),
            })
            .await?;
        println!("auto-debit: {} (state {})", payment.result, payment.state);
    }

    // 3. Google Pay: the 200 is a payment result or one of two 3DS steps.
    if let Ok(session_id) = std::env::var("OTTU_GOOGLE_PAY_SESSION_ID") {
        let payload = GooglePayPaymentData {
            api_version: 2,
            api_version_minor: 0,
            payment_method_data: PaymentMethodData {
                r#type: "CARD".into(),
                description: "Visa •••• 1111".into(),
                info: serde_json::Map::new(),
                tokenization_data: serde_json::Map::new(),
            },
            email: None,
            shipping_address: None,
        };
        let request = GooglePayDirectPayment {
            session_id,
            payload,
            pg_code: ottu_client::Nullable::Absent,
        };
        match client.google_direct_payment(&request).await? {
            DirectGooglePaymentSuccess::SchemaWebhook(done) => println!("paid: {}", done.result),
            DirectGooglePaymentSuccess::IFrame3DSResponse(step) => {
                println!(
                    "render this HTML in an iframe and listen on {}: {} bytes",
                    step.ws_url,
                    step.html.len()
                )
            }
            DirectGooglePaymentSuccess::Redirect3DSResponse(step) => {
                println!("send the customer to {}", step.redirect_url)
            }
        }
    }

    // 4. Delete a card (uncomment deliberately: it cannot be undone).
    // client.delete_user_cards(&cards[0].token, &customer_id, CardEnvironment::Sandbox).await?;
    Ok(())
}

/// What a webhook handler does with the body Ottu POSTs: verify, then parse.
fn verify_a_webhook() -> Result<(), Box<dyn std::error::Error>> {
    let body = r#"{"amount":"86.000","currency_code":"KWD","customer_first_name":"example-customer",
        "signature":"6143b8ad4bd283540721ab000f6de746e722231aaaa90bc38f639081d3ff9f67"}"#;
    let key = Secret::new("pu9MpX3yPR"); // the merchant's webhook key
    let verified = verify_webhook_signature(body, &key)?;
    println!(
        "webhook signature ok ({:?} scheme); unsigned fields: {:?}",
        verified.scheme, verified.unsigned_fields
    );
    // Then: serde_json::from_str::<ottu_client::WebhookPayload>(body) for the typed payload.
    Ok(())
}
