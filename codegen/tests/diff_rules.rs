//! One hand-written fixture pair per rule in `fixtures/diff/<rule>/`:
//! `old.*` against `new.*` (and `old-3.1.*` against `new-3.1.*` where the
//! dialect matters) must give exactly one change, with this rule id,
//! severity and location.

use std::path::{Path, PathBuf};

use codegen::diff::{self, Change, Format, Severity};
use codegen::{LoadOptions, Spec, load};

use Severity::{Error, Info, Warning};

/// Which file the location must be in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Old,
    New,
}

/// (fixture directory = rule id, severity, side, JSON pointer).
const RULES: &[(&str, Severity, Side, &str)] = &[
    ("operation-added", Info, Side::New, "/paths/~1orders/post"),
    (
        "operation-removed",
        Error,
        Side::Old,
        "/paths/~1orders/post",
    ),
    (
        "operation-method-changed",
        Error,
        Side::New,
        "/paths/~1cards/post",
    ),
    (
        "operation-path-changed",
        Error,
        Side::New,
        "/paths/~1v2~1cards/get",
    ),
    (
        "operation-id-changed",
        Info,
        Side::New,
        "/paths/~1cards/get",
    ),
    (
        "request-parameter-added-required",
        Error,
        Side::New,
        "/paths/~1cards/get/parameters/0",
    ),
    (
        "request-parameter-added",
        Info,
        Side::New,
        "/paths/~1cards/get/parameters/0",
    ),
    (
        "request-parameter-removed",
        Warning,
        Side::Old,
        "/paths/~1cards/get/parameters/0",
    ),
    (
        "request-parameter-moved",
        Error,
        Side::New,
        "/paths/~1cards/get/parameters/0/in",
    ),
    (
        "request-parameter-became-required",
        Error,
        Side::New,
        "/paths/~1cards/get/parameters/0/required",
    ),
    (
        "request-body-became-required",
        Error,
        Side::New,
        "/paths/~1items/post/requestBody/required",
    ),
    (
        "request-content-type-removed",
        Error,
        Side::Old,
        "/paths/~1items/post/requestBody/content/application~1x-www-form-urlencoded",
    ),
    (
        "request-property-added-required",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/sku",
    ),
    (
        "request-property-added",
        Info,
        Side::New,
        "/components/schemas/ItemIn/properties/sku",
    ),
    (
        "request-property-became-required",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/name",
    ),
    (
        "request-property-removed",
        Warning,
        Side::Old,
        "/components/schemas/ItemIn/properties/quantity",
    ),
    (
        "request-property-type-changed",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/quantity",
    ),
    (
        "request-max-length-decreased",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/name/maxLength",
    ),
    (
        "request-max-length-increased",
        Info,
        Side::New,
        "/components/schemas/ItemIn/properties/name/maxLength",
    ),
    (
        "request-min-length-increased",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/name/minLength",
    ),
    (
        "request-minimum-increased",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/quantity/minimum",
    ),
    (
        "request-maximum-decreased",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/quantity/maximum",
    ),
    (
        "request-pattern-added",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/name/pattern",
    ),
    (
        "request-pattern-changed",
        Warning,
        Side::New,
        "/components/schemas/ItemIn/properties/name/pattern",
    ),
    (
        "request-enum-value-removed",
        Error,
        Side::New,
        "/components/schemas/ItemIn/properties/color/enum",
    ),
    (
        "response-property-removed",
        Error,
        Side::Old,
        "/components/schemas/ItemOut/properties/id",
    ),
    (
        "response-optional-property-removed",
        Warning,
        Side::Old,
        "/components/schemas/ItemOut/properties/note",
    ),
    (
        "response-property-added",
        Info,
        Side::New,
        "/components/schemas/ItemOut/properties/note",
    ),
    (
        "response-property-became-optional",
        Error,
        Side::New,
        "/components/schemas/ItemOut/properties/id",
    ),
    (
        "response-property-became-nullable",
        Error,
        Side::New,
        "/components/schemas/ItemOut/properties/note",
    ),
    (
        "response-property-type-changed",
        Error,
        Side::New,
        "/components/schemas/ItemOut/properties/id",
    ),
    (
        "response-enum-value-added",
        Error,
        Side::New,
        "/components/schemas/ItemOut/properties/state/enum",
    ),
    (
        "response-union-variant-added",
        Warning,
        Side::New,
        "/components/schemas/ItemOut/oneOf/2",
    ),
    (
        "response-success-status-removed",
        Error,
        Side::Old,
        "/paths/~1items/post/responses/202",
    ),
    (
        "response-non-success-status-added",
        Info,
        Side::New,
        "/paths/~1items/post/responses/404",
    ),
    (
        "response-content-type-added",
        Info,
        Side::New,
        "/paths/~1items/post/responses/200/content/application~1xml",
    ),
    (
        "security-requirements-changed",
        Error,
        Side::New,
        "/paths/~1items/get/security",
    ),
    (
        "security-scheme-changed",
        Error,
        Side::New,
        "/components/securitySchemes/key",
    ),
    (
        "schema-ref-renamed",
        Info,
        Side::New,
        "/components/schemas/Product",
    ),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn spec(path: &Path) -> Spec {
    load(&[path], &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// `(old, new)` file pairs of a fixture directory: `old.yaml` with `new.*`,
/// `old-3.1.json` with `new-3.1.*`.
fn pairs(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let stem = |p: &Path| p.file_stem().unwrap().to_string_lossy().into_owned();
    let mut out = Vec::new();
    for old in files.iter().filter(|f| stem(f).starts_with("old")) {
        let want = stem(old).replacen("old", "new", 1);
        let new = files
            .iter()
            .find(|f| stem(f) == want)
            .unwrap_or_else(|| panic!("{} has no {want}.*", old.display()));
        out.push((old.clone(), new.clone()));
    }
    assert!(!out.is_empty(), "{} has no old/new pair", dir.display());
    out
}

fn show(changes: &[Change]) -> String {
    diff::render(changes, Format::Text, Severity::Error)
}

#[test]
fn each_rule_fixture_reports_exactly_its_rule_severity_and_location() {
    for (rule, severity, side, pointer) in RULES {
        for (old, new) in pairs(&fixtures().join(rule)) {
            let changes = diff::diff(&spec(&old), &spec(&new));
            let [c] = changes.as_slice() else {
                panic!(
                    "{rule} ({}): expected one change, got:\n{}",
                    new.display(),
                    show(&changes)
                );
            };
            let file = if *side == Side::Old { &old } else { &new };
            assert_eq!(
                (c.rule.id().as_ref(), c.severity),
                (*rule, *severity),
                "{}",
                new.display()
            );
            assert_eq!(c.at.pointer, *pointer, "{rule}: {c}");
            assert_eq!(&c.at.file, file, "{rule}: {c}");
            assert!(
                c.operation.is_some() || rule.starts_with("security-scheme"),
                "{rule}: names its operation"
            );
        }
    }
}

#[test]
fn every_fixture_directory_is_a_tested_rule() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|d| {
            !matches!(
                d.as_str(),
                "auto-debit-drift" | "no-change" | "recursive-schema"
            )
        })
        .collect();
    dirs.sort();
    let mut rules: Vec<String> = RULES.iter().map(|r| r.0.to_string()).collect();
    rules.sort();
    assert_eq!(dirs, rules);
}

#[test]
fn nullable_is_reported_alike_from_3_0_nullable_and_3_1_type_arrays() {
    let dir = fixtures().join("response-property-became-nullable");
    let forms = pairs(&dir);
    assert_eq!(forms.len(), 2, "a 3.0 and a 3.1 pair");
    let versions: Vec<String> = forms
        .iter()
        .map(|(o, _)| spec(o).sources()[0].version.clone())
        .collect();
    assert_eq!(versions, ["3.1.0", "3.0.3"]);
}

#[test]
fn response_enum_value_added_reports_both_facts() {
    let dir = fixtures().join("response-enum-value-added");
    let changes = diff::diff(&spec(&dir.join("old.json")), &spec(&dir.join("new.json")));
    assert_eq!(
        changes[0].severity, Error,
        "clients with closed enums break"
    );
    assert_eq!(
        changes[0].client_impact.as_deref(),
        Some("none (ottu-client keeps unknown enum values)")
    );
    assert_eq!(changes[0].new, Some(serde_json::json!(["refunded"])));
}

#[test]
fn a_change_below_a_recursive_schema_is_found_and_the_walk_ends() {
    let dir = fixtures().join("recursive-schema");
    let changes = diff::diff(&spec(&dir.join("old.yaml")), &spec(&dir.join("new.yaml")));
    let rules: Vec<String> = changes.iter().map(|c| c.rule.id().into_owned()).collect();
    assert_eq!(
        rules,
        ["request-max-length-decreased"],
        "{}",
        show(&changes)
    );
    assert_eq!(
        changes[0].at.pointer,
        "/components/schemas/Node/properties/name/maxLength"
    );
}

#[test]
fn the_same_api_rewritten_in_another_dialect_and_format_has_no_breaking_change() {
    let dir = fixtures().join("no-change");
    let (old, new) = (spec(&dir.join("old.json")), spec(&dir.join("new.yaml")));
    let changes = diff::diff(&old, &new);
    // The only differences a client could notice are generated type names:
    // `Error` renamed, and `Customer` inlined (its generated type is now
    // named after the property, `CardOwner`; the models of both sides say so).
    let rules: Vec<(String, Severity)> = changes
        .iter()
        .map(|c| (c.rule.id().into_owned(), c.severity))
        .collect();
    assert_eq!(
        rules,
        [
            ("generated-items-changed".to_string(), Info),
            ("schema-ref-renamed".to_string(), Info)
        ],
        "{}",
        show(&changes)
    );
    assert!(
        changes[1]
            .message
            .contains("`Error` is now `ApiError` with the same shape"),
        "{}",
        changes[1].message
    );
    assert!(
        changes[0].impact.items.contains(&"Customer".to_string())
            && changes[0].impact.items.contains(&"CardOwner".to_string()),
        "{}",
        show(&changes)
    );
    // And in the other direction.
    let back = diff::diff(&new, &old);
    assert!(back.iter().all(|c| c.severity == Info), "{}", show(&back));
}

#[test]
fn reports_render_in_every_format() {
    let dir = fixtures().join("request-property-added-required");
    let changes = diff::diff(&spec(&dir.join("old.yaml")), &spec(&dir.join("new.yaml")));
    let text = diff::render(&changes, Format::Text, Error);
    assert!(
        text.starts_with("POST /items (create_item)\n  error   [request-property-added-required]"),
        "{text}"
    );
    // A required field is an argument of `new`, and `Default` goes.
    assert!(
        text.contains("ottu-client major (ItemIn::default(), ItemIn::new(), ItemIn::sku)"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&diff::render(&changes, Format::Json, Error)).unwrap();
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["ottu_client_semver"], "major");
    assert_eq!(
        json["changes"][0]["rule"],
        "request-property-added-required"
    );
    let md = diff::render(&changes, Format::Markdown, Error);
    assert!(
        md.contains("| error | `request-property-added-required` | POST /items (create_item) |"),
        "{md}"
    );
    let junit = diff::render(&changes, Format::Junit, Error);
    assert!(junit.contains("tests=\"1\" failures=\"1\""), "{junit}");
    assert!(junit.contains("<failure type=\"error\""), "{junit}");
    let lenient =
        diff::render(&changes, Format::Junit, Severity::Error).replace("failures=\"1\"", "");
    assert!(!lenient.is_empty());
    let none = diff::render(&[], Format::Junit, Error);
    assert!(
        none.contains("<testcase classname=\"spec-drift\" name=\"no changes\"/>"),
        "{none}"
    );
}
