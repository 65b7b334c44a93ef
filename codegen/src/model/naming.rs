//! Every Rust name the generator emits is decided here, once.
//!
//! Type names keep the spec's capitalisation when it is already a valid
//! UpperCamelCase identifier (`IFrame3DSResponse` stays readable instead of
//! becoming `Iframe3dsresponse`); other names are split into words at
//! separators and case changes. Keywords are escaped as raw identifiers.

use std::collections::BTreeSet;

const STRICT_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];
/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Splits into words at non-alphanumerics and at lower->upper, letter<->digit
/// boundaries (`paymentMethodData` -> payment, Method, Data; `HTTPServer` ->
/// HTTP, Server).
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|c| !c.is_empty())
    {
        let chars: Vec<char> = chunk.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 {
                let prev = chars[i - 1];
                let next = chars.get(i + 1).copied();
                let boundary = (c.is_ascii_uppercase()
                    && (prev.is_ascii_lowercase() || prev.is_ascii_digit()))
                    || (c.is_ascii_uppercase()
                        && prev.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()));
                if boundary && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn is_camel_ident(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `UpperCamelCase` type or variant name.
pub fn type_name(s: &str) -> String {
    if is_camel_ident(s) {
        // Already idiomatic; only an all-capitals name is normalised.
        if s.chars().any(|c| c.is_ascii_lowercase()) || s.len() <= 1 {
            return s.to_string();
        }
    }
    let mut out = String::new();
    for w in words(s) {
        let all_caps = w.chars().all(|c| !c.is_ascii_lowercase());
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = cs.collect();
            out.push_str(&if all_caps {
                rest.to_ascii_lowercase()
            } else {
                rest
            });
        }
    }
    if out.is_empty() {
        out.push_str("Unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `snake_case` field, parameter or method name, without the `r#` escape
/// (see [`is_keyword`]).
pub fn snake(s: &str) -> String {
    let mut out = words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Needs `r#` to be used as an identifier.
pub fn is_keyword(s: &str) -> bool {
    STRICT_KEYWORDS.contains(&s)
}

/// Hands out unique names: a taken name gets `2`, `3`, ... appended.
/// Callers ask in a stable order, so the outcome is deterministic.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn claim(&mut self, wanted: &str, separator: &str) -> String {
        let mut name = wanted.to_string();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}{separator}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("IFrame3DSResponse"), "IFrame3DSResponse");
        assert_eq!(type_name("SSO_BasicAuth"), "SsoBasicAuth");
        assert_eq!(type_name("PGParams"), "PGParams");
        assert_eq!(type_name("card-environment"), "CardEnvironment");
        assert_eq!(type_name("3DS"), "V3Ds");
        assert_eq!(type_name("semi_monthly"), "SemiMonthly");
        assert_eq!(type_name("URL"), "Url");
    }

    #[test]
    fn snake_names() {
        assert_eq!(snake("paymentMethodData"), "payment_method_data");
        assert_eq!(snake("apiVersionMinor"), "api_version_minor");
        assert_eq!(snake("customer_address_line1"), "customer_address_line1");
        assert_eq!(snake("X-Request-ID"), "x_request_id");
        assert_eq!(snake("self"), "self_");
        assert!(is_keyword(&snake("type")));
    }
}
