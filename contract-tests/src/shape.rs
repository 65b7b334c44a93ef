//! Which properties the spec declares, precomputed per schema, so the
//! undocumented-property walk is a hash lookup per key (JSON Schema allows
//! undeclared properties, so the validator cannot see them: the API grew).

use std::collections::{HashMap, HashSet};

use codegen::pointer;
use codegen::spec::Spec;
use serde_json::Value;

pub type ShapeId = usize;

/// What a schema declares about an instance's structure.
#[derive(Debug, Default, Clone)]
pub struct Shape {
    /// Declared properties (through `allOf`) and the shape of each value.
    pub props: HashMap<String, ShapeId>,
    /// `additionalProperties` (or `patternProperties`): undeclared keys are documented.
    pub additional: Option<ShapeId>,
    pub items: Option<ShapeId>,
    /// `oneOf`/`anyOf` branches: the walk follows the one the content names.
    pub branches: Vec<ShapeId>,
    pub required: Vec<String>,
    /// `enum` or `const`: the only values allowed (a union's discriminator).
    pub values: Option<Vec<Value>>,
    /// Pointer of the schema in the merged document (for findings).
    pub pointer: String,
}

impl Shape {
    /// Declares properties and says nothing of others: only then is an
    /// unknown key drift. `{}` and maps (`additionalProperties`) are open on purpose.
    fn documents_keys(&self) -> bool {
        !self.props.is_empty() && self.additional.is_none()
    }
}

/// An arena of shapes, built once from the spec.
#[derive(Debug, Default)]
pub struct Shapes {
    arena: Vec<Shape>,
    by_pointer: HashMap<String, ShapeId>,
}

/// One undeclared property found by [`Shapes::undocumented`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undocumented {
    pub pointer: String,
    pub schema: String,
}

impl Shapes {
    /// The shape of a schema of `spec` (inline or `$ref`).
    pub fn build(&mut self, spec: &Spec, schema: &Value) -> ShapeId {
        self.build_at(spec, schema, "", 0)
    }

    fn build_at(&mut self, spec: &Spec, schema: &Value, at: &str, depth: usize) -> ShapeId {
        let (schema, at) = match schema.get("$ref").and_then(Value::as_str) {
            Some(t) => {
                let ptr = pointer::percent_decode(t.trim_start_matches('#'));
                if let Some(&id) = self.by_pointer.get(&ptr) {
                    return id;
                }
                (spec.resolve(schema), ptr)
            }
            None => (schema, at.to_string()),
        };
        let id = self.arena.len();
        self.arena.push(Shape {
            pointer: at.clone(),
            ..Shape::default()
        });
        if !at.is_empty() && at.starts_with("/components/") {
            self.by_pointer.insert(at.clone(), id);
        }
        if depth > 64 {
            return id;
        }
        let mut shape = Shape {
            pointer: at.clone(),
            ..Shape::default()
        };
        self.collect(spec, schema, &at, depth, &mut shape);
        self.arena[id] = shape;
        id
    }

