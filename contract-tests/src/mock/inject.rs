//! Named drift the mock injects into a canned response (`X-Mock-Drift`),
//! so the suite can prove it detects each kind.
//!
//! | drift | what changes | pointer (`X-Mock-Drift-Pointer`) |
//! |---|---|---|
//! | `remove-required` | drops the first required property present | `/<prop>` (`/0/<prop>` for a list) |
//! | `change-type` | first string-typed property becomes the number 12345 | `/<prop>` |
//! | `add-enum-value` | first enum property gets `x-drifted-value` (nested objects searched too) | `/<...>/<prop>` |
//! | `add-field` | adds `"x_mock_added_field": "drift"` where undeclared properties are undocumented | `/x_mock_added_field` |
//! | `bad-format` | first `date-time`/`date`/`email`/`uri` string gets Ottu's `2023-12-13 13:42:35` | `/<prop>` |
//! | `too-long` | first string with `maxLength` gets one character too many | `/<prop>` |
//! | `out-of-range` | first integer with `maximum` (or `minimum`) gets one past it, added if absent (nested objects searched too) | `/<...>/<prop>` |
//! | `bad-pattern` | first string with a `pattern` gets a value it does not match, added if absent (nested objects searched, absent ones sampled) | `/<...>/<prop>` |
//! | `undocumented-status` | status 418, same body | (none) |
//! | `wrong-content-type` | `Content-Type: text/plain` | (none) |
//! | `not-json` | an HTML 502 page labelled `application/json` | (none) |
//! | `empty-body` | no body at all | (none) |

use bytes::Bytes;
use codegen::pointer;
use serde_json::{Map, Value};

use codegen::sample::flatten;
use codegen::spec::Spec;

use super::canned::Canned;
pub use super::drifts::Drift;

/// A drifted response.
#[derive(Debug)]
pub struct Drifted {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub pointer: Option<String>,
}

/// Applies drift `name` to `canned`: `Ok(None)` when this response has
/// nothing the drift could change (a 204 has no field to add), an error for
/// an unknown name.
pub fn apply(canned: &Canned, name: &str) -> Result<Option<Drifted>, String> {
    let mut out = Drifted {
        status: canned.status,
        content_type: canned.content_type.clone(),
        body: canned.body.clone(),
        pointer: None,
    };
    let Some(drift) = Drift::parse(name) else {
        let known: Vec<&str> = Drift::ALL.iter().map(|d| d.name()).collect();
        return Err(format!(
            "unknown drift `{}` (known: {})",
            crate::drift::excerpt(name.trim(), 40),
            known.join(", ")
        ));
    };
    match drift {
        Drift::UndocumentedStatus => out.status = 418,
        Drift::WrongContentType => out.content_type = Some("text/plain; charset=utf-8".into()),
        Drift::NotJson => out.body = Bytes::from_static(b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"),
        Drift::EmptyBody => out.body = Bytes::new(),
        structural => match canned.drifted.iter().find(|d| d.0 == structural) {
            Some((_, body, pointer)) => {
                out.body = body.clone();
                out.pointer = Some(pointer.clone());
            }
            None => return Ok(None),
        },
    }
    Ok(Some(out))
}

/// `value` with drift `drift` applied and the pointer it touched, or
/// `None` when nothing in it fits.
pub fn structural(
    spec: &Spec,
    value: &Value,
    schema: &Value,
    drift: Drift,
) -> Option<(Value, String)> {
    let mut value = value.clone();
    let pointer = mutate(spec, &mut value, schema, drift, 0)?;
    Some((value, pointer))
}

fn has_type(p: &Value, ty: &str) -> bool {
    match p.get("type") {
        Some(Value::String(t)) => t == ty,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == ty),
        _ => false,
    }
}

/// One past the property's integer bound, if it has one.
fn out_of_range(p: &Value) -> Option<Value> {
    if !has_type(p, "integer") {
        return None;
    }
    let bound = |k: &str| p.get(k).and_then(Value::as_i64);
    match (bound("maximum"), bound("minimum")) {
        (Some(max), _) => Some(Value::from(max.checked_add(1)?)),
        (None, Some(min)) => Some(Value::from(min.checked_sub(1)?)),
        _ => None,
    }
}

/// A string the property's `pattern` does not match, if it has one.
fn mismatching(p: &Value) -> Option<Value> {
    if !has_type(p, "string") {
        return None;
    }
    let pattern = p.get("pattern")?.as_str()?;
    let check = jsonschema::validator_for(&serde_json::json!({ "pattern": pattern })).ok()?;
    ["drift value!", " ", "", "\u{1f4a5}", "x-drift", "0"]
        .into_iter()
        .map(Value::from)
        .find(|v| !check.is_valid(v))
}

