//! One payment session as the stateful mock remembers it, and how its
//! state is written into an answer so that every answer says the same
//! thing: the same amount, currency, state and refunded amount as the
//! session and as every earlier answer about it.
//!
//! Money is kept in thousandths (Ottu's amounts have at most three
//! decimal places: `^-?\d{0,13}(?:\.\d{0,3})?$`), never in a float; a
//! float is made only where the schema declares a number.

use serde_json::{Map, Value, json};

/// An amount in thousandths of the currency unit.
pub type Milli = i128;

/// `"12.5"` -> 12500; `None` for anything that is not a non-negative
/// decimal of at most three places.
pub fn milli(text: &str) -> Option<Milli> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.len() > 15
        || frac.len() > 3
        || (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: Milli = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: Milli = format!("{frac:0<3}").parse().ok()?;
    Some(whole * 1000 + frac)
}

/// An amount read from a JSON string or number.
pub fn milli_of(v: &Value) -> Option<Milli> {
    match v {
        Value::String(s) => milli(s),
        Value::Number(n) => milli(&n.to_string()),
        _ => None,
    }
}

/// 12500 -> `"12.500"` (Ottu writes three places).
pub fn decimal(m: Milli) -> String {
    format!("{}.{:03}", m / 1000, m % 1000)
}

/// A session's life so far.
#[derive(Debug, Clone)]
pub struct Session {
    /// Ottu's state word (`created`, `paid`, `refunded`, ...).
    pub state: String,
    /// Scalar fields the session was created or updated with (amount,
    /// currency_code, order_no, customer_*, webhook_url, ...).
    pub facts: Map<String, Value>,
    /// What is to be paid (`None`: implied by a payment, not yet known).
    pub amount: Option<Milli>,
    /// Authorized and not yet captured or voided.
    pub authorized: Milli,
    /// Paid (captured).
    pub paid: Milli,
    /// Refunded so far (partial refunds add up).
    pub refunded: Milli,
    /// Released by a void.
    pub voided: Milli,
    /// The first successful payment's answer, replayed to a repeat.
    pub payment: Option<(bytes::Bytes, Value)>,
}

impl Session {
    /// A session named by a payment before any checkout created it.
    pub fn implied() -> Self {
        Self::created(Map::new())
    }

    /// A session created by a checkout with these fields.
    pub fn created(facts: Map<String, Value>) -> Self {
        let amount = facts.get("amount").and_then(milli_of);
        Self {
            state: "created".into(),
            facts,
            amount,
            authorized: 0,
            paid: 0,
            refunded: 0,
            voided: 0,
            payment: None,
        }
    }

    /// Takes the request's scalar fields as the session's (a checkout or an update).
    pub fn learn(&mut self, body: Option<&Value>) {
        let Some(o) = body.and_then(Value::as_object) else {
            return;
        };
        for (k, v) in o {
            if matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                self.facts.insert(k.clone(), v.clone());
            }
        }
        if let Some(a) = o.get("amount").and_then(milli_of) {
            self.amount = Some(a);
        }
    }

    /// Where its notifications go, when a checkout gave one.
    pub fn webhook_url(&self) -> Option<String> {
        self.facts
            .get("webhook_url")
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// Ottu's `result` for the session's state.
    fn result(&self) -> &'static str {
        match self.state.as_str() {
            "paid" | "authorized" | "refunded" => "success",
            "canceled" | "expired" => "canceled",
            "failed" => "failed",
            _ => "pending",
        }
    }

    /// Writes the session into `answer`: only fields the answer already
    /// has, each in the JSON kind it already has (a string stays a
    /// string), so the answer keeps conforming to its schema.
    pub fn describe(&self, answer: &mut Value, session_id: &str) {
        let Some(o) = answer.as_object_mut() else {
            return;
        };
        for (k, fact) in &self.facts {
            if let Some(slot) = o.get_mut(k)
                && same_kind(slot, fact)
            {
                *slot = fact.clone();
            }
        }
        put(o, "session_id", json!(session_id));
        put(o, "state", json!(self.state));
        put(o, "result", json!(self.result()));
        if let Some(a) = self.amount {
            money(o, "amount", a);
            let outstanding = if self.paid > 0 || self.authorized > 0 {
                0
            } else {
                a
            };
            money(o, "remaining_amount", outstanding);
        }
        money(o, "paid_amount", self.paid);
        money(o, "settled_amount", self.paid);
        money(o, "refunded_amount", self.refunded);
        money(o, "voided_amount", self.voided);
    }
}

fn same_kind(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn put(o: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(slot) = o.get_mut(key)
        && same_kind(slot, &value)
    {
        *slot = value;
    }
}

/// An amount in the kind the answer has there: `"12.500"` or `12.5`.
fn money(o: &mut Map<String, Value>, key: &str, m: Milli) {
    let Some(slot) = o.get_mut(key) else {
        return;
    };
    match slot {
        Value::String(_) => *slot = json!(decimal(m)),
        Value::Number(_) => {
            // A number where the schema says `number`: whole amounts as
            // integers (`0`, as Ottu writes them), others as the digits parsed.
            let text = decimal(m);
            let text = text.trim_end_matches('0').trim_end_matches('.');
            if let Ok(n) = serde_json::from_str::<Value>(text) {
                *slot = n;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_thousandths() {
        assert_eq!(milli("12.5"), Some(12_500));
        assert_eq!(milli("86.000"), Some(86_000));
        assert_eq!(milli("0.001"), Some(1));
        assert_eq!(milli("7"), Some(7_000));
        assert_eq!(milli("1.0001"), None);
        assert_eq!(milli("-1"), None);
        assert_eq!(milli("."), None);
        assert_eq!(milli("1e3"), None);
        assert_eq!(decimal(12_500), "12.500");
        assert_eq!(decimal(1), "0.001");
    }

    #[test]
    fn describing_keeps_each_field_its_kind() {
        let mut s = Session::created(serde_json::from_str(r#"{"amount":"10.000"}"#).unwrap());
        s.state = "paid".into();
        s.paid = 10_000;
        s.refunded = 2_500;
        let mut v = json!({"amount": "x", "paid_amount": 0, "refunded_amount": 0, "state": "", "result": "failed"});
        s.describe(&mut v, "sess");
        assert_eq!(
            v,
            json!({"amount": "10.000", "paid_amount": 10, "refunded_amount": 2.5, "state": "paid", "result": "success"})
        );
    }
}
