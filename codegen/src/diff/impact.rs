//! What a change does to the generated `ottu-client`: the generated items
//! it is about, as the models of both sides name them (`model::Api`), which
//! of those appear, vanish or change signature (`surface`), and the semver
//! bump that implies, never lower than the rule's own floor (`rule`).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::rule::{ClientImpact, Rule};
use super::surface::{ItemChange, deref, named};
use super::{Change, Semver, Severity, diff};
use crate::model::{Api, Ty, TypeKind};
use crate::spec::Spec;

/// The Rust side of a [`Change`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub semver: Semver,
    /// Generated items that change (`Card::pg_name`, `Client::auto_debit`).
    pub items: Vec<String>,
    pub why: String,
}

/// One generated thing a change is about, identified through the models.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// An operation, by its pointer in each document: the client method,
    /// its success enum and its error enum.
    Operation {
        old: Option<String>,
        new: Option<String>,
    },
    /// The types a schema is generated as, on each side.
    Type { old: Option<Ty>, new: Option<Ty> },
    /// The field for property `json` of the struct each side generates.
    Field {
        old: Option<Ty>,
        new: Option<Ty>,
        json: String,
    },
}

/// The generated items a change is about.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subject(pub Vec<Item>);

impl Subject {
    pub fn none() -> Self {
        Subject(Vec::new())
    }

    pub fn operation(old: Option<String>, new: Option<String>) -> Self {
        Subject(vec![Item::Operation { old, new }])
    }

    /// Does `change` belong to one of this subject's items?
    pub fn claims(&self, change: &ItemChange, old: &Api, new: &Api) -> bool {
        self.0.iter().any(|item| match item {
            Item::Operation { old: o, new: n } => [(o, old), (n, new)].iter().any(|(p, api)| {
                let Some(op) = p
                    .as_deref()
                    .and_then(|p| api.operations.iter().find(|op| op.pointer == p))
                else {
                    return false;
                };
                change.key == format!("Client::{}", op.method_name)
                    || change.key == format!("type requests.{}", op.request_type)
                    || change
                        .key
                        .starts_with(&format!("requests.{}::", op.request_type))
                    || change.mentions(&op.error_type)
                    || op
                        .success
                        .enum_name
                        .as_deref()
                        .is_some_and(|e| change.mentions(e))
            }),
            Item::Type { old: o, new: n } => {
                let mut names = Vec::new();
                for t in [o, n].into_iter().flatten() {
                    named(t, &mut names);
                }
                names.iter().any(|name| change.mentions(name))
            }
            Item::Field {
                old: o,
                new: n,
                json,
            } => [(o, old), (n, new)].iter().any(|(t, api)| {
                let Some(def) = t.as_ref().and_then(|t| deref(api, t)) else {
                    return false;
                };
                let TypeKind::Struct(fields) = &def.kind else {
                    return false;
                };
                // The field, its setter, and what requiring it changes
                // (`new`'s arguments, `Default`).
                let n = &def.name;
                fields
                    .iter()
                    .filter(|f| f.json == *json && !f.flatten)
                    .any(|f| {
                        // A setter exists on the side where the field is optional.
                        let setter = f.setter().map(|s| format!("{s}()"));
                        [
                            Some(f.name.clone()),
                            setter,
                            Some("new()".into()),
                            Some("default()".into()),
                        ]
                        .into_iter()
                        .flatten()
                        .any(|m| change.key == format!("{n}::{m}"))
                    })
            }),
        })
    }
}

/// The impact of a change of `rule` whose subject's items changed as `claimed`.
pub(crate) fn of(rule: Rule, claimed: &[&ItemChange]) -> Impact {
    let client = rule.client();
    let model = claimed
        .iter()
        .map(|c| c.semver)
        .max()
        .unwrap_or(Semver::Patch);
    let semver = client.floor().max(model);
    let mut why: Vec<String> = Vec::new();
    if let ClientImpact::AtLeast(_, reason) = client {
        why.push(reason.to_string());
    }
    why.extend(claimed.iter().map(|c| c.show()));
    let why = match (why.is_empty(), client) {
        (false, _) => why.join("; "),
        (true, ClientImpact::None(reason)) => format!("no generated item changes ({reason})"),
        (true, _) => "no generated item changes".to_string(),
    };
    Impact {
        semver,
        items: claimed
            .iter()
            .map(|c| c.key.trim_start_matches("type ").to_string())
            .collect(),
        why,
    }
}

/// A short report for `cargo xtask codegen`: the semver bump regenerating
/// from `new` forces on `ottu-client`, and the items that change.
pub fn impact_summary(old: &Spec, new: &Spec) -> String {
    summarize(&diff(old, new))
}

/// [`impact_summary`] for changes already computed.
pub fn summarize(changes: &[Change]) -> String {
    let Some(bump) = changes.iter().map(|c| c.impact.semver).max() else {
        return "ottu-client: no API changes\n".into();
    };
    let breaking = changes
        .iter()
        .filter(|c| c.severity == Severity::Error)
        .count();
    let mut out = format!(
        "ottu-client: {} release needed ({} changes, {} breaking for HTTP clients)\n",
        bump.as_str(),
        changes.len(),
        breaking
    );
    let mut by_item: BTreeMap<&str, (Semver, Vec<String>)> = BTreeMap::new();
    for c in changes {
        for item in &c.impact.items {
            let e = by_item.entry(item).or_insert((c.impact.semver, Vec::new()));
            e.0 = e.0.max(c.impact.semver);
            let id = c.rule.id().into_owned();
            if !e.1.contains(&id) {
                e.1.push(id);
            }
        }
    }
    for (item, (semver, rules)) in by_item {
        let _ = writeln!(out, "  {:<5} {item}: {}", semver.as_str(), rules.join(", "));
    }
    out
}
