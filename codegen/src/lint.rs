//! Spec defects that break generated clients or validators, found on the
//! loaded (and, unless disabled, overlaid) spec.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::error::{LoadError, Location};
use crate::schema::{self, Distinction};
use crate::spec::{MediaKind, Operation, ParamIn, Parameter, Spec, is_credential_header};
use crate::{pointer, walk};

/// How bad a finding is. `Error` makes `cargo xtask lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One defect: which rule, where, and a one-line why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    #[serde(serialize_with = "location_string")]
    pub at: Location,
    pub message: String,
}

fn location_string<S: serde::Serializer>(l: &Location, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&l.to_string())
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}] {}: {}", self.rule, self.at, self.message)
    }
}

/// A load error as a lint finding: unresolvable and cyclic `$ref`s are spec
/// defects too, and `lint` reports them in the same form.
pub fn from_load_error(e: &LoadError) -> Finding {
    let rule = match e {
        LoadError::DanglingRef { .. } => "unresolvable-ref",
        LoadError::CyclicRef { .. } => "cyclic-ref",
        LoadError::ForbiddenRef { .. } => "forbidden-ref",
        LoadError::Conflict { .. } => "conflicting-definition",
        _ => "unloadable",
    };
    let at = e.location().unwrap_or_else(|| Location::new("", ""));
    let message = e.to_string();
    let prefix = format!("{at}: ");
    let message = message
        .strip_prefix(&prefix)
        .unwrap_or(&message)
        .to_string();
    Finding {
        rule,
        severity: Severity::Error,
        at,
        message,
    }
}

/// Runs every rule. Findings are sorted by file, pointer, then rule.
pub fn lint(spec: &Spec) -> Vec<Finding> {
    let mut out = Vec::new();
    ambiguous_unions(spec, &mut out);
    disagreements(spec, &mut out);
    missing_groups(spec, &mut out);
    let mut ids: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for op in spec.operations() {
        let at = op.pointer();
        match op.id {
            Some(id) => ids.entry(id).or_default().push(at.clone()),
            None => out.push(finding(
                spec,
                "missing-operation-id",
                Severity::Warning,
                &at,
                "no operationId: generated method names would be guessed from the path".into(),
            )),
        }
        policy_decisions(spec, &op, &mut out);
        for p in op.parameters() {
            parameter(spec, &p, &mut out);
        }
        let body = op.request_body();
        let mut forms: Vec<(&Value, String, Vec<&str>)> = Vec::new();
        for media in body.iter().flat_map(|rb| &rb.content) {
            if let Some(s) = media.schema {
                read_only_required(spec, s, &media.schema_pointer(), &mut out, 0);
                if matches!(media.kind, MediaKind::Form | MediaKind::Multipart) {
                    match forms.iter_mut().find(|(f, ..)| *f == s) {
                        Some((.., types)) => types.push(media.media_type),
                        None => forms.push((s, media.schema_pointer(), vec![media.media_type])),
                    }
                }
            }
        }
        for (s, at, types) in forms {
            form_fields(spec, &types.join(" and "), s, &at, &mut out);
        }
    }
    for (id, places) in ids {
        if places.len() > 1 {
            for at in &places[1..] {
                out.push(finding(spec, "duplicate-operation-id", Severity::Error, at, format!("operationId `{id}` is also used at {}; generated method names would collide", places[0])));
            }
        }
    }
    out.sort_by(|a, b| (&a.at, a.rule).cmp(&(&b.at, b.rule)));
    out.dedup();
    out
}

/// Upstream's own inconsistencies: every point where a fallback document
/// differs from the document that owns the entry (the owner's is kept).
fn disagreements(spec: &Spec, out: &mut Vec<Finding>) {
    // Values are spec text, but a differing parameter default can be a
    // real key (Ottu's documents carry some): anything token-like is redacted.
    let show = |v: &Option<Value>| match v {
        None => "(absent)".to_string(),
        Some(v) => {
            let text = redact_tokens(v).to_string();
            match text.char_indices().nth(80) {
                Some((i, _)) => format!("{}...", &text[..i]),
                None => text,
            }
        }
    };
    for d in spec.disagreements() {
        out.push(Finding {
            rule: "documents-disagree",
            severity: Severity::Warning,
            at: d.owner.clone(),
            message: format!(
                "{} differs from {}#{} (kept here: {}; there: {})",
                d.entry.trim_start_matches('/'),
                d.other.file.display(),
                d.other.pointer,
                show(&d.owner_value),
                show(&d.other_value),
            ),
        });
    }
}

fn finding(
    spec: &Spec,
    rule: &'static str,
    severity: Severity,
    at: &str,
    message: String,
) -> Finding {
    Finding {
        rule,
        severity,
        at: spec.origin(at),
        message,
    }
}

