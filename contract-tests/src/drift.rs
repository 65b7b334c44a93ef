//! Judging one response: status, content type, body, schema, undeclared
//! properties. Every finding names the instance pointer and the schema
//! keyword (as a pointer into the merged spec) that judged it.

use codegen::pointer;
use codegen::spec::MediaKind;
use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::finding::{Finding, Kind};
use crate::validators::{Compiled, OperationEntry, Validators};

/// The judge was asked about an operation the spec does not have.
#[derive(Debug, thiserror::Error)]
#[error("no operation `{0}` in the loaded specs")]
pub struct UnknownOperation(pub String);

/// At most this many schema findings and this many undeclared properties
/// per response: a body that drifted everywhere needs no 100,000-line report.
pub const MAX_FINDINGS: usize = 200;

/// A finding under construction (operation and status are filled in by the caller).
struct Raw {
    kind: Kind,
    pointer: String,
    schema: String,
    message: String,
}

impl Validators {
    /// Judges one response of `operation`. `content_type` is the response's
    /// `Content-Type` header, if any.
    pub fn validate(
        &self,
        operation: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<Finding>, UnknownOperation> {
        let op = self
            .operation(operation)
            .ok_or_else(|| UnknownOperation(operation.to_string()))?;
        let raws = self.judge(op, status, content_type, body);
        Ok(raws
            .into_iter()
            .map(|r| self.finish(op, status, r))
            .collect())
    }

    /// Judges an already parsed JSON body against the documented JSON
    /// schema of `operation` x `status`.
    pub fn validate_value(
        &self,
        operation: &str,
        status: u16,
        body: &Value,
    ) -> Result<Vec<Finding>, UnknownOperation> {
        Ok(self.response_judge(operation, status)?.validate_value(body))
    }

    /// The judge of one documented response, resolved once: judging many
    /// bodies of the same operation x status then skips every lookup.
    pub fn response_judge(
        &self,
        operation: &str,
        status: u16,
    ) -> Result<ResponseJudge<'_>, UnknownOperation> {
        let op = self
            .operation(operation)
            .ok_or_else(|| UnknownOperation(operation.to_string()))?;
        let response = op.response(status);
        let compiled = response.and_then(|r| r.json_schema());
        Ok(ResponseJudge {
            validators: self,
            op,
            status,
            documented: response.is_some(),
            compiled,
            strict: compiled.and_then(|c| self.strict(c)),
        })
    }

    /// Is `body` valid for this compiled schema, undeclared properties included?
    /// No allocation when it is. Two passes, never the strict copy: this is
    /// for checking a few bodies per schema (the mock's responses at
    /// startup), where compiling the strict copy would cost more than it saves.
    pub fn conforms(&self, compiled: &Compiled, body: &Value) -> bool {
        if !compiled.validator().is_valid(body) {
            return false;
        }
        let mut clean = true;
        self.shapes
            .undocumented(compiled.shape, body, &mut |_| clean = false);
        clean
    }

    fn finish(&self, op: &OperationEntry, status: u16, r: Raw) -> Finding {
        let file = if r.schema.is_empty() {
            String::new()
        } else {
            self.spec.origin(&r.schema).file.display().to_string()
        };
        Finding {
            kind: r.kind,
            severity: r.kind.severity(),
            operation: op.id.clone(),
            status: Some(status),
            pointer: r.pointer,
            schema: r.schema,
            file,
            message: r.message,
        }
    }

