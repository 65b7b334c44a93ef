//! The loader on fixtures: both dialects, both formats, and every kind of bad input.

use std::path::{Path, PathBuf};

use codegen::{LoadError, LoadOptions, load};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn tmp() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "codegen-load-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    // A directory of an earlier run whose process had the same id.
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn load_err(files: &[PathBuf]) -> LoadError {
    load(files, &LoadOptions::default()).expect_err("expected a load error")
}

#[test]
fn whole_api_loads_in_both_dialects_to_the_same_model() {
    let v31 = load(
        &[fixture("whole-api/ottu-api-3.1.1.json")],
        &LoadOptions::default(),
    )
    .unwrap();
    let v30 = load(
        &[fixture("whole-api/ottu-api-3.0.3.yaml")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        v31.document()
            .pointer("/paths")
            .unwrap()
            .as_object()
            .unwrap()
            .len(),
        26
    );
    assert_eq!(v31.operations().len(), 28);
    assert_eq!(v30.sources()[0].version, "3.0.3");
    // `nullable` became a type array, boolean exclusive bounds became numbers.
    let (a, b) = (v31.document(), v30.document());
    assert_eq!(
        b.pointer("/components/schemas/CheckoutRequest/properties/customer_id/type"),
        Some(&json!(["string", "null"]))
    );
    assert_eq!(
        b.pointer("/components/schemas/InvoiceItem/properties/tax_rate/exclusiveMaximum"),
        Some(&json!(100))
    );
    for (name, schema) in v31.schemas() {
        assert_eq!(
            Some(schema),
            b.pointer(&format!("/components/schemas/{name}")),
            "{name} differs between dialects"
        );
    }
    assert_eq!(a["paths"], b["paths"]);
}

#[test]
fn yaml_and_3_0_nullable_fixture() {
    let d = tmp();
    let f = write(
        &d,
        "api.yaml",
        r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /cards/{id}:
    parameters:
      - {in: path, name: id, required: true, schema: {type: string}}
    get:
      operationId: get_card
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Card'}
components:
  schemas:
    Card:
      type: object
      properties:
        brand: {type: string, nullable: true, example: VISA}
        limit: {type: integer, minimum: 0, exclusiveMinimum: true}
"#,
    );
    let spec = load(&[f], &LoadOptions::default()).unwrap();
    let card = spec
        .document()
        .pointer("/components/schemas/Card/properties")
        .unwrap();
    assert_eq!(
        card["brand"],
        json!({"type": ["string", "null"], "examples": ["VISA"]})
    );
    assert_eq!(
        card["limit"],
        json!({"type": "integer", "exclusiveMinimum": 0})
    );
    // The path-level parameter now belongs to the operation.
    let op = spec.operation("get_card").unwrap();
    assert_eq!(op.value["parameters"][0]["name"], "id");
    assert_eq!(
        spec.resolve(&op.value["responses"]["200"]["content"]["application/json"]["schema"])["type"],
        "object"
    );
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let d = tmp();
    let f = write(
        &d,
        "bad.json",
        "{\"openapi\": \"3.1.0\",\n \"paths\": {,}\n}",
    );
    let e = load_err(&[f]);
    let msg = e.to_string();
    assert!(matches!(e, LoadError::Parse { line: 2, .. }), "{msg}");
    assert!(msg.contains("bad.json:2:"), "{msg}");
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let d = tmp();
    let f = write(&d, "bad.yaml", "openapi: 3.1.0\npaths:\n  /a: [unclosed\n");
    let e = load_err(&[f]);
    assert!(matches!(e, LoadError::Parse { format: "YAML", .. }), "{e}");
    assert!(e.to_string().contains("bad.yaml:"), "{e}");
}

#[test]
fn unknown_version_names_the_pointer() {
    let d = tmp();
    let f = write(&d, "v.json", r#"{"openapi": "2.5.0", "paths": {}}"#);
    assert_eq!(load_err(&[f]).location().unwrap().pointer, "/openapi");
    let s = write(&d, "s.json", r#"{"swagger": "2.0", "paths": {}}"#);
    assert!(load_err(&[s]).to_string().contains("swagger 2.0"));
}

#[test]
fn dangling_ref_names_file_and_pointer() {
    let d = tmp();
    let f = write(
        &d,
        "r.json",
        r##"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Missing"}}}}}}"##,
    );
    let e = load_err(&[f]);
    assert!(matches!(e, LoadError::DanglingRef { .. }), "{e}");
    assert_eq!(
        e.location().unwrap().pointer,
        "/components/schemas/A/properties/b/$ref"
    );
    assert!(
        e.to_string()
            .contains("r.json#/components/schemas/A/properties/b/$ref"),
        "{e}"
    );
}

#[test]
fn cyclic_ref_is_an_error_but_recursion_through_properties_is_not() {
    let d = tmp();
    let f = write(
        &d,
        "c.json",
        r##"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}}}}"##,
    );
    let e = load_err(&[f]);
    assert!(matches!(e, LoadError::CyclicRef { .. }), "{e}");
    assert!(e.to_string().contains("A -> B -> A"), "{e}");
    let ok = write(
        &d,
        "tree.json",
        r##"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {
        "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}}}"##,
    );
    load(&[ok], &LoadOptions::default()).unwrap();
}

#[test]
fn missing_file_is_named() {
    let e = load_err(&[PathBuf::from("/nonexistent/spec.json")]);
    assert!(matches!(e, LoadError::Io { .. }));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/spec.json: cannot read"),
        "{e}"
    );
}

#[test]
fn conflicting_definitions_name_both_files() {
    let d = tmp();
    let a = write(
        &d,
        "a.json",
        r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"Card": {"type": "object", "properties": {"customer_id": {"type": "string", "maxLength": 36}}}}}}"#,
    );
    let b = write(
        &d,
        "b.json",
        r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"Card": {"type": "object", "properties": {"customer_id": {"type": "string", "maxLength": 64}}}}}}"#,
    );
    let e = load_err(&[a, b]);
    let msg = e.to_string();
    assert!(
        msg.contains("a.json#/components/schemas/Card")
            && msg.contains("b.json#/components/schemas/Card"),
        "{msg}"
    );
}

