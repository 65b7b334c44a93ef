//! Validators compiled once per operation x status x content type (and per
//! request content type) from the loaded `Spec`.
//!
//! A `oneOf` that no instance can resolve (the seeds' 400 errors without the
//! overlay) is reported once as a spec finding and rewritten, in the
//! compiled copy only, into an `if`/`then`/`else` chain that picks the
//! branch by content (`detail` present: operation error; otherwise field
//! errors), so real bodies are still judged against the branch they are.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use codegen::pointer;
use codegen::schema::{self, Distinction};
use codegen::spec::Spec;
use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

use crate::finding::{Finding, Kind};
use crate::shape::{ShapeId, Shapes};

/// Why the judge could not be built from a spec.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{file}#{pointer}: schema does not compile: {message}")]
    Schema {
        file: String,
        pointer: String,
        message: String,
    },
}

/// One compiled schema.
#[derive(Debug)]
pub struct Compiled {
    pub validator: Validator,
    /// The standalone schema it was compiled from (components embedded,
    /// ambiguous unions rewritten).
    pub schema: Value,
    /// Pointer of the schema in the merged document.
    pub pointer: String,
    /// For the undocumented-property walk.
    pub shape: ShapeId,
    /// The one-pass judge (see [`crate::strict`]), built on first use by
    /// [`Validators::strict`]: the mock never judges responses, and
    /// compiling every strict copy up front doubled its startup.
    strict: OnceLock<Option<Validator>>,
    /// Response schemas only: the mock's request checks only ask "valid?".
    wants_strict: bool,
}

/// One documented response.
#[derive(Debug)]
pub struct ResponseEntry {
    /// As written: `200`, `4XX`, `default`.
    pub key: String,
    /// `key`, parsed once: the judge looks a response up per body.
    pub status: StatusKey,
    /// Pointer of the response object in the merged document.
    pub pointer: String,
    /// `(media type, compiled schema)`; empty when the response has no body.
    pub content: Vec<(String, Option<Compiled>)>,
    /// Index in `content` of the first JSON media type, found once.
    json: Option<usize>,
}

impl ResponseEntry {
    /// The documented JSON schema (`application/json` or `*+json`), if any.
    pub fn json_schema(&self) -> Option<&Compiled> {
        self.content[self.json?].1.as_ref()
    }

    /// The documented JSON media type and its schema, if any.
    pub fn json_content(&self) -> Option<&(String, Option<Compiled>)> {
        self.content.get(self.json?)
    }
}

/// One documented request body media type.
#[derive(Debug)]
pub struct RequestEntry {
    pub media_type: String,
    pub compiled: Compiled,
}

/// Everything the judge knows about one operation.
#[derive(Debug)]
pub struct OperationEntry {
    pub id: String,
    pub path: String,
    /// Upper case (`POST`).
    pub method: String,
    pub pointer: String,
    pub responses: Vec<ResponseEntry>,
    pub request: Vec<RequestEntry>,
    pub request_required: bool,
    /// `(name, in, required, schema)` with schema resolved.
    pub parameters: Vec<Parameter>,
}

/// A path or query parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

/// Compiled validators and spec findings for every operation of a spec.
#[derive(Debug)]
pub struct Validators {
    pub spec: Spec,
    pub operations: Vec<OperationEntry>,
    by_id: HashMap<String, usize, BuildHasherDefault<Fnv>>,
    pub shapes: Shapes,
    /// Doc pointers of ambiguous `oneOf` schemas, with what the judge does about them.
    pub ambiguous: BTreeMap<String, Vec<String>>,
    spec_findings: Vec<Finding>,
}

/// A response key of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKey {
    Exact(u16),
    /// `4XX` is `Range(4)`.
    Range(u16),
    Default,
    /// Neither a status nor a range nor `default`: never matches.
    Other,
}

