//! The stateful mock through `ottu-client`, as an integration test would
//! use it: sessions paid by auto-debit, Google Pay and Apple Pay; saved
//! cards listed, used and deleted; answers that agree with themselves and
//! with earlier answers; bounded, resettable, safe under concurrency, and
//! `stateless` keeping the canned behaviour.

use std::path::PathBuf;
use std::sync::Arc;

use contract_tests::Validators;
use contract_tests::mock::{MockConfig, MockServer, RESET_PATH};
use ottu_client::types::{
    AutoDebit, CardEnvironment, DirectGooglePaymentSuccess, GooglePayDirectPayment,
    GooglePayPaymentData, PaymentMethodData, UserCards,
};
use ottu_client::{Auth, Client, Config, DeleteUserCardsError, Error, Secret};
use serde_json::{Value, json};

fn validators() -> Arc<Validators> {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec =
        codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
    Arc::new(Validators::new(spec).expect("validators compile"))
}

async fn start(config: MockConfig) -> (Arc<Validators>, MockServer, Client) {
    let v = validators();
    let server = MockServer::start(v.clone(), config)
        .await
        .expect("mock starts");
    let client = Client::new(Config::new(
        server.base_url(),
        Auth::api_key(Secret::new("mock-api-key")),
    ))
    .expect("client builds");
    (v, server, client)
}

fn list(customer: &str) -> UserCards {
    UserCards::new(CardEnvironment::Sandbox, customer)
}

fn google(session: &str) -> GooglePayDirectPayment {
    let method = PaymentMethodData::new(
        "CARD",
        "Visa 1111",
        serde_json::Map::new(),
        serde_json::Map::new(),
    );
    // A token built in code (a device's goes through `PassThrough::from_json`).
    let payload =
        ottu_client::PassThrough::from_typed(GooglePayPaymentData::new(2, 0, method)).unwrap();
    GooglePayDirectPayment::new(payload, session)
}

