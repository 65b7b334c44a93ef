//! Schema-valid, realistic sample instances, deterministic for a seed.
//!
//! The mock server answers with these, the contract suite's property tests
//! send them, and the generator's round-trip tests decode them. Values look
//! like Ottu's (amounts `"86.000"`, masked PANs, hex signatures), never
//! `"string"` placeholders, because a decoder or a validator that only ever
//! sees placeholders tests nothing about formats and lengths.
//!
//! Limits: `pattern` is honoured only for the patterns the specs use (a
//! value is chosen by property name and checked to be plain word
//! characters; hex colours and file-extension suffixes are drawn to fit); `oneOf` picks a branch at random, so for a union whose
//! branches overlap (the seeds' 400 errors) the result can match several
//! branches: callers that need strict `oneOf` validity re-draw with another seed.

use serde_json::{Map, Number, Value, json};

use crate::spec::Spec;

/// A schema-valid instance of `schema` (a schema of `spec`, `$ref`s allowed).
pub fn instance(spec: &Spec, schema: &Value, seed: u64) -> Value {
    Gen::new(spec, seed, false).value(schema, None, 0)
}

/// A schema-valid instance of `schema` as a server sends it: without the
/// `writeOnly` properties (a password, a flag only a request sets), which
/// OpenAPI says never appear in a response.
pub fn response(spec: &Spec, schema: &Value, seed: u64) -> Value {
    Gen::new(spec, seed, true).value(schema, None, 0)
}

/// A schema-valid instance of a value called `name` (a parameter or a
/// form field): the name picks a realistic value, as it does for properties.
pub fn named(spec: &Spec, schema: &Value, name: &str, seed: u64) -> Value {
    let mut g = Gen::new(spec, seed, false);
    g.value(schema, Some(name), 0)
}

/// A tiny deterministic PRNG (splitmix64): enough for sampling, no dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Objects nested deeper than this get only their required properties,
/// so recursive schemas terminate.
const MAX_DEPTH: usize = 8;

struct Gen<'a> {
    spec: &'a Spec,
    rng: SplitMix64,
    /// A response: `writeOnly` properties are left out.
    response: bool,
}

impl<'a> Gen<'a> {
    fn new(spec: &'a Spec, seed: u64, response: bool) -> Self {
        Self {
            spec,
            rng: SplitMix64(seed),
            response,
        }
    }
}

