//! The embedded mock: auth, request validation, chosen responses, each
//! injected drift detected at its pointer, and abuse from many connections.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use contract_tests::loadgen::{self, raw_request};
use contract_tests::mock::{Credentials, MockConfig, MockServer};
use contract_tests::{Kind, Validators};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn validators(overlays: bool) -> Arc<Validators> {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec = codegen::load(&[specs], &codegen::LoadOptions { overlays }).expect("specs load");
    Arc::new(Validators::new(spec).expect("validators compile"))
}

async fn start(overlays: bool) -> (Arc<Validators>, MockServer) {
    let v = validators(overlays);
    let server = MockServer::start(
        v.clone(),
        MockConfig {
            seed: 7,
            ..MockConfig::default()
        },
    )
    .await
    .expect("mock starts");
    (v, server)
}

struct Answer {
    status: u16,
    content_type: Option<String>,
    drift_pointer: Option<String>,
    /// `x-mock-drift-applied: none`: the drift had nothing to change.
    drift_not_applied: bool,
    body: Vec<u8>,
}

async fn send(
    server: &MockServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let client = reqwest::Client::new();
    let mut req = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", server.base_url()),
    );
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(b).unwrap());
    }
    let resp = req.send().await.expect("mock answers");
    let status = resp.status().as_u16();
    let header = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (content_type, drift_pointer) = (header("content-type"), header("x-mock-drift-pointer"));
    let drift_not_applied = header("x-mock-drift-applied").as_deref() == Some("none");
    Answer {
        status,
        content_type,
        drift_pointer,
        drift_not_applied,
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

const AUTH: (&str, &str) = ("Authorization", "Api-Key mock-api-key");

fn apple_body() -> Value {
    json!({
        "session_id": "4f6e2a",
        "payload": {
            "paymentData": {"version": "EC_v1", "data": "abc", "signature": "sig", "header": {"publicKeyHash": "h", "transactionId": "t"}},
            "paymentMethod": {"displayName": "Visa 1111", "network": "Visa", "type": "debit"},
            "transactionIdentifier": "tx1"
        }
    })
}

/// Which `Authorization` schemes each operation declares after the
/// overlays (user cards: the private key only; wallets: key or Basic;
/// auto-debit: key, Basic or its SSO bearer token). Ottu's whole API
/// (`Ottu_API.yaml`) adds the private key to every operation; its
/// `tokenAuth` (`Token <key>`) has no credential in the mock, so `Token`
/// is refused everywhere.
const DECLARED: &[(&str, &[&str])] = &[
    ("get_user_cards", &["Api-Key"]),
    ("delete_user_cards", &["Api-Key"]),
    ("apple_direct_payment", &["Api-Key", "Basic"]),
    ("google_direct_payment", &["Api-Key", "Basic"]),
    ("auto_debit", &["Api-Key", "Basic", "Bearer"]),
    ("list_reports", &["Api-Key", "Basic"]),
    ("download_report", &["Api-Key", "Basic"]),
    ("get_pre_payment_option", &["Api-Key", "Basic", "Bearer"]),
    (
        "create_payment_transaction_checkout",
        &["Api-Key", "Basic", "Bearer"],
    ),
    (
        "retrieve_payment_transaction_checkout",
        &["Api-Key", "Basic", "Bearer"],
    ),
    (
        "full_update_payment_transaction_checkout",
        &["Api-Key", "Basic", "Bearer"],
    ),
    (
        "partial_update_payment_transaction_checkout",
        &["Api-Key", "Basic", "Bearer"],
    ),
    ("upload_attachment", &["Api-Key", "Basic", "Bearer"]),
    ("wallet_accounts", &["Api-Key", "Basic", "Bearer"]),
    ("wallet_entries", &["Api-Key", "Basic", "Bearer"]),
    ("wallet_operation_details", &["Api-Key", "Basic", "Bearer"]),
    (
        "wallet_finalization_status",
        &["Api-Key", "Basic", "Bearer"],
    ),
    ("create_invoice", &["Api-Key", "Basic", "Bearer"]),
    (
        "cash_payment_acknowledgement",
        &["Api-Key", "Basic", "Bearer"],
    ),
    ("inquiry", &["Api-Key", "Basic", "Bearer"]),
    ("message_notifications", &["Api-Key", "Basic", "Bearer"]),
    (
        "send_specific_notification",
        &["Api-Key", "Basic", "Bearer"],
    ),
    ("public_operations", &["Api-Key", "Basic", "Bearer"]),
    ("get_payment_methods", &["Api-Key", "Basic", "Bearer"]),
    ("auto_debit_2", &["Api-Key", "Basic", "Bearer"]),
    (
        "cash_payment_acknowledgement_2",
        &["Api-Key", "Basic", "Bearer"],
    ),
    ("wallet_native_payment", &["Api-Key", "Basic"]),
    ("send_notification", &["Api-Key", "Basic", "Bearer"]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_configured_credentials_pass_and_only_under_a_declared_scheme() {
    let credentials = Credentials {
        api_key: "sk_mock_right".into(),
        basic_user: "merchant".into(),
        basic_password: "right-pass".into(),
        bearer: "right-token".into(),
    };
    let v = validators(true);
    let server = MockServer::start(
        v.clone(),
        MockConfig {
            seed: 7,
            credentials: credentials.clone(),
            ..MockConfig::default()
        },
    )
    .await
    .expect("mock starts");
    let right = [
        ("Api-Key", credentials.api_key_header()),
        ("Basic", credentials.basic_header()),
        ("Bearer", credentials.bearer_header()),
    ];
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let wrong = [
        "Api-Key sk_mock_wrong".to_string(),
        "Api-Key right-token".to_string(),
        format!("Basic {}", b64("merchant:wrong-pass")),
        format!("Basic {}", b64("other:right-pass")),
        format!("Basic {}", b64(":")),
        "Basic not-base64!".to_string(),
        "Bearer sk_mock_right".to_string(),
        "Bearer x".to_string(),
        "Token sk_mock_right".to_string(),
        "Api-Key".to_string(),
        String::new(),
    ];
    assert_eq!(v.operations.len(), DECLARED.len());
    for op in &v.operations {
        let declared = DECLARED
            .iter()
            .find(|(id, _)| *id == op.id)
            .unwrap_or_else(|| panic!("{} not in the table", op.id))
            .1;
        let path = op
            .path
            .replace("{token}", "tok")
            .replace("{session_id}", "s1")
            .replace("{channel}", "email");
        let path = if op.method == "DELETE" {
            format!("{path}?customer_id=c1&type=sandbox")
        } else {
            path
        };
        let body = (op.method == "POST").then(|| json!({}));
        let ask = |auth: Option<String>| {
            let (server, path, body) = (&server, &path, &body);
            async move {
                let headers: Vec<(&str, &str)> = auth
                    .as_deref()
                    .map(|a| vec![("Authorization", a)])
                    .unwrap_or_default();
                send(server, &op.method, path, &headers, body.as_ref()).await
            }
        };
        let none = ask(None).await;
        assert_eq!(none.status, 401, "{}: no credentials", op.id);
        assert_eq!(
            serde_json::from_slice::<Value>(&none.body).unwrap(),
            json!({"detail": "Authentication credentials were not provided."})
        );
        for bad in &wrong {
            let got = ask(Some(bad.clone())).await;
            assert_eq!(got.status, 401, "{}: {bad:?}", op.id);
            let detail = serde_json::from_slice::<Value>(&got.body).unwrap();
            assert!(detail["detail"].is_string(), "{}: {detail}", op.id);
        }
        for (scheme, header) in &right {
            let got = ask(Some(header.clone())).await;
            if declared.contains(scheme) {
                // Past authentication: judged on the (empty) body or answered.
                assert_ne!(got.status, 401, "{}: the right {scheme} credential", op.id);
            } else {
                assert_eq!(
                    got.status, 401,
                    "{}: {scheme} is not a scheme it declares",
                    op.id
                );
            }
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_drf_style_errors_naming_each_field() {
    let (v, server) = start(true).await;
    let missing = send(
        &server,
        "POST",
        "/b/pbl/v2/card/",
        &[AUTH],
        Some(&json!({"type": "staging"})),
    )
    .await;
    assert_eq!(missing.status, 400);
    let errors: Value = serde_json::from_slice(&missing.body).unwrap();
    assert_eq!(errors["customer_id"], json!(["This field is required."]));
    assert!(
        errors["type"].as_array().is_some_and(|m| !m.is_empty()),
        "{errors}"
    );
    // The mock's own error bodies conform to the spec.
    assert_eq!(
        v.validate(
            "get_user_cards",
            400,
            missing.content_type.as_deref(),
            &missing.body
        )
        .unwrap(),
        vec![]
    );

    let client = reqwest::Client::new();
    let url = format!("{}/b/pbl/v2/card/", server.base_url());
    let malformed = client
        .post(&url)
        .header("Authorization", "Api-Key mock-api-key")
        .header("Content-Type", "application/json")
        .body("{\"customer_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    let detail: Value = malformed.json().await.unwrap();
    assert!(
        detail["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error"),
        "{detail}"
    );
    let wrong_type = client
        .post(&url)
        .header("Authorization", "Api-Key mock-api-key")
        .header("Content-Type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status().as_u16(), 415);
    let form = client
        .post(&url)
        .header("Authorization", "Api-Key mock-api-key")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("customer_id=c%201&type=sandbox&pg_codes=knet&pg_codes=mpgs")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 200);
    let big = vec![b' '; (1 << 20) + 10];
    let too_big = client
        .post(&url)
        .header("Authorization", "Api-Key mock-api-key")
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status().as_u16(), 413);

    // Query parameters of the delete operation.
    let del = send(
        &server,
        "DELETE",
        "/b/pbl/v2/card/tok123/?type=sandbox",
        &[AUTH],
        None,
    )
    .await;
    assert_eq!(del.status, 400);
    assert_eq!(
        serde_json::from_slice::<Value>(&del.body).unwrap()["customer_id"],
        json!(["This field is required."])
    );
    // Valid, but no saved card has that token: the documented 404.
    let unknown = send(
        &server,
        "DELETE",
        "/b/pbl/v2/card/tok123/?type=sandbox&customer_id=c1",
        &[AUTH],
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        serde_json::from_slice::<Value>(&unknown.body).unwrap(),
        json!({"detail": "Not found."})
    );
    assert_eq!(
        send(&server, "GET", "/b/pbl/v2/card/", &[AUTH], None)
            .await
            .status,
        405
    );
    assert_eq!(
        send(&server, "GET", "/nowhere", &[AUTH], None).await.status,
        404
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefer_chooses_each_documented_response_and_each_conforms() {
    let (v, server) = start(true).await;
    let gp = json!({"session_id": "s1", "payload": {"apiVersion": 2, "apiVersionMinor": 0, "paymentMethodData": {"type": "CARD", "description": "Visa 1111", "info": {}, "tokenizationData": {}}}});
    for (example, marker) in [
        ("schemawebhook", "signature"),
        ("iframe", "ws_url"),
        ("redirect", "redirect_url"),
    ] {
        let prefer = format!("code=200, example={example}");
        let a = send(
            &server,
            "POST",
            "/b/pbl/v2/payment/google-pay/",
            &[AUTH, ("Prefer", &prefer)],
            Some(&gp),
        )
        .await;
        assert_eq!(a.status, 200);
        let body: Value = serde_json::from_slice(&a.body).unwrap();
        assert!(body.get(marker).is_some(), "{example}: {body}");
        assert_eq!(
            v.validate(
                "google_direct_payment",
                200,
                a.content_type.as_deref(),
                &a.body
            )
            .unwrap(),
            vec![],
            "{example}"
        );
    }
    for code in ["400", "401"] {
        let a = send(
            &server,
            "POST",
            "/b/pbl/v2/payment/apple-pay/",
            &[AUTH, ("X-Mock-Response", code)],
            Some(&apple_body()),
        )
        .await;
        assert_eq!(a.status.to_string(), code);
        assert_eq!(
            v.validate(
                "apple_direct_payment",
                a.status,
                a.content_type.as_deref(),
                &a.body
            )
            .unwrap(),
            vec![]
        );
    }
    // Realistic values, not placeholders.
    let a = send(
        &server,
        "POST",
        "/b/pbl/v2/payment/apple-pay/",
        &[AUTH],
        Some(&apple_body()),
    )
    .await;
    let body: Value = serde_json::from_slice(&a.body).unwrap();
    let amount = body["amount"].as_str().unwrap();
    assert!(
        amount.split_once('.').is_some_and(|(_, d)| d.len() == 3),
        "{amount}"
    );
    assert!(!a.body.windows(8).any(|w| w == b"\"string\""));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_drift_is_reported_exactly_at_its_pointer() {
    for overlays in [true, false] {
        let (v, server) = start(overlays).await;
        let cases = [
            ("remove-required", Kind::MissingRequiredProperty),
            ("change-type", Kind::TypeMismatch),
            ("add-enum-value", Kind::ValueOutsideEnum),
            ("add-field", Kind::UndocumentedProperty),
            ("bad-format", Kind::FormatViolated),
            ("too-long", Kind::ConstraintViolated),
            ("out-of-range", Kind::ConstraintViolated),
            ("bad-pattern", Kind::ConstraintViolated),
            ("undocumented-status", Kind::UndocumentedStatus),
            ("wrong-content-type", Kind::WrongContentType),
            ("not-json", Kind::BodyNotJson),
            ("empty-body", Kind::EmptyBody),
        ];
        for (op, path, body, prefer) in [
            (
                "apple_direct_payment",
                "/b/pbl/v2/payment/apple-pay/",
                apple_body(),
                "code=200",
            ),
            (
                "get_user_cards",
                "/b/pbl/v2/card/",
                json!({"customer_id": "c1", "type": "sandbox"}),
                "code=200",
            ),
        ] {
            // Basic is the scheme the wallet documents declare with or
            // without the overlays (which add the API key).
            let basic = Credentials::default().basic_header();
            let auth = if op == "apple_direct_payment" {
                ("Authorization", basic.as_str())
            } else {
                AUTH
            };
            for (drift, kind) in cases {
                let a = send(
                    &server,
                    "POST",
                    path,
                    &[auth, ("Prefer", prefer), ("X-Mock-Drift", drift)],
                    Some(&body),
                )
                .await;
                if a.drift_not_applied {
                    // Nothing of that kind in a card list (e.g. no date-time
                    // field): the mock says so and answers as documented.
                    assert!(
                        op == "get_user_cards"
                            && matches!(drift, "bad-format" | "out-of-range" | "bad-pattern"),
                        "{op} {drift}: {}",
                        String::from_utf8_lossy(&a.body)
                    );
                    assert_eq!(a.status, 200);
                    let findings = v
                        .validate(op, a.status, a.content_type.as_deref(), &a.body)
                        .unwrap();
                    assert!(findings.is_empty(), "{findings:?}");
                    continue;
                }
                let findings = v
                    .validate(op, a.status, a.content_type.as_deref(), &a.body)
                    .unwrap();
                let got: Vec<(Kind, &str)> = findings
                    .iter()
                    .map(|f| (f.kind, f.pointer.as_str()))
                    .collect();
                let pointer = a.drift_pointer.clone().unwrap_or_default();
                assert_eq!(
                    got,
                    vec![(kind, pointer.as_str())],
                    "{op} {drift} overlays {overlays}"
                );
                if !pointer.is_empty() {
                    assert!(pointer.starts_with('/'), "{pointer}");
                }
            }
        }
        let basic = Credentials::default().basic_header();
        let unknown = send(
            &server,
            "POST",
            "/b/pbl/v2/payment/apple-pay/",
            &[
                ("Authorization", basic.as_str()),
                ("X-Mock-Drift", "gremlins"),
            ],
            Some(&apple_body()),
        )
        .await;
        assert_eq!(unknown.status, 400);
        server.shutdown().await;
    }
}

/// Sends raw bytes on a fresh connection and returns the status, or None if the server closed it.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).await.ok()?;
    s.write_all(bytes).await.ok()?;
    let mut buf = Vec::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        loadgen::read_response(&mut s, &mut buf),
    )
    .await
    .ok()?
    .ok()
    .map(|(st, _)| st)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unparsable_requests_get_a_clear_4xx_or_a_closed_connection() {
    let (_, server) = start(true).await;
    let addr = server.addr();
    let garbage = raw(addr, b"\x00\x01\x02 not http at all\r\n\r\n").await;
    assert!(
        garbage.is_none_or(|s| (400..500).contains(&s)),
        "{garbage:?}"
    );
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let r = raw(addr, huge_header.as_bytes()).await;
    assert!(r.is_none_or(|s| (400..500).contains(&s)), "{r:?}");
    let lying_length = b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Key mock-api-key\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{}";
    assert_eq!(raw(addr, lying_length).await, Some(413));
    // A request that never finishes its headers is dropped, not kept forever.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(15), slow.read(&mut buf))
        .await
        .expect("server gives up on a slow client");
    assert!(started.elapsed() < Duration::from_secs(12));
    let text = String::from_utf8_lossy(&buf[..n.unwrap_or(0)]).to_string();
    assert!(
        text.is_empty() || text.contains(" 408 ") || text.contains(" 400 "),
        "{text}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_mixed_requests_from_many_connections_never_get_a_5xx() {
    // A small body limit, so an oversized body fits the socket buffer and the 413 is read back.
    let v = validators(true);
    let server = MockServer::start(
        v.clone(),
        MockConfig {
            seed: 3,
            body_limit: 64 * 1024,
            ..MockConfig::default()
        },
    )
    .await
    .unwrap();
    let mut requests = loadgen::valid_requests(&v, 3);
    let auth = [
        ("Authorization", "Api-Key mock-api-key"),
        ("Content-Type", "application/json"),
    ];
    requests.push(raw_request(
        "POST",
        "/b/pbl/v2/card/",
        &auth,
        b"{\"customer_id\": ",
    ));
    requests.push(raw_request("POST", "/b/pbl/v2/card/", &auth, b"[1, 2, 3]"));
    requests.push(raw_request(
        "POST",
        "/b/pbl/v2/card/",
        &auth,
        b"{\"customer_id\": 5, \"type\": []}",
    ));
    requests.push(raw_request(
        "POST",
        "/b/pbl/v2/card/",
        &[("Content-Type", "application/json")],
        b"{}",
    ));
    requests.push(raw_request(
        "POST",
        "/b/pbl/v2/card/",
        &[
            ("Authorization", "Api-Key mock-api-key"),
            ("Content-Type", "text/csv"),
        ],
        b"a,b",
    ));
    requests.push(raw_request(
        "POST",
        "/b/pbl/v2/payment/google-pay/",
        &auth,
        &vec![b'7'; 100 * 1024],
    ));
    requests.push(raw_request("PATCH", "/b/pbl/v2/auto-debit/", &auth, b"{}"));
    requests.push(raw_request("GET", "/b/pbl/v2/card/%ZZ/../..", &auth, b""));
    requests.push(raw_request(
        "POST",
        "/b/pbl/v2/auto-debit/",
        &[
            ("Authorization", "Api-Key mock-api-key"),
            ("Content-Type", "application/json"),
            ("X-Mock-Drift", "not-json"),
        ],
        b"{\"session_id\": \"s\", \"token\": \"t\"}",
    ));
    let result = loadgen::load(
        server.addr(),
        32,
        6_000,
        Duration::from_secs(60),
        Arc::new(requests),
    )
    .await;
    assert!(result.requests >= 6_000 - result.errors, "{result:?}");
    assert!(result.requests >= 5_000, "{result:?}");
    assert!(
        result.statuses.keys().all(|s| *s < 500),
        "{:?}",
        result.statuses
    );
    assert!(
        result.statuses.get(&413).copied().unwrap_or(0) > 0,
        "{:?}",
        result.statuses
    );
    assert!(
        result.statuses.get(&400).copied().unwrap_or(0) > 0
            && result.statuses.get(&200).copied().unwrap_or(0) > 0
    );
    // Still serving afterwards, and stops cleanly.
    let after = send(
        &server,
        "POST",
        "/b/pbl/v2/card/",
        &[AUTH],
        Some(&json!({"customer_id": "c", "type": "sandbox"})),
    )
    .await;
    assert_eq!(after.status, 200);
    let addr = server.addr();
    server.shutdown().await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "port released after shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_schemas_neither_hang_nor_overflow_the_drift_search() {
    // `Node.parent` is a Node: the nested searches of out-of-range and
    // bad-pattern sample absent objects and descend, boundedly.
    let dir = std::env::temp_dir().join(format!("mock-recursive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("api.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/node/": {"get": {
                "operationId": "get_node",
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Node"}}}}}
            }}},
            "components": {"schemas": {"Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "parent": {"$ref": "#/components/schemas/Node"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
                }
            }}}
        }))
        .unwrap(),
    )
    .unwrap();
    let spec = codegen::load(&[file], &codegen::LoadOptions { overlays: false }).unwrap();
    let v = Arc::new(Validators::new(spec).unwrap());
    let server = MockServer::start(v, MockConfig::default()).await.unwrap();
    let a = send(
        &server,
        "GET",
        "/node/",
        &[AUTH, ("X-Mock-Drift", "bad-pattern")],
        None,
    )
    .await;
    // Nothing to drift: the documented answer, marked.
    assert_eq!(a.status, 200);
    assert!(a.drift_not_applied);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_405_names_the_allowed_methods() {
    let (_, server) = start(true).await;
    for (method, path, allow) in [
        ("GET", "/b/pbl/v2/card/", "POST"),
        ("PUT", "/b/pbl/v2/card/", "POST"),
        ("POST", "/b/pbl/v2/card/tok-1/", "DELETE"),
        ("GET", "/b/pbl/v2/auto-debit/", "POST"),
    ] {
        let resp = reqwest::Client::new()
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", server.base_url()),
            )
            .header("Authorization", "Api-Key mock-api-key")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 405, "{method} {path}");
        assert_eq!(
            resp.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
    }
    server.shutdown().await;
}

/// A multipart body of text fields and one file part.
fn multipart(boundary: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_and_multipart_bodies_are_read_and_judged_like_json() {
    let (_, server) = start(true).await;
    let url = format!("{}/b/pbl/v2/card/", server.base_url());
    let post = |content_type: String, body: Vec<u8>| {
        let url = url.clone();
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .header("Authorization", "Api-Key mock-api-key")
                .header("Content-Type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let form = "application/x-www-form-urlencoded".to_string();
    // An array of strings from one key (`pg_codes=123` is the string "123") or repeated keys.
    for body in [
        "customer_id=c1&type=sandbox&pg_codes=123",
        "customer_id=c1&type=sandbox&pg_codes=knet&pg_codes=456",
        "customer_id=123&type=sandbox",
    ] {
        let (status, answer) = post(form.clone(), body.into()).await;
        assert_eq!(status, 200, "{body}: {answer}");
    }
    // Judged like JSON: the same field errors.
    let (status, answer) = post(form.clone(), b"type=live".to_vec()).await;
    assert_eq!(status, 400);
    assert!(answer["customer_id"].is_array(), "{answer}");
    assert!(answer["type"].is_array(), "{answer}");
    // A key repeated where one value is due is two values: refused.
    let (status, answer) = post(
        form.clone(),
        b"customer_id=a&customer_id=b&type=sandbox".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["customer_id"].is_array(), "{answer}");

    let mp = |b: &str| format!("multipart/form-data; boundary={b}");
    let ok = multipart(
        "XyZ",
        &[
            ("customer_id", "c1"),
            ("type", "sandbox"),
            ("pg_codes", "123"),
            ("pg_codes", "knet"),
        ],
        None,
    );
    let (status, answer) = post(mp("XyZ"), ok).await;
    assert_eq!(status, 200, "{answer}");
    // A file part is a field too (here: where a string is due).
    let with_file = multipart(
        "b0",
        &[("type", "sandbox")],
        Some(("customer_id", b"c-from-file")),
    );
    let (status, answer) = post(mp("\"b0\""), with_file).await;
    assert_eq!(status, 200, "{answer}");
    let missing = multipart("b1", &[("type", "production")], None);
    let (status, answer) = post(mp("b1"), missing).await;
    assert_eq!(status, 400);
    assert!(answer["customer_id"].is_array(), "{answer}");
    // Malformed multipart: a clear 400, never a 415 or a 5xx.
    for (ct, body) in [
        ("multipart/form-data".to_string(), b"--x\r\n\r\n".to_vec()),
        (mp("x"), b"--x--".to_vec()),
        (mp("x"), b"no boundary here".to_vec()),
        (
            mp("x"),
            b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated".to_vec(),
        ),
        (mp("x"), b"--x\r\nX: y\r\n\r\nv\r\n--x--".to_vec()),
    ] {
        let (status, answer) = post(ct.clone(), body.clone()).await;
        if body == b"--x--" {
            // An empty multipart body: no fields, judged like `{}`.
            assert_eq!(status, 400, "{answer}");
            assert!(answer["customer_id"].is_array(), "{answer}");
            continue;
        }
        assert_eq!(status, 400, "{ct}: {answer}");
        assert!(
            answer["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("Multipart form parse error")),
            "{ct}: {answer}"
        );
    }
    // Every operation that declares multipart takes it (no 415).
    let auto_debit = multipart("q", &[("session_id", "s1"), ("token", "tok-1")], None);
    let resp = reqwest::Client::new()
        .post(format!("{}/b/pbl/v2/auto-debit/", server.base_url()))
        .header("Authorization", "Api-Key mock-api-key")
        .header("Content-Type", mp("q"))
        .body(auto_debit)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    server.shutdown().await;
}

/// What Schemathesis (`--checks all`, README) found and the mock now does:
/// a path value outside its pattern is Django's 404, or the documented 400
/// where the operation documents no 404; no body and no type is judged as
/// empty data (never an undocumented 415) and its field errors take the
/// shape the 400 documents; header parameters are judged; a response
/// never carries a `writeOnly` property.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_an_independent_tester_found_stays_fixed() {
    let (v, server) = start(true).await;
    let key = "Api-Key mock-api-key";
    let auth = [("Authorization", key)];

    // retrieve documents 404: a session id outside `^[-\w]+$` is one.
    let got = send(
        &server,
        "GET",
        "/b/checkout/v1/pymt-txn/%C2%84/",
        &auth,
        None,
    )
    .await;
    assert_eq!(got.status, 404);
    assert!(
        v.operation("retrieve_payment_transaction_checkout")
            .unwrap()
            .response(400)
            .is_none()
    );
    // The pre-payment check documents 400 and no 404: a field error.
    let path = "/b/checkout/api/sdk/v1/pre-payment-option-check/%C2%84/";
    let got = send(
        &server,
        "POST",
        path,
        &auth,
        Some(&json!({"pg_code": "knet"})),
    )
    .await;
    assert_eq!(got.status, 400, "{}", String::from_utf8_lossy(&got.body));
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert!(body.get("session_id").is_some(), "{body}");
    assert_eq!(
        v.validate_value("get_pre_payment_option", 400, &body)
            .unwrap(),
        []
    );

    // The upload takes multipart only: nothing at all is an empty form.
    let got = send(
        &server,
        "POST",
        "/b/checkout/v1/upload-attachment/",
        &auth,
        None,
    )
    .await;
    assert_eq!(got.status, 400, "{}", String::from_utf8_lossy(&got.body));
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    // Its 400s give one message per field, not DRF's list.
    assert_eq!(
        v.validate_value("upload_attachment", 400, &body).unwrap(),
        [],
        "{body}"
    );

    // Google Pay's `channel` header is `web_sdk` or `mobile_sdk`.
    let headers = [("Authorization", key), ("channel", "AAA")];
    let got = send(
        &server,
        "POST",
        "/b/pbl/v2/payment/google-pay/",
        &headers,
        Some(&json!({})),
    )
    .await;
    assert_eq!(got.status, 400);
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert!(body.get("channel").is_some(), "{body}");

    // The checkout's writeOnly flags are for requests only.
    let spec = &v.spec;
    let write_only: Vec<&String> = spec
        .document()
        .pointer("/components/schemas/CheckoutGETResponse/properties")
        .and_then(Value::as_object)
        .unwrap()
        .iter()
        .filter(|(_, p)| spec.resolve(p).get("writeOnly") == Some(&Value::Bool(true)))
        .map(|(k, _)| k)
        .collect();
    assert!(write_only.len() >= 3, "{write_only:?}");
    for seed in 0..8 {
        let server = MockServer::start(
            v.clone(),
            MockConfig {
                seed,
                ..MockConfig::default()
            },
        )
        .await
        .expect("mock starts");
        let headers = [("Authorization", key), ("x-mock-response", "200")];
        let got = send(
            &server,
            "GET",
            "/b/checkout/v1/pymt-txn/abc123/",
            &headers,
            None,
        )
        .await;
        assert_eq!(got.status, 200);
        let body: Value = serde_json::from_slice(&got.body).unwrap();
        for k in &write_only {
            assert!(
                body.get(k.as_str()).is_none(),
                "seed {seed}: `{k}` in {body}"
            );
        }
        server.shutdown().await;
    }
    server.shutdown().await;
}
