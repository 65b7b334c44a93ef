//! What a change does to the generated `ottu-client`: which Rust items
//! change and the semver bump that implies.
//!
//! NAMING FALLBACK: item names are derived here from schema and operation
//! names with `codegen::model`'s naming functions, not yet read from its
//! `Api` (`Api::types_for_pointer`), with these conventions (component `Card` -> type `Card`,
//! property `pg_name` -> field `pg_name`, inline enum -> `Card` + `PgName`,
//! operationId `auto_debit` -> method `auto_debit`). Every [`Impact`] says
//! so in `naming`; [`Subject::items`] is the one place
//! to map through `Api::types_for_pointer` instead.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::{Change, Severity, diff};
use crate::spec::Spec;

/// The semver bump a change forces on `ottu-client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Semver {
    /// No generated item changes (validation limits, descriptions of behaviour).
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

/// The Rust side of a [`Change`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub semver: Semver,
    /// Generated items that change (`Card::pg_name`, `Client::auto_debit`).
    pub items: Vec<String>,
    pub why: String,
    /// `fallback`: names derived from the spec by this module's conventions,
    /// not yet read from `codegen::model`.
    pub naming: &'static str,
}

/// The generated item a change is about.
#[derive(Debug, Clone)]
pub(crate) enum Subject {
    /// Nothing generated (document-wide things such as security schemes).
    None,
    Method {
        method: String,
    },
    Param {
        method: String,
        param: String,
    },
    /// A schema as a whole (request/response body type, an item type).
    Type {
        ty: String,
    },
    /// A property of an object type; `required` as in the new spec (the
    /// old one for removals): an optional field is already an `Option`.
    Field {
        ty: String,
        field: String,
        required: bool,
    },
}

impl Subject {
    fn items(&self, rule: &str) -> Vec<String> {
        match self {
            Subject::None => Vec::new(),
            Subject::Method { method } => vec![format!("Client::{method}")],
            Subject::Param { method, param } => vec![format!("Client::{method}({})", snake(param))],
            Subject::Type { ty } if rule.contains("enum") => vec![format!("enum {ty}")],
            Subject::Type { ty } => vec![ty.clone()],
            Subject::Field { ty, field, .. } if rule.contains("enum") => {
                vec![format!("enum {ty}{}", pascal(field))]
            }
            Subject::Field { ty, field, .. } => vec![format!("{ty}::{}", snake(field))],
        }
    }
}

