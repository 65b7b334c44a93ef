//! Issue 5's "done when": the vendored specs against themselves, and
//! against `fixtures/diff/auto-debit-drift/` (made by its `make.py`).

use std::path::{Path, PathBuf};

use codegen::diff::{self, Change, Format, Semver, Severity};
use codegen::{LoadOptions, Spec, load};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec(path: &Path) -> Spec {
    load(&[path], &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(changes: &'a [Change], op: &str, rule: &str) -> &'a Change {
    changes
        .iter()
        .find(|c| c.rule == rule && c.operation.as_deref().is_some_and(|o| o.contains(op)))
        .unwrap_or_else(|| {
            panic!(
                "no {rule} in {op}:\n{}",
                diff::render(changes, Format::Text, Severity::Error)
            )
        })
}

#[test]
fn the_vendored_specs_against_themselves_report_nothing() {
    let specs = root().join("specs");
    let (old, new) = (spec(&specs), spec(&specs));
    assert_eq!(diff::diff(&old, &new), []);
    assert_eq!(
        diff::impact_summary(&old, &new),
        "ottu-client: no API changes\n"
    );
    assert_eq!(
        diff::render(&[], Format::Text, Severity::Error),
        "no changes\n"
    );
}

#[test]
fn the_drifted_auto_debit_directory_reports_each_change_with_its_severity() {
    let old = spec(&root().join("specs"));
    let new = spec(&root().join("codegen/tests/fixtures/diff/auto-debit-drift"));
    let changes = diff::diff(&old, &new);

    let c = find(&changes, "auto_debit", "response-property-removed");
    assert_eq!(c.severity, Severity::Error);
    assert_eq!(c.part.as_deref(), Some("response 200 application/json"));
    assert_eq!(
        c.at.pointer,
        "/components/schemas/SchemaWebhook/properties/fee"
    );
    assert!(
        c.at.file.ends_with("specs/apple-pay.json") || c.at.file.ends_with("specs/auto-debit.json"),
        "{}",
        c.at
    );

    let c = find(&changes, "auto_debit", "request-property-added-required");
    assert_eq!(c.severity, Severity::Error);
    assert_eq!(
        c.at.pointer,
        "/components/schemas/AutoDebit/properties/pg_code"
    );
    assert!(
        c.at.file.ends_with("auto-debit-drift/auto-debit.json"),
        "{}",
        c.at
    );
    // A required field is an argument of `AutoDebit::new`.
    assert_eq!(c.impact.semver, Semver::Major);
    assert_eq!(c.impact.items, ["AutoDebit::new()", "AutoDebit::pg_code"]);

    let c = find(&changes, "auto_debit", "response-property-type-changed");
    assert_eq!(c.severity, Severity::Error);
    assert_eq!(
        c.at.pointer,
        "/components/schemas/SchemaWebhook/properties/reference_number"
    );
    assert_eq!(
        (
            c.old.as_ref().unwrap().to_string(),
            c.new.as_ref().unwrap().to_string()
        ),
        (r#"["string"]"#.into(), r#"["integer"]"#.into())
    );

    let c = find(&changes, "auto_debit", "response-enum-value-added");
    assert_eq!(
        c.severity,
        Severity::Error,
        "breaks clients with closed enums"
    );
    assert_eq!(
        c.client_impact.as_deref(),
        Some("none (ottu-client keeps unknown enum values)")
    );
    assert_eq!(
        c.at.pointer,
        "/components/schemas/Card/properties/pg_name/enum"
    );
    assert_eq!(c.new, Some(serde_json::json!(["mashreq"])));
    // Generated enums are `#[non_exhaustive]`: a new variant breaks no
    // `match`, so cargo-semver-checks calls it minor.
    assert_eq!(c.impact.semver, Semver::Minor);
    assert_eq!(c.impact.items, ["CardPgName::Mashreq"]);

    // The request enum: the card operations take `type` in a body and a query.
    let c = find(&changes, "get_user_cards", "request-enum-value-removed");
    assert_eq!(c.severity, Severity::Error);
    assert_eq!(c.at.pointer, "/components/schemas/CardEnvironment/enum");
    assert_eq!(c.old, Some(serde_json::json!(["production"])));
    let c = find(&changes, "delete_user_cards", "request-enum-value-removed");
    assert_eq!(c.part.as_deref(), Some("parameter query type"));

    // Nothing else: every change is one of the five, wherever the shared
    // components are used.
    // The drift directory holds only the per-product documents: the 23
    // operations only Ottu's whole API (specs/Ottu_API.yaml) defines are
    // removed there, and counted below.
    let removed = changes
        .iter()
        .filter(|c| c.rule.id().as_ref() == "operation-removed")
        .count();
    assert_eq!(removed, 23, "{changes:#?}");
    // Their types go with them: one info listing the generated items.
    let items = changes
        .iter()
        .find(|c| c.rule == "generated-items-changed")
        .expect("the removed operations' types are listed");
    assert_eq!(items.severity, Severity::Info);
    assert!(items.message.contains("ApplePayNativePayment"), "{items}");
    // And the one scheme only the whole API declares.
    let scheme = changes
        .iter()
        .find(|c| c.rule == "security-scheme-removed")
        .expect("tokenAuth is gone with Ottu_API.yaml");
    assert!(scheme.message.contains("`tokenAuth`"), "{scheme}");
    let expected = [
        "operation-removed",
        "generated-items-changed",
        "security-scheme-removed",
        "response-property-removed",
        "request-property-added-required",
        "response-property-type-changed",
        "response-enum-value-added",
        "request-enum-value-removed",
    ];
    for c in &changes {
        assert!(expected.contains(&c.rule.id().as_ref()), "unexpected {c}");
    }
    assert!(diff::impact_summary(&old, &new).starts_with("ottu-client: major release needed"));
}

#[test]
fn the_whole_api_in_3_1_json_and_3_0_yaml_is_the_same_api() {
    let dir = root().join("codegen/tests/fixtures/whole-api");
    let (v31, v30) = (
        spec(&dir.join("ottu-api-3.1.1.json")),
        spec(&dir.join("ottu-api-3.0.3.yaml")),
    );
    assert_eq!(v31.operations().len(), v30.operations().len());
    let changes = diff::diff(&v31, &v30);
    assert_eq!(
        changes,
        [],
        "{}",
        diff::render(&changes, Format::Text, Severity::Error)
    );
    assert_eq!(diff::diff(&v30, &v31), []);
}

/// Issue 14's defect: removing `auto_debit`'s 200 was reported as an error
/// for HTTP clients and a patch release for ottu-client (the rule ids
/// impact matched were never emitted). The method's return type goes.
#[test]
fn removing_a_success_status_of_auto_debit_is_a_major_release() {
    let file = root().join("specs/auto-debit.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let responses = doc
        .pointer_mut("/paths/~1b~1pbl~1v2~1auto-debit~1/post/responses")
        .and_then(serde_json::Value::as_object_mut)
        .expect("auto_debit's responses");
    assert!(responses.remove("200").is_some());
    let dir = std::env::temp_dir().join(format!("codegen-diff-200-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let edited = dir.join("auto-debit.json");
    std::fs::write(&edited, doc.to_string()).unwrap();
    let (old, new) = (spec(&file), spec(&edited));
    let _ = std::fs::remove_dir_all(&dir);

    let changes = diff::diff(&old, &new);
    let rules: Vec<String> = changes.iter().map(|c| c.rule.id().into_owned()).collect();
    assert_eq!(rules, ["response-success-status-removed"], "{rules:?}");
    let c = &changes[0];
    assert_eq!(c.severity, Severity::Error);
    assert_eq!(c.impact.semver, Semver::Major);
    // The method's return type goes; with it the webhook payload is no
    // longer a response here, so it and the types it holds decode strictly
    // (model decides tolerance by use): their fields change too.
    // (It is the result of the request's `send`, and of `.await`.)
    let send = "requests.AutoDebitRequest::send()";
    assert!(
        c.impact.items.iter().any(|i| i == send),
        "{:?}",
        c.impact.items
    );
    for item in &c.impact.items {
        assert!(
            item == send || item.starts_with("SchemaWebhook::") || {
                let t = item.split("::").next().unwrap_or_default();
                [
                    "Agreement",
                    "AgreementSeller",
                    "AmountDetails",
                    "Card",
                    "CardAcceptanceCriteria",
                    "ChildPayment",
                    "InitiatorUser",
                    "PGParams",
                ]
                .contains(&t)
            },
            "{item}"
        );
    }
    let summary = diff::impact_summary(&old, &new);
    assert!(
        summary.starts_with("ottu-client: major release needed"),
        "{summary}"
    );
    assert!(!summary.contains("patch"), "{summary}");
}

/// `auto-debit.json` with `edit` applied to its document, against itself.
fn edited_auto_debit(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<Change> {
    let file = root().join("specs/auto-debit.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut doc);
    let dir = std::env::temp_dir().join(format!(
        "codegen-diff-edit-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let edited = dir.join("auto-debit.json");
    std::fs::write(&edited, doc.to_string()).unwrap();
    let (old, new) = (spec(&file), spec(&edited));
    let _ = std::fs::remove_dir_all(&dir);
    diff::diff(&old, &new)
}

fn add_property(doc: &mut serde_json::Value, schema: &str, name: &str, required: bool) {
    let s = doc
        .pointer_mut(&format!("/components/schemas/{schema}"))
        .unwrap_or_else(|| panic!("no {schema}"));
    s["properties"][name] = serde_json::json!({"type": "string"});
    if required {
        s["required"].as_array_mut().unwrap().push(name.into());
    }
}

/// Issue 16 item 4: what Ottu adds most often breaks no caller. Request
/// structs are `#[non_exhaustive]`, built with `new` and `with_` setters.
#[test]
fn an_optional_request_field_or_a_response_field_added_upstream_is_a_minor_release() {
    let changes = edited_auto_debit(|d| add_property(d, "AutoDebit", "customer_email", false));
    let c = find(&changes, "auto_debit", "request-property-added");
    assert_eq!(c.impact.semver, Semver::Minor, "{}", c.impact.why);
    assert_eq!(
        c.impact.items,
        [
            "AutoDebit::customer_email",
            "AutoDebit::with_customer_email()"
        ]
    );
    assert_eq!(
        changes.iter().map(|c| c.impact.semver).max(),
        Some(Semver::Minor),
        "{}",
        diff::render(&changes, Format::Text, Severity::Info)
    );

    let changes = edited_auto_debit(|d| add_property(d, "SchemaWebhook", "settlement_id", false));
    let c = find(&changes, "auto_debit", "response-property-added");
    assert_eq!(c.impact.semver, Semver::Minor, "{}", c.impact.why);
    assert!(
        changes.iter().all(|c| c.impact.semver <= Semver::Minor),
        "{}",
        diff::render(&changes, Format::Text, Severity::Info)
    );

    // Required stays required at compile time: `new` gains an argument.
    let changes = edited_auto_debit(|d| add_property(d, "AutoDebit", "customer_email", true));
    let c = find(&changes, "auto_debit", "request-property-added-required");
    assert_eq!(c.impact.semver, Semver::Major);
    assert!(
        c.impact.why.contains("AutoDebit::new()"),
        "{}",
        c.impact.why
    );
}
