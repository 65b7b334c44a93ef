//! The mock's route table and canned responses, built once at startup so
//! serving is a table lookup and a refcount bump on pre-serialized bytes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use codegen::sample;
use jsonschema::{Draft, Validator};
use serde_json::Value;

use codegen::spec::{Action, Lifecycle, ParamIn, Spec};

use super::auth::Admits;
use super::canned::Canned;
use super::drifts::Drift;
use super::form::percent_decode;
use super::inject;
use super::lifecycle::{Role, paid_outcome};
use crate::validators::{Compiled, OperationEntry, Validators};

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Param(String),
}

/// A query or path parameter check.
#[derive(Debug)]
pub struct ParamCheck {
    pub name: String,
    pub required: bool,
    /// Path, query or header (`Tracking-Key`, Google Pay's `channel`).
    pub location: ParamIn,
    pub validator: Validator,
    /// Send the raw string (schema admits strings) or parse it as JSON first.
    pub as_string: bool,
}

/// Everything the mock serves for one operation.
#[derive(Debug)]
pub struct MockOperation {
    /// Index into `Validators::operations`.
    pub index: usize,
    pub id: String,
    pub method: axum::http::Method,
    pub segments: Vec<Segment>,
    /// The credentials its `security` admits.
    pub admits: Admits,
    pub params: Vec<ParamCheck>,
    pub canned: Vec<Canned>,
    /// Index into `canned` of the default (first 2xx) answer.
    pub default: usize,
    /// Its part in the payment lifecycle, when the policy gives one.
    pub role: Option<Role>,
}

/// All routes, in spec order.
#[derive(Debug)]
pub struct Routes {
    pub operations: Vec<MockOperation>,
}

/// What a request path and method matched.
#[derive(Debug)]
pub enum Matched<'a> {
    Found(&'a MockOperation, Vec<(&'a str, String)>),
    /// The path exists under other methods: the `Allow` header's value.
    MethodNotAllowed(String),
    NotFound,
}

impl Routes {
    /// Builds the table and pre-generates every documented response from `seed`.
    pub fn build(validators: &Validators, seed: u64) -> Result<Self, String> {
        let operations = validators
            .operations
            .iter()
            .enumerate()
            .map(|(index, op)| {
                let method = axum::http::Method::from_bytes(op.method.as_bytes())
                    .map_err(|e| format!("{}: {e}", op.id))?;
                let params = param_checks(&validators.spec, op)?;
                let mut canned = canned(validators, op, seed);
                let lifecycle = op.policy.lifecycle.clone();
                if let Some(l) = &lifecycle {
                    coherent(validators, op, l, &mut canned);
                }
                let admits = validators
                    .spec
                    .operations()
                    .iter()
                    .find(|o| o.pointer() == op.pointer)
                    .map(|o| Admits::of(&validators.spec, o))
                    .ok_or_else(|| format!("{}: not in the spec", op.id))?;
                let default = canned
                    .iter()
                    .position(|c| (200..300).contains(&c.status))
                    .unwrap_or(0);
                let role = lifecycle.map(|lifecycle| {
                    let success = success(validators, &lifecycle, &canned, default);
                    let payload = validators
                        .spec
                        .webhook_payload()
                        .map(str::to_ascii_lowercase);
                    Role {
                        payload: success.as_ref().is_some_and(|(status, _)| {
                            canned
                                .iter()
                                .any(|c| c.status == *status && Some(&c.label) == payload.as_ref())
                        }),
                        successes: canned
                            .iter()
                            .filter(|c| (200..300).contains(&c.status))
                            .filter_map(|c| Some((c.status, c.value.clone()?)))
                            .collect(),
                        success,
                        lifecycle,
                    }
                });
                Ok(MockOperation {
                    index,
                    id: op.id.clone(),
                    method,
                    segments: segments(&op.path),
                    admits,
                    params,
                    // The first 2xx.
                    default,
                    canned,
                    role,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { operations })
    }

    /// The documented card list a customer's saved cards start from (the
    /// success of the operation whose policy lists cards), else `[]`.
    pub fn card_list(&self) -> Value {
        self.operations
            .iter()
            .filter_map(|o| o.role.as_ref())
            .find(|r| r.lifecycle.action == Action::ListCards)
            .and_then(|r| r.success.as_ref())
            .map_or_else(|| Value::Array(Vec::new()), |(_, v)| v.clone())
    }

    /// The operation for a method and path.
    pub fn find<'a>(&'a self, method: &axum::http::Method, path: &'a str) -> Matched<'a> {
        for op in &self.operations {
            if op.method == *method
                && let Some(params) = match_path(&op.segments, path)
            {
                return Matched::Found(op, params);
            }
        }
        // Not served under this method: which methods are (RFC 9110's `Allow`).
        let mut allowed: Vec<&str> = Vec::new();
        for op in &self.operations {
            if match_path(&op.segments, path).is_some() && !allowed.contains(&op.method.as_str()) {
                allowed.push(op.method.as_str());
            }
        }
        if allowed.is_empty() {
            Matched::NotFound
        } else {
            Matched::MethodNotAllowed(allowed.join(", "))
        }
    }
}

/// `/b/{id}/` -> `[Literal("b"), Param("id")]`.
fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Literal(s.to_string()),
            },
        )
        .collect()
}

