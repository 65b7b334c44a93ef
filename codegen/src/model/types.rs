//! Schemas -> named Rust types. Components keep their names; inline object,
//! enum and union schemas are named after their parent and property;
//! identical inline schemas share one type; a schema reachable from a
//! request body whose closure has `readOnly` properties or numbers gets a
//! `<Name>Request` variant.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{Map, Value};

use super::naming::{Namespace, snake, type_name};
use super::{
    Additional, Checks, EnumVariant, Field, Shape, Ty, TypeDef, TypeKind, UnionVariant, doc_of,
    enum_labels,
};
use crate::schema;
use crate::spec::Spec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Mode {
    Response,
    Request,
}

/// `paymentData`, `payment_data`, `Payment-Data` -> `paymentdata`.
fn secret_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Is the property `json` of the type `owner` one of `secrets` (the spec's
/// secret fields: never shown by `Debug`, whatever their type)? Names are
/// compared without case, `_` or `-` (`paymentData` is `payment_data`);
/// `Type.name` stands for one type's property only.
pub(crate) fn is_secret_field(secrets: &[&str], owner: &str, json: &str) -> bool {
    let key = secret_key(json);
    let owner = secret_key(owner.trim_end_matches("Request"));
    secrets.iter().any(|s| match s.split_once('.') {
        Some((t, name)) => secret_key(t) == owner && secret_key(name) == key,
        None => secret_key(s) == key,
    })
}

struct Pending {
    /// An identical component defined earlier: this one is an alias of it.
    alias_of: Option<String>,
    name: String,
    pointer: String,
    schema: Value,
    mode: Mode,
}

pub(crate) struct Builder<'a> {
    pub(crate) spec: &'a Spec,
    pub(crate) names: Namespace,
    /// (component pointer or canonical inline schema, mode) -> type name.
    by_key: BTreeMap<(String, Mode), String>,
    pending: VecDeque<Pending>,
    done: Vec<TypeDef>,
    request_memo: BTreeMap<String, bool>,
    /// Component pointers a response body (or the webhook payload) can
    /// hold: their types decode tolerantly, so a request use of one with
    /// required properties gets its own strict variant.
    response_refs: BTreeSet<String>,
}

fn component_pointer(r: &str) -> Option<&str> {
    r.strip_prefix('#')
}

/// The schema without prose, for recognising identical inline schemas.
fn canonical(schema: &Value) -> String {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "description" | "title" | "example" | "examples")
                    })
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(schema).to_string()
}

fn type_set(t: Option<BTreeSet<&'static str>>) -> Option<Vec<String>> {
    t.map(|s| s.into_iter().map(str::to_string).collect())
}

impl<'a> Builder<'a> {
    pub(crate) fn new(spec: &'a Spec) -> Self {
        Self {
            spec,
            names: Namespace::new(&[
                "Client", "Config", "Auth", "Error", "Secret", "Nullable", "Decimal", "Value",
                "Map", "Result", "Option", "String", "Vec", "Box",
            ]),
            by_key: BTreeMap::new(),
            pending: VecDeque::new(),
            done: Vec::new(),
            request_memo: BTreeMap::new(),
            response_refs: response_refs(spec),
        }
    }

    /// Names every component schema first, so components get their own
    /// names before any inline schema could take them.
    pub(crate) fn components(&mut self) {
        let mut comps: Vec<(String, Value)> = self
            .spec
            .schemas()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        // The merge policy's owners name things first, in their load order:
        // where a fallback document (Ottu's whole API) defines a schema
        // identical to an owner's under another name, the owner's name is
        // the type and the fallback's an alias, whichever file loaded
        // first. Stable: with no fallback the order is unchanged.
        comps.sort_by_key(|(n, _)| {
            self.spec
                .first_owner(&crate::pointer::push("/components/schemas", n))
                .unwrap_or(usize::MAX)
        });
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (name, schema) in &comps {
            let pointer = crate::pointer::push("/components/schemas", name);
            let rust = self.names.claim(&type_name(name), "");
            self.by_key
                .insert((pointer.clone(), Mode::Response), rust.clone());
            // Identical schemas under several names (each spec declares its
            // own `...Errors` union) become one type and aliases of it.
            let alias_of = match seen.get(&canonical(schema)) {
                Some(first) => Some(first.clone()),
                None => {
                    seen.insert(canonical(schema), rust.clone());
                    None
                }
            };
            self.pending.push_back(Pending {
                alias_of,
                name: rust,
                pointer,
                schema: schema.clone(),
                mode: Mode::Response,
            });
        }
        self.drain();
    }

