//! Schema-level rules, on resolved schemas: `$ref`s are followed, `allOf`
//! members and single-branch nullable wrappers (`anyOf: [X, {type: null}]`)
//! are flattened into one [`View`], so the written form never matters.
//!
//! Direction decides severity: a request schema breaks clients when it
//! accepts less than before, a response schema when it may send more.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Value, json};

use super::cx::{Cx, Found, Side, Site};
use super::impact::{Item, Subject};
use super::rule::{Bound, Dir, Limit, LimitChange, Rule};
use super::surface::{deref, unalias};
use crate::model::{Api, Ty, TypeKind};
use crate::spec::Spec;
use crate::{pointer, schema};

/// The generated type of the schema at a position, on each side (`None`:
/// the generator makes no type of it there).
pub(super) type Tys = (Option<Ty>, Option<Ty>);

/// Where the comparison is, in both documents and in the generated code.
#[derive(Debug, Clone)]
pub(super) struct Pos {
    old: String,
    new: String,
    /// Human path from the body: `token.pg_name`, `agreements[]`; `""` is the body.
    path: String,
    /// The generated type of the schema here, on each side (from the models).
    tys: Tys,
    /// The generated item that holds this schema: the operation (a body,
    /// a response, a parameter) or a field of a struct.
    owner: Subject,
}

impl Pos {
    /// `pointers`: the schema in the old and the new document.
    pub fn root(pointers: (String, String), path: String, tys: Tys, owner: Subject) -> Self {
        Self {
            old: pointers.0,
            new: pointers.1,
            path,
            tys,
            owner,
        }
    }

    /// The generated items a change here is about: the holder and the type.
    fn subject(&self) -> Subject {
        let mut items = self.owner.0.clone();
        items.push(Item::Type {
            old: self.tys.0.clone(),
            new: self.tys.1.clone(),
        });
        Subject(items)
    }

    fn what(&self) -> String {
        if self.path.is_empty() {
            "the body".into()
        } else {
            format!("`{}`", self.path)
        }
    }
}

/// A schema with `$ref`s followed and `allOf` merged: what it allows.
#[derive(Debug, Default)]
struct View<'a> {
    types: Option<BTreeSet<&'static str>>,
    /// Allowed non-null values (`enum`, or `const` as one value).
    values: Option<Vec<&'a Value>>,
    /// Where `values` are written (`.../enum`).
    values_at: String,
    limits: BTreeMap<&'static str, (Value, String)>,
    props: BTreeMap<&'a str, (&'a Value, String)>,
    required: BTreeSet<String>,
    items: Option<(&'a Value, String)>,
    additional: Option<(&'a Value, String)>,
    /// Non-null `oneOf`/`anyOf` branches, when there are two or more.
    branches: Vec<(&'a Value, String)>,
}

/// Follows `$ref`s: the target, its pointer, and the component it names.
fn follow<'a>(spec: &'a Spec, mut v: &'a Value, at: &str) -> (&'a Value, String, Option<String>) {
    let mut at = at.to_string();
    let mut target = None;
    for _ in 0..32 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let fragment = pointer::percent_decode(r.strip_prefix('#').unwrap_or(r));
        let Some(next) = spec.document().pointer(&fragment) else {
            break;
        };
        target = Some(fragment.clone());
        at = fragment;
        v = next;
    }
    (v, at, target)
}

/// `/components/schemas/Card` -> `Card`.
fn component_name(target: &str) -> Option<String> {
    target
        .strip_prefix("/components/schemas/")
        .filter(|n| !n.contains('/'))
        .map(pointer::unescape)
}

fn only_null(spec: &Spec, v: &Value) -> bool {
    schema::types(spec, v).is_some_and(|t| t.len() == 1 && t.contains("null"))
}

impl<'a> View<'a> {
    fn of(spec: &'a Spec, v: &'a Value, at: &str) -> Self {
        let mut view = View {
            types: schema::types(spec, v),
            ..View::default()
        };
        view.fill(spec, v, at, 0);
        view
    }

