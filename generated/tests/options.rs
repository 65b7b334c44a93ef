//! Per-request options and response metadata, against a scripted local
//! server: a timeout applied to one call, extra headers sent, credentials
//! and declared parameters refused (and never sent), a retry policy for
//! one call (never a payment), bad options refused before anything is
//! sent, status and headers beside every result and on every error kind,
//! and `Debug` masking credential, cookie and token headers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ottu_client::types::{AutoDebit, CardEnvironment, GoogleDirectPaymentChannel, UserCards};
use ottu_client::{Auth, Client, Config, Error, GetUserCardsError, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does with one connection.
#[derive(Clone)]
enum Reply {
    /// Answers with these bytes, after a pause.
    After(Duration, Vec<u8>),
    /// Reads the request and never answers.
    Stall,
}

/// A server answering connections with `script` in order (the last reply
/// repeats); every request it read is in the log.
async fn serve(script: Vec<Reply>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let reply = script[n.min(script.len() - 1)].clone();
            n += 1;
            let seen = seen.clone();
            tokio::spawn(async move {
                let request = read_request(&mut sock).await;
                seen.lock().unwrap().push(request);
                match reply {
                    Reply::After(pause, bytes) => {
                        tokio::time::sleep(pause).await;
                        let _ = sock.write_all(&bytes).await;
                        let _ = sock.shutdown().await;
                    }
                    Reply::Stall => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                }
            });
        }
    });
    (url, log)
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return text;
            }
        }
        if n == 0 {
            return text;
        }
    }
}

/// An answer with `x-request-id: r-1`, a cookie, a token header, and the
/// client's own key echoed in a header.
fn answer(status: &str, body: &str) -> Reply {
    Reply::After(
        Duration::ZERO,
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             x-request-id: r-1\r\nset-cookie: sessionid=cookie_secret_1\r\n\
             x-card-token: tok_header_secret_2\r\nx-echo: key sk_test_options_key\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn late(pause: Duration, reply: Reply) -> Reply {
    match reply {
        Reply::After(_, bytes) => Reply::After(pause, bytes),
        Reply::Stall => Reply::Stall,
    }
}

const KEY: &str = "sk_test_options_key";

fn client(url: &str) -> Client {
    Client::new(Config::new(url, Auth::api_key(KEY)).timeout(Duration::from_secs(5))).unwrap()
}

fn cards() -> UserCards {
    UserCards::new(CardEnvironment::Sandbox, "cust-1")
}

/// Lets the server log what it received.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[tokio::test]
async fn a_timeout_applies_to_one_call() {
    let (url, seen) = serve(vec![Reply::Stall]).await;
    let started = Instant::now();
    let err = client(&url)
        .get_user_cards(&cards())
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout()),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(seen.lock().unwrap().len(), 1);

    // Longer than the client's: a slow answer within it succeeds, where
    // the client's own timeout gives up.
    let (url, seen) = serve(vec![late(
        Duration::from_millis(400),
        answer("200 OK", "[]"),
    )])
    .await;
    let short =
        Client::new(Config::new(&url, Auth::api_key(KEY)).timeout(Duration::from_millis(150)))
            .unwrap();
    let err = short.get_user_cards(&cards()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout()),
        "{err:?}"
    );
    let list = short
        .get_user_cards(&cards())
        .timeout(Duration::from_secs(3))
        .await
        .unwrap();
    assert!(list.is_empty());
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn extra_headers_are_sent_beside_the_credential() {
    let (url, seen) = serve(vec![answer("200 OK", "[]")]).await;
    client(&url)
        .get_user_cards(&cards())
        .header("X-Correlation-Id", "order-77")
        .header("Accept-Language", "ar")
        .await
        .unwrap();
    let request = seen.lock().unwrap()[0].to_ascii_lowercase();
    assert!(request.contains("x-correlation-id: order-77"), "{request}");
    assert!(request.contains("accept-language: ar"), "{request}");
    assert!(
        request.contains(&format!("authorization: api-key {KEY}")),
        "{request}"
    );
    assert_eq!(request.matches("authorization:").count(), 1, "{request}");
}

#[tokio::test]
async fn bad_options_are_refused_by_name_and_nothing_is_sent() {
    let (url, seen) = serve(vec![answer("200 OK", "[]")]).await;
    let c = client(&url);
    let body = cards();
    let cases = [
        (
            c.get_user_cards(&body)
                .header("Authorization", "Bearer stolen_token_1"),
            "header(Authorization)",
        ),
        (
            c.get_user_cards(&body)
                .header("authorization", "Api-Key stolen_token_1"),
            "header(authorization)",
        ),
        (
            c.get_user_cards(&body)
                .header("Proxy-Authorization", "Basic stolen_token_1"),
            "header(Proxy-Authorization)",
        ),
        (
            c.get_user_cards(&body)
                .header("X-Note", "two\r\nlines stolen_token_1"),
            "header(X-Note)",
        ),
        (
            c.get_user_cards(&body).header("Bad Name", "v"),
            "header(Bad Name)",
        ),
        (
            c.get_user_cards(&body).header("Content-Type", "text/plain"),
            "header(Content-Type)",
        ),
        (c.get_user_cards(&body).timeout(Duration::ZERO), "timeout"),
    ];
    for (call, option) in cases {
        let err = call.await.unwrap_err();
        let Error::InvalidOption(e) = &err else {
            panic!("{option}: {err:?}")
        };
        assert_eq!(e.option(), option, "{err}");
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("nothing was sent"), "{shown}");
        assert!(!shown.contains("stolen_token_1"), "{shown}");
        assert_eq!(err.status(), None);
    }
    // A header the operation declares has a typed setter.
    let err = c
        .google_direct_payment(&google())
        .header("Channel", "web_sdk")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`.channel(..)`"), "{err}");
    settle().await;
    assert!(
        seen.lock().unwrap().is_empty(),
        "sent: {:?}",
        seen.lock().unwrap()
    );
}

