//! Operation-level rules: which operations match, and what changed in their
//! method, path, id, parameters, bodies, responses and security.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::impact::{self, Subject, pascal, snake};
use super::schemas::{Dir, Pos, SchemaDiff};
use super::{Change, Severity};
use crate::pointer;
use crate::spec::{Operation, Spec};

/// Where a change is reported: its operation and part of it.
#[derive(Debug, Clone, Default)]
pub(super) struct Site {
    pub operation: Option<String>,
    pub part: Option<String>,
}

/// Which document a pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Old,
    New,
}

/// One change before its location is mapped to a file.
#[derive(Debug)]
pub(super) struct Found {
    pub rule: String,
    pub severity: Severity,
    pub side: Side,
    pub pointer: String,
    pub message: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub subject: Subject,
}

/// Both documents and the changes found so far.
#[derive(Debug)]
pub(super) struct Cx<'a> {
    pub old: &'a Spec,
    pub new: &'a Spec,
    pub out: Vec<Change>,
}

impl Cx<'_> {
    pub fn push(&mut self, site: &Site, f: Found) {
        let at = match f.side {
            Side::Old => self.old.origin(&f.pointer),
            Side::New => self.new.origin(&f.pointer),
        };
        let client_impact = (f.rule == "response-enum-value-added")
            .then(|| "none (ottu-client keeps unknown enum values)".to_string());
        let impact = impact::of(&f.rule, &f.subject);
        self.out.push(Change {
            rule: f.rule,
            severity: f.severity,
            operation: site.operation.clone(),
            part: site.part.clone(),
            at,
            message: f.message,
            old: f.old,
            new: f.new,
            client_impact,
            impact,
        });
    }
}

pub(super) fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut cx = Cx {
        old,
        new,
        out: Vec::new(),
    };
    let (olds, news) = (old.operations(), new.operations());
    let mut pairs = Vec::new();
    let mut new_used = vec![false; news.len()];
    let mut old_left = Vec::new();
    // First by method + path (path parameter names do not matter on the wire).
    for o in &olds {
        let j = news.iter().enumerate().position(|(j, n)| {
            !new_used[j] && n.method == o.method && template(n.path) == template(o.path)
        });
        match j {
            Some(j) => {
                new_used[j] = true;
                pairs.push((*o, news[j]));
            }
            None => old_left.push(*o),
        }
    }
    // Then by operationId: the same operation, moved.
    let mut removed = Vec::new();
    for o in old_left {
        let j = news
            .iter()
            .enumerate()
            .position(|(j, n)| !new_used[j] && o.id.is_some() && n.id == o.id);
        match j {
            Some(j) => {
                new_used[j] = true;
                pairs.push((o, news[j]));
            }
            None => removed.push(o),
        }
    }
    for o in removed {
        let site = Site {
            operation: Some(label(&o)),
            part: None,
        };
        cx.push(
            &site,
            Found {
                rule: "operation-removed".into(),
                severity: Severity::Error,
                side: Side::Old,
                pointer: o.pointer(),
                message: format!("operation {} was removed", label(&o)),
                old: Some(json!(format!("{} {}", o.method.to_uppercase(), o.path))),
                new: None,
                subject: Subject::Method {
                    method: method_name(&o),
                },
            },
        );
    }
    for (j, n) in news.iter().enumerate() {
        if !new_used[j] {
            let site = Site {
                operation: Some(label(n)),
                part: None,
            };
            cx.push(
                &site,
                Found {
                    rule: "operation-added".into(),
                    severity: Severity::Info,
                    side: Side::New,
                    pointer: n.pointer(),
                    message: format!("operation {} was added", label(n)),
                    old: None,
                    new: Some(json!(format!("{} {}", n.method.to_uppercase(), n.path))),
                    subject: Subject::Method {
                        method: method_name(n),
                    },
                },
            );
        }
    }
    for (o, n) in pairs {
        operation(&mut cx, &o, &n);
    }
    security_schemes(&mut cx);
    cx.out
}

/// `/card/{token}/` -> `/card/{}/`.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn label(op: &Operation) -> String {
    match op.id {
        Some(id) => format!("{} {} ({id})", op.method.to_uppercase(), op.path),
        None => format!("{} {}", op.method.to_uppercase(), op.path),
    }
}

/// The generated method's name (naming fallback, see `impact`).
fn method_name(op: &Operation) -> String {
    match op.id {
        Some(id) => snake(id),
        None => snake(&format!("{} {}", op.method, op.path)),
    }
}