/// A raw POST with the default key: the body as JSON.
async fn post(
    server: &MockServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .header("Authorization", "Api-Key mock-api-key")
        .json(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Every answer still conforms to the spec: state never bends the contract.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_card_pays_by_auto_debit_then_is_deleted_for_good() {
    let (v, server, client) = start(MockConfig::default()).await;
    let cards = client.get_user_cards(&list("cust-A")).await.unwrap();
    assert!(
        !cards.is_empty(),
        "a customer starts with the documented cards"
    );
    assert!(
        cards
            .iter()
            .all(|c| c.customer_id.as_deref() == Some("cust-A"))
    );
    let token = cards[0].token.clone().expect("a card has a token");

    // Paid: the answer says so, for this session and this card.
    let paid = client
        .auto_debit(&AutoDebit::new("sess-1", token.clone()))
        .await
        .unwrap();
    let as_json = serde_json::to_value(&paid).unwrap();
    conforms(&v, "auto_debit", 200, &as_json);
    assert_eq!(as_json["result"], "success", "{as_json}");
    assert_eq!(as_json["state"], "paid");
    if let Some(s) = as_json.get("session_id") {
        assert_eq!(s, "sess-1");
    }
    assert_eq!(as_json["remaining_amount"], json!(0));
    assert_eq!(
        paid.paid_amount.as_ref().map(ToString::to_string),
        paid.amount.as_ref().map(ToString::to_string),
        "paid in full"
    );
    if let Some(card) = &paid.token {
        assert_eq!(card.token.as_deref(), Some(token.as_str()));
        assert_eq!(card.customer_id.as_deref(), Some("cust-A"));
    }
    for m in ["message"] {
        if let Some(text) = as_json.get(m).and_then(Value::as_str) {
            assert!(!text.to_lowercase().contains("declin"), "{text}");
        }
    }
    // Paying the same session again charges nothing: the first result, byte for byte.
    let again = client
        .auto_debit(&AutoDebit::new("sess-1", token.clone()))
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), as_json);
    // Another session is its own payment.
    let other = client
        .auto_debit(&AutoDebit::new("sess-2", token.clone()))
        .await
        .unwrap();
    let other = serde_json::to_value(&other).unwrap();
    if let Some(s) = other.get("session_id") {
        assert_eq!(s, "sess-2");
    }

    // Deleted: gone from the list; deleting again, or an unknown token, is a 404.
    client
        .delete_user_cards(&token, "cust-A", CardEnvironment::Sandbox)
        .await
        .unwrap();
    let after = client.get_user_cards(&list("cust-A")).await.unwrap();
    assert!(
        after
            .iter()
            .all(|c| c.token.as_deref() != Some(token.as_str()))
    );
    assert_eq!(
        after.len(),
        cards
            .iter()
            .filter(|c| c.token.as_deref() != Some(token.as_str()))
            .count()
    );
    for t in [token.as_str(), "tok-never-saved"] {
        let err = client
            .delete_user_cards(t, "cust-A", CardEnvironment::Sandbox)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Api {
                    error: DeleteUserCardsError::NotFound(_),
                    ..
                }
            ),
            "{t}: {err:?}"
        );
    }
    // Another customer's cards are their own.
    assert_eq!(
        client.get_user_cards(&list("cust-B")).await.unwrap().len(),
        cards.len()
    );
    // A deleted card cannot pay.
    let refused = client
        .auto_debit(&AutoDebit::new("sess-3", token.clone()))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("token"), "{refused}");

    // Reset: everything forgotten (the customer's cards are implied anew).
    server.reset();
    assert_eq!(
        client.get_user_cards(&list("cust-A")).await.unwrap().len(),
        cards.len()
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallet_payments_say_one_thing_and_save_their_card() {
    let (v, server, client) = start(MockConfig::default()).await;
    // Google Pay: paid (the webhook-payload branch), for this session.
    let answer = client.google_direct_payment(&google("g-1")).await.unwrap();
    let DirectGooglePaymentSuccess::SchemaWebhook(paid) = answer else {
        panic!("a stateful Google Pay payment is paid: {answer:?}")
    };
    let paid_json = serde_json::to_value(&paid).unwrap();
    conforms(&v, "google_direct_payment", 200, &paid_json);
    assert_eq!(paid_json["result"], "success");
    assert_eq!(paid_json["state"], "paid");
    // Its 3DS steps (chosen with Prefer) name Google Pay, never Apple Pay.
    for example in ["iframe3dsresponse", "redirect3dsresponse"] {
        let (status, step) = post(
            &server,
            "/b/pbl/v2/payment/google-pay/",
            &[("Prefer", &format!("example={example}"))],
            &serde_json::to_value(google("g-2")).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(step["form_of_payment"], "google_pay", "{example}: {step}");
    }
    // Apple Pay: paid; the card it saved is in its customer's list.
    let apple = json!({
        "session_id": "a-1",
        "payload": {
            "paymentData": {"version": "EC_v1", "data": "abc", "signature": "sig", "header": {"publicKeyHash": "h", "transactionId": "t", "ephemeralPublicKey": "k"}},
            "paymentMethod": {"displayName": "Visa 1111", "network": "Visa", "type": "debit"},
            "transactionIdentifier": "tx1"
        }
    });
    let (status, paid) = post(&server, "/b/pbl/v2/payment/apple-pay/", &[], &apple).await;
    assert_eq!(status, 200, "{paid}");
    conforms(&v, "apple_direct_payment", 200, &paid);
    assert_eq!(paid["result"], "success");
    if let (Some(customer), Some(token)) = (
        paid.pointer("/token/customer_id").and_then(Value::as_str),
        paid.pointer("/token/token").and_then(Value::as_str),
    ) {
        let cards = client.get_user_cards(&list(customer)).await.unwrap();
        assert!(
            cards.iter().any(|c| c.token.as_deref() == Some(token)),
            "the saved card is listed"
        );
    }
    // Canned errors say what their status means.
    let (status, not_found) = post(
        &server,
        "/b/pbl/v2/card/",
        &[("Prefer", "code=404")],
        &json!({"customer_id": "c", "type": "sandbox"}),
    )
    .await;
    assert_eq!((status, &not_found["detail"]), (404, &json!("Not found.")));
    let (status, bad) = post(
        &server,
        "/b/pbl/v2/card/",
        &[("Prefer", "code=400, example=operationerrorresponse")],
        &json!({"customer_id": "c", "type": "sandbox"}),
    )
    .await;
    if status == 400
        && let Some(d) = bad.get("detail")
    {
        assert_ne!(d, "Not found.", "{bad}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_is_bounded_concurrent_resettable_and_optional() {
    let (_, server, client) = start(MockConfig {
        session_cap: 3,
        ..MockConfig::default()
    })
    .await;
    let token = client.get_user_cards(&list("c")).await.unwrap()[0]
        .token
        .clone()
        .unwrap();
    for i in 0..5 {
        client
            .auto_debit(&AutoDebit::new(format!("s-{i}"), token.clone()))
            .await
            .unwrap();
    }
    assert_eq!(server.sessions(), 3, "the oldest sessions were forgotten");
    // One fresh session paid from 32 tasks at once: one payment, one answer.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let client = client.clone();
        let token = token.clone();
        tasks.spawn(async move {
            let paid = client
                .auto_debit(&AutoDebit::new("together", token))
                .await
                .unwrap();
            serde_json::to_string(&paid).unwrap()
        });
    }
    let answers: std::collections::BTreeSet<String> = tasks.join_all().await.into_iter().collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    // Reset over HTTP.
    let reset = reqwest::Client::new()
        .post(format!("{}{RESET_PATH}", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 204);
    assert_eq!(server.sessions(), 0);
    server.shutdown().await;

    // Stateless: every answer on its own, as before.
    let (_, server, client) = start(MockConfig {
        stateless: true,
        ..MockConfig::default()
    })
    .await;
    for _ in 0..2 {
        client
            .delete_user_cards("tok-never-saved", "c", CardEnvironment::Sandbox)
            .await
            .expect("stateless: the canned 204");
    }
    assert_eq!(server.sessions(), 0);
    server.shutdown().await;
}

/// A receiver on loopback: answers `statuses` in turn (then 200) and hands
/// over every body it got.
async fn receiver(statuses: Vec<u16>) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/ottu", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then Content-Length bytes of body.
            let body = loop {
                let Ok(n) = s.read(&mut chunk).await else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break Some(
                            String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string(),
                        );
                    }
                }
            };
            let status = statuses.next().unwrap_or(200);
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await;
            if let Some(b) = body {
                let _ = tx.send(b);
            }
        }
    });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_arrive_signed_and_verify_with_the_client() {
    let key = "whk_mock_test_key";
    // The first attempt meets a 500: retried.
    let (url, mut received) = receiver(vec![500]).await;
    let (_, server, client) = start(MockConfig {
        webhook_url: Some(url.clone()),
        webhook_key: key.into(),
        ..MockConfig::default()
    })
    .await;
    let token = client.get_user_cards(&list("w")).await.unwrap()[0]
        .token
        .clone()
        .unwrap();
    let paid = client
        .auto_debit(&AutoDebit::new("hook-1", token.clone()))
        .await
        .unwrap();
    assert_eq!(paid.result.as_ref().map(|r| r.as_str()), Some("success"));
    // Paying again replays the first answer, byte for byte, and sends nothing more.
    let (status, answered) = post(
        &server,
        "/b/pbl/v2/auto-debit/",
        &[],
        &json!({"session_id": "hook-1", "token": token}),
    )
    .await;
    assert_eq!(status, 200);
    // The answer's own signature verifies with the key.
    ottu_client::verify_webhook_signature(&answered.to_string(), &Secret::new(key))
        .expect("the payment answer is signed");
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let body = tokio::time::timeout(std::time::Duration::from_secs(5), received.recv())
            .await
            .expect("the webhook arrives")
            .unwrap();
        bodies.push(body);
    }
    for body in &bodies {
        ottu_client::verify_webhook_signature(body, &Secret::new(key)).expect("verifies");
        assert!(
            ottu_client::verify_webhook_signature(body, &Secret::new("another-key")).is_err(),
            "a wrong key is refused"
        );
        let sent: Value = serde_json::from_str(body).unwrap();
        assert_eq!(sent, answered, "the webhook is the payment's result");
    }
    // The log says what happened.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log = server.deliveries();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].delivered && log[0].attempts == 2 && log[0].status == Some(200),
        "{log:?}"
    );
    assert!(received.try_recv().is_err(), "one payment, one webhook");
    server.shutdown().await;

    // A receiver that is not there: logged as failed after every attempt,
    // and the payment answered at once all the same.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let (_, server, client) = start(MockConfig {
        webhook_url: Some(dead),
        ..MockConfig::default()
    })
    .await;
    let token = client.get_user_cards(&list("w")).await.unwrap()[0]
        .token
        .clone()
        .unwrap();
    let t = std::time::Instant::now();
    client
        .auto_debit(&AutoDebit::new("hook-2", token))
        .await
        .unwrap();
    assert!(t.elapsed() < std::time::Duration::from_millis(500));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while server.deliveries().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let log = server.deliveries();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        !log[0].delivered && log[0].attempts == 3 && log[0].error.is_some(),
        "{log:?}"
    );
    server.shutdown().await;
}

