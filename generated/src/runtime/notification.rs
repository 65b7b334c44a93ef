//! Parsing what Ottu POSTs to a merchant's `webhook_url` (after
//! [`verify_webhook_signature`](super::webhook::verify_webhook_signature)).
//!
//! Two kinds arrive at the same URL: a payment's result (the spec's webhook
//! payload, generic here as `P`) and an operation notification, sent when a
//! refund, capture, void or cancel is performed on a payment. The latter is
//! not in any spec; its shape is Ottu's "Operation Notification" page: an
//! `operation`, the operation's `amount`, `result`, `success`, `source`,
//! `pg_code`, the gateway's raw `pg_response`, and a `txn` summary of the
//! payment. It is told apart by content (`operation` or `txn` present),
//! and every field is optional: a notification with fewer or more fields
//! than documented still parses, and what is not typed is kept.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::Masked;

/// A webhook body, by kind.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per webhook, moved rarely"
)]
pub enum Notification<P> {
    /// A payment's result (its state changed): the spec's webhook payload.
    Payment(P),
    /// A refund, capture, void or cancel performed on a payment.
    Operation(OperationNotification),
}

/// Why a webhook body did not parse. Carries no value from the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is not a JSON object.
    #[error("the webhook body is not a JSON object")]
    NotAnObject,
    /// A payment notification that does not decode as the payload type.
    #[error("the payment notification does not decode: {0}")]
    Payment(String),
}

/// An operation (refund, capture, void, cancel) performed on a payment.
/// Amounts are kept as the text Ottu sent (`"6.000"`), never a float.
#[derive(Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct OperationNotification {
    /// `refund`, `capture`, `void`, `cancel`, ... (`None` when Ottu sends null).
    pub operation: Option<String>,
    /// The operation's amount, as sent (number or string).
    pub amount: Option<String>,
    /// The operation's currency, when sent at the top level.
    pub currency_code: Option<String>,
    /// Reference of the operation.
    pub reference_number: Option<String>,
    /// `success` (operation notifications are sent for successful operations).
    pub result: Option<String>,
    /// Whether the operation succeeded.
    pub success: Option<bool>,
    /// `input` (done through Ottu) or `pg` (done at the gateway).
    pub source: Option<String>,
    /// The gateway code of the payment.
    pub pg_code: Option<String>,
    /// Whether the gateway is a sandbox.
    pub is_sandbox: Option<bool>,
    /// When the operation was created, as sent (`2022-09-07 06:21:46`).
    pub timestamp_utc: Option<String>,
    /// A summary of the payment operated on (`amount`, `currency_code`,
    /// `order_no`, `reference_number`, `state`, `extra`, ...).
    pub txn: Option<Map<String, Value>>,
    /// Every other field, as sent (`initiator`, `pg_response`,
    /// `signature`, fields added later). Secret-looking values are masked
    /// in `Debug`.
    pub other: Map<String, Value>,
}

/// Masked in `Debug` on top of the credentials and card data every body
/// masks: the body's own HMAC (not needed to read the notification).
const MASKED: &[&str] = &["signature"];

impl fmt::Debug for OperationNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperationNotification")
            .field("operation", &self.operation)
            .field("amount", &self.amount)
            .field("currency_code", &self.currency_code)
            .field("reference_number", &self.reference_number)
            .field("result", &self.result)
            .field("success", &self.success)
            .field("source", &self.source)
            .field("pg_code", &self.pg_code)
            .field("is_sandbox", &self.is_sandbox)
            .field("timestamp_utc", &self.timestamp_utc)
            .field("txn", &self.txn.as_ref().map(|t| Masked(t, MASKED)))
            .field("other", &Masked(&self.other, MASKED))
            .finish()
    }
}

/// Text of a scalar: strings as they are, numbers and booleans as JSON.
fn scalar_text(v: Value) -> Result<Option<String>, Value> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(other),
    }
}