#[test]
fn cross_file_refs_are_localized_and_fragment_files_inlined() {
    let d = tmp();
    std::fs::create_dir_all(d.join("schemas")).unwrap();
    write(
        &d.join("schemas"),
        "money.yaml",
        "type: string\npattern: '^\\d+\\.\\d{3}$'\n",
    );
    let common = write(
        &d,
        "common.json",
        r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"Err": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}}}}"#,
    );
    let api = write(
        &d,
        "api.json",
        r#"{"openapi": "3.1.0", "paths": {"/pay": {"post": {"operationId": "pay",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"amount": {"$ref": "schemas/money.yaml"}}}}}},
        "responses": {"400": {"description": "", "content": {"application/json": {"schema": {"$ref": "common.json#/components/schemas/Err"}}}}}}}}}"#,
    );
    let spec = load(&[api, common], &LoadOptions::default()).unwrap();
    let op = spec.operation("pay").unwrap();
    assert_eq!(
        op.value
            .pointer("/responses/400/content/application~1json/schema/$ref"),
        Some(&json!("#/components/schemas/Err"))
    );
    assert_eq!(
        op.value
            .pointer("/requestBody/content/application~1json/schema/properties/amount/type"),
        Some(&json!("string"))
    );
}

#[test]
fn refs_never_leave_the_spec_directory_or_reach_the_network() {
    let d = tmp();
    let inner = d.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    write(&d, "secret.json", r#"{"type": "string"}"#);
    let up = write(
        &inner,
        "up.json",
        r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"$ref": "../secret.json"}}}}"#,
    );
    let e = load_err(&[up]);
    assert!(matches!(e, LoadError::ForbiddenRef { .. }), "{e}");
    let net = write(
        &inner,
        "net.json",
        r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"$ref": "https://example.com/a.json"}}}}"#,
    );
    let e = load_err(&[net]);
    assert!(
        e.to_string()
            .contains("network references are never fetched"),
        "{e}"
    );
    // A symlink inside the directory that points outside it is outside.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("secret.json"), inner.join("link.json")).unwrap();
        let linked = write(
            &inner,
            "linked.json",
            r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"$ref": "link.json"}}}}"#,
        );
        let e = load_err(&[linked]);
        assert!(matches!(e, LoadError::ForbiddenRef { .. }), "{e}");
        // The same file, really inside, loads.
        std::fs::copy(d.join("secret.json"), inner.join("copy.json")).unwrap();
        let copied = write(
            &inner,
            "copied.json",
            r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"$ref": "copy.json"}}}}"#,
        );
        load(&[copied], &LoadOptions::default()).unwrap();
    }
}

#[test]
fn overlays_apply_and_stale_overlays_fail() {
    let d = tmp();
    let api = write(
        &d,
        "api.json",
        r#"{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"type": "object"}}}}"#,
    );
    let o = write(
        &d,
        "fix.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.A\n    update: {description: patched}\n",
    );
    let spec = load(&[api.clone(), o], &LoadOptions::default()).unwrap();
    assert_eq!(
        spec.document().pointer("/components/schemas/A/description"),
        Some(&json!("patched"))
    );
    let stale = write(
        &d,
        "stale.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.Gone\n    remove: true\n",
    );
    let e = load_err(&[api.clone(), stale.clone()]);
    assert_eq!(e.location().unwrap().pointer, "/actions/0/target");
    // --no-overlays ignores them entirely.
    load(&[api, stale], &LoadOptions { overlays: false }).unwrap();
}

#[test]
fn garbage_never_panics() {
    let d = tmp();
    for (i, text) in [
        "",
        "null",
        "[]",
        "42",
        "{\"openapi\": null}",
        "{\"openapi\": \"3.1.0\", \"paths\": []}",
        "{\"openapi\": \"3.1.0\", \"paths\": {\"/a\": 5}}",
        "{\"openapi\": \"3.1.0\", \"components\": {\"schemas\": []}}",
        "{\"openapi\": \"3.1.0\", \"paths\": {\"/a\": {\"get\": []}}}",
        "openapi: 3.1.0\npaths:\n  /a:\n    get: {$ref: 7}\n",
    ]
    .iter()
    .enumerate()
    {
        let f = write(&d, &format!("g{i}.json"), text);
        let _ = load(&[f], &LoadOptions::default());
    }
}

/// The largest version Ottu has published (51 paths, 53 operations, 228
/// schemas; `fixtures/whole-api/make_largest.py`) loads and generates.
#[test]
fn the_largest_published_size_loads_and_generates() {
    let spec = load(
        &[fixture("whole-api/ottu-api-largest.json")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(spec.operations().len(), 53);
    assert_eq!(spec.schemas().count(), 228);
    let files =
        codegen::generate::client_files(&spec, Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let ops = files
        .iter()
        .find(|f| f.path.ends_with("operations.rs"))
        .unwrap();
    // One request builder per operation (`client.op(..)` returns it).
    let builders = ops
        .text
        .lines()
        .filter(|l| l.trim_start().starts_with("pub struct ") && l.contains("Request<'a>"))
        .count();
    assert_eq!(builders, 53);
}
