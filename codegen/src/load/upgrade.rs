//! Stage 2: one canonical form. OpenAPI 3.0 schemas become OpenAPI 3.1 /
//! JSON Schema 2020-12, so every later stage (and the contract tests'
//! validators) sees a single dialect.

use std::path::Path;

use serde_json::{Value, json};

use crate::error::{LoadError, Location};
use crate::walk;

/// The dialect of a source document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    V30,
    V31,
}

/// Reads `openapi` and checks it is a version we understand.
pub fn dialect(path: &Path, doc: &Value) -> Result<Dialect, LoadError> {
    let at = |pointer: &str| Location::new(path, pointer);
    let Some(obj) = doc.as_object() else {
        return Err(LoadError::Invalid {
            at: at(""),
            message: "document is not an object".into(),
        });
    };
    let version = match obj.get("openapi") {
        Some(Value::String(v)) => v.as_str(),
        Some(other) => {
            return Err(LoadError::Version {
                at: at("/openapi"),
                found: other.to_string(),
            });
        }
        None if obj.contains_key("swagger") => {
            let found = obj["swagger"].as_str().unwrap_or("?").to_string();
            return Err(LoadError::Version {
                at: at("/swagger"),
                found: format!("swagger {found}"),
            });
        }
        None => {
            return Err(LoadError::Invalid {
                at: at(""),
                message: "no `openapi` field: not an OpenAPI document".into(),
            });
        }
    };
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("3"), Some("0")) => Ok(Dialect::V30),
        (Some("3"), Some("1")) => Ok(Dialect::V31),
        _ => Err(LoadError::Version {
            at: at("/openapi"),
            found: version.to_string(),
        }),
    }
}

/// Rewrites a 3.0 document in place into the 3.1 form. A 3.1 document is
/// left as it is: it already is the canonical form.
pub fn upgrade(doc: &mut Value, dialect: Dialect) {
    if dialect == Dialect::V31 {
        return;
    }
    walk::schemas_mut(doc, &mut |schema, _| upgrade_schema(schema));
    doc["openapi"] = json!("3.1.1");
}

/// 3.0 -> 3.1 for one schema object (children are visited by the walker).
fn upgrade_schema(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };

    // `example` (3.0) -> `examples` (JSON Schema 2020-12).
    if let Some(example) = obj.remove("example") {
        obj.entry("examples").or_insert_with(|| json!([example]));
    }

    // `format: byte` (3.0) -> `contentEncoding: base64` (JSON Schema 2020-12).
    if obj.get("format").and_then(Value::as_str) == Some("byte") {
        obj.remove("format");
        obj.entry("contentEncoding")
            .or_insert_with(|| json!("base64"));
    }

    // Boolean exclusive bounds -> numeric exclusive bounds.
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = obj.get(flag).cloned() {
            obj.remove(flag);
            if exclusive && let Some(limit) = obj.remove(bound) {
                obj.insert(flag.to_string(), limit);
            }
        }
    }

    // `nullable: true` -> `null` joins the type (and the enum, if any).
    if let Some(nullable) = obj.remove("nullable") {
        if nullable != Value::Bool(true) {
            return;
        }
        match obj.get_mut("type") {
            Some(Value::String(t)) => {
                let t = std::mem::take(t);
                obj.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(types)) => {
                if !types.contains(&json!("null")) {
                    types.push(json!("null"));
                }
            }
            _ => {
                // No `type` (a `$ref` or a composition): null becomes an
                // alternative; annotations stay on the outer schema.
                let mut inner = serde_json::Map::new();
                let keys: Vec<String> = obj.keys().cloned().collect();
                for key in keys {
                    if !is_annotation(&key)
                        && let Some(v) = obj.remove(&key)
                    {
                        inner.insert(key, v);
                    }
                }
                obj.insert(
                    "anyOf".into(),
                    json!([Value::Object(inner), {"type": "null"}]),
                );
                return;
            }
        }
        if let Some(Value::Array(values)) = obj.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
    }
}

fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "title" | "description" | "default" | "examples" | "readOnly" | "writeOnly" | "deprecated"
    ) || key.starts_with("x-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(schema: Value) -> Value {
        let mut doc = json!({"openapi": "3.0.3", "components": {"schemas": {"S": schema}}});
        upgrade(&mut doc, Dialect::V30);
        assert_eq!(doc["openapi"], "3.1.1");
        doc["components"]["schemas"]["S"].take()
    }

    #[test]
    fn nullable_joins_the_type_and_enum() {
        assert_eq!(
            up(json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            up(json!({"type": "string", "nullable": false})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn nullable_ref_becomes_any_of_null() {
        assert_eq!(
            up(
                json!({"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": true, "description": "d"})
            ),
            json!({"description": "d", "anyOf": [{"allOf": [{"$ref": "#/components/schemas/T"}]}, {"type": "null"}]})
        );
    }

    #[test]
    fn byte_format_becomes_content_encoding() {
        assert_eq!(
            up(json!({"type": "string", "format": "byte"})),
            json!({"type": "string", "contentEncoding": "base64"})
        );
    }

    #[test]
    fn exclusive_bounds_and_examples() {
        assert_eq!(
            up(
                json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false, "example": 3})
            ),
            json!({"type": "integer", "maximum": 9, "exclusiveMinimum": 0, "examples": [3]})
        );
    }

    #[test]
    fn nested_schemas_are_upgraded_but_property_names_are_not() {
        let s = up(
            json!({"type": "object", "properties": {"nullable": {"type": "integer", "nullable": true}}}),
        );
        assert_eq!(
            s["properties"]["nullable"]["type"],
            json!(["integer", "null"])
        );
    }

    #[test]
    fn versions() {
        let p = Path::new("x.json");
        assert_eq!(
            dialect(p, &json!({"openapi": "3.0.3"})).unwrap(),
            Dialect::V30
        );
        assert_eq!(
            dialect(p, &json!({"openapi": "3.1.1"})).unwrap(),
            Dialect::V31
        );
        let e = dialect(p, &json!({"openapi": "4.0.0"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.json#/openapi: unsupported OpenAPI version \"4.0.0\" (supported: 3.0.x and 3.1.x)"
        );
        assert!(
            dialect(p, &json!({"swagger": "2.0"}))
                .unwrap_err()
                .to_string()
                .contains("swagger 2.0")
        );
        assert!(dialect(p, &json!({"openapi": 3.1})).is_err());
    }
}
