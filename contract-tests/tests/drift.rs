//! The judge on saved bodies: the facts' error bodies with and without the
//! overlay, each drift kind, bad input, and no false drift on thousands of
//! schema-valid samples.

use std::path::PathBuf;

use contract_tests::{Kind, Validators};
use serde_json::{Value, json};

fn specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

fn validators(overlays: bool) -> Validators {
    let spec = codegen::load(&[specs()], &codegen::LoadOptions { overlays }).expect("specs load");
    Validators::new(spec).expect("validators compile")
}

fn judge(v: &Validators, op: &str, status: u16, body: &Value) -> Vec<(Kind, String)> {
    let bytes = serde_json::to_vec(body).unwrap();
    v.validate(op, status, Some("application/json"), &bytes)
        .unwrap()
        .into_iter()
        .map(|f| (f.kind, f.pointer))
        .collect()
}

#[test]
fn field_errors_and_operation_errors_are_judged_by_content_with_and_without_overlays() {
    for overlays in [true, false] {
        let v = validators(overlays);
        for op in [
            "get_user_cards",
            "auto_debit",
            "apple_direct_payment",
            "google_direct_payment",
        ] {
            let fields = json!({"session_id": ["This field is required."]});
            // The vendored spec names its one field `field_name`: without the
            // overlay a real field name is an undeclared property (a warning), never an error.
            let expected = if overlays {
                vec![]
            } else {
                vec![(Kind::UndocumentedProperty, "/session_id".to_string())]
            };
            assert_eq!(
                judge(&v, op, 400, &fields),
                expected,
                "{op} field errors, overlays {overlays}"
            );
            let detail = json!({"detail": "Session is already paid.", "result": "failed"});
            assert_eq!(
                judge(&v, op, 400, &detail),
                vec![],
                "{op} detail, overlays {overlays}"
            );
            // Judged against the branch the content names: a bad `detail` is a type error there.
            let bad = json!({"detail": 5});
            assert_eq!(
                judge(&v, op, 400, &bad),
                vec![(Kind::TypeMismatch, "/detail".to_string())],
                "{op} bad detail, overlays {overlays}"
            );
        }
    }
}

#[test]
fn field_errors_with_a_non_list_value_are_drift_when_the_overlay_says_lists() {
    let v = validators(true);
    let body = json!({"session_id": "This field is required."});
    assert_eq!(
        judge(&v, "auto_debit", 400, &body),
        vec![(Kind::TypeMismatch, "/session_id".to_string())]
    );
}

#[test]
fn the_ambiguous_union_is_a_spec_finding_once_per_union_only_without_overlays() {
    let with = validators(true);
    assert!(
        with.spec_findings().is_empty(),
        "{:?}",
        with.spec_findings()
    );
    let without = validators(false);
    let spec = without.spec_findings();
    assert!(!spec.is_empty());
    assert!(
        spec.iter()
            .all(|f| f.kind == Kind::AmbiguousUnion && !f.is_error())
    );
    let mut unions: Vec<&str> = spec.iter().map(|f| f.schema.as_str()).collect();
    let n = unions.len();
    unions.dedup();
    assert_eq!(unions.len(), n, "each union once");
    assert!(
        spec.iter()
            .any(|f| f.schema.ends_with("UserCardsErrors/oneOf")
                && f.operation.contains("get_user_cards")),
        "{spec:?}"
    );
    // Judging bodies never repeats it.
    let body = serde_json::to_vec(&json!({"customer_id": ["This field is required."]})).unwrap();
    for _ in 0..3 {
        let findings = without
            .validate("get_user_cards", 400, Some("application/json"), &body)
            .unwrap();
        assert!(findings.iter().all(|f| f.kind != Kind::AmbiguousUnion));
    }
}

fn webhook(v: &Validators) -> Value {
    let op = v.operation("auto_debit").unwrap();
    let compiled = op.response(200).unwrap().content[0].1.as_ref().unwrap();
    let schema = v
        .spec
        .document()
        .pointer(&compiled.pointer)
        .unwrap()
        .clone();
    (0..64)
        .map(|s| codegen::sample::instance(&v.spec, &schema, s))
        .find(|b| v.conforms(compiled, b))
        .expect("a conforming sample")
}

