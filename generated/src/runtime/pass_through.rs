//! A value forwarded byte for byte, with a typed view of it.
//!
//! A wallet token (Apple Pay's payment data, Google Pay's payment data with
//! its signed message) is signed by the device's wallet: the server checks
//! the signature over the bytes the device produced. Decoding it into a
//! struct and encoding it again would drop fields the struct does not know
//! (`header.applicationData`, `paymentMethod.secureElementPass`, whatever
//! the wallet adds next), reorder keys and rewrite escapes, and the charge
//! would fail or, worse, be made with altered data. [`PassThrough`] keeps
//! the original JSON text and encodes exactly that; the typed view is
//! decoded from it once, for reading.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use super::validate::{Validate, ValidationError};

/// JSON received from elsewhere (a device's wallet token) and sent on
/// unchanged: encoding writes the original bytes, whitespace, key order,
/// escapes and fields the type `T` does not declare included.
/// [`PassThrough::typed`] reads it as `T`.
///
/// Its content is secret (it authorises a charge): `Debug` prints `***`.
#[derive(Clone)]
pub struct PassThrough<T> {
    raw: Box<RawValue>,
    typed: T,
}

impl<T: DeserializeOwned> PassThrough<T> {
    /// Takes the JSON text exactly as the device produced it. Errors when it is not JSON or does not
    /// read as `T` (the error names the field, never its value).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let raw = RawValue::from_string(text.to_string())?;
        Self::from_raw(raw)
    }

    /// [`PassThrough::from_json`] for bytes (they must be UTF-8, as JSON is).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| serde_json::Error::custom(format_args!("not UTF-8: {e}")))?;
        Self::from_json(text)
    }

    fn from_raw(raw: Box<RawValue>) -> Result<Self, serde_json::Error> {
        let typed = serde_json::from_str(raw.get())?;
        Ok(Self { raw, typed })
    }
}

impl<T: Serialize> PassThrough<T> {
    /// Wraps a value built in code: its JSON encoding becomes the bytes
    /// sent. (A token received from a device goes through
    /// [`PassThrough::from_json`] instead, so nothing of it is lost.)
    pub fn from_typed(typed: T) -> Result<Self, serde_json::Error> {
        let raw = serde_json::value::to_raw_value(&typed)?;
        Ok(Self { raw, typed })
    }
}

impl<T> PassThrough<T> {
    /// The typed view (fields the type does not declare are only in
    /// [`PassThrough::as_json`]).
    pub fn typed(&self) -> &T {
        &self.typed
    }

    /// The JSON text that is sent, exactly as received.
    pub fn as_json(&self) -> &str {
        self.raw.get()
    }
}

impl<T> fmt::Debug for PassThrough<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassThrough(***)")
    }
}

/// Equal when the bytes are equal (the typed view follows from them).
impl<T> PartialEq for PassThrough<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get()
    }
}

impl<T> Serialize for PassThrough<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for PassThrough<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Self::from_raw(raw).map_err(D::Error::custom)
    }
}

impl<T: Validate> Validate for PassThrough<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        self.typed.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    struct Token {
        version: String,
    }

    #[test]
    fn encodes_the_original_bytes_and_reads_the_typed_view() {
        let text = r#"{ "z": 1, "version":"EC_v1", "a" : "\u003d" }"#;
        let p = PassThrough::<Token>::from_json(text).unwrap();
        assert_eq!(p.typed().version, "EC_v1");
        assert_eq!(serde_json::to_string(&p).unwrap(), text);
        let back: PassThrough<Token> = serde_json::from_str(text).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn is_never_printed_and_errors_name_no_value() {
        let p = PassThrough::<Token>::from_json(r#"{"version":"secret-bytes"}"#).unwrap();
        assert_eq!(format!("{p:?}"), "PassThrough(***)");
        let e = PassThrough::<Token>::from_json(r#"{"other":"secret-bytes"}"#).unwrap_err();
        assert!(e.to_string().contains("version"), "{e}");
        assert!(!e.to_string().contains("secret-bytes"), "{e}");
        assert!(PassThrough::<Token>::from_slice(b"\xff").is_err());
    }

    #[test]
    fn from_typed_sends_its_encoding() {
        let p = PassThrough::from_typed(Token {
            version: "EC_v1".into(),
        })
        .unwrap();
        assert_eq!(p.as_json(), r#"{"version":"EC_v1"}"#);
    }
}
