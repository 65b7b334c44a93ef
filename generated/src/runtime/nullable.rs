//! A field that is optional *and* nullable has three states on the wire:
//! absent, `null`, or a value. `Option<T>` folds the first two together,
//! which loses the difference when a body is decoded and re-encoded.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An optional, nullable field: absent, `null`, or a value.
///
/// Generated structs declare such fields with
/// `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`, so each
/// state round-trips as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// The field was not sent.
    #[default]
    Absent,
    /// The field was sent as `null`.
    Null,
    /// The field was sent with a value.
    Present(T),
}

impl<T> Nullable<T> {
    /// True when the field was not sent (used to skip it when encoding).
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// The value, if there is one.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Self::Present(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, if there is one, dereferenced (`&str` for a `String`).
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(|v| &**v)
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Present(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Present)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Present(v) => v.serialize(s),
            Self::Absent | Self::Null => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only reached when the field is present: absence is `#[serde(default)]`.
        Ok(Option::<T>::deserialize(d)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Probe {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        x: Nullable<String>,
    }

    #[test]
    fn three_states_round_trip() {
        for (text, want) in [
            (r#"{}"#, Nullable::Absent),
            (r#"{"x":null}"#, Nullable::Null),
            (r#"{"x":"v"}"#, Nullable::Present("v".to_string())),
        ] {
            let p: Probe = serde_json::from_str(text).unwrap();
            assert_eq!(p.x, want);
            assert_eq!(serde_json::to_string(&p).unwrap(), text);
        }
    }
}
