//! State along Ottu's payment lifecycle, in memory: payment sessions by
//! `session_id` and saved cards by `customer_id`. Which operation does
//! what comes from the spec's policy (`x-ottu-lifecycle`, read through
//! `codegen::spec::Policy`), never from a path.
//!
//! - A session is implied by the first use of its `session_id`; once paid,
//!   paying it again answers the first result (nothing is charged twice).
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
use codegen::spec::{Action, Lifecycle};
use serde_json::{Value, json};

/// What a stateful operation needs of the route table.
#[derive(Debug)]
pub struct Role {
    pub lifecycle: Lifecycle,
    /// The documented success the state is written into (the webhook
    /// payload for a payment, the card list for a listing).
    pub success: Option<(u16, Value)>,
}

/// The request, as the handler parsed and validated it.
pub struct Call<'a> {
    pub body: Option<&'a Value>,
    pub path: &'a [(&'a str, String)],
    pub query: &'a [(String, String)],
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

/// A stateful answer, and whether it completed a payment (a webhook is due).
#[derive(Debug)]
pub struct Outcome {
    pub answer: Answer,
    /// The session a payment just completed (not a replay).
    pub paid: Option<String>,
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
struct Session {
    /// The first successful payment's answer, replayed to a repeat.
    paid: Option<Bytes>,
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
        let plain = |answer| Outcome { answer, paid: None };
        match role.lifecycle.action {
            Action::Pay => self.pay(role, call),
            Action::ListCards => self.list_cards(role, call).map(plain),
            Action::DeleteCard => self.delete_card(role, call).map(plain),
            Action::Checkout | Action::Inquiry | Action::Operate => None,
        }
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
                paid: None,
            });
        }
        let cap = self.cap;
        if let Some(first) = inner
            .sessions
            .entry_or(&session_id, cap, Session::default)
            .paid
            .clone()
        {
            return Some(Outcome {
                answer: (*status, Some(first)),
                paid: None,
            });
        }
        let mut paid = template.clone();
        let owner = token
            .as_ref()
            .and_then(|t| inner.owners.map.get(t).cloned());
        paid_outcome(
            &mut paid,
            &session_id,
            role.lifecycle.form_of_payment.as_deref(),
        );
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
        let bytes = Bytes::from(serde_json::to_vec(&paid).unwrap_or_default());
        inner
            .sessions
            .entry_or(&session_id, cap, Session::default)
            .paid = Some(bytes.clone());
        Some(Outcome {
            answer: (*status, Some(bytes)),
            paid: Some(session_id),
        })
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

fn field_error(field: &str, message: &str) -> Answer {
    (
        400,
        Some(Bytes::from(json!({ field: [message] }).to_string())),
    )
}