impl StatusKey {
    pub fn parse(key: &str) -> Self {
        if key == "default" {
            return Self::Default;
        }
        if let Ok(code) = key.parse::<u16>() {
            return Self::Exact(code);
        }
        let b = key.as_bytes();
        if b.len() == 3 && b[0].is_ascii_digit() && b[1..].eq_ignore_ascii_case(b"XX") {
            return Self::Range(u16::from(b[0] - b'0'));
        }
        Self::Other
    }
}

impl OperationEntry {
    /// The documented response for a status: exact, then `4XX`, then `default`.
    pub fn response(&self, status: u16) -> Option<&ResponseEntry> {
        let find = |key: StatusKey| self.responses.iter().find(|r| r.status == key);
        find(StatusKey::Exact(status))
            .or_else(|| find(StatusKey::Range(status / 100)))
            .or_else(|| find(StatusKey::Default))
    }
}

impl Validators {
    /// Compiles every operation's request and response schemas.
    pub fn new(spec: Spec) -> Result<Self, BuildError> {
        let ambiguous = find_ambiguous(&spec);
        let mut shapes = Shapes::default();
        let mut operations = Vec::new();
        for op in spec.operations() {
            let id = op
                .id
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} {}", op.method.to_uppercase(), op.path));
            let op_ptr = op.pointer();
            let mut responses = Vec::new();
            if let Some(Value::Object(rs)) = op.value.get("responses") {
                for (key, r) in rs {
                    let r_ptr = pointer::push(&pointer::push(&op_ptr, "responses"), key);
                    let (r, r_ptr) = follow(&spec, r, r_ptr);
                    let mut content = Vec::new();
                    if let Some(Value::Object(media)) = r.get("content") {
                        for (mt, m) in media {
                            let c_ptr = pointer::push(
                                &pointer::push(&pointer::push(&r_ptr, "content"), mt),
                                "schema",
                            );
                            let compiled = match m.get("schema") {
                                Some(s) => Some(compile(
                                    &spec,
                                    s,
                                    &c_ptr,
                                    &ambiguous,
                                    &mut shapes,
                                    Strict::Yes,
                                )?),
                                None => None,
                            };
                            content.push((mt.clone(), compiled));
                        }
                    }
                    let json = content.iter().position(|(mt, _)| crate::drift::is_json(mt));
                    responses.push(ResponseEntry {
                        json,
                        status: StatusKey::parse(key),
                        key: key.clone(),
                        pointer: r_ptr,
                        content,
                    });
                }
            }
            let mut request = Vec::new();
            let mut request_required = false;
            if let Some(body) = op.value.get("requestBody") {
                let (body, b_ptr) = follow(&spec, body, pointer::push(&op_ptr, "requestBody"));
                request_required = body
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if let Some(Value::Object(media)) = body.get("content") {
                    for (mt, m) in media {
                        if let Some(s) = m.get("schema") {
                            let c_ptr = pointer::push(
                                &pointer::push(&pointer::push(&b_ptr, "content"), mt),
                                "schema",
                            );
                            let compiled =
                                compile(&spec, s, &c_ptr, &ambiguous, &mut shapes, Strict::No)?;
                            request.push(RequestEntry {
                                media_type: mt.clone(),
                                compiled,
                            });
                        }
                    }
                }
            }
            let parameters = op
                .value
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| spec.resolve(p))
                .filter_map(|p| {
                    Some(Parameter {
                        name: p.get("name")?.as_str()?.to_string(),
                        location: p.get("in")?.as_str()?.to_string(),
                        required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                        schema: p.get("schema").cloned().unwrap_or(json!({})),
                    })
                })
                .collect();
            operations.push(OperationEntry {
                id,
                path: op.path.to_string(),
                method: op.method.to_uppercase(),
                pointer: op_ptr,
                responses,
                request,
                request_required,
                parameters,
            });
        }
        let by_id = operations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        let spec_findings = ambiguous
            .iter()
            .map(|(ptr, branches)| {
                let users: BTreeSet<&str> = operations
                    .iter()
                    .filter(|o| o.responses.iter().flat_map(|r| &r.content).any(|(_, c)| c.as_ref().is_some_and(|c| uses(&spec, &c.pointer, ptr))))
                    .map(|o| o.id.as_str())
                    .collect();
                Finding {
                    kind: Kind::AmbiguousUnion,
                    severity: Kind::AmbiguousUnion.severity(),
                    operation: users.into_iter().collect::<Vec<_>>().join(", "),
                    status: None,
                    pointer: String::new(),
                    schema: format!("{ptr}/oneOf"),
                    file: spec.origin(ptr).file.display().to_string(),
                    message: format!(
                        "oneOf branches {} accept the same instances, so strict oneOf validation fails every body; bodies are judged against the branch their properties name",
                        branches.join(" | ")
                    ),
                }
            })
            .collect();
        Ok(Self {
            spec,
            operations,
            by_id,
            shapes,
            ambiguous,
            spec_findings,
        })
    }

    /// Findings about the spec itself (ambiguous unions), each once.
    pub fn spec_findings(&self) -> &[Finding] {
        &self.spec_findings
    }

    pub fn operation(&self, id: &str) -> Option<&OperationEntry> {
        self.by_id.get(id).map(|&i| &self.operations[i])
    }

    /// The one-pass judge of a response schema: a body it accepts has no
    /// finding. `None` for request schemas and where no strict copy is
    /// exact (see [`crate::strict`]); then the judge takes the two-pass
    /// path. Built once, on first use.
    pub fn strict<'a>(&self, compiled: &'a Compiled) -> Option<&'a Validator> {
        if !compiled.wants_strict {
            return None;
        }
        compiled
            .strict
            .get_or_init(|| {
                let copy = crate::strict::strict_copy(&self.spec, &compiled.schema)?;
                // The plain schema compiled, so its copy does too; should it
                // not, the two-pass path is still exact.
                build(&copy).ok()
            })
            .as_ref()
    }
}

