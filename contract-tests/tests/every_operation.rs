//! Every operation of `ottu-client`, called through its request with
//! per-request options (a timeout and an extra header) against the
//! embedded mock: each answers with its status and headers beside the
//! typed value, or, when the mock answers an error, on the error. The list
//! is checked against the spec's operations, so one added upstream fails
//! here until it is driven too; the mock validates each request (path,
//! query, header parameters and body) against the spec. Every call is
//! traced: one `ottu.call` span per operation, and no field of any span or
//! event shows the API key or the card token (issue 19's tracing test,
//! over all 28 operations).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use contract_tests::Validators;
use contract_tests::mock::{Credentials, MockConfig, MockServer};
use ottu_client::types::{
    ApplePayDirectPayment, AutoDebit, CardEnvironment, CashPayment, ChannelSpecificNotification,
    CheckoutPOSTRequestRequest, CheckoutRequest, CheckoutType, GooglePayDirectPayment, Inquiry,
    InvoiceItemRequest, InvoicePOSTRequestRequest, MessageNotification,
    MessageNotificationChannelsItem, Notification, NotificationChannel, Operation,
    OperationOperation, PGCodeValidation, PaymentMethodsRequest, SendSpecificNotificationChannel,
    Success, UploadAttachmentFields, UserCards, WalletAccountsRequest, WalletEntriesRequest,
    WalletNativePayment, WalletOperationsRequest,
};
use ottu_client::{Auth, Client, Config, Decimal, Upload};

const KEY: &str = "sk_test_every_operation";
/// A real-shaped saved-card token: in a body (auto-debit) and in a path (delete).
const CARD_TOKEN: &str = "card_tok_8f3a9c2e71d64b05";

/// Every span (its fields, and fields recorded later) and every event,
/// as `name field=value ...` text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut f = Fields(format!("span {}", attrs.metadata().name()));
        attrs.record(&mut f);
        self.0.lock().unwrap().push(f.0);
    }

    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut f = Fields("record".into());
        values.record(&mut f);
        self.0.lock().unwrap().push(f.0);
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut f = Fields(format!("event {}", event.metadata().target()));
        event.record(&mut f);
        self.0.lock().unwrap().push(f.0);
    }
}

/// Sends `$call` with a timeout and an extra header, and records that a
/// response's status and headers came back, on success or on error.
macro_rules! drive {
    ($seen:ident, $name:literal, $call:expr) => {{
        let outcome = $call
            .timeout(Duration::from_secs(5))
            .header("X-Correlation-Id", "every-operation")
            .send_with_response()
            .await;
        let (status, headers) = match &outcome {
            Ok(resp) => (resp.status(), resp.headers().len()),
            Err(err) => (
                err.status()
                    .unwrap_or_else(|| panic!("{}: no response: {err}", $name)),
                err.headers().map_or(0, |h| h.len()),
            ),
        };
        assert!(headers > 0, "{}: HTTP {status} without headers", $name);
        if let Err(err) = &outcome {
            assert!(!err.to_string().contains(KEY), "{}: {err}", $name);
        }
        $seen.push(($name, status));
    }};
}

