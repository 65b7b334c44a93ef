//! Every diff rule, in one enum: its id, its severity for HTTP clients, what
//! it means, and what it does to the generated `ottu-client`, each decided
//! in one exhaustive `match` ([`Rule::def`]), so a new rule does not compile
//! until all four are stated.
//!
//! The client impact stated here is a floor: the verdict of a change is
//! this floor or what the models of both sides say about the generated
//! items the change is about, whichever is higher (see `impact`).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use super::{Semver, Severity};

/// A fieldless enum and `ALL`, its values in declaration order, from one
/// list (so `ALL` cannot miss a variant).
macro_rules! listed {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $v),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
        }
    };
}

listed! {
    /// Which way a schema travels: direction decides severity (a request
    /// schema breaks clients when it accepts less, a response schema when it
    /// may send more).
    pub enum Dir {
        Request,
        Response,
    }
}

impl Dir {
    pub fn id(self) -> &'static str {
        match self {
            Dir::Request => "request",
            Dir::Response => "response",
        }
    }
}

/// Which way a limit keyword is tighter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Lower is tighter (maxLength).
    Upper,
    /// Higher is tighter (minLength).
    Lower,
    /// Any change may tighten (pattern, format).
    Other,
}

listed! {
    /// Keywords that limit values without changing their Rust type.
    pub enum Limit {
        MaxLength,
        MinLength,
        Maximum,
        Minimum,
        ExclusiveMaximum,
        ExclusiveMinimum,
        MaxItems,
        MinItems,
        MaxProperties,
        MinProperties,
        MultipleOf,
        Pattern,
        Format,
        ContentEncoding,
    }
}

impl Limit {
    /// (JSON Schema keyword, rule id stem, which way is tighter).
    pub fn spec(self) -> (&'static str, &'static str, Bound) {
        match self {
            Limit::MaxLength => ("maxLength", "max-length", Bound::Upper),
            Limit::MinLength => ("minLength", "min-length", Bound::Lower),
            Limit::Maximum => ("maximum", "maximum", Bound::Upper),
            Limit::Minimum => ("minimum", "minimum", Bound::Lower),
            Limit::ExclusiveMaximum => ("exclusiveMaximum", "exclusive-maximum", Bound::Upper),
            Limit::ExclusiveMinimum => ("exclusiveMinimum", "exclusive-minimum", Bound::Lower),
            Limit::MaxItems => ("maxItems", "max-items", Bound::Upper),
            Limit::MinItems => ("minItems", "min-items", Bound::Lower),
            Limit::MaxProperties => ("maxProperties", "max-properties", Bound::Upper),
            Limit::MinProperties => ("minProperties", "min-properties", Bound::Lower),
            Limit::MultipleOf => ("multipleOf", "multiple-of", Bound::Other),
            Limit::Pattern => ("pattern", "pattern", Bound::Other),
            Limit::Format => ("format", "format", Bound::Other),
            Limit::ContentEncoding => ("contentEncoding", "content-encoding", Bound::Other),
        }
    }

    pub fn keyword(self) -> &'static str {
        self.spec().0
    }

    pub fn bound(self) -> Bound {
        self.spec().2
    }

    /// The changes this keyword can have: a numeric bound moves up or down,
    /// any other (or a non-numeric value of a bound) just changes.
    fn changes(self) -> &'static [LimitChange] {
        use LimitChange::*;
        match self.bound() {
            Bound::Upper | Bound::Lower => &[Added, Removed, Increased, Decreased, Changed],
            Bound::Other => &[Added, Removed, Changed],
        }
    }
}

listed! {
    /// How a limit changed.
    pub enum LimitChange {
        Added,
        Removed,
        Increased,
        Decreased,
        /// Not a number, or a keyword without an order (pattern, format).
        Changed,
    }
}

