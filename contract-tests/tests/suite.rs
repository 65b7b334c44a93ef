//! The suite end to end against the embedded mock, the live-mode guards,
//! and redaction in every report format.

use std::path::PathBuf;
use std::sync::Arc;

use contract_tests::mock::{Credentials, Drift, MockConfig, MockServer};
use contract_tests::report::{Outcome, Redactor};
use contract_tests::suite::{self, Fixtures, SuiteConfig, SuiteError, Target};
use contract_tests::{Kind, Validators};

fn validators(overlays: bool) -> Arc<Validators> {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec = codegen::load(&[specs], &codegen::LoadOptions { overlays }).expect("specs load");
    Arc::new(Validators::new(spec).expect("validators compile"))
}

/// Tags balance and the JUnit skeleton is there (no XML dependency needed for that).
fn assert_junit_well_formed(xml: &str) {
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<testsuites") && xml.trim_end().ends_with("</testsuites>"));
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml.split_once("?>").unwrap().1;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').expect("tag closes") + i;
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    for part in xml.split('<').skip(1) {
        let text = part.split_once('>').map(|(_, t)| t).unwrap_or("");
        assert!(
            !text.contains('<') && !text.contains('>'),
            "unescaped text {text}"
        );
        assert!(
            text.split('&')
                .skip(1)
                .all(|e| ["amp;", "lt;", "gt;", "quot;", "apos;"]
                    .iter()
                    .any(|x| e.starts_with(x))),
            "bad entity in {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_is_green_against_the_mock_and_covers_every_documented_status() {
    for overlays in [true, false] {
        let v = validators(overlays);
        let (report, redactor) = suite::run(
            v.clone(),
            SuiteConfig {
                cases: 4,
                ..SuiteConfig::default()
            },
        )
        .await
        .unwrap();
        let text = report.text(&redactor);
        if overlays {
            assert_eq!(report.failed(), 0, "overlays {overlays}:\n{text}");
        } else {
            // Without overlays Ottu's whole API has 400 unions whose
            // branches overlap (`ClientErrors`, the upload's failures):
            // no judge can tell which branch a body is, so a body of one
            // is judged as another. Every failure must be such a 400.
            let ambiguous: Vec<String> = v
                .spec_findings()
                .iter()
                .filter_map(|f| f.schema.strip_suffix("/oneOf").map(str::to_string))
                .collect();
            for c in report.cases.iter().filter(|c| c.outcome == Outcome::Fail) {
                let explained = c.status == Some(400)
                    && v.operation(&c.operation)
                        .and_then(|op| op.response(400))
                        .and_then(|r| r.json_schema())
                        .is_some_and(|j| ambiguous.iter().any(|u| j.schema().pointer(u).is_some()));
                assert!(
                    explained,
                    "overlays false: {} {}:\n{text}",
                    c.operation, c.name
                );
            }
        }
        for op in &v.operations {
            for r in &op.responses {
                let name = format!("documented {}", r.key);
                // Passed, or (no overlays) one of the failures explained above.
                let judged = |o: &Outcome| {
                    *o == Outcome::Pass
                        || (!overlays && *o == Outcome::Fail && r.status.code() == Some(400))
                };
                assert!(
                    report.cases.iter().any(|c| c.operation == op.id
                        && c.name.starts_with(&name)
                        && judged(&c.outcome)),
                    "{} {}",
                    op.id,
                    r.key
                );
            }
            // An invalid request needs a documented 401 (no credentials) or
            // a JSON body and a documented 400 (a multipart upload has neither).
            let invalid_possible = op.response(401).is_some()
                || (op.json_request().is_some() && op.response(400).is_some());
            assert!(
                !invalid_possible
                    || report
                        .cases
                        .iter()
                        .any(|c| c.operation == op.id && c.name.starts_with("invalid")),
                "{}",
                op.id
            );
            assert!(
                report
                    .cases
                    .iter()
                    .any(|c| c.operation == op.id && c.name.starts_with("valid request")),
                "{}",
                op.id
            );
        }
        // Google Pay: each union branch separately.
        for branch in ["schemawebhook", "iframe3dsresponse", "redirect3dsresponse"] {
            assert!(
                report
                    .cases
                    .iter()
                    .any(|c| c.operation == "google_direct_payment" && c.name.contains(branch)),
                "{branch}"
            );
        }
        assert_eq!(report.spec_findings.is_empty(), overlays);
        assert_junit_well_formed(&report.junit(&redactor));
        let md = report.markdown(&redactor);
        assert!(md.contains("| `get_user_cards` |"), "{md}");
        let json: serde_json::Value = serde_json::from_str(&report.json(&redactor)).unwrap();
        assert_eq!(json["cases"].as_array().unwrap().len(), report.cases.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_drift_fails_the_suite_and_is_named_in_junit() {
    let v = validators(true);
    let config = SuiteConfig {
        cases: 1,
        drift: Some(Drift::RemoveRequired),
        ..SuiteConfig::default()
    };
    let (report, redactor) = suite::run(v, config).await.unwrap();
    assert!(report.failed() > 0);
    let missing = report
        .cases
        .iter()
        .flat_map(|c| &c.findings)
        .filter(|f| f.kind == Kind::MissingRequiredProperty)
        .count();
    assert!(missing >= 4, "{}", report.text(&redactor));
    let junit = report.junit(&redactor);
    assert_junit_well_formed(&junit);
    assert!(
        junit.contains("<failure message=\"missing-required-property: required property"),
        "{junit}"
    );
}

#[test]
fn live_runs_refuse_production_hosts_unless_allowed() {
    assert!(suite::guard("https://sandbox.ottu.net", false).is_ok());
    assert!(suite::guard("http://127.0.0.1:4010/", false).is_ok());
    assert!(suite::guard("http://localhost:8080", false).is_ok());
    assert!(suite::guard("http://[::1]:8080", false).is_ok());
    for prod in [
        "https://acme.ottu.net",
        "https://sandbox.ottu.net.evil.example",
        "https://user@10.0.0.1/",
    ] {
        assert!(
            matches!(suite::guard(prod, false), Err(SuiteError::Production(_))),
            "{prod}"
        );
        assert!(suite::guard(prod, true).is_ok(), "{prod}");
    }
    assert!(matches!(
        suite::guard("ftp://sandbox.ottu.net", true),
        Err(SuiteError::BadUrl(_))
    ));
    assert!(matches!(
        suite::guard("sandbox.ottu.net", false),
        Err(SuiteError::BadUrl(_))
    ));
    // A refused URL is echoed without the credentials it may carry.
    let err = suite::guard(
        "ftp://user:hunter2pw@sandbox.ottu.net/?key=sk_live_x",
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(
        !err.contains("hunter2pw") && !err.contains("sk_live_x"),
        "{err}"
    );
    assert!(err.contains("sandbox.ottu.net"), "{err}");
    assert_eq!(
        suite::display_url("https://u:p@sandbox.ottu.net/b/?k=v#f"),
        "https://***@sandbox.ottu.net/b/?***"
    );
    assert_eq!(
        suite::display_url("http://127.0.0.1:4010"),
        "http://127.0.0.1:4010"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_host_sends_nothing() {
    let v = validators(true);
    let config = SuiteConfig {
        target: Target::Live {
            base_url: "https://merchant.ottu.net".into(),
            api_key: "k".into(),
        },
        ..SuiteConfig::default()
    };
    assert!(matches!(
        suite::run(v, config).await,
        Err(SuiteError::Production(_))
    ));
}

const API_KEY: &str = "sk_live_Zq8wVerySecretKey77";
const CARD: &str = "tok_CardTokenSecret_4242";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_mode_is_read_only_without_allow_payments_and_redacts_every_report() {
    let v = validators(true);
    // A "live" server on loopback: the mock itself, taking the live key.
    let config = MockConfig {
        credentials: Credentials {
            api_key: API_KEY.into(),
            ..Credentials::default()
        },
        ..MockConfig::default()
    };
    let server = MockServer::start(v.clone(), config).await.unwrap();
    let fixtures = Fixtures {
        session_id: Some("sess_abcdef123456".into()),
        card_token: Some(CARD.into()),
        customer_id: Some("cust-1".into()),
    };
    let live = |allow_payments| SuiteConfig {
        target: Target::Live {
            base_url: server.base_url(),
            api_key: API_KEY.into(),
        },
        allow_payments,
        fixtures: fixtures.clone(),
        ..SuiteConfig::default()
    };
    let (report, redactor) = suite::run(v.clone(), live(false)).await.unwrap();
    let ran: Vec<&str> = report
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Skip)
        .map(|c| c.operation.as_str())
        .collect();
    // Exactly the operations the policy calls read-only, and all of them.
    let mut ran = ran;
    ran.dedup();
    ran.sort_unstable();
    let mut read_only: Vec<&str> = v
        .operations
        .iter()
        .filter(|o| o.read_only())
        .map(|o| o.id.as_str())
        .collect();
    read_only.sort_unstable();
    assert_eq!(ran, read_only, "{}", report.text(&redactor));
    for id in [
        "get_user_cards",
        "retrieve_payment_transaction_checkout",
        "inquiry",
        "get_payment_methods",
        "list_reports",
    ] {
        assert!(ran.contains(&id), "{id}");
    }
    for skipped in [
        "delete_user_cards",
        "apple_direct_payment",
        "google_direct_payment",
        "auto_debit",
        "public_operations",
        "create_payment_transaction_checkout",
    ] {
        let c = report
            .cases
            .iter()
            .find(|c| c.operation == skipped)
            .unwrap();
        assert_eq!(c.outcome, Outcome::Skip);
        assert!(c.note.contains("--allow-payments"));
    }
    let (report, mut redactor) = suite::run(v.clone(), live(true)).await.unwrap();
    assert!(
        report.cases.iter().all(|c| c.outcome != Outcome::Skip),
        "{}",
        report.text(&redactor)
    );
    assert_eq!(report.failed(), 0, "{}", report.text(&redactor));

    // Every format, even when a finding's text carries a secret.
    let mut report = report;
    let mut leaky = report.cases[0].clone();
    leaky.outcome = Outcome::Fail;
    leaky.note =
        format!("sent Authorization: Api-Key {API_KEY} for card {CARD}; header Basic dXNlcjpwYXNz");
    report.cases.push(leaky);
    report.target = format!("{}?key={API_KEY}", report.target);
    redactor.add("cust-1-not-secret-but-long");
    for out in [
        report.text(&redactor),
        report.json(&redactor),
        report.junit(&redactor),
        report.markdown(&redactor),
    ] {
        assert!(!out.contains(API_KEY), "{out}");
        assert!(!out.contains(CARD), "{out}");
        assert!(!out.contains("sess_abcdef123456"), "{out}");
        assert!(!out.contains("dXNlcjpwYXNz"), "{out}");
        assert!(out.contains("[REDACTED]"));
    }
    server.shutdown().await;
}

#[test]
fn redactor_hides_longest_secret_first_and_credentials_after_schemes() {
    let mut r = Redactor::default();
    r.add("abcd");
    r.add("abcdefgh");
    r.add("ab");
    assert_eq!(
        r.redact("x abcdefgh y abcd z ab"),
        "x [REDACTED] y [REDACTED] z ab"
    );
    assert_eq!(
        r.redact("Bearer eyJhbGciOi.x.y done"),
        "Bearer [REDACTED] done"
    );
    assert!(!format!("{r:?}").contains("abcd"));
    assert!(
        !format!(
            "{:?}",
            Fixtures {
                card_token: Some(CARD.into()),
                ..Fixtures::default()
            }
        )
        .contains(CARD)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_api_fixtures_compile_and_run_green_against_their_own_mock() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/whole-api");
    for file in ["ottu-api-3.1.1.json", "ottu-api-3.0.3.yaml"] {
        let spec = codegen::load(&[dir.join(file)], &codegen::LoadOptions { overlays: false })
            .expect("fixture loads");
        let v = Arc::new(Validators::new(spec).expect("fixture compiles"));
        assert!(v.operations.len() >= 26, "{file}: {}", v.operations.len());
        let (report, redactor) = suite::run(
            v,
            SuiteConfig {
                cases: 2,
                ..SuiteConfig::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(report.failed(), 0, "{file}:\n{}", report.text(&redactor));
    }
}

/// A "live" server on loopback that answers every request with `head`,
/// then `body_len` bytes of JSON whitespace (or closes early when `cut`).
async fn oversized_server(body_len: usize, cut: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 16384];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body_len + 2
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let sent = if cut { body_len / 2 } else { body_len };
                let chunk = vec![b' '; 64 * 1024];
                let mut left = sent;
                while left > 0 {
                    let n = left.min(chunk.len());
                    if sock.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    left -= n;
                }
                if !cut {
                    let _ = sock.write_all(b"[]").await;
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_bodies_too_large_or_cut_short_fail_without_being_judged() {
    let v = validators(true);
    for (len, cut, expected) in [
        (9 << 20, false, "exceeds 8 MiB"),
        (1 << 20, true, "could not be read"),
    ] {
        let config = SuiteConfig {
            target: Target::Live {
                base_url: oversized_server(len, cut).await,
                api_key: "k".into(),
            },
            fixtures: Fixtures {
                customer_id: Some("cust-1".into()),
                ..Fixtures::default()
            },
            ..SuiteConfig::default()
        };
        let (report, _) = suite::run(v.clone(), config).await.unwrap();
        let case = report
            .cases
            .iter()
            .find(|c| c.operation == "get_user_cards" && c.outcome != Outcome::Skip)
            .expect("list cards ran");
        assert_eq!(case.outcome, Outcome::Fail, "{case:?}");
        assert!(case.note.contains(expected), "{}", case.note);
        assert!(case.findings.is_empty(), "{:?}", case.findings);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_name_the_overlays_that_patched_the_specs() {
    for overlays in [true, false] {
        let config = SuiteConfig {
            cases: 0,
            ..SuiteConfig::default()
        };
        let (report, redactor) = suite::run(validators(overlays), config).await.unwrap();
        let text = report.text(&redactor);
        let markdown = report.markdown(&redactor);
        let named = |s: &str| s.contains("ottu-fixes.yaml");
        assert_eq!(named(&text), overlays, "{text}");
        assert_eq!(named(&markdown), overlays, "{markdown}");
        // Without them, the spec's own defect is said once.
        assert_eq!(
            text.matches("ambiguous-union").count() > 0,
            !overlays,
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_in_the_base_url_never_reach_a_report() {
    // Nothing listens on port 1: every request fails with a transport
    // error, whose text would carry the URL.
    let config = SuiteConfig {
        target: Target::Live {
            base_url: "http://merchant:hunter2secret@127.0.0.1:1/?key=qsecretvalue".into(),
            api_key: "k".into(),
        },
        fixtures: Fixtures {
            customer_id: Some("cust-1".into()),
            ..Fixtures::default()
        },
        ..SuiteConfig::default()
    };
    let (report, redactor) = suite::run(validators(true), config).await.unwrap();
    assert!(report.failed() > 0, "{}", report.text(&redactor));
    for out in [
        report.text(&redactor),
        report.json(&redactor),
        report.junit(&redactor),
        report.markdown(&redactor),
    ] {
        assert!(!out.contains("hunter2secret"), "{out}");
        assert!(!out.contains("qsecretvalue"), "{out}");
    }
}
