//! The loader and the linter on the vendored specs in `specs/`.

use std::path::{Path, PathBuf};

use codegen::lint::{self, Severity};
use codegen::{LoadOptions, load};

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

#[test]
fn loads_the_four_vendored_specs_into_one_model() {
    let spec = load(&[specs()], &LoadOptions::default()).unwrap();
    let mut ids: Vec<&str> = spec.operations().iter().filter_map(|o| o.id).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "apple_direct_payment",
            "auto_debit",
            "delete_user_cards",
            "get_user_cards",
            "google_direct_payment"
        ]
    );
    assert_eq!(spec.sources().len(), 4);
    // `Card` is defined identically by all four documents: one component, four origins.
    assert_eq!(spec.defined_in("/components/schemas/Card").len(), 4);
    // The overlay turned FieldErrors into a map of field -> messages.
    let field_errors = spec
        .document()
        .pointer("/components/schemas/FieldErrors")
        .unwrap();
    assert!(field_errors.get("properties").is_none());
    assert_eq!(field_errors["additionalProperties"]["type"], "array");
    // ...and removed the key-carrying Authorization parameter.
    let auto = spec.operation("auto_debit").unwrap();
    assert!(auto.value["parameters"].as_array().unwrap().is_empty());
    assert!(
        !spec.document().to_string().contains("vSUmxsXx"),
        "no credential survives loading"
    );
    // Root security was pushed down, with the API key offered.
    assert!(
        auto.value["security"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.get("apiKeyAuth").is_some())
    );
}

#[test]
fn raw_seed_specs_lint_dirty_and_overlaid_specs_lint_clean() {
    let raw = load(&[specs()], &LoadOptions { overlays: false }).unwrap();
    let findings = lint::lint(&raw);
    let rules: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule)
        .collect();
    assert_eq!(
        rules.iter().filter(|r| **r == "ambiguous-one-of").count(),
        4,
        "{findings:#?}"
    );
    assert!(
        rules.contains(&"authorization-header-parameter"),
        "{findings:#?}"
    );
    assert!(rules.contains(&"credential-in-default"), "{findings:#?}");
    let auth = findings
        .iter()
        .find(|f| f.rule == "authorization-header-parameter")
        .unwrap();
    assert!(auth.at.file.ends_with("auto-debit.json"), "{auth}");
    assert_eq!(
        auth.at.pointer,
        "/paths/~1b~1pbl~1v2~1auto-debit~1/post/parameters/0"
    );
    assert!(
        findings.iter().all(|f| !f.to_string().contains("vSUmxsXx")),
        "a finding printed the key"
    );

    let fixed = load(&[specs()], &LoadOptions::default()).unwrap();
    let errors: Vec<_> = lint::lint(&fixed)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
