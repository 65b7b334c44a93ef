//! Named drift the mock injects into a canned response (`X-Mock-Drift`),
//! so the suite can prove it detects each kind.
//!
//! | drift | what changes | pointer (`X-Mock-Drift-Pointer`) |
//! |---|---|---|
//! | `remove-required` | drops the first required property present | `/<prop>` (`/0/<prop>` for a list) |
//! | `change-type` | first string-typed property becomes the number 12345 | `/<prop>` |
//! | `add-enum-value` | first enum property gets `x-drifted-value` (nested objects searched too) | `/<...>/<prop>` |
//! | `add-field` | adds `"x_mock_added_field": "drift"` | `/x_mock_added_field` |
//! | `bad-format` | first `date-time`/`date`/`email`/`uri` string gets Ottu's `2023-12-13 13:42:35` | `/<prop>` |
//! | `too-long` | first string with `maxLength` gets one character too many | `/<prop>` |
//! | `undocumented-status` | status 418, same body | (none) |
//! | `wrong-content-type` | `Content-Type: text/plain` | (none) |
//! | `not-json` | an HTML 502 page labelled `application/json` | (none) |
//! | `empty-body` | no body at all | (none) |

use bytes::Bytes;
use codegen::pointer;
use serde_json::{Map, Value};

use codegen::sample::flatten;
use codegen::spec::Spec;

use super::routes::Canned;

/// Every drift name the mock understands.
pub const DRIFTS: &[&str] = &[
    "remove-required",
    "change-type",
    "add-enum-value",
    "add-field",
    "bad-format",
    "too-long",
    "undocumented-status",
    "wrong-content-type",
    "not-json",
    "empty-body",
];

/// A drifted response.
#[derive(Debug)]
pub struct Drifted {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub pointer: Option<String>,
}

/// Applies drift `name` to `canned`; an error names why it cannot (unknown
/// name, or nothing in this response it could apply to).
pub fn apply(canned: &Canned, name: &str) -> Result<Drifted, String> {
    let mut out = Drifted {
        status: canned.status,
        content_type: canned.content_type.clone(),
        body: canned.body.clone(),
        pointer: None,
    };
    match name.trim() {
        "undocumented-status" => out.status = 418,
        "wrong-content-type" => out.content_type = Some("text/plain; charset=utf-8".into()),
        "not-json" => out.body = Bytes::from_static(b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"),
        "empty-body" => out.body = Bytes::new(),
        other => match canned.drifted.iter().find(|d| d.0 == other) {
            Some((_, body, pointer)) => {
                out.body = body.clone();
                out.pointer = Some(pointer.clone());
            }
            None if DRIFTS.contains(&other) => return Err(format!("drift `{other}` finds nothing to change in this response")),
            None => return Err(format!("unknown drift `{}` (known: {})", crate::drift::excerpt(other, 40), DRIFTS.join(", "))),
        },
    }
    Ok(out)
}

/// The drifts that rewrite the body, precomputed at startup for each canned response.
pub const STRUCTURAL: &[&str] = &[
    "remove-required",
    "change-type",
    "add-enum-value",
    "add-field",
    "bad-format",
    "too-long",
];

/// `value` with drift `drift` applied and the pointer it touched, or
/// `None` when nothing in it fits.
pub fn structural(
    spec: &Spec,
    value: &Value,
    schema: &Value,
    drift: &str,
) -> Option<(Value, String)> {
    let mut value = value.clone();
    let pointer = mutate(spec, &mut value, schema, drift)?;
    Some((value, pointer))
}

fn mutate(spec: &Spec, value: &mut Value, schema: &Value, drift: &str) -> Option<String> {
    let flat = flatten(spec, schema, 0);
    // Lists: drift the first item.
    if let Value::Array(items) = value {
        let item_schema = flat.get("items")?.clone();
        let first = items.first_mut()?;
        return mutate(spec, first, &item_schema, drift).map(|p| format!("/0{p}"));
    }
    let obj = value.as_object_mut()?;
    let props: Map<String, Value> = flat
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), flatten(spec, v, 0)))
                .collect()
        })
        .unwrap_or_default();
    let required: Vec<&str> = flat
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let prop = |k: &str, key: &str| props.get(k).and_then(|p| p.get(key)).cloned();
    let key = match drift {
        "add-field" => {
            obj.insert("x_mock_added_field".into(), Value::String("drift".into()));
            return Some("/x_mock_added_field".into());
        }
        "remove-required" => {
            let key = required.iter().find(|r| obj.contains_key(**r))?.to_string();
            obj.remove(&key);
            return Some(pointer::push("", &key));
        }
        "change-type" => {
            let k = obj
                .iter()
                .find(|(k, v)| {
                    v.is_string() && prop(k, "type") == Some(Value::String("string".into()))
                })?
                .0
                .clone();
            obj.insert(k.clone(), Value::from(12345));
            k
        }
        "bad-format" => {
            let k = obj
                .iter()
                .find(|(k, v)| {
                    v.is_string()
                        && prop(k, "format")
                            .and_then(|f| f.as_str().map(str::to_string))
                            .is_some_and(|f| {
                                matches!(f.as_str(), "date-time" | "date" | "email" | "uri")
                            })
                })?
                .0
                .clone();
            obj.insert(k.clone(), Value::String("2023-12-13 13:42:35".into()));
            k
        }
        "too-long" => {
            let (k, max) = obj.iter().find_map(|(k, v)| {
                Some((
                    k.clone(),
                    prop(k, "maxLength")
                        .and_then(|m| m.as_u64())
                        .filter(|_| v.is_string())?,
                ))
            })?;
            obj.insert(k.clone(), Value::String("x".repeat(max as usize + 1)));
            k
        }
        "add-enum-value" => {
            if let Some(k) = obj.keys().find(|k| prop(k, "enum").is_some()).cloned() {
                obj.insert(k.clone(), Value::String("x-drifted-value".into()));
                k
            } else {
                // Nested objects, in body order.
                let keys: Vec<String> = obj.keys().cloned().collect();
                for k in keys {
                    let Some(child_schema) = props.get(&k) else {
                        continue;
                    };
                    if let Some(child) = obj.get_mut(&k).filter(|c| c.is_object() || c.is_array())
                        && let Some(p) = mutate(spec, child, child_schema, drift)
                    {
                        return Some(format!("{}{p}", pointer::push("", &k)));
                    }
                }
                return None;
            }
        }
        _ => return None,
    };
    Some(pointer::push("", &key))
}
