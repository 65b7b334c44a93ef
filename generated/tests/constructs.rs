//! The generated code of `codegen/tests/fixtures/codegen/constructs.yaml`
//! (its snapshot, `codegen/tests/snapshots/constructs/`), compiled as a
//! crate of its own with this crate's runtime, so `cargo clippy
//! --all-targets -D warnings` lints the snapshot and a change that breaks
//! it fails here, not only in the opt-in
//! `generated_crates_build_without_warnings`. Then each construct is used as
//! a caller would: enums with a catch-all, nullable fields, `oneOf` decoded
//! by content, request variants without read-only fields and with exact
//! money, bounds checked before sending, secrets hidden, and the request
//! encoding of path, query and header parameters checked on the wire.

#![allow(
    dead_code,
    unused_imports,
    reason = "a copy of the crate root: not every runtime item is used here"
)]

// The crate root of a generated crate (`generated/src/lib.rs`), with the
// snapshot's generated files in place of the Ottu ones.
#[path = "../src/runtime/mod.rs"]
mod runtime;

#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/constructs/src/operations.rs"]
mod operations;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/constructs/src/types.rs"]
pub mod types;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/constructs/src/verdict.rs"]
mod verdict;

pub use operations::*;
pub use runtime::client::{BuildError, Client};
pub use runtime::config::{Auth, AuthKind, Config, SANDBOX_URL};
pub use runtime::decimal::Decimal;
pub use runtime::error::{BodyExcerpt, Error, TransportError, UnexpectedResponse};
pub use runtime::files::{Download, DownloadError, Redirect, Upload, UploadError};
pub use runtime::nullable::Nullable;
pub use runtime::options::OptionError;
pub use runtime::pass_through::PassThrough;
pub use runtime::response::{Response, ResponseMeta};
pub use runtime::retry::RetryPolicy;
pub use runtime::secret::Secret;
pub use runtime::validate::{Validate, ValidationError};
pub use runtime::verdict::Verdict;

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use types::{Errors, IFrame3DSResponseRequest, Thing, ThingRequest, ThingType};

/// Answers one connection with `status` and `body`; the request head (and
/// body) it read comes back through the receiver.
async fn answer_once(status: &str, body: &str) -> (Client, oneshot::Receiver<String>) {
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let mut seen = Vec::new();
        let mut buf = [0u8; 8192];
        // Head, then as much body as content-length says.
        loop {
            let n = sock.read(&mut buf).await.unwrap_or(0);
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let want = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if seen.len() >= end + 4 + want || n == 0 {
                    break;
                }
            } else if n == 0 {
                break;
            }
        }
        let _ = sock.write_all(response.as_bytes()).await;
        let _ = sock.shutdown().await;
        let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
    });
    let client = Client::new(
        Config::new(url, Auth::api_key("sk_test_SECRET_MARKER")).timeout(Duration::from_secs(5)),
    )
    .unwrap();
    (client, rx)
}

fn thing_json() -> serde_json::Value {
    json!({
        "id": "t1",
        "type": "small",
        "price": 86.5,
        "owner": {"html": "<iframe/>", "status": "sent"},
        "token": "tok_CARD_TOKEN_MARKER"
    })
}

