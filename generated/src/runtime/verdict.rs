//! What the client makes of one response body: does it decode, and what
//! did decoding absorb (the drift it tolerated)? The generated
//! `decode_response` picks the type an operation's status decodes to, as
//! the operation method does, and judges the body here, so a maintainer
//! can paste a real response and see the client's verdict beside the
//! schema's (`cargo xtask validate`).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::decimal::Decimal;
use super::nullable::Nullable;
use super::pass_through::PassThrough;

/// The client's verdict on one response body.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The Rust type the status decodes to (`Vec<Card>`, `SchemaWebhook`).
    pub type_name: &'static str,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The body decodes; what decoding tolerated, by JSON pointer.
    Decoded(Vec<Absorbed>),
    /// The body does not decode (not JSON, an array where an object is
    /// due, ...): the operation method would return an error (on a 2xx,
    /// `Error::Undecoded`, which says the request took effect).
    Refused(String),
}

/// One difference from the spec the client tolerated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Absorbed {
    /// JSON pointer into the body.
    pub pointer: String,
    pub kind: AbsorbedKind,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AbsorbedKind {
    /// A field the spec requires is missing: the Rust field is `None`.
    Missing,
    /// An undeclared property, or a declared one whose value did not fit
    /// its type: kept in the struct's `additional` map, sent back on encoding.
    Kept,
    /// A string enum value this client does not know: kept in `Unknown`.
    UnknownEnumValue(String),
    /// A number sent as a string, read as the number.
    ReadAsNumber,
}

impl fmt::Display for Absorbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        match &self.kind {
            AbsorbedKind::Missing => write!(f, "{at}: required by the spec, missing (None)"),
            AbsorbedKind::Kept => write!(
                f,
                "{at}: not in the type, or not of its type: kept in `additional`"
            ),
            AbsorbedKind::UnknownEnumValue(v) => {
                write!(f, "{at}: unknown enum value {v:?}, kept as `Unknown`")
            }
            AbsorbedKind::ReadAsNumber => {
                write!(f, "{at}: a number sent as a string, read as the number")
            }
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Decoded(absorbed) if absorbed.is_empty() => {
                write!(f, "decodes as {}, nothing absorbed", self.type_name)
            }
            Outcome::Decoded(absorbed) => {
                write!(
                    f,
                    "decodes as {}, absorbing {}:",
                    self.type_name,
                    absorbed.len()
                )?;
                for a in absorbed {
                    write!(f, "\n  {a}")?;
                }
                Ok(())
            }
            Outcome::Refused(reason) => {
                write!(f, "does not decode as {}: {reason}", self.type_name)
            }
        }
    }
}

/// Decodes `body` as `T`, as the operation methods do, and lists what
/// decoding absorbed.
pub fn judge<T: DeserializeOwned + Serialize + Absorbs>(
    type_name: &'static str,
    body: &[u8],
) -> Verdict {
    let outcome = match serde_json::from_slice::<T>(body) {
        Err(e) => Outcome::Refused(e.to_string()),
        Ok(value) => {
            let mut absorbed = Vec::new();
            value.absorbs("", &mut absorbed);
            if let (Ok(sent), Ok(kept)) = (
                serde_json::from_slice::<Value>(body),
                serde_json::to_value(&value),
            ) {
                read_as_numbers(&sent, &kept, "", &mut absorbed);
            }
            absorbed.sort();
            absorbed.dedup();
            Outcome::Decoded(absorbed)
        }
    };
    Verdict { type_name, outcome }
}

/// A status documented without a body: the method ignores what is sent.
pub fn no_body(_body: &[u8]) -> Verdict {
    Verdict {
        type_name: "()",
        outcome: Outcome::Decoded(Vec::new()),
    }
}

