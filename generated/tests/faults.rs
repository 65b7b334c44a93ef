//! The generated client against a local server that misbehaves on purpose
//! (HTML gateway pages, truncated or mislabelled bodies, huge or endless
//! bodies, silence, resets): every case ends in a typed error within the
//! configured timeout, with the status and a bounded excerpt. And retries:
//! payments are sent exactly once whatever the policy; safe operations are
//! retried under an opt-in policy that honours `Retry-After`.
//! (Cases already in `tests/client.rs` are not repeated here.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ottu_client::types::{AutoDebit, CardEnvironment, UserCards};
use ottu_client::{Auth, BodyExcerpt, Client, Config, Error, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with the n-th request (0-based).
#[derive(Clone)]
enum Act {
    /// Writes these bytes, then closes.
    Reply(Vec<u8>),
    /// Writes these bytes, then keeps the connection open and silent.
    Stall(Vec<u8>),
    /// Resets the connection (RST) without answering.
    Reset,
    /// Streams this many bytes of a JSON array, chunked, no length given.
    Flood(usize),
}

/// A server that answers request n with `script(n)`; returns its URL and
/// the number of requests it has read.
async fn serve(
    script: impl Fn(usize) -> Act + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let (script, seen) = (Arc::new(script), count.clone());
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (script, seen) = (script.clone(), seen.clone());
            tokio::spawn(async move {
                let mut sock = sock;
                if !read_request(&mut sock).await {
                    return;
                }
                let act = script(seen.fetch_add(1, Ordering::SeqCst));
                answer(sock, act).await;
            });
        }
    });
    (url, count)
}

/// Reads one request (headers, then the body by Content-Length).
async fn read_request(sock: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = sock.read(&mut chunk).await else {
            return false;
        };
        if n == 0 {
            return false;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .and_then(|v| v.trim().parse::<usize>().ok())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return true;
            }
        }
    }
}

async fn answer(mut sock: TcpStream, act: Act) {
    match act {
        Act::Reply(bytes) => {
            let _ = sock.write_all(&bytes).await;
            let _ = sock.shutdown().await;
        }
        Act::Stall(bytes) => {
            let _ = sock.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Act::Reset => {
            let _ = sock.set_zero_linger();
            drop(sock);
        }
        Act::Flood(total) => {
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n[\r\n").await;
            let piece = "{},".repeat(21_000);
            let frame = format!("{:x}\r\n{piece}\r\n", piece.len());
            let mut sent = 0;
            while sent < total {
                if sock.write_all(frame.as_bytes()).await.is_err() {
                    return; // the client hung up: what it should do
                }
                sent += piece.len();
            }
            let _ = sock.write_all(b"2\r\n{}\r\n1\r\n]\r\n0\r\n\r\n").await;
        }
    }
}

fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn json_reply(status: &str, body: &str) -> Act {
    Act::Reply(http(status, "content-type: application/json\r\n", body))
}

const KEY: &str = "sk_live_9f8e7d6c5b4a";
const TIMEOUT: Duration = Duration::from_millis(400);

fn client(url: &str) -> Client {
    Client::new(
        Config::new(url, Auth::api_key(KEY))
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT),
    )
    .unwrap()
}

fn retrying(url: &str, policy: RetryPolicy) -> Client {
    Client::new(
        Config::new(url, Auth::api_key(KEY))
            .timeout(TIMEOUT)
            .retry(policy),
    )
    .unwrap()
}

fn cards() -> UserCards {
    UserCards::new(CardEnvironment::Sandbox, "cust-1")
}

fn debit() -> AutoDebit {
    AutoDebit::new("sess-1", "tok_4111_secret")
}

/// Runs `f` with a hard bound, so a hang fails the test instead of stalling it.
async fn bounded<T>(f: impl std::future::IntoFuture<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("the call hung past 10 s")
}

/// The call ended by the configured timeout, not by the 10 s hang bound
/// (slack for a loaded CI machine).
fn assert_within_timeout(started: Instant) {
    let took = started.elapsed();
    assert!(
        took < TIMEOUT + Duration::from_millis(1600),
        "took {took:?} with a {TIMEOUT:?} timeout"
    );
}

/// The error's text never shows the key, a card token, and stays short.
fn assert_clean<E: std::fmt::Debug + std::fmt::Display>(err: &Error<E>) {
    let text = format!("{err} {err:?}");
    for secret in [KEY, "tok_4111_secret"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(
        text.len() < 4 * BodyExcerpt::MAX + 1024,
        "unbounded error text ({} bytes)",
        text.len()
    );
}

#[tokio::test]
async fn an_html_gateway_page_is_an_unexpected_status_with_a_bounded_excerpt() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "nginx ".repeat(2_000)
    );
    let (url, _) = serve(move |_| {
        Act::Reply(http(
            "502 Bad Gateway",
            "content-type: text/html\r\n",
            &page,
        ))
    })
    .await;
    let err = bounded(client(&url).get_user_cards(&cards()))
        .await
        .unwrap_err();
    let Error::UnexpectedStatus(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.status, 502);
    assert!(
        r.body
            .text
            .starts_with("<html><head><title>502 Bad Gateway"),
        "{}",
        r.body
    );
    assert!(r.body.truncated && r.body.text.len() <= BodyExcerpt::MAX);
    assert_clean(&err);
}

