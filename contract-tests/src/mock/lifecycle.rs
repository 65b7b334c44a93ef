//! State along Ottu's payment lifecycle, in memory: payment sessions by
//! `session_id` and saved cards by `customer_id`. Which operation does
//! what comes from the spec's policy (`x-ottu-lifecycle`, read through
//! `codegen::spec::Policy`), never from a path.
//!
//! - A session is created by a checkout (with its amount, currency,
//!   webhook URL and other fields) or implied by the first use of its
//!   `session_id`; it is paid only from the states its pay operation's
//!   `from` names (an expired or cancelled one is refused); once paid,
//!   paying it again answers the first result (nothing is charged twice).
//! - Retrieve and inquiry answer its current state; an update changes it
//!   only before payment; operations (refund, capture, void, cancel, ...)
//!   move it as their `operations` entry says, under Ottu's money rules
//!   ([`Effect`]); a repeated idempotency key (`Tracking-Key`) answers the
//!   first result without acting again. Unknown sessions get the error
//!   the operation documents.
//! - A customer's cards are implied on first use (the documented sample
//!   list, owned by that customer); a card a payment saves is added; a
//!   deleted card leaves the list, and deleting it again, or deleting an
//!   unknown token, is a 404; a deleted card cannot pay.
//! - Bounded: past `cap` sessions (or customers) the oldest is forgotten.
//!   One mutex, held only to read or write a map entry.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;

use bytes::Bytes;
use codegen::spec::{Action, Effect, Lifecycle, Transition};
use serde_json::{Value, json};

use super::session::{Milli, Session, decimal, milli_of};

/// What a stateful operation needs of the route table.
#[derive(Debug)]
pub struct Role {
    pub lifecycle: Lifecycle,
    /// The documented success the state is written into (the webhook
    /// payload for a payment, the card list for a listing).
    pub success: Option<(u16, Value)>,
    /// Every documented 2xx answer (each branch of a union): an operation
    /// answers with the branch that fits it.
    pub successes: Vec<(u16, Value)>,
    /// Its success is the webhook payload (a payment's result), so an
    /// inquiry can answer with the payment's own result, brought up to date.
    pub payload: bool,
}

/// The request, as the handler parsed and validated it.
pub struct Call<'a> {
    pub body: Option<&'a Value>,
    pub path: &'a [(&'a str, String)],
    pub query: &'a [(String, String)],
    /// The idempotency key the operation's policy names (`Tracking-Key`).
    pub idempotency_key: Option<&'a str>,
    /// `X-Mock-Capture: manual`: the payment is only authorized (to be
    /// captured or voided later), as a gateway in authorize mode does.
    pub authorize_only: bool,
}

impl std::fmt::Debug for Call<'_> {
    /// Field names only: the body carries wallet data and card tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<&str> = self
            .body
            .and_then(Value::as_object)
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        f.debug_struct("Call")
            .field("body_fields", &fields)
            .finish_non_exhaustive()
    }
}

impl Call<'_> {
    fn field(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.body.and_then(|b| b.get(name)).and_then(Value::as_str) {
            return Some(v);
        }
        self.path
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| {
                self.query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            })
    }
}

/// An answer: status and JSON body (`None`: no body).
pub type Answer = (u16, Option<Bytes>);

/// A notification due: a payment or an operation just completed (not a replay).
#[derive(Debug)]
pub struct Notice {
    pub session_id: String,
    /// The session's own `webhook_url`, when its checkout gave one.
    pub url: Option<String>,
    pub body: Bytes,
}

/// A stateful answer, and the notification it makes due.
#[derive(Debug)]
pub struct Outcome {
    pub answer: Answer,
    pub notice: Option<Notice>,
}