/// Strings the body had where the decoded value, encoded again, has a
/// number: the client read them as numbers.
fn read_as_numbers(sent: &Value, kept: &Value, at: &str, out: &mut Vec<Absorbed>) {
    match (sent, kept) {
        (Value::String(_), Value::Number(_)) => out.push(Absorbed {
            pointer: at.to_string(),
            kind: AbsorbedKind::ReadAsNumber,
        }),
        (Value::Object(s), Value::Object(k)) => {
            for (key, v) in s {
                if let Some(w) = k.get(key) {
                    read_as_numbers(v, w, &child(at, key), out);
                }
            }
        }
        (Value::Array(s), Value::Array(k)) => {
            for (i, (v, w)) in s.iter().zip(k).enumerate() {
                read_as_numbers(v, w, &child(at, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

/// `at` + `/key` (JSON pointer escaping).
pub fn child(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// What a decoded value absorbed: implemented for every generated type
/// (by `decode_response`'s module) and the runtime's building blocks.
pub trait Absorbs {
    fn absorbs(&self, at: &str, out: &mut Vec<Absorbed>);
}

/// An optional field of a struct: reports a missing field the spec
/// requires (unless its value was kept in `additional`, reported there).
pub fn optional<T: Absorbs>(
    value: Option<&T>,
    at: &str,
    key: &str,
    spec_required: bool,
    additional: Option<&Map<String, Value>>,
    out: &mut Vec<Absorbed>,
) {
    match value {
        Some(v) => v.absorbs(&child(at, key), out),
        None if spec_required && !additional.is_some_and(|a| a.contains_key(key)) => {
            out.push(Absorbed {
                pointer: child(at, key),
                kind: AbsorbedKind::Missing,
            });
        }
        None => {}
    }
}

/// [`optional`] for a nullable field (`null` is a value, not missing).
pub fn nullable<T: Absorbs>(
    value: &Nullable<T>,
    at: &str,
    key: &str,
    spec_required: bool,
    additional: Option<&Map<String, Value>>,
    out: &mut Vec<Absorbed>,
) {
    match value {
        Nullable::Present(v) => v.absorbs(&child(at, key), out),
        Nullable::Null => {}
        Nullable::Absent => optional::<T>(None, at, key, spec_required, additional, out),
    }
}

/// The undeclared properties a struct kept.
pub fn kept(additional: &Map<String, Value>, at: &str, out: &mut Vec<Absorbed>) {
    out.extend(additional.keys().map(|k| Absorbed {
        pointer: child(at, k),
        kind: AbsorbedKind::Kept,
    }));
}

/// An enum value the client does not know.
pub fn unknown(value: &str, at: &str, out: &mut Vec<Absorbed>) {
    out.push(Absorbed {
        pointer: at.to_string(),
        kind: AbsorbedKind::UnknownEnumValue(value.to_string()),
    });
}

macro_rules! absorbs_nothing {
    ($($t:ty),*) => {$(
        impl Absorbs for $t {
            fn absorbs(&self, _: &str, _: &mut Vec<Absorbed>) {}
        }
    )*};
}
absorbs_nothing!(String, bool, i64, Decimal, Value, Map<String, Value>);

impl<T> Absorbs for PassThrough<T> {
    fn absorbs(&self, _: &str, _: &mut Vec<Absorbed>) {}
}

impl<T: Absorbs> Absorbs for Box<T> {
    fn absorbs(&self, at: &str, out: &mut Vec<Absorbed>) {
        (**self).absorbs(at, out);
    }
}

impl<T: Absorbs> Absorbs for Option<T> {
    fn absorbs(&self, at: &str, out: &mut Vec<Absorbed>) {
        if let Some(v) = self {
            v.absorbs(at, out);
        }
    }
}

impl<T: Absorbs> Absorbs for Vec<T> {
    fn absorbs(&self, at: &str, out: &mut Vec<Absorbed>) {
        for (i, v) in self.iter().enumerate() {
            v.absorbs(&child(at, &i.to_string()), out);
        }
    }
}

impl<T: Absorbs> Absorbs for BTreeMap<String, T> {
    fn absorbs(&self, at: &str, out: &mut Vec<Absorbed>) {
        for (k, v) in self {
            v.absorbs(&child(at, k), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_as_numbers_are_found_at_their_pointer() {
        let mut out = Vec::new();
        read_as_numbers(
            &serde_json::json!({"a": "1.50", "b": ["2"], "c": "x"}),
            &serde_json::json!({"a": 1.5, "b": [2], "c": "x"}),
            "",
            &mut out,
        );
        let at: Vec<&str> = out.iter().map(|a| a.pointer.as_str()).collect();
        assert_eq!(at, ["/a", "/b/0"]);
        assert_eq!(child("/x", "a/b~c"), "/x/a~1b~0c");
    }

    #[test]
    fn a_body_that_does_not_decode_is_refused() {
        let v = judge::<Vec<String>>("Vec<String>", b"{}");
        assert!(matches!(v.outcome, Outcome::Refused(_)), "{v}");
        let v = judge::<Vec<String>>("Vec<String>", br#"["a"]"#);
        assert_eq!(v.outcome, Outcome::Decoded(vec![]));
        assert_eq!(v.to_string(), "decodes as Vec<String>, nothing absorbed");
    }
}
