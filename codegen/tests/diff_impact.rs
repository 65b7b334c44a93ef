//! Every diff rule, each with a spec pair generated here (a small API, then
//! one edit), must be reported with the client impact cargo-semver-checks
//! would find between the crates generated from the two specs. Generated
//! types are `#[non_exhaustive]`: structs are built with `new(required...)`
//! and `with_` setters, enums matched with a `_` arm, so a field, setter or
//! variant added to one is minor, and a required field added changes `new`
//! (major); an operation takes its required inputs as arguments and its
//! optional ones as setters of its request, so an optional parameter or
//! body added is minor; its error enum is `#[non_exhaustive]`, so a
//! documented status added is minor; a new method or type is minor; validation limits
//! and the wire alone (paths, security, deprecation) change no signature.
//!
//! `case` is an exhaustive `match`: a new rule does not compile until its
//! pair and its expected impact are written here, and the walk checks that
//! every rule of `Rule::all()` was reported.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use codegen::diff::{
    self, Bound, Change, ClientImpact, Dir, Format, Limit, LimitChange, Rule, Semver, Severity,
};
use codegen::{LoadOptions, Spec, load};
use serde_json::{Value, json};

use Semver::{Major, Minor, Patch};

const POST: &str = "/paths/~1items/post";
const GET: &str = "/paths/~1things~1{id}/get";

/// Two operations (a body and two responses; a path parameter), three components.
fn base() -> Value {
    let out = |r: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{r}")}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "generated pair", "version": "1"},
        "paths": {
            "/items": {"post": {
                "operationId": "create_item",
                "security": [{"key": []}],
                "requestBody": {"required": true, "content": out("ItemIn")},
                "responses": {
                    "200": {"description": "ok", "content": out("ItemOut")},
                    "400": {"description": "bad", "content": out("Problem")}
                }
            }},
            "/things/{id}": {"get": {
                "operationId": "get_thing",
                "security": [{"key": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": out("ItemOut")}}
            }}
        },
        "components": {
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "Authorization"},
                "other": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "ItemIn": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "ItemOut": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
                "Problem": {"type": "object", "properties": {"detail": {"type": "string"}}}
            }
        }
    })
}

fn at<'v>(doc: &'v mut Value, pointer: &str) -> &'v mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"))
}

fn set(doc: &mut Value, parent: &str, key: &str, value: Value) {
    at(doc, parent)[key] = value;
}

fn remove(doc: &mut Value, parent: &str, key: &str) {
    at(doc, parent).as_object_mut().unwrap().remove(key);
}

/// The component a direction's schemas live in.
fn object(d: Dir) -> &'static str {
    match d {
        Dir::Request => "/components/schemas/ItemIn",
        Dir::Response => "/components/schemas/ItemOut",
    }
}

/// A pair that differs in property `v` of the direction's object:
/// `None` is absent; `required` on each side.
fn prop(d: Dir, old: Option<Value>, new: Option<Value>, required: (bool, bool)) -> (Value, Value) {
    let side = |schema: Option<Value>, required: bool| {
        let mut doc = base();
        if let Some(s) = schema {
            set(&mut doc, &format!("{}/properties", object(d)), "v", s);
        }
        if required {
            at(&mut doc, &format!("{}/required", object(d)))
                .as_array_mut()
                .unwrap()
                .push(json!("v"));
        }
        doc
    };
    (side(old, required.0), side(new, required.1))
}

/// Optional `v` with these schemas on each side.
fn optional(d: Dir, old: Value, new: Value) -> (Value, Value) {
    prop(d, Some(old), Some(new), (false, false))
}

/// A pair made by editing `base()` into the old and the new side.
fn edit(old: impl FnOnce(&mut Value), new: impl FnOnce(&mut Value)) -> (Value, Value) {
    let (mut o, mut n) = (base(), base());
    old(&mut o);
    new(&mut n);
    (o, n)
}

/// `old` without the edit, `new` with it.
fn edited(f: impl FnOnce(&mut Value)) -> (Value, Value) {
    edit(|_| {}, f)
}

