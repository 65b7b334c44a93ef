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
use std::sync::{Arc, OnceLock};

use codegen::pointer;
use codegen::schema::{self, Distinction};
use codegen::spec::{self as view, MediaKind, ParamIn, Policy, Spec, Status};
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
    /// Shared by every entry whose schema is written the same way (a
    /// `GenericErrorMessage` 401 on every operation, one body under JSON,
    /// form and multipart): compiled once, held once.
    judge: Arc<Judge>,
    /// The schema as the document writes it (often a `$ref`): what the
    /// sampler and the mock's union split start from.
    pub source: Value,
    /// Pointer of the schema in the merged document.
    pub pointer: String,
    /// For the undocumented-property walk.
    pub shape: ShapeId,
}

/// What compiling one schema gives, independent of where it is used.
#[derive(Debug)]
struct Judge {
    validator: Validator,
    /// The standalone schema it was compiled from (the components it
    /// reaches embedded, ambiguous unions rewritten).
    schema: Value,
    /// The one-pass judge (see [`crate::strict`]), built on first use by
    /// [`Validators::strict`]: the mock never judges responses, and
    /// compiling every strict copy up front doubled its startup.
    strict: OnceLock<Option<Validator>>,
    /// Response schemas only: the mock's request checks only ask "valid?".
    wants_strict: bool,
}

impl Compiled {
    /// The full validator of the schema.
    pub fn validator(&self) -> &Validator {
        &self.judge.validator
    }

    /// The standalone schema it was compiled from (the components it
    /// reaches embedded, ambiguous unions rewritten).
    pub fn schema(&self) -> &Value {
        &self.judge.schema
    }
}

/// One documented response.
#[derive(Debug)]
pub struct ResponseEntry {
    /// As written: `200`, `4XX`, `default`.
    pub key: String,
    /// `key`, parsed once by the spec's typed view.
    pub status: Status,
    /// Pointer of the response object in the merged document.
    pub pointer: String,
    /// `(media type, compiled schema)`; empty when the response has no body.
    pub content: Vec<(String, Option<Compiled>)>,
    /// Index in `content` of the JSON media type ([`view::json_of`]), found once.
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
    pub kind: MediaKind,
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
    /// In document order, schema as written.
    pub parameters: Vec<Parameter>,
    /// Callable without credentials (`security: []`).
    pub anonymous: bool,
    /// Ottu policy (`x-ottu-*`): read-only, moves money, retry.
    pub policy: Policy,
}

impl OperationEntry {
    /// Changes nothing on the server: a live run may call it by default.
    pub fn read_only(&self) -> bool {
        self.policy.read_only_or_default(&self.method)
    }

    /// Can charge, refund, capture or void money.
    pub fn moves_money(&self) -> bool {
        self.policy.moves_money_or_default(&self.method)
    }

    /// The request body's JSON media type ([`view::json_of`]'s rule:
    /// `application/json` exactly, else the first other JSON one).
    pub fn json_request(&self) -> Option<&RequestEntry> {
        self.request
            .iter()
            .find(|r| r.media_type.eq_ignore_ascii_case("application/json"))
            .or_else(|| self.request.iter().find(|r| r.kind == MediaKind::Json))
    }
}

/// A parameter of an operation.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: ParamIn,
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
    secret_names: Vec<String>,
}

impl OperationEntry {
    /// The documented response for a status: exact, then `4XX`, then `default`.
    pub fn response(&self, status: u16) -> Option<&ResponseEntry> {
        Status::best(self.responses.iter().map(|r| r.status), status).map(|i| &self.responses[i])
    }
}

/// What compiling one operation needs: the spec, its ambiguous unions and
/// the shapes of the undocumented-property walk (filled as it goes).
struct Builder<'a> {
    spec: &'a Spec,
    ambiguous: &'a BTreeMap<String, Vec<String>>,
    shapes: Shapes,
    /// Judges by (strictness, schema as written).
    judges: HashMap<(Strict, String), Arc<Judge>>,
}

