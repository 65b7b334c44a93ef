//! `Spec` -> [`Api`]: every Rust-facing decision (names, types, enums,
//! unions, request/response split, operation signatures and errors), made
//! once, as plain data that `emit` prints and `diff` can inspect.

mod groups;
mod naming;
mod ops;
mod types;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::Spec;

pub use crate::spec::Retry;
pub use groups::ALL_GROUPS;
pub use naming::{is_keyword, snake, type_name, words};

/// The client to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Input documents, as given (for the `@generated` header).
    pub sources: Vec<String>,
    /// Named types, in a stable order (components in document order, then
    /// the inline and request types they led to).
    pub types: Vec<TypeDef>,
    /// Operations, in path then method order.
    pub operations: Vec<OperationDef>,
    /// Field names never shown: `Debug` hides such fields, and the runtime
    /// masks them in error excerpts (the spec's `x-ottu-secret-fields` and
    /// the generic credentials; see [`Spec::secret_fields`]).
    pub secret_fields: Vec<String>,
    /// The Rust type a webhook delivers (`x-ottu-webhook-payload`).
    pub webhook_payload: Option<String>,
    /// The API groups (`x-ottu-group`), sorted: one cargo feature each in
    /// the generated crate. Empty when the spec has no group data (then
    /// everything is compiled unconditionally).
    pub groups: Vec<String>,
}

impl Api {
    /// The type with this Rust name.
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// Rust names of the types generated for the schema at `pointer`
    /// (`/components/schemas/Card`): the response type and, when needed, a
    /// request variant. `diff` uses this to say which Rust items a change
    /// affects.
    pub fn types_for_pointer(&self, pointer: &str) -> Vec<&TypeDef> {
        self.types.iter().filter(|t| t.pointer == pointer).collect()
    }
}

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    /// JSON pointer (in the merged document) of the schema it comes from.
    pub pointer: String,
    pub doc: Option<String>,
    pub kind: TypeKind,
    /// A request variant: `readOnly` properties left out.
    pub request: bool,
    /// Decoded tolerantly (a response type): see [`Field::required`] and
    /// `types::decide_decoding`. Request types are strict.
    pub tolerant: bool,
    /// The API groups whose operations reach it (sorted): compiled when
    /// any of their features is on; `["all-groups"]` ([`ALL_GROUPS`]) when
    /// no operation reaches it. `None`: always compiled (the webhook
    /// payload and what it holds, what an operation without a group
    /// reaches, or every type of a spec without group data). Decided in
    /// `groups::assign`.
    pub groups: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Vec<Field>),
    /// A string enum; decoding keeps unknown values in a catch-all variant.
    Enum(Vec<EnumVariant>),
    /// `oneOf`/`anyOf`, decoded by content.
    Union(Vec<UnionVariant>),
    /// `type Name = ...;` (maps, arrays, primitives with a name).
    Alias(Ty),
}

/// A Rust type expression.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ty {
    String,
    Boolean,
    Integer,
    /// A number (`type: number`, or a number-or-string union): an exact
    /// decimal with its digits, never a float (money is numbers here).
    Decimal,
    /// An amount the spec writes as a string (`format: decimal`, or a
    /// string property named `amount`, `total` or `*_amount`): an exact
    /// decimal that decodes from a number or a string and is sent as a string.
    DecimalString,
    /// No type constraint: `serde_json::Value`.
    Any,
    /// A free-form object: `serde_json::Map<String, Value>`.
    Object,
    Array(Box<Ty>),
    /// An object whose values all have one schema: `BTreeMap<String, T>`.
    Map(Box<Ty>),
    Named(String),
    /// Forwarded byte for byte as the caller received it, with a typed
    /// view (`x-ottu-pass-through`: a wallet token the device signed).
    PassThrough(Box<Ty>),
}

