//! A whole payment through `ottu-client`: create a checkout session, pay
//! it by auto-debit with the customer's saved card, ask for its status,
//! refund part of it (with a `Tracking-Key`, so a retry cannot refund
//! twice), and ask again.
//!
//! ```text
//! OTTU_API_KEY=... OTTU_CUSTOMER_ID=... OTTU_PG_CODE=... cargo run -p ottu-client --example ottu_checkout_refund
//! ```
//!
//! It moves money: run it against the sandbox (`OTTU_BASE_URL`, default
//! the sandbox host). `cargo test -p contract-tests --test checkout_refund_example`
//! runs this file against the embedded mock and checks every state, amount
//! and the signed webhooks.

use ottu_client::types::{
    Agreement, AutoDebit, CardEnvironment, CheckoutPOSTRequestRequest, CheckoutPOSTResponse,
    CheckoutPaymentType, CheckoutType, ExternalOperation, Inquiry, Operation, OperationOperation,
    PaymentOperationResponses, SchemaWebhook, Success, UserCards,
};
use ottu_client::{Auth, Client, Config, Decimal, Secret};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where to call, as whom, and what to charge.
#[derive(Debug)]
pub struct Settings {
    pub base_url: String,
    /// The private API key: a `Secret`, so `Debug` prints `***`.
    pub api_key: Secret,
    /// The customer whose saved card pays.
    pub customer_id: String,
    /// The gateway (payment gateway code) the session may be paid with.
    pub pg_code: String,
    /// Where Ottu POSTs the signed payment result and operation notifications.
    pub webhook_url: Option<String>,
    /// What to charge and how much of it to give back.
    pub amount: Decimal,
    pub refund: Decimal,
    /// The refund's idempotency key: the same key on a retry refunds once.
    pub tracking_key: String,
}

/// Every answer along the way, for the caller to look at.
#[derive(Debug)]
pub struct Flow {
    pub created: CheckoutPOSTResponse,
    pub paid: SchemaWebhook,
    pub after_payment: SchemaWebhook,
    pub refund: ExternalOperation,
    /// The refund sent again with the same `Tracking-Key`: the first
    /// refund's answer, and nothing refunded twice.
    pub refund_retried: ExternalOperation,
    pub after_refund: SchemaWebhook,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(key), Some(customer_id), Some(pg_code)) = (
        var("OTTU_API_KEY"),
        var("OTTU_CUSTOMER_ID"),
        var("OTTU_PG_CODE"),
    ) else {
        println!("set OTTU_API_KEY, OTTU_CUSTOMER_ID and OTTU_PG_CODE to pay on the sandbox");
        return Ok(());
    };
    let settings = Settings {
        base_url: var("OTTU_BASE_URL").unwrap_or_else(|| ottu_client::SANDBOX_URL.to_string()),
        api_key: Secret::new(key),
        customer_id,
        pg_code,
        webhook_url: var("OTTU_WEBHOOK_URL"),
        amount: "12.500".parse()?,
        refund: "5.000".parse()?,
        tracking_key: format!("refund-{}", std::process::id()),
    };
    let flow = run(&settings).await?;
    println!(
        "session {:?}: paid {:?}, refunded {:?}, now {:?}",
        flow.created.session_id,
        flow.paid.paid_amount,
        flow.after_refund.refunded_amount,
        flow.after_refund.state
    );
    Ok(())
}

/// The payment, step by step.
pub async fn run(settings: &Settings) -> Result<Flow, BoxError> {
    let client = Client::new(Config::new(
        settings.base_url.clone(),
        Auth::ApiKey(settings.api_key.clone()),
    ))?;

    // 1. A checkout session for an auto-debit payment by this customer.
    let mut request = CheckoutPOSTRequestRequest::new(
        settings.amount.clone(),
        "KWD",
        vec![settings.pg_code.clone()],
        CheckoutType::ECommerce,
    )
    .with_customer_id(settings.customer_id.clone())
    .with_payment_type(CheckoutPaymentType::AutoDebit)
    .with_agreement(Agreement::new().with_id("agreement-1"));
    if let Some(url) = &settings.webhook_url {
        request = request.with_webhook_url(url.clone());
    }
    let created = match client.create_payment_transaction_checkout(&request).await? {
        Success::CheckoutPOSTResponse(created) => created,
        other => return Err(format!("expected a created session, got {other:?}").into()),
    };
    let session_id = created
        .session_id
        .clone()
        .ok_or("the created session has no session_id")?;

    // 2. Paid by auto-debit with the customer's saved card.
    let cards = client
        .get_user_cards(&UserCards::new(
            CardEnvironment::Sandbox,
            settings.customer_id.clone(),
        ))
        .await?;
    let token = cards
        .iter()
        .find_map(|c| c.token.clone())
        .ok_or("the customer has no saved card")?;
    let paid = client
        .auto_debit_2(&AutoDebit::new(session_id.clone(), token))
        .await?;

    // 3. Its status.
    let inquiry = Inquiry::new().with_session_id(session_id.clone());
    let after_payment = client.inquiry().body(&inquiry).await?;

    // 4. Part of it refunded. The Tracking-Key makes the refund safe to
    //    send again: a retry with the same key answers the first result.
    let refund = Operation::new(OperationOperation::Refund)
        .with_session_id(session_id.clone())
        .with_amount(settings.refund.clone());
    let refunded = external(
        client
            .public_operations(&refund)
            .tracking_key(settings.tracking_key.clone())
            .await?,
    )?;
    let refund_retried = external(
        client
            .public_operations(&refund)
            .tracking_key(settings.tracking_key.clone())
            .await?,
    )?;

    // 5. Its status again.
    let after_refund = client.inquiry().body(&inquiry).await?;
    Ok(Flow {
        created,
        paid,
        after_payment,
        refund: refunded,
        refund_retried,
        after_refund,
    })
}

/// A refund's answer is the operation's own result (amount, transaction).
fn external(answer: PaymentOperationResponses) -> Result<ExternalOperation, BoxError> {
    match answer {
        PaymentOperationResponses::ExternalOperation(op) => Ok(op),
        other => Err(format!("the refund was not performed: {other:?}").into()),
    }
}