/// How deep the nested searches go: a recursive schema (`Node {parent?:
/// Node}`) would otherwise sample and descend forever.
const MAX_DEPTH: usize = 8;

fn mutate(
    spec: &Spec,
    value: &mut Value,
    schema: &Value,
    drift: Drift,
    depth: usize,
) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let flat = flatten(spec, schema, 0);
    // Lists: drift the first item.
    if let Value::Array(items) = value {
        let item_schema = flat.get("items")?.clone();
        let first = items.first_mut()?;
        return mutate(spec, first, &item_schema, drift, depth + 1).map(|p| format!("/0{p}"));
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
    let prop = |k: &str, key: &str| props.get(k).and_then(|p| p.get(key)).cloned();
    let key = match drift {
        Drift::AddField => return add_field(&flat, obj),
        Drift::RemoveRequired => return remove_required(&flat, obj),
        Drift::OutOfRange | Drift::BadPattern => {
            return bad_value(spec, obj, &props, drift, depth);
        }
        Drift::AddEnumValue => return add_enum_value(spec, obj, &props, depth),
        Drift::ChangeType => {
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
        Drift::BadFormat => {
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
        Drift::TooLong => {
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
        Drift::UndocumentedStatus | Drift::WrongContentType | Drift::NotJson | Drift::EmptyBody => {
            return None;
        }
    };
    Some(pointer::push("", &key))
}

/// `add-field`: an undeclared property, where undeclared ones are drift.
fn add_field(flat: &Value, obj: &mut Map<String, Value>) -> Option<String> {
    // Where the schema describes undeclared properties (a map of field
    // errors), another key is no drift; where it forbids them (a closed
    // object such as `DrfRequestError`), another key breaks the schema: an
    // error, which other drifts inject, not this warning.
    if flat.get("additionalProperties").is_some() {
        return None;
    }
    obj.insert("x_mock_added_field".into(), Value::String("drift".into()));
    Some("/x_mock_added_field".into())
}

/// `remove-required`: the first required property present goes.
fn remove_required(flat: &Value, obj: &mut Map<String, Value>) -> Option<String> {
    let key = flat
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|r| obj.contains_key(*r))?
        .to_string();
    obj.remove(&key);
    Some(pointer::push("", &key))
}

/// `out-of-range` and `bad-pattern`: the first property with a bound or a
/// pattern gets a value past it (added if absent); else nested objects,
/// present ones first, then absent ones, sampled.
fn bad_value(
    spec: &Spec,
    obj: &mut Map<String, Value>,
    props: &Map<String, Value>,
    drift: Drift,
    depth: usize,
) -> Option<String> {
    let wrong = |p: &Value| match drift {
        Drift::OutOfRange => out_of_range(p),
        _ => mismatching(p),
    };
    if let Some((k, bad)) = props.iter().find_map(|(k, p)| Some((k.clone(), wrong(p)?))) {
        obj.insert(k.clone(), bad);
        return Some(pointer::push("", &k));
    }
    for (k, child_schema) in props {
        if let Some(child) = obj.get_mut(k).filter(|c| c.is_object() || c.is_array())
            && let Some(p) = mutate(spec, child, child_schema, drift, depth + 1)
        {
            return Some(format!("{}{p}", pointer::push("", k)));
        }
    }
    for (k, child_schema) in props {
        if obj.contains_key(k) {
            continue;
        }
        let mut child = codegen::sample::instance(spec, child_schema, 0);
        if (child.is_object() || child.is_array())
            && let Some(p) = mutate(spec, &mut child, child_schema, drift, depth + 1)
        {
            obj.insert(k.clone(), child);
            return Some(format!("{}{p}", pointer::push("", k)));
        }
    }
    None
}

/// `add-enum-value`: the first enum property gets an undocumented value;
/// else nested objects, in body order.
fn add_enum_value(
    spec: &Spec,
    obj: &mut Map<String, Value>,
    props: &Map<String, Value>,
    depth: usize,
) -> Option<String> {
    let is_enum = |k: &str| props.get(k).is_some_and(|p| p.get("enum").is_some());
    if let Some(k) = obj.keys().find(|k| is_enum(k)).cloned() {
        obj.insert(k.clone(), Value::String("x-drifted-value".into()));
        return Some(pointer::push("", &k));
    }
    let keys: Vec<String> = obj.keys().cloned().collect();
    for k in keys {
        let Some(child_schema) = props.get(&k) else {
            continue;
        };
        if let Some(child) = obj.get_mut(&k).filter(|c| c.is_object() || c.is_array())
            && let Some(p) = mutate(spec, child, child_schema, Drift::AddEnumValue, depth + 1)
        {
            return Some(format!("{}{p}", pointer::push("", &k)));
        }
    }
    None
}