impl Ty {
    /// Short Rust spelling (`Vec<Card>`, `Decimal`), as messages and the
    /// diff's API surface show it (the emitted code spells paths in full).
    pub fn short_name(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Boolean => "bool".into(),
            Ty::Integer => "i64".into(),
            Ty::Decimal | Ty::DecimalString => "Decimal".into(),
            Ty::Any => "Value".into(),
            Ty::Object => "Map<String, Value>".into(),
            Ty::Array(t) => format!("Vec<{}>", t.short_name()),
            Ty::Map(t) => format!("BTreeMap<String, {}>", t.short_name()),
            Ty::Named(n) => n.clone(),
            Ty::PassThrough(t) => format!("PassThrough<{}>", t.short_name()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust identifier (without `r#`; see [`is_keyword`]).
    pub name: String,
    /// Name on the wire.
    pub json: String,
    pub ty: Ty,
    /// The Rust field must hold a value (`T`, not `Option<T>`): the spec
    /// requires it and the type is strict. A tolerant type's fields are
    /// never required, since Ottu leaves out fields its spec requires.
    pub required: bool,
    /// The spec lists it in `required` (documented on the field).
    pub spec_required: bool,
    /// `null` is allowed.
    pub nullable: bool,
    pub read_only: bool,
    /// Never shown by `Debug` (card tokens, passwords).
    pub secret: bool,
    pub doc: Option<String>,
    pub checks: Checks,
    /// The properties the schema does not declare, kept as sent
    /// (`#[serde(flatten)]` map; see `types::keep_undeclared`).
    pub flatten: bool,
}

/// How a struct is built, decided once for `emit` (which prints it) and
/// `diff` (which judges changes to it). Every generated struct is
/// `#[non_exhaustive]`: callers build it with `new` (one argument per field
/// it must hold, in declaration order) and chainable `with_<field>` setters
/// for the optional ones, so an optional field added upstream breaks no
/// caller, and a required one changes `new` (a major change, as it must be).
impl TypeDef {
    /// The arguments of `new`: the fields the struct must hold.
    pub fn constructor_args(&self) -> Vec<&Field> {
        match &self.kind {
            TypeKind::Struct(fields) => fields.iter().filter(|f| f.in_constructor()).collect(),
            _ => Vec::new(),
        }
    }

    /// `Default` is implemented: a struct `new()` builds without arguments.
    pub fn has_default(&self) -> bool {
        matches!(self.kind, TypeKind::Struct(_)) && self.constructor_args().is_empty()
    }
}

impl Field {
    /// An argument of the struct's `new`.
    pub fn in_constructor(&self) -> bool {
        self.required && !self.flatten
    }

    /// The chainable setter of an optional field (`with_customer_email`);
    /// `with_` keeps it apart from `new`, trait methods and the field itself.
    pub fn setter(&self) -> Option<String> {
        (!self.required && !self.flatten).then(|| format!("with_{}", self.name))
    }
}

/// Constraints checked before a request is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub(crate) fn of(schema: &Value) -> Self {
        let u = |k: &str| schema.get(k).and_then(Value::as_u64);
        let i = |k: &str| {
            schema
                .get(k)
                .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
        };
        Self {
            min_length: u("minLength"),
            max_length: u("maxLength"),
            minimum: i("minimum"),
            maximum: i("maximum"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    pub name: String,
    pub value: String,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: Ty,
    pub shape: Shape,
}

/// What a union branch looks like, for decoding by content.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// JSON types admitted (`None`: any).
    pub types: Option<Vec<String>>,
    pub required: Vec<String>,
    /// Declared properties and the JSON types each admits.
    pub properties: Vec<(String, Option<Vec<String>>)>,
    pub additional: Additional,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    Any,
    Forbidden,
    Types(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OperationDef {
    pub id: String,
    /// Method on `Client`.
    pub method_name: String,
    /// Upper case (`POST`).
    pub http_method: String,
    pub path: String,
    /// `/paths/<path>/<method>`.
    pub pointer: String,
    pub doc: Option<String>,
    pub path_parts: Vec<PathPart>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub success: Success,
    /// Name of the per-operation error enum.
    pub error_type: String,
    /// Name of the operation's request builder (in the generated
    /// `requests` module, so it never meets a schema's name).
    pub request_type: String,
    pub errors: Vec<ErrorCase>,
    pub policy: OperationPolicy,
    pub security: Security,
    /// Its API group (`x-ottu-group`): compiled only with that cargo
    /// feature. `None`: always compiled.
    pub group: Option<String>,
}

/// Who may call an operation, from its `security` (decided once in
/// `model::ops`): the generated method documents it and the runtime
/// refuses, before sending, a configured auth that is not one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Security {
    /// The schemes it accepts, in the spec's order, one entry per kind
    /// (`SSO_BasicAuth` and `basicAuth` are both [`AuthKind::Basic`]).
    /// `None`: no document declares security for it, so any configured
    /// auth is sent.
    pub schemes: Option<Vec<AuthScheme>>,
    /// It may be called without credentials (`security: []` or an empty
    /// alternative): a credential it does not accept is left out, not refused.
    pub anonymous: bool,
}

/// One accepted way to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthScheme {
    pub kind: AuthKind,
    /// The spec's scheme names of this kind (`basicAuth`, `SSO_BasicAuth`).
    pub names: Vec<String>,
}

/// How a credential is sent; the runtime's `AuthKind` has the same variants
/// (but for `Unsupported`, which no configured auth can satisfy).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AuthKind {
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// `Authorization: Bearer <token>` (JWT).
    Bearer,
    /// `Authorization: Api-Key <key>` (an apiKey scheme with prefix `Api-Key`).
    ApiKey,
    /// `Authorization: Token <key>` (an apiKey scheme with prefix `Token`).
    Token,
    /// A scheme this client cannot send (OAuth2, an API key in a query or
    /// cookie, an `Authorization` key without a declared prefix), described.
    Unsupported(String),
    /// An alternative that needs several schemes at once (one
    /// `Authorization` header cannot carry them).
    Combined(Vec<String>),
}

/// What the spec decides about an operation (`x-ottu-*`, see
/// [`crate::spec::Policy`]), with HTTP semantics where it decides nothing:
/// the generated operation carries it, the runtime obeys it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationPolicy {
    /// When it may be sent again after a transient failure.
    pub retry: Retry,
    /// The header carrying the idempotency key (`Some` only when `retry` is
    /// [`Retry::IdempotencyKey`]; `Tracking-Key` unless the spec names one).
    pub idempotency_header: Option<String>,
    /// A call can move money (charge, refund, capture, void).
    pub moves_money: bool,
    /// It changes nothing on the server.
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// Index into `params`.
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub wire: String,
    pub location: ParamLocation,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
    pub checks: Checks,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// JSON: the body; multipart: its text fields (file fields left out).
    pub ty: Ty,
    pub required: bool,
    pub content_type: String,
    pub encoding: BodyEncoding,
}