#[test]
fn each_body_drift_kind_is_named_at_its_pointer_with_the_schema_location() {
    let v = validators(true);
    let good = webhook(&v);
    assert_eq!(judge(&v, "auto_debit", 200, &good), vec![]);

    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("amount");
    let f = v.validate_value("auto_debit", 200, &b).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].kind, f[0].pointer.as_str()),
        (Kind::MissingRequiredProperty, "/amount")
    );
    assert_eq!(f[0].schema, "/components/schemas/SchemaWebhook/required");
    assert!(f[0].file.ends_with(".json"), "{}", f[0].file);

    let mut b = good.clone();
    b["amount"] = json!(86);
    assert_eq!(
        judge(&v, "auto_debit", 200, &b),
        vec![(Kind::TypeMismatch, "/amount".into())]
    );

    let mut b = good.clone();
    b["result"] = json!("refunded-partially");
    assert_eq!(
        judge(&v, "auto_debit", 200, &b),
        vec![(Kind::ValueOutsideEnum, "/result".into())]
    );

    let mut b = good.clone();
    b["currency_code"] = json!("KWDX");
    assert_eq!(
        judge(&v, "auto_debit", 200, &b),
        vec![(Kind::ConstraintViolated, "/currency_code".into())]
    );

    // Ottu's real quirk: not RFC 3339.
    let mut b = good.clone();
    b["timestamp_utc"] = json!("2023-12-13 13:42:35");
    let f = v.validate_value("auto_debit", 200, &b).unwrap();
    assert_eq!(
        f.iter()
            .map(|f| (f.kind, f.pointer.as_str()))
            .collect::<Vec<_>>(),
        vec![(Kind::FormatViolated, "/timestamp_utc")]
    );
    assert_eq!(
        f[0].schema,
        "/components/schemas/SchemaWebhook/properties/timestamp_utc/format"
    );

    let mut b = good.clone();
    b["will_expire_soon"] = json!(true);
    let f = v.validate_value("auto_debit", 200, &b).unwrap();
    assert_eq!(
        f.iter()
            .map(|f| (f.kind, f.pointer.as_str(), f.is_error()))
            .collect::<Vec<_>>(),
        vec![(Kind::UndocumentedProperty, "/will_expire_soon", false)]
    );

    // Nested, through allOf: the agreement's declared fields.
    let mut b = good.clone();
    b["agreement"]["frequency"] = json!("fortnightly");
    assert_eq!(
        judge(&v, "auto_debit", 200, &b),
        vec![(Kind::ValueOutsideEnum, "/agreement/frequency".into())]
    );
}

