//! API groups (`x-ottu-group`): one cargo feature each in the generated
//! crate; operations are compiled with their group, types with the groups
//! whose operations reach them, and what a user may need without calling
//! anything (the webhook payload) always.

use std::path::{Path, PathBuf};

use codegen::emit::{Writer, emit};
use codegen::generate::{client_manifest, crate_files};
use codegen::lint::{self, Severity};
use codegen::{LoadOptions, load, model};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-groups-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cards` lists cards, `payments` pays with a brand and returns a
/// receipt, the webhook delivers a hook holding the receipt; `extra`
/// (no group unless `group_of_extra` is given) reads a status.
fn spec_text(group_of_extra: Option<&str>, groups: bool) -> String {
    let g = |name: &str| {
        if groups {
            format!("x-ottu-group: {name}")
        } else {
            String::new()
        }
    };
    let extra = group_of_extra
        .map(|n| format!("x-ottu-group: {n}"))
        .unwrap_or_default();
    format!(
        r##"openapi: 3.1.0
info: {{title: t, version: "1"}}
x-ottu-webhook-payload: Hook
paths:
  /cards/:
    get:
      operationId: list_cards
      x-ottu-moves-money: false
      x-ottu-retry: safe
      {cards}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: array, items: {{$ref: "#/components/schemas/Card"}}}}}}}}}}
  /pay/:
    post:
      operationId: pay
      x-ottu-moves-money: true
      x-ottu-retry: never
      {payments}
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: "#/components/schemas/Pay"}}}}}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Receipt"}}}}}}}}
  /status/:
    get:
      operationId: status
      x-ottu-moves-money: false
      x-ottu-retry: safe
      {extra}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Status"}}}}}}}}
components:
  schemas:
    Brand: {{type: string, enum: [visa, mada]}}
    Card:
      type: object
      properties: {{brand: {{$ref: "#/components/schemas/Brand"}}, last4: {{type: string}}}}
    Pay:
      type: object
      required: [brand]
      properties: {{brand: {{$ref: "#/components/schemas/Brand"}}}}
    Receipt:
      type: object
      properties: {{amount: {{type: string}}}}
    Hook:
      type: object
      properties: {{receipt: {{$ref: "#/components/schemas/Receipt"}}}}
    Status:
      type: object
      properties: {{state: {{type: string}}}}
    Unused:
      type: object
      properties: {{x: {{type: string}}}}
"##,
        cards = g("cards"),
        payments = g("payments"),
    )
}

fn load_text(name: &str, text: &str) -> Result<codegen::Spec, codegen::LoadError> {
    let dir = temp(name);
    let file = dir.join("api.yaml");
    std::fs::write(&file, text).unwrap();
    let spec = load(std::slice::from_ref(&file), &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    spec
}

fn groups_of(api: &model::Api, name: &str) -> Option<Vec<String>> {
    api.type_named(name)
        .unwrap_or_else(|| panic!("no type {name}"))
        .groups
        .clone()
}

#[test]
fn types_are_compiled_with_the_groups_whose_operations_reach_them() {
    let spec = load_text("reach", &spec_text(Some("reports"), true)).unwrap();
    let api = model::model(&spec);
    assert_eq!(api.groups, ["cards", "payments", "reports"]);
    let op = |id: &str| api.operations.iter().find(|o| o.id == id).unwrap();
    assert_eq!(op("list_cards").group.as_deref(), Some("cards"));
    assert_eq!(op("pay").group.as_deref(), Some("payments"));
    assert_eq!(groups_of(&api, "Card"), Some(vec!["cards".into()]));
    assert_eq!(
        groups_of(&api, "Brand"),
        Some(vec!["cards".into(), "payments".into()]),
        "reached by both groups"
    );
    assert_eq!(groups_of(&api, "Status"), Some(vec!["reports".into()]));
    // The webhook payload and what it holds (a payment's receipt) are
    // compiled always: a webhook receiver calls no operation.
    assert_eq!(groups_of(&api, "Hook"), None);
    assert_eq!(groups_of(&api, "Receipt"), None);
    // A component no operation or webhook reaches: only in full builds.
    assert_eq!(groups_of(&api, "Unused"), Some(vec!["all-groups".into()]));

    let files = emit(&api, Writer::Generate).unwrap();
    let text = |path: &str| &files.iter().find(|f| f.path == path).unwrap().text;
    let types = text("src/types.rs");
    assert!(
        types.contains("#[cfg(any(feature = \"cards\", feature = \"payments\"))]\n/// "),
        "{types}"
    );
    // The attribute and doc lines right above an item.
    let before = |hay: &str, item: &str| {
        let at = hay.find(item).unwrap_or_else(|| panic!("{item} missing"));
        let lines: Vec<&str> = hay[..at].lines().collect();
        let attrs: Vec<&str> = lines
            .iter()
            .rev()
            .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
            .copied()
            .collect();
        attrs.join("\n")
    };
    assert!(before(types, "pub enum Brand").contains("feature = \"payments\""));
    assert!(before(types, "pub struct Card ").contains("#[cfg(feature = \"cards\")]"));
    assert!(!before(types, "pub struct Hook ").contains("cfg("));
    assert!(!before(types, "pub struct Receipt ").contains("cfg("));
    assert!(before(types, "pub struct Unused ").contains("#[cfg(feature = \"all-groups\")]"));
    // Every impl of a gated type is gated with it.
    let brand_impls = types.matches("for Brand").count();
    assert!(brand_impls > 0);
    assert_eq!(
        types
            .matches("#[cfg(any(feature = \"cards\", feature = \"payments\"))]\nimpl")
            .count(),
        brand_impls + types.matches("impl Brand").count(),
        "{types}"
    );
    let ops = text("src/operations.rs");
    assert!(
        ops.contains("#[cfg(feature = \"cards\")]\nimpl crate::Client"),
        "{ops}"
    );
    assert!(
        ops.contains("#[cfg(feature = \"payments\")]\nimpl crate::Client"),
        "{ops}"
    );
    let verdict = text("src/verdict.rs");
    assert!(
        verdict.contains("#[cfg(feature = \"payments\")]\n        (\"pay\", "),
        "{verdict}"
    );

    let files = crate_files(&spec, &root(), "gen-groups").unwrap();
    let manifest = &files.iter().find(|f| f.path == "Cargo.toml").unwrap().text;
    assert!(
        manifest.contains(
            "all-groups = [\"cards\", \"payments\", \"reports\"]\ncards = []\npayments = []\nreports = []\n"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("default = [\"tracing\", \"rustls\", \"all-groups\"]"));
}

#[test]
fn a_spec_without_group_data_compiles_everything_unconditionally() {
    let spec = load_text("none", &spec_text(None, false)).unwrap();
    let api = model::model(&spec);
    assert!(api.groups.is_empty());
    assert!(api.types.iter().all(|t| t.groups.is_none()));
    assert!(api.operations.iter().all(|o| o.group.is_none()));
    for f in emit(&api, Writer::Generate).unwrap() {
        assert!(!f.text.contains("feature ="), "{}: {}", f.path, f.text);
    }
    let files = crate_files(&spec, &root(), "gen-groups").unwrap();
    let manifest = &files.iter().find(|f| f.path == "Cargo.toml").unwrap().text;
    assert!(manifest.contains("all-groups = []\n"), "{manifest}");
    assert!(
        lint::lint(&spec).iter().all(|f| f.rule != "missing-group"),
        "no group data is not a defect"
    );
}

#[test]
fn an_operation_without_a_group_among_grouped_ones_is_an_error_naming_it() {
    let spec = load_text("missing", &spec_text(None, true)).unwrap();
    let findings: Vec<_> = lint::lint(&spec)
        .into_iter()
        .filter(|f| f.rule == "missing-group")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.at.pointer, "/paths/~1status~1/get");
    assert!(f.at.file.ends_with("api.yaml"), "{f}");
    assert!(
        f.message.contains("`status`") && f.message.contains("cards, payments"),
        "{f}"
    );
    // Until decided, it (and what it reaches) is compiled in every build.
    let api = model::model(&spec);
    assert_eq!(groups_of(&api, "Status"), None);
}

#[test]
fn a_group_that_is_not_a_feature_name_fails_loading_at_its_pointer() {
    for bad in [
        "Cards",
        "tracing",
        "rustls",
        "all-groups",
        "3ds",
        "\"a b\"",
        "[cards]",
    ] {
        let text = spec_text(Some(bad), true);
        let err = load_text("bad", &text)
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"))
            .to_string();
        assert!(
            err.contains("/paths/~1status~1/get/x-ottu-group") && err.contains("api.yaml"),
            "{bad}: {err}"
        );
        assert!(err.contains("cargo feature name"), "{bad}: {err}");
    }
}

#[test]
fn every_operation_of_specs_has_a_group_and_generated_cargo_toml_declares_each() {
    let spec = load(&[root().join("specs")], &LoadOptions::default()).unwrap();
    let api = model::model(&spec);
    for op in &api.operations {
        assert!(op.group.is_some(), "{} has no x-ottu-group", op.id);
    }
    let manifest = std::fs::read_to_string(root().join("generated/Cargo.toml")).unwrap();
    for g in &api.groups {
        assert!(manifest.contains(&format!("\n{g} = []\n")), "{g}");
    }
    assert_eq!(
        client_manifest(&spec, &root().join("generated"))
            .unwrap()
            .text,
        manifest,
        "run `cargo xtask codegen`"
    );
}

#[test]
fn a_manifest_without_the_group_block_is_an_error_naming_it() {
    let spec = load_text("manifest", &spec_text(Some("reports"), true)).unwrap();
    let dir = temp("manifest-dir");
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let err = client_manifest(&spec, &dir).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        err.contains("Cargo.toml") && err.contains("API groups"),
        "{err}"
    );
}
