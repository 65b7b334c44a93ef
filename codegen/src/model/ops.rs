//! Operations -> `Client` methods: name, parameters, body, success type and
//! the per-operation error enum. Reads the operation through the typed
//! view ([`crate::spec::Operation`]); never indexes the raw JSON.

use std::collections::BTreeSet;

use serde_json::Value;

use super::naming::{Namespace, snake, type_name};
use super::types::{Builder, Mode};
use super::{
    AuthKind, AuthScheme, Body, BodyEncoding, Checks, ErrorCase, FileField, OperationDef,
    OperationPolicy, Param, ParamLocation, PathPart, RawSuccess, Retry, Security, StatusMatch,
    Success, Ty, doc_of,
};
use crate::spec::{
    MediaKind, MediaType, Operation, ParamIn, Response, SchemeKind, Spec, is_credential_header,
    json_of,
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

/// The schema of a JSON media type (`true` when it declares none).
fn schema_of(media: &MediaType<'_>) -> Value {
    media.schema.cloned().unwrap_or(Value::Bool(true))
}

pub(crate) fn operations(b: &mut Builder<'_>) -> Vec<OperationDef> {
    let mut methods = Namespace::new(&["new", "request", "send", "clone"]);
    b.spec
        .operations()
        .into_iter()
        .map(|op| operation(b, &mut methods, &op))
        .collect()
}

fn operation(b: &mut Builder<'_>, methods: &mut Namespace, op: &Operation<'_>) -> OperationDef {
    let id = op
        .id
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {}", op.method, op.path));
    let method_name = methods.claim(&snake(&id), "_");
    let pascal = type_name(&method_name);
    // Parameters are fields and setters of the operation's request, beside
    // the options every request has.
    let mut ns = Namespace::new(&[
        "body",
        "self",
        "client",
        "options",
        "timeout",
        "header",
        "retry",
        "send",
        "send_with_response",
        "into_future",
    ]);
    let policy = policy(op);
    let mut params = params(b, op, &pascal, &mut ns);
    idempotency_key_param(&policy, &mut params, &mut ns);
    let path_parts = path_parts(op.path, &mut params, &mut ns);
    let body = body(b, op, &pascal, &mut ns);
    let (statuses, raw, errors) = responses(b, op, &pascal);
    let success = success(b, statuses, raw, &pascal);
    let error_type = b.names.claim(&format!("{pascal}Error"), "");
    // Method names are unique, so are their request names.
    let request_type = format!("{pascal}Request");
    OperationDef {
        id,
        method_name,
        http_method: op.method.to_ascii_uppercase(),
        path: op.path.to_string(),
        pointer: op.pointer(),
        doc: operation_doc(op),
        path_parts,
        params,
        body,
        success,
        error_type,
        request_type,
        errors,
        policy,
        security: security(b.spec, op),
        group: op.policy().group,
    }
}

/// The schemes the operation accepts, merged by how they are sent.
fn security(spec: &Spec, op: &Operation<'_>) -> Security {
    let Some(alternatives) = op.security() else {
        return Security {
            schemes: None,
            anonymous: false,
        };
    };
    let mut schemes: Vec<AuthScheme> = Vec::new();
    let mut anonymous = false;
    for alt in alternatives {
        let (kind, name) = match alt.schemes.as_slice() {
            [] => {
                anonymous = true;
                continue;
            }
            [(name, _)] => (auth_kind(spec, name), name.to_string()),
            many => {
                let names: Vec<String> = many.iter().map(|(n, _)| n.to_string()).collect();
                (AuthKind::Combined(names.clone()), names.join(" + "))
            }
        };
        match schemes.iter_mut().find(|s| s.kind == kind) {
            Some(s) if !s.names.contains(&name) => s.names.push(name),
            Some(_) => {}
            None => schemes.push(AuthScheme {
                kind,
                names: vec![name],
            }),
        }
    }
    Security {
        schemes: Some(schemes),
        anonymous,
    }
}

/// How a named scheme sends its credential.
fn auth_kind(spec: &Spec, name: &str) -> AuthKind {
    let Some(scheme) = spec.security_scheme(name) else {
        return AuthKind::Unsupported("not declared in components/securitySchemes".into());
    };
    match scheme.kind {
        SchemeKind::Basic => AuthKind::Basic,
        SchemeKind::Bearer { .. } => AuthKind::Bearer,
        SchemeKind::ApiKey {
            location: "header",
            name: header,
            prefix: Some(prefix),
        } if header.eq_ignore_ascii_case("authorization") => {
            if prefix.eq_ignore_ascii_case("api-key") {
                AuthKind::ApiKey
            } else if prefix.eq_ignore_ascii_case("token") {
                AuthKind::Token
            } else {
                AuthKind::Unsupported(format!("`Authorization: {prefix} <key>`"))
            }
        }
        SchemeKind::ApiKey {
            location,
            name,
            prefix: None,
        } if location == "header" && name.eq_ignore_ascii_case("authorization") => {
            AuthKind::Unsupported(format!(
                "an API key in `Authorization` whose prefix the document does not declare (`{}`)",
                crate::spec::AUTH_PREFIX
            ))
        }
        SchemeKind::ApiKey { location, name, .. } => {
            AuthKind::Unsupported(format!("an API key in {location} `{name}`"))
        }
        SchemeKind::Other { kind } => AuthKind::Unsupported(format!("type `{kind}`")),
    }
}

/// The spec's decisions, HTTP semantics where it has none.
fn policy(op: &Operation<'_>) -> OperationPolicy {
    let p = op.policy();
    let retry = p.retry_or_default(op.method);
    OperationPolicy {
        retry,
        idempotency_header: (retry == Retry::IdempotencyKey)
            .then(|| p.idempotency_header_or_default().to_string()),
        moves_money: p.moves_money_or_default(op.method),
        read_only: p.read_only_or_default(op.method),
    }
}

/// The summary, then the description when it says more.
fn operation_doc(op: &Operation<'_>) -> Option<String> {
    match (op.summary(), doc_of(op.value)) {
        (Some(s), Some(d)) if s.trim() != d.trim() => Some(format!("{}\n\n{d}", s.trim())),
        (Some(s), None) => Some(s.trim().to_string()),
        (_, d) => d,
    }
}

/// The declared parameters that are arguments: path, query and header
/// ones, except credentials (the client's business, never an argument; their
/// defaults, which may be real keys, are never emitted) and cookies.
fn params(b: &mut Builder<'_>, op: &Operation<'_>, pascal: &str, ns: &mut Namespace) -> Vec<Param> {
    let mut out = Vec::new();
    for p in op.parameters() {
        let location = match p.location {
            ParamIn::Path => ParamLocation::Path,
            ParamIn::Query => ParamLocation::Query,
            ParamIn::Header if !is_credential_header(p.name) => ParamLocation::Header,
            _ => continue,
        };
        let (ty, _) = b.ty(
            p.schema,
            &format!("{pascal}{}", type_name(p.name)),
            &p.schema_pointer(),
            Mode::Request,
        );
        out.push(Param {
            name: ns.claim(&snake(p.name), "_"),
            wire: p.name.to_string(),
            location,
            ty,
            required: p.required,
            doc: doc_of(p.value),
            checks: Checks::of(b.spec.resolve(p.schema)),
        });
    }
    out
}

/// An operation retried only with an idempotency key takes the key as an
/// optional argument, even when the spec does not declare its header as a
/// parameter: without it the caller could never set one.
fn idempotency_key_param(policy: &OperationPolicy, params: &mut Vec<Param>, ns: &mut Namespace) {
    let Some(header) = &policy.idempotency_header else {
        return;
    };
    let declared = params
        .iter()
        .any(|p| p.location == ParamLocation::Header && p.wire.eq_ignore_ascii_case(header));
    if !declared {
        params.push(Param {
            name: ns.claim(&snake(header), "_"),
            wire: header.clone(),
            location: ParamLocation::Header,
            ty: Ty::String,
            required: false,
            doc: Some(format!(
                "The idempotency key (`{header}`): with one, a retry repeats this request safely; without one it is sent once."
            )),
            checks: Checks::default(),
        });
    }
}

/// The path template split into literals and parameters; a `{name}` that
/// no parameter declares is still an argument (a string).
fn path_parts(path: &str, params: &mut Vec<Param>, ns: &mut Namespace) -> Vec<PathPart> {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            break;
        };
        if open > 0 {
            parts.push(PathPart::Literal(rest[..open].to_string()));
        }
        let name = &rest[open + 1..close];
        match params
            .iter()
            .position(|p| p.location == ParamLocation::Path && p.wire == name)
        {
            Some(i) => parts.push(PathPart::Param(i)),
            None => {
                params.push(Param {
                    name: ns.claim(&snake(name), "_"),
                    wire: name.to_string(),
                    location: ParamLocation::Path,
                    ty: Ty::String,
                    required: true,
                    doc: None,
                    checks: Checks::default(),
                });
                parts.push(PathPart::Param(params.len() - 1));
            }
        }
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(PathPart::Literal(rest.to_string()));
    }
    parts
}

