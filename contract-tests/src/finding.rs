//! What the judge says about one response: a drift finding.

use std::fmt;

use serde::Serialize;

/// How bad a finding is: errors fail the run (exit 1), warnings only report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// The kinds of drift (and of spec defects) the judge can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    MissingRequiredProperty,
    TypeMismatch,
    ValueOutsideEnum,
    /// Length, range, pattern, item count, ...
    ConstraintViolated,
    FormatViolated,
    /// Allowed by JSON Schema (objects are open) but declared nowhere: the API grew.
    UndocumentedProperty,
    UndocumentedStatus,
    WrongContentType,
    BodyNotJson,
    EmptyBody,
    /// A body where the spec documents none (e.g. on 204).
    UnexpectedBody,
    /// The body matches several `oneOf` branches that the spec can tell apart.
    UnionMismatch,
    /// The spec's fault: a `oneOf` whose branches no instance can tell apart.
    AmbiguousUnion,
    /// The suite expected another status (e.g. 2xx for a valid request).
    UnexpectedStatus,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MissingRequiredProperty => "missing-required-property",
            Kind::TypeMismatch => "type-mismatch",
            Kind::ValueOutsideEnum => "value-outside-enum",
            Kind::ConstraintViolated => "constraint-violated",
            Kind::FormatViolated => "format-violated",
            Kind::UndocumentedProperty => "undocumented-property",
            Kind::UndocumentedStatus => "undocumented-status",
            Kind::WrongContentType => "wrong-content-type",
            Kind::BodyNotJson => "body-not-json",
            Kind::EmptyBody => "empty-body",
            Kind::UnexpectedBody => "unexpected-body",
            Kind::UnionMismatch => "union-mismatch",
            Kind::AmbiguousUnion => "ambiguous-union",
            Kind::UnexpectedStatus => "unexpected-status",
        }
    }

    /// The severity a finding of this kind has.
    pub fn severity(self) -> Severity {
        match self {
            Kind::UndocumentedProperty | Kind::AmbiguousUnion => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about one response (or, for `ambiguous-union`, about the spec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// `operationId` the response belongs to.
    pub operation: String,
    /// HTTP status of the response (absent for spec findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// JSON pointer into the response body (`""` is the whole body).
    pub pointer: String,
    /// JSON pointer into the merged spec of the schema keyword that judged it.
    pub schema: String,
    /// The spec file that schema came from.
    pub file: String,
    /// One line, never the value of a secret field.
    pub message: String,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let status = self.status.map(|s| format!(" {s}")).unwrap_or_default();
        let at = if self.pointer.is_empty() {
            "(body)".to_string()
        } else {
            self.pointer.clone()
        };
        write!(
            f,
            "{sev}[{}] {}{status} at {at}: {} (schema {}#{})",
            self.kind, self.operation, self.message, self.file, self.schema
        )
    }
}
