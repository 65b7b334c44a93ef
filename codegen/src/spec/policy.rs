//! Ottu policy, read from the `x-ottu-*` extensions that
//! `specs/overlays/` add: which operations move money, which are safe to
//! retry, which only read, which fields are secret, which schema a webhook
//! delivers. The generic code (model, runtime, suite) asks here; none of it
//! holds an Ottu path or word.
//!
//! Operation extensions:
//! - `x-ottu-moves-money: bool`: a call can charge, refund, capture or
//!   void money (or save a card that later can).
//! - `x-ottu-retry: safe | idempotency-key | never`: `safe`, retried on
//!   transient failures; `idempotency-key`, retried only when the caller
//!   supplies the idempotency key (`x-ottu-idempotency-header`, default
//!   `Tracking-Key`) and it is reused on every attempt; `never`, sent once.
//! - `x-ottu-read-only: bool`: changes nothing on Ottu's side, so the live
//!   contract suite may call it by default.
//! - `x-ottu-lifecycle: {action: ..., form-of-payment: ..., from: [...], to: ...,
//!   operations: {...}}`: the part the operation plays in a payment's life
//!   ([`Action`]), the session states it is allowed from and the state it
//!   leaves, and for `operate` each operation's transition and money effect
//!   ([`Transition`]), so a stateful mock (and a workflow test) can follow a
//!   payment without knowing any path or Ottu word.
//! - `x-ottu-group: name`: the API group the operation belongs to
//!   (`checkout`, `payments`, `cards`, ...). Each group is a cargo feature
//!   of the generated crate, so a user compiles only the operations (and
//!   the types they reach) of the groups they enable. A spec without any
//!   group data generates no group features; once one operation has a
//!   group, `cargo xtask lint` names every operation without one.
//!
//! Document extensions (root):
//! - `x-ottu-secret-fields: [name, "Type.name", ...]`: never shown by
//!   `Debug`, masked in reports, on top of [`GENERIC_SECRET_FIELDS`].
//! - `x-ottu-webhook-payload: SchemaName`: the schema a webhook delivers.
//!
//! Schema extensions (on a property's schema):
//! - `x-ottu-pass-through: true`: the value is forwarded byte for byte as
//!   the caller received it (a wallet token a device signed); the client
//!   sends the original JSON and offers a typed view of it.
//!
//! A missing decision is not guessed from the path or the name: it falls
//! back to HTTP semantics (GET, HEAD and OPTIONS read and are retried;
//! everything else is sent once and treated as moving money), and
//! `cargo xtask lint` names the operation.

use serde_json::Value;

/// Field names that are secret in any payment API: credentials and card
/// data. They hold even when a spec is loaded without its overlays
/// (`--no-overlays`), so a report never shows a card token. Ottu's own
/// (wallet payment data, signatures) come from `x-ottu-secret-fields`.
pub const GENERIC_SECRET_FIELDS: &[&str] = &[
    "password",
    "secret",
    "api_key",
    "apikey",
    "authorization",
    "access_token",
    "refresh_token",
    "client_secret",
    "private_key",
    // Card data: a saved card's token charges the card.
    "token",
    "card_number",
    "cvv",
    "pan",
];

/// Header names that carry credentials: never a parameter of a generated
/// method, never logged.
pub fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n.contains("api-key")
        || n.contains("api_key")
        || n == "cookie"
}

/// Is this (property) schema marked `x-ottu-pass-through: true`: sent
/// exactly as received, never re-encoded?
pub fn is_pass_through(schema: &Value) -> bool {
    schema.get("x-ottu-pass-through") == Some(&Value::Bool(true))
}

/// When an operation may be sent again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retry {
    /// Retried on transient failures (it reads, or is idempotent by nature).
    Safe,
    /// Retried only with a caller-supplied idempotency key, reused on every attempt.
    IdempotencyKey,
    /// Sent once, whatever the retry policy says.
    Never,
}

impl Retry {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "safe" => Self::Safe,
            "idempotency-key" => Self::IdempotencyKey,
            "never" => Self::Never,
            _ => return None,
        })
    }

    /// The overlay's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::IdempotencyKey => "idempotency-key",
            Self::Never => "never",
        }
    }
}