impl LimitChange {
    fn id(self) -> &'static str {
        match self {
            LimitChange::Added => "added",
            LimitChange::Removed => "removed",
            LimitChange::Increased => "increased",
            LimitChange::Decreased => "decreased",
            LimitChange::Changed => "changed",
        }
    }

    /// Does the limit now refuse values it accepted?
    fn tighter(self, bound: Bound) -> bool {
        match self {
            LimitChange::Added | LimitChange::Changed => true,
            LimitChange::Removed => false,
            LimitChange::Increased => bound == Bound::Lower,
            LimitChange::Decreased => bound == Bound::Upper,
        }
    }
}

/// `Rule` and `Rule::all()` from one list of variants: plain ones, ones
/// for each direction, and the limits (so `all()` cannot miss a rule).
macro_rules! rules {
    (
        plain { $($(#[$pm:meta])* $p:ident),* $(,)? }
        directed { $($(#[$dm:meta])* $d:ident),* $(,)? }
    ) => {
        /// One kind of change between two versions of the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($(#[$pm])* $p,)*
            $($(#[$dm])* $d(Dir),)*
            /// A limit keyword (maxLength, pattern, ...) changed.
            Limit(Dir, Limit, LimitChange),
        }

        impl Rule {
            /// Every rule, each once.
            pub fn all() -> Vec<Rule> {
                let mut out = vec![$(Rule::$p),*];
                for d in Dir::ALL {
                    out.extend([$(Rule::$d(*d)),*]);
                    for l in Limit::ALL {
                        out.extend(l.changes().iter().map(|c| Rule::Limit(*d, *l, *c)));
                    }
                }
                out
            }
        }
    };
}

rules! {
    plain {
        OperationAdded,
        OperationRemoved,
        OperationMethodChanged,
        OperationPathChanged,
        OperationIdChanged,
        OperationDeprecated,
        ParameterAdded,
        ParameterAddedRequired,
        ParameterRemoved,
        ParameterMoved,
        ParameterBecameRequired,
        ParameterBecameOptional,
        BodyAdded,
        BodyAddedRequired,
        BodyRemoved,
        BodyBecameRequired,
        BodyBecameOptional,
        SuccessStatusAdded,
        SuccessStatusRemoved,
        NonSuccessStatusAdded,
        NonSuccessStatusRemoved,
        SecurityRequirementsLoosened,
        SecurityRequirementsChanged,
        SecuritySchemeAdded,
        SecuritySchemeRemoved,
        SecuritySchemeChanged,
        SchemaRefRenamed,
        /// A request accepts more types.
        TypeWidened,
        /// A response sends fewer types.
        TypeNarrowed,
        RequestPropertyAdded,
        RequestPropertyAddedRequired,
        RequestPropertyRemoved,
        ResponsePropertyAdded,
        ResponsePropertyRemoved,
        ResponseOptionalPropertyRemoved,
        /// Generated items change that no other rule explains (a component
        /// nothing refers to was added or removed, a component was inlined):
        /// the models of both sides differ, and the verdict must not be
        /// lower than that difference.
        GeneratedItemsChanged,
    }
    directed {
        ContentTypeAdded,
        ContentTypeRemoved,
        /// Old and new types no longer overlap compatibly.
        TypeChanged,
        BecameNullable,
        BecameNonNullable,
        EnumValueAdded,
        EnumValueRemoved,
        /// A free value became a list of values.
        EnumAdded,
        EnumRemoved,
        PropertyBecameRequired,
        PropertyBecameOptional,
        UnionVariantAdded,
        UnionVariantRemoved,
    }
}

/// What a rule states about the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientImpact {
    /// No generated item depends on what the rule sees (why).
    None(&'static str),
    /// The generated items the change is about decide, as the models of
    /// both sides give them.
    Items,
    /// At least this bump, whatever the items say (why): the generated
    /// client behaves differently though no signature may change.
    AtLeast(Semver, &'static str),
}

impl ClientImpact {
    /// The least bump a change of the rule forces.
    pub fn floor(self) -> Semver {
        match self {
            ClientImpact::AtLeast(s, _) => s,
            ClientImpact::None(_) | ClientImpact::Items => Semver::Patch,
        }
    }
}

/// Everything stated about one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    pub id: Cow<'static, str>,
    pub severity: Severity,
    pub description: Cow<'static, str>,
    pub client: ClientImpact,
}

use ClientImpact::Items;

const NO_ITEMS: ClientImpact = ClientImpact::None("the generator ignores it");
const CREDENTIALS: ClientImpact = ClientImpact::None(
    "credentials are configured in the hand-written runtime; no generated item depends on the spec's security",
);
const LIMITS: ClientImpact =
    ClientImpact::None("validation limits only: checked at run time, not part of any signature");

impl Rule {
    /// The stable kebab-case id (`request-property-became-required`).
    pub fn id(self) -> Cow<'static, str> {
        self.def().id
    }

    pub fn severity(self) -> Severity {
        self.def().severity
    }

    pub fn description(self) -> Cow<'static, str> {
        self.def().description
    }

    pub fn client(self) -> ClientImpact {
        self.def().client
    }

    /// The one place each rule is defined.
    pub fn def(self) -> Def {
        use Dir::{Request as Req, Response as Resp};
        use Rule::*;
        use Semver::{Major, Minor};
        use Severity::{Error, Info, Warning};
        let s = Cow::Borrowed;
        let (id, severity, description, client): (Cow<'static, str>, _, Cow<'static, str>, _) =
            match self {
                OperationAdded => (
                    s("operation-added"),
                    Info,
                    s("an operation was added"),
                    ClientImpact::AtLeast(Minor, "a new client method"),
                ),
                OperationRemoved => (
                    s("operation-removed"),
                    Error,
                    s("an operation was removed: calls to it fail"),
                    ClientImpact::AtLeast(Major, "a client method disappears"),
                ),
                OperationMethodChanged => (
                    s("operation-method-changed"),
                    Error,
                    s("the HTTP method of an operation changed: old calls reach nothing"),
                    Items,
                ),
                OperationPathChanged => (
                    s("operation-path-changed"),
                    Error,
                    s("the path of an operation changed: old calls reach nothing"),
                    Items,
                ),
                OperationIdChanged => (
                    s("operation-id-changed"),
                    Info,
                    s("the operationId changed (the wire is the same; generated names may not be)"),
                    Items,
                ),
                OperationDeprecated => (
                    s("operation-deprecated"),
                    Info,
                    s("an operation is now deprecated"),
                    NO_ITEMS,
                ),
                ParameterAdded => (
                    s("request-parameter-added"),
                    Info,
                    s("an optional parameter was added"),
                    Items,
                ),
                ParameterAddedRequired => (
                    s("request-parameter-added-required"),
                    Error,
                    s("a required parameter was added: old calls lack it"),
                    Items,
                ),
                ParameterRemoved => (
                    s("request-parameter-removed"),
                    Warning,
                    s("a parameter was removed: servers may reject or ignore it"),
                    Items,
                ),
                ParameterMoved => (
                    s("request-parameter-moved"),
                    Error,
                    s(
                        "a parameter moved (query, header, path): old calls send it in the wrong place",
                    ),
                    Items,
                ),
                ParameterBecameRequired => (
                    s("request-parameter-became-required"),
                    Error,
                    s("a parameter became required: calls without it fail"),
                    Items,
                ),
                ParameterBecameOptional => (
                    s("request-parameter-became-optional"),
                    Info,
                    s("a parameter became optional"),
                    Items,
                ),
                BodyAdded => (
                    s("request-body-added"),
                    Info,
                    s("an optional request body was added"),
                    Items,
                ),
                BodyAddedRequired => (
                    s("request-body-added-required"),
                    Error,
                    s("a required request body was added: old calls lack it"),
                    Items,
                ),
                BodyRemoved => (
                    s("request-body-removed"),
                    Warning,
                    s("the request body was removed: servers may reject or ignore it"),
                    Items,
                ),
                BodyBecameRequired => (
                    s("request-body-became-required"),
                    Error,
                    s("the request body became required: calls without it fail"),
                    Items,
                ),
                BodyBecameOptional => (
                    s("request-body-became-optional"),
                    Info,
                    s("the request body became optional"),
                    Items,
                ),
                ContentTypeAdded(Req) => (
                    s("request-content-type-added"),
                    Info,
                    s("a request body encoding was added"),
                    Items,
                ),
                ContentTypeAdded(Resp) => (
                    s("response-content-type-added"),
                    Info,
                    s("a response encoding was added"),
                    Items,
                ),
                ContentTypeRemoved(Req) => (
                    s("request-content-type-removed"),
                    Error,
                    s("a request body encoding was removed: calls sending it fail"),
                    Items,
                ),
                ContentTypeRemoved(Resp) => (
                    s("response-content-type-removed"),
                    Error,
                    s("a response encoding was removed: clients asking for it fail"),
                    Items,
                ),
                SuccessStatusAdded => (
                    s("response-success-status-added"),
                    Warning,
                    s("a success status was added: clients may not expect it"),
                    ClientImpact::AtLeast(
                        Minor,
                        "a status the client reported as unexpected is now a success",
                    ),
                ),
                SuccessStatusRemoved => (
                    s("response-success-status-removed"),
                    Error,
                    s("a success status was removed: what clients relied on is no longer sent"),
                    ClientImpact::AtLeast(Major, "a success of the generated method disappears"),
                ),
                NonSuccessStatusAdded => (
                    s("response-non-success-status-added"),
                    Info,
                    s("an error status was documented"),
                    Items,
                ),
                NonSuccessStatusRemoved => (
                    s("response-non-success-status-removed"),
                    Warning,
                    s("an error status is no longer documented"),
                    Items,
                ),
                SecurityRequirementsLoosened => (
                    s("security-requirements-loosened"),
                    Info,
                    s("an operation accepts more ways to authenticate"),
                    CREDENTIALS,
                ),
                SecurityRequirementsChanged => (
                    s("security-requirements-changed"),
                    Error,
                    s("credentials that worked for an operation no longer do"),
                    CREDENTIALS,
                ),
                SecuritySchemeAdded => (
                    s("security-scheme-added"),
                    Info,
                    s("a security scheme was added"),
                    CREDENTIALS,
                ),
                SecuritySchemeRemoved => (
                    s("security-scheme-removed"),
                    Error,
                    s("a security scheme was removed"),
                    CREDENTIALS,
                ),
                SecuritySchemeChanged => (
                    s("security-scheme-changed"),
                    Error,
                    s("a security scheme was redefined"),
                    CREDENTIALS,
                ),
                SchemaRefRenamed => (
                    s("schema-ref-renamed"),
                    Info,
                    s("a referenced component has a new name (the wire is the same)"),
                    Items,
                ),
                TypeChanged(d) => (
                    Cow::Owned(format!("{}-property-type-changed", d.id())),
                    Error,
                    s("a value's type changed incompatibly"),
                    Items,
                ),
                TypeWidened => (
                    s("request-property-type-widened"),
                    Info,
                    s("a request value accepts more types"),
                    Items,
                ),
                TypeNarrowed => (
                    s("response-property-type-narrowed"),
                    Info,
                    s("a response value has fewer possible types"),
                    Items,
                ),
                BecameNullable(d) => (
                    Cow::Owned(format!("{}-property-became-nullable", d.id())),
                    if d == Resp { Error } else { Info },
                    s("a value may now be null"),
                    Items,
                ),
                BecameNonNullable(d) => (
                    Cow::Owned(format!("{}-property-became-non-nullable", d.id())),
                    if d == Req { Error } else { Info },
                    s("a value may no longer be null"),
                    Items,
                ),
                EnumValueAdded(d) => (
                    Cow::Owned(format!("{}-enum-value-added", d.id())),
                    if d == Resp { Error } else { Info },
                    s(
                        "a value was added to a list of values (responses: breaks clients with closed enums)",
                    ),
                    Items,
                ),
                EnumValueRemoved(d) => (
                    Cow::Owned(format!("{}-enum-value-removed", d.id())),
                    if d == Req { Error } else { Info },
                    s("a value was removed from a list of values"),
                    Items,
                ),
                EnumAdded(d) => (
                    Cow::Owned(format!("{}-enum-added", d.id())),
                    if d == Req { Error } else { Info },
                    s("a free value is now restricted to a list of values"),
                    Items,
                ),
                EnumRemoved(d) => (
                    Cow::Owned(format!("{}-enum-removed", d.id())),
                    if d == Req { Info } else { Warning },
                    s("a value is no longer restricted to a list of values"),
                    Items,
                ),
                RequestPropertyAdded => (
                    s("request-property-added"),
                    Info,
                    s("an optional request property was added"),
                    Items,
                ),
                RequestPropertyAddedRequired => (
                    s("request-property-added-required"),
                    Error,
                    s("a required request property was added: old requests lack it"),
                    Items,
                ),
                RequestPropertyRemoved => (
                    s("request-property-removed"),
                    Warning,
                    s("a request property was removed: servers may reject or ignore it"),
                    Items,
                ),
                ResponsePropertyAdded => (
                    s("response-property-added"),
                    Info,
                    s("a response property was added"),
                    Items,
                ),
                ResponsePropertyRemoved => (
                    s("response-property-removed"),
                    Error,
                    s("a required response property was removed: clients reading it fail"),
                    Items,
                ),
                ResponseOptionalPropertyRemoved => (
                    s("response-optional-property-removed"),
                    Warning,
                    s("an optional response property was removed"),
                    Items,
                ),
                PropertyBecameRequired(d) => (
                    Cow::Owned(format!("{}-property-became-required", d.id())),
                    if d == Req { Error } else { Info },
                    s("a property became required"),
                    Items,
                ),
                PropertyBecameOptional(d) => (
                    Cow::Owned(format!("{}-property-became-optional", d.id())),
                    if d == Resp { Error } else { Info },
                    s("a property became optional"),
                    Items,
                ),
                UnionVariantAdded(d) => (
                    Cow::Owned(format!("{}-union-variant-added", d.id())),
                    if d == Resp { Warning } else { Info },
                    s("a oneOf/anyOf branch was added"),
                    Items,
                ),
                UnionVariantRemoved(d) => (
                    Cow::Owned(format!("{}-union-variant-removed", d.id())),
                    if d == Req { Error } else { Info },
                    s("a oneOf/anyOf branch was removed"),
                    Items,
                ),
                GeneratedItemsChanged => (
                    s("generated-items-changed"),
                    Info,
                    s("generated items change that no other rule explains (the wire is the same)"),
                    Items,
                ),
                Limit(d, limit, change) => {
                    let (keyword, stem, bound) = limit.spec();
                    let tighter = change.tighter(bound);
                    let severity = match (d, tighter, change) {
                        (Req, true, LimitChange::Changed) => Warning,
                        (Req, true, _) => Error,
                        _ => Info,
                    };
                    let effect = if tighter {
                        "tighter: fewer values allowed"
                    } else {
                        "looser: more values allowed"
                    };
                    (
                        Cow::Owned(format!("{}-{stem}-{}", d.id(), change.id())),
                        severity,
                        Cow::Owned(format!(
                            "`{keyword}` of a {} value {} ({effect})",
                            d.id(),
                            change.id()
                        )),
                        LIMITS,
                    )
                }
            };
        Def {
            id,
            severity,
            description,
            client,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id())
    }
}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.id() == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let all = Rule::all();
        let ids: std::collections::BTreeSet<String> =
            all.iter().map(|r| r.id().into_owned()).collect();
        assert_eq!(ids.len(), all.len());
        for id in &ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
        }
        assert!(ids.contains("response-success-status-removed"));
        assert!(ids.contains("request-max-length-decreased"));
    }
}
