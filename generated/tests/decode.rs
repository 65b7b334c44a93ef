//! Decoding the exact bodies Ottu sends, where a naive generated client
//! goes wrong (see issue 3): field errors vs operation errors, long
//! `detail`, unknown gateway names, Google Pay's three 200 shapes, nullable
//! fields, and secrets in `Debug`.

use ottu_client::types::{
    Card, CardPgName, DirectGooglePaymentSuccess, GenericErrorMessage,
    IFrame3DSResponseFormOfPayment, UserCardsErrors,
};
use serde_json::{Value, json};

fn card(pg_name: &str) -> Value {
    json!({
        "agreements": [], "brand": "VISA", "customer_id": "cust-1", "cvv_required": false,
        "expiry_month": "12", "expiry_year": "29", "is_expired": false, "is_preferred": true,
        "name_on_card": null, "number": "**** 1111", "pg_code": "credit-card", "pg_name": pg_name,
        "token": "tok_9f8e7d6c5b4a"
    })
}

#[test]
fn field_errors_are_not_mistaken_for_an_operation_error() {
    let e: UserCardsErrors =
        serde_json::from_str(r#"{"session_id": ["This field is required."]}"#).unwrap();
    let UserCardsErrors::FieldErrors(fields) = e else {
        panic!("decoded as {e:?}")
    };
    assert_eq!(
        fields["session_id"],
        ottu_client::types::FieldError::FieldErrorList(vec![
            ottu_client::types::FieldErrorItem::String("This field is required.".into())
        ])
    );
}

#[test]
fn a_long_detail_is_an_operation_error() {
    let detail = "The session has expired or was already paid. ".repeat(20);
    let e: UserCardsErrors =
        serde_json::from_value(json!({"detail": detail, "result": "failed"})).unwrap();
    let UserCardsErrors::OperationErrorResponse(op) = e else {
        panic!("decoded as {e:?}")
    };
    assert_eq!(op.detail, detail);
    assert_eq!(op.result.as_deref(), Some("failed"));
}

#[test]
fn a_body_that_fits_neither_branch_is_an_error_naming_the_union() {
    let e = serde_json::from_str::<UserCardsErrors>(r#"{"detail": 5}"#).unwrap_err();
    assert!(
        e.to_string()
            .contains("fits none of OperationErrorResponse, FieldErrors"),
        "{e}"
    );
}

#[test]
fn unknown_gateway_names_are_kept() {
    let c: Card = serde_json::from_value(card("new_gateway_2031")).unwrap();
    assert_eq!(c.pg_name, CardPgName::Unknown("new_gateway_2031".into()));
    assert_eq!(serde_json::to_value(&c).unwrap(), card("new_gateway_2031"));
    let known: Card = serde_json::from_value(card("knet")).unwrap();
    assert_eq!(known.pg_name, CardPgName::Knet);
}

#[test]
fn nullable_required_fields_round_trip() {
    let c: Card = serde_json::from_value(card("knet")).unwrap();
    assert_eq!(c.name_on_card, None);
    assert_eq!(
        serde_json::to_value(&c).unwrap()["name_on_card"],
        Value::Null
    );
}

#[test]
fn a_missing_required_field_names_the_field() {
    let mut v = card("knet");
    v.as_object_mut().unwrap().remove("pg_name");
    let e = serde_json::from_value::<Card>(v).unwrap_err();
    assert!(e.to_string().contains("pg_name"), "{e}");
}

#[test]
fn card_tokens_never_show_in_debug() {
    let c: Card = serde_json::from_value(card("knet")).unwrap();
    let d = format!("{c:?}");
    assert!(!d.contains("tok_9f8e7d6c5b4a") && d.contains("***"), "{d}");
}

#[test]
fn google_pay_three_ds_iframe() {
    let body = json!({
        "status": "3DS", "reference_number": "ref-1", "form_of_payment": "google_pay", "challenge_occurred": true,
        "method": "iframe", "html": "<form></form>", "ws_url": "wss://sandbox.ottu.net/ws/ref-1"
    });
    let s: DirectGooglePaymentSuccess = serde_json::from_value(body.clone()).unwrap();
    let DirectGooglePaymentSuccess::IFrame3DSResponse(r) = &s else {
        panic!("decoded as {s:?}")
    };
    assert_eq!(r.form_of_payment, IFrame3DSResponseFormOfPayment::GooglePay);
    assert_eq!(serde_json::to_value(&s).unwrap(), body);
}

#[test]
fn google_pay_three_ds_redirect() {
    let body = json!({
        "status": "3DS", "reference_number": "ref-2", "form_of_payment": "google_pay", "method": "redirect",
        "redirect_url": "https://sandbox.ottu.net/b/3ds/ref-2", "order_no": "ord-2", "session_id": "sess-2"
    });
    let s: DirectGooglePaymentSuccess = serde_json::from_value(body).unwrap();
    assert!(
        matches!(s, DirectGooglePaymentSuccess::Redirect3DSResponse(ref r) if r.redirect_url.ends_with("ref-2")),
        "{s:?}"
    );
}

pub fn webhook() -> Value {
    json!({
        "agreement": {"id": "agr-1", "frequency": "monthly"}, "amount": "86.000",
        "amount_details": {"currency_code": "KWD", "amount": "86.000", "total": "86.000", "fee": "0.000 KWD"},
        "card_acceptance_criteria": {"min_expiry_time": 30}, "currency_code": "KWD", "customer_address_country": "KW",
        "fee": "0.000 KWD", "gateway_account": "kpay", "gateway_name": "kpay", "gateway_response": {},
        "message": "Paid", "paid_amount": 86.0, "pg_params": {"auth_code": "A1", "rrn": null},
        "reference_number": "ref-3", "remaining_amount": 0.0, "result": "success", "settled_amount": 86.0,
        "signature": "ab", "state": "paid", "timestamp_utc": "2023-12-13 13:42:35",
        "customer_birthdate": null, "extra": null, "will_expire_soon": true
    })
}

#[test]
fn google_pay_paid_is_the_webhook_payload() {
    let s: DirectGooglePaymentSuccess = serde_json::from_value(webhook()).unwrap();
    let DirectGooglePaymentSuccess::SchemaWebhook(w) = &s else {
        panic!("decoded as {s:?}")
    };
    assert_eq!(w.timestamp_utc, "2023-12-13 13:42:35");
    // Optional nullable fields keep `null` apart from absent.
    assert_eq!(w.customer_birthdate, ottu_client::Nullable::Null);
    assert_eq!(w.order_no, ottu_client::Nullable::Absent);
    let back = serde_json::to_value(&s).unwrap();
    let mut want = webhook();
    want.as_object_mut().unwrap().remove("will_expire_soon"); // unknown fields are tolerated, not kept
    assert_eq!(back, want);
}

#[test]
fn paid_amount_as_string_or_number() {
    for paid in [json!(86.5), json!("86.500")] {
        let mut w = webhook();
        w["paid_amount"] = paid.clone();
        let p: ottu_client::WebhookPayload = serde_json::from_value(w).unwrap();
        assert_eq!(serde_json::to_value(&p.paid_amount).unwrap(), paid);
    }
}

#[test]
fn generic_error_message() {
    let e: GenericErrorMessage =
        serde_json::from_str(r#"{"detail": "Authentication credentials were not provided."}"#)
            .unwrap();
    assert!(e.detail.starts_with("Authentication"));
}
