//! `cargo xtask validate|contract` as a user runs them: exit codes 0 / 1 / 2,
//! checked choices and the live-mode guards.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in [
        "OTTU_BASE_URL",
        "OTTU_API_KEY",
        "OTTU_SESSION_ID",
        "OTTU_CARD_TOKEN",
        "OTTU_CUSTOMER_ID",
    ] {
        c.env_remove(var);
    }
    c
}

fn specs() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .display()
        .to_string()
}

fn temp(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("contract-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn run(c: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into(),
        String::from_utf8_lossy(&stderr).into(),
    )
}

#[test]
fn validate_exits_0_on_conforming_1_on_drift_2_on_bad_input() {
    let ok = temp("ok.json", r#"{"session_id": ["This field is required."]}"#);
    let (code, out, _) = run(bin()
        .args([
            "validate",
            "--spec",
            &specs(),
            "--operation",
            "auto_debit",
            "--status",
            "400",
        ])
        .arg(&ok));
    assert_eq!(code, 0, "{out}");

    let drift = temp("drift.json", r#"{"detail": 42}"#);
    let (code, out, _) = run(bin()
        .args([
            "validate",
            "--spec",
            &specs(),
            "--operation",
            "auto_debit",
            "--status",
            "400",
            "--format",
            "json",
        ])
        .arg(&drift));
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["kind"], "type-mismatch");
    assert_eq!(v["findings"][0]["pointer"], "/detail");

    let (code, out, _) = run(bin()
        .args([
            "validate",
            "--spec",
            &specs(),
            "--no-overlays",
            "--operation",
            "auto_debit",
            "--status",
            "400",
        ])
        .arg(&ok));
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("ambiguous-union").count(), 1, "{out}");

    let html = temp("page.html", "<html><body>Bad Gateway</body></html>");
    let (code, out, _) = run(bin()
        .args([
            "validate",
            "--spec",
            &specs(),
            "--operation",
            "auto_debit",
            "--status",
            "200",
        ])
        .arg(&html));
    assert_eq!(code, 1);
    assert!(out.contains("body-not-json"), "{out}");

    let (code, _, err) = run(bin()
        .args([
            "validate",
            "--spec",
            &specs(),
            "--operation",
            "nope",
            "--status",
            "200",
        ])
        .arg(&ok));
    assert_eq!(code, 2);
    assert!(err.contains("nope"), "{err}");
    let (code, _, err) = run(bin().args([
        "validate",
        "--spec",
        &specs(),
        "--operation",
        "auto_debit",
        "--status",
        "200",
        "/no/such/file.json",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/file.json"), "{err}");
    let (code, _, _) = run(bin().args([
        "validate",
        "--operation",
        "auto_debit",
        "--status",
        "abc",
        "x",
    ]));
    assert_eq!(code, 2);
}

/// A payment result as Ottu really sends it (`shared/ottu-facts.md`): the
/// saved card's `token` without `pg_name`, no `pg_params`, `settled_amount`
/// as a string. `validate` prints the schema's drift and the client's
/// verdict: it decodes, and what it absorbed.
#[test]
fn validate_prints_the_schema_gap_and_the_client_verdict() {
    let body = temp(
        "webhook.json",
        r#"{"amount": "86.000", "currency_code": "KWD", "result": "success", "state": "paid",
            "session_id": "sess-1", "reference_number": "ref-1", "settled_amount": "0.000",
            "token": {"token": "tok-1", "customer_id": "cust-1", "brand": "VISA"}}"#,
    );
    let args = [
        "validate",
        "--spec",
        &specs(),
        "--operation",
        "auto_debit",
        "--status",
        "200",
    ];
    let (code, out, err) = run(bin().args(args).arg(&body));
    assert_eq!(code, 1, "the schema reports drift: {out}{err}");
    // The schema's verdict: each gap, at its pointer.
    for gap in ["/token", "pg_name", "pg_params", "/settled_amount"] {
        assert!(out.contains(gap), "{gap} missing from: {out}");
    }
    // The client's verdict: decoded, and what it absorbed.
    assert!(out.contains("client: decodes as SchemaWebhook"), "{out}");
    for absorbed in [
        "/token/pg_name: required by the spec, missing",
        "/pg_params: required by the spec, missing",
        "/settled_amount: a number sent as a string, read as the number",
    ] {
        assert!(out.contains(absorbed), "{absorbed} missing from: {out}");
    }
    assert!(!out.contains("tok-1"), "a card token in the report: {out}");

    let (code, out, _) = run(bin().args(args).args(["--format", "json"]).arg(&body));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["client"]["decodes"], true, "{out}");
    let absorbed = v["client"]["absorbed"].as_array().unwrap();
    assert!(
        absorbed
            .iter()
            .any(|a| a["pointer"] == "/token/pg_name" && a["kind"] == "missing-required"),
        "{out}"
    );
    assert!(
        absorbed
            .iter()
            .any(|a| a["pointer"] == "/settled_amount" && a["kind"] == "string-read-as-number"),
        "{out}"
    );

    // A body the client cannot decode: the client's verdict says so.
    let list = temp("list.json", "[1, 2]");
    let (code, out, _) = run(bin().args(args).arg(&list));
    assert_eq!(code, 1);
    assert!(
        out.contains("client: does not decode as SchemaWebhook"),
        "{out}"
    );
}

#[test]
fn contract_refuses_production_and_needs_a_key_for_live_runs() {
    let (code, _, err) = run(bin().args([
        "contract",
        "--spec",
        &specs(),
        "--base-url",
        "https://merchant.ottu.net",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("--allow-production"), "{err}");
    let (code, _, err) = run(bin()
        .args(["contract", "--spec", &specs()])
        .env("OTTU_BASE_URL", "https://merchant.ottu.net"));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(bin().args([
        "contract",
        "--spec",
        &specs(),
        "--base-url",
        "https://merchant.ottu.net",
        "--allow-production",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("OTTU_API_KEY"), "{err}");
}

#[test]
fn contract_against_the_mock_is_green_and_injected_drift_exits_1_with_junit() {
    let (code, out, _) = run(bin().args(["contract", "--spec", &specs(), "--cases", "2"]));
    assert_eq!(code, 0, "{out}");
    let junit = std::env::temp_dir().join(format!("contract-junit-{}.xml", std::process::id()));
    let (code, out, _) = run(bin()
        .args([
            "contract",
            "--spec",
            &specs(),
            "--cases",
            "1",
            "--inject-drift",
            "change-type",
            "--junit",
        ])
        .arg(&junit));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("type-mismatch"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<testsuites") && xml.contains("<failure"));
    let _ = std::fs::remove_file(junit);
    // An added field is a warning: reported, exit 0, unless --fail-on warning.
    let added = |fail_on: &str| {
        run(bin().args([
            "contract",
            "--spec",
            &specs(),
            "--cases",
            "1",
            "--inject-drift",
            "add-field",
            "--fail-on",
            fail_on,
        ]))
    };
    let (code, out, _) = added("error");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("undocumented-property"), "{out}");
    let (code, out, _) = added("warning");
    assert_eq!(code, 1, "{out}");
}

#[test]
fn string_choices_are_checked_and_listed() {
    for (flag, value, listed) in [
        ("--inject-drift", "gremlins", "remove-required"),
        ("--format", "yaml", "markdown"),
        ("--fail-on", "info", "warning"),
    ] {
        let (code, _, err) = run(bin().args(["contract", "--spec", &specs(), flag, value]));
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(err.contains(value) && err.contains(listed), "{err}");
    }
    for (flag, value, listed) in [
        ("--format", "yaml", "junit"),
        ("--fail-on", "bogus", "info"),
    ] {
        let (code, _, err) = run(bin().args(["diff", &specs(), &specs(), flag, value]));
        assert_eq!(code, 2, "diff {flag} {value}: {err}");
        assert!(err.contains(value) && err.contains(listed), "{err}");
    }
}

#[test]
fn spec_writes_the_effective_document_the_mock_serves() {
    let dir = std::env::temp_dir().join(format!("contract-cli-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("effective.json");
    let (code, _, err) =
        run(bin().args(["spec", "--spec", &specs(), "--out", out.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(&out).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
    // Merged: every operation of the four files; overlays applied: the API
    // key scheme and the policy are in it; 3.1; every `$ref` local.
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/b/pbl/v2/card/",
        "/b/pbl/v2/card/{token}/",
        "/b/pbl/v2/auto-debit/",
        "/b/pbl/v2/payment/apple-pay/",
        "/b/pbl/v2/payment/google-pay/",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["apiKeyAuth"]["type"],
        "apiKey"
    );
    assert_eq!(
        doc["paths"]["/b/pbl/v2/auto-debit/"]["post"]["x-ottu-moves-money"],
        true
    );
    assert!(
        !written.contains("\"$ref\": \"./") && !written.contains(".json#"),
        "non-local $ref"
    );
    // The same bytes on standard output, every time.
    let (code, stdout, _) = run(bin().args(["spec", "--spec", &specs()]));
    assert_eq!(code, 0);
    assert_eq!(stdout, written);
    // Without overlays: the documents as vendored (no policy).
    let (_, raw, _) = run(bin().args(["spec", "--spec", &specs(), "--no-overlays"]));
    let raw: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(
        raw["paths"]["/b/pbl/v2/auto-debit/"]["post"]
            .get("x-ottu-moves-money")
            .is_none()
    );
    // Bad input: exit 2 naming the file, nothing written.
    let missing = dir.join("no-such-spec.json");
    let never = dir.join("never.json");
    let (code, _, err) = run(bin().args([
        "spec",
        "--spec",
        missing.to_str().unwrap(),
        "--out",
        never.to_str().unwrap(),
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("no-such-spec.json"), "{err}");
    assert!(!never.exists());
}
