//! Decoding a JSON object into a generated struct, field by field.
//!
//! Serde's derived `Deserialize` accepts a JSON array for a struct, field
//! by position: `["agr-1", "fixed", "2024-01-01"]` would read as an
//! agreement. Every generated struct decodes through [`Object`] instead,
//! which accepts a JSON object only.
//!
//! Response types decode *tolerantly* (the model decides which types are
//! response types): a field the server left out is `None`, and a field
//! whose value does not fit its type is `None` too, its value kept as sent
//! among the struct's undeclared properties (the `additional` map, under
//! its own name), so re-encoding the struct gives it back. Request types
//! decode *strictly*: a missing required field or a value of the wrong
//! type is an error naming the field.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use super::nullable::Nullable;

/// The properties of one JSON object, each as its raw JSON text (so an
/// amount keeps its digits until a [`super::decimal::Decimal`] reads
/// them), taken out one by one as the struct's fields decode; what is left
/// is the struct's undeclared properties.
#[derive(Debug, Default)]
pub struct Object(Vec<(String, Box<RawValue>)>);

impl Object {
    /// Reads a JSON object; anything else (an array above all) is an error
    /// naming the type `name` that expected an object.
    pub fn read<'de, D: Deserializer<'de>>(d: D, name: &'static str) -> Result<Self, D::Error> {
        struct V(&'static str);
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, Box<RawValue>)>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a JSON object (`{}`)", self.0)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out: Self::Value = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Box<RawValue>>()? {
                    // A repeated key: the last one wins, as in serde_json.
                    out.retain(|(seen, _)| *seen != k);
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(name)).map(Self)
    }

    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
    }

    fn remove(&mut self, key: &str) -> Option<Box<RawValue>> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// A tolerant field: `None` when absent; `None` too when the value does
    /// not fit `T` (`null` included: this field is not nullable), the value
    /// then staying in the undeclared properties. A number sent as a string
    /// (`"30"` for an integer) is read as the number.
    pub fn take<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let typed = fit(self.get(key)?)?;
        self.remove(key);
        Some(typed)
    }

    /// A tolerant nullable field: absent, `null` or a value, as sent; a
    /// value that does not fit `T` is `Absent` here and kept in the
    /// undeclared properties.
    pub fn take_nullable<T: DeserializeOwned>(&mut self, key: &str) -> Nullable<T> {
        match self.get(key).map(RawValue::get) {
            None => Nullable::Absent,
            Some("null") => {
                self.remove(key);
                Nullable::Null
            }
            Some(_) => self.take(key).map_or(Nullable::Absent, Nullable::Present),
        }
    }

    /// A strict required field: absent or ill-typed is an error naming it.
    pub fn required<T: DeserializeOwned, E: de::Error>(
        &mut self,
        key: &'static str,
    ) -> Result<T, E> {
        match self.remove(key) {
            Some(v) => strict(key, &v),
            None => Err(E::missing_field(key)),
        }
    }

    /// A strict optional field (`Option` or [`Nullable`]): absent is the
    /// default, ill-typed is an error naming it.
    pub fn optional<T: DeserializeOwned + Default, E: de::Error>(
        &mut self,
        key: &str,
    ) -> Result<T, E> {
        match self.remove(key) {
            Some(v) => strict(key, &v),
            None => Ok(T::default()),
        }
    }

    /// The properties no field took: undeclared ones, and (tolerant
    /// structs) declared ones whose value did not fit.
    pub fn rest(self) -> Map<String, Value> {
        self.0
            .into_iter()
            .map(|(k, v)| {
                // Raw text of a value serde_json read: it always parses again.
                let v = serde_json::from_str(v.get()).unwrap_or(Value::Null);
                (k, v)
            })
            .collect()
    }
}

fn strict<T: DeserializeOwned, E: de::Error>(key: &str, v: &RawValue) -> Result<T, E> {
    serde_json::from_str(v.get()).map_err(|e| E::custom(format_args!("field `{key}`: {e}")))
}

/// `raw` as a `T`, or as a `T` read from the number a string holds.
fn fit<T: DeserializeOwned>(raw: &RawValue) -> Option<T> {
    if let Ok(t) = serde_json::from_str(raw.get()) {
        return Some(t);
    }
    let s: String = serde_json::from_str(raw.get()).ok()?;
    let n: Number = s.trim().parse().ok()?;
    serde_json::from_value(Value::Number(n)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Object {
        Object::read(
            &mut serde_json::Deserializer::from_str(&v.to_string()),
            "Probe",
        )
        .unwrap()
    }

    #[test]
    fn an_array_is_never_an_object() {
        let e = Object::read(json!(["agr-1", "fixed", "2024-01-01"]), "Agreement").unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a JSON object (`Agreement`)"),
            "{e}"
        );
        let text = r#"["agr-1", "fixed", "2024-01-01"]"#;
        let e =
            Object::read(&mut serde_json::Deserializer::from_str(text), "Agreement").unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a JSON object (`Agreement`)"),
            "{e}"
        );
    }

    #[test]
    fn what_does_not_fit_stays_as_sent() {
        let mut o = object(json!({"n": "x", "s": "ok", "i": "30", "z": null, "extra": 1}));
        assert_eq!(o.take::<i64>("n"), None);
        assert_eq!(o.take::<String>("s").as_deref(), Some("ok"));
        assert_eq!(o.take::<i64>("i"), Some(30));
        assert_eq!(o.take::<String>("z"), None);
        assert_eq!(o.take::<String>("gone"), None);
        assert_eq!(
            o.rest(),
            *json!({"n": "x", "z": null, "extra": 1})
                .as_object()
                .unwrap()
        );
    }

    #[test]
    fn nullable_keeps_three_states() {
        let mut o = object(json!({"a": null, "b": "v", "c": 5}));
        assert_eq!(o.take_nullable::<String>("a"), Nullable::Null);
        assert_eq!(
            o.take_nullable::<String>("b"),
            Nullable::Present("v".into())
        );
        assert_eq!(o.take_nullable::<String>("c"), Nullable::Absent);
        assert_eq!(o.take_nullable::<String>("d"), Nullable::Absent);
        assert_eq!(o.rest(), *json!({"c": 5}).as_object().unwrap());
    }

    #[test]
    fn strict_fields_name_themselves() {
        let mut o = object(json!({"a": 5}));
        let e = o.required::<String, serde_json::Error>("a").unwrap_err();
        assert!(e.to_string().contains("field `a`"), "{e}");
        let e = o.required::<String, serde_json::Error>("b").unwrap_err();
        assert!(e.to_string().contains("missing field `b`"), "{e}");
        assert_eq!(
            o.optional::<Option<String>, serde_json::Error>("b")
                .unwrap(),
            None
        );
    }
}