/// The request body: JSON whenever the operation accepts it (see
/// [`json_of`]), else `multipart/form-data` (an upload); none otherwise.
fn body(b: &mut Builder<'_>, op: &Operation<'_>, pascal: &str, ns: &mut Namespace) -> Option<Body> {
    let rb = op.request_body()?;
    if let Some(media) = rb.json() {
        let (ty, _) = b.ty(
            &schema_of(media),
            &format!("{pascal}Body"),
            &rb.pointer,
            Mode::Request,
        );
        return Some(Body {
            ty,
            required: rb.required,
            content_type: media.media_type.to_string(),
            encoding: BodyEncoding::Json,
        });
    }
    let media = rb.of_kind(MediaKind::Multipart)?;
    let schema = b.spec.resolve(media.schema.unwrap_or(&Value::Bool(true)));
    let (fields, files) = split_files(b.spec, schema, ns);
    let (ty, _) = match files.is_empty() {
        true => b.ty(
            &schema_of(media),
            &format!("{pascal}Body"),
            &rb.pointer,
            Mode::Request,
        ),
        // The text fields only: a type of their own (`<Op>Fields`), so a
        // shared component keeps its shape.
        false => b.ty(
            &fields,
            &format!("{pascal}Fields"),
            &media.schema_pointer(),
            Mode::Request,
        ),
    };
    Some(Body {
        ty,
        required: rb.required,
        content_type: media.media_type.to_string(),
        encoding: BodyEncoding::Multipart { files },
    })
}