impl OperationNotification {
    /// Takes the typed fields out of `map`; a field of an unexpected JSON
    /// type stays in [`other`](Self::other) rather than failing the parse.
    pub fn from_map(mut map: Map<String, Value>) -> Self {
        let mut other = Map::new();
        let mut text = |map: &mut Map<String, Value>, key: &str| {
            let v = map.remove(key)?;
            scalar_text(v).unwrap_or_else(|v| {
                other.insert(key.to_string(), v);
                None
            })
        };
        let operation = text(&mut map, "operation");
        let amount = text(&mut map, "amount");
        let currency_code = text(&mut map, "currency_code");
        let reference_number = text(&mut map, "reference_number");
        let result = text(&mut map, "result");
        let source = text(&mut map, "source");
        let pg_code = text(&mut map, "pg_code");
        let timestamp_utc = text(&mut map, "timestamp_utc");
        let mut flag = |key: &str| match map.remove(key) {
            Some(Value::Bool(b)) => Some(b),
            Some(Value::Null) | None => None,
            Some(v) => {
                other.insert(key.to_string(), v);
                None
            }
        };
        let success = flag("success");
        let is_sandbox = flag("is_sandbox");
        let txn = match map.remove("txn") {
            Some(Value::Object(t)) => Some(t),
            Some(Value::Null) | None => None,
            Some(v) => {
                other.insert("txn".into(), v);
                None
            }
        };
        other.extend(map);
        Self {
            operation,
            amount,
            currency_code,
            reference_number,
            result,
            success,
            source,
            pg_code,
            is_sandbox,
            timestamp_utc,
            txn,
            other,
        }
    }
}

/// Parses a webhook body Ottu POSTed: an operation notification when it
/// has `operation` or `txn`, else a payment notification decoded as `P`
/// (the generated `WebhookPayload`). Verify the signature first.
///
/// ```
/// use ottu_client::{Notification, parse_notification};
/// let body = r#"{"operation": "refund", "amount": "6.000", "success": true,
///                "txn": {"reference_number": "LEQCJ", "state": "refunded"}}"#;
/// let Ok(Notification::Operation(op)) = parse_notification::<serde_json::Value>(body) else {
///     panic!("an operation notification");
/// };
/// assert_eq!(op.operation.as_deref(), Some("refund"));
/// assert_eq!(op.amount.as_deref(), Some("6.000"));
/// ```
pub fn parse_notification<P: DeserializeOwned>(body: &str) -> Result<Notification<P>, ParseError> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(body) else {
        return Err(ParseError::NotAnObject);
    };
    if map.contains_key("operation") || map.contains_key("txn") {
        return Ok(Notification::Operation(OperationNotification::from_map(
            map,
        )));
    }
    serde_json::from_value(Value::Object(map))
        .map(Notification::Payment)
        .map_err(|e| ParseError::Payment(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operation_notifications_parse_whatever_their_fields() {
        // The documented example, with a field added and one of another type.
        let body = json!({
            "amount": "14.00", "initiator": {"email": "i@example.com", "id": 83},
            "is_sandbox": false, "operation": "void", "pg_code": "mpgs-ksa",
            "pg_response": {"raw": 1}, "reference_number": "stageDV37C",
            "result": "success", "source": "input", "success": true,
            "timestamp_utc": "2022-09-07 06:21:46", "new_field": [1],
            "txn": {"amount": "14.00", "currency_code": "SAR", "state": "voided"},
            "signature": "abc"
        });
        let Ok(Notification::Operation(op)) = parse_notification::<Value>(&body.to_string()) else {
            panic!("not an operation notification")
        };
        assert_eq!(op.operation.as_deref(), Some("void"));
        assert_eq!(op.amount.as_deref(), Some("14.00"));
        assert_eq!(op.success, Some(true));
        assert_eq!(op.is_sandbox, Some(false));
        assert_eq!(op.txn.as_ref().unwrap()["state"], "voided");
        assert_eq!(op.other["new_field"], json!([1]));
        assert_eq!(op.other["pg_response"], json!({"raw": 1}));
        assert!(!format!("{op:?}").contains("\"abc\""), "{op:?}");
        // Amount as a number, success as a string: kept, not refused.
        let odd = json!({"operation": "refund", "amount": 6.5, "success": "yes"});
        let Ok(Notification::Operation(op)) = parse_notification::<Value>(&odd.to_string()) else {
            panic!()
        };
        assert_eq!(op.amount.as_deref(), Some("6.5"));
        assert_eq!(op.success, None);
        assert_eq!(op.other["success"], "yes");
    }

    #[test]
    fn payments_decode_as_the_payload_type_and_bad_bodies_are_errors() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Payment {
            state: String,
        }
        let p = parse_notification::<Payment>(r#"{"state": "paid", "extra": {}}"#);
        assert_eq!(
            p,
            Ok(Notification::Payment(Payment {
                state: "paid".into()
            }))
        );
        assert_eq!(
            parse_notification::<Payment>("[1]"),
            Err(ParseError::NotAnObject)
        );
        assert!(matches!(
            parse_notification::<Payment>(r#"{"amount": "1"}"#),
            Err(ParseError::Payment(m)) if m.contains("state")
        ));
    }
}
