//! The loader and the linter on the vendored specs in `specs/`.

use std::path::{Path, PathBuf};

use codegen::lint::{self, Severity};
use codegen::{LoadOptions, load};

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

#[test]
fn loads_the_vendored_specs_into_one_model() {
    let spec = load(&[specs()], &LoadOptions::default()).unwrap();
    let mut ids: Vec<&str> = spec.operations().iter().filter_map(|o| o.id).collect();
    ids.sort();
    // Ottu's whole API: 28 operations; the per-product documents own five.
    assert_eq!(ids.len(), 28, "{ids:?}");
    ids.retain(|id| {
        spec.operation(id)
            .is_some_and(|o| !spec.origin(&o.pointer()).file.ends_with("Ottu_API.yaml"))
    });
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
    assert_eq!(spec.sources().len(), 5);
    // `Card` is defined identically by the four per-product documents and
    // differently by the whole API, which yields: one component, five origins.
    assert_eq!(spec.defined_in("/components/schemas/Card").len(), 5);
    // The overlay turned FieldErrors into a map of field -> what DRF says
    // about it (messages, or the nested field errors: recursive).
    let field_errors = spec
        .document()
        .pointer("/components/schemas/FieldErrors")
        .unwrap();
    assert!(field_errors.get("properties").is_none());
    assert_eq!(
        field_errors["additionalProperties"]["$ref"],
        "#/components/schemas/FieldError"
    );
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
    // The per-product documents' four 400 unions (the whole API has its own).
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.rule == "ambiguous-one-of" && !f.at.file.ends_with("Ottu_API.yaml"))
            .count(),
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
        .find(|f| {
            f.rule == "authorization-header-parameter" && !f.at.file.ends_with("Ottu_API.yaml")
        })
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

#[test]
fn every_operation_without_a_money_or_retry_decision_is_an_error_naming_it() {
    // As published, no operation of specs/ decides; the overlay decides all 28.
    let raw = load(&[specs()], &LoadOptions { overlays: false }).unwrap();
    let missing: Vec<_> = lint::lint(&raw)
        .into_iter()
        .filter(|f| f.rule == "missing-policy-decision")
        .collect();
    let mut named = Vec::new();
    for op in raw.operations() {
        let id = op.id.unwrap();
        let f = missing
            .iter()
            .find(|f| f.at.pointer == op.pointer())
            .unwrap_or_else(|| panic!("{id} not listed: {missing:#?}"));
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.at.file, raw.origin(&op.pointer()).file, "{f}");
        assert!(f.at.file.starts_with(specs()), "{f}");
        assert!(f.message.contains(&format!("`{id}`")), "{f}");
        assert!(
            f.message.contains("x-ottu-moves-money") && f.message.contains("x-ottu-retry"),
            "{f}"
        );
        named.push(id);
    }
    assert_eq!(missing.len(), 28, "{missing:#?}");
    assert_eq!(named.len(), 28);

    let decided = load(&[specs()], &LoadOptions::default()).unwrap();
    assert!(
        lint::lint(&decided)
            .iter()
            .all(|f| f.rule != "missing-policy-decision")
    );
}

