//! Issue 19 item 3: one `tracing` span per call (operation id, method, path
//! template, status, attempts, duration) and an event per retry (reason,
//! delay), with nothing secret in any field. A capturing subscriber records
//! every span and event field while each operation runs against a local
//! server with real-shaped secrets: the API key, a card token (in a body and
//! in the path of `delete_user_cards`), Apple Pay and Google Pay payment data.
#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ottu_client::types::{
    ApplePayDirectPayment, AutoDebit, CardEnvironment, GooglePayDirectPayment, UserCards,
};
use ottu_client::{Auth, Client, Config, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const API_KEY: &str = "sk_live_T9x8c7v6b5n4m3";
const CARD_TOKEN: &str = "tok_4111111111111111_live";
const CUSTOMER: &str = "cust_visible_1";
const WALLET: &[&str] = &[
    "APPLE_CIPHERTEXT_b41c",
    "APPLE_SIGNATURE_b41c",
    "APPLE_EPHEMERAL_KEY_b41c",
    "GPAY_SIGNED_MESSAGE_b41c",
    "GPAY_SIGNATURE_b41c",
];

/// One recorded span or event: its name and every field as `name=value`.
#[derive(Debug, Clone)]
struct Seen {
    kind: &'static str,
    /// `ottu_client` for ours; hyper's and reqwest's own are captured too.
    target: String,
    name: String,
    fields: Vec<(String, String)>,
}

impl Seen {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, v)| v.as_str())
    }
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

