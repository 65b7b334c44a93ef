//! Operation-level rules: which operations match, and what changed in their
//! method, path, id, parameters, bodies, responses and security. The parts
//! of an operation are read through the typed view (`crate::spec`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Change;
use super::cx::{Cx, Found, Side, Site};
use super::impact::Subject;
use super::rule::{Dir, Rule};
use super::schemas::{Pos, SchemaDiff};
use crate::model::{OperationDef, ParamLocation, Ty};
use crate::pointer;
use crate::spec::{MediaType, Operation, ParamIn, Parameter, Response, Spec, Status, json_of};

pub(super) fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut cx = Cx::new(old, new);
    let (olds, news) = (old.operations(), new.operations());
    let (pairs, removed, added) = pair(&olds, &news);
    for o in removed {
        let found = Found {
            rule: Rule::OperationRemoved,
            side: Side::Old,
            pointer: o.pointer(),
            message: format!("operation {} was removed", label(o)),
            old: Some(json!(format!("{} {}", o.method.to_uppercase(), o.path))),
            new: None,
            subject: Subject::operation(Some(o.pointer()), None),
        };
        cx.push(&site(o), found);
    }
    for n in added {
        let found = Found {
            rule: Rule::OperationAdded,
            side: Side::New,
            pointer: n.pointer(),
            message: format!("operation {} was added", label(n)),
            old: None,
            new: Some(json!(format!("{} {}", n.method.to_uppercase(), n.path))),
            subject: Subject::operation(None, Some(n.pointer())),
        };
        cx.push(&site(n), found);
    }
    for (o, n) in pairs {
        operation(&mut cx, o, n);
    }
    security_schemes(&mut cx);
    cx.unexplained();
    cx.out
}

type Pairs<'o, 'a> = (
    Vec<(&'o Operation<'a>, &'o Operation<'a>)>,
    Vec<&'o Operation<'a>>,
    Vec<&'o Operation<'a>>,
);

/// Old and new operations matched by method + path (path parameter names
/// do not matter on the wire), then by `operationId` (the same operation,
/// moved); the old ones left are removed, the new ones left added.
fn pair<'o, 'a>(olds: &'o [Operation<'a>], news: &'o [Operation<'a>]) -> Pairs<'o, 'a> {
    let mut pairs = Vec::new();
    let mut new_used = vec![false; news.len()];
    let mut old_left = Vec::new();
    for o in olds {
        let j = news.iter().enumerate().position(|(j, n)| {
            !new_used[j] && n.method == o.method && template(n.path) == template(o.path)
        });
        match j {
            Some(j) => {
                new_used[j] = true;
                pairs.push((o, &news[j]));
            }
            None => old_left.push(o),
        }
    }
    let mut removed = Vec::new();
    for o in old_left {
        let j = news
            .iter()
            .enumerate()
            .position(|(j, n)| !new_used[j] && o.id.is_some() && n.id == o.id);
        match j {
            Some(j) => {
                new_used[j] = true;
                pairs.push((o, &news[j]));
            }
            None => removed.push(o),
        }
    }
    let added = news
        .iter()
        .zip(&new_used)
        .filter(|(_, used)| !**used)
        .map(|(n, _)| n)
        .collect();
    (pairs, removed, added)
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

fn site(op: &Operation) -> Site {
    Site {
        operation: Some(label(op)),
        part: None,
    }
}

/// One matched pair of operations, with their generated methods.
struct Pair<'p, 'a> {
    o: &'p Operation<'a>,
    n: &'p Operation<'a>,
    site: Site,
}

impl Pair<'_, '_> {
    /// The pair's client method, success and error enums.
    fn subject(&self) -> Subject {
        Subject::operation(Some(self.o.pointer()), Some(self.n.pointer()))
    }

    /// A change at the new operation itself.
    fn found(&self, rule: Rule, message: String, old: Value, new: Value) -> Found {
        Found {
            rule,
            side: Side::New,
            pointer: self.n.pointer(),
            message,
            old: Some(old),
            new: Some(new),
            subject: self.subject(),
        }
    }
}

fn operation<'a>(cx: &mut Cx<'a>, o: &Operation<'a>, n: &Operation<'a>) {
    let p = Pair {
        o,
        n,
        site: site(n),
    };
    let mut found = Vec::new();
    if o.method != n.method {
        let (a, b) = (o.method.to_uppercase(), n.method.to_uppercase());
        let msg = format!("method changed from {a} to {b}");
        found.push(p.found(Rule::OperationMethodChanged, msg, json!(a), json!(b)));
    }
    if template(o.path) != template(n.path) {
        let msg = format!("path changed from {} to {}", o.path, n.path);
        found.push(p.found(
            Rule::OperationPathChanged,
            msg,
            json!(o.path),
            json!(n.path),
        ));
    }
    if o.id != n.id {
        let msg = format!(
            "operationId changed from {:?} to {:?}",
            o.id.unwrap_or("(none)"),
            n.id.unwrap_or("(none)")
        );
        found.push(p.found(Rule::OperationIdChanged, msg, json!(o.id), json!(n.id)));
    }
    let deprecated = |op: &Operation| op.value.get("deprecated") == Some(&Value::Bool(true));
    if !deprecated(o) && deprecated(n) {
        let msg = "operation is now deprecated".to_string();
        found.push(p.found(Rule::OperationDeprecated, msg, json!(false), json!(true)));
    }
    for f in found {
        cx.push(&p.site, f);
    }
    parameters(cx, &p);
    request_body(cx, &p);
    responses(cx, &p);
    security(cx, &p);
}