/// The same edit, the other way round.
fn reverse((old, new): (Value, Value)) -> (Value, Value) {
    (new, old)
}

fn query(required: bool) -> Value {
    json!({"name": "q", "in": "query", "required": required, "schema": {"type": "string"}})
}

fn add_param(doc: &mut Value, p: Value) {
    at(doc, &format!("{GET}/parameters"))
        .as_array_mut()
        .unwrap()
        .push(p);
}

fn body(required: bool) -> Value {
    json!({"required": required, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemIn"}}}})
}

fn branch(name: &str) -> Value {
    json!({"type": "object", "required": [name], "properties": {name: {"type": "string"}}})
}

/// The property type a limit keyword applies to, and its values before and after.
fn limit_pair(d: Dir, limit: Limit, change: LimitChange) -> (Value, Value) {
    let (ty, first, second) = match limit {
        Limit::MaxLength | Limit::MinLength => (json!({"type": "string"}), json!(5), json!(10)),
        Limit::Maximum
        | Limit::Minimum
        | Limit::ExclusiveMaximum
        | Limit::ExclusiveMinimum
        | Limit::MultipleOf => (json!({"type": "integer"}), json!(5), json!(10)),
        Limit::MaxItems | Limit::MinItems => (
            json!({"type": "array", "items": {"type": "string"}}),
            json!(5),
            json!(10),
        ),
        Limit::MaxProperties | Limit::MinProperties => {
            (json!({"type": "object"}), json!(5), json!(10))
        }
        Limit::Pattern => (json!({"type": "string"}), json!("^a"), json!("^b")),
        Limit::Format => (json!({"type": "string"}), json!("date"), json!("email")),
        Limit::ContentEncoding => (json!({"type": "string"}), json!("base64"), json!("base32")),
    };
    let (old, new) = match (change, limit.bound()) {
        (LimitChange::Added, _) => (None, Some(first)),
        (LimitChange::Removed, _) => (Some(first), None),
        (LimitChange::Increased, _) => (Some(first), Some(second)),
        (LimitChange::Decreased, _) => (Some(second), Some(first)),
        // A bound that is not a number.
        (LimitChange::Changed, Bound::Upper | Bound::Lower) => (Some(json!("a")), Some(json!("b"))),
        (LimitChange::Changed, Bound::Other) => (Some(first), Some(second)),
    };
    let with = |v: Option<Value>| {
        let mut s = ty.clone();
        if let Some(v) = v {
            s[limit.keyword()] = v;
        }
        s
    };
    optional(d, with(old), with(new))
}

/// The pair that shows `rule`, and the bump it forces on the generated crate.
fn case(rule: Rule) -> ((Value, Value), Semver) {
    use Rule::*;
    let string = || json!({"type": "string"});
    let values = |vs: &[&str]| json!({"type": "string", "enum": vs});
    let union =
        |names: &[&str]| json!({"oneOf": names.iter().map(|n| branch(n)).collect::<Vec<_>>()});
    let other_op = |doc: &mut Value| {
        set(
            doc,
            "/paths",
            "/others",
            json!({"get": {"operationId": "list_others", "responses": {"200": {"description": "ok"}}}}),
        )
    };
    let with_201 = |doc: &mut Value| {
        let ok = at(doc, &format!("{POST}/responses/200")).clone();
        set(doc, &format!("{POST}/responses"), "201", ok);
    };
    let form = |doc: &mut Value| {
        let schema = json!({"schema": {"$ref": "#/components/schemas/ItemIn"}});
        set(
            doc,
            &format!("{POST}/requestBody/content"),
            "application/x-www-form-urlencoded",
            schema,
        );
    };
    let xml = |doc: &mut Value| {
        let schema = json!({"schema": {"$ref": "#/components/schemas/ItemOut"}});
        set(
            doc,
            &format!("{POST}/responses/200/content"),
            "application/xml",
            schema,
        );
    };
    match rule {
        // A new method is an addition; a method gone breaks its callers.
        OperationAdded => (edited(other_op), Minor),
        OperationRemoved => (reverse(edited(other_op)), Major),
        // The same method, sent elsewhere.
        OperationMethodChanged => (
            edited(|d| {
                let op = at(d, GET).clone();
                remove(d, "/paths/~1things~1{id}", "get");
                set(d, "/paths/~1things~1{id}", "post", op);
            }),
            Patch,
        ),
        OperationPathChanged => (
            edited(|d| {
                let item = at(d, "/paths/~1things~1{id}").clone();
                remove(d, "/paths", "/things/{id}");
                set(d, "/paths", "/v2/things/{id}", item);
            }),
            Patch,
        ),
        // The method is named after the operationId.
        OperationIdChanged => (
            edited(|d| set(d, GET, "operationId", json!("fetch_thing"))),
            Major,
        ),
        OperationDeprecated => (edited(|d| set(d, GET, "deprecated", json!(true))), Patch),
        // A required parameter is an argument of the method; an optional
        // one a setter of its request.
        ParameterAdded => (edited(|d| add_param(d, query(false))), Minor),
        ParameterAddedRequired => (edited(|d| add_param(d, query(true))), Major),
        ParameterRemoved => (reverse(edited(|d| add_param(d, query(false)))), Major),
        ParameterMoved => (
            edit(
                |d| add_param(d, query(false)),
                |d| {
                    add_param(
                        d,
                        json!({"name": "q", "in": "header", "schema": {"type": "string"}}),
                    )
                },
            ),
            Patch,
        ),
        ParameterBecameRequired => (
            edit(
                |d| add_param(d, query(false)),
                |d| add_param(d, query(true)),
            ),
            Major,
        ),
        ParameterBecameOptional => (
            edit(
                |d| add_param(d, query(true)),
                |d| add_param(d, query(false)),
            ),
            Major,
        ),
        // A required body is an argument too; an optional one a setter.
        BodyAdded => (
            edit(
                |d| remove(d, POST, "requestBody"),
                |d| set(d, POST, "requestBody", body(false)),
            ),
            Minor,
        ),
        BodyAddedRequired => (edit(|d| remove(d, POST, "requestBody"), |_| {}), Major),
        BodyRemoved => (edited(|d| remove(d, POST, "requestBody")), Major),
        BodyBecameRequired => (
            edit(|d| set(d, POST, "requestBody", body(false)), |_| {}),
            Major,
        ),
        BodyBecameOptional => (edited(|d| set(d, POST, "requestBody", body(false))), Major),
        // The generator types the JSON body only.
        ContentTypeAdded(Dir::Request) => (edited(form), Patch),
        ContentTypeRemoved(Dir::Request) => (reverse(edited(form)), Patch),
        ContentTypeAdded(Dir::Response) => (edited(xml), Patch),
        ContentTypeRemoved(Dir::Response) => (reverse(edited(xml)), Patch),
        // 200 and 201 share the type: no signature changes, but what the
        // client returns as success does.
        SuccessStatusAdded => (edited(with_201), Minor),
        SuccessStatusRemoved => (reverse(edited(with_201)), Major),
        // The error enum gains or loses a variant; it is `#[non_exhaustive]`.
        NonSuccessStatusAdded => (
            edited(|d| {
                set(
                    d,
                    &format!("{POST}/responses"),
                    "404",
                    json!({"description": "gone"}),
                )
            }),
            Minor,
        ),
        NonSuccessStatusRemoved => (
            edited(|d| remove(d, &format!("{POST}/responses"), "400")),
            Major,
        ),
        // Credentials live in the hand-written runtime.
        SecurityRequirementsLoosened => (
            edited(|d| set(d, GET, "security", json!([{"key": []}, {}]))),
            Patch,
        ),
        SecurityRequirementsChanged => (
            edited(|d| set(d, GET, "security", json!([{"other": []}]))),
            Patch,
        ),
        SecuritySchemeAdded => (
            edited(|d| {
                set(
                    d,
                    "/components/securitySchemes",
                    "basic",
                    json!({"type": "http", "scheme": "basic"}),
                )
            }),
            Patch,
        ),
        SecuritySchemeRemoved => (
            reverse(edited(|d| {
                set(
                    d,
                    "/components/securitySchemes",
                    "basic",
                    json!({"type": "http", "scheme": "basic"}),
                )
            })),
            Patch,
        ),
        SecuritySchemeChanged => (
            edited(|d| {
                set(
                    d,
                    "/components/securitySchemes/key",
                    "name",
                    json!("X-Api-Key"),
                )
            }),
            Patch,
        ),
        // The generated type is named after the component.
        SchemaRefRenamed => (
            edited(|d| {
                *d = serde_json::from_str(&d.to_string().replace("ItemOut", "Product")).unwrap()
            }),
            Major,
        ),
        // A field's Rust type changes.
        TypeChanged(d) => (optional(d, string(), json!({"type": "integer"})), Major),
        TypeWidened => (
            optional(
                Dir::Request,
                json!({"type": "integer"}),
                json!({"type": ["integer", "string"]}),
            ),
            Major,
        ),
        TypeNarrowed => (
            optional(
                Dir::Response,
                json!({"type": ["integer", "string"]}),
                json!({"type": "integer"}),
            ),
            Major,
        ),
        // Option<T> and Nullable<T> are different types.
        BecameNullable(d) => (
            optional(d, string(), json!({"type": ["string", "null"]})),
            Major,
        ),
        BecameNonNullable(d) => (
            optional(d, json!({"type": ["string", "null"]}), string()),
            Major,
        ),
        // Non-exhaustive enums: a variant added breaks no match.
        EnumValueAdded(d) => (
            optional(d, values(&["a", "b"]), values(&["a", "b", "c"])),
            Minor,
        ),
        EnumValueRemoved(d) => (
            optional(d, values(&["a", "b", "c"]), values(&["a", "b"])),
            Major,
        ),
        // String <-> a generated enum.
        EnumAdded(d) => (optional(d, string(), values(&["a", "b"])), Major),
        EnumRemoved(d) => (optional(d, values(&["a", "b"]), string()), Major),
        // Non-exhaustive structs: an optional field (and its setter) is an
        // addition; a required one is an argument of `new`.
        RequestPropertyAdded => (
            prop(Dir::Request, None, Some(string()), (false, false)),
            Minor,
        ),
        RequestPropertyAddedRequired => (
            prop(Dir::Request, None, Some(string()), (false, true)),
            Major,
        ),
        RequestPropertyRemoved => (
            prop(Dir::Request, Some(string()), None, (false, false)),
            Major,
        ),
        ResponsePropertyAdded => (
            prop(Dir::Response, None, Some(string()), (false, false)),
            Minor,
        ),
        ResponsePropertyRemoved => (
            prop(Dir::Response, Some(string()), None, (true, false)),
            Major,
        ),
        ResponseOptionalPropertyRemoved => (
            prop(Dir::Response, Some(string()), None, (false, false)),
            Major,
        ),
        // T <-> Option<T> in a request type; a response type's fields are
        // `Option` either way (decoded tolerantly), so nothing changes there.
        PropertyBecameRequired(d) => (
            prop(d, Some(string()), Some(string()), (false, true)),
            if d == Dir::Request { Major } else { Patch },
        ),
        PropertyBecameOptional(d) => (
            prop(d, Some(string()), Some(string()), (true, false)),
            if d == Dir::Request { Major } else { Patch },
        ),
        UnionVariantAdded(d) => (
            optional(d, union(&["a", "b"]), union(&["a", "b", "c"])),
            Minor,
        ),
        UnionVariantRemoved(d) => (
            optional(d, union(&["a", "b", "c"]), union(&["a", "b"])),
            Major,
        ),
        // Checked at run time, part of no signature.
        Limit(d, limit, change) => (limit_pair(d, limit, change), Patch),
        // A component nothing refers to still gets its type.
        GeneratedItemsChanged => (
            reverse(edited(|d| {
                set(
                    d,
                    "/components/schemas",
                    "Extra",
                    json!({"type": "object", "properties": {"x": {"type": "string"}}}),
                )
            })),
            Major,
        ),
    }
}

fn load_pair(old: &Value, new: &Value) -> (Spec, Spec) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "codegen-diff-impact-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, v: &Value| {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
        load(&[&path], &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    };
    let pair = (write("old.json", old), write("new.json", new));
    let _ = std::fs::remove_dir_all(&dir);
    pair
}

fn show(changes: &[Change]) -> String {
    diff::render(changes, Format::Text, Severity::Error)
}

#[test]
fn every_rule_has_a_generated_pair_and_the_impact_cargo_semver_checks_would_find() {
    let mut failures = Vec::new();
    for rule in Rule::all() {
        let ((old, new), want) = case(rule);
        let (old, new) = load_pair(&old, &new);
        let changes = diff::diff(&old, &new);
        let Some(c) = changes.iter().find(|c| c.rule == rule) else {
            failures.push(format!("{rule}: not reported; got:\n{}", show(&changes)));
            continue;
        };
        if c.impact.semver != want {
            failures.push(format!(
                "{rule}: ottu-client {} (want {}):\n{}",
                c.impact.semver.as_str(),
                want.as_str(),
                show(&changes)
            ));
        }
        // A rule that says no generated item depends on it claims none.
        if matches!(rule.client(), ClientImpact::None(_)) && !c.impact.items.is_empty() {
            failures.push(format!(
                "{rule}: states no items, claims {:?}",
                c.impact.items
            ));
        }
        // The model's items were found by the rule that explains them.
        if rule != Rule::GeneratedItemsChanged
            && changes
                .iter()
                .any(|c| c.rule == Rule::GeneratedItemsChanged)
        {
            failures.push(format!(
                "{rule}: items left unexplained:\n{}",
                show(&changes)
            ));
        }
        // The verdict of the whole pair is the worst change's.
        let bump = changes.iter().map(|c| c.impact.semver).max();
        if bump != Some(want) && bump < Some(want) {
            failures.push(format!("{rule}: bump {bump:?} below {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The webhook payload alias comes from the document's policy, not from an
/// operation: no rule explains it, and the catch-all still reports it.
#[test]
fn the_webhook_payload_alias_is_a_generated_item_too() {
    let with_alias = |d: &mut Value| set(d, "", "x-ottu-webhook-payload", json!("ItemOut"));
    for ((old, new), want) in [
        (edited(with_alias), Minor),
        (reverse(edited(with_alias)), Major),
    ] {
        let (old, new) = load_pair(&old, &new);
        let changes = diff::diff(&old, &new);
        let c = changes
            .iter()
            .find(|c| c.rule == Rule::GeneratedItemsChanged)
            .unwrap_or_else(|| panic!("{}", show(&changes)));
        assert_eq!(c.impact.items, ["WebhookPayload"], "{}", show(&changes));
        assert_eq!(c.impact.semver, want, "{}", show(&changes));
    }
}

#[test]
fn every_rule_is_listed_once_with_an_id_and_a_description() {
    let all = Rule::all();
    let ids: std::collections::BTreeSet<String> = all.iter().map(|r| r.id().into_owned()).collect();
    assert_eq!(ids.len(), all.len(), "ids are unique");
    for r in &all {
        assert!(!r.description().is_empty(), "{r}");
    }
}

#[test]
fn json_reports_carry_each_rules_description() {
    let ((old, new), _) = case(Rule::SuccessStatusRemoved);
    let (old, new) = load_pair(&old, &new);
    let changes = diff::diff(&old, &new);
    let json: Value =
        serde_json::from_str(&diff::render(&changes, Format::Json, Severity::Error)).unwrap();
    let listed = json["changes"].as_array().unwrap();
    assert_eq!(listed.len(), changes.len());
    for (v, c) in listed.iter().zip(&changes) {
        assert_eq!(v["rule"], json!(c.rule.id()));
        assert_eq!(v["description"], json!(c.rule.description()));
    }
    assert_eq!(json["summary"]["ottu_client_semver"], "major");
}