/// How the request body is sent. JSON whenever the operation accepts it
/// (Ottu's operations accept JSON, form and multipart alike); multipart
/// only when it is the one way (an upload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyEncoding {
    Json,
    /// `multipart/form-data`: every field of `ty` a text part, each file a
    /// streamed part with its file name and content type.
    Multipart {
        files: Vec<FileField>,
    },
}

/// A file part of a multipart body (a `format: binary` string property, or
/// one with `contentMediaType`): a method argument of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileField {
    /// Rust argument name.
    pub name: String,
    /// Part name on the wire.
    pub wire: String,
    pub required: bool,
    pub doc: Option<String>,
}

/// Which statuses a response stands for: parsed once, in `spec`.
pub use crate::spec::Status as StatusMatch;

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// Each documented 2xx status (or the `2XX` range) and its body type
    /// (`None`: no body). When an operation documents no success at all,
    /// its `default` response stands for `2XX` here.
    pub statuses: Vec<(StatusMatch, Option<Ty>)>,
    /// Statuses whose result is not JSON (their type in `statuses` is
    /// `None`): a file, or a documented redirect.
    pub raw: Vec<(StatusMatch, RawSuccess)>,
    /// `Some(name)`: the 2xx bodies differ, so the method returns an enum
    /// with one variant per status; `None`: the one type (or `()`).
    pub enum_name: Option<String>,
}

impl Success {
    /// The return type when all 2xx statuses share it.
    pub fn single(&self) -> Option<&Ty> {
        self.statuses.iter().find_map(|(_, t)| t.as_ref())
    }

    /// What a status returns when it is not JSON.
    pub fn raw_of(&self, status: StatusMatch) -> Option<RawSuccess> {
        self.raw.iter().find(|(s, _)| *s == status).map(|(_, r)| *r)
    }
}

/// A successful result that is not decoded from JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawSuccess {
    /// A file: the body kept unread (the runtime's `Download`: bytes or a
    /// stream, with its content type). Any non-JSON content, or a `format:
    /// binary` string under any media type (upstream writes
    /// `application/json` over a CSV file).
    File,
    /// A documented 3xx: its `Location`, never followed (the runtime's `Redirect`).
    Redirect,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCase {
    /// A status code (a unit or tuple variant) or a range / `default` (a
    /// variant that also carries the actual status).
    pub status: StatusMatch,
    pub variant: String,
    pub ty: Option<Ty>,
    pub doc: Option<String>,
}

/// Builds the [`Api`] for a loaded spec.
pub fn model(spec: &Spec) -> Api {
    let mut b = types::Builder::new(spec);
    b.components();
    let operations = ops::operations(&mut b);
    let mut types = b.finish(&operations);
    let webhook = spec
        .webhook_payload()
        .map(|name| crate::pointer::push("/components/schemas", name));
    groups::assign(&mut types, &operations, webhook.as_deref());
    Api {
        groups: groups::of(&operations),
        sources: spec
            .sources()
            .iter()
            .map(|s| s.file.display().to_string())
            .collect(),
        webhook_payload: spec.webhook_payload().and_then(|name| {
            let at = crate::pointer::push("/components/schemas", name);
            types
                .iter()
                .find(|t| t.pointer == at && !t.request)
                .map(|t| t.name.clone())
        }),
        secret_fields: spec
            .secret_fields()
            .into_iter()
            .map(str::to_string)
            .collect(),
        types,
        operations,
    }
}

/// Spec prose for rustdoc: the description, else the title.
pub(crate) fn doc_of(schema: &Value) -> Option<String> {
    let d = schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let t = schema
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    d.or(t).map(str::to_string)
}

/// `* \`knet\` - Knet` lines of an enum description: value -> label.
pub(crate) fn enum_labels(description: Option<&str>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in description.unwrap_or_default().lines() {
        let Some(rest) = line.trim().strip_prefix("* `") else {
            continue;
        };
        if let Some((value, label)) = rest.split_once("` - ") {
            out.insert(value.to_string(), label.trim().to_string());
        }
    }
    out
}
