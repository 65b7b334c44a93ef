//! The loaded, merged, canonical OpenAPI 3.1 document and how to read it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::error::{LoadError, Location};
pub use crate::load::merge::Disagreement;
use crate::load::upgrade::Dialect;
use crate::pointer;

mod operation;
mod policy;
mod status;
pub mod walk;

pub use operation::{
    MediaKind, MediaType, Operation, ParamIn, Parameter, RequestBody, Response,
    SecurityRequirement, json_of,
};
pub use policy::{
    Action, Effect, GENERIC_SECRET_FIELDS, Lifecycle, Policy, RESERVED_FEATURES, Retry, Transition,
    is_credential_header, is_pass_through,
};
pub use status::Status;

/// One input document.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub dialect: Dialect,
    /// `openapi` as written in the file (`3.0.3`, `3.1.1`, ...).
    pub version: String,
    /// Marked `x-ottu-merge: fallback`: it yields to the other documents.
    pub fallback: bool,
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
    disagreements: Vec<Disagreement>,
}

/// The security-scheme extension naming the word an `apiKey` scheme's value
/// starts with (`Authorization: Token <key>`).
pub const AUTH_PREFIX: &str = "x-ottu-auth-prefix";

/// A security scheme of `components/securitySchemes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme<'a> {
    pub name: &'a str,
    pub kind: SchemeKind<'a>,
    pub description: Option<&'a str>,
    /// `/components/securitySchemes/<name>`.
    pub pointer: String,
}