/// A compiled check for each path, query and header parameter (cookies
/// are not Ottu's).
fn param_checks(spec: &Spec, op: &OperationEntry) -> Result<Vec<ParamCheck>, String> {
    let mut params = Vec::new();
    for p in &op.parameters {
        if !matches!(p.location, ParamIn::Query | ParamIn::Path | ParamIn::Header) {
            continue;
        }
        let standalone = spec.json_schema(&p.schema);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&standalone)
            .map_err(|e| format!("{}: parameter `{}`: {e}", op.id, p.name))?;
        let types = codegen::schema::types(spec, &p.schema);
        let as_string = types.as_ref().is_none_or(|t| t.contains("string"));
        params.push(ParamCheck {
            name: p.name.clone(),
            required: p.required,
            location: p.location,
            validator,
            as_string,
        });
    }
    Ok(params)
}

/// Every documented response with an exact status, pre-generated: one per
/// union branch of its JSON body (with each structural drift of it), or an
/// empty one when it documents no body.
fn canned(validators: &Validators, op: &OperationEntry, seed: u64) -> Vec<Canned> {
    let spec = &validators.spec;
    let mut canned = Vec::new();
    for resp in &op.responses {
        let Some(status) = resp.status.code() else {
            continue;
        };
        if resp.content.is_empty() {
            canned.push(Canned {
                status,
                label: resp.key.clone(),
                content_type: None,
                body: Bytes::new(),
                value: None,
                schema: None,
                drifted: Vec::new(),
            });
            continue;
        }
        let Some((media, Some(compiled))) = resp.json_content() else {
            continue;
        };
        for (label, schema) in branches(validators, compiled) {
            let value = generate(
                validators,
                compiled,
                &schema,
                seed ^ hash(&(&op.id, status, &label)),
            );
            let body = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
            let drifted = Drift::ALL
                .into_iter()
                .filter(|d| d.is_structural())
                .filter_map(|d| {
                    let (v, p) = inject::structural(spec, &value, &schema, d)?;
                    Some((
                        d,
                        Bytes::from(serde_json::to_vec(&v).unwrap_or_default()),
                        p,
                    ))
                })
                .collect();
            canned.push(Canned {
                status,
                label,
                content_type: Some(media.clone()),
                body,
                value: Some(value),
                schema: Some(schema),
                drifted,
            });
        }
    }
    canned
}

fn match_path<'a>(segments: &'a [Segment], path: &str) -> Option<Vec<(&'a str, String)>> {
    let mut params = Vec::new();
    let mut parts = path.split('/').filter(|s| !s.is_empty());
    for seg in segments {
        let part = parts.next()?;
        match seg {
            Segment::Literal(l) if l == part => {}
            Segment::Literal(_) => return None,
            Segment::Param(name) => params.push((name.as_str(), percent_decode(part))),
        }
    }
    if parts.next().is_some() {
        return None;
    }
    Some(params)
}

/// Every documented response a client can ask the mock for: `(status,
/// example label)`; the label is set when the status has several union branches.
pub fn examples(validators: &Validators, op: &OperationEntry) -> Vec<(u16, Option<String>)> {
    let mut out = Vec::new();
    for resp in &op.responses {
        let Some(status) = resp.status.code() else {
            continue;
        };
        match resp.json_schema() {
            Some(compiled) => {
                let bs = branches(validators, compiled);
                if bs.len() > 1 {
                    out.extend(bs.into_iter().map(|(label, _)| (status, Some(label))));
                } else {
                    out.push((status, None));
                }
            }
            None => out.push((status, None)),
        }
    }
    out
}