    fn judge(
        &self,
        op: &OperationEntry,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<Raw> {
        let Some(resp) = op.response(status) else {
            return vec![undocumented_status(op, status)];
        };
        let blank = body.iter().all(u8::is_ascii_whitespace);
        if resp.content.is_empty() {
            if blank {
                return Vec::new();
            }
            let message = format!("{} bytes of body where the spec documents none", body.len());
            return vec![Raw {
                kind: Kind::UnexpectedBody,
                pointer: String::new(),
                schema: resp.pointer.clone(),
                message,
            }];
        }
        let mut out = Vec::new();
        let media = content_type.map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let documented = media
            .as_deref()
            .and_then(|m| resp.content.iter().find(|(mt, _)| media_matches(mt, m)));
        let chosen = match documented {
            Some(c) => c,
            None => {
                let wanted: Vec<&str> = resp.content.iter().map(|(mt, _)| mt.as_str()).collect();
                let got = media.as_deref().unwrap_or("no Content-Type");
                out.push(Raw {
                    kind: Kind::WrongContentType,
                    pointer: String::new(),
                    schema: pointer::push(&resp.pointer, "content"),
                    message: format!(
                        "content type `{}` is not documented (expected {})",
                        excerpt(got, 60),
                        wanted.join(", ")
                    ),
                });
                // Still judge the body against the documented JSON schema: a
                // server that mislabels JSON has more to say.
                match resp.json_content() {
                    Some(c) => c,
                    None => return out,
                }
            }
        };
        if blank {
            out.push(Raw {
                kind: Kind::EmptyBody,
                pointer: String::new(),
                schema: resp.pointer.clone(),
                message: "empty body where the spec documents one".into(),
            });
            return out;
        }
        let (mt, compiled) = chosen;
        if MediaKind::of(mt) != MediaKind::Json {
            return out;
        }
        let value: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                let looks = if body.trim_ascii_start().starts_with(b"<") {
                    " (looks like an HTML page)"
                } else {
                    ""
                };
                out.push(Raw {
                    kind: Kind::BodyNotJson,
                    pointer: String::new(),
                    schema: resp.pointer.clone(),
                    message: format!("body is not JSON{looks}: {e}"),
                });
                return out;
            }
        };
        if let Some(compiled) = compiled {
            self.judge_value(compiled, &value, &mut out);
        }
        out
    }

    fn judge_value(&self, compiled: &Compiled, value: &Value, out: &mut Vec<Raw>) {
        // One pass answers "no finding" for most bodies; the rest take both.
        if let Some(strict) = self.strict(compiled)
            && strict.is_valid(value)
        {
            return;
        }
        self.judge_two_pass(compiled, value, out);
    }

    /// Validation errors, then undeclared properties: what names findings.
    fn judge_two_pass(&self, compiled: &Compiled, value: &Value, out: &mut Vec<Raw>) {
        if !compiled.validator().is_valid(value) {
            for e in compiled.validator().iter_errors(value) {
                if out.len() >= MAX_FINDINGS {
                    break;
                }
                map_error(compiled, self.secret_names(), &e, out);
            }
        }
        let mut undocumented = 0;
        self.shapes.undocumented(compiled.shape, value, &mut |u| {
            undocumented += 1;
            if undocumented > MAX_FINDINGS {
                return;
            }
            let name = u
                .pointer
                .rsplit('/')
                .next()
                .map(pointer::unescape)
                .unwrap_or_default();
            out.push(Raw {
                kind: Kind::UndocumentedProperty,
                message: format!(
                    "property `{}` is not declared by the spec",
                    excerpt(&name, 60)
                ),
                pointer: u.pointer,
                schema: pointer::push(&u.schema, "properties"),
            });
        });
    }
}

/// See [`Validators::response_judge`].
#[derive(Debug, Clone, Copy)]
pub struct ResponseJudge<'a> {
    validators: &'a Validators,
    op: &'a OperationEntry,
    status: u16,
    documented: bool,
    compiled: Option<&'a Compiled>,
    /// `compiled`'s one-pass judge, resolved once too.
    strict: Option<&'a jsonschema::Validator>,
}

