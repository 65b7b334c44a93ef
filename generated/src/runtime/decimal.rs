//! Money never goes through a float in a request: `0.1 + 0.2` is not what a
//! merchant meant to charge. A [`Decimal`] keeps the number's exact text.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::validate::ValidationError;

/// An exact decimal number, kept as its text (`"86.000"`) and sent as a JSON
/// number with exactly those digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// The number's text, as it will be sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_json_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, rest) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let int_ok = int == "0" || (!int.is_empty() && !int.starts_with('0'));
    let rest = match rest.strip_prefix('.') {
        Some(frac) => {
            let end = frac
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(frac.len());
            if end == 0 {
                return false;
            }
            &frac[end..]
        }
        None => rest,
    };
    let exp_ok = match rest.strip_prefix(['e', 'E']) {
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        }
        None => rest.is_empty(),
    };
    int_ok && exp_ok
}

impl FromStr for Decimal {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_json_number(s) {
            Ok(Self(s.to_string()))
        } else {
            Err(ValidationError::new(
                "",
                format!("`{s}` is not a decimal number"),
            ))
        }
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Self(value.to_string())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // RawValue writes the digits verbatim: no float conversion.
        let raw = serde_json::value::RawValue::from_string(self.0.clone())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number or a string holding one")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                // Responses only: the shortest text that reads back as `v`.
                Ok(Decimal(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_digits() {
        let d: Decimal = "86.000".parse().unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "86.000");
        let d: Decimal = "0.1".parse().unwrap();
        assert_eq!(serde_json::to_string(&vec![d]).unwrap(), "[0.1]");
    }

    #[test]
    fn rejects_non_numbers() {
        for bad in [
            "",
            "1.",
            ".5",
            "01",
            "1e",
            "NaN",
            "1,5",
            "--1",
            "86.000 KWD",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
        for good in ["0", "-0.5", "1e10", "12.345E-2"] {
            assert!(good.parse::<Decimal>().is_ok(), "{good}");
        }
    }
}