fn operation<'a>(cx: &mut Cx<'a>, o: &Operation<'a>, n: &Operation<'a>) {
    let site = Site {
        operation: Some(label(n)),
        part: None,
    };
    let method = method_name(n);
    let at = n.pointer();
    let found = |rule: &str, severity, message: String, old: Value, new: Value, subject| Found {
        rule: rule.into(),
        severity,
        side: Side::New,
        pointer: at.clone(),
        message,
        old: Some(old),
        new: Some(new),
        subject,
    };
    if o.method != n.method {
        let msg = format!(
            "method changed from {} to {}",
            o.method.to_uppercase(),
            n.method.to_uppercase()
        );
        cx.push(
            &site,
            found(
                "operation-method-changed",
                Severity::Error,
                msg,
                json!(o.method.to_uppercase()),
                json!(n.method.to_uppercase()),
                Subject::Method {
                    method: method.clone(),
                },
            ),
        );
    }
    if template(o.path) != template(n.path) {
        let msg = format!("path changed from {} to {}", o.path, n.path);
        cx.push(
            &site,
            found(
                "operation-path-changed",
                Severity::Error,
                msg,
                json!(o.path),
                json!(n.path),
                Subject::Method {
                    method: method.clone(),
                },
            ),
        );
    }
    if o.id != n.id {
        let msg = format!(
            "operationId changed from {:?} to {:?}",
            o.id.unwrap_or("(none)"),
            n.id.unwrap_or("(none)")
        );
        cx.push(
            &site,
            found(
                "operation-id-changed",
                Severity::Info,
                msg,
                json!(o.id),
                json!(n.id),
                Subject::Method {
                    method: method_name(o),
                },
            ),
        );
    }
    let deprecated = |op: &Operation| op.value.get("deprecated") == Some(&Value::Bool(true));
    if !deprecated(o) && deprecated(n) {
        cx.push(
            &site,
            found(
                "operation-deprecated",
                Severity::Info,
                "operation is now deprecated".into(),
                json!(false),
                json!(true),
                Subject::Method {
                    method: method.clone(),
                },
            ),
        );
    }
    parameters(cx, o, n, &site, &method);
    request_body(cx, o, n, &site, &method);
    responses(cx, o, n, &site, &method);
    security(cx, o, n, &site, &method);
}

/// Resolved parameters with their pointers, keyed by (in, name); header
/// names are case-insensitive.
fn params<'a>(
    spec: &'a Spec,
    op: &Operation<'a>,
) -> BTreeMap<(String, String), (&'a Value, String)> {
    let mut out = BTreeMap::new();
    for (i, p) in op
        .value
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let p = spec.resolve(p);
        let location = p
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let name = if location == "header" {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        };
        out.insert(
            (location, name),
            (p, format!("{}/parameters/{i}", op.pointer())),
        );
    }
    out
}

fn is_required(v: &Value) -> bool {
    v.get("required") == Some(&Value::Bool(true))
}

