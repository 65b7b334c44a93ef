//! The one-pass judge (`contract_tests::strict`) may only ever say "no
//! finding" when the two-pass judge (validator, then undeclared-key walk)
//! says so too. Checked on schema-valid samples and on mutations of them
//! (added keys, removed keys, changed types) for every response schema of
//! `specs/` and of the 26-path fixture, plus the cases where no strict copy
//! may exist.

use std::path::PathBuf;

use codegen::LoadOptions;
use contract_tests::Validators;
use contract_tests::validators::Compiled;
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load(paths: &[PathBuf], overlays: bool) -> Validators {
    let spec = codegen::load(paths, &LoadOptions { overlays }).expect("specs load");
    Validators::new(spec).expect("validators compile")
}

/// The two-pass answer: valid and no undeclared key.
fn clean(v: &Validators, c: &Compiled, body: &Value) -> bool {
    let mut undeclared = false;
    v.shapes
        .undocumented(c.shape, body, &mut |_| undeclared = true);
    c.validator().is_valid(body) && !undeclared
}

/// A small deterministic generator (no dependency for one test).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Pointers of every object and array node of `v`.
fn nodes(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            for (k, c) in m {
                nodes(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            out.push(at.clone());
            for (i, c) in a.iter().enumerate() {
                nodes(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// One mutation of `body`: add a key, remove a key, or replace a value by
/// another type.
fn mutate(body: &Value, rng: &mut Rng) -> Value {
    let mut out = body.clone();
    let mut at = Vec::new();
    nodes(&out, String::new(), &mut at);
    if at.is_empty() {
        // Nothing inside to mutate (a bare string, e.g. a file's bytes).
        return out;
    }
    let target = at[rng.below(at.len())].clone();
    let Some(node) = out.pointer_mut(&target) else {
        return out;
    };
    match (node, rng.below(3)) {
        (Value::Object(m), 0) => {
            m.insert("grown_field".into(), json!("new"));
        }
        (Value::Object(m), 1) if !m.is_empty() => {
            let k = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            m.remove(&k);
        }
        (Value::Object(m), _) if !m.is_empty() => {
            let k = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            let old = m[&k].clone();
            m[&k] = match old {
                Value::String(_) => json!(12),
                Value::Number(_) => json!("12"),
                Value::Bool(_) => json!(null),
                Value::Null => json!(true),
                _ => json!("x"),
            };
        }
        (Value::Array(a), _) => {
            if a.is_empty() || rng.below(2) == 0 {
                a.push(json!({"grown_field": 1}));
            } else {
                a.remove(0);
            }
        }
        _ => {}
    }
    out
}

#[test]
fn strict_accepts_only_what_the_two_pass_judge_finds_clean() {
    let sets = [
        (vec![root().join("specs")], true),
        (vec![root().join("specs")], false),
        (
            vec![root().join("codegen/tests/fixtures/whole-api/ottu-api-3.1.1.json")],
            true,
        ),
    ];
    let (mut strict_clean, mut two_pass_clean, mut with_strict, mut schemas) = (0, 0, 0, 0);
    for (paths, overlays) in sets {
        let v = load(&paths, overlays);
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for op in &v.operations {
            for resp in &op.responses {
                for (_, c) in &resp.content {
                    let Some(c) = c else { continue };
                    schemas += 1;
                    let Some(strict) = v.strict(c) else { continue };
                    with_strict += 1;
                    let schema = v.spec.document().pointer(&c.pointer).unwrap().clone();
                    for seed in 0..40u64 {
                        let sample = codegen::sample::instance(&v.spec, &schema, seed);
                        let mut bodies = vec![sample.clone()];
                        bodies.extend((0..6).map(|_| mutate(&sample, &mut rng)));
                        for body in bodies {
                            let fast = strict.is_valid(&body);
                            let slow = clean(&v, c, &body);
                            assert!(
                                !fast || slow,
                                "{} {}: strict accepts a body the two-pass judge does not\n{body}",
                                op.id,
                                resp.key
                            );
                            strict_clean += usize::from(fast);
                            two_pass_clean += usize::from(slow);
                        }
                    }
                }
            }
        }
    }
    // The fast path must actually be taken: most schemas have a strict copy,
    // and it accepts nearly every body the two-pass judge finds clean.
    assert!(
        with_strict * 10 >= schemas * 9,
        "{with_strict} of {schemas} schemas have a strict copy"
    );
    assert!(
        strict_clean * 100 >= two_pass_clean * 95,
        "strict accepts {strict_clean} of {two_pass_clean} clean bodies"
    );
}

#[test]
fn the_bodies_the_benchmark_measures_take_the_one_pass_path() {
    let v = load(&[root().join("specs")], true);
    for (op, status) in [
        ("auto_debit", 200),
        ("get_user_cards", 200),
        ("auto_debit", 400),
    ] {
        let entry = v.operation(op).unwrap().response(status).unwrap();
        let c = entry.content[0].1.as_ref().unwrap();
        assert!(v.strict(c).is_some(), "{op} {status} has no strict copy");
    }
    // Requests are only ever asked "valid?": no strict copy is built for them.
    let requests: Vec<_> = v.operations.iter().flat_map(|o| &o.request).collect();
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|r| v.strict(&r.compiled).is_none()));
}

/// A spec with one response schema, for the cases a strict copy must refuse.
fn single(schema: Value, dir: &tempdir::Dir) -> Validators {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {
            "operationId": "x",
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
        }}},
        "components": {"schemas": {
            "A": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "n": {"type": "integer"}}},
            "B": {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}, "n": {"type": "integer"}}}
        }}
    });
    let path = dir.path().join("spec.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    load(&[path], false)
}

