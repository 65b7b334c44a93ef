//! The client against a scripted local HTTP server: what is sent (auth
//! header, encoded path, query, JSON body) and how each kind of answer
//! comes back (documented error decoded, 401 body read, undocumented
//! status kept with a redacted excerpt, oversized body refused, request
//! validation before anything is sent).

use std::time::Duration;

use ottu_client::types::{AutoDebit, CardEnvironment, UserCards, UserCardsErrors};
use ottu_client::{Auth, Client, Config, Error, GetUserCardsError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one connection: records the request, answers with `response`.
async fn serve_once(response: Vec<u8>) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        // Read headers, then the body by Content-Length.
        loop {
            let n = sock.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len || n == 0 {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let _ = sock.write_all(&response).await;
        let _ = sock.shutdown().await;
        String::from_utf8_lossy(&buf).to_string()
    });
    (url, handle)
}

fn http(status: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: r-1\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

fn client(url: &str) -> Client {
    Client::new(Config::new(url, Auth::api_key("sk_test_secret")).timeout(Duration::from_secs(5)))
        .unwrap()
}

fn cards_request() -> UserCards {
    UserCards::new(CardEnvironment::Sandbox, "cust-1")
}

#[tokio::test]
async fn list_cards_sends_auth_and_json_and_decodes_the_array() {
    let (url, seen) = serve_once(http("200 OK", "[]")).await;
    let cards = client(&url).get_user_cards(&cards_request()).await.unwrap();
    assert!(cards.is_empty());
    let req = seen.await.unwrap();
    assert!(req.starts_with("POST /b/pbl/v2/card/ HTTP/1.1"), "{req}");
    assert!(
        req.to_ascii_lowercase()
            .contains("authorization: api-key sk_test_secret"),
        "{req}"
    );
    assert!(
        req.ends_with(r#"{"type":"sandbox","customer_id":"cust-1"}"#),
        "{req}"
    );
}

#[tokio::test]
async fn the_public_key_is_sent_as_an_api_key_and_never_printed() {
    let (url, server) = serve_once(http("200 OK", "[]")).await;
    let config =
        Config::new(&url, Auth::public_key("pk_test_public_77")).timeout(Duration::from_secs(5));
    let shown = format!("{config:?}");
    assert!(!shown.contains("pk_test_public_77"), "{shown}");
    let c = Client::new(config).unwrap();
    assert!(!format!("{c:?}").contains("pk_test_public_77"));
    c.get_user_cards(&cards_request()).await.unwrap();
    let request = server.await.unwrap().to_ascii_lowercase();
    assert!(
        request.contains("\r\nauthorization: api-key pk_test_public_77\r\n"),
        "{request}"
    );
}

#[tokio::test]
async fn field_errors_come_back_typed() {
    let (url, _) = serve_once(http(
        "400 Bad Request",
        r#"{"customer_id": ["This field is required."]}"#,
    ))
    .await;
    let err = client(&url)
        .get_user_cards(&cards_request())
        .await
        .unwrap_err();
    match err {
        Error::Api {
            error: GetUserCardsError::BadRequest(UserCardsErrors::FieldErrors(f)),
            ..
        } => {
            assert_eq!(f["customer_id"], message("This field is required."))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unauthorized_bodies_are_read() {
    let (url, _) = serve_once(http(
        "401 Unauthorized",
        r#"{"detail": "Invalid API key."}"#,
    ))
    .await;
    let err = client(&url)
        .get_user_cards(&cards_request())
        .await
        .unwrap_err();
    let Error::Api {
        error: GetUserCardsError::Unauthorized(m),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(m.detail.as_deref(), Some("Invalid API key."));
    assert_eq!(err.to_string(), "HTTP 401 (Unauthorized): Invalid API key.");
}

#[tokio::test]
async fn undocumented_status_keeps_status_headers_and_a_redacted_excerpt() {
    let (url, _) = serve_once(http(
        "502 Bad Gateway",
        r#"{"error": "upstream", "token": "tok_leak"}"#,
    ))
    .await;
    let err = client(&url)
        .get_user_cards(&cards_request())
        .await
        .unwrap_err();
    let Error::UnexpectedStatus(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.status, 502);
    assert_eq!(
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("r-1")
    );
    assert_eq!(err.headers(), Some(r.headers()));
    assert!(
        r.body.text.contains("upstream") && !r.body.text.contains("tok_leak"),
        "{}",
        r.body
    );
    assert!(!format!("{err} {err:?}").contains("sk_test_secret"));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let big = format!("[{}]", vec!["{}"; 5_000_000].join(","));
    let (url, _) = serve_once(http("200 OK", &big)).await;
    let err = client(&url)
        .get_user_cards(&cards_request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                status: 200,
                limit: 4_194_304,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_that_never_ends_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf).await;
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n[\r\n").await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let c = Client::new(Config::new(&url, Auth::None).timeout(Duration::from_millis(300))).unwrap();
    let err = c.get_user_cards(&cards_request()).await.unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert!(t.is_timeout(), "{err}");
}

#[tokio::test]
async fn delete_encodes_the_token_and_sends_the_query() {
    let (url, seen) =
        serve_once(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n".to_vec()).await;
    client(&url)
        .delete_user_cards("tok/1 2", "cust-1", CardEnvironment::Production)
        .await
        .unwrap();
    let req = seen.await.unwrap();
    assert!(
        req.starts_with(
            "DELETE /b/pbl/v2/card/tok%2F1%202/?customer_id=cust-1&type=production HTTP/1.1"
        ),
        "{req}"
    );
}

#[tokio::test]
async fn invalid_requests_are_not_sent() {
    // Nothing listens here: a validation error must come before any connection.
    let c = client("http://127.0.0.1:9");
    let err = c
        .delete_user_cards("tok", "", CardEnvironment::Sandbox)
        .await
        .unwrap_err();
    let Error::Validation(v) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(v.field, "customer_id");
    let long = AutoDebit::new("s".repeat(129), "tok");
    let err = c.auto_debit(&long).await.unwrap_err();
    let Error::Validation(v) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        v.to_string(),
        "invalid `body.session_id`: 129 characters, at most 128 allowed"
    );
}

#[test]
fn credentials_never_go_over_plain_http_to_another_host() {
    let key = || Auth::api_key("sk_live_over_http");
    let err = Client::new(Config::new("http://merchant.ottu.net", key())).unwrap_err();
    assert!(
        matches!(&err, ottu_client::BuildError::InsecureBaseUrl(h) if h == "merchant.ottu.net"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("sk_live_over_http"), "{err}");
    // Loopback (a local mock), https, no credentials, or an explicit opt-in: fine.
    for url in [
        "http://127.0.0.1:4010",
        "http://localhost:8080",
        "http://[::1]:9",
    ] {
        Client::new(Config::new(url, key())).unwrap();
    }
    Client::new(Config::new("https://merchant.ottu.net", key())).unwrap();
    Client::new(Config::new("http://merchant.ottu.net", Auth::None)).unwrap();
    // Credentials in the URL count too.
    assert!(Client::new(Config::new("http://u:p@merchant.ottu.net", Auth::None)).is_err());
    Client::new(Config::new("http://merchant.ottu.net", key()).allow_insecure_http()).unwrap();
}

/// A field's one message, as the field errors hold it.
fn message(text: &str) -> ottu_client::types::FieldError {
    ottu_client::types::FieldError::FieldErrorList(vec![
        ottu_client::types::FieldErrorItem::String(text.into()),
    ])
}

/// Google Pay's `channel` header (declared by overlay) is set per call,
/// and left out when not given.
#[tokio::test]
async fn the_google_pay_channel_header_is_per_call() {
    use ottu_client::types::{GoogleDirectPaymentChannel, GooglePayDirectPayment};
    let body: GooglePayDirectPayment = serde_json::from_value(serde_json::json!({
        "session_id": "sess-1",
        "payload": {
            "apiVersion": 2, "apiVersionMinor": 0,
            "paymentMethodData": {"type": "CARD", "description": "Visa 1111", "info": {},
                                  "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": "{}"}}
        }
    }))
    .unwrap();
    for (channel, want) in [
        (
            Some(GoogleDirectPaymentChannel::MobileSdk),
            Some("mobile_sdk"),
        ),
        (Some(GoogleDirectPaymentChannel::WebSdk), Some("web_sdk")),
        (None, None),
    ] {
        let (url, seen) = serve_once(http("400 Bad Request", r#"{"detail": "no"}"#)).await;
        let c = client(&url);
        let call = c.google_direct_payment(&body);
        let _ = match channel {
            Some(channel) => call.channel(channel).await,
            None => call.await,
        };
        let request = seen.await.unwrap().to_ascii_lowercase();
        let sent = request
            .lines()
            .find_map(|l| l.strip_prefix("channel: ").map(str::trim));
        assert_eq!(sent, want, "{request}");
    }
}