/// The generated operation for `op` in a model.
fn op_def<'m>(ops: &'m [OperationDef], op: &Operation) -> Option<&'m OperationDef> {
    let at = op.pointer();
    ops.iter().find(|d| d.pointer == at)
}

/// Parameters keyed by (in, name); header names are case-insensitive.
fn params<'a>(op: &Operation<'a>) -> Params<'a> {
    op.parameters()
        .into_iter()
        .map(|p| {
            let name = if p.location == ParamIn::Header {
                p.name.to_ascii_lowercase()
            } else {
                p.name.to_string()
            };
            ((p.location, name), p)
        })
        .collect()
}

/// The generated type of a parameter, if it is an argument.
fn param_ty(ops: &[OperationDef], op: &Operation, p: &Parameter) -> Option<Ty> {
    let location = match p.location {
        ParamIn::Path => ParamLocation::Path,
        ParamIn::Query => ParamLocation::Query,
        ParamIn::Header => ParamLocation::Header,
        ParamIn::Cookie => return None,
    };
    op_def(ops, op)?
        .params
        .iter()
        .find(|a| a.location == location && a.wire == p.name)
        .map(|a| a.ty.clone())
}

fn parameters<'a>(cx: &mut Cx<'a>, p: &Pair<'_, 'a>) {
    let (op, np) = (params(p.o), params(p.n));
    let mut moved_to: BTreeSet<(ParamIn, String)> = BTreeSet::new();
    for ((loc, name), ov) in &op {
        let param_site = p.site.part(format!("parameter {} {name}", loc.as_str()));
        let Some(nv) = np.get(&(*loc, name.clone())) else {
            let (found, to) = gone(p, (&op, &np), (*loc, name), ov);
            moved_to.extend(to);
            cx.push(&param_site, found);
            continue;
        };
        if ov.required != nv.required {
            let rule = if nv.required {
                Rule::ParameterBecameRequired
            } else {
                Rule::ParameterBecameOptional
            };
            let found = Found {
                rule,
                side: Side::New,
                pointer: pointer::push(&nv.pointer, "required"),
                message: format!(
                    "{} parameter `{name}` is now {}",
                    loc.as_str(),
                    if nv.required { "required" } else { "optional" }
                ),
                old: Some(json!(ov.required)),
                new: Some(json!(nv.required)),
                subject: p.subject(),
            };
            cx.push(&param_site, found);
        }
        let pos = Pos::root(
            (ov.schema_pointer(), nv.schema_pointer()),
            name.clone(),
            (
                param_ty(&cx.old_api.operations, p.o, ov),
                param_ty(&cx.new_api.operations, p.n, nv),
            ),
            p.subject(),
        );
        SchemaDiff::new(cx, &param_site, Dir::Request).compare(ov.schema, nv.schema, pos);
    }
    for ((loc, name), nv) in &np {
        if op.contains_key(&(*loc, name.clone())) || moved_to.contains(&(*loc, name.clone())) {
            continue;
        }
        let rule = if nv.required {
            Rule::ParameterAddedRequired
        } else {
            Rule::ParameterAdded
        };
        let found = Found {
            rule,
            side: Side::New,
            pointer: nv.pointer.clone(),
            message: format!(
                "{} {} parameter `{name}` was added",
                if nv.required { "required" } else { "optional" },
                loc.as_str()
            ),
            old: None,
            new: Some(json!(name)),
            subject: p.subject(),
        };
        cx.push(
            &p.site.part(format!("parameter {} {name}", loc.as_str())),
            found,
        );
    }
}