fn parameters<'a>(
    cx: &mut Cx<'a>,
    o: &Operation<'a>,
    n: &Operation<'a>,
    site: &Site,
    method: &str,
) {
    let (op, np) = (params(cx.old, o), params(cx.new, n));
    let mut moved_to: BTreeSet<(String, String)> = BTreeSet::new();
    for ((loc, name), (ov, optr)) in &op {
        let param_site = Site {
            operation: site.operation.clone(),
            part: Some(format!("parameter {loc} {name}")),
        };
        let subject = || Subject::Param {
            method: method.to_string(),
            param: name.clone(),
        };
        let Some((nv, nptr)) = np.get(&(loc.clone(), name.clone())) else {
            // Same name elsewhere: moved (query -> header, ...), not removed.
            if let Some(((nloc, nname), (_, nptr))) = np
                .iter()
                .find(|((l, k), _)| k == name && !op.contains_key(&(l.clone(), k.clone())))
            {
                moved_to.insert((nloc.clone(), nname.clone()));
                cx.push(
                    &param_site,
                    Found {
                        rule: "request-parameter-moved".into(),
                        severity: Severity::Error,
                        side: Side::New,
                        pointer: format!("{nptr}/in"),
                        message: format!("parameter `{name}` moved from {loc} to {nloc}"),
                        old: Some(json!(loc)),
                        new: Some(json!(nloc)),
                        subject: subject(),
                    },
                );
                continue;
            }
            cx.push(
                &param_site,
                Found {
                    rule: "request-parameter-removed".into(),
                    severity: Severity::Warning,
                    side: Side::Old,
                    pointer: optr.clone(),
                    message: format!("{loc} parameter `{name}` was removed"),
                    old: Some(json!(name)),
                    new: None,
                    subject: subject(),
                },
            );
            continue;
        };
        let (oreq, nreq) = (is_required(ov), is_required(nv));
        if oreq != nreq {
            let (rule, severity) = if nreq {
                ("request-parameter-became-required", Severity::Error)
            } else {
                ("request-parameter-became-optional", Severity::Info)
            };
            cx.push(
                &param_site,
                Found {
                    rule: rule.into(),
                    severity,
                    side: Side::New,
                    pointer: format!("{nptr}/required"),
                    message: format!(
                        "{loc} parameter `{name}` is now {}",
                        if nreq { "required" } else { "optional" }
                    ),
                    old: Some(json!(oreq)),
                    new: Some(json!(nreq)),
                    subject: subject(),
                },
            );
        }
        if let (Some(os), Some(ns)) = (ov.get("schema"), nv.get("schema")) {
            let pos = Pos::root(
                format!("{optr}/schema"),
                format!("{nptr}/schema"),
                name.clone(),
                pascal(method) + &pascal(name),
                Some(subject()),
            );
            SchemaDiff::new(cx, &param_site, Dir::Request).compare(os, ns, pos);
        }
    }
    for ((loc, name), (nv, nptr)) in &np {
        if op.contains_key(&(loc.clone(), name.clone()))
            || moved_to.contains(&(loc.clone(), name.clone()))
        {
            continue;
        }
        let required = is_required(nv);
        let (rule, severity) = if required {
            ("request-parameter-added-required", Severity::Error)
        } else {
            ("request-parameter-added", Severity::Info)
        };
        cx.push(
            &Site {
                operation: site.operation.clone(),
                part: Some(format!("parameter {loc} {name}")),
            },
            Found {
                rule: rule.into(),
                severity,
                side: Side::New,
                pointer: nptr.clone(),
                message: format!(
                    "{} {loc} parameter `{name}` was added",
                    if required { "required" } else { "optional" }
                ),
                old: None,
                new: Some(json!(name)),
                subject: Subject::Param {
                    method: method.to_string(),
                    param: name.clone(),
                },
            },
        );
    }
}

/// `content` of a body or response: media type -> (schema, pointer).
fn content<'a>(v: &'a Value, at: &str) -> BTreeMap<&'a str, (Option<&'a Value>, String)> {
    let mut out = BTreeMap::new();
    for (media, m) in v
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        out.insert(
            media.as_str(),
            (
                m.get("schema"),
                pointer::push(&format!("{at}/content"), media),
            ),
        );
    }
    out
}

fn request_body<'a>(
    cx: &mut Cx<'a>,
    o: &Operation<'a>,
    n: &Operation<'a>,
    site: &Site,
    method: &str,
) {
    let (optr, nptr) = (
        format!("{}/requestBody", o.pointer()),
        format!("{}/requestBody", n.pointer()),
    );
    let ob = o.value.get("requestBody").map(|b| cx.old.resolve(b));
    let nb = n.value.get("requestBody").map(|b| cx.new.resolve(b));
    let ty = pascal(method) + "Request";
    let body_site = Site {
        operation: site.operation.clone(),
        part: Some("request body".into()),
    };
    let simple = |rule: &str,
                  severity,
                  side,
                  pointer: String,
                  message: &str,
                  old: Option<Value>,
                  new: Option<Value>| Found {
        rule: rule.into(),
        severity,
        side,
        pointer,
        message: message.into(),
        old,
        new,
        subject: Subject::Type { ty: ty.clone() },
    };
    let (ob, nb) = match (ob, nb) {
        (None, None) => return,
        (None, Some(nb)) => {
            let f = if is_required(nb) {
                simple(
                    "request-body-added-required",
                    Severity::Error,
                    Side::New,
                    nptr,
                    "a required request body was added",
                    None,
                    None,
                )
            } else {
                simple(
                    "request-body-added",
                    Severity::Info,
                    Side::New,
                    nptr,
                    "an optional request body was added",
                    None,
                    None,
                )
            };
            cx.push(&body_site, f);
            return;
        }
        (Some(_), None) => {
            cx.push(
                &body_site,
                simple(
                    "request-body-removed",
                    Severity::Warning,
                    Side::Old,
                    optr,
                    "the request body was removed",
                    None,
                    None,
                ),
            );
            return;
        }
        (Some(ob), Some(nb)) => (ob, nb),
    };
    if is_required(ob) != is_required(nb) {
        let f = if is_required(nb) {
            simple(
                "request-body-became-required",
                Severity::Error,
                Side::New,
                format!("{nptr}/required"),
                "the request body is now required",
                Some(json!(false)),
                Some(json!(true)),
            )
        } else {
            simple(
                "request-body-became-optional",
                Severity::Info,
                Side::New,
                format!("{nptr}/required"),
                "the request body is now optional",
                Some(json!(true)),
                Some(json!(false)),
            )
        };
        cx.push(&body_site, f);
    }
    let (oc, nc) = (content(ob, &optr), content(nb, &nptr));
    media_types(cx, site, "request", &oc, &nc, &ty);
    for (media, (os, op)) in &oc {
        if let (Some(os), Some((Some(ns), np))) = (os, nc.get(media)) {
            let part = Site {
                operation: site.operation.clone(),
                part: Some(format!("request body {media}")),
            };
            let pos = Pos::root(
                format!("{op}/schema"),
                format!("{np}/schema"),
                String::new(),
                ty.clone(),
                None,
            );
            SchemaDiff::new(cx, &part, Dir::Request).compare(os, ns, pos);
        }
    }
}

