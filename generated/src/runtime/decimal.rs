//! Money never goes through a float: `0.1 + 0.2` is not what a merchant
//! meant to charge, and `86.000` read as `86.0` is not what Ottu sent. A
//! [`Decimal`] keeps the number's exact text, in requests and responses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use super::validate::{Validate, ValidationError};

/// An exact decimal number, kept as its text (`"86.000"`) and sent as a JSON
/// number with exactly those digits (or as a JSON string, where the spec
/// writes the amount as a string: `runtime::decimal::as_text`).
///
/// It decodes from a JSON number or a string holding one (Ottu sends
/// both), digits as sent: `86.000` stays `86.000`.
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

/// A decimal's digits were checked when it was made; bounds, if any, are
/// the field's (here, not in `validate`, so `validate` needs no decimal).
impl Validate for Decimal {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
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
        use serde::de::Error as _;
        // The raw JSON text: a number's digits before any float sees them.
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.starts_with('"') {
            let s: String = serde_json::from_str(text).map_err(D::Error::custom)?;
            s.trim().parse().map_err(D::Error::custom)
        } else {
            text.parse().map_err(|_| {
                D::Error::custom(format_args!(
                    "expected a decimal number or a string holding one, got `{}`",
                    text.chars().take(40).collect::<String>()
                ))
            })
        }
    }
}

/// An exact amount that the spec writes as a JSON string (`"86.000"`).
pub trait AsText {
    /// Encodes the amount (if any) as a JSON string.
    fn serialize_text<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
}

impl AsText for Decimal {
    fn serialize_text<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<T: AsText> AsText for Option<T> {
    fn serialize_text<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => v.serialize_text(s),
            None => s.serialize_none(),
        }
    }
}

impl<T: AsText> AsText for super::nullable::Nullable<T> {
    fn serialize_text<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_ref() {
            Some(v) => v.serialize_text(s),
            None => s.serialize_none(),
        }
    }
}

/// `#[serde(serialize_with)]` of an amount the spec writes as a string:
/// sent as a string with the exact digits, not as a number.
pub fn as_text<T: AsText, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    value.serialize_text(s)
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

    #[test]
    fn decodes_numbers_and_strings_with_their_digits() {
        for (text, digits) in [
            ("86.000", "86.000"),
            (r#""86.000""#, "86.000"),
            ("0.1000000000000000000001", "0.1000000000000000000001"),
            (r#"" 12 ""#, "12"),
            ("-1e3", "-1e3"),
        ] {
            let d: Decimal = serde_json::from_str(text).unwrap();
            assert_eq!(d.as_str(), digits, "{text}");
        }
        for bad in [r#""0.000 KWD""#, "true", "[1]", "{}", "null"] {
            assert!(serde_json::from_str::<Decimal>(bad).is_err(), "{bad}");
        }
        // Through a `Value` (no text left): the number as the `Value` holds it.
        let d: Decimal = serde_json::from_value(serde_json::json!(86.5)).unwrap();
        assert_eq!(d.as_str(), "86.5");
    }

    #[test]
    fn amounts_written_as_strings_stay_strings() {
        #[derive(Serialize)]
        struct Probe {
            #[serde(serialize_with = "as_text")]
            a: Option<Decimal>,
        }
        let p = Probe {
            a: Some("86.000".parse().unwrap()),
        };
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"a":"86.000"}"#);
    }
}