fn google() -> ottu_client::types::GooglePayDirectPayment {
    serde_json::from_value(json!({
        "session_id": "sess-1",
        "payload": {
            "apiVersion": 2, "apiVersionMinor": 0,
            "paymentMethodData": {"type": "CARD", "description": "Visa 1111", "info": {"cardNetwork": "VISA"}, "tokenizationData": {"type": "PAYMENT_GATEWAY", "token": "{}"}}
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn a_typed_header_setter_sends_its_header() {
    let (url, seen) = serve(vec![answer("400 Bad Request", r#"{"detail": "no"}"#)]).await;
    let _ = client(&url)
        .google_direct_payment(&google())
        .channel(GoogleDirectPaymentChannel::MobileSdk)
        .await;
    let request = seen.lock().unwrap()[0].to_ascii_lowercase();
    assert!(request.contains("channel: mobile_sdk"), "{request}");
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(3)
        .base_delay(Duration::from_millis(1))
        .without_jitter()
}

#[tokio::test]
async fn a_retry_policy_for_one_call_but_never_for_a_payment() {
    let unavailable = answer("503 Service Unavailable", r#"{"detail": "busy"}"#);
    // The client has no policy; this call does.
    let (url, seen) = serve(vec![
        unavailable.clone(),
        unavailable.clone(),
        answer("200 OK", "[]"),
    ])
    .await;
    let list = client(&url)
        .get_user_cards(&cards())
        .retry(quick_retries())
        .await
        .unwrap();
    assert!(list.is_empty());
    assert_eq!(seen.lock().unwrap().len(), 3);

    // The client retries; this call asks for one attempt.
    let (url, seen) = serve(vec![unavailable.clone(), answer("200 OK", "[]")]).await;
    let retrying =
        Client::new(Config::new(&url, Auth::api_key(KEY)).retry(quick_retries())).unwrap();
    let err = retrying
        .get_user_cards(&cards())
        .retry(RetryPolicy::new().max_attempts(1))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(seen.lock().unwrap().len(), 1);

    // A payment is sent once whatever the call's policy says.
    let (url, seen) = serve(vec![unavailable, answer("200 OK", "{}")]).await;
    let err = client(&url)
        .auto_debit(&AutoDebit::new("sess-1", "tok_card_1"))
        .retry(quick_retries())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    settle().await;
    assert_eq!(seen.lock().unwrap().len(), 1, "a payment was retried");
}

#[tokio::test]
async fn status_and_headers_come_beside_the_typed_value() {
    let (url, _) = serve(vec![answer(
        "200 OK",
        r#"[{"token": "tok_1", "brand": "VISA"}]"#,
    )])
    .await;
    let resp = client(&url)
        .get_user_cards(&cards())
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.meta().header("x-request-id"), Some("r-1"));
    assert_eq!(resp.value().len(), 1);
    // The client's key echoed by the server is masked in what it keeps.
    assert_eq!(resp.meta().header("x-echo"), Some("key ***"));
    let shown = format!("{resp:?}");
    for secret in ["cookie_secret_1", "tok_header_secret_2", KEY, "tok_1"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    let (list, meta) = resp.into_parts();
    assert_eq!(list[0].brand.as_deref(), Some("VISA"));
    assert_eq!(meta.status(), 200);
    assert!(
        meta.headers().contains_key("set-cookie"),
        "kept, only masked in Debug"
    );
}

#[tokio::test]
async fn every_error_with_a_response_carries_its_status_and_headers() {
    let big = "x".repeat(5 * 1024 * 1024);
    let cases: Vec<(Reply, u16, &str)> = vec![
        (
            answer("400 Bad Request", r#"{"customer_id": ["Required."]}"#),
            400,
            "Api",
        ),
        (answer("401 Unauthorized", r#"[1, 2]"#), 401, "Decode"),
        (answer("200 OK", "not json"), 200, "Undecoded"),
        (answer("502 Bad Gateway", "<html>"), 502, "UnexpectedStatus"),
        (answer("200 OK", &big), 200, "BodyTooLarge"),
    ];
    for (reply, status, kind) in cases {
        let (url, _) = serve(vec![reply]).await;
        let err = client(&url).get_user_cards(&cards()).await.unwrap_err();
        let actual = match &err {
            Error::Api {
                error: GetUserCardsError::BadRequest(_),
                ..
            } => "Api",
            Error::Decode { .. } => "Decode",
            Error::Undecoded(_) => "Undecoded",
            Error::UnexpectedStatus(_) => "UnexpectedStatus",
            Error::BodyTooLarge { .. } => "BodyTooLarge",
            other => panic!("{other:?}"),
        };
        assert_eq!(actual, kind);
        assert_eq!(err.status(), Some(status), "{kind}");
        let headers = err.headers().expect(kind);
        assert_eq!(
            headers.get("x-request-id").and_then(|v| v.to_str().ok()),
            Some("r-1"),
            "{kind}"
        );
        assert_eq!(
            err.meta().unwrap().header("x-echo"),
            Some("key ***"),
            "{kind}"
        );
        let shown = format!("{err} {err:?}");
        for secret in ["cookie_secret_1", "tok_header_secret_2", KEY] {
            assert!(!shown.contains(secret), "{kind}: {secret} in {shown}");
        }
    }
    // No response, no metadata.
    let (url, _) = serve(vec![Reply::Stall]).await;
    let err = client(&url)
        .get_user_cards(&cards())
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(err.status().is_none() && err.headers().is_none(), "{err:?}");
}

#[tokio::test]
async fn a_refund_carries_its_tracking_key_on_every_attempt_and_only_then_is_retried() {
    use ottu_client::types::{Operation, OperationOperation};
    let refund = Operation::new(OperationOperation::Refund).with_session_id("sess-1");
    let unavailable = answer("503 Service Unavailable", r#"{"detail": "busy"}"#);
    let done = answer("200 OK", r#"{"detail": "refunded", "result": "success"}"#);

    // With a key: retried under the call's policy, the same key each time.
    let (url, seen) = serve(vec![unavailable.clone(), done.clone()]).await;
    let resp = client(&url)
        .public_operations(&refund)
        .tracking_key("refund-order-7-1")
        .retry(quick_retries())
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "retried once");
    for request in &seen {
        assert!(
            request
                .to_ascii_lowercase()
                .contains("tracking-key: refund-order-7-1"),
            "{request}"
        );
    }

    // `idempotency_key` is the same setter under its generic name.
    let (url, seen) = serve(vec![done]).await;
    client(&url)
        .public_operations(&refund)
        .idempotency_key("refund-order-7-2")
        .await
        .unwrap();
    assert!(seen.lock().unwrap()[0].contains("refund-order-7-2"));

    // Without a key: sent once, whatever the policy.
    let (url, seen) = serve(vec![unavailable.clone(), unavailable]).await;
    let err = client(&url)
        .public_operations(&refund)
        .retry(quick_retries())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    settle().await;
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "a refund without a key was retried"
    );

    // An empty key is refused, naming it, and nothing is sent.
    let (url, seen) = serve(vec![answer("200 OK", "{}")]).await;
    let err = client(&url)
        .public_operations(&refund)
        .tracking_key("")
        .retry(quick_retries())
        .await
        .unwrap_err();
    let Error::InvalidOption(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.option(), "Tracking-Key");
    settle().await;
    assert!(seen.lock().unwrap().is_empty());
}
