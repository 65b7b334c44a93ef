//! A response the mock pre-generates at startup, with its drifted
//! variants: what the route table holds and drift injection rewrites
//! (both use this module; it uses neither).

use bytes::Bytes;
use serde_json::Value;

use super::drifts::Drift;

/// A pre-generated response.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    /// Lower-case names `Prefer: example=` matches (`200`, `schemawebhook`, `redirect3dsresponse`).
    pub label: String,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub value: Option<Value>,
    /// The schema the body was generated from (the chosen union branch).
    pub schema: Option<Value>,
    /// `(drift name, drifted body, pointer it touched)`, see the `inject` module.
    pub drifted: Vec<(Drift, Bytes, String)>,
}
