//! What an error body in Django REST Framework's shapes says, as lines a
//! person can read (`Display` of an API error, logs).
//!
//! DRF writes errors as `{"detail": "...", "code": "..."}`, as field errors
//! (`{"session_id": ["This field is required."]}`), nested as deep as the
//! serializers nest (`{"payload": {"paymentData": ["Invalid."]}}`, a list
//! of objects giving one entry per item), with `non_field_errors` for the
//! request as a whole, or as a plain list (`["Session expired."]`).
//! Messages are shown; a bare value under a secret key (an echoed token)
//! is not.

use serde_json::Value;

use super::error::is_sensitive_key;

/// Longest list of messages shown by `Display`; the rest are counted.
const SHOWN: usize = 20;

/// The messages of an error body: `detail` (with its `code`),
/// `non_field_errors` and list items as they are, field errors as
/// `path: message` (`payload.paymentData: Invalid.`, `items[1].amount: ...`).
/// `secret_fields`: the generated `SECRET_FIELDS` (credentials and card
/// data are masked in any case).
pub fn messages(body: &Value, secret_fields: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    collect(body, "", secret_fields, &mut out);
    out
}

fn collect(value: &Value, path: &str, secret_fields: &[&str], out: &mut Vec<String>) {
    let line = |text: &str| {
        if path.is_empty() {
            text.to_string()
        } else {
            format!("{path}: {text}")
        }
    };
    match value {
        Value::Null => {}
        Value::String(s) => out.push(line(s)),
        Value::Bool(_) | Value::Number(_) => out.push(line(&value.to_string())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        collect(item, &format!("{path}[{i}]"), secret_fields, out);
                    }
                    _ => collect(item, path, secret_fields, out),
                }
            }
        }
        Value::Object(map) => {
            let detail = map.get("detail").and_then(Value::as_str);
            for (key, child) in map {
                match key.as_str() {
                    "detail" if detail.is_some() => {
                        let code = map.get("code").and_then(Value::as_str);
                        let text = match (detail, code) {
                            (Some(d), Some(c)) => format!("{d} ({c})"),
                            (Some(d), None) => d.to_string(),
                            _ => continue,
                        };
                        out.push(line(&text));
                    }
                    // Said with `detail`; `result` is DRF's constant "failed".
                    "code" | "result" if detail.is_some() && child.is_string() => {}
                    "non_field_errors" => collect(child, path, secret_fields, out),
                    _ => {
                        let sub = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        match child {
                            // An echoed value under a secret key: never shown.
                            Value::String(_) | Value::Number(_) | Value::Bool(_)
                                if is_sensitive_key(key, secret_fields) =>
                            {
                                out.push(format!("{sub}: ***"));
                            }
                            _ => collect(child, &sub, secret_fields, out),
                        }
                    }
                }
            }
        }
    }
}

/// Writes `: m1; m2; ...` (at most [`SHOWN`] messages), nothing if none.
pub fn write_messages(f: &mut std::fmt::Formatter<'_>, messages: &[String]) -> std::fmt::Result {
    if messages.is_empty() {
        return Ok(());
    }
    f.write_str(": ")?;
    for (i, m) in messages.iter().take(SHOWN).enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        f.write_str(m)?;
    }
    if messages.len() > SHOWN {
        write!(f, "; … ({} more)", messages.len() - SHOWN)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_drf_shape_has_its_messages() {
        let cases = [
            (
                json!({"detail": "Card expired.", "result": "failed"}),
                vec!["Card expired."],
            ),
            (
                json!({"detail": "Invalid token.", "code": "token_not_valid"}),
                vec!["Invalid token. (token_not_valid)"],
            ),
            (
                json!({"session_id": ["This field is required."], "pg_codes": ["Bad.", "Worse."]}),
                vec![
                    "session_id: This field is required.",
                    "pg_codes: Bad.",
                    "pg_codes: Worse.",
                ],
            ),
            (
                json!({"payload": {"paymentData": ["Invalid."]}}),
                vec!["payload.paymentData: Invalid."],
            ),
            (
                json!({"items": [{}, {"amount": ["Too big."]}]}),
                vec!["items[1].amount: Too big."],
            ),
            (
                json!({"non_field_errors": ["Session expired."]}),
                vec!["Session expired."],
            ),
            (json!(["Session expired."]), vec!["Session expired."]),
            (
                json!({"detail": "Bad request.", "session_id": ["Unknown."]}),
                vec!["Bad request.", "session_id: Unknown."],
            ),
            (
                json!({"token": "tok_live_secret", "detail": "Card declined."}),
                vec!["token: ***", "Card declined."],
            ),
            (
                json!({"payload": "ENCRYPTED", "detail": "Bad token."}),
                vec!["payload: ***", "Bad token."],
            ),
        ];
        for (body, want) in cases {
            assert_eq!(messages(&body, &["payload"]), want, "{body}");
        }
    }
}
