//! Verifying the signature of a payment notification Ottu POSTs to a
//! merchant's `webhook_url` (Ottu's webhook documentation describes both
//! schemes; the tests below carry its vectors).
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
    /// The parts of the payload the signature does not cover, as dotted
    /// paths (`token.number`, `extra`, `agreement`): their values are not
    /// vouched for by Ottu. Exact to the leaf: each path names the largest
    /// part none of whose contents is signed, so a signed path is never
    /// listed and every unsigned value is under a listed path (`token` is
    /// split into `token.number` when `token.token` is signed; an
    /// `agreement` without `id` is listed whole).
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

/// A field's value as Ottu's signer writes it (Python's `str()`): strings
/// as they are, integers in decimal, floats in Python's shortest form,
/// booleans `True`/`False`, objects and lists as Python's repr. `None` for
/// null and the empty string, which are not signed.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => {
            let mut out = String::new();
            python_repr(other, &mut out);
            Some(out)
        }
    }
}

/// Python's `repr` of the JSON value Python's `json.loads` makes of `v`.
fn python_repr(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
        Value::Number(n) => out.push_str(&python_float(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => python_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_str(k, out);
                out.push_str(": ");
                python_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr` of a `str`: single quotes unless the text has a single
/// quote and no double one; backslash, the quote and control characters escaped.
fn python_str(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python's `repr` of a float: the shortest digits that read back, fixed
/// notation for exponents from -4 to 15 (`86.0`, `0.0001`), else
/// scientific with a signed two-digit exponent (`1e+16`, `1e-05`).
fn python_float(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "nan".into()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `8.6e1`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs())
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

/// The parts of `payload` (the `signature` aside) that `signed` does not
/// cover, as the largest unsigned subtrees. A signed path covers its whole
/// value (an object in a signed place is signed as its repr) and also
/// vouches for its absence, null or emptiness (the signer would have
/// written anything else).
fn unsigned_paths(payload: &serde_json::Map<String, Value>, signed: &[&str]) -> Vec<String> {
    /// Appends the unsigned parts under `path`; true if something there is signed.
    fn walk(value: &Value, path: &str, signed: &[&str], out: &mut Vec<String>) -> bool {
        if signed.contains(&path) {
            return true;
        }
        let prefix = format!("{path}.");
        let leads_to_signed = signed.iter().any(|s| s.starts_with(&prefix));
        // Only an object can hold a signed path below it.
        if let Value::Object(map) = value
            && leads_to_signed
        {
            let mut parts = Vec::new();
            let mut any_signed = false;
            for (key, child) in map {
                any_signed |= walk(child, &format!("{prefix}{key}"), signed, &mut parts);
            }
            if any_signed {
                out.extend(parts);
                return true;
            }
        }
        out.push(path.to_string());
        false
    }
    let mut out = Vec::new();
    for (key, value) in payload {
        if key != "signature" {
            walk(value, key, signed, &mut out);
        }
    }
    out
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
/// subscription scheme. Fields the spec does not know do not get in the
/// way: they are reported in [`Verified::unsigned_fields`].
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
    if matches(key, &standard_message(&payload), &signature) {
        return Ok(Verified {
            scheme: Scheme::Standard,
            unsigned_fields: unsigned_paths(fields, &STANDARD_FIELDS),
        });
    }
    if matches(key, &subscription_message(&payload), &signature) {
        let signed: Vec<&str> = STANDARD_FIELDS
            .iter()
            .chain(SUBSCRIPTION_PATHS.iter())
            .copied()
            .collect();
        return Ok(Verified {
            scheme: Scheme::Subscription,
            unsigned_fields: unsigned_paths(fields, &signed),
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

    fn sign(key: &str, message: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(message.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `payload` signed with the subscription scheme.
    fn subscription_signed(mut payload: Value) -> String {
        let sig = sign("test-key", &subscription_message(&payload));
        payload["signature"] = json!(sig);
        payload.to_string()
    }

    #[test]
    fn unsigned_fields_are_exact_to_the_leaf_in_the_subscription_scheme() {
        let key = Secret::new("test-key");
        let body = subscription_signed(json!({
            "amount": "100.000", "result": "success", "session_id": "sess-1",
            "token": {"token": "tok-1", "pg_code": "knet", "customer_id": "c1", "number": "4111 **** 1111"},
            "agreement": {"id": "agr-1", "frequency": "monthly"},
            "extra": {"merchant_id": "m1", "autopay": {"subscription_id": "s1", "note": "x"}, "other": {"a": 1}},
            "pg_params": {"rrn": "1"},
            "unknown_new_field": 3
        }));
        let v = verify_webhook_signature(&body, &key).unwrap();
        assert_eq!(v.scheme, Scheme::Subscription);
        assert_eq!(
            v.unsigned_fields,
            [
                "token.number",
                "agreement.frequency",
                "extra.autopay.note",
                "extra.other",
                "pg_params",
                "unknown_new_field"
            ]
        );
        // A whole agreement without `id`: nothing of it is signed.
        let body = subscription_signed(json!({
            "amount": "1.000", "session_id": "s",
            "agreement": {"frequency": "monthly", "amount_variability": "fixed"},
            "token": {"token": "tok-1"}, "extra": "flat"
        }));
        let v = verify_webhook_signature(&body, &key).unwrap();
        assert_eq!(v.unsigned_fields, ["agreement", "extra"]);
        // Changing an unsigned leaf keeps the signature valid: that is why it is reported.
        let mut tampered: Value = serde_json::from_str(&body).unwrap();
        tampered["agreement"]["frequency"] = json!("daily");
        assert!(verify_webhook_signature(&tampered.to_string(), &key).is_ok());
    }

    #[test]
    fn unsigned_fields_are_exact_to_the_leaf_in_the_standard_scheme() {
        let body = standard(json!({
            "token": {"token": "tok-1", "number": "4111"},
            "agreement": {"id": "agr-1"},
            "state": "paid"
        }));
        // `state` is signed: the vector's signature no longer matches, so re-sign.
        let mut v: Value = serde_json::from_str(&body).unwrap();
        v["signature"] = json!(sign("pu9MpX3yPR", &standard_message(&v)));
        let verified =
            verify_webhook_signature(&v.to_string(), &Secret::new("pu9MpX3yPR")).unwrap();
        assert_eq!(verified.scheme, Scheme::Standard);
        assert_eq!(verified.unsigned_fields, ["token", "agreement"]);
    }

    #[test]
    fn values_are_written_as_python_writes_them() {
        let payload = json!({
            "amount": 86.0, "currency_code": true, "customer_email": 1e16,
            "customer_first_name": 0.0001, "customer_last_name": 1e-5,
            "customer_phone": 12, "gateway_account": {"a": "x", "b": [1, null, false]},
            "gateway_name": ["it's"], "order_no": null, "result": ""
        });
        assert_eq!(
            standard_message(&payload),
            "amount86.0currency_codeTruecustomer_email1e+16customer_first_name0.0001\
             customer_last_name1e-05customer_phone12gateway_account{'a': 'x', 'b': [1, None, False]}\
             gateway_name[\"it's\"]"
        );
        for (f, want) in [
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (2.5e20, "2.5e+20"),
        ] {
            assert_eq!(python_float(f), want);
        }
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
