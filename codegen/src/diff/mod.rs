//! What changed between two versions of the API, and who it breaks.
//!
//! Both sides are loaded [`Spec`]s (canonical 3.1, overlays applied), and
//! the comparison is on *resolved* schemas: a `$ref` that moved, a 3.0
//! `nullable` that became a 3.1 type array, YAML that became JSON are no
//! change. Operations are matched by method + path first, then by
//! `operationId`, so a moved endpoint is reported as moved.
//!
//! Every [`Change`] has a [`Rule`] (a stable id, a severity for HTTP
//! clients in general, a description), and an [`Impact`] on the generated
//! `ottu-client`: which Rust items change, read from the models of both
//! sides (`model::Api`), and the semver bump that implies.
//!
//! Modules, each using only those below it: `ops` (operation rules) ->
//! `schemas` (schema rules) -> `cx` (what both share) -> `impact` ->
//! `rule`, `surface` (the generated items of one model).

mod cx;
mod impact;
mod ops;
mod report;
mod rule;
mod schemas;
mod surface;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::error::Location;
use crate::spec::Spec;

pub use impact::{Impact, impact_summary};
pub use report::{Format, render};
pub use rule::{Bound, ClientImpact, Def, Dir, Limit, LimitChange, Rule};

/// How bad a change is for an existing client of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Safe for every client.
    Info,
    /// May break some clients (depends on how they are written).
    Warning,
    /// Breaks existing clients.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The semver bump a change forces on `ottu-client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Semver {
    /// No generated item changes (validation limits, behaviour only).
    Patch,
    /// Items are added; existing code still compiles.
    Minor,
    /// Existing code using the items may stop compiling.
    Major,
}

impl Semver {
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!(
                "unknown severity {s:?} (expected info, warning or error)"
            )),
        }
    }
}

/// One difference between the old and the new API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Serialized as its stable kebab-case id (`request-property-became-required`).
    pub rule: Rule,
    pub severity: Severity,
    /// `POST /b/pbl/v2/auto-debit/ (auto_debit)`; `None` for document-wide
    /// changes (security schemes).
    pub operation: Option<String>,
    /// Where in the operation: `request body application/json`,
    /// `response 200 application/json`, `parameter query customer_id`.
    pub part: Option<String>,
    /// File and JSON pointer: into the new document, or into the old one
    /// for things that were removed.
    #[serde(serialize_with = "location_string")]
    pub at: Location,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// A fact about our own generated client that differs from the general
    /// severity (`none (ottu-client keeps unknown enum values)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_impact: Option<String>,
    /// What the change does to the generated Rust API.
    pub impact: Impact,
}

fn location_string<S: serde::Serializer>(l: &Location, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&l.to_string())
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] ", self.severity, self.rule)?;
        if let Some(part) = &self.part {
            write!(f, "{part}: ")?;
        }
        write!(f, "{} ({})", self.message, self.at)?;
        if let Some(c) = &self.client_impact {
            write!(f, "; client impact: {c}")?;
        }
        Ok(())
    }
}

/// Every change from `old` to `new`, deterministically ordered (operation,
/// part, location, rule) and without duplicates (a schema shared by several
/// media types of one operation is reported once, under the first).
pub fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut out = ops::diff(old, new);
    let key = |c: &Change| {
        (
            c.operation.clone(),
            c.at.clone(),
            c.rule.id(),
            c.message.clone(),
            c.part.clone(),
        )
    };
    out.sort_by_cached_key(key);
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert((c.operation.clone(), c.at.clone(), c.rule, c.message.clone())));
    out
}

/// The highest severity among `changes`.
pub fn worst(changes: &[Change]) -> Option<Severity> {
    changes.iter().map(|c| c.severity).max()
}