type Params<'a> = BTreeMap<(ParamIn, String), Parameter<'a>>;

/// An old parameter with no new one of its location and name: moved when
/// the name is now elsewhere (query -> header, ...; the new key is
/// returned), else removed.
fn gone(
    p: &Pair,
    (op, np): (&Params, &Params),
    (loc, name): (ParamIn, &str),
    ov: &Parameter,
) -> (Found, Option<(ParamIn, String)>) {
    let moved = np
        .iter()
        .find(|((l, k), _)| k == name && !op.contains_key(&(*l, k.clone())));
    match moved {
        Some((key @ (nloc, _), nv)) => (
            Found {
                rule: Rule::ParameterMoved,
                side: Side::New,
                pointer: pointer::push(&nv.pointer, "in"),
                message: format!(
                    "parameter `{name}` moved from {} to {}",
                    loc.as_str(),
                    nloc.as_str()
                ),
                old: Some(json!(loc.as_str())),
                new: Some(json!(nloc.as_str())),
                subject: p.subject(),
            },
            Some(key.clone()),
        ),
        None => (
            Found {
                rule: Rule::ParameterRemoved,
                side: Side::Old,
                pointer: ov.pointer.clone(),
                message: format!("{} parameter `{name}` was removed", loc.as_str()),
                old: Some(json!(name)),
                new: None,
                subject: p.subject(),
            },
            None,
        ),
    }
}

/// `content` of a body or response, keyed by media type.
fn content<'m, 'a>(c: &'m [MediaType<'a>]) -> BTreeMap<&'a str, &'m MediaType<'a>> {
    c.iter().map(|m| (m.media_type, m)).collect()
}

/// The media type whose schema the generator types: the JSON one, else the first.
fn typed_media<'m, 'a>(c: &'m [MediaType<'a>]) -> Option<&'m MediaType<'a>> {
    json_of(c).or(c.first())
}

fn request_body<'a>(cx: &mut Cx<'a>, p: &Pair<'_, 'a>) {
    let (ob, nb) = (p.o.request_body(), p.n.request_body());
    let body_site = p.site.part("request body");
    let simple =
        |rule, side, pointer: String, message: &str, values: (Option<Value>, Option<Value>)| {
            Found {
                rule,
                side,
                pointer,
                message: message.into(),
                old: values.0,
                new: values.1,
                subject: p.subject(),
            }
        };
    let (ob, nb) = match (ob, nb) {
        (None, None) => return,
        (None, Some(nb)) => {
            let f = if nb.required {
                let msg = "a required request body was added";
                simple(
                    Rule::BodyAddedRequired,
                    Side::New,
                    nb.pointer,
                    msg,
                    (None, None),
                )
            } else {
                let msg = "an optional request body was added";
                simple(Rule::BodyAdded, Side::New, nb.pointer, msg, (None, None))
            };
            cx.push(&body_site, f);
            return;
        }
        (Some(ob), None) => {
            let msg = "the request body was removed";
            let f = simple(Rule::BodyRemoved, Side::Old, ob.pointer, msg, (None, None));
            cx.push(&body_site, f);
            return;
        }
        (Some(ob), Some(nb)) => (ob, nb),
    };
    if ob.required != nb.required {
        let at = pointer::push(&nb.pointer, "required");
        let values = (Some(json!(ob.required)), Some(json!(nb.required)));
        let f = if nb.required {
            let msg = "the request body is now required";
            simple(Rule::BodyBecameRequired, Side::New, at, msg, values)
        } else {
            let msg = "the request body is now optional";
            simple(Rule::BodyBecameOptional, Side::New, at, msg, values)
        };
        cx.push(&body_site, f);
    }
    let body_ty = |ops: &[OperationDef], op: &Operation, m: &MediaType| {
        op_def(ops, op)?
            .body
            .as_ref()
            .filter(|b| b.content_type == m.media_type)
            .map(|b| b.ty.clone())
    };
    let (oc, nc) = (content(&ob.content), content(&nb.content));
    media_types(cx, &body_site, Dir::Request, (&oc, &nc), p);
    for (media, om) in &oc {
        let Some(nm) = nc.get(media) else { continue };
        let (Some(os), Some(ns)) = (om.schema, nm.schema) else {
            continue;
        };
        let tys = (
            body_ty(&cx.old_api.operations, p.o, om),
            body_ty(&cx.new_api.operations, p.n, nm),
        );
        let pos = Pos::root(
            (om.schema_pointer(), nm.schema_pointer()),
            String::new(),
            tys,
            p.subject(),
        );
        let part = p.site.part(format!("request body {media}"));
        SchemaDiff::new(cx, &part, Dir::Request).compare(os, ns, pos);
    }
}

