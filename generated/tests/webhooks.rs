//! Webhooks as a merchant's handler sees them: verify the signature, then
//! parse. Payment and operation notifications (refund, capture, void,
//! cancel) both verify and parse into their types, fields the spec does not
//! know included, and what the signature does not cover is reported exactly.

use hmac::{Hmac, KeyInit, Mac};
use ottu_client::{
    Notification, Scheme, Secret, WebhookPayload, parse_notification, subscription_message,
    verify_webhook_signature,
};
use serde_json::{Value, json};
use sha2::Sha256;

const KEY: &str = "merchant-webhook-key";

fn sign(mut payload: Value, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    payload["signature"] = json!(sig);
    payload.to_string()
}

fn standard_signed(payload: Value) -> String {
    let message = ottu_client::standard_message(&payload);
    sign(payload, &message)
}

/// Ottu's documented operation notification (Operation Notification page).
fn operation(op: &str, state: &str) -> Value {
    json!({
        "amount": "6.000", "currency_code": "KWD",
        "initiator": {"email": "initiator@example.com", "id": 83, "username": "initiator"},
        "is_sandbox": false, "operation": op, "pg_code": "mpgs-ksa",
        "pg_response": {"gateway": "raw"}, "reference_number": "stageDV37C",
        "result": "success", "source": "input", "success": true,
        "timestamp_utc": "2022-09-07 06:21:46",
        "txn": {"amount": "14.000", "currency_code": "KWD", "customer_email": "c@example.com",
                "extra": {"flight-number": "1234"}, "order_no": "", "reference_number": "LEQCJ",
                "state": state}
    })
}

#[test]
fn operation_notifications_verify_and_parse() {
    let key = Secret::new(KEY);
    for (op, state) in [
        ("refund", "refunded"),
        ("capture", "paid"),
        ("void", "voided"),
        ("cancel", "cancelled"),
    ] {
        let body = standard_signed(operation(op, state));
        let verified = verify_webhook_signature(&body, &key).unwrap();
        assert_eq!(verified.scheme, Scheme::Standard);
        // Only the standard fields are signed: the rest is reported, not trusted.
        assert!(verified.unsigned_fields.contains(&"txn".to_string()));
        assert!(verified.unsigned_fields.contains(&"operation".to_string()));
        let parsed = parse_notification::<WebhookPayload>(&body).unwrap();
        let Notification::Operation(n) = parsed else {
            panic!("{op}: parsed as {parsed:?}")
        };
        assert_eq!(n.operation.as_deref(), Some(op));
        assert_eq!(n.amount.as_deref(), Some("6.000"));
        assert_eq!(n.txn.as_ref().unwrap()["state"], state);
        assert_eq!(n.other["pg_response"], json!({"gateway": "raw"}));
    }
}

/// A whole payment notification (the spec's `SchemaWebhook`) with fields
/// the spec does not know.
fn payment() -> Value {
    json!({
        "agreement": {"id": "agr-1", "frequency": "monthly"}, "amount": "86.000",
        "amount_details": {"currency_code": "KWD", "amount": "86.000", "total": "86.000", "fee": "0.000 KWD"},
        "card_acceptance_criteria": {"min_expiry_time": 30}, "currency_code": "KWD", "customer_address_country": "KW",
        "fee": "0.000 KWD", "gateway_account": "kpay", "gateway_name": "kpay", "gateway_response": {},
        "message": "Paid", "paid_amount": 86.0, "pg_params": {"auth_code": "A1", "rrn": null},
        "reference_number": "ref-3", "remaining_amount": 0.0, "result": "success", "settled_amount": 86.0,
        "state": "paid", "timestamp_utc": "2023-12-13 13:42:35", "session_id": "sess-1",
        "token": {"token": "tok-1", "pg_code": "kpay", "customer_id": "c1", "number": "4111 **** 1111",
                  "brand": "VISA", "cvv_required": false, "expiry_month": "12", "expiry_year": "30",
                  "is_expired": false, "is_preferred": true, "name_on_card": null, "pg_name": "kpay",
                  "agreements": []},
        "field_added_later": {"nested": true}
    })
}

#[test]
fn payment_notifications_with_unknown_fields_verify_and_parse() {
    let key = Secret::new(KEY);
    let p = payment();
    let message = subscription_message(&p);
    let body = sign(p, &message);
    let verified = verify_webhook_signature(&body, &key).unwrap();
    assert_eq!(verified.scheme, Scheme::Subscription);
    for path in [
        "token.number",
        "token.brand",
        "agreement.frequency",
        "field_added_later",
        "pg_params",
    ] {
        assert!(
            verified.unsigned_fields.contains(&path.to_string()),
            "{path} not reported: {:?}",
            verified.unsigned_fields
        );
    }
    for signed in [
        "token",
        "token.token",
        "agreement",
        "agreement.id",
        "amount",
        "session_id",
    ] {
        assert!(
            !verified.unsigned_fields.contains(&signed.to_string()),
            "{signed} reported: {:?}",
            verified.unsigned_fields
        );
    }
    let parsed = parse_notification::<WebhookPayload>(&body).unwrap();
    let Notification::Payment(w) = parsed else {
        panic!("parsed as {parsed:?}")
    };
    assert_eq!(w.state.as_deref(), Some("paid"));
    assert_eq!(w.reference_number.as_deref(), Some("ref-3"));
}