#[test]
fn an_enum_value_the_spec_does_not_know_is_kept_not_rejected() {
    let mut body = thing_json();
    body["type"] = json!("huge");
    let thing: Thing = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(thing.r#type, Some(ThingType::Unknown("huge".into())));
    assert_eq!(serde_json::to_value(&thing).unwrap()["type"], "huge");
    assert_eq!(ThingType::from("large"), ThingType::Large);
    assert_eq!(ThingType::Large.to_string(), "large");
}

#[test]
fn nullable_fields_keep_absent_null_and_present_apart() {
    for (value, expected) in [
        (None, Nullable::Absent),
        (Some(json!(null)), Nullable::Null),
        (Some(json!("r2")), Nullable::Present("r2".to_string())),
    ] {
        let mut body = thing_json();
        if let Some(v) = &value {
            body["ref"] = v.clone();
        }
        let thing: Thing = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(thing.r#ref, expected);
        let back = serde_json::to_value(&thing).unwrap();
        assert_eq!(back.get("ref"), value.as_ref(), "{back}");
    }
}

#[test]
fn the_ambiguous_union_is_decoded_by_content() {
    let e: Errors = serde_json::from_value(json!({"detail": "Card expired."})).unwrap();
    assert!(
        matches!(&e, Errors::OperationError(o) if o.detail.as_deref() == Some("Card expired."))
    );
    let e: Errors =
        serde_json::from_value(json!({"session_id": ["This field is required."]})).unwrap();
    match e {
        Errors::FieldErrors(f) => {
            assert_eq!(f["session_id"], vec!["This field is required.".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    // Close to no shape: an error naming the union, not a silently empty value.
    let err = serde_json::from_value::<Errors>(json!({"other": {"x": 3}})).unwrap_err();
    assert!(err.to_string().contains("Errors"), "{err}");
    // Close to one shape (its `detail` of another type): that branch, the value kept.
    let e: Errors = serde_json::from_value(json!({"detail": 3})).unwrap();
    assert!(
        matches!(&e, Errors::OperationError(o) if o.detail.is_none() && o.additional["detail"] == 3),
        "{e:?}"
    );
}

#[test]
fn response_types_absorb_drift_and_keep_what_they_could_not_type() {
    let mut body = thing_json();
    body.as_object_mut().unwrap().remove("id"); // required by the spec
    body["price"] = json!("86.50"); // a number sent as a string
    body["count"] = json!([1]); // another type
    body["added_later"] = json!({"x": 1}); // undeclared
    let thing: Thing = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(thing.id, None);
    assert_eq!(thing.price, Some("86.50".parse().unwrap()));
    assert_eq!(thing.count, None);
    assert_eq!(thing.additional["count"], json!([1]));
    assert_eq!(thing.additional["added_later"], json!({"x": 1}));
    let back = serde_json::to_value(&thing).unwrap();
    assert_eq!(back["count"], json!([1]));
    assert_eq!(back["added_later"], json!({"x": 1}));
    // Never from an array, at any depth.
    let err = serde_json::from_value::<Thing>(json!(["t1", "small", 1])).unwrap_err();
    assert!(err.to_string().contains("JSON object (`Thing`)"), "{err}");
    body["owner"] = json!(["<iframe/>"]);
    let thing: Thing = serde_json::from_value(body).unwrap();
    assert_eq!(thing.owner, None);
    assert_eq!(thing.additional["owner"], json!(["<iframe/>"]));
}

#[test]
fn request_types_stay_strict() {
    // `ThingRequest` is what callers send: required fields stay required
    // in Rust, and decoding one names what is wrong.
    let err = serde_json::from_value::<ThingRequest>(json!({"type": "small"})).unwrap_err();
    assert!(err.to_string().contains("missing field `price`"), "{err}");
    let err =
        serde_json::from_value::<ThingRequest>(json!({"type": "small", "price": 1, "count": "x"}))
            .unwrap_err();
    assert!(err.to_string().contains("field `count`"), "{err}");
    let err = serde_json::from_value::<ThingRequest>(json!(["small", 1])).unwrap_err();
    assert!(err.to_string().contains("JSON object"), "{err}");
}

#[test]
fn field_errors_survive_the_union_as_ottu_publishes_it() {
    // Two open objects, nothing required: the body fits both, and only
    // its look (a list of messages per key) says which it is.
    use types::LooseErrors;
    let body = json!({"session_id": ["This field is required."]});
    match serde_json::from_value::<LooseErrors>(body).unwrap() {
        LooseErrors::LooseFieldErrors(f) => {
            // Kept whole on the way back, not an empty operation error.
            assert_eq!(
                serde_json::to_value(&f).unwrap(),
                json!({"session_id": ["This field is required."]})
            );
        }
        other => panic!("field errors lost: {other:?}"),
    }
    // Kept, but a secret-looking undeclared value never shows in Debug.
    let with_token = json!({"session_id": ["Invalid."], "token": "tok_UNDECLARED_MARKER"});
    let printed = format!(
        "{:?}",
        serde_json::from_value::<LooseErrors>(with_token).unwrap()
    );
    assert!(printed.contains("session_id"), "{printed}");
    assert!(!printed.contains("UNDECLARED_MARKER"), "{printed}");
    let e: LooseErrors = serde_json::from_value(json!({"detail": "Card expired."})).unwrap();
    assert!(
        matches!(&e, LooseErrors::LooseOperationError(o) if o.detail.as_deref() == Some("Card expired.")),
        "{e:?}"
    );
}

#[test]
fn tokens_never_print_in_debug() {
    let thing: Thing = serde_json::from_value(thing_json()).unwrap();
    let printed = format!("{thing:?}");
    assert!(!printed.contains("CARD_TOKEN_MARKER"), "{printed}");
    assert!(printed.contains("token"), "{printed}");
}

fn request() -> ThingRequest {
    let mut request = ThingRequest::new(ThingType::Large, "86.000".parse().unwrap())
        .with_count(3)
        .with_owner(IFrame3DSResponseRequest::new("<iframe/>"));
    // `null` is sent by assigning it; setters set values.
    request.r#ref = Nullable::Null;
    request
}

#[tokio::test]
async fn a_request_body_is_sent_with_exact_money_and_no_read_only_fields() {
    let (client, seen) = answer_once("201 Created", r#"{"html": "<form/>"}"#).await;
    let ok = client.put_thing("t 1/x", &request()).await.unwrap();
    assert!(matches!(ok, PutThingSuccess::Status201(r) if r.html.as_deref() == Some("<form/>")));
    let seen = seen.await.unwrap();
    assert!(
        seen.starts_with("PUT /things/t%201%2Fx/ HTTP/1.1\r\n"),
        "{seen}"
    );
    let body = &seen[seen.find("\r\n\r\n").unwrap() + 4..];
    // The digits as given, not 86.0 through a float; null sent, absent not.
    assert!(body.contains(r#""price":86.000"#), "{body}");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["ref"], json!(null));
    assert!(body.get("extra").is_none(), "{body}");
    assert!(body.get("id").is_none() && body["owner"].get("status").is_none());
}

#[tokio::test]
async fn a_broken_bound_is_reported_by_field_and_nothing_is_sent() {
    let (client, seen) = answer_once("200 OK", "{}").await;
    let mut bad = request();
    bad.count = Some(11);
    match client.put_thing("t1", &bad).await {
        Err(Error::Validation(e)) => assert_eq!(e.field, "body.count", "{e:?}"),
        other => panic!("{other:?}"),
    }
    match client.get_thing("t1").limit(0).await {
        Err(Error::Validation(e)) => assert_eq!(e.field, "limit", "{e:?}"),
        other => panic!("{other:?}"),
    }
    drop(client);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), seen)
            .await
            .is_err(),
        "a request was sent"
    );
}

#[tokio::test]
async fn query_and_header_parameters_go_on_the_wire_as_the_spec_says() {
    let (client, seen) = answer_once("200 OK", &thing_json().to_string()).await;
    let tags = ["a b".to_string(), "c".to_string()];
    let thing = client
        .get_thing("t1")
        .tags(tags)
        .limit(5)
        .x_request_id("req-7")
        .await
        .unwrap();
    assert_eq!(thing.id.as_deref(), Some("t1"));
    // Money is exact in responses too: the digits as sent, never an f64.
    assert_eq!(thing.price.map(|p| p.to_string()).as_deref(), Some("86.5"));
    let seen = seen.await.unwrap();
    let line = seen.lines().next().unwrap();
    assert_eq!(line, "GET /things/t1/?tags=a+b&tags=c&limit=5 HTTP/1.1");
    let lower = seen.to_ascii_lowercase();
    assert!(lower.contains("\r\nx-request-id: req-7\r\n"), "{seen}");
    // The spec's `Authorization` parameter (with a key as its default) is
    // auth, not an argument: the configured key is sent, never the default.
    assert!(lower.contains("authorization: api-key sk_test_secret_marker"));
    assert!(!seen.contains("DO_NOT_EMIT"), "{seen}");
}

#[tokio::test]
async fn a_documented_400_is_typed_and_a_bodiless_404_is_its_own_variant() {
    let (client, _) = answer_once("400 Bad Request", r#"{"limit": ["Too big."]}"#).await;
    match client.get_thing("t1").await {
        Err(Error::Api {
            error: GetThingError::BadRequest(Errors::FieldErrors(f)),
            ..
        }) => {
            assert_eq!(f["limit"], vec!["Too big.".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let (client, _) = answer_once("404 Not Found", "").await;
    match client.get_thing("t1").await {
        Err(Error::Api {
            error: e @ GetThingError::NotFound,
            ..
        }) => assert_eq!(e.status(), 404),
        other => panic!("{other:?}"),
    }
}

/// Answers every request with 503 (`Retry-After: 0`) until `ok_after`
/// requests were seen, then 204; returns a client retrying up to 3 times
/// and the request heads seen.
async fn unavailable_then_204(
    ok_after: usize,
) -> (Client, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let count = {
                let mut seen = log.lock().unwrap();
                seen.push(head);
                seen.len()
            };
            let reply: &[u8] = if count > ok_after {
                b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"
            } else {
                b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            };
            let _ = sock.write_all(reply).await;
            let _ = sock.shutdown().await;
        }
    });
    let client = Client::new(
        Config::new(url, Auth::api_key("sk_test_SECRET_MARKER"))
            .timeout(Duration::from_secs(5))
            .retry(
                RetryPolicy::new()
                    .base_delay(Duration::ZERO)
                    .max_attempts(3),
            ),
    )
    .unwrap();
    (client, seen)
}

#[tokio::test]
async fn an_empty_idempotency_key_or_an_unsendable_header_is_refused_by_name() {
    let (client, seen) = unavailable_then_204(0).await;
    let err = client
        .delete_thing("t1")
        .idempotency_key("  ")
        .await
        .unwrap_err();
    let Error::InvalidOption(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.option(), "Idempotency-Key", "{err}");
    let err = client
        .get_thing("t1")
        .x_request_id("line\nbreak")
        .await
        .unwrap_err();
    let Error::InvalidOption(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.option(), "X-Request-ID", "{err}");
    // The declared header has its setter; the free-form one points there.
    let err = client
        .get_thing("t1")
        .header("x-request-id", "r-1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`.x_request_id(..)`"), "{err}");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(seen.lock().unwrap().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn an_idempotency_key_operation_is_retried_only_with_a_key_and_reuses_it() {
    // `delete_thing` says `x-ottu-retry: idempotency-key` (header `Idempotency-Key`).
    let (client, seen) = unavailable_then_204(1).await;
    match client.delete_thing("t1").await {
        Err(Error::UnexpectedStatus(r)) => assert_eq!(r.status, 503),
        other => panic!("{other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "no key: sent once");

    let (client, seen) = unavailable_then_204(1).await;
    client
        .delete_thing("t1")
        .idempotency_key("key-42")
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "with a key: retried");
    for head in seen.iter() {
        assert!(
            head.to_ascii_lowercase()
                .contains("\r\nidempotency-key: key-42\r\n"),
            "the same key on every attempt: {head}"
        );
    }
}