/// A multipart schema's file properties (`format: binary`, or a
/// `contentMediaType`), taken out: the rest of the schema, and the files.
fn split_files(spec: &Spec, schema: &Value, ns: &mut Namespace) -> (Value, Vec<FileField>) {
    let mut rest = schema.clone();
    let mut files = Vec::new();
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return (rest, files);
    };
    for (name, prop) in props {
        let p = spec.resolve(prop);
        let is_file = p.get("format").and_then(Value::as_str) == Some("binary")
            || p.get("contentMediaType").is_some();
        if !is_file {
            continue;
        }
        files.push(FileField {
            name: ns.claim(&snake(name), "_"),
            wire: name.clone(),
            required: required.contains(name),
            doc: doc_of(p),
        });
        if let Some(o) = rest.get_mut("properties").and_then(Value::as_object_mut) {
            o.remove(name);
        }
        if let Some(r) = rest.get_mut("required").and_then(Value::as_array_mut) {
            r.retain(|v| v.as_str() != Some(name));
        }
    }
    (rest, files)
}

/// A success that is not JSON: a file (non-JSON content, or a `format:
/// binary` string under any media type), or a documented redirect.
fn raw_success(spec: &Spec, r: &Response<'_>) -> Option<RawSuccess> {
    if let StatusMatch::Code(301 | 302 | 303 | 307 | 308) = r.status {
        return json_of(&r.content)
            .is_none()
            .then_some(RawSuccess::Redirect);
    }
    // Files only under exact statuses: the runtime keeps those bodies unread.
    if !matches!(r.status, StatusMatch::Code(200..=299)) || r.content.is_empty() {
        return None;
    }
    let Some(media) = json_of(&r.content) else {
        return Some(RawSuccess::File);
    };
    let schema = spec.resolve(media.schema?);
    (schema.get("format").and_then(Value::as_str) == Some("binary")).then_some(RawSuccess::File)
}

