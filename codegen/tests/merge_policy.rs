//! The declared merge policy for overlapping documents: a document marked
//! `x-ottu-merge: fallback` (by an overlay that `extends` it) yields to the
//! others, every disagreement is listed by `lint`, and what the policy
//! cannot settle is an error naming both files.

use std::path::{Path, PathBuf};

use codegen::lint::{Severity, lint};
use codegen::{LoadError, LoadOptions, load};
use serde_json::{Value, json};

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("codegen-merge-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("overlays")).unwrap();
    d
}

fn write(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// One operation at `POST /pay/` with id `id`, and a `Card` schema.
fn doc(id: &str, card_desc: &str, extra_path: Option<&str>) -> Value {
    let mut paths = json!({
        "/pay/": {"post": {
            "operationId": id,
            "parameters": [{"name": "Authorization", "in": "header",
                "schema": {"type": "string", "default": format!("Api-Key {id}SECRETabcdefghijklmnop")}}],
            "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Card"}}}}}
        }}
    });
    if let Some(p) = extra_path {
        paths[p] = json!({"get": {"operationId": format!("{id}_extra"),
            "responses": {"204": {"description": "none"}}}});
    }
    json!({
        "openapi": "3.1.1",
        "info": {"title": id, "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Card": {"type": "object", "description": card_desc,
            "properties": {"token": {"type": "string"}}}}}
    })
}

fn fallback_overlay(dir: &Path, target: &str) {
    std::fs::write(
        dir.join("overlays/merge.yaml"),
        format!(
            "overlay: 1.0.0\ninfo: {{title: merge, version: '1'}}\nextends: ../{target}\nactions:\n  - target: $\n    update:\n      x-ottu-merge: fallback\n"
        ),
    )
    .unwrap();
}

fn op_id(spec: &codegen::Spec) -> String {
    spec.document()
        .pointer("/paths/~1pay~1/post/operationId")
        .and_then(Value::as_str)
        .unwrap()
        .to_string()
}

#[test]
fn the_owner_wins_whichever_loads_first_and_every_difference_is_listed() {
    // "A-whole.json" sorts before "b-product.json": the fallback loads first.
    for (fallback_name, owner_name) in [
        ("A-whole.json", "b-product.json"),
        ("z-whole.json", "b-product.json"),
    ] {
        let dir = tmp(&fallback_name[..1]);
        write(&dir, owner_name, &doc("owner_pay", "owner card", None));
        write(
            &dir,
            fallback_name,
            &doc("whole_pay", "whole card", Some("/extra/")),
        );
        fallback_overlay(&dir, fallback_name);
        let spec = load(&[&dir], &LoadOptions::default()).expect("the policy settles it");

        assert_eq!(op_id(&spec), "owner_pay", "{fallback_name}");
        let card = spec
            .document()
            .pointer("/components/schemas/Card/description");
        assert_eq!(card, Some(&json!("owner card")));
        // What only the fallback defines is added.
        assert!(spec.operation("whole_pay_extra").is_some());
        // Origins name the owner first.
        assert!(
            spec.origin("/components/schemas/Card")
                .file
                .ends_with(owner_name)
        );

        let d = spec.disagreements();
        let at = |p: &str| {
            d.iter()
                .find(|x| x.owner.pointer == p)
                .unwrap_or_else(|| panic!("{p} in {d:?}"))
        };
        let id = at("/paths/~1pay~1/post/operationId");
        assert_eq!(id.owner_value, Some(json!("owner_pay")));
        assert_eq!(id.other_value, Some(json!("whole_pay")));
        assert!(id.owner.file.ends_with(owner_name) && id.other.file.ends_with(fallback_name));
        let desc = at("/components/schemas/Card/description");
        assert_eq!(desc.other_value, Some(json!("whole card")));

        let findings = lint(&spec);
        let listed: Vec<_> = findings
            .iter()
            .filter(|f| f.rule == "documents-disagree")
            .collect();
        assert_eq!(listed.len(), d.len(), "one finding per disagreement");
        assert!(listed.iter().all(|f| f.severity == Severity::Warning));
        let text: String = listed.iter().map(|f| format!("{f}\n")).collect();
        assert!(
            text.contains("owner_pay") && text.contains("whole_pay"),
            "{text}"
        );
        // A key-like default that differs is shown redacted, never in clear.
        assert!(text.contains("redacted"), "{text}");
        assert!(!text.contains("SECRETabc"), "{text}");
    }
}