#[tokio::test]
async fn truncated_json_under_a_200_is_undecoded_and_does_not_show_the_card_token() {
    let (url, _) = serve(|_| {
        json_reply(
            "200 OK",
            r#"[{"token": "tok_4111_secret", "brand": "VISA", "pg_code": "kn"#,
        )
    })
    .await;
    let err = bounded(client(&url).get_user_cards(&cards()))
        .await
        .unwrap_err();
    // A 2xx: the request succeeded, whatever its body.
    let Error::Undecoded(s) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(s.status, 200);
    assert!(s.reason.contains("EOF"), "{}", s.reason);
    assert_clean(&err);
}

#[tokio::test]
async fn a_wrong_or_missing_content_type_with_a_non_json_200_is_undecoded() {
    for headers in ["content-type: text/html\r\n", ""] {
        let (url, _) = serve(move |_| Act::Reply(http("200 OK", headers, "<p>OK</p>"))).await;
        let err = bounded(client(&url).auto_debit(&debit()))
            .await
            .unwrap_err();
        let Error::Undecoded(s) = &err else {
            panic!("{headers:?}: {err:?}")
        };
        assert_eq!(s.body, ottu_client::SuccessBody::Raw(b"<p>OK</p>".to_vec()));
        assert_clean(&err);
    }
}