impl ResponseJudge<'_> {
    /// Findings for one parsed JSON body; no allocation when there is none.
    #[inline]
    pub fn validate_value(&self, body: &Value) -> Vec<Finding> {
        // The common case, first and alone: a clean body, one pass. Kept
        // small enough to inline into the caller's loop.
        if let Some(strict) = self.strict
            && strict.is_valid(body)
        {
            return Vec::new();
        }
        self.findings(body)
    }

    /// Everything but the clean fast path.
    #[cold]
    #[inline(never)]
    fn findings(&self, body: &Value) -> Vec<Finding> {
        let v = self.validators;
        if !self.documented {
            return vec![v.finish(
                self.op,
                self.status,
                undocumented_status(self.op, self.status),
            )];
        }
        let mut out = Vec::new();
        if let Some(compiled) = self.compiled {
            // The one-pass judge already said no (or there is none).
            v.judge_two_pass(compiled, body, &mut out);
        }
        if out.is_empty() {
            return Vec::new();
        }
        out.into_iter()
            .map(|r| v.finish(self.op, self.status, r))
            .collect()
    }
}

fn undocumented_status(op: &OperationEntry, status: u16) -> Raw {
    let documented: Vec<&str> = op.responses.iter().map(|r| r.key.as_str()).collect();
    Raw {
        kind: Kind::UndocumentedStatus,
        pointer: String::new(),
        schema: pointer::push(&op.pointer, "responses"),
        message: format!(
            "status {status} is not documented (documented: {})",
            documented.join(", ")
        ),
    }
}

fn media_matches(documented: &str, got: &str) -> bool {
    let d = documented.to_ascii_lowercase();
    d == got
        || d == "*/*"
        || d.strip_suffix("/*")
            .is_some_and(|p| got.starts_with(p) && got[p.len()..].starts_with('/'))
}

/// Maps one jsonschema error to findings; `oneOf`/`anyOf` failures are
/// drilled into the branch the content names, so the pointer is precise.
fn map_error(compiled: &Compiled, secrets: &[String], e: &ValidationError<'_>, out: &mut Vec<Raw>) {
    let at = e.instance_path().as_str().to_string();
    let schema = schema_pointer(compiled, e.evaluation_path().as_str());
    let name = at
        .rsplit('/')
        .next()
        .map(pointer::unescape)
        .unwrap_or_default();
    let shown = || {
        if secrets.contains(&name) {
            "value".to_string()
        } else {
            format!("`{}`", excerpt(&e.instance().to_string(), 40))
        }
    };
    let (kind, message) = match e.kind() {
        ValidationErrorKind::Required { property } => {
            let p = property.as_str().unwrap_or_default();
            let pointer = pointer::push(&at, p);
            out.push(Raw {
                kind: Kind::MissingRequiredProperty,
                pointer,
                schema,
                message: format!("required property `{}` is missing", excerpt(p, 60)),
            });
            return;
        }
        ValidationErrorKind::Type { kind } => (
            Kind::TypeMismatch,
            format!(
                "expected {}, got {}",
                type_name(kind),
                json_type(e.instance())
            ),
        ),
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => (
            Kind::ValueOutsideEnum,
            format!("{} is not one of the documented values", shown()),
        ),
        ValidationErrorKind::Format { format } => (
            Kind::FormatViolated,
            format!("{} is not a valid `{format}`", shown()),
        ),
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            match best_branch(context) {
                Some(branch) => {
                    for inner in branch {
                        map_error(compiled, secrets, inner, out);
                    }
                    return;
                }
                None => (
                    Kind::TypeMismatch,
                    "matches no branch of the union".to_string(),
                ),
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => (
            Kind::UnionMismatch,
            "matches several branches of a oneOf".to_string(),
        ),
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => (
            Kind::ConstraintViolated,
            format!(
                "properties not allowed: {}",
                excerpt(&unexpected.join(", "), 80)
            ),
        ),
        other => (Kind::ConstraintViolated, constraint_message(other)),
    };
    out.push(Raw {
        kind,
        pointer: at,
        schema,
        message,
    });
}

/// The branch of a failed union whose errors are fewest (the one the
/// content is closest to); a branch failing on the type itself counts as far.
fn best_branch<'a>(
    context: &'a [Vec<ValidationError<'static>>],
) -> Option<&'a Vec<ValidationError<'static>>> {
    // A missing required property says more about which branch the body is
    // not than a wrong value does.
    context.iter().min_by_key(|errs| {
        errs.iter()
            .map(|e| match e.kind() {
                ValidationErrorKind::Type { .. } if e.instance_path().as_str().is_empty() => 100,
                ValidationErrorKind::Required { .. } => 2,
                _ => 1,
            })
            .sum::<usize>()
    })
}

