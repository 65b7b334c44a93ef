//! The public items of the crate generated from a [`model::Api`], each with
//! its signature as `emit` writes it, and what changes between two of them:
//! which items appear, vanish or change signature, and the semver bump each
//! forces, as cargo-semver-checks would judge the two crates.
//!
//! The types of `types.rs` are `#[non_exhaustive]` (`emit::types`): structs
//! are built with `new(required...)` and `with_` setters, never literals,
//! and enums are matched with a `_` arm, so a field, setter or variant added
//! to one is minor, while a changed `new` (a required field added, removed
//! or retyped) is major. Each operation is a method taking its required
//! inputs and returning a request with a setter per optional input, so an
//! optional parameter added is minor. Its error enum is
//! `#[non_exhaustive]` (a documented status added is minor); its success
//! enum is exhaustive: a variant added to it breaks exhaustive matches.

use std::collections::BTreeMap;

use super::Semver;
use crate::model::{Api, Field, OperationDef, Ty, TypeDef, TypeKind};
use crate::spec::Status;

/// How the signature of a `#[non_exhaustive]` type starts.
const NON_EXHAUSTIVE: &str = "#[non_exhaustive]";

/// Item key (`type Card`, `Card::pg_name`, `Card::with_pg_name()`,
/// `Card::new()`, `Client::auto_debit`) -> signature.
#[derive(Debug, Default)]
pub(super) struct Surface {
    pub items: BTreeMap<String, String>,
}

/// One generated item that differs between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ItemChange {
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub semver: Semver,
}

/// Does the signature `sig` name the type `name`?
fn names(sig: &str, name: &str) -> bool {
    sig.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == name)
}

impl ItemChange {
    /// Does the item's key or either signature name the type `name`?
    pub fn mentions(&self, name: &str) -> bool {
        self.key == format!("type {name}")
            || self.key.starts_with(&format!("{name}::"))
            || self.old.as_deref().is_some_and(|s| names(s, name))
            || self.new.as_deref().is_some_and(|s| names(s, name))
    }

    /// The type this change adds or removes as a whole, if it does.
    pub fn whole_type(&self) -> Option<&str> {
        let name = self.key.strip_prefix("type ")?;
        (self.old.is_none() || self.new.is_none()).then_some(name)
    }

    /// `Client::auto_debit: -> () (was -> AutoDebitResponse)`, for reports.
    pub fn show(&self) -> String {
        let name = self.key.trim_start_matches("type ");
        match (&self.old, &self.new) {
            (None, _) => format!("{name} added"),
            (_, None) => format!("{name} removed"),
            (Some(o), Some(n)) => format!("{name} changes from `{o}` to `{n}`"),
        }
    }
}

fn field_sig(f: &Field) -> String {
    let ty = f.ty.short_name();
    let ty = match (f.required, f.nullable) {
        (true, false) => ty,
        (true, true) | (false, false) => format!("Option<{ty}>"),
        (false, true) => format!("Nullable<{ty}>"),
    };
    if f.flatten {
        format!("#[serde(flatten)] {ty}")
    } else {
        ty
    }
}

/// A success or error variant's payload: an exact status carries its body;
/// a range or `default` also carries the actual status.
fn status_payload(status: Status, ty: Option<&Ty>) -> String {
    match (status, ty) {
        (Status::Code(_), Some(t)) => format!("({})", t.short_name()),
        (Status::Code(_), None) => String::new(),
        (_, Some(t)) => format!("{{ status: u16, body: {} }}", t.short_name()),
        (_, None) => "{ status: u16 }".into(),
    }
}

impl Surface {
    pub fn of(api: &Api) -> Self {
        let mut s = Surface::default();
        for t in &api.types {
            s.ty(t);
        }
        for op in &api.operations {
            s.operation(op);
        }
        // `pub type WebhookPayload = types::<name>;` (`x-ottu-webhook-payload`).
        if let Some(name) = &api.webhook_payload {
            s.put("type WebhookPayload".into(), format!("= {name}"));
        }
        s
    }

    /// Does a member of type `parent` (a field, a variant) name the type `name`?
    pub fn member_names(&self, parent: &str, name: &str) -> bool {
        let prefix = format!("{parent}::");
        self.items
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .any(|(_, sig)| names(sig, name))
    }

    fn put(&mut self, key: String, sig: String) {
        self.items.insert(key, sig);
    }

    fn ty(&mut self, t: &TypeDef) {
        let n = &t.name;
        match &t.kind {
            TypeKind::Struct(fields) => {
                self.put(format!("type {n}"), format!("{NON_EXHAUSTIVE} struct"));
                for f in fields {
                    self.put(format!("{n}::{}", f.name), field_sig(f));
                    if let Some(setter) = f.setter() {
                        self.put(
                            format!("{n}::{setter}()"),
                            format!("fn({})", f.ty.short_name()),
                        );
                    }
                }
                let args: Vec<String> = t
                    .constructor_args()
                    .iter()
                    .map(|f| format!("{}: {}", f.name, field_sig(f)))
                    .collect();
                self.put(format!("{n}::new()"), format!("fn({})", args.join(", ")));
                if t.has_default() {
                    self.put(format!("{n}::default()"), "impl Default".into());
                }
            }
            TypeKind::Enum(variants) => {
                self.put(format!("type {n}"), format!("{NON_EXHAUSTIVE} enum"));
                for v in variants {
                    self.put(format!("{n}::{}", v.name), format!("= {:?}", v.value));
                }
            }
            TypeKind::Union(variants) => {
                self.put(format!("type {n}"), format!("{NON_EXHAUSTIVE} enum"));
                for v in variants {
                    self.put(
                        format!("{n}::{}", v.name),
                        format!("({})", v.ty.short_name()),
                    );
                }
            }
            TypeKind::Alias(ty) => self.put(format!("type {n}"), format!("= {}", ty.short_name())),
        }
    }

