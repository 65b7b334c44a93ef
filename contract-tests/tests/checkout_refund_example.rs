//! The checkout -> auto-debit -> inquiry -> refund -> inquiry example
//! (`generated/examples/ottu_checkout_refund.rs`), compiled here as a
//! module and run against the stateful mock: every state and amount along
//! the way agrees with the ones before, every answer conforms to the spec,
//! a retried refund (same `Tracking-Key`) refunds once, and the payment's
//! and the refund's webhooks arrive at the session's `webhook_url`, signed,
//! and verify and parse with `ottu-client`.

#[allow(dead_code, reason = "the example's own main is not called here")]
#[path = "../../generated/examples/ottu_checkout_refund.rs"]
mod example;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use contract_tests::Validators;
use contract_tests::mock::{Credentials, MockConfig, MockServer};
use ottu_client::types::SchemaWebhook;
use ottu_client::{Decimal, Notification, Secret, parse_notification, verify_webhook_signature};
use serde_json::Value;

const KEY: &str = "sk_test_checkout_refund";
const WEBHOOK_KEY: &str = "whk_checkout_refund";

/// Thousandths of an amount, however it was written (`"12.500"`, `12.5`).
fn milli(d: Option<&Decimal>) -> i64 {
    let text = d.expect("the amount is there").as_str().to_string();
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    whole.parse::<i64>().unwrap() * 1000 + format!("{frac:0<3}")[..3].parse::<i64>().unwrap()
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn conforms(v: &Validators, op: &str, status: u16, body: &Value) {
    let findings = v
        .validate(
            op,
            status,
            Some("application/json"),
            &serde_json::to_vec(body).unwrap(),
        )
        .unwrap();
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{op} {status}: {findings:?}\n{body}"
    );
}

/// A loopback receiver that answers 200 and hands over each body.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use axum::routing::post;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hooks/ottu",
        post(move |body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/ottu", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_pay_inquiry_refund_inquiry_agree_and_the_webhooks_verify() {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec =
        codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
    let v = Arc::new(Validators::new(spec).expect("validators compile"));
    let server = MockServer::start(
        v.clone(),
        MockConfig {
            credentials: Credentials {
                api_key: KEY.into(),
                ..Credentials::default()
            },
            webhook_key: WEBHOOK_KEY.into(),
            ..MockConfig::default()
        },
    )
    .await
    .expect("mock starts");
    let (url, mut hooks) = receiver().await;
    let settings = example::Settings {
        base_url: server.base_url(),
        api_key: Secret::new(KEY),
        customer_id: "customer-refund-1".into(),
        pg_code: "credit-card".into(),
        webhook_url: Some(url),
        amount: "12.500".parse().unwrap(),
        refund: "5.000".parse().unwrap(),
        tracking_key: "refund-key-1".into(),
    };
    let flow = example::run(&settings).await.expect("the example runs");

    // Created: the session's own amount, currency and state.
    let created = json(&flow.created);
    conforms(&v, "create_payment_transaction_checkout", 201, &created);
    let session = flow.created.session_id.clone().unwrap();
    assert_eq!(created["state"], "created", "{created}");
    assert_eq!(milli(flow.created.amount.as_ref()), 12_500);
    assert_eq!(created["currency_code"], "KWD");

    // Paid in full, this session, by a saved card.
    conforms(&v, "auto_debit_2", 200, &json(&flow.paid));
    let paid = &flow.paid;
    assert_eq!(paid.session_id.as_deref(), Some(session.as_str()));
    assert_eq!(paid.state.as_deref(), Some("paid"));
    assert_eq!(json(paid)["result"], "success");
    assert_eq!(milli(paid.amount.as_ref()), 12_500);
    assert_eq!(milli(paid.paid_amount.as_ref()), 12_500);
    assert_eq!(milli(paid.remaining_amount.as_ref()), 0);
    assert_eq!(paid.currency_code.as_deref(), Some("KWD"));

    // The inquiry says what the payment said.
    let state = |w: &SchemaWebhook| {
        (
            w.session_id.clone(),
            w.state.clone(),
            milli(w.amount.as_ref()),
            milli(w.paid_amount.as_ref()),
            w.refunded_amount.as_ref().map_or(0, |r| milli(Some(r))),
            w.reference_number.clone(),
            w.currency_code.clone(),
        )
    };
    conforms(&v, "inquiry", 200, &json(&flow.after_payment));
    assert_eq!(state(&flow.after_payment), state(paid));

    // Refunded in part: the refund's own amount, this session.
    let refund = &flow.refund;
    conforms(&v, "public_operations", 200, &json(refund));
    assert_eq!(milli(refund.amount.as_ref()), 5_000);
    assert_eq!(refund.session_id.as_deref(), Some(session.as_str()));
    assert_eq!(json(refund)["operation"], "refund");
    assert_eq!(json(refund)["result"], "success");
    assert_eq!(refund.success, Some(true));
    // The same Tracking-Key again: the first answer, nothing refunded twice.
    assert_eq!(json(&flow.refund_retried), json(refund));

    // The inquiry after: still paid (in part refunded), 5.000 of 12.500 back.
    let after = &flow.after_refund;
    conforms(&v, "inquiry", 200, &json(after));
    assert_eq!(after.state.as_deref(), Some("paid"));
    assert_eq!(milli(after.refunded_amount.as_ref()), 5_000);
    assert_eq!(milli(after.paid_amount.as_ref()), 12_500);
    assert_eq!(milli(after.amount.as_ref()), 12_500);
    assert_eq!(after.reference_number, paid.reference_number);
    assert_eq!(after.session_id, paid.session_id);

    // Two webhooks at the session's webhook_url: the payment, then the refund.
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let body = tokio::time::timeout(Duration::from_secs(5), hooks.recv())
            .await
            .expect("a webhook arrives")
            .unwrap();
        bodies.push(body);
    }
    let key = Secret::new(WEBHOOK_KEY);
    let mut payments = 0;
    let mut refunds = 0;
    for body in &bodies {
        verify_webhook_signature(body, &key).expect("the webhook verifies");
        assert!(verify_webhook_signature(body, &Secret::new("another-key")).is_err());
        match parse_notification::<SchemaWebhook>(body).expect("it parses") {
            Notification::Payment(p) => {
                payments += 1;
                assert_eq!(state(&p), state(paid));
            }
            Notification::Operation(op) => {
                refunds += 1;
                assert_eq!(op.operation.as_deref(), Some("refund"));
                assert_eq!(op.amount.as_deref(), Some("5.000"));
                assert_eq!(op.result.as_deref(), Some("success"));
                let txn = op.txn.as_ref().expect("the payment operated on");
                assert_eq!(
                    txn.get("session_id").and_then(Value::as_str),
                    Some(session.as_str())
                );
            }
            other => panic!("unexpected notification {other:?}"),
        }
    }
    assert_eq!((payments, refunds), (1, 1));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        hooks.try_recv().is_err(),
        "the retried refund sent no second webhook"
    );
    server.shutdown().await;
}