/// Content types added and removed.
fn media_types(
    cx: &mut Cx,
    site: &Site,
    dir: Dir,
    (oc, nc): (&BTreeMap<&str, &MediaType>, &BTreeMap<&str, &MediaType>),
    p: &Pair,
) {
    let what = dir.id();
    for (media, m) in oc {
        if !nc.contains_key(media) {
            let found = Found {
                rule: Rule::ContentTypeRemoved(dir),
                side: Side::Old,
                pointer: m.pointer.clone(),
                message: format!("{what} content type {media} was removed"),
                old: Some(json!(media)),
                new: None,
                subject: p.subject(),
            };
            cx.push(site, found);
        }
    }
    for (media, m) in nc {
        if !oc.contains_key(media) {
            let found = Found {
                rule: Rule::ContentTypeAdded(dir),
                side: Side::New,
                pointer: m.pointer.clone(),
                message: format!("{what} content type {media} was added"),
                old: None,
                new: Some(json!(media)),
                subject: p.subject(),
            };
            cx.push(site, found);
        }
    }
}

/// The generated type of a response's body, if the generator types it.
fn response_ty(ops: &[OperationDef], op: &Operation, r: &Response, m: &MediaType) -> Option<Ty> {
    if typed_media(&r.content).map(|t| t.media_type) != Some(m.media_type) {
        return None;
    }
    let def = op_def(ops, op)?;
    let success = def.success.statuses.iter().find(|(s, _)| *s == r.status);
    match success {
        Some((_, ty)) => ty.clone(),
        None => def.errors.iter().find(|e| e.status == r.status)?.ty.clone(),
    }
}

fn responses<'a>(cx: &mut Cx<'a>, p: &Pair<'_, 'a>) {
    let by_status = |op: &Operation<'a>| -> BTreeMap<Status, Response<'a>> {
        op.responses().into_iter().map(|r| (r.status, r)).collect()
    };
    let (or, nr) = (by_status(p.o), by_status(p.n));
    for (status, r) in &or {
        if !nr.contains_key(status) {
            let rule = if status.is_success() {
                Rule::SuccessStatusRemoved
            } else {
                Rule::NonSuccessStatusRemoved
            };
            let found = Found {
                rule,
                side: Side::Old,
                pointer: r.pointer.clone(),
                message: format!("response status {} was removed", r.key),
                old: Some(json!(r.key)),
                new: None,
                subject: p.subject(),
            };
            cx.push(&p.site.part(format!("response {}", r.key)), found);
        }
    }
    for (status, nv) in &nr {
        let status_site = p.site.part(format!("response {}", nv.key));
        let Some(ov) = or.get(status) else {
            let rule = if status.is_success() {
                Rule::SuccessStatusAdded
            } else {
                Rule::NonSuccessStatusAdded
            };
            let found = Found {
                rule,
                side: Side::New,
                pointer: nv.pointer.clone(),
                message: format!("response status {} was added", nv.key),
                old: None,
                new: Some(json!(nv.key)),
                subject: p.subject(),
            };
            cx.push(&status_site, found);
            continue;
        };
        let (oc, nc) = (content(&ov.content), content(&nv.content));
        media_types(cx, &status_site, Dir::Response, (&oc, &nc), p);
        for (media, om) in &oc {
            let Some(nm) = nc.get(media) else { continue };
            let (Some(os), Some(ns)) = (om.schema, nm.schema) else {
                continue;
            };
            let tys = (
                response_ty(&cx.old_api.operations, p.o, ov, om),
                response_ty(&cx.new_api.operations, p.n, nv, nm),
            );
            let pos = Pos::root(
                (om.schema_pointer(), nm.schema_pointer()),
                String::new(),
                tys,
                p.subject(),
            );
            let part = p.site.part(format!("response {} {media}", nv.key));
            SchemaDiff::new(cx, &part, Dir::Response).compare(os, ns, pos);
        }
    }
}