/// How a security scheme sends its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind<'a> {
    /// `type: http`, `scheme: basic`.
    Basic,
    /// `type: http`, `scheme: bearer` (`bearerFormat`, e.g. `JWT`).
    Bearer { format: Option<&'a str> },
    /// `type: apiKey`: a named header, query parameter or cookie.
    /// `prefix`: the word before the key (`Token`, `Api-Key`), from
    /// `x-ottu-auth-prefix`; OpenAPI has no field for it, and upstream
    /// says it only in prose, so an overlay declares it as data.
    ApiKey {
        location: &'a str,
        name: &'a str,
        prefix: Option<&'a str>,
    },
    /// Any other `type` (`oauth2`, `openIdConnect`, `mutualTLS`, other HTTP schemes).
    Other { kind: &'a str },
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
            disagreements: Vec::new(),
        }
    }

    pub(crate) fn with_disagreements(mut self, disagreements: Vec<Disagreement>) -> Self {
        self.disagreements = disagreements;
        self
    }

    /// Every point where a fallback document (`x-ottu-merge: fallback`)
    /// defines an operation or component differently from the document
    /// that owns it (see `load::merge`); the owner's definition is the one
    /// in [`Spec::document`].
    pub fn disagreements(&self) -> &[Disagreement] {
        &self.disagreements
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
                            spec: self,
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

    /// A security scheme by name.
    pub fn security_scheme(&self, name: &str) -> Option<SecurityScheme<'_>> {
        let at = pointer::push("/components/securitySchemes", name);
        let (name, raw) = self
            .doc
            .pointer("/components/securitySchemes")?
            .as_object()?
            .get_key_value(name)?;
        let v = self.resolve(raw);
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        let kind = match (s("type"), s("scheme").map(str::to_ascii_lowercase)) {
            (Some("http"), Some(scheme)) if scheme == "basic" => SchemeKind::Basic,
            (Some("http"), Some(scheme)) if scheme == "bearer" => SchemeKind::Bearer {
                format: s("bearerFormat"),
            },
            (Some("apiKey"), _) => SchemeKind::ApiKey {
                location: s("in").unwrap_or("header"),
                name: s("name").unwrap_or("Authorization"),
                prefix: s(AUTH_PREFIX),
            },
            (kind, _) => SchemeKind::Other {
                kind: kind.unwrap_or(""),
            },
        };
        Some(SecurityScheme {
            name,
            kind,
            description: s("description"),
            pointer: at,
        })
    }

    /// Every security scheme, in document order.
    pub fn security_schemes(&self) -> Vec<SecurityScheme<'_>> {
        self.doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, _)| self.security_scheme(name))
            .collect()
    }

    /// Field names never shown by `Debug` and masked in reports: the
    /// generic credentials plus the document's `x-ottu-secret-fields`
    /// (`name`, or `Type.name` for one type's property).
    pub fn secret_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = GENERIC_SECRET_FIELDS.to_vec();
        for name in self
            .doc
            .get("x-ottu-secret-fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// The component schema a webhook delivers (`x-ottu-webhook-payload`).
    pub fn webhook_payload(&self) -> Option<&str> {
        self.doc
            .get("x-ottu-webhook-payload")
            .and_then(Value::as_str)
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

    /// The first document (in load order) that defines the entry at `at`
    /// and owns what it defines (is not `x-ottu-merge: fallback`); `None`:
    /// only fallback documents define it.
    pub fn first_owner(&self, at: &str) -> Option<usize> {
        let files = self.defined_in(at);
        self.sources
            .iter()
            .position(|s| !s.fallback && files.contains(&s.file))
    }

    /// A standalone JSON Schema (2020-12) for a schema of this document:
    /// its `#/components/...` references resolve inside the returned value.
    /// Validators compile this; the mock and the generator read the same
    /// document, so they can never disagree about a schema.
    ///
    /// Only the components the schema reaches (through `$ref`s, followed
    /// transitively) are copied: every validator holds its own copy, and
    /// with the whole API's 140-odd schemas a copy of all of them per
    /// operation and status made the mock's resident memory 560 MB.
    pub fn json_schema(&self, schema: &Value) -> Value {
        let components = self.reachable_components(schema);
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
        let mut out = Value::Object(root);
        uri_safe_refs(&mut out, 0);
        out
    }
}

impl Spec {
    /// The `components` entries (`/components/<kind>/<name>`) that `schema`
    /// reaches through local `$ref`s, transitively, each copied once.
    fn reachable_components(&self, schema: &Value) -> Value {
        let mut out: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut queue = vec![schema];
        while let Some(v) = queue.pop() {
            let mut targets = Vec::new();
            each_ref(v, "", &mut |target, _| targets.push(target.to_string()));
            for target in targets {
                let Some(fragment) = target.strip_prefix('#') else {
                    continue;
                };
                let tokens = pointer::tokens(&pointer::percent_decode(fragment));
                let [first, kind, name, ..] = tokens.as_slice() else {
                    continue;
                };
                if first != "components" || !seen.insert((kind.clone(), name.clone())) {
                    continue;
                }
                let Some(entry) = self
                    .doc
                    .get("components")
                    .and_then(|c| c.get(kind))
                    .and_then(|k| k.get(name))
                else {
                    continue; // dangling: the validator reports it
                };
                out.entry(kind.clone())
                    .or_default()
                    .insert(name.clone(), entry.clone());
                queue.push(entry);
            }
        }
        Value::Object(
            out.into_iter()
                .map(|(kind, entries)| (kind, Value::Object(entries)))
                .collect(),
        )
    }
}

/// A `$ref` is a URI reference: a name with a space (Ottu's `Client
/// Errors`) is written `%20`, which validators decode back.
fn uri_safe_refs(v: &mut Value, depth: usize) {
    if depth > 256 {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                match x {
                    Value::String(r) if k == "$ref" && r.contains(' ') => {
                        *r = r.replace(' ', "%20");
                    }
                    _ => uri_safe_refs(x, depth + 1),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| uri_safe_refs(x, depth + 1)),
        _ => {}
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

/// Checks, once at load, every construct the typed view reads, so that the
/// view never skips one silently: response keys (a status, a range,
/// `default` or an `x-` extension), parameters (`name` and a known `in`),
/// and the `x-ottu-*` policy extensions.
pub(crate) fn check(spec: &Spec) -> Result<(), LoadError> {
    let invalid = |at: String, message: String| LoadError::Invalid {
        at: spec.origin(&at),
        message,
    };
    for op in spec.operations() {
        let at = op.pointer();
        if let Some(responses) = op.value.get("responses") {
            let Some(map) = responses.as_object() else {
                return Err(invalid(
                    pointer::push(&at, "responses"),
                    "responses must be an object".into(),
                ));
            };
            for key in map.keys() {
                if !key.starts_with("x-") && Status::parse(key).is_none() {
                    return Err(invalid(
                        pointer::push(&pointer::push(&at, "responses"), key),
                        format!(
                            "response key {key:?} is not a status (200), a range (2XX) or default"
                        ),
                    ));
                }
            }
        }
        if let Some(params) = op.value.get("parameters") {
            let Some(list) = params.as_array() else {
                return Err(invalid(
                    pointer::push(&at, "parameters"),
                    "parameters must be an array".into(),
                ));
            };
            for (i, raw) in list.iter().enumerate() {
                let p = spec.resolve(raw);
                let here = format!("{at}/parameters/{i}");
                if p.get("name").and_then(Value::as_str).is_none() {
                    return Err(invalid(here, "a parameter needs a string `name`".into()));
                }
                match p.get("in").and_then(Value::as_str) {
                    Some("path" | "query" | "header" | "cookie") => {}
                    other => {
                        return Err(invalid(
                            pointer::push(&here, "in"),
                            format!("`in` must be path, query, header or cookie, found {other:?}"),
                        ));
                    }
                }
            }
        }
        if let Err((key, message)) = policy::check_operation(op.value) {
            return Err(invalid(pointer::push(&at, key), message));
        }
    }
    Ok(())
}