/// FNV-1a: operation ids are short and come from the spec (no
/// adversary), and SipHash was a quarter of judging a small body.
#[derive(Debug, Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// `value` itself, or the target of its `$ref`, with the pointer it lives at.
fn follow<'a>(spec: &'a Spec, value: &'a Value, at: String) -> (&'a Value, String) {
    match value.get("$ref").and_then(Value::as_str) {
        Some(t) => match spec.resolve_ref(t) {
            Some(v) => (v, pointer::percent_decode(t.trim_start_matches('#'))),
            None => (value, at),
        },
        None => (value, at),
    }
}

/// Whether to build the one-pass judge too (responses: yes; the mock's
/// request checks only ask "valid?", so no).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strict {
    Yes,
    No,
}

fn compile(
    spec: &Spec,
    schema: &Value,
    at: &str,
    ambiguous: &BTreeMap<String, Vec<String>>,
    shapes: &mut Shapes,
    strict: Strict,
) -> Result<Compiled, BuildError> {
    let mut standalone = spec.json_schema(schema);
    for ptr in ambiguous.keys() {
        if let Some(node) = standalone.pointer_mut(ptr) {
            rewrite_ambiguous(spec, node);
        }
    }
    let validator = build(&standalone).map_err(|e| BuildError::Schema {
        file: spec.origin(at).file.display().to_string(),
        pointer: at.to_string(),
        message: e.to_string(),
    })?;
    let shape = shapes.build(spec, schema);
    Ok(Compiled {
        validator,
        schema: standalone,
        pointer: at.to_string(),
        shape,
        strict: OnceLock::new(),
        wants_strict: strict == Strict::Yes,
    })
}

fn build(schema: &Value) -> Result<Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
}

