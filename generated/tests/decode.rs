//! Decoding the exact bodies Ottu sends, where a naive generated client
//! goes wrong (see issues 3 and 15): field errors vs operation errors, long
//! `detail`, unknown gateway names, Google Pay's three 200 shapes, nullable
//! fields, secrets in `Debug`, and the drift of real payloads (missing and
//! added fields, amounts as strings, values of another type), which
//! response types absorb while keeping what they could not type.

use ottu_client::types::{
    Card, CardPgName, DirectGooglePaymentSuccess, GenericErrorMessage,
    IFrame3DSResponseFormOfPayment, SchemaWebhook, UserCardsErrors,
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
    assert_eq!(op.detail.as_ref(), Some(&detail));
    assert_eq!(op.result.as_deref(), Some("failed"));
}

#[test]
fn a_body_that_fits_neither_branch_is_an_error_naming_the_union() {
    for body in ["true", "12"] {
        let e = serde_json::from_str::<UserCardsErrors>(body).unwrap_err();
        assert!(e.to_string().contains("fits none of"), "{body}: {e}");
    }
}

#[test]
fn a_detail_of_another_type_is_kept_not_fatal() {
    let e: UserCardsErrors = serde_json::from_str(r#"{"detail": 5}"#).unwrap();
    let UserCardsErrors::OperationErrorResponse(op) = &e else {
        panic!("decoded as {e:?}")
    };
    assert_eq!(op.detail, None);
    assert_eq!(op.additional["detail"], 5);
    assert_eq!(serde_json::to_value(&e).unwrap(), json!({"detail": 5}));
}

#[test]
fn unknown_gateway_names_are_kept() {
    let c: Card = serde_json::from_value(card("new_gateway_2031")).unwrap();
    assert_eq!(
        c.pg_name,
        Some(CardPgName::Unknown("new_gateway_2031".into()))
    );
    assert_eq!(serde_json::to_value(&c).unwrap(), card("new_gateway_2031"));
    let known: Card = serde_json::from_value(card("knet")).unwrap();
    assert_eq!(known.pg_name, Some(CardPgName::Knet));
}

#[test]
fn nullable_required_fields_round_trip() {
    let c: Card = serde_json::from_value(card("knet")).unwrap();
    assert_eq!(c.name_on_card, ottu_client::Nullable::Null);
    assert_eq!(
        serde_json::to_value(&c).unwrap()["name_on_card"],
        Value::Null
    );
}

/// The User Cards page's own example (seed 000): no `pg_name`,
/// `agreements` an object; real cards also carry `will_expire_soon`, `pg`.
#[test]
fn the_seed_card_decodes_and_keeps_what_the_spec_does_not_declare() {
    let mut v = card("knet");
    v.as_object_mut().unwrap().remove("pg_name");
    v["agreements"] = json!({"ANY_ADDITIONAL_PROPERTY": "anything"});
    v["will_expire_soon"] = json!(true);
    v["pg"] = json!({"code": "credit-card"});
    let c: Card = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(c.pg_name, None);
    assert_eq!(c.additional["will_expire_soon"], true);
    assert_eq!(c.additional["pg"]["code"], "credit-card");
    assert_eq!(serde_json::to_value(&c).unwrap(), v);
}

#[test]
fn a_request_type_still_names_a_missing_required_field() {
    let e = serde_json::from_value::<ottu_client::types::AutoDebit>(json!({"session_id": "s"}))
        .unwrap_err();
    assert!(e.to_string().contains("missing field `token`"), "{e}");
}

/// Serde's derived structs read a JSON array positionally; generated ones
/// never do: at the top a typed error, inside a response the raw value kept.
#[test]
fn objects_never_decode_from_arrays() {
    let arr = json!(["agr-1", "fixed", "2024-01-01"]);
    let e = serde_json::from_value::<ottu_client::types::Agreement>(arr.clone()).unwrap_err();
    assert!(
        e.to_string()
            .contains("expected a JSON object (`Agreement`)"),
        "{e}"
    );
    let e = serde_json::from_str::<ottu_client::types::AutoDebit>(r#"["s", "t"]"#).unwrap_err();
    assert!(e.to_string().contains("JSON object"), "{e}");
    let mut w = webhook();
    w["agreement"] = arr.clone();
    let p: SchemaWebhook = serde_json::from_value(w.clone()).unwrap();
    assert_eq!(p.agreement, None);
    assert_eq!(p.additional["agreement"], arr);
    assert_eq!(serde_json::to_value(&p).unwrap(), w);
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
    assert_eq!(
        r.form_of_payment,
        Some(IFrame3DSResponseFormOfPayment::GooglePay)
    );
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
        matches!(s, DirectGooglePaymentSuccess::Redirect3DSResponse(ref r) if r.redirect_url.as_deref().is_some_and(|u| u.ends_with("ref-2"))),
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
    // Not RFC 3339: kept as the text Ottu sent.
    assert_eq!(w.timestamp_utc.as_deref(), Some("2023-12-13 13:42:35"));
    // Optional nullable fields keep `null` apart from absent.
    assert_eq!(w.customer_birthdate, ottu_client::Nullable::Null);
    assert_eq!(w.order_no, ottu_client::Nullable::Absent);
    // Unknown fields are kept, and sent back.
    assert_eq!(w.additional["will_expire_soon"], true);
    assert_eq!(serde_json::to_value(&s).unwrap(), webhook());
}

fn decimal(text: &str) -> Option<ottu_client::Decimal> {
    Some(text.parse().unwrap())
}

/// Amounts keep their digits from a number or a string: no float between.
#[test]
fn money_is_exact_from_a_number_or_a_string() {
    let text = r#"{"paid_amount": "86.500", "settled_amount": 86.000, "remaining_amount": "0.000",
        "refunded_amount": 0.1000000000000000000001, "amount": 86.000,
        "amount_details": {"amount": "86.000", "total": 86.000, "fee": "0.000 KWD"}}"#;
    let w: SchemaWebhook = serde_json::from_str(text).unwrap();
    assert_eq!(w.paid_amount, decimal("86.500"));
    assert_eq!(w.settled_amount, decimal("86.000"));
    assert_eq!(w.remaining_amount, decimal("0.000"));
    assert_eq!(w.refunded_amount, decimal("0.1000000000000000000001"));
    // `amount` is a string in the spec: read from a number too, sent as a string.
    assert_eq!(w.amount, decimal("86.000"));
    let details = w.amount_details.as_ref().unwrap();
    assert_eq!(details.total, decimal("86.000"));
    // `fee` is text ("0.000 KWD"), not an amount.
    assert_eq!(details.fee.as_deref(), Some("0.000 KWD"));
    let back = serde_json::to_string(&w).unwrap();
    for kept in [
        r#""settled_amount":86.000"#,
        r#""amount":"86.000""#,
        r#""refunded_amount":0.1000000000000000000001"#,
        r#""total":"86.000""#,
    ] {
        assert!(back.contains(kept), "{kept} not in {back}");
    }
}

/// An auto-debit 200 whose nested `token` lacks `pg_name`, without
/// `pg_params`, with `settled_amount` as a string: a completed payment,
/// decoded as one (issue 15).
#[test]
fn a_completed_payment_with_drift_still_decodes() {
    let mut w = webhook();
    w.as_object_mut().unwrap().remove("pg_params");
    w["settled_amount"] = json!("0.000");
    w["token"] = json!({"token": "tok_1", "customer_id": "c-1", "pg_code": "kn", "brand": "VISA"});
    for body in [w.clone(), {
        let mut v = w.clone();
        v["token"]["pg_name"] = json!(7); // another type: kept raw
        v
    }] {
        let p: SchemaWebhook = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(p.state.as_deref(), Some("paid"));
        assert_eq!(p.reference_number.as_deref(), Some("ref-3"));
        assert_eq!(p.pg_params, None);
        assert_eq!(p.settled_amount, decimal("0.000"));
        assert_eq!(p.token.as_ref().unwrap().pg_name, None);
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back["token"], body["token"]);
        // Google Pay's union picks the payment result all the same.
        let g: DirectGooglePaymentSuccess = serde_json::from_value(body).unwrap();
        assert!(
            matches!(g, DirectGooglePaymentSuccess::SchemaWebhook(_)),
            "{g:?}"
        );
    }
}

