//! The mock's route table and canned responses, built once at startup so
//! serving is a table lookup and a refcount bump on pre-serialized bytes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use codegen::sample;
use jsonschema::{Draft, Validator};
use serde_json::Value;

use codegen::spec::{ParamIn, Spec};

use super::canned::Canned;
use super::drifts::Drift;
use super::form::percent_decode;
use super::inject;
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
    pub in_query: bool,
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
    pub secured: bool,
    pub params: Vec<ParamCheck>,
    pub canned: Vec<Canned>,
    /// Index into `canned` of the default (first 2xx) answer.
    pub default: usize,
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
    MethodNotAllowed,
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
                let canned = canned(validators, op, seed);
                Ok(MockOperation {
                    index,
                    id: op.id.clone(),
                    method,
                    segments: segments(&op.path),
                    secured: !op.anonymous,
                    params,
                    // The first 2xx.
                    default: canned
                        .iter()
                        .position(|c| (200..300).contains(&c.status))
                        .unwrap_or(0),
                    canned,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { operations })
    }

    /// The operation for a method and path.
    pub fn find<'a>(&'a self, method: &axum::http::Method, path: &'a str) -> Matched<'a> {
        let mut path_matched = false;
        for op in &self.operations {
            let Some(params) = match_path(&op.segments, path) else {
                continue;
            };
            if op.method == *method {
                return Matched::Found(op, params);
            }
            path_matched = true;
        }
        if path_matched {
            Matched::MethodNotAllowed
        } else {
            Matched::NotFound
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

/// A compiled check for each path and query parameter.
fn param_checks(spec: &Spec, op: &OperationEntry) -> Result<Vec<ParamCheck>, String> {
    let mut params = Vec::new();
    for p in &op.parameters {
        if !matches!(p.location, ParamIn::Query | ParamIn::Path) {
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
            in_query: p.location == ParamIn::Query,
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
        let v = sample::instance(
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