/// Unions whose branches cannot be told apart.
fn ambiguous_unions(spec: &Spec, out: &mut Vec<Finding>) {
    walk::schemas(spec.document(), &mut |s, at| {
        let Some(Value::Array(branches)) = s.get("oneOf") else {
            return;
        };
        for i in 0..branches.len() {
            for j in i + 1..branches.len() {
                if schema::distinction(spec, &branches[i], &branches[j]) == Distinction::Ambiguous {
                    out.push(finding(
                        spec,
                        "ambiguous-one-of",
                        Severity::Error,
                        &format!("{at}/oneOf"),
                        format!(
                            "branches {i} ({}) and {j} ({}) can match the same instance, so `oneOf` rejects it; neither requires a property the other lacks",
                            branch_name(&branches[i]),
                            branch_name(&branches[j])
                        ),
                    ));
                }
            }
        }
    });
}

/// An operation without a money-movement or retry decision: the client
/// would fall back to HTTP semantics (GET, HEAD, OPTIONS retried, anything
/// else sent once and treated as moving money), a default instead of a
/// decision. The decisions are `x-ottu-*` extensions (see
/// `specs/overlays/ottu-policy.yaml`).
fn policy_decisions(spec: &Spec, op: &Operation<'_>, out: &mut Vec<Finding>) {
    let missing = op.policy().missing();
    if missing.is_empty() {
        return;
    }
    let method = op.method;
    let p = op.policy();
    out.push(finding(
        spec,
        "missing-policy-decision",
        Severity::Error,
        &op.pointer(),
        format!(
            "operation `{}` declares no {}: the client falls back to {} (retry: {}); decide it in the spec or an overlay",
            op.id_or_default(),
            missing.join(" and no "),
            if p.moves_money_or_default(method) { "treating it as moving money" } else { "treating it as moving no money" },
            p.retry_or_default(method).as_str(),
        ),
    ));
}

/// Once any operation has an API group (`x-ottu-group`), every operation
/// needs one: one without would be compiled whatever features a user picks,
/// and would pull every type it reaches into every build.
fn missing_groups(spec: &Spec, out: &mut Vec<Finding>) {
    let ops = spec.operations();
    let groups: std::collections::BTreeSet<String> =
        ops.iter().filter_map(|op| op.policy().group).collect();
    if groups.is_empty() {
        return;
    }
    let known = groups.into_iter().collect::<Vec<_>>().join(", ");
    for op in ops.iter().filter(|op| op.policy().group.is_none()) {
        out.push(finding(
            spec,
            "missing-group",
            Severity::Error,
            &op.pointer(),
            format!(
                "operation `{}` has no x-ottu-group while others do ({known}): it would be compiled with every feature set; give it a group in the spec or an overlay",
                op.id_or_default()
            ),
        ));
    }
}

/// `Authorization` declared as an input, and credentials in defaults or examples.
fn parameter(spec: &Spec, p: &Parameter<'_>, out: &mut Vec<Finding>) {
    let name = p.name;
    if p.location == ParamIn::Header && name.eq_ignore_ascii_case("authorization") {
        out.push(finding(
            spec,
            "authorization-header-parameter",
            Severity::Error,
            &p.pointer,
            "`Authorization` is declared as a header parameter: it is authentication (a securityScheme), not an input, and a client would ask callers for their key on every call".into(),
        ));
    }
    for (where_, value) in [
        ("schema/default", p.value.pointer("/schema/default")),
        ("example", p.value.get("example")),
        ("schema/examples/0", p.value.pointer("/schema/examples/0")),
    ] {
        if let Some(Value::String(v)) = value
            && looks_like_credential(name, v)
        {
            out.push(finding(
                spec,
                "credential-in-default",
                Severity::Error,
                &format!("{}/{where_}", p.pointer),
                format!("parameter `{name}` carries what looks like a real credential ({}); a generator would embed it in code", redact(v)),
            ));
        }
    }
}

/// `readOnly` properties listed in `required` of a request body schema.
fn read_only_required(spec: &Spec, s: &Value, at: &str, out: &mut Vec<Finding>, depth: usize) {
    if depth > 8 {
        return;
    }
    let (s, at) = match s.get("$ref").and_then(Value::as_str) {
        Some(r) => match spec.resolve_ref(r) {
            Some(v) => (v, r.trim_start_matches('#').to_string()),
            None => return,
        },
        None => (s, at.to_string()),
    };
    for name in schema::required(spec, s) {
        if let schema::PropertyRule::Declared(p) = schema::property(spec, s, &name)
            && (spec.resolve(p).get("readOnly") == Some(&Value::Bool(true))
                || p.get("readOnly") == Some(&Value::Bool(true)))
        {
            out.push(Finding {
                    rule: "read-only-required-in-request",
                    severity: Severity::Warning,
                    at: spec.origin(&pointer::push(&format!("{at}/properties"), &name)),
                    message: format!("`{name}` is readOnly and required in a request body: clients must not send it, validators demand it"),
                });
        }
    }
    for all in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        read_only_required(spec, all, &at, out, depth + 1);
    }
}