#[test]
fn a_value_of_another_type_is_kept_raw_and_the_rest_typed() {
    let mut w = webhook();
    w["state"] = json!({"code": "paid"});
    w["card_acceptance_criteria"]["min_expiry_time"] = json!("30");
    w["amount_details"]["currency_code"] = json!(414);
    let p: SchemaWebhook = serde_json::from_value(w.clone()).unwrap();
    assert_eq!(p.state, None);
    assert_eq!(p.additional["state"], json!({"code": "paid"}));
    // An integer sent as a string of digits is read as the integer.
    let criteria = p.card_acceptance_criteria.as_ref().unwrap();
    assert_eq!(criteria.min_expiry_time, Some(30));
    let details = p.amount_details.as_ref().unwrap();
    assert_eq!(details.currency_code, None);
    assert_eq!(details.additional["currency_code"], 414);
    assert_eq!(p.reference_number.as_deref(), Some("ref-3"));
    let back = serde_json::to_value(&p).unwrap();
    assert_eq!(back["state"], w["state"]);
    assert_eq!(back["amount_details"], w["amount_details"]);
}

#[test]
fn a_new_enum_value_is_kept() {
    let mut w = webhook();
    w["result"] = json!("partially_refunded");
    let p: SchemaWebhook = serde_json::from_value(w).unwrap();
    assert_eq!(
        p.result,
        Some(ottu_client::types::SchemaWebhookResult::Unknown(
            "partially_refunded".into()
        ))
    );
}

#[test]
fn secrets_kept_raw_never_show_in_debug() {
    let mut w = webhook();
    // `token` is a card (an object): a bare string does not fit and is kept.
    w["token"] = json!("tok_UNDECLARED_MARKER");
    let p: SchemaWebhook = serde_json::from_value(w).unwrap();
    assert_eq!(p.token, None);
    assert_eq!(p.additional["token"], "tok_UNDECLARED_MARKER");
    let printed = format!("{p:?}");
    assert!(!printed.contains("UNDECLARED_MARKER"), "{printed}");
    assert!(printed.contains("will_expire_soon"), "{printed}");
}

#[test]
fn generic_error_message() {
    let e: GenericErrorMessage =
        serde_json::from_str(r#"{"detail": "Authentication credentials were not provided."}"#)
            .unwrap();
    assert!(e.detail.unwrap().starts_with("Authentication"));
}
