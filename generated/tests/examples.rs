//! Every example response body of Ottu's documentation (`shared/seeds/`)
//! and of `shared/ottu-facts.md` that belongs to one of the five
//! operations, copied into `tests/fixtures/examples/` (each file names its
//! source), decodes through the client: the operation's method is called
//! against a local server answering with that status and body, and the
//! result is the typed success or the typed documented error, never a
//! decode failure. What the body carries survives a re-encoding.

use std::path::Path;
use std::time::Duration;

use ottu_client::types::{CardEnvironment, DirectApplePaymentErrors, UserCards};
use ottu_client::{Auth, Client, Config, Error};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one request with `status` and `body` (reading the request first).
async fn answer(status: u16, body: String) -> Client {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = sock.read(&mut buf).await.unwrap_or(0);
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
            let Some(end) = text.find("\r\n\r\n") else {
                if n == 0 {
                    break;
                }
                continue;
            };
            let want = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if n == 0 || seen.len() >= end + 4 + want {
                break;
            }
        }
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(body.as_bytes()).await;
        let _ = sock.shutdown().await;
    });
    Client::new(Config::new(url, Auth::api_key("sk_test_examples")).timeout(Duration::from_secs(5)))
        .unwrap()
}

fn request<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// The operation's result as JSON (`Ok`: the success value re-encoded;
/// a typed API error: its status), or why it was not what a caller needs.
async fn call(client: &Client, op: &str) -> Result<Result<Value, u16>, String> {
    macro_rules! typed {
        ($r:expr $(,)?) => {
            match $r {
                Ok(v) => Ok(Ok(serde_json::to_value(v).unwrap())),
                Err(Error::Api { error: e, .. }) => Ok(Err(e.status())),
                Err(other) => Err(format!("{other:?}")),
            }
        };
    }
    let session = json!({"session_id": "sess-1"});
    match op {
        "auto_debit" => typed!(
            client
                .auto_debit(&request(json!({"session_id": "sess-1", "token": "tok-1"})))
                .await,
        ),
        "apple_direct_payment" => {
            let mut body = session.clone();
            body["payload"] = json!({
                "paymentData": {"version": "EC_v1", "data": "ZGF0YQ==", "signature": "c2ln",
                    "header": {"publicKeyHash": "aGFzaA==", "transactionId": "abc"}},
                "paymentMethod": {"displayName": "Visa 1111", "network": "Visa", "type": "debit"},
                "transactionIdentifier": "abc"
            });
            typed!(client.apple_direct_payment(&request(body)).await)
        }
        "google_direct_payment" => {
            let mut body = session.clone();
            body["payload"] = json!({
                "apiVersion": 2, "apiVersionMinor": 0,
                "paymentMethodData": {"type": "CARD", "description": "Visa 1111", "info": {},
                    "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": "{}"}}
            });
            typed!(client.google_direct_payment(&request(body)).await)
        }
        "get_user_cards" => {
            let body = UserCards::new(CardEnvironment::Sandbox, "cust-1");
            typed!(client.get_user_cards(&body).await)
        }
        "delete_user_cards" => typed!(
            client
                .delete_user_cards("tok-1", "cust-1", CardEnvironment::Sandbox)
                .await,
        ),
        other => panic!("fixture names an unknown operation `{other}`"),
    }
}

#[tokio::test]
async fn every_documented_example_decodes_through_the_client() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/examples");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture: Value = serde_json::from_str(&text).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            fixture["source"]
                .as_str()
                .is_some_and(|s| s.contains("shared/")),
            "{name}: say where the body comes from"
        );
        let op = fixture["operation"].as_str().unwrap();
        let status = u16::try_from(fixture["status"].as_u64().unwrap()).unwrap();
        let mut body = fixture["body"].clone();
        if fixture["list_of_one"] == true {
            body = json!([body]);
        }
        // The verdict `cargo xtask validate` prints: decoded, by the type
        // the operation method decodes this status to.
        let verdict = ottu_client::decode_response(op, status, body.to_string().as_bytes())
            .unwrap_or_else(|| panic!("{name}: {op} {status} not documented"));
        assert!(
            matches!(verdict.outcome, ottu_client::Outcome::Decoded(_)),
            "{name}: {verdict}"
        );
        let client = answer(status, body.to_string()).await;
        match call(&client, op).await {
            Ok(Ok(decoded)) => {
                assert!(
                    (200..300).contains(&status),
                    "{name}: {status} decoded as success"
                );
                // Nothing the body said is lost on the way back.
                assert_eq!(decoded, body, "{name}: changed by decoding");
            }
            Ok(Err(got)) => assert_eq!(got, status, "{name}"),
            Err(e) => panic!("{name}: {op} {status} did not decode: {e}"),
        }
        if status == 400 {
            let e: DirectApplePaymentErrors = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(serde_json::to_value(&e).unwrap(), body, "{name}");
        }
        names.push(name);
    }
    names.sort();
    // The seeds' card and Apple Pay receipt, and the facts' webhook vectors
    // and error bodies: none may go missing from the fixtures.
    for must in [
        "seed-000-user-cards-200-card",
        "seed-003-apple-pay-200",
        "facts-webhook-standard-vector",
        "facts-webhook-subscription-vector",
        "facts-operation-error-400",
        "facts-field-errors-400",
        "facts-generic-error-401",
        "facts-detail-404-delete-card",
    ] {
        assert!(names.iter().any(|n| n == must), "{must} missing: {names:?}");
    }
}

/// The facts' webhook vectors are what Ottu POSTs to `webhook_url`, too.
#[test]
fn the_webhook_vectors_parse_as_the_webhook_payload() {
    for name in [
        "facts-webhook-standard-vector",
        "facts-webhook-subscription-vector",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/examples/{name}.json"));
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let body = fixture["body"].clone();
        let p: ottu_client::WebhookPayload = serde_json::from_value(body.clone()).unwrap();
        assert!(p.amount.is_some(), "{name}");
        assert_eq!(serde_json::to_value(&p).unwrap(), body, "{name}");
    }
}
