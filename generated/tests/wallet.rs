//! Wallet tokens reach the server byte for byte: Apple Pay's and Google
//! Pay's payment data, as a device produced them (key order, whitespace,
//! `\/` and `\u003d` escapes, fields no spec lists: Apple's
//! `header.applicationData` and `paymentMethod.secureElementPass`, Google's
//! extra top-level fields), are sent through the client's own operation
//! methods to a local server, which checks the `payload` it received.

use std::collections::HashMap;
use std::time::Duration;

use ottu_client::types::{
    ApplePayDirectPayment, ApplePayToken, GooglePayDirectPayment, GooglePayPaymentData,
};
use ottu_client::{Auth, Client, Config, PassThrough};
use serde_json::value::RawValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const APPLE: &str = include_str!("fixtures/wallet/apple-pay-token.json");
const GOOGLE: &str = include_str!("fixtures/wallet/google-pay-token.json");

/// Serves one request; hands back its body.
async fn serve_once() -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let body_at = loop {
            let n = sock.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before the body");
            buf.extend_from_slice(&chunk[..n]);
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .expect("a content-length")
                .trim()
                .parse()
                .unwrap();
            if buf.len() >= end + 4 + len {
                break end + 4;
            }
        };
        let body = br#"{"detail":"test server"}"#;
        let head = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(body).await;
        let _ = sock.shutdown().await;
        buf.split_off(body_at)
    });
    (url, handle)
}

fn client(url: &str) -> Client {
    Client::new(Config::new(url, Auth::api_key("sk_test_wallet")).timeout(Duration::from_secs(5)))
        .unwrap()
}

/// The `payload` member of a JSON request body, as the bytes on the wire.
fn received_payload(body: &[u8]) -> String {
    let members: HashMap<String, Box<RawValue>> = serde_json::from_slice(body).unwrap();
    members["payload"].get().to_string()
}

#[tokio::test]
async fn an_apple_pay_token_is_sent_byte_for_byte() {
    let device = APPLE.trim_end();
    let payload = PassThrough::<ApplePayToken>::from_json(device).unwrap();
    // The typed fields read as usual.
    let token = payload.typed();
    assert_eq!(token.payment_data.version, "EC_v1");
    assert_eq!(
        token.payment_data.header.transaction_id,
        "3cee89679130a4b2617c76118a1c62fd400cd45b49dc0916d5b951b560cd17b4"
    );
    assert_eq!(
        token.payment_method.display_name.as_deref(),
        Some("Visa 0224")
    );
    // Encoding the typed view would alter the token (this is what the
    // pass-through prevents): Apple's fields and order would be lost.
    let re_encoded = serde_json::to_string(token).unwrap();
    assert!(!re_encoded.contains("applicationData"), "{re_encoded}");
    assert_ne!(re_encoded, device);

    let request = ApplePayDirectPayment::new(payload, "sess-apple").with_pg_code("apple-pay");
    let (url, seen) = serve_once().await;
    let _ = client(&url).apple_direct_payment(&request).await;
    let body = seen.await.unwrap();
    let sent = received_payload(&body);
    assert_eq!(sent, device, "the token was altered on its way");
    for kept in [
        "\"applicationData\":\"94ee0593",
        "\"secureElementPass\":{",
        "\"futureField\":{\"addedBy\":\"Apple\",\"n\":1.50}",
        "HAQ\\/k8BQ",
    ] {
        assert!(sent.contains(kept), "{kept} missing");
    }
    // The rest of the request is the typed struct's.
    let rest: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(rest["session_id"], "sess-apple");
    assert_eq!(rest["pg_code"], "apple-pay");
}

#[tokio::test]
async fn a_google_pay_token_with_extra_fields_is_sent_byte_for_byte() {
    let device = GOOGLE.trim_end();
    let payload = PassThrough::<GooglePayPaymentData>::from_slice(device.as_bytes()).unwrap();
    let data = payload.typed();
    assert_eq!(data.api_version, 2);
    assert_eq!(data.payment_method_data.description, "Visa •••• 1234");
    let token = data.payment_method_data.tokenization_data["token"]
        .as_str()
        .unwrap();
    assert!(token.contains("signedMessage"));
    let re_encoded = serde_json::to_string(data).unwrap();
    assert!(!re_encoded.contains("shippingOptionData"), "{re_encoded}");

    let request = GooglePayDirectPayment::new(payload, "sess-google");
    let (url, seen) = serve_once().await;
    let _ = client(&url).google_direct_payment(&request).await;
    let sent = received_payload(&seen.await.unwrap());
    assert_eq!(sent, device, "the token was altered on its way");
    for kept in [
        "\"shippingOptionData\": {\"id\": \"shipping-001\"}",
        "\"paymentMethodToken\": {\"addedBy\": \"Google\", \"amount\": 10.10}",
        "\\\\u003d\\\\u003d",
        "\\u2022",
    ] {
        assert!(sent.contains(kept), "{kept} missing");
    }
}

#[test]
fn a_token_that_is_not_what_the_wallet_sends_is_refused_before_sending() {
    // Not JSON, or without a field the payment needs: an error naming it.
    assert!(PassThrough::<ApplePayToken>::from_json("{\"paymentData\":").is_err());
    let e = PassThrough::<ApplePayToken>::from_json(r#"{"paymentData":{}}"#).unwrap_err();
    assert!(
        e.to_string().contains("paymentMethod") || e.to_string().contains("version"),
        "{e}"
    );
    // Never shown.
    let p = PassThrough::<ApplePayToken>::from_json(APPLE).unwrap();
    let request = ApplePayDirectPayment::new(p, "sess-apple");
    let text = format!("{request:?}");
    assert!(
        !text.contains("applicationData") && !text.contains("MIAGCSq"),
        "{text}"
    );
}
