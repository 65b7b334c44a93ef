//! Fuzz targets for the client's response handling (bolero). Under `cargo
//! test` each runs briefly on random inputs; `cargo xtask fuzz --seconds N`
//! runs them longer. Inputs that ever broke a target are kept as named
//! regression tests at the end of this file.
//!
//! The property: whatever a server sends, decoding into the documented
//! types (the webhook payload, the card list, the 400 unions, Google Pay's
//! 200 union), building an error excerpt and checking a webhook signature
//! return `Ok` or an error; they never panic, and an excerpt stays bounded.

use ottu_client::types::{
    Card, DirectApplePaymentErrors, DirectGooglePaymentSuccess, GenericErrorMessage, SchemaWebhook,
};
use ottu_client::{BodyExcerpt, Secret, verify_webhook_signature};
use serde_json::{Value, json};

/// Every decoder a response body can reach, plus the error-path helpers.
fn exercise(bytes: &[u8]) {
    let _ = serde_json::from_slice::<SchemaWebhook>(bytes);
    let _ = serde_json::from_slice::<Vec<Card>>(bytes);
    let _ = serde_json::from_slice::<DirectApplePaymentErrors>(bytes);
    let _ = serde_json::from_slice::<DirectGooglePaymentSuccess>(bytes);
    let _ = serde_json::from_slice::<GenericErrorMessage>(bytes);
    let excerpt = BodyExcerpt::new(bytes);
    assert!(
        excerpt.text.len() <= BodyExcerpt::MAX,
        "excerpt of {} bytes",
        excerpt.text.len()
    );
    let _ = verify_webhook_signature(&String::from_utf8_lossy(bytes), &Secret::new("fuzz-key"));
}

#[test]
fn fuzz_decode_arbitrary_bytes() {
    bolero::check!()
        .with_max_len(4096)
        .for_each(|bytes: &[u8]| exercise(bytes));
}

fn seeds() -> Vec<Value> {
    let card = json!({
        "brand": "VISA", "customer_id": "c-1", "cvv_required": false, "expiry_month": "01", "expiry_year": "30",
        "is_expired": false, "is_preferred": true, "name_on_card": null, "number": "**** 1111", "pg_code": "kn",
        "pg_name": "kpay", "token": "tok_1", "agreements": ["agr-1"], "will_expire_soon": false
    });
    vec![
        json!({
            "agreement": {"id": "agr-1", "frequency": "monthly"}, "amount": "86.000",
            "amount_details": {"currency_code": "KWD", "amount": "86.000", "total": "86.000", "fee": "0.000 KWD"},
            "currency_code": "KWD", "fee": "0.000 KWD", "gateway_name": "kpay", "paid_amount": "86.000",
            "pg_params": {"auth_code": "A1", "rrn": null}, "reference_number": "ref-3", "result": "success",
            "signature": "ab", "state": "paid", "timestamp_utc": "2023-12-13 13:42:35",
            "token": {"token": "tok_1", "customer_id": "c-1", "pg_code": "kn"}, "session_id": "s-1", "extra": null
        }),
        json!([card.clone(), card]),
        json!({"session_id": ["This field is required."], "token": ["Invalid."]}),
        json!({"detail": "Session is expired.", "result": "failed"}),
        json!({
            "status": "3DS", "reference_number": "ref-1", "form_of_payment": "google_pay", "challenge_occurred": true,
            "method": "iframe", "html": "<form></form>", "ws_url": "wss://sandbox.ottu.net/ws/ref-1"
        }),
        json!({
            "status": "3DS", "reference_number": "ref-2", "form_of_payment": "google_pay", "method": "redirect",
            "redirect_url": "https://sandbox.ottu.net/b/3ds/ref-2", "order_no": "ord-2", "session_id": "sess-2"
        }),
    ]
}

/// Values a mutation may put in place of another.
fn replacement(selector: u8) -> Value {
    match selector % 12 {
        0 => Value::Null,
        1 => json!(""),
        2 => json!(-1),
        3 => json!(1e308),
        4 => json!(18_446_744_073_709_551_615u64),
        5 => json!("86.0000000000000000000001"),
        6 => json!("ünïcødé \u{0} \u{1F4B3}"),
        7 => json!([]),
        8 => json!({}),
        9 => json!(true),
        10 => json!("x".repeat(300)),
        _ => json!([[[[[[[[1]]]]]]]]),
    }
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| pointers(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| pointers(c, format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// Bytes drive edits (replace, delete, add an unknown field) of realistic
/// bodies: the decoders see documents that are nearly right, where their
/// union and enum logic lives.
#[test]
fn fuzz_decode_mutated_bodies() {
    let seeds = seeds();
    let targets: Vec<Vec<String>> = seeds
        .iter()
        .map(|s| {
            let mut out = Vec::new();
            pointers(s, String::new(), &mut out);
            out
        })
        .collect();
    bolero::check!().with_max_len(64).for_each(|bytes: &[u8]| {
        let Some((&which, edits)) = bytes.split_first() else {
            return;
        };
        let which = usize::from(which) % seeds.len();
        let mut doc = seeds[which].clone();
        for edit in edits.chunks(2) {
            let [at, what] = [edit[0], *edit.get(1).unwrap_or(&0)];
            let pointer = &targets[which][usize::from(at) % targets[which].len()];
            mutate(&mut doc, pointer, what);
        }
        exercise(&serde_json::to_vec(&doc).unwrap());
    });
}

fn mutate(doc: &mut Value, pointer: &str, what: u8) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
    match what >> 6 {
        0 if !pointer.is_empty() => match doc.pointer_mut(parent) {
            Some(Value::Object(m)) => {
                m.remove(key);
            }
            Some(Value::Array(a)) => {
                if let Ok(i) = key.parse::<usize>()
                    && i < a.len()
                {
                    a.remove(i);
                }
            }
            _ => {}
        },
        1 => {
            if let Some(Value::Object(m)) = doc.pointer_mut(pointer) {
                m.insert(format!("unknown_{what}"), replacement(what));
            }
        }
        _ => {
            if let Some(v) = doc.pointer_mut(pointer) {
                *v = replacement(what);
            }
        }
    }
}

// ---- regression inputs (none found so far; add each crash here by name) ----

#[test]
fn regression_deeply_nested_arrays_do_not_overflow_the_stack() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    exercise(deep.as_bytes());
}

#[test]
fn regression_invalid_utf8_and_a_truncated_multibyte_char() {
    exercise(b"{\"detail\": \"\xF0\x9F\x92");
    exercise(&[0xFF, 0xFE, b'{', b'"']);
    exercise(format!(r#"{{"detail": "{}"}}"#, "é".repeat(2_000)).as_bytes());
}
