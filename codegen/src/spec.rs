//! The loaded, merged, canonical OpenAPI 3.1 document and how to read it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::error::Location;
use crate::load::upgrade::Dialect;
use crate::{pointer, walk};

/// One input document.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub dialect: Dialect,
    /// `openapi` as written in the file (`3.0.3`, `3.1.1`, ...).
    pub version: String,
}

/// Every loaded document merged into one canonical OpenAPI 3.1 document.
///
/// All `$ref`s in it are local (`#/...`) and resolve. Component and path
/// pointers are the same as in the source files, so [`Spec::origin`] maps
/// any pointer back to the file it came from.
#[derive(Debug, Clone)]
pub struct Spec {
    doc: Value,
    sources: Vec<Source>,
    origins: BTreeMap<String, Vec<PathBuf>>,
    overlays: Vec<PathBuf>,
}

/// One operation of the merged document.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub path: &'a str,
    /// Lower case (`get`, `post`, ...).
    pub method: &'a str,
    pub id: Option<&'a str>,
    pub value: &'a Value,
}

impl Operation<'_> {
    /// `/paths/<path>/<method>`.
    pub fn pointer(&self) -> String {
        pointer::push(&pointer::push("/paths", self.path), self.method)
    }
}

impl Spec {
    pub(crate) fn new(
        doc: Value,
        sources: Vec<Source>,
        origins: BTreeMap<String, Vec<PathBuf>>,
    ) -> Self {
        Self {
            doc,
            sources,
            origins,
            overlays: Vec::new(),
        }
    }

    pub(crate) fn with_overlays(mut self, overlays: Vec<PathBuf>) -> Self {
        self.overlays = overlays;
        self
    }

    /// The overlay files applied while loading (reports say what was patched).
    pub fn overlays(&self) -> &[PathBuf] {
        &self.overlays
    }

    /// The merged canonical document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The loaded documents, in load order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Operations in path order, then method order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        if let Some(paths) = self.doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in walk::methods() {
                    if let Some((m, op)) = item.as_object().and_then(|o| o.get_key_value(*method)) {
                        out.push(Operation {
                            path,
                            method: m,
                            id: op.get("operationId").and_then(Value::as_str),
                            value: op,
                        });
                    }
                }
            }
        }
        out
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<Operation<'_>> {
        self.operations().into_iter().find(|o| o.id == Some(id))
    }

    /// Component schemas by name, in document order.
    pub fn schemas(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// Follows a local `$ref` (`#/components/schemas/Card`) to a value that
    /// is not itself a bare reference. `None` if it dangles or loops.
    pub fn resolve_ref(&self, target: &str) -> Option<&Value> {
        let mut target = target;
        for _ in 0..64 {
            let fragment = pointer::percent_decode(target.strip_prefix('#')?);
            let value = self.doc.pointer(&fragment)?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(next) if value.as_object().is_some_and(|o| o.len() == 1) => target = next,
                _ => return Some(value),
            }
        }
        None
    }

    /// `value` itself, or what its `$ref` points to.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(target) => self.resolve_ref(target).unwrap_or(value),
            None => value,
        }
    }

    /// The file a pointer of the merged document came from. Pointers below
    /// a component or an operation map to the file that defined it first;
    /// anything else maps to the first loaded file.
    pub fn origin(&self, at: &str) -> Location {
        // Longest prefix (at a token boundary) that names a component or an operation.
        let mut prefix = at;
        let file = loop {
            if let Some(file) = self.origins.get(prefix).and_then(|f| f.first()) {
                break Some(file.clone());
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => break self.sources.first().map(|s| s.file.clone()),
            }
        }
        .unwrap_or_default();
        Location::new(file, at)
    }

    /// Every file that defines the component or operation at `at`.
    pub fn defined_in(&self, at: &str) -> &[PathBuf] {
        self.origins.get(at).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A standalone JSON Schema (2020-12) for a schema of this document:
    /// its `#/components/...` references resolve inside the returned value.
    /// Validators compile this; the mock and the generator read the same
    /// document, so they can never disagree about a schema.
    pub fn json_schema(&self, schema: &Value) -> Value {
        let components = self
            .doc
            .get("components")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut root = match schema {
            Value::Object(o) => o.clone(),
            Value::Bool(b) => {
                let mut m = serde_json::Map::new();
                if !b {
                    m.insert("not".into(), json!({}));
                }
                m
            }
            _ => serde_json::Map::new(),
        };
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert("components".into(), components);
        Value::Object(root)
    }
}

/// Calls `f(target, pointer)` for every `$ref` string in `v` (skipping
/// example and default data, where `$ref` is just text).
pub fn each_ref(v: &Value, at: &str, f: &mut dyn FnMut(&str, &str)) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(t)) = map.get("$ref") {
                f(t, &pointer::push(at, "$ref"));
            }
            for (k, child) in map {
                if !matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "const" | "enum"
                ) {
                    each_ref(child, &pointer::push(at, k), f);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                each_ref(child, &format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}