fn amount(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_takes_options_and_returns_status_and_headers() {
    // Global: the calls run on the runtime's worker threads. The only test
    // of this binary, so nothing else lands in the capture.
    let capture = Capture::default();
    {
        use tracing_subscriber::layer::SubscriberExt as _;
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(capture.clone()),
        )
        .expect("the only subscriber of this test binary");
    }
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec =
        codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
    let ids: BTreeSet<String> = spec
        .operations()
        .iter()
        .filter_map(|op| op.id.map(str::to_string))
        .collect();
    let validators = Arc::new(Validators::new(spec).expect("validators compile"));
    let config = MockConfig {
        credentials: Credentials {
            api_key: KEY.into(),
            ..Credentials::default()
        },
        ..MockConfig::default()
    };
    let server = MockServer::start(validators, config)
        .await
        .expect("mock starts");
    let c = Client::new(Config::new(server.base_url(), Auth::api_key(KEY))).unwrap();

    let pg = || vec!["credit-card".to_string()];
    let checkout =
        CheckoutPOSTRequestRequest::new(amount("86.000"), "KWD", pg(), CheckoutType::ECommerce);
    let update = CheckoutRequest::new(amount("86.000"), "KWD", pg(), CheckoutType::ECommerce);
    let invoice = InvoicePOSTRequestRequest::new(
        "KWD",
        "2026-12-31",
        vec![InvoiceItemRequest::new(
            "sku-1",
            "item",
            amount("1"),
            amount("86.000"),
            "KWD",
        )],
        "inv-1",
        pg(),
        CheckoutType::ECommerce,
    );
    // The mock is stateful: the calls below name a session a checkout created.
    let sess = match c
        .create_payment_transaction_checkout(&checkout)
        .await
        .unwrap()
    {
        Success::CheckoutPOSTResponse(created) => created.session_id.unwrap(),
        other => panic!("a checkout creates a session: {other:?}"),
    };
    let apple: ApplePayDirectPayment = serde_json::from_value(serde_json::json!({
        "session_id": sess,
        "payload": {
            "paymentData": {"version": "EC_v1", "data": "d", "signature": "s",
                "header": {"ephemeralPublicKey": "k", "publicKeyHash": "h", "transactionId": "t"}},
            "paymentMethod": {"displayName": "Visa 0492", "network": "Visa", "type": "debit"},
            "transactionIdentifier": "tx1"
        }
    }))
    .unwrap();
    let google: GooglePayDirectPayment = serde_json::from_value(serde_json::json!({
        "session_id": sess,
        "payload": {"apiVersion": 2, "apiVersionMinor": 0, "paymentMethodData": {
            "type": "CARD", "description": "Visa 1111", "info": {"cardNetwork": "VISA"},
            "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": "{}"}}}
    }))
    .unwrap();
    let cards = UserCards::new(CardEnvironment::Sandbox, "customer-1");
    let debit = AutoDebit::new(sess.clone(), CARD_TOKEN);
    let cash = CashPayment::new(sess.clone());
    let refund = Operation::new(OperationOperation::Refund).with_session_id(sess.clone());

    let mut seen = Vec::new();
    drive!(seen, "list_reports", c.list_reports());
    drive!(seen, "download_report", c.download_report("report-1"));
    drive!(
        seen,
        "get_pre_payment_option",
        c.get_pre_payment_option(&sess, &PGCodeValidation::new("credit-card"))
    );
    drive!(
        seen,
        "create_payment_transaction_checkout",
        c.create_payment_transaction_checkout(&checkout)
    );
    drive!(
        seen,
        "retrieve_payment_transaction_checkout",
        c.retrieve_payment_transaction_checkout(&sess)
    );
    drive!(
        seen,
        "full_update_payment_transaction_checkout",
        c.full_update_payment_transaction_checkout(&sess, &update)
    );
    drive!(
        seen,
        "partial_update_payment_transaction_checkout",
        c.partial_update_payment_transaction_checkout(&sess)
    );
    drive!(
        seen,
        "upload_attachment",
        c.upload_attachment(
            &UploadAttachmentFields::new(),
            Upload::bytes("a.pdf", "application/pdf", b"%PDF-1.4".to_vec())
        )
    );
    drive!(
        seen,
        "wallet_accounts",
        c.wallet_accounts(&WalletAccountsRequest::new("customer-1"))
    );
    drive!(
        seen,
        "wallet_entries",
        c.wallet_entries(&WalletEntriesRequest::new("customer-1", "KWD"))
    );
    drive!(
        seen,
        "wallet_operation_details",
        c.wallet_operation_details(&WalletOperationsRequest::new(1))
    );
    drive!(
        seen,
        "wallet_finalization_status",
        c.wallet_finalization_status(&sess)
    );
    drive!(seen, "create_invoice", c.create_invoice(&invoice));
    drive!(seen, "auto_debit", c.auto_debit(&debit));
    drive!(seen, "get_user_cards", c.get_user_cards(&cards));
    drive!(
        seen,
        "delete_user_cards",
        c.delete_user_cards(CARD_TOKEN, "customer-1", CardEnvironment::Sandbox)
    );
    drive!(
        seen,
        "cash_payment_acknowledgement",
        c.cash_payment_acknowledgement(&cash)
    );
    let inquiry = Inquiry::new().with_session_id(sess.clone());
    drive!(seen, "inquiry", c.inquiry().body(&inquiry));
    drive!(
        seen,
        "message_notifications",
        c.message_notifications(&MessageNotification::new(vec![
            MessageNotificationChannelsItem::Email
        ]))
    );
    drive!(
        seen,
        "send_specific_notification",
        c.send_specific_notification(
            SendSpecificNotificationChannel::Email,
            &ChannelSpecificNotification::new("tpl-1", "a@example.com")
        )
    );
    drive!(
        seen,
        "public_operations",
        c.public_operations(&refund).tracking_key("every-op-1")
    );
    drive!(
        seen,
        "get_payment_methods",
        c.get_payment_methods(&PaymentMethodsRequest::new("web_sdk"))
    );
    drive!(seen, "apple_direct_payment", c.apple_direct_payment(&apple));
    drive!(seen, "auto_debit_2", c.auto_debit_2(&debit));
    drive!(
        seen,
        "cash_payment_acknowledgement_2",
        c.cash_payment_acknowledgement_2(&cash)
    );
    drive!(
        seen,
        "google_direct_payment",
        c.google_direct_payment(&google)
    );
    drive!(
        seen,
        "wallet_native_payment",
        c.wallet_native_payment(&WalletNativePayment::new(&sess))
    );
    drive!(
        seen,
        "send_notification",
        c.send_notification(&Notification::new(
            NotificationChannel::Email,
            "tpl-1",
            "a@example.com"
        ))
    );

    let driven: BTreeSet<String> = seen.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(driven, ids, "every operation of the spec, driven once");
    assert_eq!(seen.len(), ids.len());
    // Most answer a success; none is left without status and headers.
    // The mock validates each request against the spec: every one is
    // accepted (a 2xx), but deleting a card nobody saved, which is its
    // documented 404, read as an error carrying status and headers.
    for (name, status) in &seen {
        let want_error = *name == "delete_user_cards";
        assert_eq!(
            (200..300).contains(status),
            !want_error,
            "{name}: HTTP {status}; all: {seen:?}"
        );
    }

    // One `ottu.call` span per operation, naming it; no secret anywhere.
    let traced = capture.0.lock().unwrap().clone();
    let spans: Vec<&String> = traced
        .iter()
        .filter(|l| l.starts_with("span ottu.call"))
        .collect();
    let operations: BTreeSet<String> = spans
        .iter()
        .filter_map(|l| l.split(" operation=").nth(1))
        .filter_map(|rest| rest.split('"').nth(1))
        .map(str::to_string)
        .collect();
    // The checkout that made the session is traced too.
    assert_eq!(operations, ids, "{traced:#?}");
    assert_eq!(spans.len(), ids.len() + 1, "{traced:#?}");
    assert!(
        spans
            .iter()
            .all(|l| l.contains(" path=") && !l.contains(&sess)),
        "a span without its path template, or with the session: {spans:#?}"
    );
    let text = traced.join("\n");
    for secret in [KEY, CARD_TOKEN] {
        assert!(
            !text.contains(secret),
            "a span or event shows {secret}: {text}"
        );
    }
}
