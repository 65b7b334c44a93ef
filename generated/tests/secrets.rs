//! Credentials and card tokens never show in `Debug` or `Display` of a
//! config, client, request value or error, including on error paths: a 401
//! whose body echoes the key, undocumented statuses, decode failures,
//! transport failures with a token in the URL, webhook verification.

use std::time::Duration;

use ottu_client::types::{
    ApplePayDirectPayment, AutoDebit, Card, CardEnvironment, GooglePayDirectPayment, UserCards,
};
use ottu_client::{Auth, Client, Config, Error, RetryPolicy, Secret, verify_webhook_signature};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const API_KEY: &str = "sk_live_a1b2c3d4e5f6";
const PASSWORD: &str = "hunter2-very-secret";
const BEARER: &str = "eyJhbGciOiJIUzI1NiJ9.pub_key_0987";
const WEBHOOK_KEY: &str = "whk_5up3r_s3cr3t";
const CARD_TOKEN: &str = "tok_4111111111111111";
const PUBLIC_KEY: &str = "pk_pub_9z8y7x6w5v";

fn assert_hidden(what: &str, text: &str) {
    for secret in [
        API_KEY,
        PASSWORD,
        BEARER,
        WEBHOOK_KEY,
        CARD_TOKEN,
        PUBLIC_KEY,
    ] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

fn all_auths() -> [Auth; 4] {
    [
        Auth::api_key(API_KEY),
        Auth::public_key(PUBLIC_KEY),
        Auth::basic("merchant", PASSWORD),
        Auth::bearer(BEARER),
    ]
}

#[test]
fn configs_clients_and_request_values_hide_credentials_and_tokens() {
    for auth in all_auths() {
        assert_hidden("Auth", &format!("{auth:?}"));
        let config = Config::sandbox(auth).retry(RetryPolicy::new());
        assert_hidden("Config", &format!("{config:?}"));
        let client = Client::new(config).unwrap();
        assert_hidden("Client", &format!("{client:?}"));
    }
    let secret = Secret::new(WEBHOOK_KEY);
    assert_hidden("Secret", &format!("{secret} {secret:?}"));
    let debit = AutoDebit::new("s", CARD_TOKEN);
    assert_hidden("AutoDebit", &format!("{debit:?}"));
    let card: Card = serde_json::from_value(serde_json::json!({
        "brand": "VISA", "customer_id": "c", "cvv_required": false, "expiry_month": "01", "expiry_year": "30",
        "is_expired": false, "is_preferred": true, "name_on_card": null, "number": "**** 1111", "pg_code": "kn", "pg_name": "kpay",
        "token": CARD_TOKEN, "agreements": []
    }))
    .unwrap();
    assert_hidden("Card", &format!("{card:?}"));
}

/// One connection answered with `response`; returns the base URL.
async fn answer(response: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    url
}

fn http(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn client(url: &str, auth: Auth) -> Client {
    Client::new(Config::new(url, auth).timeout(Duration::from_secs(5))).unwrap()
}

fn cards() -> UserCards {
    UserCards::new(CardEnvironment::Sandbox, "c")
}

fn shown<E: std::fmt::Debug + std::fmt::Display>(e: &Error<E>) -> String {
    format!("{e} {e:?}")
}

#[tokio::test]
async fn a_401_echoing_the_credential_does_not_show_it() {
    for (auth, echoed) in all_auths()
        .into_iter()
        .zip([API_KEY, PUBLIC_KEY, PASSWORD, BEARER])
    {
        let body = format!(
            r#"{{"detail": "Invalid credentials: Api-Key {echoed} / Basic merchant:{echoed} / Bearer {echoed}"}}"#
        );
        let url = answer(http("401 Unauthorized", &body)).await;
        // Auto-debit accepts all four kinds (listing cards takes the API key only).
        let debit = AutoDebit::new("s", CARD_TOKEN);
        let err = client(&url, auth).auto_debit(&debit).await.unwrap_err();
        assert!(
            matches!(&err, Error::Api { error: e, .. } if e.status() == 401),
            "{err:?}"
        );
        assert_hidden("a decoded 401", &shown(&err));
    }
}

#[tokio::test]
async fn undocumented_statuses_and_decode_failures_hide_credentials_and_tokens() {
    let bodies = [
        http(
            "500 Internal Server Error",
            &format!(r#"{{"error": "boom", "key": "{API_KEY}", "token": "{CARD_TOKEN}"}}"#),
        ),
        // Free text: the client's own key is masked wherever it appears (a card
        // token in prose cannot be recognised; in JSON it is, see below).
        http(
            "500 Internal Server Error",
            &format!("Traceback: Api-Key {API_KEY} at line 3"),
        ),
        http(
            "200 OK",
            // An object where the list is due (a card with a brand of
            // another type would decode: response types are tolerant).
            &format!(r#"{{"cards": [{{"token": "{CARD_TOKEN}", "brand": 5}}]}}"#),
        ),
        http(
            "200 OK",
            &format!(r#"[{{"token": "{CARD_TOKEN}", "brand": "#),
        ),
        format!(
            "HTTP/1.1 503 Unavailable\r\nset-cookie: session={API_KEY}\r\nauthorization: Api-Key {API_KEY}\r\ncontent-length: 0\r\n\r\n"
        ),
    ];
    for response in bodies {
        let url = answer(response.clone()).await;
        let err = client(&url, Auth::api_key(API_KEY))
            .get_user_cards(&cards())
            .await
            .unwrap_err();
        assert_hidden(&format!("the error for {response:?}"), &shown(&err));
    }
}

#[tokio::test]
async fn transport_errors_do_not_show_the_token_in_the_url() {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(&format!("http://127.0.0.1:{port}"), Auth::api_key(API_KEY));
    let err = c
        .delete_user_cards(CARD_TOKEN, "c", CardEnvironment::Sandbox)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    let mut text = shown(&err);
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert_hidden("a transport error and its sources", &text);
}

#[test]
fn webhook_verification_never_shows_the_key() {
    let key = Secret::new(WEBHOOK_KEY);
    let payloads = [
        format!(
            r#"{{"amount": "1.000", "token": {{"token": "{CARD_TOKEN}"}}, "signature": "{}"}}"#,
            "0".repeat(64)
        ),
        r#"{"amount": "1.000"}"#.to_string(),
        format!(r#"{{"signature": "{WEBHOOK_KEY}"}}"#),
        format!(r#""{CARD_TOKEN}""#),
        format!(r#"{{"token": "{CARD_TOKEN}""#),
    ];
    for p in payloads {
        let err = verify_webhook_signature(&p, &key).unwrap_err();
        assert_hidden("a webhook error", &format!("{err} {err:?}"));
    }
}

/// Marker values inside wallet payment data: none may show in `Debug`.
const WALLET_MARKERS: &[&str] = &[
    "APPLE_CIPHERTEXT_7f3a",
    "APPLE_SIGNATURE_7f3a",
    "APPLE_EPHEMERAL_KEY_7f3a",
    "APPLE_WRAPPED_KEY_7f3a",
    "APPLE_KEY_HASH_7f3a",
    "APPLE_TXN_7f3a",
    "GPAY_SIGNED_MESSAGE_7f3a",
    "GPAY_SIGNATURE_7f3a",
    "GPAY_INTERMEDIATE_KEY_7f3a",
];

fn assert_no_wallet_data(what: &str, text: &str) {
    for marker in WALLET_MARKERS {
        assert!(!text.contains(marker), "{what} shows {marker}: {text}");
    }
}

#[test]
fn wallet_payment_data_is_hidden_whatever_its_type() {
    let apple: ApplePayDirectPayment = serde_json::from_value(serde_json::json!({
        "session_id": "sess-visible-apple",
        "pg_code": "pg-visible-apple",
        "payload": {
            "paymentData": {
                "version": "EC_v1",
                "data": "APPLE_CIPHERTEXT_7f3a",
                "signature": "APPLE_SIGNATURE_7f3a",
                "header": {
                    "ephemeralPublicKey": "APPLE_EPHEMERAL_KEY_7f3a",
                    "wrappedKey": "APPLE_WRAPPED_KEY_7f3a",
                    "publicKeyHash": "APPLE_KEY_HASH_7f3a",
                    "transactionId": "APPLE_TXN_7f3a"
                }
            },
            "paymentMethod": {"displayName": "Visa 0492", "network": "Visa", "type": "debit"},
            "transactionIdentifier": "APPLE_TXN_7f3a"
        }
    }))
    .unwrap();
    let text = format!("{apple:?}");
    assert_no_wallet_data("ApplePayDirectPayment", &text);
    assert!(text.contains("sess-visible-apple"), "{text}");
    assert!(text.contains("pg-visible-apple"), "{text}");
    // The token on its own: the encrypted payment data (an object) is hidden.
    assert_eq!(format!("{:?}", apple.payload), "PassThrough(***)");
    let token = format!("{:?}", apple.payload.typed());
    assert!(!token.contains("APPLE_CIPHERTEXT_7f3a"), "{token}");
    assert!(!token.contains("APPLE_SIGNATURE_7f3a"), "{token}");
    assert!(token.contains("Visa 0492"), "{token}");
    // The payment data on its own: its ciphertext, signature and keys.
    let data = format!("{:?}", apple.payload.typed().payment_data);
    for marker in &WALLET_MARKERS[..4] {
        assert!(
            !data.contains(marker),
            "ApplePaymentData shows {marker}: {data}"
        );
    }
    assert!(data.contains("EC_v1"), "{data}");

    let token = serde_json::json!({
        "signature": "GPAY_SIGNATURE_7f3a",
        "intermediateSigningKey": {"signedKey": "GPAY_INTERMEDIATE_KEY_7f3a", "signatures": ["GPAY_SIGNATURE_7f3a"]},
        "protocolVersion": "ECv2",
        "signedMessage": "GPAY_SIGNED_MESSAGE_7f3a"
    });
    let google: GooglePayDirectPayment = serde_json::from_value(serde_json::json!({
        "session_id": "sess-visible-google",
        "pg_code": "pg-visible-google",
        "payload": {
            "apiVersion": 2,
            "apiVersionMinor": 0,
            "paymentMethodData": {
                "type": "CARD",
                "description": "Visa 1234",
                "info": {"cardNetwork": "VISA", "cardDetails": "1234"},
                "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": token.to_string()}
            }
        }
    }))
    .unwrap();
    let text = format!("{google:?}");
    assert_no_wallet_data("GooglePayDirectPayment", &text);
    assert!(text.contains("sess-visible-google"), "{text}");
    assert!(text.contains("pg-visible-google"), "{text}");
    // The payment data on its own: the tokenization data (a map) is hidden,
    // the rest still shows.
    assert_eq!(format!("{:?}", google.payload), "PassThrough(***)");
    let data = format!("{:?}", google.payload.typed());
    assert_no_wallet_data("GooglePayPaymentData", &data);
    assert!(data.contains("Visa 1234"), "{data}");
}

fn generator_secret_fields() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("specs");
    let spec = codegen::load(&[root], &codegen::LoadOptions { overlays: true }).unwrap();
    codegen::model::model(&spec).secret_fields
}

#[test]
fn the_crate_masks_the_secret_fields_the_generator_knows() {
    // The list the generated code passes to the runtime is the generator's
    // (the specs' `x-ottu-secret-fields` and the generic credentials).
    let known = generator_secret_fields();
    assert_eq!(ottu_client::SECRET_FIELDS, known.as_slice());
    assert!(known.iter().any(|n| n == "paymentData"), "{known:?}");
    for name in ottu_client::SECRET_FIELDS {
        if name.contains('.') {
            // `Type.name`: too common a name to mask without its type
            // (`ApplePaymentData.data`); only the declared field is hidden.
            continue;
        }
        let snake = codegen::model::snake(name);
        for key in [name.to_string(), snake] {
            let body = serde_json::json!({ key.clone(): "SECRET_FIELD_MARKER", "ok": 1 });
            let masked = |bytes: &[u8]| {
                ottu_client::BodyExcerpt::masking(bytes, ottu_client::SECRET_FIELDS).text
            };
            let text = masked(body.to_string().as_bytes());
            assert!(!text.contains("SECRET_FIELD_MARKER"), "{key}: {text}");
            // Truncated, not JSON: masked all the same.
            let cut = &body.to_string()[..body.to_string().len() - 3];
            let text = masked(cut.as_bytes());
            assert!(
                !text.contains("SECRET_FIELD_MARKER"),
                "{key} (truncated): {text}"
            );
        }
    }
}

#[tokio::test]
async fn operations_pass_the_specs_secret_fields_to_the_runtime() {
    // `paymentData` is a secret of the specs, not a word the runtime knows:
    // an operation's error excerpt masks it only because the generated
    // operation hands the runtime the list.
    let plain = ottu_client::BodyExcerpt::new(br#"{"paymentData":"WALLET_DATA_MARKER"}"#);
    assert!(plain.text.contains("WALLET_DATA_MARKER"), "{}", plain.text);
    let url = answer(http(
        "418 I'm a teapot",
        r#"{"detail":"no","paymentData":"WALLET_DATA_MARKER"}"#,
    ))
    .await;
    let err = client(&url, Auth::api_key(API_KEY))
        .get_user_cards(&cards())
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(matches!(err, Error::UnexpectedStatus(_)), "{shown}");
    assert!(!shown.contains("WALLET_DATA_MARKER"), "{shown}");
}