impl Gen<'_> {
    fn value(&mut self, schema: &Value, name: Option<&str>, depth: usize) -> Value {
        let schema = flatten(self.spec, schema, 0);
        let s = &schema;
        if let Some(c) = s.get("const") {
            return c.clone();
        }
        if let Some(Value::Array(values)) = s.get("enum")
            && !values.is_empty()
        {
            let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            let pool = if non_null.is_empty() {
                values.iter().collect()
            } else {
                non_null
            };
            return pool[self.rng.below(pool.len() as u64) as usize].clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(key)
                && !branches.is_empty()
            {
                let i = self.rng.below(branches.len() as u64) as usize;
                return self.value(&branches[i], name, depth + 1);
            }
        }
        match self.pick_type(s, name) {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.rng.chance(50)),
            "integer" => self.integer(s, name),
            "number" => self.number(s, name),
            "array" => self.array(s, name, depth),
            "object" => self.object(s, name, depth),
            _ => Value::String(self.string(s, name)),
        }
    }

    fn pick_type(&mut self, s: &Value, name: Option<&str>) -> &'static str {
        let declared: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let non_null: Vec<&str> = declared.iter().copied().filter(|t| *t != "null").collect();
        if declared.contains(&"null") && (non_null.is_empty() || self.rng.chance(15)) {
            return "null";
        }
        let choice = if non_null.is_empty() {
            // Untyped: infer from the other keywords, else a string.
            if s.get("properties").is_some()
                || s.get("additionalProperties").is_some()
                || s.get("required").is_some()
            {
                "object"
            } else if s.get("items").is_some() || name == Some("agreements") {
                "array"
            } else {
                "string"
            }
        } else {
            non_null[self.rng.below(non_null.len() as u64) as usize]
        };
        match choice {
            "boolean" => "boolean",
            "integer" => "integer",
            "number" => "number",
            "array" => "array",
            "object" => "object",
            _ => "string",
        }
    }

    fn integer(&mut self, s: &Value, name: Option<&str>) -> Value {
        let (lo, hi) = bounds(s, name);
        let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
        let v = if hi >= lo {
            lo + self.rng.below((hi - lo) as u64 + 1) as i64
        } else {
            lo
        };
        json!(v)
    }

    fn number(&mut self, s: &Value, name: Option<&str>) -> Value {
        let (lo, hi) = bounds(s, name);
        // Three decimals, like Ottu's amounts.
        let span = ((hi - lo) * 1000.0).max(0.0) as u64;
        let v = lo + self.rng.below(span + 1) as f64 / 1000.0;
        let v = (v * 1000.0).round() / 1000.0;
        Number::from_f64(v.clamp(lo, hi)).map_or(json!(0), Value::Number)
    }

    fn array(&mut self, s: &Value, name: Option<&str>, depth: usize) -> Value {
        let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = s.get("maxItems").and_then(Value::as_u64).unwrap_or(min + 3);
        let wanted = if depth >= MAX_DEPTH {
            min
        } else {
            (min.max(1) + self.rng.below(3)).clamp(min, max.max(min))
        };
        let items = s.get("items").cloned().unwrap_or(json!({"type": "string"}));
        let item_name = name.map(singular);
        let mut out = Vec::new();
        for _ in 0..wanted {
            let v = self.value(&items, item_name.as_deref(), depth + 1);
            if s.get("uniqueItems") == Some(&Value::Bool(true)) && out.contains(&v) {
                continue;
            }
            out.push(v);
        }
        Value::Array(out)
    }

    fn object(&mut self, s: &Value, _name: Option<&str>, depth: usize) -> Value {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::new();
        if let Some(Value::Object(props)) = s.get("properties") {
            for (k, p) in props {
                if self.response
                    && self.spec.resolve(p).get("writeOnly") == Some(&Value::Bool(true))
                {
                    continue;
                }
                let include =
                    required.contains(&k.as_str()) || (depth < MAX_DEPTH && self.rng.chance(70));
                if include {
                    let v = self.value(p, Some(k), depth + 1);
                    out.insert(k.clone(), v);
                }
            }
        }
        // Required names not declared under `properties` still need a value.
        for k in &required {
            if !out.contains_key(*k) {
                let extra = match s.get("additionalProperties") {
                    Some(a @ Value::Object(_)) => a.clone(),
                    _ => json!({}),
                };
                let v = self.value(&extra, Some(k), depth + 1);
                out.insert((*k).to_string(), v);
            }
        }
        let has_props = s
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if let Some(extra @ Value::Object(_)) = s.get("additionalProperties")
            && !has_props
            && depth < MAX_DEPTH
        {
            // A map: DRF field errors, gateway responses.
            let keys = ["session_id", "payload", "pg_code", "customer_id", "token"];
            let n = 1 + self.rng.below(2) as usize;
            for k in keys.iter().skip(self.rng.below(3) as usize).take(n) {
                let v = self.value(extra, Some(k), depth + 1);
                out.insert((*k).to_string(), v);
            }
        }
        let min = s.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut i = 0;
        while out.len() < min {
            out.insert(format!("extra_{i}"), json!("value"));
            i += 1;
        }
        Value::Object(out)
    }

    fn string(&mut self, s: &Value, name: Option<&str>) -> String {
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        let name = name.unwrap_or("").to_ascii_lowercase();
        let v = match format {
            "date-time" => self.date_time(),
            "date" => self.date(),
            "time" => format!(
                "{:02}:{:02}:{:02}Z",
                self.rng.below(24),
                self.rng.below(60),
                self.rng.below(60)
            ),
            "email" | "idn-email" => self.email(),
            "uri" | "url" | "iri" => self.url(&name),
            "uuid" => self.uuid(),
            "decimal" => self.amount(),
            "ipv4" => format!(
                "10.{}.{}.{}",
                self.rng.below(256),
                self.rng.below(256),
                1 + self.rng.below(254)
            ),
            _ => self.by_name(&name),
        };
        let v = fit_length(v, s);
        match s.get("pattern").and_then(Value::as_str) {
            Some(p) => self.fit_pattern(v, p, s),
            None => v,
        }
    }

    /// The two pattern shapes Ottu's whole-API document uses beyond plain
    /// words: a hex colour (`^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$`) and a
    /// file-extension suffix (`(?:pdf|jpeg|png)$`). Anything else is left
    /// as drawn (see the module's limits).
    fn fit_pattern(&mut self, v: String, pattern: &str, s: &Value) -> String {
        if pattern.starts_with("^#") && pattern.contains("A-Fa-f0-9") {
            return format!("#{:06x}", self.rng.below(0x100_0000));
        }
        let suffix = pattern
            .strip_suffix(")$")
            .and_then(|p| p.strip_prefix("(?:").or_else(|| p.strip_prefix('(')));
        if let Some(alternatives) = suffix.filter(|a| {
            a.split('|')
                .all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric()))
        }) {
            let options: Vec<&str> = alternatives.split('|').collect();
            let ext = options[self.rng.below(options.len() as u64) as usize];
            let max = s
                .get("maxLength")
                .and_then(Value::as_u64)
                .map_or(usize::MAX, |m| m as usize);
            let room = max.saturating_sub(ext.len() + 1);
            let stem: String = v.chars().take(room).collect();
            return format!("{stem}.{ext}");
        }
        v
    }

    fn by_name(&mut self, name: &str) -> String {
        let n = name;
        if let Some(v) = self
            .money_by_name(n)
            .or_else(|| self.card_by_name(n))
            .or_else(|| self.person_by_name(n))
            .or_else(|| self.gateway_by_name(n))
            .or_else(|| self.place_by_name(n))
        {
            return v;
        }
        // A short, readable field-error style message for list items and anything else.
        if n.is_empty() {
            return ["This field is required.", "sample", "ok"][self.rng.below(3) as usize].into();
        }
        format!(
            "{}-{}",
            n.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
            self.rng.below(1000)
        )
    }

    /// Amounts (exact, three decimals), currencies and countries.
    fn money_by_name(&mut self, n: &str) -> Option<String> {
        if n.contains("amount")
            || n == "fee"
            || n == "total"
            || n.contains("rate")
            || n.ends_with("_price")
        {
            if n == "fee" {
                return Some("0.000".into());
            }
            return Some(self.amount());
        }
        if n.contains("currency") {
            return Some(
                ["KWD", "SAR", "AED", "BHD", "OMR", "USD"][self.rng.below(6) as usize].into(),
            );
        }
        if n.contains("country") {
            return Some(["KW", "SA", "AE", "BH", "OM"][self.rng.below(5) as usize].into());
        }
        None
    }

    /// Card data, hashes, session, transaction, customer and reference ids.
    fn card_by_name(&mut self, n: &str) -> Option<String> {
        if n == "number" || n.contains("card_number") || n == "pan" {
            let first = ["4111 11", "5123 45", "4000 00"][self.rng.below(3) as usize];
            return Some(format!("{first}** **** {:04}", self.rng.below(10_000)));
        }
        if n.contains("signature") || n.contains("hash") {
            return Some(self.hex(64));
        }
        if n == "session_id"
            || n.ends_with("transaction_id")
            || n == "transactionid"
            || n == "transactionidentifier"
        {
            return Some(self.hex(40));
        }
        if n.contains("token") {
            return Some(self.alnum(32));
        }
        if n == "customer_id" || n.ends_with("customer_id") {
            return Some(format!("cust-{:05}", self.rng.below(100_000)));
        }
        if n.contains("reference") || n == "order_no" || n.contains("track") || n == "ref" {
            return Some(format!(
                "{}{:06}",
                ["ORD", "REF", "TRK"][self.rng.below(3) as usize],
                self.rng.below(1_000_000)
            ));
        }
        if n == "expiry_month" || n.ends_with("expiry_month") {
            return Some(format!("{:02}", 1 + self.rng.below(12)));
        }
        if n == "expiry_year" || n.ends_with("expiry_year") {
            return Some(format!("{:02}", 26 + self.rng.below(8)));
        }
        if n == "brand" || n == "network" || n == "card_type" {
            return Some(["VISA", "MASTERCARD", "AMEX", "MADA"][self.rng.below(4) as usize].into());
        }
        None
    }

    /// Names, phone, email and URLs.
    fn person_by_name(&mut self, n: &str) -> Option<String> {
        if n.contains("name_on_card")
            || n == "card_holder"
            || n == "displayname"
            || (n.ends_with("name") && n.contains("customer"))
        {
            return Some(
                ["Jane Doe", "Ali Hassan", "Sara Khan", "Omar Saleh"][self.rng.below(4) as usize]
                    .into(),
            );
        }
        if n == "first_name" {
            return Some(["Jane", "Ali", "Sara"][self.rng.below(3) as usize].into());
        }
        if n == "last_name" {
            return Some(["Doe", "Hassan", "Khan"][self.rng.below(3) as usize].into());
        }
        if n == "username" {
            return Some(format!("user.{}", self.rng.below(10_000)));
        }
        if n.contains("phone") {
            return Some(format!("+9655{:07}", self.rng.below(10_000_000)));
        }
        if n.contains("email") {
            return Some(self.email());
        }
        if n.contains("url") {
            return Some(self.url(n));
        }
        None
    }

    /// What gateways and Ottu answer: 3DS HTML, gateway codes, states, messages.
    fn gateway_by_name(&mut self, n: &str) -> Option<String> {
        if n == "html" {
            return Some("<html><body><form id=\"3ds\" action=\"https://acs.example.com/challenge\" method=\"post\"></form></body></html>".into());
        }
        if n == "pg_code" || n == "pg_codes" || n == "gateway_account" {
            return Some(
                ["credit-card", "knet", "mpgs-test", "apple-pay"][self.rng.below(4) as usize]
                    .into(),
            );
        }
        if n == "gateway_name" || n == "pg_name" {
            return Some(
                ["mpgs", "knet", "cybersource", "checkoutcom"][self.rng.below(4) as usize].into(),
            );
        }
        if n == "state" {
            return Some(
                ["paid", "pending", "authorized", "failed"][self.rng.below(4) as usize].into(),
            );
        }
        if n == "message" || n == "pg_message" {
            return Some(
                [
                    "Payment processed successfully.",
                    "Transaction declined by issuer.",
                ][self.rng.below(2) as usize]
                    .into(),
            );
        }
        if n == "detail" {
            return Some(
                [
                    "Authentication credentials were not provided.",
                    "Not found.",
                    "Session is already paid.",
                ][self.rng.below(3) as usize]
                    .into(),
            );
        }
        if n == "status" {
            return Some("3DS".into());
        }
        if n == "method" {
            return Some("iframe".into());
        }
        if n == "version" {
            return Some("EC_v1".into());
        }
        None
    }

    /// Addresses, results, generic ids and dates.
    fn place_by_name(&mut self, n: &str) -> Option<String> {
        if n.contains("city") {
            return Some(["Kuwait City", "Riyadh", "Dubai"][self.rng.below(3) as usize].into());
        }
        if n.contains("postal") {
            return Some(format!("{:05}", self.rng.below(100_000)));
        }
        if n.contains("address") || n.contains("line") {
            return Some(format!(
                "Block {}, Street {}",
                1 + self.rng.below(12),
                1 + self.rng.below(40)
            ));
        }
        if n == "result" {
            return Some("success".into());
        }
        if n == "type" {
            return Some("CARD".into());
        }
        if n == "description" {
            return Some("Visa •••• 1111".into());
        }
        if n.ends_with("_id") || n == "id" || n == "rrn" || n.ends_with("_no") {
            return Some(format!("{}", 100_000 + self.rng.below(900_000)));
        }
        if n.contains("date") || n.contains("time") {
            return Some(self.date_time());
        }
        None
    }

    fn amount(&mut self) -> String {
        format!("{}.{:03}", 1 + self.rng.below(500), self.rng.below(1000))
    }

    fn date(&mut self) -> String {
        format!(
            "20{:02}-{:02}-{:02}",
            24 + self.rng.below(4),
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        )
    }

    fn date_time(&mut self) -> String {
        let d = self.date();
        format!(
            "{d}T{:02}:{:02}:{:02}Z",
            self.rng.below(24),
            self.rng.below(60),
            self.rng.below(60)
        )
    }

    fn email(&mut self) -> String {
        format!(
            "{}{}@example.com",
            ["jane", "ali", "sara", "omar"][self.rng.below(4) as usize],
            self.rng.below(1000)
        )
    }

    fn url(&mut self, name: &str) -> String {
        if name.starts_with("ws") {
            return format!("wss://sandbox.ottu.net/ws/{}", self.alnum(16));
        }
        format!(
            "https://sandbox.ottu.net/b/checkout/redirect/{}/",
            self.alnum(16)
        )
    }

    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.below(16) as usize]))
            .collect()
    }

    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(CHARS[self.rng.below(CHARS.len() as u64) as usize]))
            .collect()
    }
}