/// Content types added and removed (`what`: `request` or `response`).
fn media_types(
    cx: &mut Cx,
    site: &Site,
    what: &str,
    oc: &BTreeMap<&str, (Option<&Value>, String)>,
    nc: &BTreeMap<&str, (Option<&Value>, String)>,
    ty: &str,
) {
    for (media, (_, optr)) in oc {
        if !nc.contains_key(media) {
            cx.push(
                site,
                Found {
                    rule: format!("{what}-content-type-removed"),
                    severity: Severity::Error,
                    side: Side::Old,
                    pointer: optr.clone(),
                    message: format!("{what} content type {media} was removed"),
                    old: Some(json!(media)),
                    new: None,
                    subject: Subject::Type { ty: ty.to_string() },
                },
            );
        }
    }
    for (media, (_, nptr)) in nc {
        if !oc.contains_key(media) {
            cx.push(
                site,
                Found {
                    rule: format!("{what}-content-type-added"),
                    severity: Severity::Info,
                    side: Side::New,
                    pointer: nptr.clone(),
                    message: format!("{what} content type {media} was added"),
                    old: None,
                    new: Some(json!(media)),
                    subject: Subject::Type { ty: ty.to_string() },
                },
            );
        }
    }
}

/// Status -> (resolved response, pointer).
fn response_map<'a>(spec: &'a Spec, op: &Operation<'a>) -> BTreeMap<String, (&'a Value, String)> {
    let mut out = BTreeMap::new();
    for (status, r) in op
        .value
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        out.insert(
            status.clone(),
            (
                spec.resolve(r),
                pointer::push(&format!("{}/responses", op.pointer()), status),
            ),
        );
    }
    out
}

fn responses<'a>(cx: &mut Cx<'a>, o: &Operation<'a>, n: &Operation<'a>, site: &Site, method: &str) {
    let (or, nr) = (response_map(cx.old, o), response_map(cx.new, n));
    let success = |s: &str| s.starts_with('2');
    for (status, (_, optr)) in &or {
        if !nr.contains_key(status) {
            let (rule, severity) = if success(status) {
                ("response-success-status-removed", Severity::Error)
            } else {
                ("response-non-success-status-removed", Severity::Warning)
            };
            cx.push(
                &Site {
                    operation: site.operation.clone(),
                    part: Some(format!("response {status}")),
                },
                Found {
                    rule: rule.into(),
                    severity,
                    side: Side::Old,
                    pointer: optr.clone(),
                    message: format!("response status {status} was removed"),
                    old: Some(json!(status)),
                    new: None,
                    subject: Subject::Type {
                        ty: pascal(method) + "Response",
                    },
                },
            );
        }
    }
    for (status, (nv, nptr)) in &nr {
        let status_site = Site {
            operation: site.operation.clone(),
            part: Some(format!("response {status}")),
        };
        let ty = format!("{}Response{}", pascal(method), pascal(status));
        let Some((ov, optr)) = or.get(status) else {
            let (rule, severity) = if success(status) {
                ("response-success-status-added", Severity::Warning)
            } else {
                ("response-non-success-status-added", Severity::Info)
            };
            cx.push(
                &status_site,
                Found {
                    rule: rule.into(),
                    severity,
                    side: Side::New,
                    pointer: nptr.clone(),
                    message: format!("response status {status} was added"),
                    old: None,
                    new: Some(json!(status)),
                    subject: Subject::Type {
                        ty: pascal(method) + "Response",
                    },
                },
            );
            continue;
        };
        let (oc, nc) = (content(ov, optr), content(nv, nptr));
        media_types(cx, &status_site, "response", &oc, &nc, &ty);
        for (media, (os, op)) in &oc {
            if let (Some(os), Some((Some(ns), np))) = (os, nc.get(media)) {
                let part = Site {
                    operation: site.operation.clone(),
                    part: Some(format!("response {status} {media}")),
                };
                let pos = Pos::root(
                    format!("{op}/schema"),
                    format!("{np}/schema"),
                    String::new(),
                    ty.clone(),
                    None,
                );
                SchemaDiff::new(cx, &part, Dir::Response).compare(os, ns, pos);
            }
        }
    }
}