/// Replaces `oneOf: [A, B, ...]` by `if (has a property only A declares)
/// then A else if ... else <last>`: content decides the branch.
fn rewrite_ambiguous(spec: &Spec, node: &mut Value) {
    let Some(Value::Array(branches)) = node.get("oneOf").cloned() else {
        return;
    };
    let declared: Vec<BTreeSet<String>> =
        branches.iter().map(|b| declared_names(spec, b)).collect();
    // Branches naming properties of their own are tested first; the rest is the fallback.
    let mut order: Vec<usize> = (0..branches.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(own_names(&declared, i).len()));
    let mut chain = branches[*order.last().unwrap_or(&0)].clone();
    for &i in order.iter().rev().skip(1) {
        let own = own_names(&declared, i);
        if own.is_empty() {
            continue;
        }
        let any: Vec<Value> = own.iter().map(|n| json!({"required": [n]})).collect();
        chain = json!({"if": {"type": "object", "anyOf": any}, "then": branches[i], "else": chain});
    }
    if let Value::Object(map) = node {
        map.remove("oneOf");
        map.insert("allOf".into(), json!([chain]));
    }
}

fn own_names(declared: &[BTreeSet<String>], i: usize) -> Vec<String> {
    declared[i]
        .iter()
        .filter(|n| {
            declared
                .iter()
                .enumerate()
                .all(|(j, d)| j == i || !d.contains(*n))
        })
        .cloned()
        .collect()
}

/// Property names a schema declares (through `$ref` and `allOf`).
pub fn declared_names(spec: &Spec, schema: &Value) -> BTreeSet<String> {
    let s = spec.resolve(schema);
    let mut out: BTreeSet<String> = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(Value::Array(all)) = s.get("allOf") {
        for part in all {
            out.extend(declared_names(spec, part));
        }
    }
    out
}

/// Every `oneOf` reachable from an operation whose branches some instance
/// matches twice, keyed by doc pointer, with the branch names.
fn find_ambiguous(spec: &Spec) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let doc = spec.document();
    // Components first (shared unions), then inline schemas under paths.
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, s) in schemas {
            scan(
                spec,
                s,
                &pointer::push("/components/schemas", name),
                &mut seen,
                &mut out,
            );
        }
    }
    if let Some(paths) = doc.get("paths") {
        scan(spec, paths, "/paths", &mut seen, &mut out);
    }
    out
}

fn scan(
    spec: &Spec,
    v: &Value,
    at: &str,
    seen: &mut BTreeSet<String>,
    out: &mut BTreeMap<String, Vec<String>>,
) {
    if !seen.insert(at.to_string()) {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(branches)) = map.get("oneOf") {
                let ambiguous = branches.iter().enumerate().any(|(i, a)| {
                    branches
                        .iter()
                        .skip(i + 1)
                        .any(|b| schema::distinction(spec, a, b) == Distinction::Ambiguous)
                });
                if ambiguous {
                    let names = branches
                        .iter()
                        .map(|b| {
                            b.get("$ref")
                                .and_then(Value::as_str)
                                .and_then(|r| r.rsplit('/').next())
                                .unwrap_or("inline")
                                .to_string()
                        })
                        .collect();
                    out.insert(at.to_string(), names);
                }
            }
            for (k, child) in map {
                if !matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "const" | "enum"
                ) {
                    scan(spec, child, &pointer::push(at, k), seen, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                scan(spec, child, &format!("{at}/{i}"), seen, out);
            }
        }
        _ => {}
    }
}

/// Does the schema at `from` reach the one at `target` (through `$ref`s)?
fn uses(spec: &Spec, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(p) = stack.pop() {
        if p == target || p.starts_with(&format!("{target}/")) {
            return true;
        }
        if !seen.insert(p.clone()) {
            continue;
        }
        if let Some(v) = spec.document().pointer(&p) {
            codegen::spec::each_ref(v, &p, &mut |t, _| {
                stack.push(pointer::percent_decode(t.trim_start_matches('#')))
            });
        }
    }
    false
}
