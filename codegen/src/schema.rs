//! Questions about canonical schemas that several stages ask: what types a
//! schema admits, what it requires, and whether two `oneOf` branches can be
//! told apart. `lint` reports ambiguous unions with it; `model` decides how
//! to decode a union by content with it; so both always agree.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::spec::Spec;

const ALL_TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// The JSON types an instance of `schema` may have (`integer` implies
/// `number` overlap is handled by [`types_overlap`]). `None`: any type.
pub fn types(spec: &Spec, schema: &Value) -> Option<BTreeSet<&'static str>> {
    types_depth(spec, schema, 0)
}

fn types_depth(spec: &Spec, schema: &Value, depth: usize) -> Option<BTreeSet<&'static str>> {
    if depth > 32 {
        return None;
    }
    let schema = spec.resolve(schema);
    let mut out: Option<BTreeSet<&'static str>> = match schema.get("type") {
        Some(Value::String(t)) => Some(intern(t).into_iter().collect()),
        Some(Value::Array(ts)) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .filter_map(intern)
                .collect(),
        ),
        _ => None,
    };
    let literal_types = |values: &[Value]| values.iter().map(json_type).collect::<BTreeSet<_>>();
    if let Some(c) = schema.get("const") {
        out = intersect(out, Some(literal_types(std::slice::from_ref(c))));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        out = intersect(out, Some(literal_types(values)));
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for s in all {
            out = intersect(out, types_depth(spec, s, depth + 1));
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            let mut union = BTreeSet::new();
            for b in branches {
                match types_depth(spec, b, depth + 1) {
                    Some(t) => union.extend(t),
                    None => return out,
                }
            }
            out = intersect(out, Some(union));
        }
    }
    out
}

fn intersect(
    a: Option<BTreeSet<&'static str>>,
    b: Option<BTreeSet<&'static str>>,
) -> Option<BTreeSet<&'static str>> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            // `integer` values are also `number` values.
            let mut out: BTreeSet<&'static str> = a.intersection(&b).copied().collect();
            if (a.contains("number") && b.contains("integer"))
                || (a.contains("integer") && b.contains("number"))
            {
                out.insert("integer");
            }
            Some(out)
        }
    }
}

fn intern(t: &str) -> Option<&'static str> {
    ALL_TYPES.iter().copied().find(|x| *x == t)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Property names an object instance must have (`required`, through `allOf`).
pub fn required(spec: &Spec, schema: &Value) -> BTreeSet<String> {
    let schema = spec.resolve(schema);
    let mut out: BTreeSet<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for s in all {
            out.extend(required(spec, s));
        }
    }
    out
}

/// What a schema says about one property of an object instance.
#[derive(Debug, Clone, Copy)]
pub enum PropertyRule<'a> {
    /// Declared under `properties` (or matched through `allOf`).
    Declared(&'a Value),
    /// Not declared; `additionalProperties` gives its schema.
    Additional(&'a Value),
    /// `additionalProperties: false` and not declared.
    Forbidden,
    /// Anything goes.
    Any,
}

/// How `schema` constrains property `name`.
pub fn property<'a>(spec: &'a Spec, schema: &'a Value, name: &str) -> PropertyRule<'a> {
    let schema = spec.resolve(schema);
    if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
        return PropertyRule::Declared(p);
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for s in all {
            if let rule @ (PropertyRule::Declared(_)
            | PropertyRule::Forbidden
            | PropertyRule::Additional(_)) = property(spec, s, name)
            {
                return rule;
            }
        }
    }
    match schema.get("additionalProperties") {
        Some(Value::Bool(false)) => PropertyRule::Forbidden,
        Some(Value::Bool(true)) | None => PropertyRule::Any,
        Some(s) => PropertyRule::Additional(s),
    }
}

/// Can two type sets share an instance?
pub fn types_overlap(
    a: &Option<BTreeSet<&'static str>>,
    b: &Option<BTreeSet<&'static str>>,
) -> bool {
    match intersect(a.clone(), b.clone()) {
        None => true,
        Some(s) => !s.is_empty(),
    }
}

/// Why no instance can match both `a` and `b`; `None` if one might.
///
/// Provable cases: disjoint types; a property one side requires that the
/// other forbids or types incompatibly; a required property whose `const`
/// or `enum` values differ on both sides.
pub fn disjoint(spec: &Spec, a: &Value, b: &Value) -> Option<String> {
    let (ta, tb) = (types(spec, a), types(spec, b));
    if !types_overlap(&ta, &tb) {
        return Some("their types differ".into());
    }
    let could_be_object =
        |t: &Option<BTreeSet<&str>>| t.as_ref().is_none_or(|s| s.contains("object"));
    if !(could_be_object(&ta) && could_be_object(&tb)) {
        return None;
    }
    for (x, y) in [(a, b), (b, a)] {
        for name in required(spec, x) {
            let in_x = match property(spec, x, &name) {
                PropertyRule::Declared(s) | PropertyRule::Additional(s) => Some(s),
                _ => None,
            };
            match property(spec, y, &name) {
                PropertyRule::Forbidden => {
                    return Some(format!(
                        "`{name}` is required by one and forbidden by the other"
                    ));
                }
                PropertyRule::Declared(sy) | PropertyRule::Additional(sy) => {
                    if let Some(sx) = in_x {
                        if !types_overlap(&types(spec, sx), &types(spec, sy)) {
                            return Some(format!("`{name}` has a different type in each"));
                        }
                        if required(spec, y).contains(&name) && literals_disjoint(spec, sx, sy) {
                            return Some(format!("`{name}` takes different fixed values in each"));
                        }
                    }
                }
                PropertyRule::Any => {}
            }
        }
    }
    None
}

fn literals(spec: &Spec, s: &Value) -> Option<Vec<Value>> {
    let s = spec.resolve(s);
    if let Some(c) = s.get("const") {
        return Some(vec![c.clone()]);
    }
    s.get("enum").and_then(Value::as_array).cloned()
}

fn literals_disjoint(spec: &Spec, a: &Value, b: &Value) -> bool {
    match (literals(spec, a), literals(spec, b)) {
        (Some(x), Some(y)) => !x.iter().any(|v| y.contains(v)),
        _ => false,
    }
}

/// How decoders and validators can tell two union branches apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distinction {
    /// No instance matches both.
    Disjoint(String),
    /// Each branch requires a property the other does not: an instance with
    /// only one side's required properties matches only that side. Open
    /// objects carrying both sets still match both (decoders pick by the
    /// most specific match).
    ByRequired,
    /// Some instance valid for one branch is always valid for the other.
    Ambiguous,
}

/// Classifies a pair of union branches.
pub fn distinction(spec: &Spec, a: &Value, b: &Value) -> Distinction {
    if let Some(why) = disjoint(spec, a, b) {
        return Distinction::Disjoint(why);
    }
    let (ra, rb) = (required(spec, a), required(spec, b));
    if !ra.is_subset(&rb) && !rb.is_subset(&ra) {
        return Distinction::ByRequired;
    }
    Distinction::Ambiguous
}