/// The body type of a response with JSON content.
fn response_ty(b: &mut Builder<'_>, r: &Response<'_>, pascal: &str) -> Option<Ty> {
    let media = json_of(&r.content)?;
    let suffix = if r.status.is_success() {
        "Response".to_string()
    } else {
        error_variant(r.status)
    };
    Some(
        b.ty(
            &schema_of(media),
            &format!("{pascal}{suffix}"),
            &r.pointer,
            Mode::Response,
        )
        .0,
    )
}

type Statuses = Vec<(StatusMatch, Option<Ty>)>;
type Raw = Vec<(StatusMatch, RawSuccess)>;

/// Success statuses and error cases, each in run-time match order (exact,
/// then range, then `default`). With no documented success, `default`
/// describes it too (`responses: {default: ...}` alone is a common way to
/// write it).
fn responses(
    b: &mut Builder<'_>,
    op: &Operation<'_>,
    pascal: &str,
) -> (Statuses, Raw, Vec<ErrorCase>) {
    let mut statuses = Vec::new();
    let mut raw = Vec::new();
    let mut errors = Vec::new();
    let mut default = None;
    let mut variants = Namespace::new(&[]);
    for r in op.responses() {
        let status = r.status;
        if let Some(kind) = raw_success(b.spec, &r) {
            statuses.push((status, None));
            raw.push((status, kind));
            continue;
        }
        let ty = response_ty(b, &r, pascal);
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
                doc: doc_of(r.value),
            });
        }
    }
    if statuses.is_empty()
        && let Some(ty) = default
    {
        statuses.push((StatusMatch::Range(2), ty));
    }
    statuses.sort_by_key(|(s, _)| s.precedence());
    errors.sort_by_key(|e| e.status.precedence());
    (statuses, raw, errors)
}

/// One type for every success, or an enum (`<Op>Success`) when they differ
/// (a file and a redirect differ from each other and from any JSON type).
fn success(b: &mut Builder<'_>, statuses: Statuses, raw: Raw, pascal: &str) -> Success {
    let result = |(s, t): &(StatusMatch, Option<Ty>)| match raw.iter().find(|(r, _)| r == s) {
        Some((_, kind)) => Some(format!("{kind:?}")),
        None => t.as_ref().map(|t| format!("{t:?}")),
    };
    let results: Vec<_> = statuses.iter().map(result).collect();
    let distinct: BTreeSet<_> = results.iter().flatten().collect();
    let mixed = distinct.len() > 1 || (distinct.len() == 1 && results.iter().any(Option::is_none));
    Success {
        statuses,
        raw,
        enum_name: mixed.then(|| b.names.claim(&format!("{pascal}Success"), "")),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ParamLocation, Retry, model};
    use crate::{LoadOptions, load};

    #[test]
    fn an_idempotency_key_the_spec_does_not_declare_is_still_an_argument() {
        let dir = std::env::temp_dir().join(format!("codegen-idem-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("api.yaml");
        std::fs::write(
            &file,
            r#"openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /refund/:
    post:
      operationId: refund
      x-ottu-moves-money: true
      x-ottu-retry: idempotency-key
      responses: {"200": {description: ok}}
  /void/:
    post:
      operationId: void
      x-ottu-retry: idempotency-key
      x-ottu-idempotency-header: Idempotency-Key
      parameters:
        - {in: header, name: idempotency-key, schema: {type: string}}
      responses: {"200": {description: ok}}
"#,
        )
        .unwrap();
        let spec = load(std::slice::from_ref(&file), &LoadOptions::default()).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let api = model(&spec);
        let refund = &api.operations[0];
        assert_eq!(refund.policy.retry, Retry::IdempotencyKey);
        assert_eq!(
            refund.policy.idempotency_header.as_deref(),
            Some("Tracking-Key")
        );
        let key = refund
            .params
            .iter()
            .find(|p| p.wire == "Tracking-Key")
            .unwrap();
        assert_eq!((key.location, key.required), (ParamLocation::Header, false));
        assert_eq!(key.name, "tracking_key");
        // Declared (in another spelling): not added twice.
        let void = &api.operations[1];
        assert_eq!(void.params.len(), 1, "{:?}", void.params);
        assert_eq!(void.params[0].wire, "idempotency-key");
    }
}
