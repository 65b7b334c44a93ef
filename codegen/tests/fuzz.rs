//! Fuzz targets for the spec loader (bolero). Under `cargo test` each runs
//! for a bounded time on random inputs (stable Rust, no coverage guidance);
//! `cargo xtask fuzz --seconds N` runs them longer. Inputs that ever broke
//! the loader live as regression cases in `tests/__fuzz__/<target>/crashes`
//! and are replayed by every run.
//!
//! The property: whatever the input, loading returns `Ok` or an error that
//! names a file; it never panics, hangs or recurses without bound.

use std::path::Path;

use codegen::load::{load_documents, read};
use serde_json::{Value, json};

/// A seed document every structured mutation starts from.
fn seed() -> Value {
    let text = include_str!("../../specs/google-pay.json");
    serde_json::from_str(text).unwrap()
}

#[test]
fn fuzz_load_arbitrary_bytes() {
    bolero::check!()
        .with_max_len(4096)
        .for_each(|bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            for name in ["f.json", "f.yaml"] {
                let path = Path::new(name);
                if let Ok(doc) = read::parse(path, &text)
                    && let Err(e) = load_documents(vec![(path.to_path_buf(), doc)], &[])
                {
                    assert!(!e.to_string().is_empty());
                }
            }
        });
}

/// Bytes drive a sequence of structural edits to a real spec: the loader
/// sees documents that are valid JSON and nearly valid OpenAPI, which is
/// where its deep logic ($ref, upgrade, merge) lives.
#[test]
fn fuzz_load_mutated_documents() {
    let base = seed();
    let pointers = pointers(&base);
    bolero::check!().with_max_len(256).for_each(|bytes: &[u8]| {
        let mut doc = base.clone();
        for chunk in bytes.chunks(3) {
            let [a, b, c] = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let target = &pointers[(usize::from(a) << 8 | usize::from(b)) % pointers.len()];
            mutate(&mut doc, target, c);
        }
        let _ = load_documents(vec![("m.json".into(), doc.clone())], &[]);
        // The edits may have replaced the root itself (found by this target).
        if let Some(root) = doc.as_object_mut() {
            root.insert("openapi".into(), json!("3.0.3"));
        }
        let _ = load_documents(vec![("m.json".into(), doc)], &[]);
    });
}

fn pointers(v: &Value) -> Vec<String> {
    let mut out = vec![String::new()];
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, c)| {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                walk(c, p, out);
            }),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, c)| {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                walk(c, p, out);
            }),
            _ => {}
        }
    }
    walk(v, String::new(), &mut out);
    out
}

fn mutate(doc: &mut Value, at: &str, op: u8) {
    let Some(node) = doc.pointer_mut(at) else {
        return;
    };
    *node = match op % 12 {
        0 => Value::Null,
        1 => json!("string"),
        2 => json!(-1),
        3 => json!([]),
        4 => json!({}),
        5 => json!({"$ref": "#/components/schemas/SchemaWebhook"}),
        6 => json!({"$ref": "#/components/schemas/Nope"}),
        7 => json!({"$ref": format!("#{at}")}),
        8 => json!({"type": ["string", "null"], "nullable": true, "exclusiveMinimum": true}),
        9 => json!({"allOf": [{"$ref": "#/components/schemas/Card"}], "oneOf": [{}, {}]}),
        10 => json!({"$ref": "../../etc/passwd"}),
        _ => json!({"$ref": "https://example.invalid/x.json"}),
    };
}

/// Regression (input `00 00 01`): the root replaced by a string must be a
/// load error, not a panic.
#[test]
fn root_replaced_by_a_scalar_is_an_error() {
    let e = load_documents(vec![("m.json".into(), json!("string"))], &[]).unwrap_err();
    assert!(e.to_string().starts_with("m.json#: "), "{e}");
}