/// Security alternatives: each a set of `scheme` or `scheme[scope,...]`.
/// No `security` at all means anonymous access: one empty alternative.
fn alternatives(op: &Operation) -> BTreeSet<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for req in op
        .value
        .get("security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut alt = BTreeSet::new();
        for (scheme, scopes) in req.as_object().into_iter().flatten() {
            let mut scopes: Vec<&str> = scopes
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            scopes.sort();
            alt.insert(if scopes.is_empty() {
                scheme.clone()
            } else {
                format!("{scheme}[{}]", scopes.join(","))
            });
        }
        out.insert(alt);
    }
    if out.is_empty() {
        out.insert(BTreeSet::new());
    }
    out
}

fn show(alts: &BTreeSet<BTreeSet<String>>) -> String {
    alts.iter()
        .map(|a| {
            if a.is_empty() {
                "anonymous".to_string()
            } else {
                a.iter().cloned().collect::<Vec<_>>().join(" + ")
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn security<'a>(cx: &mut Cx<'a>, o: &Operation<'a>, n: &Operation<'a>, site: &Site, method: &str) {
    let (oa, na) = (alternatives(o), alternatives(n));
    if oa == na {
        return;
    }
    // An old way to authenticate still works if some new alternative asks
    // for a subset of what it sent.
    let broken: Vec<_> = oa
        .iter()
        .filter(|a| !na.iter().any(|b| b.is_subset(a)))
        .collect();
    let (rule, severity) = if broken.is_empty() {
        ("security-requirements-loosened", Severity::Info)
    } else {
        ("security-requirements-changed", Severity::Error)
    };
    cx.push(
        &Site {
            operation: site.operation.clone(),
            part: Some("security".into()),
        },
        Found {
            rule: rule.into(),
            severity,
            side: Side::New,
            pointer: format!("{}/security", n.pointer()),
            message: format!(
                "accepted credentials changed from {} to {}",
                show(&oa),
                show(&na)
            ),
            old: Some(json!(show(&oa))),
            new: Some(json!(show(&na))),
            subject: Subject::Method {
                method: method.to_string(),
            },
        },
    );
}

/// `components.securitySchemes`: added, removed, or redefined (ignoring descriptions).
fn security_schemes(cx: &mut Cx) {
    let get = |spec: &Spec| {
        spec.document()
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (os, ns) = (get(cx.old), get(cx.new));
    let site = Site {
        operation: None,
        part: Some("components.securitySchemes".into()),
    };
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("description");
        }
        v
    };
    for (name, ov) in &os {
        let at = pointer::push("/components/securitySchemes", name);
        let (rule, severity, side, new) = match ns.get(name) {
            None => ("security-scheme-removed", Severity::Error, Side::Old, None),
            Some(nv) if strip(nv) != strip(ov) => (
                "security-scheme-changed",
                Severity::Error,
                Side::New,
                Some(strip(nv)),
            ),
            Some(_) => continue,
        };
        let message = format!(
            "security scheme `{name}` was {}",
            if new.is_some() {
                "redefined"
            } else {
                "removed"
            }
        );
        cx.push(
            &site,
            Found {
                rule: rule.into(),
                severity,
                side,
                pointer: at,
                message,
                old: Some(strip(ov)),
                new,
                subject: Subject::None,
            },
        );
    }
    for (name, nv) in &ns {
        if !os.contains_key(name) {
            cx.push(
                &site,
                Found {
                    rule: "security-scheme-added".into(),
                    severity: Severity::Info,
                    side: Side::New,
                    pointer: pointer::push("/components/securitySchemes", name),
                    message: format!("security scheme `{name}` was added"),
                    old: None,
                    new: Some(strip(nv)),
                    subject: Subject::None,
                },
            );
        }
    }
}