/// The response schema, split into its `oneOf` branches (each labelled by
/// its component name) so a test can ask for each one.
fn branches(validators: &Validators, compiled: &Compiled) -> Vec<(String, Value)> {
    let spec = &validators.spec;
    let root = compiled.source.clone();
    let resolved = spec.resolve(&root).clone();
    let mut out = Vec::new();
    if let Some(Value::Array(bs)) = resolved.get("oneOf") {
        for b in bs {
            let name = b
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or("branch");
            out.push((name.to_ascii_lowercase(), b.clone()));
        }
    }
    if out.is_empty() {
        let name = root
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or("body");
        out.push((name.to_ascii_lowercase(), root));
    }
    out
}

/// A sample that the whole response schema accepts (re-drawn with other
/// seeds when a union branch's sample also matches a sibling branch).
fn generate(validators: &Validators, compiled: &Compiled, schema: &Value, seed: u64) -> Value {
    let mut last = Value::Null;
    for attempt in 0..64u64 {
        let v = sample::response(
            &validators.spec,
            schema,
            seed.wrapping_add(attempt.wrapping_mul(0x9E37)),
        );
        if validators.conforms(compiled, &v) {
            return v;
        }
        last = v;
    }
    last
}

fn hash<T: Hash>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// The documented success a stateful answer starts from: for a payment,
/// the branch that is the webhook payload (a paid result, not a 3DS step).
fn success(
    validators: &Validators,
    lifecycle: &Lifecycle,
    canned: &[Canned],
    default: usize,
) -> Option<(u16, Value)> {
    let payload = validators
        .spec
        .webhook_payload()
        .map(str::to_ascii_lowercase);
    let chosen = match (lifecycle.action, payload) {
        (Action::Pay | Action::Inquiry, Some(p)) => canned
            .iter()
            .find(|c| (200..300).contains(&c.status) && c.label == p)
            .or_else(|| canned.get(default)),
        _ => canned.get(default),
    }?;
    Some((chosen.status, chosen.value.clone().unwrap_or(Value::Null)))
}

/// Canned answers that do not contradict themselves: a payment's answers
/// name its own form of payment, its paid result reads as paid, and a
/// `detail` says what its status means. A change the schema would refuse
/// is not made.
fn coherent(validators: &Validators, op: &OperationEntry, l: &Lifecycle, canned: &mut [Canned]) {
    let payload = validators
        .spec
        .webhook_payload()
        .map(str::to_ascii_lowercase);
    for c in canned.iter_mut() {
        let Some(mut value) = c.value.clone() else {
            continue;
        };
        if (200..300).contains(&c.status) && l.action == Action::Pay {
            if payload.as_deref() == Some(c.label.as_str()) {
                let session = value
                    .get("session_id")
                    .and_then(Value::as_str)
                    .unwrap_or("session")
                    .to_string();
                paid_outcome(&mut value, &session, l.form_of_payment.as_deref());
            } else if let (Some(f), Some(slot)) =
                (&l.form_of_payment, value.get_mut("form_of_payment"))
            {
                *slot = Value::String(f.clone());
            }
        }
        if let Some(slot) = value.get_mut("detail").filter(|d| d.is_string()) {
            *slot = Value::String(reason(c.status).into());
        }
        if value == *c.value.as_ref().unwrap_or(&Value::Null) {
            continue;
        }
        let conforms = op
            .response(c.status)
            .and_then(|r| r.json_schema())
            .is_some_and(|compiled| validators.conforms(compiled, &value));
        if conforms {
            c.body = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
            c.value = Some(value);
        }
    }
}

/// DRF's words for an error status.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Invalid request.",
        401 => "Authentication credentials were not provided.",
        403 => "You do not have permission to perform this action.",
        404 => "Not found.",
        405 => "Method not allowed.",
        415 => "Unsupported media type in request.",
        429 => "Request was throttled.",
        s if s >= 500 => "A server error occurred.",
        _ => "Request failed.",
    }
}
