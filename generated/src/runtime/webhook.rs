//! Verifying the signature of a payment notification Ottu POSTs to a
//! merchant's `webhook_url` (see `shared/ottu-facts.md`).
//!
//! Two schemes exist. Standard: the listed top-level fields that are
//! present, non-null and non-empty, sorted by name, concatenated as
//! `name` + `value`. Subscription (newer): the same fields plus a few dotted
//! paths, each written `path=value`, sorted, joined with `\n`. Both are
//! HMAC-SHA256 with the merchant's webhook key, as lowercase hex.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::secret::Secret;

/// Fields the standard scheme signs.
pub const STANDARD_FIELDS: [&str; 18] = [
    "amount",
    "currency_code",
    "customer_address_city",
    "customer_address_country",
    "customer_address_line1",
    "customer_address_line2",
    "customer_address_postal_code",
    "customer_address_state",
    "customer_email",
    "customer_first_name",
    "customer_last_name",
    "customer_phone",
    "gateway_account",
    "gateway_name",
    "order_no",
    "reference_number",
    "result",
    "state",
];

/// Dotted paths the subscription scheme signs in addition.
pub const SUBSCRIPTION_PATHS: [&str; 8] = [
    "agreement.id",
    "extra.autopay.subscription_id",
    "extra.merchant_id",
    "payment_type",
    "session_id",
    "token.customer_id",
    "token.pg_code",
    "token.token",
];

/// Which scheme a valid signature was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Sorted `name` + `value` concatenation.
    Standard,
    /// Sorted `path=value` lines.
    Subscription,
}

/// A payload whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The scheme that matched.
    pub scheme: Scheme,
    /// Top-level fields present in the payload but not covered by the
    /// signature: their values are not vouched for by Ottu.
    pub unsigned_fields: Vec<String>,
}

/// Why a payload is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The body is not a JSON object.
    #[error("the webhook body is not a JSON object: {0}")]
    NotAnObject(String),
    /// No `signature` field, or it is empty or not a string.
    #[error("the webhook body has no signature")]
    Missing,
    /// The signature is not 64 lowercase hex digits.
    #[error("the webhook signature is not lowercase hex SHA-256")]
    Malformed,
    /// Neither scheme produces this signature with this key.
    #[error("the webhook signature does not match")]
    Mismatch,
}

/// A field's value as signed: strings as they are, other scalars as JSON.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |v, key| v.get(key))
}

/// The message the standard scheme signs.
pub fn standard_message(payload: &Value) -> String {
    // STANDARD_FIELDS is sorted already.
    STANDARD_FIELDS
        .iter()
        .filter_map(|f| payload.get(*f).and_then(text).map(|v| format!("{f}{v}")))
        .collect()
}

/// The message the subscription scheme signs.
pub fn subscription_message(payload: &Value) -> String {
    let mut parts: Vec<String> = STANDARD_FIELDS
        .iter()
        .chain(SUBSCRIPTION_PATHS.iter())
        .filter_map(|p| {
            lookup(payload, p)
                .and_then(text)
                .map(|v| format!("{p}={v}"))
        })
        .collect();
    parts.sort();
    parts.join("\n")
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

fn matches(key: &Secret, message: &str, signature: &[u8]) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()) else {
        return false;
    };
    mac.update(message.as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(signature).is_ok()
}