#[tokio::test]
async fn an_empty_200_is_undecoded_and_an_empty_204_is_success() {
    let (url, _) = serve(|_| json_reply("200 OK", "")).await;
    let err = bounded(client(&url).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Undecoded(s) if s.status == 200 && s.body == ottu_client::SuccessBody::Raw(vec![])),
        "{err:?}"
    );
    let err = bounded(client(&url).auto_debit(&debit()))
        .await
        .unwrap_err();
    assert!(err.took_effect(), "{err:?}");
    // Delete documents 204 only: an undocumented 200 is a success all the
    // same (a 2xx is never a failure: the card is gone).
    bounded(client(&url).delete_user_cards("tok_4111_secret", "cust-1", CardEnvironment::Sandbox))
        .await
        .unwrap();
    let (url, _) =
        serve(|_| Act::Reply(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n".to_vec()))
            .await;
    bounded(client(&url).delete_user_cards("tok_4111_secret", "cust-1", CardEnvironment::Sandbox))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_10_mb_chunked_body_without_a_length_is_cut_at_the_limit() {
    let (url, _) = serve(|_| Act::Flood(10 * 1024 * 1024)).await;
    let c = Client::new(
        Config::new(&url, Auth::api_key(KEY))
            .timeout(Duration::from_secs(5))
            .max_body_bytes(1024 * 1024),
    )
    .unwrap();
    let err = bounded(c.get_user_cards(&cards())).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                status: 200,
                limit: 1_048_576,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_shorter_than_its_length_times_out() {
    let (url, count) = serve(|_| Act::Stall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"state\": ".to_vec())).await;
    let started = Instant::now();
    let err = bounded(client(&url).auto_debit(&debit()))
        .await
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert!(t.is_timeout(), "{err}");
    assert!(started.elapsed() >= TIMEOUT);
    assert_within_timeout(started);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_clean(&err);
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out() {
    let (url, count) = serve(|_| Act::Stall(Vec::new())).await;
    let started = Instant::now();
    let err = bounded(client(&url).auto_debit(&debit()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout()),
        "{err:?}"
    );
    assert_within_timeout(started);
    assert_eq!(count.load(Ordering::SeqCst), 1, "a payment is sent once");
    let err = bounded(client(&url).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout()),
        "{err:?}"
    );
    assert_clean(&err);
}

#[tokio::test]
async fn a_reset_connection_is_a_transport_error() {
    let (url, count) = serve(|_| Act::Reset).await;
    let err = bounded(client(&url).auto_debit(&debit()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if !t.is_timeout()),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_clean(&err);
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = bounded(client(&format!("http://127.0.0.1:{port}")).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    assert_clean(&err);
}

// ---- retries ----

fn unavailable(retry_after: &str) -> Act {
    Act::Reply(http(
        "503 Service Unavailable",
        &format!("retry-after: {retry_after}\r\ncontent-type: application/json\r\n"),
        r#"{"detail":"busy"}"#,
    ))
}

fn eager() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(5)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_secs(2))
}

fn apple() -> ottu_client::types::ApplePayDirectPayment {
    serde_json::from_value(json!({
        "session_id": "sess-1",
        "payload": {
            "paymentData": {"version": "EC_v1", "data": "abc", "signature": "sig", "header": {"publicKeyHash": "h", "transactionId": "t"}},
            "paymentMethod": {"displayName": "Visa 1111", "network": "Visa", "type": "debit"},
            "transactionIdentifier": "tx1"
        }
    }))
    .unwrap()
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
async fn payments_are_sent_exactly_once_even_under_a_retry_policy() {
    for fault in [
        unavailable("0"),
        Act::Reply(http("429 Too Many Requests", "retry-after: 0\r\n", "")),
        Act::Reset,
    ] {
        let (url, count) = serve(move |_| fault.clone()).await;
        let c = retrying(&url, eager());
        assert!(bounded(c.auto_debit(&debit())).await.is_err());
        assert!(bounded(c.apple_direct_payment(&apple())).await.is_err());
        assert!(bounded(c.google_direct_payment(&google())).await.is_err());
        assert_eq!(
            count.load(Ordering::SeqCst),
            3,
            "one request per payment call"
        );
    }
    let (url, count) = serve(|_| Act::Stall(Vec::new())).await;
    let err = bounded(retrying(&url, eager()).auto_debit(&debit()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout()),
        "{err:?}"
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a timed-out payment is not retried"
    );
}

#[tokio::test]
async fn without_a_policy_nothing_is_retried() {
    let (url, count) = serve(|_| unavailable("0")).await;
    let err = bounded(client(&url).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(r) if r.status == 503),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn listing_cards_is_retried_on_503_429_and_resets_until_it_succeeds() {
    let (url, count) = serve(|n| match n {
        0 => unavailable("0"),
        1 => Act::Reply(http("429 Too Many Requests", "", "")),
        2 => Act::Reset,
        _ => json_reply("200 OK", "[]"),
    })
    .await;
    let cards_back = bounded(retrying(&url, eager()).get_user_cards(&cards()))
        .await
        .unwrap();
    assert!(cards_back.is_empty());
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn attempts_are_capped_and_the_last_answer_is_returned() {
    let (url, count) = serve(|_| unavailable("0")).await;
    let err = bounded(retrying(&url, eager().max_attempts(3)).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(r) if r.status == 503),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (url, count) = serve(|_| {
        json_reply(
            "400 Bad Request",
            r#"{"customer_id": ["This field is required."]}"#,
        )
    })
    .await;
    let err = bounded(retrying(&url, eager()).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Api { .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_safe_operation_waits_at_least_retry_after() {
    let (url, count) = serve(|n| {
        if n == 0 {
            unavailable("1")
        } else {
            json_reply("200 OK", "[]")
        }
    })
    .await;
    let started = Instant::now();
    bounded(retrying(&url, eager()).get_user_cards(&cards()))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried before Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_retry_after_longer_than_max_delay_stops_retrying() {
    let (url, count) = serve(|_| unavailable("3600")).await;
    let err = bounded(retrying(&url, eager()).get_user_cards(&cards()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(r) if r.status == 503),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_operation_the_spec_says_never_is_sent_once_though_its_method_is_idempotent() {
    // DELETE is idempotent in HTTP, but the spec's policy says `never` for
    // deleting a card (a retry after an unseen success answers 404): the
    // runtime obeys the operation, not the method.
    for fault in [unavailable("0"), Act::Reset] {
        let (url, count) = serve(move |_| fault.clone()).await;
        let err = bounded(retrying(&url, eager()).delete_user_cards(
            "tok_1",
            "cust-1",
            CardEnvironment::Sandbox,
        ))
        .await
        .unwrap_err();
        assert!(
            matches!(&err, Error::UnexpectedStatus(_) | Error::Transport(_)),
            "{err:?}"
        );
        assert_eq!(count.load(Ordering::SeqCst), 1, "sent once");
    }
}