impl Builder<'_> {
    fn operation(&mut self, op: &view::Operation<'_>) -> Result<OperationEntry, BuildError> {
        let responses = op
            .responses()
            .iter()
            .map(|r| self.response(r))
            .collect::<Result<_, _>>()?;
        let body = op.request_body();
        let mut request = Vec::new();
        for m in body.iter().flat_map(|b| &b.content) {
            if let Some(s) = m.schema {
                request.push(RequestEntry {
                    media_type: m.media_type.to_string(),
                    kind: m.kind,
                    compiled: self.compile(s, &m.schema_pointer(), Strict::No)?,
                });
            }
        }
        let parameters = op
            .parameters()
            .into_iter()
            .map(|p| Parameter {
                name: p.name.to_string(),
                location: p.location,
                required: p.required,
                schema: p.schema.clone(),
            })
            .collect();
        Ok(OperationEntry {
            id: op.id_or_default(),
            path: op.path.to_string(),
            method: op.method.to_uppercase(),
            pointer: op.pointer(),
            responses,
            request,
            request_required: body.as_ref().is_some_and(|b| b.required),
            parameters,
            anonymous: op.allows_anonymous(),
            policy: op.policy(),
        })
    }

    fn response(&mut self, r: &view::Response<'_>) -> Result<ResponseEntry, BuildError> {
        let mut content = Vec::new();
        for m in &r.content {
            let compiled = match m.schema {
                Some(s) => Some(self.compile(s, &m.schema_pointer(), Strict::Yes)?),
                None => None,
            };
            content.push((m.media_type.to_string(), compiled));
        }
        let json = view::json_of(&r.content)
            .and_then(|j| r.content.iter().position(|m| std::ptr::eq(m, j)));
        Ok(ResponseEntry {
            key: r.key.to_string(),
            status: r.status,
            pointer: r.pointer.clone(),
            content,
            json,
        })
    }

    fn compile(
        &mut self,
        schema: &Value,
        at: &str,
        strict: Strict,
    ) -> Result<Compiled, BuildError> {
        let spec = self.spec;
        let shape = self.shapes.build(spec, schema);
        let key = (strict, schema.to_string());
        let judge = match self.judges.get(&key) {
            Some(judge) => judge.clone(),
            None => {
                let judge = Arc::new(self.judge(schema, at, strict)?);
                self.judges.insert(key, judge.clone());
                judge
            }
        };
        Ok(Compiled {
            judge,
            source: schema.clone(),
            pointer: at.to_string(),
            shape,
        })
    }

    fn judge(&self, schema: &Value, at: &str, strict: Strict) -> Result<Judge, BuildError> {
        let spec = self.spec;
        let mut standalone = spec.json_schema(schema);
        if strict == Strict::No {
            // A request: OpenAPI reads `readOnly` + `required` as "required
            // in responses only" (clients must not send it).
            read_only_not_required(&mut standalone, 0);
        }
        for ptr in self.ambiguous.keys() {
            if let Some(node) = standalone.pointer_mut(ptr) {
                rewrite_ambiguous(spec, node);
            }
        }
        let validator = build(&standalone).map_err(|e| BuildError::Schema {
            file: spec.origin(at).file.display().to_string(),
            pointer: at.to_string(),
            message: e.to_string(),
        })?;
        Ok(Judge {
            validator,
            schema: standalone,
            strict: OnceLock::new(),
            wants_strict: strict == Strict::Yes,
        })
    }
}

impl Validators {
    /// Compiles every operation's request and response schemas.
    pub fn new(spec: Spec) -> Result<Self, BuildError> {
        let ambiguous = find_ambiguous(&spec);
        let mut builder = Builder {
            spec: &spec,
            ambiguous: &ambiguous,
            shapes: Shapes::default(),
            judges: HashMap::new(),
        };
        let operations = spec
            .operations()
            .iter()
            .map(|op| builder.operation(op))
            .collect::<Result<Vec<_>, _>>()?;
        let shapes = builder.shapes;
        let by_id = operations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        let spec_findings = ambiguity_findings(&spec, &ambiguous, &operations);
        let secret_names = secret_names(&spec);
        Ok(Self {
            spec,
            operations,
            by_id,
            shapes,
            ambiguous,
            spec_findings,
            secret_names,
        })
    }

    /// Property names whose values never appear in a finding or a report
    /// (the spec's `x-ottu-secret-fields` and the generic credentials).
    pub fn secret_names(&self) -> &[String] {
        &self.secret_names
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
        if !compiled.judge.wants_strict {
            return None;
        }
        compiled
            .judge
            .strict
            .get_or_init(|| {
                let copy = crate::strict::strict_copy(&self.spec, &compiled.judge.schema)?;
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

/// Whether to build the one-pass judge too (responses: yes; the mock's
/// request checks only ask "valid?", so no).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Strict {
    Yes,
    No,
}

fn build(schema: &Value) -> Result<Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
}

/// Replaces `oneOf: [A, B, ...]` by `if (has a property only A declares)
/// then A else if ... else <last>`: content decides the branch.
/// Drops `readOnly` properties from every `required` list of a request
/// schema (each compiled schema is its own copy).
fn read_only_not_required(node: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match node {
        Value::Object(map) => {
            let read_only: Vec<String> = map
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| {
                    props
                        .iter()
                        .filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true)))
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            if !read_only.is_empty()
                && let Some(Value::Array(req)) = map.get_mut("required")
            {
                req.retain(|r| r.as_str().is_none_or(|n| !read_only.iter().any(|x| x == n)));
            }
            for v in map.values_mut() {
                read_only_not_required(v, depth + 1);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| read_only_not_required(v, depth + 1)),
        _ => {}
    }
}

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

/// One finding per ambiguous `oneOf`, naming the operations whose
/// responses reach it.
fn ambiguity_findings(
    spec: &Spec,
    ambiguous: &BTreeMap<String, Vec<String>>,
    operations: &[OperationEntry],
) -> Vec<Finding> {
    ambiguous
        .iter()
        .map(|(ptr, branches)| {
            let users: BTreeSet<&str> = operations
                .iter()
                .filter(|o| {
                    o.responses
                        .iter()
                        .flat_map(|r| &r.content)
                        .filter_map(|(_, c)| c.as_ref())
                        .any(|c| uses(spec, c, ptr))
                })
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
        .collect()
}

/// The property names of `spec.secret_fields()`. A `Type.name` entry hides
/// `name` wherever it appears: a finding knows the instance, not its type,
/// and hiding too much is the safe side.
fn secret_names(spec: &Spec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for field in spec.secret_fields() {
        let name = field.rsplit('.').next().unwrap_or(field);
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// Does the compiled schema reach the one at `target` (through `$ref`s)?
fn uses(spec: &Spec, compiled: &Compiled, target: &str) -> bool {
    let under = |p: &str| p == target || p.starts_with(&format!("{target}/"));
    if under(&compiled.pointer) {
        return true;
    }
    let mut seen = BTreeSet::new();
    let mut stack = Vec::new();
    codegen::spec::each_ref(&compiled.source, &compiled.pointer, &mut |t, _| {
        stack.push(pointer::percent_decode(t.trim_start_matches('#')))
    });
    while let Some(p) = stack.pop() {
        if under(&p) {
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