/// The impact of `rule` on `subject`.
pub(crate) fn of(rule: &str, subject: &Subject) -> Impact {
    let optional_field = matches!(
        subject,
        Subject::Field {
            required: false,
            ..
        } | Subject::Param { .. }
    );
    const LIMITS: [&str; 13] = [
        "-max-length-",
        "-min-length-",
        "-maximum-",
        "-minimum-",
        "-exclusive-",
        "-max-items-",
        "-min-items-",
        "-max-properties-",
        "-min-properties-",
        "-multiple-of-",
        "-pattern-",
        "-format-",
        "-content-encoding-",
    ];
    let (semver, why): (Semver, &str) = match rule {
        // Limits (maxLength, pattern, ...) are validation, not types.
        r if LIMITS.iter().any(|l| r.contains(l)) => (
            Semver::Patch,
            "no generated item changes (validation limits only)",
        ),
        "operation-added" => (Semver::Minor, "a new client method"),
        "operation-removed" => (Semver::Major, "a client method disappears"),
        "operation-method-changed" | "operation-path-changed" => (
            Semver::Patch,
            "same method signature; the regenerated client calls the new endpoint",
        ),
        "operation-id-changed" => (Semver::Major, "the client method is renamed"),
        "operation-deprecated" => (Semver::Minor, "the method gains #[deprecated]"),
        "schema-ref-renamed" => (Semver::Major, "the generated type is renamed"),
        "response-enum-value-added" | "request-enum-value-added" => (
            Semver::Minor,
            "a new enum variant (generated enums are #[non_exhaustive] and keep unknown values)",
        ),
        r if r.ends_with("-enum-value-removed") => (Semver::Major, "an enum variant disappears"),
        r if r.ends_with("-enum-added") || r.ends_with("-enum-removed") => (
            Semver::Major,
            "the field changes between a string and a generated enum",
        ),
        r if r.contains("-union-variant-") && r.ends_with("-added") => {
            (Semver::Minor, "a new variant of a #[non_exhaustive] enum")
        }
        r if r.contains("-union-variant-") => {
            (Semver::Major, "a variant of the generated enum disappears")
        }
        "response-status-added" => (Semver::Minor, "a new response variant"),
        "response-status-removed" => (Semver::Major, "a response variant disappears"),
        r if r.ends_with("-content-type-added") => {
            (Semver::Minor, "a new encoding the client may offer")
        }
        r if r.ends_with("-content-type-removed") => {
            (Semver::Major, "an encoding the client offered disappears")
        }
        r if r.ends_with("-became-nullable") || r.ends_with("-became-non-nullable") => {
            if optional_field {
                (Semver::Patch, "the field is optional, already an Option")
            } else {
                (Semver::Major, "the field changes between T and Option<T>")
            }
        }
        r if r.ends_with("-became-required") || r.ends_with("-became-optional") => (
            Semver::Major,
            "the field or argument changes between T and Option<T>",
        ),
        "request-property-added-required"
        | "request-parameter-added-required"
        | "request-body-added-required" => (
            Semver::Major,
            "a new required field or argument: existing calls no longer compile",
        ),
        r if r.ends_with("-added")
            && (r.starts_with("request-") || r.starts_with("response-property")) =>
        {
            (Semver::Minor, "a new optional field or argument")
        }
        r if r.ends_with("-removed")
            && (r.contains("-property-") || r.contains("-parameter-") || r.contains("-body-")) =>
        {
            (Semver::Major, "a field or argument disappears")
        }
        r if r.ends_with("-type-changed")
            || r.ends_with("-type-widened")
            || r.ends_with("-type-narrowed") =>
        {
            (Semver::Major, "the field's Rust type changes")
        }
        "request-parameter-moved" => (
            Semver::Patch,
            "same argument; the client sends it elsewhere",
        ),
        "security-scheme-added" => (
            Semver::Minor,
            "a new kind of credential in the client configuration",
        ),
        "security-scheme-removed" => (
            Semver::Major,
            "a kind of credential disappears from the client configuration",
        ),
        r if r.starts_with("security-") => (
            Semver::Patch,
            "the runtime picks credentials per operation; no item changes",
        ),
        // Limits (maxLength, pattern, ...) are validation, not types.
        _ => (
            Semver::Patch,
            "no generated item changes (validation limits only)",
        ),
    };
    let items = if semver == Semver::Patch {
        Vec::new()
    } else {
        subject.items(rule)
    };
    Impact {
        semver,
        items,
        why: why.to_string(),
        naming: "fallback",
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
    let mut by_item: BTreeMap<&str, (Semver, Vec<&str>)> = BTreeMap::new();
    for c in changes {
        for item in &c.impact.items {
            let e = by_item.entry(item).or_insert((c.impact.semver, Vec::new()));
            e.0 = e.0.max(c.impact.semver);
            if !e.1.contains(&c.rule.as_str()) {
                e.1.push(&c.rule);
            }
        }
    }
    for (item, (semver, rules)) in by_item {
        let _ = writeln!(out, "  {:<5} {item}: {}", semver.as_str(), rules.join(", "));
    }
    if changes.iter().any(|c| c.impact.naming == "fallback") {
        out.push_str("  (item names by naming fallback: codegen::model not yet consulted)\n");
    }
    out
}

/// `pg_name` -> `PgName`: the generator's own type naming (`model::naming`).
pub(crate) fn pascal(name: &str) -> String {
    crate::model::type_name(name)
}

/// `pgName` -> `pg_name`: the generator's own field and method naming.
pub(crate) fn snake(name: &str) -> String {
    crate::model::snake(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_names() {
        assert_eq!(pascal("pg_name"), "PgName");
        assert_eq!(pascal("SchemaWebhook"), "SchemaWebhook");
        assert_eq!(snake("customerId"), "customer_id");
        assert_eq!(snake("X-Request-ID"), "x_request_id");
    }

    #[test]
    fn new_required_request_field_is_major_and_optional_response_field_minor() {
        let f = |required| Subject::Field {
            ty: "AutoDebit".into(),
            field: "pg_code".into(),
            required,
        };
        let i = of("request-property-added-required", &f(true));
        assert_eq!(
            (i.semver, i.items.as_slice()),
            (Semver::Major, ["AutoDebit::pg_code".to_string()].as_slice())
        );
        assert_eq!(
            of("response-property-added", &f(false)).semver,
            Semver::Minor
        );
        assert_eq!(
            of("request-max-length-decreased", &f(true)).semver,
            Semver::Patch
        );
        assert_eq!(
            of("response-property-became-nullable", &f(false)).semver,
            Semver::Patch
        );
        assert_eq!(
            of("response-property-became-nullable", &f(true)).semver,
            Semver::Major
        );
        assert_eq!(
            of("response-enum-value-added", &f(true)).items,
            ["enum AutoDebitPgCode"]
        );
    }
}