#[test]
fn card_list_drift_seen_in_real_payloads() {
    let v = validators(true);
    let op = v.operation("get_user_cards").unwrap();
    let compiled = op.response(200).unwrap().content[0].1.as_ref().unwrap();
    let schema = v
        .spec
        .document()
        .pointer(&compiled.pointer)
        .unwrap()
        .clone();
    let mut cards = (0..64)
        .map(|s| codegen::sample::instance(&v.spec, &schema, s))
        .find(|b| v.conforms(compiled, b) && !b.as_array().unwrap().is_empty())
        .unwrap();
    cards[0].as_object_mut().unwrap().remove("pg_name");
    cards[0]["pg"] = json!("knet");
    let found = judge(&v, "get_user_cards", 200, &cards);
    assert!(
        found.contains(&(Kind::MissingRequiredProperty, "/0/pg_name".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&(Kind::UndocumentedProperty, "/0/pg".into())),
        "{found:?}"
    );
    assert_eq!(found.len(), 2);
}

#[test]
fn google_pay_union_failures_point_into_the_branch_the_content_names() {
    let v = validators(true);
    let redirect = json!({
        "status": "3DS", "reference_number": "REF1", "form_of_payment": "google_pay", "method": "redirect",
        "redirect_url": "https://sandbox.ottu.net/r/", "order_no": "ORD1", "session_id": "abc"
    });
    assert_eq!(judge(&v, "google_direct_payment", 200, &redirect), vec![]);
    let mut bad = redirect.clone();
    bad["redirect_url"] = json!(42);
    assert_eq!(
        judge(&v, "google_direct_payment", 200, &bad),
        vec![(Kind::TypeMismatch, "/redirect_url".into())]
    );
    let mut missing = redirect;
    missing.as_object_mut().unwrap().remove("session_id");
    assert_eq!(
        judge(&v, "google_direct_payment", 200, &missing),
        vec![(Kind::MissingRequiredProperty, "/session_id".into())]
    );
}

#[test]
fn status_content_type_and_bad_bodies() {
    let v = validators(true);
    let one = |status: u16, ct: Option<&str>, body: &[u8]| -> Vec<Kind> {
        v.validate("get_user_cards", status, ct, body)
            .unwrap()
            .into_iter()
            .map(|f| f.kind)
            .collect()
    };
    assert_eq!(
        one(418, Some("application/json"), b"{}"),
        vec![Kind::UndocumentedStatus]
    );
    assert_eq!(
        one(200, Some("application/json"), b""),
        vec![Kind::EmptyBody]
    );
    assert_eq!(
        one(
            200,
            Some("application/json"),
            b"<html><body>502 Bad Gateway</body></html>"
        ),
        vec![Kind::BodyNotJson]
    );
    assert_eq!(
        one(200, Some("text/html; charset=utf-8"), b"[]"),
        vec![Kind::WrongContentType]
    );
    assert_eq!(one(200, None, b"[]"), vec![Kind::WrongContentType]);
    assert_eq!(
        one(200, Some("application/json; charset=utf-8"), b"[]"),
        Vec::<Kind>::new()
    );
    assert_eq!(
        one(200, Some("application/json"), b"{\"truncated\": "),
        vec![Kind::BodyNotJson]
    );
    assert_eq!(
        v.validate("delete_user_cards", 204, None, b"").unwrap(),
        vec![]
    );
    assert_eq!(
        v.validate("delete_user_cards", 204, None, b"{}")
            .unwrap()
            .into_iter()
            .map(|f| f.kind)
            .collect::<Vec<_>>(),
        vec![Kind::UnexpectedBody]
    );
    assert!(v.validate("no_such_operation", 200, None, b"").is_err());
    // Several MB: judged, not a hang or a panic.
    let big: Vec<Value> = (0..15_000).map(|i| json!({"token": format!("tok{i}"), "number": "4111 11** **** 1111", "junk": "x".repeat(300)})).collect();
    let bytes = serde_json::to_vec(&big).unwrap();
    assert!(bytes.len() > 4_000_000);
    let found = v
        .validate("get_user_cards", 200, Some("application/json"), &bytes)
        .unwrap();
    assert!(
        found
            .iter()
            .any(|f| f.kind == Kind::MissingRequiredProperty)
    );
    assert!(
        found
            .iter()
            .any(|f| f.kind == Kind::UndocumentedProperty && f.pointer == "/0/junk")
    );
    assert!(found.len() <= 2 * contract_tests::drift::MAX_FINDINGS);
}

#[test]
fn messages_never_echo_card_tokens_or_pans() {
    let v = validators(true);
    let body = json!([{"token": 123456789, "number": ["4111111111111111"], "brand": null}]);
    let findings = v.validate_value("get_user_cards", 200, &body).unwrap();
    let text: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    let text = text.join("\n");
    assert!(text.contains("/0/token"), "{text}");
    assert!(
        !text.contains("123456789") && !text.contains("4111111111111111"),
        "{text}"
    );
}

#[test]
fn thousands_of_schema_valid_samples_produce_no_findings() {
    for overlays in [true, false] {
        let v = validators(overlays);
        let mut judged = 0;
        for op in &v.operations {
            for resp in &op.responses {
                let Some(status) = resp.status.code() else {
                    continue;
                };
                for (_, compiled) in &resp.content {
                    let Some(compiled) = compiled else { continue };
                    let schema = v
                        .spec
                        .document()
                        .pointer(&compiled.pointer)
                        .unwrap()
                        .clone();
                    let mut valid = 0;
                    for seed in 0..120u64 {
                        let body = codegen::sample::instance(
                            &v.spec,
                            &schema,
                            seed.wrapping_mul(0x9E37_79B9).wrapping_add(status as u64),
                        );
                        // Samples of overlapping union branches can match twice; only strictly valid ones count.
                        if !compiled.validator().is_valid(&body) {
                            continue;
                        }
                        valid += 1;
                        judged += 1;
                        let findings = v.validate_value(&op.id, status, &body).unwrap();
                        assert!(
                            findings.is_empty(),
                            "{} {status} seed {seed}: {findings:?}\n{body}",
                            op.id
                        );
                    }
                    // Without overlays, Ottu's overlapping unions (the
                    // four-branch `ClientErrors`, payment instruments with no
                    // required `instrument_type`; `cargo xtask lint
                    // --no-overlays`) make a sample of one branch often
                    // match another too: not strictly valid (35 and 50 of
                    // 120 measured on checkout's 200 and 400).
                    let floor = if overlays { 60 } else { 30 };
                    assert!(
                        valid >= floor,
                        "{} {status}: only {valid} of 120 samples valid (overlays {overlays})",
                        op.id
                    );
                }
            }
        }
        assert!(judged >= 2_000, "judged {judged}");
    }
}

/// DRF answers a body it cannot parse with `{"detail": "JSON parse error -
/// ..."}` on every endpoint, before any view code runs; with the overlays,
/// every operation that takes JSON and documents a 400 documents that
/// answer too (the checkout update's did not: `--cases 100` found it).
#[test]
fn drf_parse_errors_are_documented_wherever_json_is_taken() {
    let v = validators(true);
    let body = json!({"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"});
    let mut judged = 0;
    for op in &v.operations {
        if op.json_request().is_none() || op.response(400).is_none() {
            continue;
        }
        let findings = v.validate_value(&op.id, 400, &body).unwrap();
        assert_eq!(findings, [], "{}", op.id);
        judged += 1;
    }
    assert!(judged >= 20, "only {judged} operations");
}