    /// The method takes the required inputs and returns the operation's
    /// request (`#[non_exhaustive]`: private fields, so a new setter is
    /// minor); each optional input is a setter; the request's `send` holds
    /// the result types. Error enums are `#[non_exhaustive]` too, so a
    /// newly documented status is minor.
    fn operation(&mut self, op: &OperationDef) {
        let req = format!("requests.{}", op.request_type);
        let mut args: Vec<String> = Vec::new();
        for p in &op.params {
            let ty = p.ty.short_name();
            if p.required {
                args.push(format!("{}: {ty}", p.name));
            } else {
                self.put(format!("{req}::{}()", p.name), format!("fn({ty})"));
            }
        }
        if let Some(b) = &op.body {
            let ty = b.ty.short_name();
            if b.required {
                args.push(format!("body: &{ty}"));
            } else {
                self.put(format!("{req}::body()"), format!("fn(&{ty})"));
            }
            if let crate::model::BodyEncoding::Multipart { files } = &b.encoding {
                for f in files {
                    if f.required {
                        args.push(format!("{}: Upload", f.name));
                    } else {
                        self.put(format!("{req}::{}()", f.name), "fn(Upload)".into());
                    }
                }
            }
        }
        let ret = match (&op.success.enum_name, op.success.single()) {
            (Some(e), _) => e.clone(),
            (None, Some(t)) => t.short_name(),
            (None, None) => "()".into(),
        };
        let err = &op.error_type;
        self.put(
            format!("Client::{}", op.method_name),
            format!("fn({}) -> {req}", args.join(", ")),
        );
        self.put(format!("type {req}"), format!("{NON_EXHAUSTIVE} struct"));
        self.put(
            format!("{req}::send()"),
            format!("fn() -> Result<{ret}, Error<{err}>>"),
        );
        if let Some(e) = &op.success.enum_name {
            self.put(format!("type {e}"), "enum".into());
            for (status, ty) in &op.success.statuses {
                let payload = status_payload(*status, ty.as_ref());
                self.put(format!("{e}::Status{}", status.key()), payload);
            }
        }
        self.put(format!("type {err}"), format!("{NON_EXHAUSTIVE} enum"));
        for e in &op.errors {
            self.put(
                format!("{err}::{}", e.variant),
                status_payload(e.status, e.ty.as_ref()),
            );
        }
    }
}

/// Every item that differs from `old` to `new`. Members of a type that
/// exists on one side only are left out: the type stands for them.
pub(super) fn compare(old: &Surface, new: &Surface) -> Vec<ItemChange> {
    let mut out = Vec::new();
    let member_of = |key: &str, side: &Surface| {
        key.split_once("::")
            .is_some_and(|(p, _)| p != "Client" && !side.items.contains_key(&format!("type {p}")))
    };
    for (key, o) in &old.items {
        if member_of(key, new) {
            continue;
        }
        match new.items.get(key) {
            None => out.push(ItemChange {
                key: key.clone(),
                old: Some(o.clone()),
                new: None,
                semver: Semver::Major,
            }),
            Some(n) if n != o => out.push(ItemChange {
                key: key.clone(),
                old: Some(o.clone()),
                new: Some(n.clone()),
                semver: Semver::Major,
            }),
            Some(_) => {}
        }
    }
    for (key, n) in &new.items {
        if old.items.contains_key(key) || member_of(key, old) {
            continue;
        }
        // A new member of an exhaustive type that existed breaks exhaustive
        // matches; of a `#[non_exhaustive]` one (or a new type or method),
        // nothing.
        let exhaustive = key.split_once("::").is_some_and(|(p, _)| {
            p != "Client"
                && new
                    .items
                    .get(&format!("type {p}"))
                    .is_some_and(|sig| !sig.starts_with(NON_EXHAUSTIVE))
        });
        out.push(ItemChange {
            key: key.clone(),
            old: None,
            new: Some(n.clone()),
            semver: if exhaustive {
                Semver::Major
            } else {
                Semver::Minor
            },
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The type a named type stands for, through aliases of identical components.
pub(super) fn deref<'a>(api: &'a Api, ty: &Ty) -> Option<&'a TypeDef> {
    let mut ty = ty.clone();
    for _ in 0..16 {
        let Ty::Named(n) = &ty else {
            return None;
        };
        let def = api.type_named(n)?;
        match &def.kind {
            TypeKind::Alias(inner @ Ty::Named(_)) => ty = inner.clone(),
            _ => return Some(def),
        }
    }
    None
}

/// The type expression a named alias stands for (`type X = Vec<Y>`), else itself.
pub(super) fn unalias(api: &Api, ty: &Ty) -> Ty {
    let mut ty = ty.clone();
    for _ in 0..16 {
        match &ty {
            Ty::Named(n) => match api.type_named(n).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner)) if *inner != Ty::Any => ty = inner.clone(),
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

/// The named types a type expression mentions (`Vec<Card>` -> `Card`).
pub(super) fn named(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(n) => out.push(n.clone()),
        Ty::Array(t) | Ty::Map(t) | Ty::PassThrough(t) => named(t, out),
        _ => {}
    }
}