#[test]
fn a_half_decided_operation_names_the_missing_decision_only() {
    let dir = std::env::temp_dir().join(format!("codegen-policy-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("api.yaml");
    std::fs::write(
        &file,
        r#"openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pay/:
    post:
      operationId: pay
      x-ottu-moves-money: true
      responses: {"200": {description: ok}}
  /refund/:
    post:
      operationId: refund
      x-ottu-retry: never
      responses: {"200": {description: ok}}
  /status/:
    get:
      operationId: status
      x-ottu-moves-money: false
      x-ottu-retry: safe
      responses: {"200": {description: ok}}
"#,
    )
    .unwrap();
    let spec = load(std::slice::from_ref(&file), &LoadOptions::default()).unwrap();
    let findings: Vec<_> = lint::lint(&spec)
        .into_iter()
        .filter(|f| f.rule == "missing-policy-decision")
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let pay = findings
        .iter()
        .find(|f| f.at.pointer == "/paths/~1pay~1/post")
        .unwrap();
    assert!(pay.at.file.ends_with("api.yaml"), "{pay}");
    assert!(
        pay.message.contains("`pay`") && pay.message.contains("no x-ottu-retry"),
        "{pay}"
    );
    assert!(!pay.message.contains("x-ottu-moves-money"), "{pay}");
    let refund = findings
        .iter()
        .find(|f| f.at.pointer == "/paths/~1refund~1/post")
        .unwrap();
    assert!(refund.message.contains("x-ottu-moves-money"), "{refund}");
    assert!(!refund.message.contains("x-ottu-retry"), "{refund}");
}

#[test]
fn card_data_stays_secret_without_the_policy_overlay() {
    // `--no-overlays` drops x-ottu-secret-fields; card tokens and numbers
    // must still be masked in Debug and in reports.
    let raw = load(&[specs()], &LoadOptions { overlays: false }).unwrap();
    let secret = raw.secret_fields();
    for name in ["token", "card_number", "cvv", "password", "api_key"] {
        assert!(secret.contains(&name), "{name} missing from {secret:?}");
    }
    // The overlay adds Ottu's own (wallet payment data) on top.
    assert!(!secret.contains(&"paymentData"));
    let overlaid = load(&[specs()], &LoadOptions::default()).unwrap();
    assert!(overlaid.secret_fields().contains(&"paymentData"));
}

/// The lifecycle the stateful mock follows is data (`x-ottu-lifecycle` in
/// `ottu-policy.yaml`): every operation that pays, creates, reads, updates
/// or operates on a session says which, and the operation endpoint has a
/// transition for every operation its request enum names, so an operation
/// Ottu adds fails here rather than falling back to a canned answer.
#[test]
fn the_lifecycle_covers_the_whole_api() {
    use codegen::spec::{Action, Effect};
    let spec = load(&[specs()], &LoadOptions::default()).unwrap();
    let action = |id: &str| {
        spec.operation(id)
            .and_then(|o| o.policy().lifecycle)
            .map(|l| l.action)
    };
    for (id, expected) in [
        ("create_payment_transaction_checkout", Action::Checkout),
        ("retrieve_payment_transaction_checkout", Action::Inquiry),
        ("full_update_payment_transaction_checkout", Action::Update),
        (
            "partial_update_payment_transaction_checkout",
            Action::Update,
        ),
        ("inquiry", Action::Inquiry),
        ("public_operations", Action::Operate),
        ("auto_debit", Action::Pay),
        ("auto_debit_2", Action::Pay),
        ("apple_direct_payment", Action::Pay),
        ("google_direct_payment", Action::Pay),
        ("wallet_native_payment", Action::Pay),
        ("cash_payment_acknowledgement", Action::Pay),
        ("cash_payment_acknowledgement_2", Action::Pay),
        ("get_user_cards", Action::ListCards),
        ("delete_user_cards", Action::DeleteCard),
    ] {
        assert_eq!(action(id), Some(expected), "{id}");
    }
    let operate = spec
        .operation("public_operations")
        .and_then(|o| o.policy().lifecycle)
        .unwrap();
    let field = operate.operation_field.as_deref().unwrap();
    let names = spec.document()["components"]["schemas"]["Operation"]["properties"][field]["enum"]
        .as_array()
        .unwrap();
    assert!(!names.is_empty());
    for name in names {
        let name = name.as_str().unwrap();
        assert!(
            operate.transition(name).is_some(),
            "no transition for {name}"
        );
    }
    let refund = operate.transition("refund").unwrap();
    assert_eq!(refund.effect, Some(Effect::Refund));
    assert_eq!(refund.from, ["paid"]);
    let void = operate.transition("void").unwrap();
    assert_eq!(
        (void.effect, void.from.as_slice()),
        (Some(Effect::Void), ["authorized".to_string()].as_slice())
    );
    // A payment is refused from an expired or cancelled session.
    let pay = spec
        .operation("auto_debit_2")
        .and_then(|o| o.policy().lifecycle)
        .unwrap();
    assert!(
        !pay.from.iter().any(|s| s == "expired" || s == "canceled"),
        "{:?}",
        pay.from
    );
}

/// A malformed `x-ottu-lifecycle` fails loading with its pointer, never ignored.
#[test]
fn a_malformed_lifecycle_is_refused_by_name() {
    let dir = std::env::temp_dir().join(format!("ottu-lifecycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("api.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /op/:\n    post:\n      operationId: op\n      x-ottu-lifecycle: {action: operate, operations: {refund: {from: paid, to: refunded}}}\n      responses: {'200': {description: ok}}\n",
    )
    .unwrap();
    let err = load(&[spec], &LoadOptions { overlays: false })
        .unwrap_err()
        .to_string();
    assert!(err.contains("x-ottu-lifecycle"), "{err}");
    assert!(err.contains("api.yaml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
