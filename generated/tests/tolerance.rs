//! Property test of the client's tolerance: for every response type,
//! schema-valid bodies (`codegen::sample`, seeded) drifted the ways Ottu's
//! traffic drifts (unknown fields added, optional fields removed, unknown
//! enum values, numbers sent as strings; each at random places, guided by
//! the schema) decode, and re-encode without losing anything the body
//! said: unknown fields and values come back as sent, a stringified
//! number comes back as that number.

use codegen::sample::{SplitMix64, flatten, instance};
use ottu_client::types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Bodies per type (about 20 types; the whole test runs in well under a
/// second in a debug build).
const SEEDS: u64 = 96;

/// Equal in meaning: numbers by value, a stringified number and the
/// number it was read as are one (the client reads `"30"` as 30).
fn same(sent: &Value, back: &Value) -> bool {
    match (sent, back) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::Number(y)) => x.parse::<f64>().ok() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => sent == back,
    }
}

struct Drift<'a> {
    spec: &'a codegen::Spec,
    rng: SplitMix64,
    /// What was done, for the failure message.
    log: Vec<String>,
}

impl Drift<'_> {
    /// The object schema an instance object stands for (a `oneOf`
    /// branch: the one whose properties it fits).
    fn object_schema(&self, schema: &Value, obj: &Map<String, Value>) -> Option<Value> {
        let s = flatten(self.spec, schema, 0);
        if s.get("properties").is_some() {
            return Some(s);
        }
        for key in ["oneOf", "anyOf"] {
            for branch in s.get(key).and_then(Value::as_array).into_iter().flatten() {
                let b = flatten(self.spec, branch, 0);
                let props = b.get("properties").and_then(Value::as_object);
                let required = b.get("required").and_then(Value::as_array);
                let fits = props.is_some_and(|p| obj.keys().all(|k| p.contains_key(k)))
                    && required.is_none_or(|r| {
                        r.iter()
                            .filter_map(Value::as_str)
                            .all(|k| obj.contains_key(k))
                    });
                if fits {
                    return Some(b);
                }
            }
        }
        None
    }

    fn items_schema(&self, schema: &Value) -> Option<Value> {
        flatten(self.spec, schema, 0).get("items").cloned()
    }

    fn drift(&mut self, v: &mut Value, schema: &Value, at: &str) {
        match v {
            Value::Object(obj) => self.object(obj, schema, at),
            Value::Array(items) => {
                if let Some(item) = self.items_schema(schema) {
                    for (i, x) in items.iter_mut().enumerate() {
                        self.drift(x, &item, &format!("{at}/{i}"));
                    }
                }
            }
            _ => {}
        }
    }

    fn object(&mut self, obj: &mut Map<String, Value>, schema: &Value, at: &str) {
        let Some(s) = self.object_schema(schema, obj) else {
            return;
        };
        let props = s["properties"].as_object().cloned().unwrap_or_default();
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let keys: Vec<String> = obj.keys().cloned().collect();
        for k in keys {
            let Some(prop) = props.get(&k) else { continue };
            let p = flatten(self.spec, prop, 0);
            if !required.contains(&k.as_str()) && self.rng.chance(20) {
                obj.remove(&k);
                self.log.push(format!("removed optional {at}/{k}"));
                continue;
            }
            let value = obj.get_mut(&k).expect("listed");
            let is_string_enum = p
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(Value::is_string));
            if is_string_enum && value.is_string() && self.rng.chance(30) {
                *value = json!("value_ottu_added_later");
                self.log.push(format!("unknown enum value at {at}/{k}"));
            } else if value.is_number() && self.rng.chance(30) {
                *value = Value::String(value.to_string());
                self.log.push(format!("stringified number at {at}/{k}"));
            } else {
                self.drift(value, prop, &format!("{at}/{k}"));
            }
        }
        // Unknown fields only where the schema leaves properties open
        // (an `additionalProperties` schema makes every key a known one).
        let open = matches!(
            s.get("additionalProperties"),
            None | Some(Value::Bool(true))
        );
        if open && self.rng.chance(40) {
            let n = self.rng.below(1000);
            let extra = match self.rng.below(4) {
                0 => json!("extra text"),
                1 => json!(12.345),
                2 => json!({"nested": [1, "two", null]}),
                _ => json!([true, {"k": "v"}]),
            };
            obj.insert(format!("zz_unknown_{n}"), extra);
            self.log.push(format!("added unknown {at}/zz_unknown_{n}"));
        }
    }
}