    fn fill(&mut self, spec: &'a Spec, v: &'a Value, at: &str, depth: usize) {
        if depth > 16 {
            return;
        }
        let (v, at, _) = follow(spec, v, at);
        if self.values.is_none() {
            let values = match (v.get("const"), v.get("enum")) {
                (Some(c), _) => Some(vec![c]),
                (None, Some(Value::Array(e))) => Some(e.iter().collect()),
                _ => None,
            };
            if values.is_some() {
                self.values_at = pointer::push(
                    &at,
                    if v.get("const").is_some() {
                        "const"
                    } else {
                        "enum"
                    },
                );
            }
            self.values =
                values.map(|vs: Vec<&Value>| vs.into_iter().filter(|x| !x.is_null()).collect());
        }
        for &limit in Limit::ALL {
            let key = limit.keyword();
            if let Some(l) = v.get(key) {
                // 3.0 `format: byte` is 3.1 `contentEncoding: base64`.
                let (key, l) = if key == "format" && l == "byte" {
                    ("contentEncoding", json!("base64"))
                } else {
                    (key, l.clone())
                };
                self.limits
                    .entry(key)
                    .or_insert_with(|| (l, pointer::push(&at, key)));
            }
        }
        for (name, p) in v
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let p_at = pointer::push(&pointer::push(&at, "properties"), name);
            self.props.entry(name.as_str()).or_insert((p, p_at));
        }
        self.required.extend(
            v.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
        if self.items.is_none() {
            self.items = v
                .get("items")
                .filter(|i| i.is_object())
                .map(|i| (i, pointer::push(&at, "items")));
        }
        if self.additional.is_none() {
            self.additional = v
                .get("additionalProperties")
                .filter(|i| i.is_object())
                .map(|i| (i, pointer::push(&at, "additionalProperties")));
        }
        for (i, m) in v
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.fill(spec, m, &format!("{at}/allOf/{i}"), depth + 1);
        }
        for key in ["oneOf", "anyOf"] {
            let branches: Vec<(&Value, String)> = v
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, b)| !only_null(spec, b))
                .map(|(i, b)| (b, format!("{at}/{key}/{i}")))
                .collect();
            match branches.as_slice() {
                // `X or null` is X, nullable (the type set says so).
                [(b, b_at)] => self.fill(spec, b, b_at, depth + 1),
                _ => self.branches.extend(branches),
            }
        }
    }
}

/// Is `flag` (`readOnly`, `writeOnly`) true on the schema or its target?
fn flag(spec: &Spec, v: &Value, flag: &str) -> bool {
    v.get(flag) == Some(&Value::Bool(true)) || spec.resolve(v).get(flag) == Some(&Value::Bool(true))
}

/// Every type in `b` is accepted by `a` (integers are numbers).
fn covers(a: &BTreeSet<&str>, b: &BTreeSet<&str>) -> bool {
    b.iter()
        .all(|t| a.contains(t) || (*t == "integer" && a.contains("number")))
}