/// What an operation does to a payment session or a customer's cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Creates a payment session (the checkout API).
    Checkout,
    /// Charges a session (`session_id` in the body): a wallet or a saved card.
    Pay,
    /// Returns a session's current state (retrieve, inquiry).
    Inquiry,
    /// Lists a customer's saved cards.
    ListCards,
    /// Deletes one saved card.
    DeleteCard,
    /// Moves money after a payment (`refund`, `capture`, `void`, ...).
    Operate,
    /// Changes a session's fields (amount, currency, webhook URL) before it is paid.
    Update,
}

impl Action {
    const ALL: [(&'static str, Action); 7] = [
        ("checkout", Self::Checkout),
        ("pay", Self::Pay),
        ("inquiry", Self::Inquiry),
        ("list-cards", Self::ListCards),
        ("delete-card", Self::DeleteCard),
        ("operate", Self::Operate),
        ("update", Self::Update),
    ];

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, a)| *a)
    }

    /// The overlay's spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("", |(n, _)| n)
    }
}

/// What an operation does to a session's money, beside moving its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Gives back up to what was paid and not yet refunded (partial refunds add up).
    Refund,
    /// Takes up to what was authorized.
    Capture,
    /// Releases what was authorized, before any capture.
    Void,
}

impl Effect {
    const ALL: [(&'static str, Effect); 3] = [
        ("refund", Self::Refund),
        ("capture", Self::Capture),
        ("void", Self::Void),
    ];

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, e)| *e)
    }
}

/// One `operate` operation (named by the request's operation field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Its name, as the request's operation field says it (`refund`).
    pub name: String,
    /// The session states it is allowed from.
    pub from: Vec<String>,
    /// The state it leaves (for a refund: once everything paid is refunded).
    pub to: String,
    /// What it does to the money (`None`: the state only).
    pub effect: Option<Effect>,
    /// `child-state`: the state of the transaction the operation records
    /// (a refund's own record reads `refunded` while the payment stays `paid`).
    pub child_state: Option<String>,
}

/// `x-ottu-lifecycle`: the operation's part in a payment's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub action: Action,
    /// `form-of-payment`: what a `pay` operation charges with, as Ottu
    /// names it in its answers (`apple_pay`, `google_pay`, `token_pay`).
    pub form_of_payment: Option<String>,
    /// `from`: the session states the action is allowed from (empty: any).
    pub from: Vec<String>,
    /// `to`: the state it leaves (a `checkout` creates, a `pay` pays).
    pub to: Option<String>,
    /// `operation-field`: the request field naming the operation (`operate`).
    pub operation_field: Option<String>,
    /// `operations`: each operation an `operate` action performs, in order.
    pub operations: Vec<Transition>,
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None => Some(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(_) => None,
    }
}