    pub(crate) fn finish(mut self, operations: &[super::OperationDef]) -> Vec<TypeDef> {
        self.drain();
        let webhook = self
            .spec
            .webhook_payload()
            .map(|n| crate::pointer::push("/components/schemas", n));
        decide_decoding(&mut self.done, operations, webhook.as_deref());
        keep_undeclared(&mut self.done);
        self.done
    }

    fn drain(&mut self) {
        while let Some(p) = self.pending.pop_front() {
            let def = self.define(&p);
            self.done.push(def);
        }
    }

    /// Does a request use of this schema need its own variant?
    fn needs_request_variant(&mut self, pointer: &str) -> bool {
        if let Some(v) = self.request_memo.get(pointer) {
            return *v;
        }
        self.request_memo.insert(pointer.to_string(), false); // cycles: assume no
        let schema = self
            .spec
            .document()
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null);
        let v = self.closure_differs(&schema, 0)
            || (self.response_refs.contains(pointer) && requires_something(&schema));
        self.request_memo.insert(pointer.to_string(), v);
        v
    }

    fn closure_differs(&mut self, schema: &Value, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match schema {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref")
                    && let Some(p) = component_pointer(r)
                    && self.needs_request_variant(p)
                {
                    return true;
                }
                if m.get("readOnly") == Some(&Value::Bool(true)) {
                    return true;
                }
                m.iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "example" | "examples" | "default" | "enum" | "const" | "$ref"
                        )
                    })
                    .any(|(_, v)| self.closure_differs(v, depth + 1))
            }
            Value::Array(a) => a.iter().any(|v| self.closure_differs(v, depth + 1)),
            _ => false,
        }
    }

    fn named_ref(&mut self, r: &str, mode: Mode) -> Ty {
        let Some(pointer) = component_pointer(r) else {
            return Ty::Any;
        };
        let mode = if mode == Mode::Request && self.needs_request_variant(pointer) {
            Mode::Request
        } else {
            Mode::Response
        };
        if let Some(name) = self.by_key.get(&(pointer.to_string(), mode)) {
            return Ty::Named(name.clone());
        }
        let Some(schema) = self.spec.document().pointer(pointer).cloned() else {
            return Ty::Any;
        };
        let base = self
            .by_key
            .get(&(pointer.to_string(), Mode::Response))
            .cloned()
            .unwrap_or_else(|| type_name(pointer.rsplit('/').next().unwrap_or("Type")));
        let name = self.names.claim(&format!("{base}Request"), "");
        self.by_key
            .insert((pointer.to_string(), mode), name.clone());
        self.pending.push_back(Pending {
            alias_of: None,
            name: name.clone(),
            pointer: pointer.to_string(),
            schema,
            mode,
        });
        Ty::Named(name)
    }

    fn inline(&mut self, schema: &Value, wanted: &str, pointer: &str, mode: Mode) -> Ty {
        // Request and response uses share a type unless they must differ.
        let mode = if mode == Mode::Request && !self.closure_differs(schema, 0) {
            Mode::Response
        } else {
            mode
        };
        let wanted = if mode == Mode::Request {
            format!("{wanted}Request")
        } else {
            wanted.to_string()
        };
        let wanted = wanted.as_str();
        let key = (canonical(schema), mode);
        if let Some(name) = self.by_key.get(&key) {
            return Ty::Named(name.clone());
        }
        let name = self.names.claim(&type_name(wanted), "");
        self.by_key.insert(key, name.clone());
        self.pending.push_back(Pending {
            alias_of: None,
            name: name.clone(),
            pointer: pointer.to_string(),
            schema: schema.clone(),
            mode,
        });
        Ty::Named(name)
    }

    /// A single `allOf` member with sibling keywords (description, readOnly,
    /// nullable) stands for that member; several are merged into one object.
    fn flatten_all_of(&self, schema: &Value) -> Option<Value> {
        let all = schema.get("allOf")?.as_array()?;
        let siblings_typed = schema.get("properties").is_some()
            || schema
                .get("type")
                .is_some_and(|t| t != "object" && t.as_array().is_none());
        if all.len() == 1 && !siblings_typed {
            return Some(all[0].clone());
        }
        let mut props = Map::new();
        let mut required = BTreeSet::new();
        let mut extra = Map::new();
        for member in all.iter().chain(std::iter::once(schema)) {
            let m = self.spec.resolve(member);
            let nested = if std::ptr::eq(member, schema) {
                None
            } else {
                self.flatten_all_of(m)
            };
            let m = nested.unwrap_or_else(|| m.clone());
            if let Some(p) = m.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    props.insert(k.clone(), v.clone());
                }
            }
            required.extend(schema::required(self.spec, &m));
            if let Some(d) = m.get("description") {
                extra.entry("description").or_insert(d.clone());
            }
        }
        let mut out = extra;
        out.insert("type".into(), Value::String("object".into()));
        out.insert("properties".into(), Value::Object(props));
        out.insert(
            "required".into(),
            required.into_iter().map(Value::String).collect(),
        );
        Some(Value::Object(out))
    }

    /// The Rust type of a schema used at `pointer`, and whether `null` is allowed.
    pub(crate) fn ty(
        &mut self,
        schema: &Value,
        wanted: &str,
        pointer: &str,
        mode: Mode,
    ) -> (Ty, bool) {
        if let Some(Value::String(r)) = schema.get("$ref") {
            let nullable = self
                .spec
                .resolve(schema)
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|x| x == "null"));
            return (self.named_ref(r, mode), nullable);
        }
        if schema.get("allOf").is_some()
            && let Some(flat) = self.flatten_all_of(schema)
        {
            if flat.get("$ref").is_some()
                || flat.get("allOf").is_none() && flat.get("properties").is_none()
            {
                return self.ty(&flat, wanted, pointer, mode);
            }
            return (self.inline(&flat, wanted, pointer, mode), false);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = schema.get(key) {
                let is_null = |b: &Value| b.get("type") == Some(&Value::String("null".into()));
                let nullable = branches.iter().any(is_null);
                let rest: Vec<&Value> = branches.iter().filter(|b| !is_null(b)).collect();
                if is_number_or_string(self.spec, &rest) {
                    // Ottu's `paid_amount`: an amount either way.
                    return (Ty::Decimal, nullable);
                }
                if rest.len() == 1 {
                    let (t, n) = self.ty(rest[0], wanted, pointer, mode);
                    return (t, n || nullable);
                }
                let mut s = schema.clone();
                s[key] = Value::Array(rest.into_iter().cloned().collect());
                return (self.inline(&s, wanted, pointer, mode), nullable);
            }
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let mut nullable = types.contains(&"null");
        let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        if let Some(Value::Array(values)) = schema.get("enum") {
            nullable |= values.iter().any(Value::is_null);
            let strings = values.iter().filter(|v| !v.is_null()).all(Value::is_string);
            if strings
                && values.iter().any(Value::is_string)
                && non_null.iter().all(|t| *t == "string")
            {
                return (self.inline(schema, wanted, pointer, mode), nullable);
            }
        }
        let ty = match non_null.as_slice() {
            ["string"] => Ty::String,
            ["integer"] => Ty::Integer,
            // Never a float: in responses too (money is numbers here).
            ["number"] | ["integer", "number"] | ["number", "integer"] => Ty::Decimal,
            ["boolean"] => Ty::Boolean,
            ["array"] => {
                let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
                let (t, _) = self.ty(
                    &items,
                    &format!("{wanted}Item"),
                    &format!("{pointer}/items"),
                    mode,
                );
                Ty::Array(Box::new(t))
            }
            ["object"] | [] => {
                let has_props = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty());
                if has_props {
                    self.inline(schema, wanted, pointer, mode)
                } else {
                    match schema.get("additionalProperties") {
                        Some(ap @ Value::Object(m)) if !m.is_empty() => {
                            let (t, _) = self.ty(
                                ap,
                                &format!("{wanted}Value"),
                                &format!("{pointer}/additionalProperties"),
                                mode,
                            );
                            Ty::Map(Box::new(t))
                        }
                        _ if non_null.is_empty()
                            && schema.get("additionalProperties").is_none()
                            && schema.get("properties").is_none() =>
                        {
                            Ty::Any
                        }
                        _ => Ty::Object,
                    }
                }
            }
            _ => Ty::Any,
        };
        (ty, nullable)
    }

    fn define(&mut self, p: &Pending) -> TypeDef {
        let doc = doc_of(&p.schema);
        let kind = self.kind(p);
        TypeDef {
            name: p.name.clone(),
            pointer: p.pointer.clone(),
            doc,
            kind,
            request: p.mode == Mode::Request,
            tolerant: false,
            groups: None,
        }
    }

    fn kind(&mut self, p: &Pending) -> TypeKind {
        if let Some(first) = &p.alias_of {
            return TypeKind::Alias(Ty::Named(first.clone()));
        }
        let schema = match self.flatten_all_of(&p.schema) {
            Some(flat) => self.spec.resolve(&flat).clone(),
            None => p.schema.clone(),
        };
        if let Some(branches) = ["oneOf", "anyOf"]
            .iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_array))
        {
            let branches: Vec<Value> = branches
                .iter()
                .filter(|b| b.get("type") != Some(&Value::String("null".into())))
                .cloned()
                .collect();
            if branches.len() > 1 {
                return self.union(p, &branches);
            }
        }
        if let Some(Value::Array(values)) = schema.get("enum")
            && values.iter().any(Value::is_string)
            && values.iter().all(|v| v.is_string() || v.is_null())
        {
            return enum_kind(&schema, values);
        }
        let is_object = schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty());
        if is_object {
            return TypeKind::Struct(self.fields(p, &schema));
        }
        let (ty, _) = self.ty(&schema, &format!("{}Value", p.name), &p.pointer, p.mode);
        if ty == Ty::Named(p.name.clone()) {
            // A schema that only refers to itself.
            return TypeKind::Alias(Ty::Any);
        }
        TypeKind::Alias(ty)
    }

    fn fields(&mut self, p: &Pending, schema: &Value) -> Vec<Field> {
        let required = schema::required(self.spec, schema);
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut ns = Namespace::new(&[]);
        let mut out = Vec::new();
        for (json, prop) in &props {
            let read_only = prop.get("readOnly") == Some(&Value::Bool(true));
            if read_only && p.mode == Mode::Request {
                continue;
            }
            let resolved = self.spec.resolve(prop).clone();
            let wanted = format!("{}{}", p.name.trim_end_matches("Request"), type_name(json));
            let at = format!("{}/properties/{}", p.pointer, crate::pointer::escape(json));
            let (mut ty, nullable) = self.ty(prop, &wanted, &at, p.mode);
            if ty == Ty::String && is_amount(json, &resolved) {
                ty = Ty::DecimalString;
            }
            if crate::spec::is_pass_through(prop) {
                ty = Ty::PassThrough(Box::new(ty));
            }
            let base = if ty == Ty::Any {
                &Value::Null
            } else {
                &resolved
            };
            let checks = Checks::of(if base.is_null() { prop } else { base });
            let secret = is_secret_field(&self.spec.secret_fields(), &p.name, json)
                || resolved.get("format").and_then(Value::as_str) == Some("password");
            out.push(Field {
                name: ns.claim(&snake(json), "_"),
                json: json.clone(),
                // An untyped optional field may be `null`: keep the difference.
                nullable: nullable || ty == Ty::Any,
                ty,
                // Strict until `decide_decoding` says the type is tolerant.
                required: required.contains(json),
                spec_required: required.contains(json),
                read_only,
                secret,
                doc: doc_of(prop).or_else(|| doc_of(&resolved)),
                checks,
                flatten: false,
            });
        }
        out
    }

    fn union(&mut self, p: &Pending, branches: &[Value]) -> TypeKind {
        let mut ns = Namespace::new(&[]);
        let mut variants = Vec::new();
        for (i, b) in branches.iter().enumerate() {
            let at = format!("{}/oneOf/{i}", p.pointer);
            let (ty, _) = self.ty(b, &format!("{}Variant{}", p.name, i + 1), &at, p.mode);
            let wanted = match &ty {
                Ty::Named(n) => n.clone(),
                Ty::String => "String".into(),
                Ty::Integer => "Integer".into(),
                Ty::Decimal | Ty::DecimalString => "Number".into(),
                Ty::Boolean => "Boolean".into(),
                Ty::Array(_) => "Array".into(),
                Ty::Map(_) | Ty::Object => "Object".into(),
                Ty::Any => "Any".into(),
                Ty::PassThrough(_) => "PassThrough".into(),
            };
            variants.push(UnionVariant {
                name: ns.claim(&wanted, ""),
                ty,
                shape: self.shape(b),
            });
        }
        TypeKind::Union(variants)
    }

    fn shape(&self, branch: &Value) -> Shape {
        let spec = self.spec;
        let resolved = spec.resolve(branch);
        let flat = self
            .flatten_all_of(resolved)
            .map(|f| spec.resolve(&f).clone())
            .unwrap_or_else(|| resolved.clone());
        let properties = flat
            .get("properties")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), type_set(schema::types(spec, v))))
                    .collect()
            })
            .unwrap_or_default();
        let additional = match flat.get("additionalProperties") {
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(s @ Value::Object(_)) => match type_set(schema::types(spec, s)) {
                Some(t) => Additional::Types(t),
                None => Additional::Any,
            },
            _ => Additional::Any,
        };
        Shape {
            types: type_set(schema::types(spec, branch)),
            required: schema::required(spec, &flat).into_iter().collect(),
            properties,
            additional,
        }
    }
}