/// Records every span (with later `record`s) and event, whatever its level.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Seen>>>);

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut seen = self.0.lock().unwrap();
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        seen.push(Seen {
            kind: "span",
            target: attrs.metadata().target().to_string(),
            name: attrs.metadata().name().to_string(),
            fields,
        });
        Id::from_u64(seen.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut seen = self.0.lock().unwrap();
        let i = usize::try_from(span.into_u64()).unwrap() - 1;
        values.record(&mut Fields(&mut seen[i].fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(Seen {
            kind: "event",
            target: event.metadata().target().to_string(),
            name: event.metadata().name().to_string(),
            fields,
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Answers each connection with the next of `responses` (the last repeats);
/// returns the base URL and every request received, raw.
async fn serve(responses: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 65536];
            let read = sock.read(&mut buf).await.unwrap_or(0);
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..read]).into_owned());
            let response = &responses[n.min(responses.len() - 1)];
            n += 1;
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (url, received)
}

fn http(status: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn client(url: &str) -> Client {
    let policy = RetryPolicy::new()
        .max_attempts(3)
        .base_delay(Duration::from_millis(1));
    Client::new(
        Config::new(url, Auth::api_key(API_KEY))
            .timeout(Duration::from_secs(5))
            .retry(policy),
    )
    .unwrap()
}

fn apple() -> ApplePayDirectPayment {
    serde_json::from_value(serde_json::json!({
        "session_id": "sess-apple",
        "payload": {
            "paymentData": {
                "version": "EC_v1", "data": WALLET[0], "signature": WALLET[1],
                "header": {"ephemeralPublicKey": WALLET[2], "publicKeyHash": "h", "transactionId": "t"}
            },
            "paymentMethod": {"displayName": "Visa 0492", "network": "Visa", "type": "debit"},
            "transactionIdentifier": "tx1"
        }
    }))
    .unwrap()
}

fn google() -> GooglePayDirectPayment {
    let token = serde_json::json!({
        "signature": WALLET[4],
        "signedMessage": WALLET[3],
        "protocolVersion": "ECv2"
    })
    .to_string();
    serde_json::from_value(serde_json::json!({
        "session_id": "sess-google",
        "payload": {
            "apiVersion": 2, "apiVersionMinor": 0,
            "paymentMethodData": {
                "type": "CARD", "description": "Visa 1111", "info": {"cardNetwork": "VISA"},
                "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": token}
            }
        }
    }))
    .unwrap()
}

const CARD: &str = r#"{"token": "tok_4111111111111111_live", "number": "**** 1111", "customer_id": "cust_visible_1"}"#;

#[tokio::test]
async fn every_call_has_one_span_and_no_secret_in_any_field() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let webhook = r#"{"session_id": "s", "result": "success", "state": "paid"}"#;
    // Listing cards is retried: a 503 (Retry-After 0), then the list.
    let (url, received) = serve(vec![
        http("503 Service Unavailable", "retry-after: 0\r\n", "{}"),
        http("200 OK", "", &format!("[{CARD}]")),
    ])
    .await;
    let c = client(&url);
    c.get_user_cards(&UserCards::new(CardEnvironment::Sandbox, CUSTOMER))
        .await
        .unwrap();
    let (url, _) = serve(vec![http("200 OK", "", webhook)]).await;
    let c = client(&url);
    c.auto_debit(&AutoDebit::new("sess-debit", CARD_TOKEN))
        .await
        .unwrap();
    c.apple_direct_payment(&apple()).await.unwrap();
    c.google_direct_payment(&google()).await.unwrap();
    let (url, received_delete) = serve(vec![http("204 No Content", "", "")]).await;
    client(&url)
        .delete_user_cards(CARD_TOKEN, CUSTOMER, CardEnvironment::Sandbox)
        .await
        .unwrap();
    drop(_guard);

    // The secrets really travelled, so their absence below means something.
    let sent = received.lock().unwrap().join("\n") + &received_delete.lock().unwrap().join("\n");
    assert!(sent.contains(API_KEY), "the key was not sent");
    assert!(
        sent.contains(&format!("/card/{CARD_TOKEN}")),
        "the token was not in the path: {sent}"
    );

    let seen = capture.0.lock().unwrap().clone();
    let text = format!("{seen:?}");
    for secret in [API_KEY, CARD_TOKEN].iter().chain(WALLET) {
        assert!(
            !text.contains(secret),
            "a span or event shows {secret}: {text}"
        );
    }

    let ours = |kind: &str| -> Vec<&Seen> {
        seen.iter()
            .filter(|s| s.kind == kind && s.target == "ottu_client")
            .collect()
    };
    let spans = ours("span");
    let ops: Vec<&str> = spans.iter().filter_map(|s| s.get("operation")).collect();
    assert_eq!(
        ops,
        [
            "get_user_cards",
            "auto_debit",
            "apple_direct_payment",
            "google_direct_payment",
            "delete_user_cards"
        ],
        "{seen:#?}"
    );
    let list = spans[0];
    assert_eq!(list.name, "ottu.call");
    assert_eq!(list.get("method"), Some("POST"));
    assert_eq!(list.get("path"), Some("/b/pbl/v2/card/"));
    assert_eq!(list.get("status"), Some("200"));
    assert_eq!(list.get("attempts"), Some("2"));
    assert!(list.get("duration_ms").is_some(), "{list:?}");
    // The path template, never the expanded path.
    let delete = spans[4];
    assert_eq!(delete.get("method"), Some("DELETE"));
    assert!(
        delete.get("path").unwrap().contains("{token}"),
        "{delete:?}"
    );
    assert_eq!(delete.get("status"), Some("204"));
    assert_eq!(delete.get("attempts"), Some("1"));

    let retries = ours("event");
    assert_eq!(retries.len(), 1, "{seen:#?}");
    assert_eq!(retries[0].get("reason"), Some("status"));
    assert_eq!(retries[0].get("status"), Some("503"));
    assert_eq!(retries[0].get("attempt"), Some("1"));
    assert!(retries[0].get("delay_ms").is_some(), "{:?}", retries[0]);
}

#[tokio::test]
async fn a_transport_failure_is_a_span_with_its_kind_and_no_url() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    // Nothing listens here: the connection is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client(&url)
        .delete_user_cards(CARD_TOKEN, CUSTOMER, CardEnvironment::Sandbox)
        .await
        .unwrap_err();
    drop(_guard);
    assert!(matches!(err, ottu_client::Error::Transport(_)), "{err:?}");
    let seen = capture.0.lock().unwrap().clone();
    let text = format!("{seen:?}");
    assert!(
        !text.contains(CARD_TOKEN) && !text.contains(API_KEY),
        "{text}"
    );
    let span = seen
        .iter()
        .find(|s| s.kind == "span" && s.target == "ottu_client")
        .expect("a span");
    assert!(!format!("{span:?}").contains("127.0.0.1"), "{span:?}");
    assert_eq!(span.get("error"), Some("transport"));
    assert_eq!(span.get("status"), None);
}
