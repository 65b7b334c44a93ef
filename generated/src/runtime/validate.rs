//! Checks of request values against the spec's `maxLength`, `minLength`,
//! `minimum` and `maximum`, run before anything is sent, so a bad value is
//! reported with its field name instead of as an opaque 400.

use std::collections::BTreeMap;
use std::fmt;

use super::nullable::Nullable;

/// A request value breaks a constraint of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Path of the offending field (`payload.paymentData.version`).
    pub field: String,
    /// What is wrong with it (never the value itself: it may be secret).
    pub message: String,
}

impl ValidationError {
    pub(crate) fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The same error, seen from the struct that holds the field.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_string()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Values that can check themselves against their schema's constraints.
pub trait Validate {
    /// `Err` names the first field that breaks a constraint.
    fn validate(&self) -> Result<(), ValidationError>;
}

macro_rules! always_valid {
    ($($t:ty),*) => {$(
        impl Validate for $t {
            fn validate(&self) -> Result<(), ValidationError> {
                Ok(())
            }
        }
    )*};
}
always_valid!(String, str, bool, i64, f64, serde_json::Value, serde_json::Map<String, serde_json::Value>);

impl<T: Validate + ?Sized> Validate for &T {
    fn validate(&self) -> Result<(), ValidationError> {
        (**self).validate()
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        (**self).validate()
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

impl<T: Validate> Validate for Nullable<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        for (i, item) in self.iter().enumerate() {
            item.validate().map_err(|e| e.within(&format!("[{i}]")))?;
        }
        Ok(())
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self) -> Result<(), ValidationError> {
        for (k, v) in self {
            v.validate().map_err(|e| e.within(k))?;
        }
        Ok(())
    }
}

/// A value that may hold text (a string field, required or not).
pub trait Text {
    /// The text, when there is one.
    fn text(&self) -> Option<&str>;
}

impl Text for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl<T: Text + ?Sized> Text for &T {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}
impl<T: Text> Text for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(Text::text)
    }
}
impl<T: Text> Text for Nullable<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(Text::text)
    }
}

/// A value that may hold an integer.
pub trait Integer {
    /// The integer, when there is one.
    fn integer(&self) -> Option<i64>;
}

impl Integer for i64 {
    fn integer(&self) -> Option<i64> {
        Some(*self)
    }
}
impl<T: Integer> Integer for Option<T> {
    fn integer(&self) -> Option<i64> {
        self.as_ref().and_then(Integer::integer)
    }
}
impl<T: Integer> Integer for Nullable<T> {
    fn integer(&self) -> Option<i64> {
        self.as_ref().and_then(Integer::integer)
    }
}

/// `minLength`/`maxLength`, counted in characters as JSON Schema does.
pub fn length(
    field: &str,
    value: &(impl Text + ?Sized),
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), ValidationError> {
    let Some(text) = value.text() else {
        return Ok(());
    };
    let n = text.chars().count();
    if let Some(min) = min.filter(|m| n < *m) {
        return Err(ValidationError::new(
            field,
            format!("{n} characters, at least {min} required"),
        ));
    }
    if let Some(max) = max.filter(|m| n > *m) {
        return Err(ValidationError::new(
            field,
            format!("{n} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

/// `minimum`/`maximum` of an integer.
pub fn range(
    field: &str,
    value: &impl Integer,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), ValidationError> {
    let Some(n) = value.integer() else {
        return Ok(());
    };
    if let Some(min) = min.filter(|m| n < *m) {
        return Err(ValidationError::new(
            field,
            format!("{n} is below the minimum {min}"),
        ));
    }
    if let Some(max) = max.filter(|m| n > *m) {
        return Err(ValidationError::new(
            field,
            format!("{n} is above the maximum {max}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field() {
        let e = length("session_id", "é".repeat(3).as_str(), None, Some(2)).unwrap_err();
        assert_eq!(
            e.within("body").to_string(),
            "invalid `body.session_id`: 3 characters, at most 2 allowed"
        );
        assert!(length("x", &Some("ab".to_string()), Some(1), Some(2)).is_ok());
        assert!(length("x", &None::<String>, Some(1), None).is_ok());
        assert!(range("n", &0_i64, Some(1), None).is_err());
        assert!(range("n", &Some(367_i64), Some(1), Some(366)).is_err());
    }
}