/// Checks the `signature` of a webhook body (the raw JSON text Ottu sent)
/// with the merchant's webhook key: the standard scheme first, then the
/// subscription scheme.
pub fn verify_webhook_signature(
    payload_json: &str,
    key: &Secret,
) -> Result<Verified, SignatureError> {
    let payload: Value = serde_json::from_str(payload_json)
        .map_err(|e| SignatureError::NotAnObject(e.to_string()))?;
    let Value::Object(fields) = &payload else {
        return Err(SignatureError::NotAnObject("not an object".into()));
    };
    let signature = match fields.get("signature") {
        Some(Value::String(s)) if !s.is_empty() => s,
        _ => return Err(SignatureError::Missing),
    };
    let signature = decode_hex(signature).ok_or(SignatureError::Malformed)?;
    let unsigned = |signed: &dyn Fn(&str) -> bool| -> Vec<String> {
        fields
            .keys()
            .filter(|k| k.as_str() != "signature" && !signed(k))
            .cloned()
            .collect()
    };
    if matches(key, &standard_message(&payload), &signature) {
        return Ok(Verified {
            scheme: Scheme::Standard,
            unsigned_fields: unsigned(&|k| STANDARD_FIELDS.contains(&k)),
        });
    }
    if matches(key, &subscription_message(&payload), &signature) {
        let signed = |k: &str| {
            STANDARD_FIELDS.contains(&k)
                || SUBSCRIPTION_PATHS
                    .iter()
                    .any(|p| p.split('.').next() == Some(k))
        };
        return Ok(Verified {
            scheme: Scheme::Subscription,
            unsigned_fields: unsigned(&signed),
        });
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const STANDARD_SIG: &str = "6143b8ad4bd283540721ab000f6de746e722231aaaa90bc38f639081d3ff9f67";
    const SUBSCRIPTION_SIG: &str =
        "46ba93a62680c8750567583bb8074e37ccaadc6f374268b78a0c574c8424baff";

    fn standard(extra: Value) -> String {
        let mut v = json!({"amount":"86.000","currency_code":"KWD","customer_first_name":"example-customer","signature":STANDARD_SIG});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v.to_string()
    }

    #[test]
    fn standard_vector() {
        let payload = json!({"amount":"86.000","currency_code":"KWD","customer_first_name":"example-customer"});
        assert_eq!(
            standard_message(&payload),
            "amount86.000currency_codeKWDcustomer_first_nameexample-customer"
        );
        let v = verify_webhook_signature(&standard(json!({})), &Secret::new("pu9MpX3yPR")).unwrap();
        assert_eq!(
            v,
            Verified {
                scheme: Scheme::Standard,
                unsigned_fields: vec![]
            }
        );
    }

    #[test]
    fn subscription_vector() {
        let body = json!({"amount":"100.000","result":"success","session_id":"sess-1","token":{"token":"tok-1"},"signature":SUBSCRIPTION_SIG});
        assert_eq!(
            subscription_message(&body),
            "amount=100.000\nresult=success\nsession_id=sess-1\ntoken.token=tok-1"
        );
        let v = verify_webhook_signature(&body.to_string(), &Secret::new("test-key")).unwrap();
        assert_eq!(v.scheme, Scheme::Subscription);
        assert!(v.unsigned_fields.is_empty());
    }

    #[test]
    fn unsigned_fields_are_reported() {
        let body =
            standard(json!({"extra": {"x": 1}, "customer_last_name": "", "pg_params": null}));
        let v = verify_webhook_signature(&body, &Secret::new("pu9MpX3yPR")).unwrap();
        assert_eq!(v.unsigned_fields, ["extra", "pg_params"]);
    }

    #[test]
    fn tampering_and_bad_signatures_are_rejected() {
        let key = Secret::new("pu9MpX3yPR");
        let tampered = standard(json!({"amount": "860.000"}));
        assert_eq!(
            verify_webhook_signature(&tampered, &key),
            Err(SignatureError::Mismatch)
        );
        let added = standard(json!({"customer_last_name": "Mallory"}));
        assert_eq!(
            verify_webhook_signature(&added, &key),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_webhook_signature(&standard(json!({})), &Secret::new("other")),
            Err(SignatureError::Mismatch)
        );
        let sub = json!({"amount":"100.000","result":"success","session_id":"sess-2","token":{"token":"tok-1"},"signature":SUBSCRIPTION_SIG});
        assert_eq!(
            verify_webhook_signature(&sub.to_string(), &Secret::new("test-key")),
            Err(SignatureError::Mismatch)
        );
        for sig in [json!(null), json!(""), json!(12)] {
            let body = standard(json!({"signature": sig}));
            assert_eq!(
                verify_webhook_signature(&body, &key),
                Err(SignatureError::Missing)
            );
        }
        let none = json!({"amount":"86.000"}).to_string();
        assert_eq!(
            verify_webhook_signature(&none, &key),
            Err(SignatureError::Missing)
        );
        let upper = standard(json!({"signature": STANDARD_SIG.to_uppercase()}));
        assert_eq!(
            verify_webhook_signature(&upper, &key),
            Err(SignatureError::Malformed)
        );
        let short = standard(json!({"signature": &STANDARD_SIG[..63]}));
        assert_eq!(
            verify_webhook_signature(&short, &key),
            Err(SignatureError::Malformed)
        );
        assert!(matches!(
            verify_webhook_signature("[1]", &key),
            Err(SignatureError::NotAnObject(_))
        ));
    }
}