fn optional_string(v: Option<&Value>) -> Option<Option<String>> {
    match v {
        None => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

impl Transition {
    fn of(name: &str, v: &Value) -> Option<Self> {
        Some(Self {
            name: name.to_string(),
            from: strings(v.get("from"))?,
            to: v.get("to")?.as_str()?.to_string(),
            effect: match v.get("effect") {
                None => None,
                Some(e) => Some(Effect::parse(e.as_str()?)?),
            },
            child_state: optional_string(v.get("child-state"))?,
        })
    }
}

impl Lifecycle {
    fn of(v: &Value) -> Option<Self> {
        let operations = match v.get("operations") {
            None => Vec::new(),
            Some(Value::Object(o)) => o
                .iter()
                .map(|(k, t)| Transition::of(k, t))
                .collect::<Option<_>>()?,
            Some(_) => return None,
        };
        Some(Self {
            action: Action::parse(v.get("action")?.as_str()?)?,
            form_of_payment: optional_string(v.get("form-of-payment"))?,
            from: strings(v.get("from"))?,
            to: optional_string(v.get("to"))?,
            operation_field: optional_string(v.get("operation-field"))?,
            operations,
        })
    }

    /// The `operate` transition named `name`.
    pub fn transition(&self, name: &str) -> Option<&Transition> {
        self.operations.iter().find(|t| t.name == name)
    }
}

/// The policy one operation declares (`None`: not decided in the spec).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    pub moves_money: Option<bool>,
    pub retry: Option<Retry>,
    pub read_only: Option<bool>,
    /// The header that carries the idempotency key (`x-ottu-idempotency-header`).
    pub idempotency_header: Option<String>,
    /// Its part in a payment's life (`x-ottu-lifecycle`).
    pub lifecycle: Option<Lifecycle>,
    /// The API group, a cargo feature of the generated crate (`x-ottu-group`).
    pub group: Option<String>,
}

impl Policy {
    pub(crate) fn of(op: &Value) -> Self {
        let b = |k: &str| op.get(k).and_then(Value::as_bool);
        Self {
            moves_money: b("x-ottu-moves-money"),
            retry: op
                .get("x-ottu-retry")
                .and_then(Value::as_str)
                .and_then(Retry::parse),
            read_only: b("x-ottu-read-only"),
            idempotency_header: op
                .get("x-ottu-idempotency-header")
                .and_then(Value::as_str)
                .map(str::to_string),
            lifecycle: op.get("x-ottu-lifecycle").and_then(Lifecycle::of),
            group: op
                .get("x-ottu-group")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn reads_by_method(method: &str) -> bool {
        matches!(
            method.to_ascii_lowercase().as_str(),
            "get" | "head" | "options"
        )
    }

    /// The retry decision, falling back to HTTP semantics when the spec
    /// has none (reads are retried, everything else is sent once).
    pub fn retry_or_default(&self, method: &str) -> Retry {
        self.retry.unwrap_or(if Self::reads_by_method(method) {
            Retry::Safe
        } else {
            Retry::Never
        })
    }

    /// The header that carries the idempotency key (`Tracking-Key` unless
    /// `x-ottu-idempotency-header` names another).
    pub fn idempotency_header_or_default(&self) -> &str {
        self.idempotency_header.as_deref().unwrap_or("Tracking-Key")
    }

    /// Whether it moves money, assuming it does unless it only reads.
    pub fn moves_money_or_default(&self, method: &str) -> bool {
        self.moves_money.unwrap_or(!Self::reads_by_method(method))
    }

    /// Whether it only reads (GET, HEAD and OPTIONS unless declared).
    pub fn read_only_or_default(&self, method: &str) -> bool {
        self.read_only.unwrap_or(Self::reads_by_method(method))
    }

    /// The decisions `cargo xtask lint` wants and the spec lacks.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.moves_money.is_none() {
            out.push("x-ottu-moves-money");
        }
        if self.retry.is_none() {
            out.push("x-ottu-retry");
        }
        out
    }
}

/// Cargo features the generated crate has besides its API groups (its
/// `Cargo.toml`): a group may not take one of these names.
pub const RESERVED_FEATURES: &[&str] = &[
    "default",
    "all-groups",
    "tracing",
    "rustls",
    "rustls-ring",
    "native-tls",
];

/// A group name usable as a cargo feature (and in `cfg(feature = ...)`):
/// lower-case ASCII letters, digits and `-`, starting with a letter, and
/// not one of [`RESERVED_FEATURES`].
fn is_group_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !RESERVED_FEATURES.contains(&name)
}

/// An extension value that is present but not of the documented form:
/// the loader rejects it with its pointer rather than ignoring it.
pub(crate) fn check_operation(op: &Value) -> Result<(), (&'static str, String)> {
    for key in ["x-ottu-moves-money", "x-ottu-read-only"] {
        if let Some(v) = op.get(key)
            && !v.is_boolean()
        {
            return Err((key, format!("{key} must be true or false, found {v}")));
        }
    }
    if let Some(v) = op.get("x-ottu-retry")
        && v.as_str().and_then(Retry::parse).is_none()
    {
        return Err((
            "x-ottu-retry",
            format!("x-ottu-retry must be safe, idempotency-key or never, found {v}"),
        ));
    }
    if let Some(v) = op.get("x-ottu-lifecycle")
        && Lifecycle::of(v).is_none()
    {
        let actions: Vec<&str> = Action::ALL.iter().map(|(n, _)| *n).collect();
        return Err((
            "x-ottu-lifecycle",
            format!(
                "x-ottu-lifecycle must be {{action: {}}} (optionally form-of-payment, to, operation-field: strings; from: a list of states; operations: {{name: {{from: [..], to: state, effect: refund | capture | void, child-state: state}}}}), found {v}",
                actions.join(" | ")
            ),
        ));
    }
    if let Some(v) = op.get("x-ottu-group")
        && !v.as_str().is_some_and(is_group_name)
    {
        return Err((
            "x-ottu-group",
            format!(
                "x-ottu-group must be a cargo feature name (lower-case letters, digits, `-`; not {}), found {v}",
                RESERVED_FEATURES.join(", ")
            ),
        ));
    }
    if let Some(v) = op.get("x-ottu-idempotency-header")
        && !v.is_string()
    {
        return Err((
            "x-ottu-idempotency-header",
            format!("x-ottu-idempotency-header must be a header name, found {v}"),
        ));
    }
    Ok(())
}