    fn collect(&mut self, spec: &Spec, schema: &Value, at: &str, depth: usize, shape: &mut Shape) {
        let Some(obj) = schema.as_object() else {
            return;
        };
        if let Some(Value::Object(props)) = obj.get("properties") {
            for (k, p) in props {
                let child = self.build_at(
                    spec,
                    p,
                    &pointer::push(&pointer::push(at, "properties"), k),
                    depth + 1,
                );
                shape.props.insert(k.clone(), child);
            }
        }
        if let Some(Value::Array(values)) = obj.get("enum") {
            shape.values = Some(values.clone());
        } else if let Some(value) = obj.get("const") {
            shape.values = Some(vec![value.clone()]);
        }
        if let Some(Value::Array(req)) = obj.get("required") {
            shape
                .required
                .extend(req.iter().filter_map(Value::as_str).map(str::to_string));
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(false)) | None => {}
            Some(a) => {
                shape.additional = Some(self.build_at(
                    spec,
                    a,
                    &pointer::push(at, "additionalProperties"),
                    depth + 1,
                ))
            }
        }
        if obj.get("patternProperties").is_some() && shape.additional.is_none() {
            let open = self.open();
            shape.additional = Some(open);
        }
        if let Some(items) = obj.get("items") {
            shape.items = Some(self.build_at(spec, items, &pointer::push(at, "items"), depth + 1));
        }
        if let Some(Value::Array(all)) = obj.get("allOf") {
            for (i, part) in all.iter().enumerate() {
                let part_at = format!("{}/{i}", pointer::push(at, "allOf"));
                let part_id = self.build_at(spec, part, &part_at, depth + 1);
                let part = self.arena[part_id].clone();
                for (k, v) in part.props {
                    shape.props.entry(k).or_insert(v);
                }
                shape.required.extend(part.required);
                shape.additional = shape.additional.or(part.additional);
                shape.items = shape.items.or(part.items);
                shape.branches.extend(part.branches);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                for (i, b) in branches.iter().enumerate() {
                    let b_at = format!("{}/{i}", pointer::push(at, key));
                    let id = self.build_at(spec, b, &b_at, depth + 1);
                    shape.branches.push(id);
                }
            }
        }
    }

    fn open(&mut self) -> ShapeId {
        self.arena.push(Shape::default());
        self.arena.len() - 1
    }

    /// Calls `found` for every object key of `instance` that `shape`
    /// declares nowhere. Allocates nothing when there is none.
    pub fn undocumented(
        &self,
        shape: ShapeId,
        instance: &Value,
        found: &mut dyn FnMut(Undocumented),
    ) {
        self.walk(shape, instance, &mut Vec::new(), found);
    }

    fn walk<'v>(
        &self,
        id: ShapeId,
        instance: &'v Value,
        path: &mut Vec<PathToken<'v>>,
        found: &mut dyn FnMut(Undocumented),
    ) {
        let shape = &self.arena[id];
        match instance {
            Value::Object(map) => {
                let branch = self.choose(shape, map);
                let branch_shape = branch.map(|b| &self.arena[b]);
                // Keys declared by the node or by the branch its content names.
                for (k, v) in map {
                    let next = shape
                        .props
                        .get(k)
                        .or_else(|| branch_shape.and_then(|b| b.props.get(k)));
                    let next = next
                        .copied()
                        .or(shape.additional)
                        .or_else(|| branch_shape.and_then(|b| b.additional));
                    path.push(PathToken::Key(k));
                    match next {
                        Some(n) => self.walk(n, v, path, found),
                        None => {
                            let documents = shape.documents_keys()
                                || branch_shape.is_some_and(Shape::documents_keys);
                            if documents {
                                let schema = branch_shape
                                    .filter(|b| b.documents_keys())
                                    .unwrap_or(shape)
                                    .pointer
                                    .clone();
                                found(Undocumented {
                                    pointer: render(path),
                                    schema,
                                });
                            }
                        }
                    }
                    path.pop();
                }
            }
            Value::Array(items) => {
                let item_shape = shape
                    .items
                    .or_else(|| shape.branches.iter().find_map(|&b| self.arena[b].items));
                if let Some(item) = item_shape {
                    for (i, v) in items.iter().enumerate() {
                        path.push(PathToken::Index(i));
                        self.walk(item, v, path, found);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    /// The union branch an object's content names: fewest values a branch
    /// forbids (`instrument_type: "token"` names the branch whose
    /// `instrument_type` is `enum: [token]`), fewest missing required
    /// properties, then most declared keys present, then the least specific.
    pub fn choose(&self, shape: &Shape, map: &serde_json::Map<String, Value>) -> Option<ShapeId> {
        shape.branches.iter().copied().max_by_key(|&b| {
            let s = &self.arena[b];
            let forbidden = map
                .iter()
                .filter(|(k, v)| {
                    s.props
                        .get(*k)
                        .and_then(|&p| self.arena[p].values.as_ref())
                        .is_some_and(|allowed| !allowed.contains(v))
                })
                .count();
            let missing = s.required.iter().filter(|r| !map.contains_key(*r)).count();
            let declared = map.keys().filter(|k| s.props.contains_key(*k)).count();
            // Ties go to the branch declaring least, and among those to the
            // last: the validator's fallback branch (`rewrite_ambiguous`).
            // Branch shapes are built in order, so a later branch has a
            // larger id.
            (
                std::cmp::Reverse(forbidden),
                std::cmp::Reverse(missing),
                declared,
                std::cmp::Reverse(s.props.len()),
                b,
            )
        })
    }

    pub fn get(&self, id: ShapeId) -> &Shape {
        &self.arena[id]
    }

    /// Names of properties declared anywhere (used to keep reports free of secrets).
    pub fn all_names(&self) -> HashSet<&str> {
        self.arena
            .iter()
            .flat_map(|s| s.props.keys().map(String::as_str))
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum PathToken<'v> {
    Key(&'v str),
    Index(usize),
}

fn render(path: &[PathToken<'_>]) -> String {
    let mut out = String::new();
    for t in path {
        match t {
            PathToken::Key(k) => out = pointer::push(&out, k),
            PathToken::Index(i) => out = format!("{out}/{i}"),
        }
    }
    out
}