/// Properties of a form or multipart body that are not one text value:
/// form fields are flat strings, and without an `encoding` (Ottu's
/// documents have none) a client and a server need not agree how an
/// object or a list is sent, nor can a wrong-typed item be told from text.
fn form_fields(spec: &Spec, media: &str, s: &Value, at: &str, out: &mut Vec<Finding>) {
    // Point at the schema the body refers to (a property merged in from
    // an `allOf` part is reported there too: its name says which).
    let at = match s.get("$ref").and_then(Value::as_str) {
        Some(r) => pointer::percent_decode(r.trim_start_matches('#')),
        None => at.to_string(),
    };
    let flat = crate::sample::flatten(spec, s, 0);
    let Some(Value::Object(props)) = flat.get("properties") else {
        return;
    };
    for (name, p) in props {
        let Some(types) = schema::types(spec, p) else {
            continue;
        };
        let what = if types.contains("object") {
            "an object: Django's form parsers do not nest, so it cannot be sent as fields"
        } else if types.contains("array") {
            "a list: it arrives as repeated text fields, so item types are lost"
        } else {
            continue;
        };
        out.push(Finding {
            rule: "form-field-not-flat",
            severity: Severity::Warning,
            at: spec.origin(&pointer::push(&format!("{at}/properties"), name)),
            message: format!(
                "`{name}` of a {media} body is {what} (the document declares no `encoding`)"
            ),
        });
    }
}

fn branch_name(v: &Value) -> String {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r.rsplit('/').next().unwrap_or(r).to_string(),
        None => "inline schema".into(),
    }
}

/// A credential-looking value: an auth scheme followed by a token, or a
/// non-trivial value for a parameter whose name says it is a secret.
fn looks_like_credential(name: &str, value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let schemed = ["api-key ", "bearer ", "basic ", "token "]
        .iter()
        .any(|p| lower.starts_with(p) && v.len() > p.len() + 8);
    let n = name.to_ascii_lowercase();
    let secret_name = is_credential_header(name)
        || ["authorization", "apikey", "token", "secret", "password"]
            .iter()
            .any(|s| n.contains(s));
    let placeholder =
        v.contains('<') || v.contains('{') || lower.contains("your") || lower.contains("xxx");
    !placeholder && (schemed || (secret_name && v.len() >= 16 && !v.contains(' ')))
}

/// A string that could be a key: scheme + token (`Api-Key ...`), or one
/// long word of letters and digits. Identifiers written with `_` or `-`
/// between words (`google_native_payment`) and prose stay readable.
fn token_like(s: &str) -> bool {
    let t = s.trim();
    looks_like_credential("value", t)
        || (looks_like_credential("authorization", t)
            && t.chars().any(|c| c.is_ascii_digit())
            && !t.contains('_')
            && !t.contains('-'))
}

/// `v` with every credential-looking string (at any depth) redacted.
fn redact_tokens(v: &Value) -> Value {
    match v {
        Value::String(s) if !s.starts_with("#/") && token_like(s) => Value::String(redact(s)),
        Value::Array(items) => Value::Array(items.iter().map(redact_tokens).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_tokens(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Shows a credential's shape, never its value.
pub fn redact(v: &str) -> String {
    let scheme = v
        .split_whitespace()
        .next()
        .filter(|_| v.contains(' '))
        .unwrap_or("");
    let rest = v.len() - scheme.len();
    if scheme.is_empty() {
        format!("<{rest} characters, redacted>")
    } else {
        format!("{scheme} <{} characters, redacted>", rest.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_recognised_and_never_printed() {
        assert!(looks_like_credential(
            "Authorization",
            "Api-Key vSUmxsXx.V81oYvOWFMcIywaOu57Utx6VSCmG11lo"
        ));
        assert!(!looks_like_credential(
            "Authorization",
            "Api-Key <your key>"
        ));
        assert!(!looks_like_credential("type", "sandbox"));
        // Disagreement listings show identifiers, never keys.
        assert!(token_like("vSUmxsXx.V81oYvOWFMcIywaOu57Utx6VSCmG11lo"));
        assert!(token_like(
            "Api-Key vSUmxsXx.V81oYvOWFMcIywaOu57Utx6VSCmG11lo"
        ));
        assert!(!token_like("google_native_payment"));
        assert!(!token_like("apple_direct_payment"));
        let r = redact("Api-Key vSUmxsXx.V81oYvOWFMcIywaOu57Utx6VSCmG11lo");
        assert_eq!(r, "Api-Key <41 characters, redacted>");
    }
}