fn enum_kind(schema: &Value, values: &[Value]) -> TypeKind {
    let labels = enum_labels(schema.get("description").and_then(Value::as_str));
    let mut ns = Namespace::new(&["Unknown"]);
    let variants = values
        .iter()
        .filter_map(Value::as_str)
        .map(|v| {
            let wanted = if v.is_empty() {
                "Empty".to_string()
            } else {
                type_name(v)
            };
            let doc = match labels.get(v) {
                Some(label) => format!("{label} (`{v}`)."),
                None => format!("`{v}`."),
            };
            EnumVariant {
                name: ns.claim(&wanted, ""),
                value: v.to_string(),
                doc,
            }
        })
        .collect();
    TypeKind::Enum(variants)
}

/// Structs keep the properties they do not declare, in a flattened
/// `additional` map, when they are tolerant (response types: Ottu adds
/// fields, and a declared field whose value does not fit is kept there
/// too), or when they are an open branch of a union that requires nothing.
/// Nothing pins such a branch down, so it may have been chosen because of
/// them (Ottu's published field errors declare only a placeholder, and a
/// real body names the request's fields): dropping them would lose what
/// the body says.
fn keep_undeclared(types: &mut [TypeDef]) {
    let open_branches: std::collections::BTreeSet<String> = types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Union(vs) => Some(vs),
            _ => None,
        })
        .flatten()
        .filter(|v| v.shape.additional == super::Additional::Any && v.shape.required.is_empty())
        .filter_map(|v| match &v.ty {
            Ty::Named(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    for t in types.iter_mut() {
        if !t.tolerant && !open_branches.contains(&t.name) {
            continue;
        }
        let TypeKind::Struct(fields) = &mut t.kind else {
            continue;
        };
        let mut ns = Namespace::new(&[]);
        for f in fields.iter() {
            ns.claim(&f.name, "");
        }
        let name = ns.claim("additional", "_");
        fields.push(Field {
            // Flattened: no wire name of its own.
            json: name.clone(),
            name,
            ty: Ty::Object,
            required: true,
            spec_required: false,
            nullable: false,
            read_only: false,
            secret: false,
            doc: Some(if t.tolerant {
                "Properties the spec does not declare, and declared ones whose value \
                 did not fit the field's type (that field is then `None`), kept as \
                 sent and sent back when this value is encoded. Secret-looking \
                 values are masked in `Debug`."
                    .into()
            } else {
                "Properties the spec does not declare, kept as sent (they can be what \
                 told this branch of the union apart). Secret-looking values are \
                 masked in `Debug`."
                    .into()
            }),
            checks: Checks::default(),
            flatten: true,
        });
    }
}

/// Component pointers reachable from a response body or the webhook payload.
fn response_refs(spec: &Spec) -> BTreeSet<String> {
    let mut todo: Vec<String> = spec
        .webhook_payload()
        .map(|n| crate::pointer::push("/components/schemas", n))
        .into_iter()
        .collect();
    let collect = |v: &Value, todo: &mut Vec<String>| {
        crate::spec::each_ref(v, "", &mut |target, _| {
            if let Some(p) = component_pointer(target) {
                todo.push(p.to_string());
            }
        });
    };
    for op in spec.operations() {
        for r in op.responses() {
            for m in &r.content {
                if let Some(schema) = m.schema {
                    collect(schema, &mut todo);
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(p) = todo.pop() {
        if seen.insert(p.clone())
            && let Some(schema) = spec.document().pointer(&p)
        {
            collect(schema, &mut todo);
        }
    }
    seen
}

/// Does the schema (or an inline schema in it) list required properties?
fn requires_something(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => m.iter().any(|(k, v)| match k.as_str() {
            "required" => v.as_array().is_some_and(|a| !a.is_empty()),
            "example" | "examples" | "default" | "enum" | "const" => false,
            _ => requires_something(v),
        }),
        Value::Array(a) => a.iter().any(requires_something),
        _ => false,
    }
}

/// A union of exactly a number and a string (`oneOf: [{type: number},
/// {type: string}]`): an amount sent either way.
fn is_number_or_string(spec: &Spec, branches: &[&Value]) -> bool {
    let kinds: BTreeSet<&str> = branches
        .iter()
        .filter_map(|b| schema::types(spec, b))
        .filter(|t| t.len() == 1)
        .filter_map(|t| t.into_iter().next())
        .collect();
    branches.len() == 2
        && kinds.len() == 2
        && kinds.contains("string")
        && kinds.contains("number")
        && branches.iter().all(|b| {
            let b = spec.resolve(b);
            b.get("properties").is_none() && b.get("enum").is_none()
        })
}

/// Is this string property an amount of money? `format: decimal` (or
/// `money`), or the name says so (`amount`, `total`, `*_amount`). Such a
/// field is an exact [`Ty::DecimalString`]: Ottu sends amounts as `"86.000"`
/// or as numbers, and a value that is neither stays as sent.
fn is_amount(json: &str, schema: &Value) -> bool {
    let format = schema.get("format").and_then(Value::as_str);
    matches!(format, Some("decimal" | "money"))
        || (format.is_none()
            && schema.get("enum").is_none()
            && (json == "amount" || json == "total" || json.ends_with("_amount")))
}

/// Which structs decode tolerantly: those a response (or the webhook
/// payload) can hold. A type only requests use is strict: its required
/// fields stay required at compile time; so is a type nothing uses (the
/// spec as written: it changes only when a response starts to hold it). A
/// type both use is tolerant; a request use of a schema with required
/// properties was given its own strict variant already
/// (`needs_request_variant`).
fn decide_decoding(
    types: &mut [TypeDef],
    operations: &[super::OperationDef],
    webhook: Option<&str>,
) {
    let mut responses: Vec<&Ty> = Vec::new();
    for op in operations {
        responses.extend(op.success.statuses.iter().filter_map(|(_, t)| t.as_ref()));
        responses.extend(op.errors.iter().filter_map(|e| e.ty.as_ref()));
    }
    let webhook = webhook.and_then(|p| types.iter().find(|t| t.pointer == p && !t.request));
    let webhook = webhook.map(|t| Ty::Named(t.name.clone()));
    responses.extend(webhook.as_ref());
    let read = reachable(types, &responses);
    for t in types.iter_mut() {
        if !matches!(t.kind, TypeKind::Struct(_)) || t.request {
            continue;
        }
        t.tolerant = read.contains(&t.name);
        if let TypeKind::Struct(fields) = &mut t.kind
            && t.tolerant
        {
            for f in fields {
                f.required = false;
            }
        }
    }
}

/// Names of the types `roots` hold, directly or through other types.
pub(super) fn reachable(types: &[TypeDef], roots: &[&Ty]) -> BTreeSet<String> {
    fn names(ty: &Ty, out: &mut Vec<String>) {
        match ty {
            Ty::Named(n) => out.push(n.clone()),
            Ty::Array(t) | Ty::Map(t) | Ty::PassThrough(t) => names(t, out),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for t in roots {
        names(t, &mut todo);
    }
    let mut seen = BTreeSet::new();
    while let Some(n) = todo.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(t) = types.iter().find(|t| t.name == n) else {
            continue;
        };
        match &t.kind {
            TypeKind::Struct(fields) => fields.iter().for_each(|f| names(&f.ty, &mut todo)),
            TypeKind::Union(vs) => vs.iter().for_each(|v| names(&v.ty, &mut todo)),
            TypeKind::Alias(ty) => names(ty, &mut todo),
            TypeKind::Enum(_) => {}
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::is_secret_field;

    #[test]
    fn secret_names_match_any_spelling_and_qualified_names_one_type() {
        let secrets = [
            "token",
            "paymentData",
            "tokenizationData",
            "ApplePaymentData.data",
        ];
        let is_secret = |owner: &str, json: &str| is_secret_field(&secrets, owner, json);
        assert!(is_secret("ApplePayToken", "paymentData"));
        assert!(is_secret("Anything", "payment_data"));
        assert!(is_secret("PaymentMethodData", "tokenizationData"));
        assert!(is_secret("Card", "token"));
        assert!(is_secret("ApplePaymentData", "data"));
        assert!(is_secret("ApplePaymentDataRequest", "data"));
        assert!(!is_secret("Page", "data"));
        assert!(!is_secret("ApplePayDirectPayment", "session_id"));
        assert!(!is_secret("ApplePayDirectPayment", "pg_code"));
    }
}
