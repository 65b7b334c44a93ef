//! A 2xx is never reported as a failure: a success body the client cannot
//! decode comes back as `Error::Undecoded` (the request took effect, the
//! whole body kept for the caller, secrets masked only where it is shown),
//! and a valid body under an undocumented 2xx decodes as the success.

use std::time::Duration;

use ottu_client::types::AutoDebit;
use ottu_client::{Auth, AutoDebitError, Client, Config, Error, SuccessBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn serve(status: &'static str, body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
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

async fn auto_debit(
    status: &'static str,
    body: &str,
) -> Result<ottu_client::types::SchemaWebhook, Error<AutoDebitError>> {
    let url = serve(status, body.to_string()).await;
    let client = Client::new(
        Config::new(&url, Auth::api_key("sk_test_undecoded")).timeout(Duration::from_secs(5)),
    )
    .unwrap();
    client.auto_debit(&AutoDebit::new("sess-1", "tok_1")).await
}

const CARD_TOKEN: &str = "tok_live_4111_secret";

#[tokio::test]
async fn an_undecodable_200_says_the_charge_went_through_and_keeps_the_body() {
    // Objects never decode from arrays: this body can never be typed.
    let body = format!(
        r#"[{{"state": "paid", "reference_number": "ref-9", "token": {{"token": "{CARD_TOKEN}"}}}}]"#
    );
    let err = auto_debit("200 OK", &body).await.unwrap_err();
    assert!(err.took_effect(), "{err:?}");
    let Error::Undecoded(s) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((s.operation, s.status), ("auto_debit", 200));
    assert!(s.took_effect());
    // The caller holds the whole body, unmasked, to reconcile.
    assert_eq!(
        s.body,
        SuccessBody::Json(serde_json::from_str(&body).unwrap())
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("SUCCEEDED"), "{shown}");
    assert!(shown.contains("ref-9"), "{shown}");
    assert!(!shown.contains(CARD_TOKEN), "{shown}");
}

#[tokio::test]
async fn a_200_that_is_not_json_is_kept_raw() {
    let err = auto_debit("200 OK", "<html>paid</html>").await.unwrap_err();
    let Error::Undecoded(s) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(s.body, SuccessBody::Raw(b"<html>paid</html>".to_vec()));
    assert!(err.took_effect());
}

#[tokio::test]
async fn an_undocumented_2xx_is_a_success_never_a_failure() {
    let body = serde_json::json!({
        "agreement": {"id": "agr-1"}, "amount": "86.000",
        "amount_details": {"currency_code": "KWD", "amount": "86.000", "total": "86.000", "fee": "0.000 KWD"},
        "card_acceptance_criteria": {}, "currency_code": "KWD", "customer_address_country": "KW",
        "fee": "0.000 KWD", "gateway_account": "kpay", "gateway_name": "kpay", "gateway_response": {},
        "message": "Paid", "paid_amount": 86.0, "pg_params": {},
        "reference_number": "ref-3", "remaining_amount": 0.0, "result": "success", "settled_amount": 86.0,
        "signature": "ab", "state": "paid", "timestamp_utc": "2023-12-13 13:42:35"
    });
    let paid = auto_debit("201 Created", &body.to_string()).await.unwrap();
    assert_eq!(paid.reference_number.as_deref(), Some("ref-3"));
    // Undocumented and not understood: still a success.
    let err = auto_debit("202 Accepted", "[]").await.unwrap_err();
    assert!(err.took_effect(), "{err:?}");
    // An error status is not.
    let err = auto_debit("503 Service Unavailable", "[]")
        .await
        .unwrap_err();
    assert!(!err.took_effect(), "{err:?}");
}