#[test]
fn without_a_policy_a_difference_is_still_an_error_naming_both_files() {
    let dir = tmp("nopolicy");
    write(&dir, "a.json", &doc("one", "card a", None));
    write(&dir, "b.json", &doc("two", "card b", None));
    let err = load(&[&dir], &LoadOptions::default()).expect_err("two owners disagree");
    let LoadError::Conflict { first, second, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        first.file.ends_with("a.json") && second.file.ends_with("b.json"),
        "{err}"
    );
}

#[test]
fn two_fallbacks_that_disagree_are_an_error() {
    let dir = tmp("twofallbacks");
    let mut a = doc("one", "card a", None);
    a["x-ottu-merge"] = json!("fallback");
    let mut b = doc("two", "card b", None);
    b["x-ottu-merge"] = json!("fallback");
    write(&dir, "a.json", &a);
    write(&dir, "b.json", &b);
    let err = load(&[&dir], &LoadOptions::default()).expect_err("the policy cannot settle it");
    assert!(matches!(err, LoadError::Conflict { .. }), "{err}");
}

#[test]
fn an_unknown_merge_role_names_file_and_pointer() {
    let dir = tmp("badrole");
    let mut a = doc("one", "card a", None);
    a["x-ottu-merge"] = json!("primary");
    write(&dir, "a.json", &a);
    let err = load(&[&dir], &LoadOptions::default()).expect_err("bad role");
    let text = err.to_string();
    assert!(
        text.contains("a.json#/x-ottu-merge") && text.contains("fallback"),
        "{text}"
    );
}

#[test]
fn without_overlays_the_merge_role_still_holds_and_fixes_do_not() {
    let dir = tmp("nooverlays");
    write(
        &dir,
        "b-product.json",
        &doc("owner_pay", "owner card", None),
    );
    write(&dir, "a-whole.json", &doc("whole_pay", "whole card", None));
    std::fs::write(
        dir.join("overlays/merge.yaml"),
        "overlay: 1.0.0\ninfo: {title: merge, version: '1'}\nextends: ../a-whole.json\nactions:\n  - target: $\n    update:\n      x-ottu-merge: fallback\n  - target: $.components.schemas.Card\n    update:\n      description: fixed\n",
    )
    .unwrap();
    let options = LoadOptions { overlays: false };
    let spec = load(&[&dir], &options).expect("the merge role is kept without overlays");
    assert_eq!(op_id(&spec), "owner_pay");
    assert_eq!(
        spec.document()
            .pointer("/components/schemas/Card/description"),
        Some(&json!("owner card")),
        "the fix is not applied"
    );
    assert!(!spec.disagreements().is_empty());
}

/// `specs/` as vendored: Ottu's whole API yields to the per-product
/// documents with and without the fixes, and lint lists where they differ.
#[test]
fn specs_merge_with_and_without_overlays() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    for overlays in [true, false] {
        let spec = load(&[&specs], &LoadOptions { overlays }).expect("specs/ load");
        assert_eq!(spec.operations().len(), 28, "overlays: {overlays}");
        let op = |p: &str| {
            spec.document()
                .pointer(&format!("/paths/{p}/post/operationId"))
                .cloned()
        };
        assert_eq!(
            op("~1b~1pbl~1v2~1payment~1apple-pay~1"),
            Some(json!("apple_direct_payment"))
        );
        assert!(spec.operation("public_operations").is_some());
        assert!(!spec.disagreements().is_empty());
    }
}