fn compiled(v: &Validators) -> &Compiled {
    v.operation("x").unwrap().response(200).unwrap().content[0]
        .1
        .as_ref()
        .unwrap()
}

mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(std::path::PathBuf);

    impl Dir {
        pub fn new(tag: &str) -> Self {
            let p = std::env::temp_dir().join(format!("strict-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn no_strict_copy_where_narrowing_a_branch_could_turn_failure_into_success() {
    let dir = tempdir::Dir::new("refuse");
    // `oneOf` told apart by required properties only: `{"a": "x", "b": "y"}`
    // matches both open branches (invalid) and, with an undeclared key
    // allowed by neither, could match exactly one strict branch. Likewise
    // under `not`. So no strict copy there.
    let cases = [
        json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}),
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "not": {"$ref": "#/components/schemas/A"}}),
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "unevaluatedProperties": false}),
    ];
    for schema in cases {
        let v = single(schema.clone(), &dir);
        assert!(v.strict(compiled(&v)).is_none(), "{schema}");
        // The two-pass judge still answers.
        let findings = v.validate_value("x", 200, &json!({"a": "x"})).unwrap();
        assert!(
            findings
                .iter()
                .all(|f| f.pointer.is_empty() || f.pointer.starts_with('/')),
            "{findings:?}"
        );
    }
    // With a disjoint `oneOf` (distinct `type`) a strict copy is exact.
    let v = single(
        json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "string"}]}),
        &dir,
    );
    let c = compiled(&v);
    let strict = v.strict(c).expect("disjoint oneOf has a strict copy");
    assert!(strict.is_valid(&json!({"a": "x"})));
    assert!(!strict.is_valid(&json!({"a": "x", "grown": 1})));
    let findings = v
        .validate_value("x", 200, &json!({"a": "x", "grown": 1}))
        .unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].pointer, "/grown");
}

#[test]
fn over_strict_copies_only_cost_speed() {
    let dir = tempdir::Dir::new("allof");
    // `properties` beside an `allOf` that declares more: the strict copy
    // rejects a clean body, and the full path then finds nothing.
    let v = single(
        json!({"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"extra": {"type": "string"}}}),
        &dir,
    );
    let c = compiled(&v);
    let body = json!({"a": "x", "extra": "y"});
    assert!(v.strict(c).is_some_and(|s| !s.is_valid(&body)));
    let findings = v.validate_value("x", 200, &body).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
}
