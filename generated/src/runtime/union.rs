//! Decoding `oneOf` unions by content.
//!
//! Serde's `untagged` tries each variant in order and keeps the first that
//! parses; with two open objects (Ottu's operation error and field errors)
//! the first always wins and the other is never seen. Instead, generated
//! unions describe each branch's shape (from the spec) and [`choose`] picks
//! the branch the value actually fits: admitted JSON type, required
//! properties present, property values of the declared types; among
//! several, the one that requires and declares the most of what is there,
//! then the one whose declared properties look like the undeclared ones.
//!
//! That last rule is for specs that cannot tell branches apart: Ottu's
//! published 400 union is two open objects, an operation error declaring
//! `detail: string` and field errors declaring a placeholder
//! `field_name: [string]`. A real `{"session_id": ["This field is
//! required."]}` fits both and declares nothing of either; its array value
//! looks like field errors, not like an operation error, so field errors
//! it is, instead of an empty operation error with the messages lost.

use serde_json::Value;

/// What a union branch's schema says an instance looks like.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// JSON types admitted (`None`: any).
    pub types: Option<&'static [&'static str]>,
    /// Properties an object must have.
    pub required: &'static [&'static str],
    /// Declared properties and the JSON types each admits (`None`: any).
    pub properties: &'static [(&'static str, Option<&'static [&'static str]>)],
    /// What undeclared properties may be.
    pub additional: Additional,
}

/// Rule for properties a branch does not declare.
#[derive(Debug, Clone, Copy)]
pub enum Additional {
    /// Anything.
    Any,
    /// Not allowed.
    Forbidden,
    /// Values of these JSON types.
    Types(&'static [&'static str]),
}

fn admits(types: Option<&[&str]>, value: &Value) -> bool {
    let Some(types) = types else { return true };
    let has = |t: &str| types.contains(&t);
    match value {
        Value::Null => has("null"),
        Value::Bool(_) => has("boolean"),
        Value::Number(n) => has("number") || (has("integer") && (n.is_i64() || n.is_u64())),
        Value::String(_) => has("string"),
        Value::Array(_) => has("array"),
        Value::Object(_) => has("object"),
    }
}

/// How well `value` fits `shape`: `None` if it cannot be an instance;
/// else (required properties, declared properties present, undeclared
/// properties whose value has a type some declared property has). The last
/// is a count, not a share: a body mixing many undeclared strings with a
/// few lists leans to the branch that declares strings. It only breaks ties
/// the spec leaves open, and an open branch keeps those properties anyway.
fn score(value: &Value, shape: &Shape) -> Option<(usize, usize, usize)> {
    if !admits(shape.types, value) {
        return None;
    }
    let Value::Object(map) = value else {
        return Some((0, 0, 0));
    };
    if !shape.required.iter().all(|r| map.contains_key(*r)) {
        return None;
    }
    let mut declared = 0;
    let mut alike = 0;
    for (key, v) in map {
        match shape.properties.iter().find(|(name, _)| name == key) {
            Some((_, types)) => {
                if !admits(*types, v) {
                    return None;
                }
                declared += 1;
            }
            None => match shape.additional {
                Additional::Any => {
                    let resembles = shape
                        .properties
                        .iter()
                        .any(|(_, types)| types.is_some() && admits(*types, v));
                    alike += usize::from(resembles);
                }
                Additional::Forbidden => return None,
                Additional::Types(t) => {
                    if !admits(Some(t), v) {
                        return None;
                    }
                }
            },
        }
    }
    Some((shape.required.len(), declared, alike))
}

/// How much of `shape` an object that fits no branch exactly still has:
/// (required properties present, declared properties present with their
/// type, declared properties present). `None`: not an object this branch
/// admits, an undeclared value of a type it forbids (a typed map), or
/// nothing of the branch at all.
fn closeness(value: &Value, shape: &Shape) -> Option<(usize, usize, usize)> {
    let Value::Object(map) = value else {
        return None;
    };
    if !admits(shape.types, value) {
        return None;
    }
    let required = shape
        .required
        .iter()
        .filter(|r| map.contains_key(**r))
        .count();
    let (mut typed, mut present) = (0, 0);
    for (key, v) in map {
        match shape.properties.iter().find(|(name, _)| name == key) {
            Some((_, types)) => {
                present += 1;
                typed += usize::from(admits(*types, v));
            }
            None => {
                if let Additional::Types(t) = shape.additional
                    && !admits(Some(t), v)
                {
                    return None;
                }
            }
        }
    }
    (present > 0).then_some((required, typed, present))
}