/// A raw call with the default key: status and JSON body.
async fn call(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .header("Authorization", "Api-Key mock-api-key");
    if let Some(b) = body {
        req = req.json(b);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A checkout session for `amount` KWD: its `session_id`.
async fn checkout(v: &Validators, server: &MockServer, amount: &str) -> String {
    let (status, created) = post(
        server,
        "/b/checkout/v1/pymt-txn/",
        &[],
        &json!({"amount": amount, "currency_code": "KWD", "pg_codes": ["credit-card"], "type": "e_commerce", "order_no": format!("order-{amount}")}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    conforms(v, "create_payment_transaction_checkout", 201, &created);
    assert_eq!(created["state"], "created");
    assert_eq!(created["amount"], amount);
    created["session_id"].as_str().unwrap().to_string()
}

/// Pays `session` by auto-debit with a saved card (`headers`: e.g. authorize only).
async fn pay(
    v: &Validators,
    server: &MockServer,
    session: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let (_, cards) = post(
        server,
        "/b/pbl/v2/card/",
        &[],
        &json!({"type": "sandbox", "customer_id": "rules"}),
    )
    .await;
    let token = cards[0]["token"].as_str().unwrap().to_string();
    let (status, body) = post(
        server,
        "/b/pbl/v2/payment/auto-debit/",
        headers,
        &json!({"session_id": session, "token": token}),
    )
    .await;
    conforms(v, "auto_debit_2", status, &body);
    (status, body)
}

/// An operation on `session` (with a Tracking-Key when given).
async fn operate(
    v: &Validators,
    server: &MockServer,
    session: &str,
    operation: &str,
    amount: Option<&str>,
    key: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({"operation": operation, "session_id": session});
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    let headers: Vec<(&str, &str)> = key.map(|k| ("Tracking-Key", k)).into_iter().collect();
    let (status, answer) = post(server, "/b/pbl/v2/operation/", &headers, &body).await;
    conforms(v, "public_operations", status, &answer);
    (status, answer)
}

async fn inquire(v: &Validators, server: &MockServer, session: &str) -> Value {
    let (status, body) = post(
        server,
        "/b/pbl/v2/inquiry/",
        &[],
        &json!({"session_id": session}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    conforms(v, "inquiry", 200, &body);
    body
}

fn refused(status: u16, body: &Value, operation: &str, says: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["result"], "failed", "{body}");
    assert_eq!(body["operation"], operation, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(says), "{detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_add_up_and_never_exceed_what_was_paid() {
    let (v, server, _) = start(MockConfig::default()).await;
    let session = checkout(&v, &server, "10.000").await;
    // Nothing paid yet: nothing to refund.
    let (s, b) = operate(&v, &server, &session, "refund", Some("1.000"), None).await;
    refused(s, &b, "refund", "created");
    let (s, paid) = pay(&v, &server, &session, &[]).await;
    assert_eq!((s, paid["state"].as_str()), (200, Some("paid")), "{paid}");
    assert_eq!(paid["amount"], "10.000");
    // More than was paid: refused, and nothing moved.
    let (s, b) = operate(&v, &server, &session, "refund", Some("10.001"), None).await;
    refused(s, &b, "refund", "at most 10.000");
    assert_eq!(
        inquire(&v, &server, &session).await["refunded_amount"],
        json!(0)
    );
    // Partial refunds add up.
    let (s, first) = operate(&v, &server, &session, "refund", Some("4.000"), None).await;
    assert_eq!(
        (s, first["amount"].as_str()),
        (200, Some("4.000")),
        "{first}"
    );
    let now = inquire(&v, &server, &session).await;
    assert_eq!(
        (now["state"].as_str(), &now["refunded_amount"]),
        (Some("paid"), &json!(4))
    );
    let (s, b) = operate(&v, &server, &session, "refund", Some("6.001"), None).await;
    refused(s, &b, "refund", "at most 6.000");
    let (s, rest) = operate(&v, &server, &session, "refund", None, None).await;
    assert_eq!(
        (s, rest["amount"].as_str()),
        (200, Some("6.000")),
        "the rest, by default: {rest}"
    );
    let now = inquire(&v, &server, &session).await;
    assert_eq!(now["state"], "refunded");
    assert_eq!(now["refunded_amount"], json!(10));
    assert_eq!(
        now["paid_amount"], paid["paid_amount"],
        "what was paid stays said"
    );
    let (s, b) = operate(&v, &server, &session, "refund", Some("0.001"), None).await;
    refused(s, &b, "refund", "refunded");
    // Void only before capture: a paid session cannot be voided.
    let (s, b) = operate(&v, &server, &session, "void", None, None).await;
    refused(s, &b, "void", "refunded");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_at_most_what_was_authorized_and_void_only_before_capture() {
    let (v, server, _) = start(MockConfig::default()).await;
    let manual = [("X-Mock-Capture", "manual")];
    // Authorized, then captured in part: the rest is released.
    let session = checkout(&v, &server, "20.000").await;
    let (_, authorized) = pay(&v, &server, &session, &manual).await;
    assert_eq!(authorized["state"], "authorized", "{authorized}");
    let (s, b) = operate(&v, &server, &session, "capture", Some("20.001"), None).await;
    refused(s, &b, "capture", "at most 20.000");
    let (s, b) = operate(&v, &server, &session, "refund", Some("1.000"), None).await;
    refused(s, &b, "refund", "authorized");
    let (s, captured) = operate(&v, &server, &session, "capture", Some("15.000"), None).await;
    assert_eq!(
        (s, captured["amount"].as_str()),
        (200, Some("15.000")),
        "{captured}"
    );
    let now = inquire(&v, &server, &session).await;
    assert_eq!(now["state"], "paid");
    assert_eq!(now["paid_amount"], "15.000");
    // Captured: no void, no second capture.
    let (s, b) = operate(&v, &server, &session, "void", None, None).await;
    refused(s, &b, "void", "paid");
    let (s, b) = operate(&v, &server, &session, "capture", Some("1.000"), None).await;
    refused(s, &b, "capture", "paid");
    // Refunds stop at what was captured.
    let (s, b) = operate(&v, &server, &session, "refund", Some("15.001"), None).await;
    refused(s, &b, "refund", "at most 15.000");

    // Authorized, then voided: nothing can be captured afterwards.
    let other = checkout(&v, &server, "7.000").await;
    pay(&v, &server, &other, &manual).await;
    let (s, voided) = operate(&v, &server, &other, "void", None, None).await;
    assert_eq!(
        (s, voided["amount"].as_str()),
        (200, Some("7.000")),
        "{voided}"
    );
    let now = inquire(&v, &server, &other).await;
    assert_eq!(
        (now["state"].as_str(), &now["voided_amount"]),
        (Some("canceled"), &json!(7))
    );
    let (s, b) = operate(&v, &server, &other, "capture", None, None).await;
    refused(s, &b, "capture", "canceled");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_or_cancelled_session_cannot_be_paid_or_changed() {
    let (v, server, _) = start(MockConfig::default()).await;
    for (operation, state) in [("expire", "expired"), ("cancel", "canceled")] {
        let session = checkout(&v, &server, "3.000").await;
        let (s, done) = operate(&v, &server, &session, operation, None, None).await;
        assert_eq!(
            (s, done["result"].as_str()),
            (200, Some("success")),
            "{done}"
        );
        assert_eq!(done["operation"], operation);
        assert_eq!(inquire(&v, &server, &session).await["state"], state);
        let (s, b) = pay(&v, &server, &session, &[]).await;
        assert_eq!(s, 400, "{b}");
        assert_eq!(b["result"], "failed");
        assert!(b["detail"].as_str().unwrap().contains(state), "{b}");
        // Still unpaid, and the refused payment left no trace.
        let now = inquire(&v, &server, &session).await;
        assert_eq!(
            (now["state"].as_str(), &now["paid_amount"]),
            (Some(state), &json!("0.000"))
        );
        let path = format!("/b/checkout/v1/pymt-txn/{session}/");
        let (s, b) = call(
            &server,
            reqwest::Method::PATCH,
            &path,
            &[],
            Some(&json!({"amount": "1.000"})),
        )
        .await;
        assert_eq!(s, 400, "{b}");
        conforms(&v, "partial_update_payment_transaction_checkout", 400, &b);
        // A cancelled or expired session can be deleted: then it is unknown.
        let (s, _) = operate(&v, &server, &session, "delete", None, None).await;
        assert_eq!(s, 200);
        let (s, b) = post(
            &server,
            "/b/pbl/v2/inquiry/",
            &[],
            &json!({"session_id": session}),
        )
        .await;
        assert_eq!(s, 404, "{b}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_before_payment_changes_what_is_charged_and_retrieve_agrees() {
    let (v, server, _) = start(MockConfig::default()).await;
    let session = checkout(&v, &server, "8.000").await;
    let path = format!("/b/checkout/v1/pymt-txn/{session}/");
    let (s, b) = call(
        &server,
        reqwest::Method::PATCH,
        &path,
        &[],
        Some(&json!({"amount": "9.250"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    conforms(&v, "partial_update_payment_transaction_checkout", 200, &b);
    let (s, got) = call(&server, reqwest::Method::GET, &path, &[], None).await;
    assert_eq!(s, 200, "{got}");
    conforms(&v, "retrieve_payment_transaction_checkout", 200, &got);
    assert_eq!(
        (got["amount"].as_str(), got["state"].as_str()),
        (Some("9.250"), Some("created"))
    );
    assert_eq!(got["session_id"], session.as_str());
    let (_, paid) = pay(&v, &server, &session, &[]).await;
    assert_eq!(
        (paid["amount"].as_str(), paid["paid_amount"].as_str()),
        (Some("9.250"), Some("9.250"))
    );
    let (s, got) = call(&server, reqwest::Method::GET, &path, &[], None).await;
    conforms(&v, "retrieve_payment_transaction_checkout", s, &got);
    assert_eq!(got["state"], "paid");
    // Paid: no more changes.
    let (s, b) = call(
        &server,
        reqwest::Method::PATCH,
        &path,
        &[],
        Some(&json!({"amount": "1.000"})),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("before it is paid"),
        "{b}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_tracking_key_acts_once_also_under_concurrent_requests() {
    let (v, server, _) = start(MockConfig::default()).await;
    let server = Arc::new(server);
    let session = checkout(&v, &server, "50.000").await;
    pay(&v, &server, &session, &[]).await;
    // 32 refunds of 1.000 at once, all with the same key: one refund.
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (v, server, session) = (v.clone(), server.clone(), session.clone());
        tasks.push(tokio::spawn(async move {
            operate(
                &v,
                &server,
                &session,
                "refund",
                Some("1.000"),
                Some("key-A"),
            )
            .await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "every answer is the first"
    );
    assert_eq!(answers[0].0, 200);
    assert_eq!(
        inquire(&v, &server, &session).await["refunded_amount"],
        json!(1)
    );
    // Another key is another refund; the first key still answers its first result.
    let (s, _) = operate(
        &v,
        &server,
        &session,
        "refund",
        Some("2.000"),
        Some("key-B"),
    )
    .await;
    assert_eq!(s, 200);
    let (_, again) = operate(
        &v,
        &server,
        &session,
        "refund",
        Some("1.000"),
        Some("key-A"),
    )
    .await;
    assert_eq!(again, answers[0].1);
    assert_eq!(
        inquire(&v, &server, &session).await["refunded_amount"],
        json!(3)
    );
    // A refused operation's key answers the refusal again (it did not act either time).
    let (s, first) = operate(
        &v,
        &server,
        &session,
        "refund",
        Some("99.000"),
        Some("key-C"),
    )
    .await;
    assert_eq!(s, 400);
    let (_, second) = operate(
        &v,
        &server,
        &session,
        "refund",
        Some("1.000"),
        Some("key-C"),
    )
    .await;
    assert_eq!(second, first);
    assert_eq!(
        inquire(&v, &server, &session).await["refunded_amount"],
        json!(3)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_session_gets_the_documented_error() {
    let (v, server, client) = start(MockConfig::default()).await;
    let (s, b) = post(
        &server,
        "/b/pbl/v2/inquiry/",
        &[],
        &json!({"session_id": "no-such-session"}),
    )
    .await;
    assert_eq!(s, 404, "{b}");
    conforms(&v, "inquiry", 404, &b);
    let (s, b) = call(
        &server,
        reqwest::Method::GET,
        "/b/checkout/v1/pymt-txn/no-such-session/",
        &[],
        None,
    )
    .await;
    assert_eq!(s, 404, "{b}");
    conforms(&v, "retrieve_payment_transaction_checkout", 404, &b);
    let (s, b) = call(
        &server,
        reqwest::Method::PATCH,
        "/b/checkout/v1/pymt-txn/no-such-session/",
        &[],
        Some(&json!({"amount": "1.000"})),
    )
    .await;
    assert_eq!(s, 404, "{b}");
    conforms(&v, "partial_update_payment_transaction_checkout", 404, &b);
    // Nothing naming a session: the inquiry's documented 400 failure.
    let (s, b) = post(&server, "/b/pbl/v2/inquiry/", &[], &json!({})).await;
    assert_eq!((s, b["result"].as_str()), (400, Some("failed")), "{b}");
    conforms(&v, "inquiry", 400, &b);
    // The operation endpoint documents no 404: its 400 failure.
    let (s, b) = operate(
        &v,
        &server,
        "no-such-session",
        "refund",
        Some("1.000"),
        None,
    )
    .await;
    refused(s, &b, "refund", "No transaction found");
    // Through the client: a typed error carrying the status.
    let inquiry = ottu_client::types::Inquiry::new().with_session_id("no-such-session");
    let err = client.inquiry().body(&inquiry).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    server.shutdown().await;
}
