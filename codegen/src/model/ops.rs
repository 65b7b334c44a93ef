//! Operations -> `Client` methods: name, parameters, body, success type and
//! the per-operation error enum.

use serde_json::Value;

use super::naming::{Namespace, snake, type_name};
use super::types::{Builder, Mode};
use super::{
    Body, Checks, ErrorCase, OperationDef, Param, ParamLocation, PathPart, StatusMatch, Success,
    Ty, doc_of,
};

/// Names of statuses Ottu documents (and other common ones).
fn status_variant(status: u16) -> String {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{status}"),
    }
    .to_string()
}

/// Variant names of ranges and `default` (they carry the actual status).
fn error_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(c) => status_variant(c),
        StatusMatch::Range(1) => "Informational".into(),
        StatusMatch::Range(2) => "Success".into(),
        StatusMatch::Range(3) => "Redirection".into(),
        StatusMatch::Range(4) => "ClientError".into(),
        StatusMatch::Range(5) => "ServerError".into(),
        StatusMatch::Range(c) => format!("Status{c}XX"),
        StatusMatch::Default => "Default".into(),
    }
}

/// The JSON schema of a response or body, if it has JSON content.
fn json_schema(content: Option<&Value>) -> Option<(String, Value)> {
    let content = content?.as_object()?;
    let pick = content
        .iter()
        .find(|(ct, _)| ct.as_str() == "application/json")
        .or_else(|| content.iter().find(|(ct, _)| ct.contains("json")))
        .or_else(|| content.iter().next())?;
    Some((
        pick.0.clone(),
        pick.1.get("schema").cloned().unwrap_or(Value::Bool(true)),
    ))
}

fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n.contains("api-key")
        || n.contains("api_key")
        || n == "cookie"
}

pub(crate) fn operations(b: &mut Builder<'_>) -> Vec<OperationDef> {
    let spec = b.spec;
    let mut methods = Namespace::new(&["new", "request", "send", "clone"]);
    let mut out = Vec::new();
    for op in spec.operations() {
        let id = op
            .id
            .map(str::to_string)
            .unwrap_or_else(|| format!("{} {}", op.method, op.path));
        let method_name = methods.claim(&snake(&id), "_");
        let pascal = type_name(&method_name);
        let pointer = op.pointer();
        let doc = match (
            op.value.get("summary").and_then(Value::as_str),
            doc_of(op.value),
        ) {
            (Some(s), Some(d)) if s.trim() != d.trim() => Some(format!("{}\n\n{d}", s.trim())),
            (Some(s), None) => Some(s.trim().to_string()),
            (_, d) => d,
        };

        let mut params = Vec::new();
        let mut ns = Namespace::new(&["body", "self"]);
        for (i, raw) in op
            .value
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p = spec.resolve(raw);
            let Some(wire) = p.get("name").and_then(Value::as_str) else {
                continue;
            };
            let location = match p.get("in").and_then(Value::as_str) {
                Some("path") => ParamLocation::Path,
                Some("query") => ParamLocation::Query,
                // Credentials are the client's business, never an argument,
                // and their defaults (which may be real keys) are never emitted.
                Some("header") if !is_credential_header(wire) => ParamLocation::Header,
                _ => continue,
            };
            let schema = p.get("schema").cloned().unwrap_or(Value::Bool(true));
            let at = format!("{pointer}/parameters/{i}/schema");
            let (ty, _) = b.ty(
                &schema,
                &format!("{pascal}{}", type_name(wire)),
                &at,
                Mode::Request,
            );
            let resolved = spec.resolve(&schema).clone();
            params.push(Param {
                name: ns.claim(&snake(wire), "_"),
                wire: wire.to_string(),
                location,
                ty,
                required: location == ParamLocation::Path
                    || p.get("required") == Some(&Value::Bool(true)),
                doc: doc_of(p),
                checks: Checks::of(&resolved),
            });
        }

        let mut path_parts = Vec::new();
        let mut rest = op.path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| c + open) else {
                break;
            };
            if open > 0 {
                path_parts.push(PathPart::Literal(rest[..open].to_string()));
            }
            let name = &rest[open + 1..close];
            match params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.wire == name)
            {
                Some(i) => path_parts.push(PathPart::Param(i)),
                None => {
                    // An undeclared path parameter: still an argument.
                    params.push(Param {
                        name: ns.claim(&snake(name), "_"),
                        wire: name.to_string(),
                        location: ParamLocation::Path,
                        ty: Ty::String,
                        required: true,
                        doc: None,
                        checks: Checks::default(),
                    });
                    path_parts.push(PathPart::Param(params.len() - 1));
                }
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            path_parts.push(PathPart::Literal(rest.to_string()));
        }

        let body = op
            .value
            .get("requestBody")
            .map(|rb| spec.resolve(rb))
            .and_then(|rb| {
                let (content_type, schema) = json_schema(rb.get("content"))?;
                let (ty, _) = b.ty(
                    &schema,
                    &format!("{pascal}Body"),
                    &format!("{pointer}/requestBody"),
                    Mode::Request,
                );
                Some(Body {
                    ty,
                    required: rb.get("required") == Some(&Value::Bool(true)),
                    content_type,
                })
            });

        let mut statuses = Vec::new();
        let mut errors = Vec::new();
        let mut default = None;
        let mut variants = Namespace::new(&[]);
        for (code, resp) in op
            .value
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            // Other keys (extensions) are not responses.
            let Some(status) = StatusMatch::parse(code) else {
                continue;
            };
            let resp = spec.resolve(resp);
            let at = format!("{pointer}/responses/{}", crate::pointer::escape(code));
            let ty = json_schema(resp.get("content")).map(|(_, s)| {
                let suffix = if status.is_success() {
                    "Response".to_string()
                } else {
                    error_variant(status)
                };
                b.ty(&s, &format!("{pascal}{suffix}"), &at, Mode::Response)
                    .0
            });
            if status.is_success() {
                statuses.push((status, ty));
            } else if matches!(status, StatusMatch::Code(c) if c < 200) {
                // 1xx are interim: the HTTP client never returns them.
            } else {
                if status == StatusMatch::Default {
                    default = Some(ty.clone());
                }
                errors.push(ErrorCase {
                    status,
                    variant: variants.claim(&error_variant(status), ""),
                    ty,
                    doc: doc_of(resp),
                });
            }
        }
        // No documented success: a `default` response describes it too
        // (`responses: {default: ...}` alone is a common way to write it).
        if statuses.is_empty()
            && let Some(ty) = default
        {
            statuses.push((StatusMatch::Range(2), ty));
        }
        // Run-time match order: exact, then range, then `default`.
        statuses.sort_by_key(|(s, _)| s.precedence());
        errors.sort_by_key(|e| e.status.precedence());
        let distinct: std::collections::BTreeSet<_> =
            statuses.iter().filter_map(|(_, t)| t.clone()).collect();
        let mixed = distinct.len() > 1
            || (distinct.len() == 1 && statuses.iter().any(|(_, t)| t.is_none()));
        let success = Success {
            statuses,
            enum_name: mixed.then(|| b.names.claim(&format!("{pascal}Success"), "")),
        };
        let error_type = b.names.claim(&format!("{pascal}Error"), "");

        out.push(OperationDef {
            id,
            method_name,
            http_method: op.method.to_ascii_uppercase(),
            path: op.path.to_string(),
            pointer,
            doc,
            path_parts,
            params,
            body,
            success,
            error_type,
            errors,
        });
    }
    out
}