fn list(vs: &[&Value]) -> String {
    vs.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares the schemas of one part of one operation (one request body,
/// one response, one parameter).
#[derive(Debug)]
pub(super) struct SchemaDiff<'a, 'c> {
    cx: &'c mut Cx<'a>,
    site: &'c Site,
    dir: Dir,
    /// (old, new) schema pointers already compared: recursive schemas end.
    visited: HashSet<(String, String)>,
}

impl<'a, 'c> SchemaDiff<'a, 'c> {
    pub fn new(cx: &'c mut Cx<'a>, site: &'c Site, dir: Dir) -> Self {
        Self {
            cx,
            site,
            dir,
            visited: HashSet::new(),
        }
    }

    /// `values`: the old and the new value, as far as they are shown.
    fn emit(
        &mut self,
        rule: Rule,
        pos: &Pos,
        side: Side,
        message: String,
        values: (Option<Value>, Option<Value>),
    ) {
        let (old, new) = values;
        let pointer = if side == Side::Old {
            pos.old.clone()
        } else {
            pos.new.clone()
        };
        self.emit_at(Found {
            rule,
            side,
            pointer,
            message,
            old,
            new,
            subject: pos.subject(),
        });
    }

    fn emit_at(&mut self, f: Found) {
        self.cx.push(self.site, f);
    }

    /// The generated types one step down from `tys`, on each side.
    fn down(&self, tys: &Tys, step: impl Fn(&Api, &Ty) -> Option<Ty>) -> Tys {
        let (old, new) = (&self.cx.old_api, &self.cx.new_api);
        (
            tys.0.as_ref().and_then(|t| step(old, t)),
            tys.1.as_ref().and_then(|t| step(new, t)),
        )
    }

    pub fn compare(&mut self, o: &'a Value, n: &'a Value, pos: Pos) {
        self.compare_depth(o, n, pos, 0);
    }

    fn compare_depth(&mut self, o: &'a Value, n: &'a Value, mut pos: Pos, depth: usize) {
        if depth > 64 {
            return;
        }
        let (old, new) = (self.cx.old, self.cx.new);
        let (ov, optr, oref) = follow(old, o, &pos.old);
        let (nv, nptr, nref) = follow(new, n, &pos.new);
        if (oref.is_some() || nref.is_some()) && !self.visited.insert((optr.clone(), nptr.clone()))
        {
            return;
        }
        pos.old = optr;
        pos.new = nptr;
        if let (Some(a), Some(b)) = (
            oref.as_deref().and_then(component_name),
            nref.as_deref().and_then(component_name),
        ) {
            self.renamed(&a, &b, ov, nv, &pos);
        }
        let (ow, nw) = (View::of(old, ov, &pos.old), View::of(new, nv, &pos.new));
        if !self.types(&ow, &nw, &pos) {
            return;
        }
        self.values(&ow, &nw, &pos);
        self.limits(&ow, &nw, &pos);
        self.properties(&ow, &nw, &pos, depth);
        let child = |pos: &Pos, suffix: &str, tys: Tys, o: &str, n: &str| Pos {
            old: o.to_string(),
            new: n.to_string(),
            path: format!("{}{suffix}", pos.path),
            tys,
            owner: Subject::none(),
        };
        if let (Some((oi, oi_at)), Some((ni, ni_at))) = (ow.items, nw.items) {
            let tys = self.down(&pos.tys, |api, t| match unalias(api, t) {
                Ty::Array(t) => Some(*t),
                _ => None,
            });
            let p = child(&pos, "[]", tys, &oi_at, &ni_at);
            self.compare_depth(oi, ni, p, depth + 1);
        }
        if let (Some((oa, oa_at)), Some((na, na_at))) = (ow.additional, nw.additional) {
            let tys = self.down(&pos.tys, |api, t| match unalias(api, t) {
                Ty::Map(t) => Some(*t),
                _ => None,
            });
            let p = child(&pos, "{}", tys, &oa_at, &na_at);
            self.compare_depth(oa, na, p, depth + 1);
        }
        self.branches(&ow.branches, &nw.branches, &pos, depth);
    }

    /// Both sides reference a component, under different names: renamed
    /// when the old name is gone and the new one is new (info: the wire
    /// format is the same, the generated type's name is not). A reference
    /// that merely points at another existing component is no change by
    /// itself; differences in shape are reported by the rules below.
    fn renamed(&mut self, a: &str, b: &str, ov: &Value, nv: &Value, pos: &Pos) {
        let exists = |spec: &Spec, name: &str| {
            spec.document()
                .pointer(&pointer::push("/components/schemas", name))
                .is_some()
        };
        if a == b || exists(self.cx.new, a) || exists(self.cx.old, b) {
            return;
        }
        let same = canonical(self.cx.old, ov, &mut Vec::new())
            == canonical(self.cx.new, nv, &mut Vec::new());
        let message = format!(
            "schema `{a}` is now `{b}`{}",
            if same {
                " with the same shape"
            } else {
                " (shape changes reported separately)"
            }
        );
        let subject = Subject(vec![Item::Type {
            old: pos.tys.0.clone(),
            new: pos.tys.1.clone(),
        }]);
        self.emit_at(Found {
            rule: Rule::SchemaRefRenamed,
            side: Side::New,
            pointer: pos.new.clone(),
            message,
            old: Some(json!(a)),
            new: Some(json!(b)),
            subject,
        });
    }

    /// Type and nullability. Returns false when the types no longer overlap
    /// in a compatible way (deeper rules would only add noise).
    fn types(&mut self, ow: &View, nw: &View, pos: &Pos) -> bool {
        let (Some(ot), Some(nt)) = (&ow.types, &nw.types) else {
            return true;
        };
        let non_null = |t: &BTreeSet<&'static str>| {
            t.iter()
                .copied()
                .filter(|x| *x != "null")
                .collect::<BTreeSet<_>>()
        };
        let (o, n) = (non_null(ot), non_null(nt));
        let show = |t: &BTreeSet<&str>| json!(t.iter().collect::<Vec<_>>());
        if o != n && !o.is_empty() && !n.is_empty() {
            // Requests break when old values are refused; responses when
            // clients may receive values they do not expect.
            let compatible = match self.dir {
                Dir::Request => covers(&n, &o),
                Dir::Response => covers(&o, &n),
            };
            let rule = match (compatible, self.dir) {
                (false, d) => Rule::TypeChanged(d),
                (true, Dir::Request) => Rule::TypeWidened,
                (true, Dir::Response) => Rule::TypeNarrowed,
            };
            let message = format!(
                "type of {} changed from {} to {}",
                pos.what(),
                show(&o),
                show(&n)
            );
            let values = (Some(show(&o)), Some(show(&n)));
            self.emit(rule, pos, Side::New, message, values);
            if !compatible {
                return false;
            }
        }
        let (on, nn) = (ot.contains("null"), nt.contains("null"));
        if on != nn {
            let rule = if nn {
                Rule::BecameNullable(self.dir)
            } else {
                Rule::BecameNonNullable(self.dir)
            };
            let message = format!(
                "{} {}",
                pos.what(),
                if nn {
                    "may now be null"
                } else {
                    "may no longer be null"
                }
            );
            let values = (Some(json!(on)), Some(json!(nn)));
            self.emit(rule, pos, Side::New, message, values);
        }
        true
    }

    /// `enum` / `const` values.
    fn values(&mut self, ow: &View, nw: &View, pos: &Pos) {
        let or = |at: &String, fallback: &String| {
            if at.is_empty() {
                fallback.clone()
            } else {
                at.clone()
            }
        };
        let pos = &Pos {
            old: or(&ow.values_at, &pos.old),
            new: or(&nw.values_at, &pos.new),
            ..pos.clone()
        };
        let dir = self.dir;
        let what = pos.what();
        let at_values = |w: &View| w.values.as_ref().map(|v| json!(v));
        match (&ow.values, &nw.values) {
            (Some(o), Some(n)) => {
                let removed: Vec<&Value> = o.iter().copied().filter(|v| !n.contains(v)).collect();
                let added: Vec<&Value> = n.iter().copied().filter(|v| !o.contains(v)).collect();
                if !removed.is_empty() {
                    let message = format!("{what} no longer accepts {}", list(&removed));
                    let values = (Some(json!(removed)), None);
                    self.emit(Rule::EnumValueRemoved(dir), pos, Side::New, message, values);
                }
                if !added.is_empty() {
                    let message = if dir == Dir::Response {
                        format!(
                            "{what} may now be {} (breaks clients with closed enums)",
                            list(&added)
                        )
                    } else {
                        format!("{what} now also accepts {}", list(&added))
                    };
                    let values = (None, Some(json!(added)));
                    self.emit(Rule::EnumValueAdded(dir), pos, Side::New, message, values);
                }
            }
            (None, Some(_)) => {
                let message = format!("{what} is now restricted to a list of values");
                let values = (None, at_values(nw));
                self.emit(Rule::EnumAdded(dir), pos, Side::New, message, values);
            }
            (Some(_), None) => {
                let message = format!("{what} is no longer restricted to a list of values");
                let values = (at_values(ow), None);
                self.emit(Rule::EnumRemoved(dir), pos, Side::New, message, values);
            }
            (None, None) => {}
        }
    }

    /// maxLength, minimum, pattern, ...: in requests tighter is an error.
    fn limits(&mut self, ow: &View, nw: &View, pos: &Pos) {
        for &limit in Limit::ALL {
            let key = limit.keyword();
            let (o, n) = (ow.limits.get(key), nw.limits.get(key));
            let num = |v: &Value| v.as_f64();
            let (change, side) = match (o, n) {
                (None, None) => continue,
                (Some((a, _)), Some((b, _)))
                    if a == b || (num(a).is_some() && num(a) == num(b)) =>
                {
                    continue;
                }
                (None, Some(_)) => (LimitChange::Added, Side::New),
                (Some(_), None) => (LimitChange::Removed, Side::Old),
                (Some((a, _)), Some((b, _))) => match (limit.bound(), num(a), num(b)) {
                    (Bound::Upper | Bound::Lower, Some(x), Some(y)) if y < x => {
                        (LimitChange::Decreased, Side::New)
                    }
                    (Bound::Upper | Bound::Lower, Some(_), Some(_)) => {
                        (LimitChange::Increased, Side::New)
                    }
                    _ => (LimitChange::Changed, Side::New),
                },
            };
            let pointer = match side {
                Side::Old => o.map(|x| x.1.clone()).unwrap_or_default(),
                Side::New => n.map(|x| x.1.clone()).unwrap_or_default(),
            };
            let (ov, nv) = (o.map(|x| x.0.clone()), n.map(|x| x.0.clone()));
            let show = |v: &Option<Value>| v.as_ref().map_or("none".to_string(), Value::to_string);
            let message = format!(
                "{key} of {} changed from {} to {}",
                pos.what(),
                show(&ov),
                show(&nv)
            );
            self.emit_at(Found {
                rule: Rule::Limit(self.dir, limit, change),
                side,
                pointer,
                message,
                old: ov,
                new: nv,
                subject: pos.subject(),
            });
        }
    }

    fn properties(&mut self, ow: &View<'a>, nw: &View<'a>, pos: &Pos, depth: usize) {
        let (old, new) = (self.cx.old, self.cx.new);
        // A request never carries readOnly properties; a response never writeOnly ones.
        let hidden = if self.dir == Dir::Request {
            "readOnly"
        } else {
            "writeOnly"
        };
        let names: BTreeSet<&str> = ow.props.keys().chain(nw.props.keys()).copied().collect();
        for name in names {
            let o = ow.props.get(name).filter(|(v, _)| !flag(old, v, hidden));
            let n = nw.props.get(name).filter(|(v, _)| !flag(new, v, hidden));
            let prop = Prop {
                name,
                path: if pos.path.is_empty() {
                    name.to_string()
                } else {
                    format!("{}.{name}", pos.path)
                },
                required: (
                    o.is_some() && ow.required.contains(name),
                    n.is_some() && nw.required.contains(name),
                ),
            };
            let field = Subject(vec![Item::Field {
                old: pos.tys.0.clone(),
                new: pos.tys.1.clone(),
                json: name.to_string(),
            }]);
            let tys = self.down(&pos.tys, |api, t| field_ty(api, t, name));
            let at = |old: &str, new: &str| Pos {
                old: old.to_string(),
                new: new.to_string(),
                path: prop.path.clone(),
                tys: tys.clone(),
                owner: field.clone(),
            };
            match (o, n) {
                (None, None) => {}
                (Some((_, optr)), None) => self.property_removed(&prop, &at(optr, optr)),
                (None, Some((_, nptr))) => self.property_added(&prop, &at(nptr, nptr)),
                (Some((ov, optr)), Some((nv, nptr))) => {
                    let p = at(optr, nptr);
                    self.property_required(&prop, &p);
                    self.compare_depth(ov, nv, p, depth + 1);
                }
            }
        }
    }

    fn property_removed(&mut self, prop: &Prop, pos: &Pos) {
        let required = prop.required.0;
        let rule = match (self.dir, required) {
            (Dir::Request, _) => Rule::RequestPropertyRemoved,
            (Dir::Response, true) => Rule::ResponsePropertyRemoved,
            (Dir::Response, false) => Rule::ResponseOptionalPropertyRemoved,
        };
        let message = format!(
            "{} property `{}` was removed",
            if required { "required" } else { "optional" },
            prop.path
        );
        let values = (Some(json!(prop.name)), None);
        self.emit(rule, pos, Side::Old, message, values);
    }

    fn property_added(&mut self, prop: &Prop, pos: &Pos) {
        let required = prop.required.1;
        let rule = match (self.dir, required) {
            (Dir::Request, true) => Rule::RequestPropertyAddedRequired,
            (Dir::Request, false) => Rule::RequestPropertyAdded,
            (Dir::Response, _) => Rule::ResponsePropertyAdded,
        };
        let message = format!(
            "{} property `{}` was added",
            if required { "required" } else { "optional" },
            prop.path
        );
        let values = (None, Some(json!(prop.name)));
        self.emit(rule, pos, Side::New, message, values);
    }

    fn property_required(&mut self, prop: &Prop, pos: &Pos) {
        let (oreq, nreq) = prop.required;
        if oreq == nreq {
            return;
        }
        let (rule, state) = if nreq {
            (Rule::PropertyBecameRequired(self.dir), "required")
        } else {
            (Rule::PropertyBecameOptional(self.dir), "optional")
        };
        let message = format!("property `{}` is now {state}", prop.path);
        let values = (Some(json!(oreq)), Some(json!(nreq)));
        self.emit(rule, pos, Side::New, message, values);
    }

    /// `oneOf`/`anyOf` branches, matched by component name, then by shape,
    /// then by position.
    fn branches(
        &mut self,
        ob: &[(&'a Value, String)],
        nb: &[(&'a Value, String)],
        pos: &Pos,
        depth: usize,
    ) {
        if ob.is_empty() && nb.is_empty() {
            return;
        }
        let (pairs, removed, added) = self.match_branches(ob, nb);
        let target = |v: &Value| v.get("$ref").and_then(Value::as_str).map(str::to_string);
        let dir = self.dir;
        for i in removed {
            let p = Pos {
                old: ob[i].1.clone(),
                ..pos.clone()
            };
            let message = format!(
                "{} no longer accepts variant {i} of its oneOf/anyOf",
                pos.what()
            );
            let values = (target(ob[i].0).map(Value::from), None);
            self.emit(
                Rule::UnionVariantRemoved(dir),
                &p,
                Side::Old,
                message,
                values,
            );
        }
        for j in added {
            let p = Pos {
                new: nb[j].1.clone(),
                ..pos.clone()
            };
            let message = format!("{} has a new oneOf/anyOf variant {j}", pos.what());
            let values = (None, target(nb[j].0).map(Value::from));
            self.emit(Rule::UnionVariantAdded(dir), &p, Side::New, message, values);
        }
        for (i, j) in pairs {
            let branch = |k: usize| {
                move |api: &Api, t: &Ty| match &deref(api, t)?.kind {
                    TypeKind::Union(vs) => vs.get(k).map(|v| v.ty.clone()),
                    _ => None,
                }
            };
            let (old, _) = self.down(&pos.tys, branch(i));
            let (_, new) = self.down(&pos.tys, branch(j));
            let p = Pos {
                old: ob[i].1.clone(),
                new: nb[j].1.clone(),
                path: pos.path.clone(),
                tys: (old, new),
                owner: Subject::none(),
            };
            self.compare_depth(ob[i].0, nb[j].0, p, depth + 1);
        }
    }

    /// Branch pairs (old index, new index), old branches left, new ones left.
    fn match_branches(
        &self,
        ob: &[(&'a Value, String)],
        nb: &[(&'a Value, String)],
    ) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
        let (old, new) = (self.cx.old, self.cx.new);
        let target = |v: &Value| v.get("$ref").and_then(Value::as_str).map(str::to_string);
        let mut used = vec![false; nb.len()];
        let mut pairs = Vec::new();
        let mut left = Vec::new();
        for (i, (o, _)) in ob.iter().enumerate() {
            let j = nb
                .iter()
                .enumerate()
                .position(|(j, (n, _))| !used[j] && target(o).is_some() && target(o) == target(n));
            let j = j.or_else(|| {
                let oc = canonical(old, o, &mut Vec::new());
                nb.iter()
                    .enumerate()
                    .position(|(j, (n, _))| !used[j] && canonical(new, n, &mut Vec::new()) == oc)
            });
            match j {
                Some(j) => {
                    used[j] = true;
                    pairs.push((i, j));
                }
                None => left.push(i),
            }
        }
        // Still unmatched on both sides: the same slot, changed.
        let mut removed = Vec::new();
        for i in left {
            match (0..nb.len()).find(|j| !used[*j]) {
                Some(j) if ob.len() == nb.len() => {
                    used[j] = true;
                    pairs.push((i, j));
                }
                _ => removed.push(i),
            }
        }
        pairs.sort();
        let added = (0..nb.len()).filter(|j| !used[*j]).collect();
        (pairs, removed, added)
    }
}

/// A property compared on both sides.
struct Prop<'n> {
    name: &'n str,
    /// `token.pg_name`.
    path: String,
    /// Required on the old side, on the new side (absent counts as not).
    required: (bool, bool),
}

/// The generated type of property `json` of the struct `ty` stands for.
fn field_ty(api: &Api, ty: &Ty, json: &str) -> Option<Ty> {
    match &deref(api, ty)?.kind {
        TypeKind::Struct(fields) => fields
            .iter()
            .find(|f| f.json == json && !f.flatten)
            .map(|f| f.ty.clone()),
        _ => None,
    }
}

/// A schema with references inlined and annotations dropped: two schemas
/// with equal canonical forms accept and produce the same instances.
/// A reference back into the schema being inlined becomes its distance on
/// the stack, so recursive schemas compare by structure, not by name.
pub(super) fn canonical(spec: &Spec, v: &Value, stack: &mut Vec<String>) -> Value {
    if stack.len() > 32 {
        return Value::Null;
    }
    match v {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                if let Some(i) = stack.iter().position(|t| t == target) {
                    return json!({ "$recursive": stack.len() - i });
                }
                if let Some(resolved) = spec.resolve_ref(target) {
                    stack.push(target.to_string());
                    let out = canonical(spec, resolved, stack);
                    stack.pop();
                    return out;
                }
            }
            let mut out = serde_json::Map::new();
            for (k, child) in map {
                match k.as_str() {
                    "description" | "title" | "examples" | "example" | "$comment"
                    | "externalDocs" | "deprecated" | "xml" => {}
                    "required" => {
                        let mut names: Vec<String> = child
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect();
                        names.sort();
                        out.insert(k.clone(), json!(names));
                    }
                    "enum" | "const" | "default" => {
                        out.insert(k.clone(), child.clone());
                    }
                    // Maps of names to schemas: the names are data, not keywords.
                    "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                        let named = child
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(name, s)| (name.clone(), canonical(spec, s, stack)));
                        out.insert(k.clone(), Value::Object(named.collect()));
                    }
                    _ => {
                        out.insert(k.clone(), canonical(spec, child, stack));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| canonical(spec, i, stack)).collect())
        }
        other => other.clone(),
    }
}
