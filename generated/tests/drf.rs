//! Every error body shape Ottu's Django REST Framework backend sends
//! decodes through the client's own operations, and `Display` of the error
//! shows its messages: nested field errors at any depth, `non_field_errors`,
//! list bodies, `detail` with or without `code`, `detail` beside field errors.

use std::time::Duration;

use ottu_client::types::{
    AutoDebit, CardEnvironment, DirectApplePaymentErrors, FieldError, FieldErrorItem, UserCards,
};
use ottu_client::{Auth, AutoDebitError, Client, Config, Error, GetUserCardsError};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server answering every request with `status` and `body`; its base URL.
async fn serve(status: &'static str, body: Value) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = body.to_string();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let _ = sock.read(&mut buf).await;
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    url
}

fn client(url: &str) -> Client {
    Client::new(Config::new(url, Auth::api_key("sk_test_drf_key")).timeout(Duration::from_secs(5)))
        .unwrap()
}

async fn auto_debit_400(body: Value) -> Error<AutoDebitError> {
    let url = serve("400 Bad Request", body).await;
    let call = AutoDebit::new("sess-1", "tok_1");
    client(&url).auto_debit(&call).await.unwrap_err()
}

fn bad_request(e: &Error<AutoDebitError>) -> &DirectApplePaymentErrors {
    match e {
        Error::Api {
            error: AutoDebitError::BadRequest(b),
            ..
        } => b,
        other => panic!("not a decoded 400: {other:?}"),
    }
}

#[tokio::test]
async fn nested_field_errors_decode_at_any_depth() {
    let e = auto_debit_400(json!({"payload": {"paymentData": ["Invalid."]}})).await;
    let DirectApplePaymentErrors::FieldErrors(fields) = bad_request(&e) else {
        panic!("{e:?}")
    };
    let FieldError::FieldErrors(payload) = &fields["payload"] else {
        panic!("{fields:?}")
    };
    assert_eq!(
        payload["paymentData"],
        FieldError::FieldErrorList(vec![FieldErrorItem::String("Invalid.".into())])
    );
    assert_eq!(
        e.to_string(),
        "HTTP 400 (BadRequest): payload.paymentData: Invalid."
    );

    // A list of nested objects: one entry per item, `{}` for an item without errors.
    let e = auto_debit_400(
        json!({"items": [{}, {"amount": ["Too big."]}], "session_id": ["Required."]}),
    )
    .await;
    assert!(matches!(
        bad_request(&e),
        DirectApplePaymentErrors::FieldErrors(_)
    ));
    assert_eq!(
        e.to_string(),
        "HTTP 400 (BadRequest): items[1].amount: Too big.; session_id: Required."
    );
}

#[tokio::test]
async fn non_field_errors_list_bodies_and_detail_forms_decode() {
    let e = auto_debit_400(json!({"non_field_errors": ["Session expired."]})).await;
    assert!(matches!(
        bad_request(&e),
        DirectApplePaymentErrors::FieldErrors(_)
    ));
    assert_eq!(e.to_string(), "HTTP 400 (BadRequest): Session expired.");

    let e = auto_debit_400(json!(["Session expired.", "Try again."])).await;
    assert_eq!(
        bad_request(&e),
        &DirectApplePaymentErrors::ErrorMessages(vec![
            "Session expired.".into(),
            "Try again.".into()
        ])
    );
    assert_eq!(
        e.to_string(),
        "HTTP 400 (BadRequest): Session expired.; Try again."
    );

    let e = auto_debit_400(json!({"detail": "Card declined.", "code": "card_declined"})).await;
    let DirectApplePaymentErrors::OperationErrorResponse(op) = bad_request(&e) else {
        panic!("{e:?}")
    };
    assert_eq!(op.code.as_deref(), Some("card_declined"));
    assert_eq!(
        e.to_string(),
        "HTTP 400 (BadRequest): Card declined. (card_declined)"
    );

    let e = auto_debit_400(json!({"detail": "Card declined.", "result": "failed"})).await;
    assert_eq!(e.to_string(), "HTTP 400 (BadRequest): Card declined.");

    // `detail` beside field errors: an operation error (it has `detail`).
    let e = auto_debit_400(json!({"detail": "Invalid input.", "session_id": ["Unknown."]})).await;
    let DirectApplePaymentErrors::OperationErrorResponse(op) = bad_request(&e) else {
        panic!("{e:?}")
    };
    assert_eq!(op.detail.as_deref(), Some("Invalid input."));
    assert!(
        e.to_string()
            .starts_with("HTTP 400 (BadRequest): Invalid input."),
        "{e}"
    );
}

/// `{"detail": "x", "session_id": ["bad"]}`: the operation error keeps the
/// field errors beside `detail` (nothing dropped), and `Display` and
/// `messages()` show both.
#[tokio::test]
async fn detail_beside_field_errors_keeps_and_shows_the_field_errors() {
    let e = auto_debit_400(json!({"detail": "x", "session_id": ["bad"]})).await;
    let DirectApplePaymentErrors::OperationErrorResponse(op) = bad_request(&e) else {
        panic!("{e:?}")
    };
    assert_eq!(op.detail.as_deref(), Some("x"));
    assert_eq!(op.additional.get("session_id"), Some(&json!(["bad"])));
    assert_eq!(
        serde_json::to_value(op).unwrap(),
        json!({"detail": "x", "session_id": ["bad"]}),
        "re-encoding gives the body back"
    );
    assert_eq!(e.to_string(), "HTTP 400 (BadRequest): x; session_id: bad");
    let Error::Api { error: api, .. } = &e else {
        unreachable!()
    };
    assert_eq!(api.messages(), vec!["x", "session_id: bad"]);
}

#[tokio::test]
async fn a_401_with_a_code_keeps_it_and_shows_it() {
    let url = serve(
        "401 Unauthorized",
        json!({"detail": "Invalid API key.", "code": "authentication_failed"}),
    )
    .await;
    let cards = UserCards::new(CardEnvironment::Sandbox, "c");
    let e = client(&url).get_user_cards(&cards).await.unwrap_err();
    let Error::Api {
        error: GetUserCardsError::Unauthorized(m),
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(m.code.as_deref(), Some("authentication_failed"));
    assert_eq!(
        e.to_string(),
        "HTTP 401 (Unauthorized): Invalid API key. (authentication_failed)"
    );
}
