//! The named drifts the mock injects on request (`X-Mock-Drift: NAME`, the
//! suite's `--inject-drift NAME`); `inject` applies them.

/// A drift the mock can inject (see the table in the `inject` module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Drift {
    RemoveRequired,
    ChangeType,
    AddEnumValue,
    AddField,
    BadFormat,
    TooLong,
    OutOfRange,
    BadPattern,
    UndocumentedStatus,
    WrongContentType,
    NotJson,
    EmptyBody,
}

impl Drift {
    /// Every drift, in the table's order.
    pub const ALL: [Self; 12] = [
        Self::RemoveRequired,
        Self::ChangeType,
        Self::AddEnumValue,
        Self::AddField,
        Self::BadFormat,
        Self::TooLong,
        Self::OutOfRange,
        Self::BadPattern,
        Self::UndocumentedStatus,
        Self::WrongContentType,
        Self::NotJson,
        Self::EmptyBody,
    ];

    /// The name `X-Mock-Drift` and `--inject-drift` take.
    pub fn name(self) -> &'static str {
        match self {
            Self::RemoveRequired => "remove-required",
            Self::ChangeType => "change-type",
            Self::AddEnumValue => "add-enum-value",
            Self::AddField => "add-field",
            Self::BadFormat => "bad-format",
            Self::TooLong => "too-long",
            Self::OutOfRange => "out-of-range",
            Self::BadPattern => "bad-pattern",
            Self::UndocumentedStatus => "undocumented-status",
            Self::WrongContentType => "wrong-content-type",
            Self::NotJson => "not-json",
            Self::EmptyBody => "empty-body",
        }
    }

    /// What it does to a response, in one line.
    pub fn description(self) -> &'static str {
        match self {
            Self::RemoveRequired => "drops the first required property present",
            Self::ChangeType => "first string property becomes the number 12345",
            Self::AddEnumValue => "first enum property gets an undocumented value",
            Self::AddField => "adds an undeclared property (a warning)",
            Self::BadFormat => "first date-time/date/email/uri string gets `2023-12-13 13:42:35`",
            Self::TooLong => "first string with maxLength gets one character too many",
            Self::OutOfRange => "first integer with a maximum or minimum gets one past it",
            Self::BadPattern => "first string with a pattern gets a value it does not match",
            Self::UndocumentedStatus => "status 418, same body",
            Self::WrongContentType => "Content-Type: text/plain",
            Self::NotJson => "an HTML 502 page labelled application/json",
            Self::EmptyBody => "no body at all",
        }
    }

    /// The drift called `name` (surrounding spaces ignored).
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Rewrites the body (precomputed at startup for each canned response).
    pub fn is_structural(self) -> bool {
        !matches!(
            self,
            Self::UndocumentedStatus | Self::WrongContentType | Self::NotJson | Self::EmptyBody
        )
    }
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