/// Insertion-ordered map that forgets its oldest entries past a cap.
struct Bounded<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: Hash + Eq + Clone, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    fn remove(&mut self, key: &K) {
        if self.map.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }

    fn entry_or(&mut self, key: &K, cap: usize, make: impl FnOnce() -> V) -> &mut V {
        if !self.map.contains_key(key) {
            self.order.push_back(key.clone());
            self.map.insert(key.clone(), make());
            while self.map.len() > cap.max(1) {
                match self.order.pop_front() {
                    Some(old) => {
                        self.map.remove(&old);
                    }
                    None => break,
                }
            }
        }
        self.map.get_mut(key).expect("just inserted")
    }
}

#[derive(Default)]
struct Inner {
    sessions: Bounded<String, Session>,
    /// Each customer's saved cards, in the order they were saved.
    cards: Bounded<String, Vec<Value>>,
    /// Tokens deleted (bounded like the rest): they no longer pay.
    deleted: Bounded<String, ()>,
    /// Which customer a saved card token belongs to (the latest list that got it).
    owners: Bounded<String, String>,
    /// Each idempotency key's first answer.
    tracked: Bounded<String, Answer>,
    /// Sessions a checkout created so far (names the next one).
    created: u64,
}

/// Cards one customer keeps; a payment saving one more forgets the oldest.
const CARDS_PER_CUSTOMER: usize = 64;

/// The mock's memory of sessions and cards.
pub struct Ledger {
    cap: usize,
    /// The documented card list a customer starts with (empty when no
    /// operation lists cards).
    card_list: Value,
    /// Signs every payment result (`signature`), as the webhook is signed.
    webhook_key: String,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("cap", &self.cap).finish()
    }
}

const NOT_FOUND: &str = "Not found.";