fn best<S: PartialOrd + Copy>(shapes: &[Shape], f: impl Fn(&Shape) -> Option<S>) -> Option<usize> {
    let mut best: Option<(usize, S)> = None;
    for (i, shape) in shapes.iter().enumerate() {
        if let Some(s) = f(shape)
            && best.is_none_or(|(_, b)| s > b)
        {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// The branch `value` belongs to: the most specific one it fits (ties go to
/// the earlier branch, deterministically). An object that fits none exactly
/// (a response missing a required field, or with a value of another type:
/// the drift Ottu is known for) goes to the branch it is closest to, whose
/// tolerant struct keeps what does not fit. `None`: it is close to none.
pub fn choose(value: &Value, shapes: &[Shape]) -> Option<usize> {
    best(shapes, |s| score(value, s)).or_else(|| best(shapes, |s| closeness(value, s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OBJ: Option<&[&str]> = Some(&["object"]);
    const OPERATION_ERROR: Shape = Shape {
        types: OBJ,
        required: &["detail"],
        properties: &[("detail", Some(&["string"])), ("result", Some(&["string"]))],
        additional: Additional::Any,
    };
    const FIELD_ERRORS: Shape = Shape {
        types: OBJ,
        required: &[],
        properties: &[],
        additional: Additional::Types(&["array"]),
    };

    #[test]
    fn field_errors_are_not_swallowed() {
        let shapes = [OPERATION_ERROR, FIELD_ERRORS];
        assert_eq!(
            choose(&json!({"session_id": ["This field is required."]}), &shapes),
            Some(1)
        );
        assert_eq!(
            choose(&json!({"detail": "x".repeat(300)}), &shapes),
            Some(0)
        );
        assert_eq!(
            choose(&json!({"detail": "no", "result": "failed"}), &shapes),
            Some(0)
        );
        assert_eq!(choose(&json!("text"), &shapes), None);
    }

    /// Ottu's 400 union as published (no overlay): two open objects, nothing required.
    const RAW_OPERATION_ERROR: Shape = Shape {
        types: OBJ,
        required: &[],
        properties: &[("detail", Some(&["string"])), ("result", Some(&["string"]))],
        additional: Additional::Any,
    };
    const RAW_FIELD_ERRORS: Shape = Shape {
        types: OBJ,
        required: &[],
        properties: &[("field_name", Some(&["array"]))],
        additional: Additional::Any,
    };

    #[test]
    fn field_errors_are_not_swallowed_by_the_published_union_either() {
        let shapes = [RAW_OPERATION_ERROR, RAW_FIELD_ERRORS];
        let fields = json!({"session_id": ["This field is required."], "pg_codes": ["Invalid."]});
        assert_eq!(choose(&fields, &shapes), Some(1));
        assert_eq!(
            choose(&json!({"detail": "Card expired."}), &shapes),
            Some(0)
        );
        assert_eq!(
            choose(&json!({"detail": "no", "result": "failed"}), &shapes),
            Some(0)
        );
        // Declared beats alike: a detail with a stray list is an operation error.
        assert_eq!(
            choose(&json!({"detail": "no", "extra": ["x"]}), &shapes),
            Some(0)
        );
    }

    #[test]
    fn a_drifted_object_goes_to_the_closest_branch() {
        let shapes = [OPERATION_ERROR, FIELD_ERRORS];
        // `detail` of the wrong type: no exact fit, closest is the operation error.
        assert_eq!(choose(&json!({"detail": 5}), &shapes), Some(0));
        // Nothing of either branch: no guess.
        assert_eq!(choose(&json!({"other": {"x": 1}}), &shapes), None);
        assert_eq!(choose(&json!([1]), &shapes), None);
        const WEBHOOK: Shape = Shape {
            types: OBJ,
            required: &["state", "pg_params", "amount"],
            properties: &[("state", None), ("pg_params", None), ("amount", None)],
            additional: Additional::Any,
        };
        const THREE_DS: Shape = Shape {
            types: OBJ,
            required: &["html", "state"],
            properties: &[("html", None), ("state", None)],
            additional: Additional::Any,
        };
        let no_pg_params = json!({"state": "paid", "amount": "86.000"});
        assert_eq!(choose(&no_pg_params, &[THREE_DS, WEBHOOK]), Some(1));
    }
}