fn constraint_message(kind: &ValidationErrorKind) -> String {
    match kind {
        ValidationErrorKind::MaxLength { limit } => format!("longer than maxLength {limit}"),
        ValidationErrorKind::MinLength { limit } => format!("shorter than minLength {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("above maximum {limit}"),
        ValidationErrorKind::Minimum { limit } => format!("below minimum {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("not below exclusiveMaximum {limit}")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("not above exclusiveMinimum {limit}")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("does not match pattern `{}`", excerpt(pattern, 60))
        }
        ValidationErrorKind::MaxItems { limit } => format!("more than maxItems {limit}"),
        ValidationErrorKind::MinItems { limit } => format!("fewer than minItems {limit}"),
        ValidationErrorKind::UniqueItems => "items are not unique".into(),
        ValidationErrorKind::FalseSchema => "no value is allowed here".into(),
        ValidationErrorKind::Not { .. } => "matches a schema it must not".into(),
        other => {
            let d = format!("{other:?}");
            format!(
                "violates `{}`",
                d.split([' ', '{', '(']).next().unwrap_or("constraint")
            )
        }
    }
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(ts) => ts
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// At most `max` characters of `s`, on one line.
pub fn excerpt(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}...", one_line.chars().take(max).collect::<String>())
    }
}

/// The merged-doc pointer of the keyword an evaluation path ends at:
/// `$ref` segments jump to their target, so `/$ref/properties/amount/type`
/// becomes `/components/schemas/SchemaWebhook/properties/amount/type`.
pub fn schema_pointer(compiled: &Compiled, evaluation_path: &str) -> String {
    let mut node = compiled.schema();
    let mut at = compiled.pointer.clone();
    for raw in evaluation_path.split('/').skip(1) {
        let seg = pointer::unescape(raw);
        if seg == "$ref"
            && let Some(target) = node.get("$ref").and_then(Value::as_str)
        {
            let frag = pointer::percent_decode(target.trim_start_matches('#'));
            if let Some(next) = compiled.schema().pointer(&frag) {
                node = next;
                at = frag;
                continue;
            }
        }
        node = match node {
            Value::Object(m) => m.get(&seg).unwrap_or(node),
            Value::Array(a) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .unwrap_or(node),
            _ => node,
        };
        at = pointer::push(&at, &seg);
    }
    at
}

/// A validator's verdict on a request body, in DRF's shape: each bad field
/// with its messages (used by the mock).
pub fn field_errors(validator: &Validator, body: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in validator.iter_errors(body) {
        let path = e.instance_path().as_str();
        let mut tokens = path.split('/').skip(1).map(pointer::unescape);
        let field = tokens.next();
        let (field, message) = match e.kind() {
            ValidationErrorKind::Required { property } => {
                let p = property.as_str().unwrap_or_default().to_string();
                match field {
                    None => (p, "This field is required.".to_string()),
                    Some(f) => (f, format!("`{p}`: This field is required.")),
                }
            }
            ValidationErrorKind::Type { kind } => (
                field.unwrap_or_else(|| "non_field_errors".into()),
                format!("Expected {}.", type_name(kind)),
            ),
            ValidationErrorKind::Enum { .. } => (
                field.unwrap_or_else(|| "non_field_errors".into()),
                "Not a valid choice.".to_string(),
            ),
            ValidationErrorKind::MaxLength { limit } => (
                field.unwrap_or_default(),
                format!("Ensure this field has no more than {limit} characters."),
            ),
            ValidationErrorKind::MinLength { limit } => (
                field.unwrap_or_default(),
                format!("Ensure this field has at least {limit} characters."),
            ),
            other => (
                field.unwrap_or_else(|| "non_field_errors".into()),
                constraint_message(other),
            ),
        };
        let field = if field.is_empty() {
            "non_field_errors".to_string()
        } else {
            field
        };
        out.push((field, message));
    }
    out
}