impl Ledger {
    pub fn new(cap: usize, card_list: Value, webhook_key: String) -> Self {
        Self {
            cap,
            card_list,
            webhook_key,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Forgets every session and card.
    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }

    /// Sessions held now (at most the cap).
    pub fn sessions(&self) -> usize {
        self.lock().sessions.map.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding it cannot leave a map half-written (every
        // write is one insert or remove), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stateful answer, or `None` when the operation plays no part the
    /// mock follows (the canned answer then stands).
    pub fn answer(&self, role: &Role, call: &Call<'_>) -> Option<Outcome> {
        let plain = |answer| Outcome {
            answer,
            notice: None,
        };
        match role.lifecycle.action {
            Action::Pay => self.pay(role, call),
            Action::ListCards => self.list_cards(role, call).map(plain),
            Action::DeleteCard => self.delete_card(role, call).map(plain),
            Action::Checkout => self.checkout(role, call).map(plain),
            Action::Inquiry => self.inquiry(role, call).map(plain),
            Action::Update => self.update(role, call).map(plain),
            Action::Operate => self.operate(role, call),
        }
    }

    /// The session a call names: its `session_id`, else the session
    /// created with its `order_no`.
    fn session_of(inner: &Inner, call: &Call<'_>) -> Option<String> {
        if let Some(id) = call.field("session_id") {
            return Some(id.to_string());
        }
        let order = call.field("order_no")?;
        inner
            .sessions
            .map
            .iter()
            .find(|(_, s)| s.facts.get("order_no").and_then(Value::as_str) == Some(order))
            .map(|(id, _)| id.clone())
    }

    fn checkout(&self, role: &Role, call: &Call<'_>) -> Option<Answer> {
        // The branch that is a created session (it has a checkout URL), not a direct payment's result.
        let (status, template) = role
            .successes
            .iter()
            .find(|(_, v)| v.get("checkout_url").is_some())
            .or(role.success.as_ref())?;
        let mut inner = self.lock();
        inner.created += 1;
        let session_id = format!("mock-session-{:08}", inner.created);
        let mut session = Session::implied();
        session.learn(call.body);
        if let Some(to) = &role.lifecycle.to {
            session.state.clone_from(to);
        }
        let mut answer = template.clone();
        session.describe(&mut answer, &session_id);
        let cap = self.cap;
        *inner.sessions.entry_or(&session_id, cap, Session::implied) = session;
        Some((*status, Some(to_bytes(&answer))))
    }

    fn inquiry(&self, role: &Role, call: &Call<'_>) -> Option<Answer> {
        let (status, template) = role.success.as_ref()?;
        if call.field("session_id").is_none() && call.field("order_no").is_none() {
            // Nothing names a session: the documented failure, not a guess.
            return Some(failed(
                400,
                "Either session_id or order_no is required.",
                None,
            ));
        }
        let inner = self.lock();
        let Some(session_id) = Self::session_of(&inner, call) else {
            return Some(detail(404, NOT_FOUND));
        };
        let Some(session) = inner.sessions.map.get(&session_id) else {
            return Some(detail(404, NOT_FOUND));
        };
        // A payment's own result brought up to date, so an inquiry repeats
        // what the payment said (reference, gateway, card) beside today's state.
        let mut answer = match &session.payment {
            Some((_, paid)) if role.payload => paid.clone(),
            _ => template.clone(),
        };
        session.describe(&mut answer, &session_id);
        if answer.get("signature").is_some() {
            super::webhook::sign(&mut answer, &self.webhook_key);
        }
        Some((*status, Some(to_bytes(&answer))))
    }

    fn update(&self, role: &Role, call: &Call<'_>) -> Option<Answer> {
        let (status, template) = role.success.as_ref()?;
        let session_id = call.field("session_id")?.to_string();
        let mut inner = self.lock();
        let Some(session) = inner.sessions.map.get_mut(&session_id) else {
            return Some(detail(404, NOT_FOUND));
        };
        if !allowed(&role.lifecycle.from, &session.state) {
            return Some(detail(
                400,
                &format!(
                    "A {} session cannot be changed: only before it is paid.",
                    session.state
                ),
            ));
        }
        session.learn(call.body);
        let mut answer = template.clone();
        session.describe(&mut answer, &session_id);
        Some((*status, Some(to_bytes(&answer))))
    }

    fn pay(&self, role: &Role, call: &Call<'_>) -> Option<Outcome> {
        let session_id = call.field("session_id")?.to_string();
        let (status, template) = role.success.as_ref()?;
        let token = call.field("token").map(str::to_string);
        let mut inner = self.lock();
        if let Some(token) = &token
            && inner.deleted.map.contains_key(token)
        {
            return Some(Outcome {
                answer: field_error("token", "This card was deleted."),
                notice: None,
            });
        }
        let cap = self.cap;
        let session = inner.sessions.entry_or(&session_id, cap, Session::implied);
        if let Some((first, _)) = &session.payment {
            return Some(Outcome {
                answer: (*status, Some(first.clone())),
                notice: None,
            });
        }
        if !allowed(&role.lifecycle.from, &session.state) {
            return Some(Outcome {
                answer: failed(
                    400,
                    &format!("This session is {} and cannot be paid.", session.state),
                    None,
                ),
                notice: None,
            });
        }
        let mut paid = template.clone();
        paid_outcome(
            &mut paid,
            &session_id,
            role.lifecycle.form_of_payment.as_deref(),
        );
        // A session no checkout priced is charged the documented sample's amount.
        let amount = session
            .amount
            .or_else(|| paid.get("amount").and_then(milli_of))
            .unwrap_or(0);
        session.amount = Some(amount);
        if call.authorize_only {
            session.state = "authorized".into();
            session.authorized = amount;
        } else {
            session.state = role.lifecycle.to.clone().unwrap_or_else(|| "paid".into());
            session.paid = amount;
        }
        session.describe(&mut paid, &session_id);
        let url = session.webhook_url();
        let owner = token
            .as_ref()
            .and_then(|t| inner.owners.map.get(t).cloned());
        if let Some(Value::Object(card)) = paid.get_mut("token") {
            if let Some(t) = &token {
                card.insert("token".into(), json!(t));
            }
            if let Some(c) = &owner {
                card.insert("customer_id".into(), json!(c));
            }
        }
        if let (Some(c), Some(obj)) = (&owner, paid.as_object_mut())
            && obj.contains_key("customer_id")
        {
            obj.insert("customer_id".into(), json!(c));
        }
        // The card the payment used or saved is in its customer's list.
        if let Some(card) = paid.get("token").filter(|c| c.is_object()).cloned()
            && let Some(customer) = card.get("customer_id").and_then(Value::as_str)
        {
            let customer = customer.to_string();
            let list = self.cards_of(&mut inner, &customer, &self.card_list);
            let saved = card
                .get("token")
                .and_then(Value::as_str)
                .map(str::to_string);
            if !list.iter().any(|c| c.get("token") == card.get("token")) {
                list.push(card);
                if list.len() > CARDS_PER_CUSTOMER {
                    list.remove(0);
                }
            }
            if let Some(t) = saved {
                *inner.owners.entry_or(&t, cap, String::new) = customer;
            }
        }
        if paid.get("signature").is_some() {
            super::webhook::sign(&mut paid, &self.webhook_key);
        }
        let bytes = to_bytes(&paid);
        inner
            .sessions
            .entry_or(&session_id, cap, Session::implied)
            .payment = Some((bytes.clone(), paid));
        Some(Outcome {
            answer: (*status, Some(bytes.clone())),
            notice: Some(Notice {
                session_id,
                url,
                body: bytes,
            }),
        })
    }

    /// Refund, capture, void, cancel, expire, delete: as the operation's
    /// `operations` entry says, once per idempotency key.
    fn operate(&self, role: &Role, call: &Call<'_>) -> Option<Outcome> {
        let field = role.lifecycle.operation_field.as_deref()?;
        let transition = role.lifecycle.transition(call.field(field)?)?;
        let mut inner = self.lock();
        if let Some(key) = call.idempotency_key
            && let Some(first) = inner.tracked.map.get(key)
        {
            return Some(Outcome {
                answer: first.clone(),
                notice: None,
            });
        }
        let outcome = self.operate_once(&mut inner, role, transition, call);
        if let Some(key) = call.idempotency_key {
            let cap = self.cap;
            *inner.tracked.entry_or(&key.to_string(), cap, || (0, None)) = outcome.answer.clone();
        }
        Some(outcome)
    }

    fn operate_once(
        &self,
        inner: &mut Inner,
        role: &Role,
        t: &Transition,
        call: &Call<'_>,
    ) -> Outcome {
        let refuse = |message: &str| Outcome {
            answer: failed(400, message, Some(&t.name)),
            notice: None,
        };
        let Some(session_id) = Self::session_of(inner, call) else {
            return refuse("No transaction found for this session_id or order_no.");
        };
        let Some(session) = inner.sessions.map.get_mut(&session_id) else {
            return refuse("No transaction found for this session_id or order_no.");
        };
        if !allowed(&t.from, &session.state) {
            return refuse(&format!(
                "Cannot {} a transaction that is {}.",
                t.name, session.state
            ));
        }
        let asked = call.body.and_then(|b| b.get("amount")).and_then(milli_of);
        let moved = match t.effect {
            Some(Effect::Refund) => {
                let refundable = session.paid - session.refunded;
                let amount = asked.unwrap_or(refundable);
                if amount <= 0 || amount > refundable {
                    return refuse(&format!(
                        "The refund amount must be more than 0 and at most {} (paid and not yet refunded).",
                        decimal(refundable)
                    ));
                }
                session.refunded += amount;
                if session.refunded == session.paid {
                    session.state.clone_from(&t.to);
                }
                Some(amount)
            }
            Some(Effect::Capture) => {
                let amount = asked.unwrap_or(session.authorized);
                if amount <= 0 || amount > session.authorized {
                    return refuse(&format!(
                        "The capture amount must be more than 0 and at most {} (authorized).",
                        decimal(session.authorized)
                    ));
                }
                session.paid = amount;
                session.voided = session.authorized - amount;
                session.authorized = 0;
                session.state.clone_from(&t.to);
                Some(amount)
            }
            Some(Effect::Void) => {
                let amount = session.authorized;
                session.voided = amount;
                session.authorized = 0;
                session.state.clone_from(&t.to);
                Some(amount)
            }
            None => {
                session.state.clone_from(&t.to);
                None
            }
        };
        let snapshot = session.clone();
        if t.to == "deleted" && moved.is_none() {
            inner.sessions.remove(&session_id);
        }
        let answer = match moved {
            Some(amount) => role
                .successes
                .iter()
                .find(|(_, v)| v.get("txn").is_some())
                .map(|(status, template)| {
                    let body = self.operation_result(template, &snapshot, &session_id, t, amount);
                    (*status, body)
                }),
            None => role
                .successes
                .iter()
                .find(|(_, v)| v.get("txn").is_none() && v.get("detail").is_some())
                .map(|(status, template)| {
                    let mut v = template.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.insert(
                            "detail".into(),
                            json!(format!("The transaction is {}.", t.to)),
                        );
                        o.insert("operation".into(), json!(t.name));
                        o.insert("result".into(), json!("success"));
                    }
                    (*status, v)
                }),
        };
        let Some((status, body)) = answer else {
            return refuse("The operation has no documented answer.");
        };
        let bytes = to_bytes(&body);
        let notice = body.get("signature").is_some().then(|| Notice {
            session_id: session_id.clone(),
            url: snapshot.webhook_url(),
            body: bytes.clone(),
        });
        Outcome {
            answer: (status, Some(bytes)),
            notice,
        }
    }

    /// An operation's result (the operation notification's shape): its own
    /// amount, the session it moved, and a `txn` summary of that session now.
    fn operation_result(
        &self,
        template: &Value,
        session: &Session,
        session_id: &str,
        t: &Transition,
        amount: Milli,
    ) -> Value {
        let mut v = template.clone();
        // `txn` is the transaction the operation recorded: the session's
        // fields, the operation's own amount and state.
        if let Some(txn) = v.get_mut("txn") {
            session.describe(txn, session_id);
            if let Some(o) = txn.as_object_mut() {
                if o.contains_key("amount") {
                    o.insert("amount".into(), json!(decimal(amount)));
                }
                if let Some(state) = &t.child_state
                    && o.contains_key("state")
                {
                    o.insert("state".into(), json!(state));
                }
            }
        }
        if let Some(o) = v.as_object_mut() {
            o.insert("amount".into(), json!(decimal(amount)));
            o.insert("session_id".into(), json!(session_id));
            o.insert("operation".into(), json!(t.name));
            o.insert("result".into(), json!("success"));
            o.insert("success".into(), json!(true));
            o.insert("source".into(), json!("input"));
            if let Some(order) = session.facts.get("order_no").filter(|v| v.is_string()) {
                o.insert("order_no".into(), order.clone());
            }
        }
        approve_messages(&mut v);
        super::webhook::sign(&mut v, &self.webhook_key);
        v
    }

    fn list_cards(&self, role: &Role, call: &Call<'_>) -> Option<Answer> {
        let customer = call.field("customer_id")?.to_string();
        let (status, template) = role.success.as_ref()?;
        let pg_codes: Vec<&str> = call
            .body
            .and_then(|b| b.get("pg_codes"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let agreement = call.field("agreement_id");
        let mut inner = self.lock();
        let cards = self.cards_of(&mut inner, &customer, template);
        let mut listed: Vec<&Value> = cards
            .iter()
            .filter(|c| {
                pg_codes.is_empty()
                    || c.get("pg_code")
                        .and_then(Value::as_str)
                        .is_some_and(|p| pg_codes.contains(&p))
            })
            .collect();
        if agreement.is_some() {
            // At most one: the latest card used for the agreement.
            listed = listed.into_iter().last().into_iter().collect();
        }
        Some((
            *status,
            Some(Bytes::from(serde_json::to_vec(&listed).unwrap_or_default())),
        ))
    }

    fn delete_card(&self, role: &Role, call: &Call<'_>) -> Option<Answer> {
        let token = call.field("token")?.to_string();
        let customer = call.field("customer_id")?.to_string();
        let status = role.success.as_ref().map_or(204, |(s, _)| *s);
        let mut inner = self.lock();
        let cap = self.cap;
        let cards = self.cards_of(&mut inner, &customer, &self.card_list);
        let before = cards.len();
        cards.retain(|c| c.get("token").and_then(Value::as_str) != Some(token.as_str()));
        if cards.len() == before {
            return Some(detail(404, NOT_FOUND));
        }
        inner.deleted.entry_or(&token, cap, || ());
        Some((status, None))
    }
}

impl Ledger {
    /// The customer's cards, implied from `template` on first use (their
    /// tokens then name this customer as owner).
    fn cards_of<'a>(
        &self,
        inner: &'a mut Inner,
        customer: &str,
        template: &Value,
    ) -> &'a mut Vec<Value> {
        let key = customer.to_string();
        if !inner.cards.map.contains_key(&key) {
            let cards = implied_cards(template, customer);
            for t in cards
                .iter()
                .filter_map(|c| c.get("token").and_then(Value::as_str))
            {
                *inner.owners.entry_or(&t.to_string(), self.cap, String::new) = key.clone();
            }
            inner.cards.entry_or(&key, self.cap, || cards);
        }
        inner.cards.entry_or(&key, self.cap, Vec::new)
    }
}

/// The documented sample list, owned by `customer`.
fn implied_cards(template: &Value, customer: &str) -> Vec<Value> {
    let mut cards = template.as_array().cloned().unwrap_or_default();
    for c in &mut cards {
        if let Some(o) = c.as_object_mut() {
            o.insert("customer_id".into(), json!(customer));
        }
    }
    cards
}

/// A payment result that says one thing: paid in full, successfully, for
/// this session, by this form of payment (only fields the body has).
pub fn paid_outcome(v: &mut Value, session_id: &str, form_of_payment: Option<&str>) {
    let Some(o) = v.as_object_mut() else {
        return;
    };
    let amount = o.get("amount").and_then(Value::as_str).map(str::to_string);
    let number = amount
        .as_deref()
        .and_then(|a| serde_json::from_str::<Value>(a).ok())
        .filter(Value::is_number);
    let mut set = |k: &str, value: Value| {
        if let Some(slot) = o.get_mut(k) {
            *slot = value;
        }
    };
    set("session_id", json!(session_id));
    set("result", json!("success"));
    set("state", json!("paid"));
    if let Some(f) = form_of_payment {
        set("form_of_payment", json!(f));
    }
    if let Some(a) = &amount {
        set("paid_amount", json!(a));
    }
    if let Some(n) = &number {
        set("settled_amount", n.clone());
    }
    for zero in ["remaining_amount", "refunded_amount", "voided_amount"] {
        set(zero, json!(0));
    }
    approve_messages(v);
}

/// Every `message`-like text in a success says so (a generated sample can
/// otherwise read "declined" beside `result: success`).
fn approve_messages(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                if k.contains("message") && child.is_string() {
                    *child = json!("Transaction approved.");
                } else {
                    approve_messages(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(approve_messages),
        _ => {}
    }
}

fn detail(status: u16, message: &str) -> Answer {
    (
        status,
        Some(Bytes::from(json!({ "detail": message }).to_string())),
    )
}

/// Ottu's failed result (`OperationErrorResponse`, `OperationFailure`).
fn failed(status: u16, message: &str, operation: Option<&str>) -> Answer {
    let mut body = json!({ "detail": message, "result": "failed" });
    if let Some(op) = operation {
        body["operation"] = json!(op);
    }
    (status, Some(Bytes::from(body.to_string())))
}

/// Is `state` among `from` (an empty list allows any)?
fn allowed(from: &[String], state: &str) -> bool {
    from.is_empty() || from.iter().any(|s| s == state)
}

fn to_bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

fn field_error(field: &str, message: &str) -> Answer {
    (
        400,
        Some(Bytes::from(json!({ field: [message] }).to_string())),
    )
}