/// Security alternatives: each a set of `scheme` or `scheme[scope,...]`.
/// No requirement at all means anonymous access: one empty alternative.
fn alternatives(op: &Operation) -> BTreeSet<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for req in op.security().unwrap_or_default() {
        let mut alt = BTreeSet::new();
        for (scheme, mut scopes) in req.schemes {
            scopes.sort_unstable();
            alt.insert(if scopes.is_empty() {
                scheme.to_string()
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

fn security(cx: &mut Cx, p: &Pair) {
    let (oa, na) = (alternatives(p.o), alternatives(p.n));
    if oa == na {
        return;
    }
    // An old way to authenticate still works if some new alternative asks
    // for a subset of what it sent.
    let broken = oa.iter().any(|a| !na.iter().any(|b| b.is_subset(a)));
    let rule = if broken {
        Rule::SecurityRequirementsChanged
    } else {
        Rule::SecurityRequirementsLoosened
    };
    let found = Found {
        rule,
        side: Side::New,
        pointer: pointer::push(&p.n.pointer(), "security"),
        message: format!(
            "accepted credentials changed from {} to {}",
            show(&oa),
            show(&na)
        ),
        old: Some(json!(show(&oa))),
        new: Some(json!(show(&na))),
        subject: p.subject(),
    };
    cx.push(&p.site.part("security"), found);
}

/// `components.securitySchemes`: added, removed, or redefined (ignoring
/// descriptions), as name -> (definition, pointer).
fn security_schemes(cx: &mut Cx) {
    let get = |spec: &Spec| -> BTreeMap<String, (Value, String)> {
        spec.security_schemes()
            .into_iter()
            .map(|s| {
                let raw = spec.document().pointer(&s.pointer).unwrap_or(&Value::Null);
                let mut v = spec.resolve(raw).clone();
                if let Some(m) = v.as_object_mut() {
                    m.remove("description");
                }
                (s.name.to_string(), (v, s.pointer))
            })
            .collect()
    };
    let (os, ns) = (get(cx.old), get(cx.new));
    let site = Site {
        operation: None,
        part: Some("components.securitySchemes".into()),
    };
    for (name, (ov, optr)) in &os {
        let (rule, side, pointer, new) = match ns.get(name) {
            None => (Rule::SecuritySchemeRemoved, Side::Old, optr, None),
            Some((nv, nptr)) if nv != ov => (
                Rule::SecuritySchemeChanged,
                Side::New,
                nptr,
                Some(nv.clone()),
            ),
            Some(_) => continue,
        };
        let verb = if new.is_some() {
            "redefined"
        } else {
            "removed"
        };
        let found = Found {
            rule,
            side,
            pointer: pointer.clone(),
            message: format!("security scheme `{name}` was {verb}"),
            old: Some(ov.clone()),
            new,
            subject: Subject::none(),
        };
        cx.push(&site, found);
    }
    for (name, (nv, nptr)) in &ns {
        if !os.contains_key(name) {
            let found = Found {
                rule: Rule::SecuritySchemeAdded,
                side: Side::New,
                pointer: nptr.clone(),
                message: format!("security scheme `{name}` was added"),
                old: None,
                new: Some(nv.clone()),
                subject: Subject::none(),
            };
            cx.push(&site, found);
        }
    }
}