/// Numeric bounds from `minimum`/`maximum` (and their exclusive forms),
/// with a realistic default range.
fn bounds(s: &Value, name: Option<&str>) -> (f64, f64) {
    let f = |k: &str| s.get(k).and_then(Value::as_f64);
    let default_hi = if name.is_some_and(|n| n.contains("amount")) {
        500.0
    } else {
        1000.0
    };
    let lo = f("minimum")
        .or(f("exclusiveMinimum").map(|x| x + 1.0))
        .unwrap_or(0.0);
    let hi = f("maximum")
        .or(f("exclusiveMaximum").map(|x| x - 1.0))
        .unwrap_or(lo.max(0.0) + default_hi);
    (lo, hi.max(lo))
}

/// Trims or pads to `minLength..=maxLength` (counted in characters, as JSON Schema does).
fn fit_length(v: String, s: &Value) -> String {
    let max = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let mut v = match max {
        Some(m) if v.chars().count() > m => v.chars().take(m).collect(),
        _ => v,
    };
    while v.chars().count() < min {
        v.push('0');
    }
    v
}

fn singular(name: &str) -> String {
    name.strip_suffix('s').unwrap_or(name).to_string()
}

/// `schema` with `$ref` followed and `allOf` merged into one object, so
/// the generator sees every property and constraint in one place.
pub fn flatten(spec: &Spec, schema: &Value, depth: usize) -> Value {
    let schema = spec.resolve(schema);
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let Some(Value::Array(all)) = obj.get("allOf") else {
        return schema.clone();
    };
    if depth > 16 {
        return schema.clone();
    }
    let mut out: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| *k != "allOf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for part in all {
        let part = flatten(spec, part, depth + 1);
        let Some(part) = part.as_object() else {
            continue;
        };
        for (k, v) in part {
            match (k.as_str(), out.get_mut(k)) {
                ("properties", Some(Value::Object(mine))) => {
                    if let Value::Object(theirs) = v {
                        for (pk, pv) in theirs {
                            mine.entry(pk.clone()).or_insert_with(|| pv.clone());
                        }
                    }
                }
                ("required", Some(Value::Array(mine))) => {
                    if let Value::Array(theirs) = v {
                        for r in theirs {
                            if !mine.contains(r) {
                                mine.push(r.clone());
                            }
                        }
                    }
                }
                (_, Some(_)) => {}
                (_, None) => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(out)
}