/// Checks one response type against drifted samples of its schema;
/// returns how many bodies actually drifted.
fn check<T: DeserializeOwned + Serialize>(
    spec: &codegen::Spec,
    name: &str,
    schema: &Value,
) -> usize {
    let mut drifted = 0;
    for seed in 0..SEEDS {
        let mut body = instance(spec, schema, seed);
        let mut d = Drift {
            spec,
            rng: SplitMix64(seed ^ 0x5eed),
            log: Vec::new(),
        };
        d.drift(&mut body, schema, "");
        drifted += usize::from(!d.log.is_empty());
        let decoded: T = serde_json::from_value(body.clone()).unwrap_or_else(|e| {
            panic!(
                "{name} seed {seed}: does not decode: {e}\n{:?}\n{body:#}",
                d.log
            )
        });
        let back = serde_json::to_value(&decoded).unwrap();
        assert!(
            same(&body, &back),
            "{name} seed {seed}: lost data\n{:?}\n sent: {body:#}\n back: {back:#}",
            d.log
        );
    }
    drifted
}

macro_rules! check_all {
    ($spec:expr; $($name:ident),* $(,)?) => {{
        let mut drifted = 0;
        $(
            let schema = json!({"$ref": concat!("#/components/schemas/", stringify!($name))});
            drifted += check::<$name>($spec, stringify!($name), &schema);
        )*
        drifted
    }};
}

#[test]
fn drifted_response_bodies_decode_and_keep_what_they_said() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let spec = codegen::load(
        &[root.join("specs")],
        &codegen::LoadOptions { overlays: true },
    )
    .unwrap();
    // Every type a response or webhook can hold.
    let drifted = check_all!(&spec;
        SchemaWebhook, Card, Agreement, AgreementSeller, AmountDetails, CardAcceptanceCriteria,
        InitiatorUser, ChildPayment, PGParams, DirectGooglePaymentSuccess, IFrame3DSResponse,
        Redirect3DSResponse, DirectApplePaymentErrors, OperationErrorResponse, GenericErrorMessage,
    );
    // The card list as get_user_cards returns it.
    let list = json!({"type": "array", "items": {"$ref": "#/components/schemas/Card"}});
    let drifted = drifted + check::<Vec<Card>>(&spec, "Vec<Card>", &list);
    // The property is only as good as the drift it sees.
    assert!(
        drifted > 15 * SEEDS as usize / 2,
        "only {drifted} bodies drifted"
    );
}

/// The same drift on every documented JSON response of every operation,
/// judged by the client's own `decode_response` (the methods' status
/// order, the type each status decodes into): nothing Ottu's traffic does
/// to a documented body makes the client refuse it. The list above checks
/// re-encoding type by type; this one cannot miss a type a response uses.
#[test]
fn every_documented_response_decodes_when_drifted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let spec = codegen::load(
        &[root.join("specs")],
        &codegen::LoadOptions { overlays: true },
    )
    .unwrap();
    let (mut judged, mut drifted, mut responses) = (0, 0, 0);
    for op in spec.operations() {
        let id = op.id_or_default();
        for r in op.responses() {
            let Some(status) = r.status.code() else {
                continue;
            };
            let Some(schema) = codegen::spec::json_of(&r.content).and_then(|m| m.schema) else {
                continue;
            };
            responses += 1;
            for seed in 0..24u64 {
                let mut body = instance(&spec, schema, seed);
                let mut d = Drift {
                    spec: &spec,
                    rng: SplitMix64(seed ^ 0x5eed),
                    log: Vec::new(),
                };
                d.drift(&mut body, schema, "");
                drifted += usize::from(!d.log.is_empty());
                let bytes = serde_json::to_vec(&body).unwrap();
                let verdict = ottu_client::decode_response(&id, status, &bytes)
                    .unwrap_or_else(|| panic!("{id} {status}: the client does not know it"));
                assert!(
                    matches!(verdict.outcome, ottu_client::Outcome::Decoded(_)),
                    "{id} {status} seed {seed}: {verdict}\n{:?}\n{body:#}",
                    d.log
                );
                judged += 1;
            }
        }
    }
    // 28 operations, most with four or more documented JSON bodies.
    assert!(responses >= 100, "only {responses} responses");
    assert!(
        drifted > judged / 2,
        "only {drifted} of {judged} bodies drifted"
    );
}
