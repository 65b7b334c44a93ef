//! The one-pass judge: a copy of a response schema in which every object
//! schema that declares `properties` (and says nothing of other keys) also
//! says `additionalProperties: false`.
//!
//! Judging a body takes two questions, "is it valid?" (the validator) and
//! "does it carry keys the spec never declares?" (the walk in `shape`).
//! Asked separately they cost two passes over the body; this schema asks
//! both in the validator's one pass. A body it accepts has no finding at
//! all, so the judge stops there; any other body takes the full two-pass
//! path, which alone names findings. The strict copy is therefore only a
//! fast "clean" answer, and it must never say clean when the full path
//! would not:
//!
//! - **Sound** (strict-valid implies valid): the extra keyword only narrows
//!   a subschema, so it is placed only where narrowing a subschema narrows
//!   the whole: under `properties`, `items`, `allOf`, `anyOf`, `then`/`else`
//!   and a `oneOf` whose branches are disjoint. Under `not`, `if`,
//!   `contains`, `propertyNames` or an overlapping `oneOf`, narrowing a
//!   branch can turn a failure into a success.
//! - **Complete** (strict-valid implies no undeclared key): every object
//!   schema the walk would check gets the keyword. When one cannot (it is
//!   reachable only through an unsafe position, or the schema uses
//!   `unevaluatedProperties`, which the walk does not model), there is no
//!   strict copy and the judge always takes the two-pass path.
//!
//! Over-strictness (a `properties` schema beside an `allOf` that adds more)
//! costs speed, never correctness: such bodies take the full path.

use std::collections::{BTreeSet, HashSet};

use codegen::pointer;
use codegen::schema::{self, Distinction};
use codegen::spec::Spec;
use serde_json::Value;

/// The strict copy of `standalone` (a schema from `Spec::json_schema`, with
/// ambiguous unions already rewritten), or `None` when it cannot be both
/// sound and complete.
pub fn strict_copy(spec: &Spec, standalone: &Value) -> Option<Value> {
    let mut visit = Visit {
        spec,
        root: standalone,
        seen: HashSet::new(),
        constrain: BTreeSet::new(),
        complete: true,
    };
    visit.node(standalone, "", true);
    if !visit.complete {
        return None;
    }
    let constrain = visit.constrain;
    let mut strict = standalone.clone();
    for at in &constrain {
        if let Some(Value::Object(node)) = strict.pointer_mut(at) {
            node.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    Some(strict)
}

struct Visit<'a> {
    spec: &'a Spec,
    root: &'a Value,
    /// `(pointer, safe)` pairs already visited (recursive schemas end here).
    seen: HashSet<(String, bool)>,
    /// Pointers of the object schemas that get `additionalProperties: false`.
    constrain: BTreeSet<String>,
    complete: bool,
}

impl Visit<'_> {
    fn node(&mut self, v: &Value, at: &str, safe: bool) {
        if !self.complete || !self.seen.insert((at.to_string(), safe)) {
            return;
        }
        let Some(obj) = v.as_object() else {
            return;
        };
        if obj.contains_key("unevaluatedProperties") {
            self.complete = false;
            return;
        }
        let declares = obj
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        let open =
            obj.contains_key("additionalProperties") || obj.contains_key("patternProperties");
        if declares && !open {
            if safe {
                self.constrain.insert(at.to_string());
            } else {
                // The walk may check this schema's keys, but narrowing it here could
                // make the strict copy accept what the real one rejects.
                self.complete = false;
                return;
            }
        }
        if let Some(Value::String(target)) = obj.get("$ref") {
            let ptr = pointer::percent_decode(target.trim_start_matches('#'));
            if let Some(next) = self.root.pointer(&ptr) {
                self.node(next, &ptr, safe);
            }
        }
        for (key, child) in obj {
            let child_at = pointer::push(at, key);
            match key.as_str() {
                "properties" | "patternProperties" | "dependentSchemas" => {
                    for (name, s) in child.as_object().into_iter().flatten() {
                        self.node(s, &pointer::push(&child_at, name), safe);
                    }
                }
                "additionalProperties" | "items" | "then" | "else" => {
                    self.node(child, &child_at, safe)
                }
                "prefixItems" | "allOf" | "anyOf" => self.each(child, &child_at, safe),
                "oneOf" => {
                    let disjoint = self.disjoint(child);
                    self.each(child, &child_at, safe && disjoint)
                }
                "not" | "if" | "contains" | "propertyNames" | "unevaluatedItems" => {
                    self.node(child, &child_at, false)
                }
                _ => {}
            }
        }
    }

    fn each(&mut self, list: &Value, at: &str, safe: bool) {
        for (i, s) in list.as_array().into_iter().flatten().enumerate() {
            self.node(s, &format!("{at}/{i}"), safe);
        }
    }

    /// No instance matches two branches: a stricter branch then cannot
    /// make `oneOf` pass where it failed.
    fn disjoint(&self, branches: &Value) -> bool {
        let branches = branches.as_array().map(Vec::as_slice).unwrap_or_default();
        branches.iter().enumerate().all(|(i, a)| {
            branches[i + 1..].iter().all(|b| {
                matches!(
                    schema::distinction(self.spec, a, b),
                    Distinction::Disjoint(_)
                )
            })
        })
    }
}
