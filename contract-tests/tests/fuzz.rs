//! Fuzz targets for the drift judge and the mock server (bolero). Under
//! `cargo test` each runs briefly on random inputs; `cargo xtask fuzz
//! --seconds N` runs them longer. Inputs that ever broke a target are kept
//! as named regression tests at the end of this file.
//!
//! Properties: the judge returns findings for any body of any operation and
//! status, never a panic; the mock answers any request (method, path,
//! headers, body) with a non-5xx status or closes the connection, never
//! hangs or panics.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use contract_tests::Validators;
use contract_tests::loadgen::{raw_request, read_response};
use contract_tests::mock::{MockConfig, MockServer};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

fn validators() -> Arc<Validators> {
    static V: OnceLock<Arc<Validators>> = OnceLock::new();
    V.get_or_init(|| {
        let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let spec =
            codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
        Arc::new(Validators::new(spec).expect("validators compile"))
    })
    .clone()
}

/// Every (operation, status) the specs document, plus undocumented statuses.
fn cases(v: &Validators) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for op in &v.operations {
        for r in &op.responses {
            out.push((op.id.clone(), r.status.code().unwrap_or(500)));
        }
        out.extend([(op.id.clone(), 418), (op.id.clone(), 599)]);
    }
    out
}

const CONTENT_TYPES: [Option<&str>; 5] = [
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/html"),
    Some("application/problem+json"),
    None,
];

fn judge(v: &Validators, cases: &[(String, u16)], selector: u8, body: &[u8]) {
    let (op, status) = &cases[usize::from(selector) % cases.len()];
    let ct = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let findings = v
        .validate(op, *status, ct, body)
        .expect("a known operation");
    for f in findings {
        assert!(!f.message.is_empty(), "{f:?}");
    }
}

#[test]
fn fuzz_drift_arbitrary_bodies() {
    let v = std::panic::AssertUnwindSafe(validators());
    let cases = cases(&v);
    bolero::check!()
        .with_max_len(2048)
        .for_each(|bytes: &[u8]| {
            let Some((&selector, body)) = bytes.split_first() else {
                return;
            };
            judge(&v, &cases, selector, body);
        });
}

/// Valid-JSON bodies built from the bytes (nested objects and arrays of the
/// documented field names), where the judge's schema and union logic runs.
#[test]
fn fuzz_drift_structured_bodies() {
    // `Validators` holds `dyn Validate`, which is not RefUnwindSafe; bolero
    // catches panics per input, and any panic still fails the test.
    let v = std::panic::AssertUnwindSafe(validators());
    let cases = cases(&v);
    let names = [
        "amount",
        "token",
        "detail",
        "session_id",
        "result",
        "state",
        "pg_name",
        "agreements",
        "status",
        "method",
        "html",
        "ws_url",
        "redirect_url",
        "customer_id",
        "brand",
        "number",
        "paid_amount",
        "field_name",
    ];
    bolero::check!().with_max_len(256).for_each(|bytes: &[u8]| {
        let Some((&selector, rest)) = bytes.split_first() else {
            return;
        };
        let mut it = rest.iter().copied();
        let body = build(&mut it, &names, 0);
        judge(&v, &cases, selector, &serde_json::to_vec(&body).unwrap());
    });
}

fn build(it: &mut impl Iterator<Item = u8>, names: &[&str], depth: u8) -> Value {
    let Some(b) = it.next() else {
        return Value::Null;
    };
    match b % 9 {
        0 | 1 if depth < 6 => {
            let n = it.next().unwrap_or(0) % 5;
            Value::Object(
                (0..n)
                    .map(|_| {
                        (
                            names[usize::from(it.next().unwrap_or(0)) % names.len()].to_string(),
                            build(it, names, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        2 if depth < 6 => Value::Array(
            (0..it.next().unwrap_or(0) % 4)
                .map(|_| build(it, names, depth + 1))
                .collect(),
        ),
        3 => json!(i64::from(b) - 128),
        4 => json!(f64::from(b) / 7.0),
        5 => json!(b % 2 == 0),
        6 => json!(
            [
                "sandbox",
                "production",
                "success",
                "3DS",
                "iframe",
                "redirect",
                "kpay",
                "86.000",
                "",
                "paid"
            ][usize::from(b) % 10]
        ),
        7 => json!("x".repeat(usize::from(b))),
        _ => Value::Null,
    }
}

// ---- the mock's request handling ----

struct Mock {
    rt: tokio::runtime::Runtime,
    server: MockServer,
}

fn mock() -> &'static Mock {
    static M: OnceLock<Mock> = OnceLock::new();
    M.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = MockConfig {
            seed: 1,
            body_limit: 16 * 1024,
            read_timeout: Duration::from_secs(2),
            ..MockConfig::default()
        };
        let server = rt
            .block_on(MockServer::start(validators(), config))
            .expect("mock starts");
        Mock { rt, server }
    })
}

/// Sends raw bytes, returns the status, or None when the mock closed the
/// connection without an answer (allowed for unparsable HTTP).
fn send(bytes: &[u8]) -> Option<u16> {
    let m = mock();
    let addr = m.server.addr();
    m.rt.block_on(async move {
        let mut s = TcpStream::connect(addr).await.expect("mock accepts");
        s.write_all(bytes).await.ok()?;
        let _ = s.shutdown().await; // end of request: no slowloris here, the read timeout is tested elsewhere
        let mut buf = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), read_response(&mut s, &mut buf))
            .await
            .expect("the mock hung")
            .ok()
            .map(|(status, _)| status)
    })
}

fn assert_not_5xx(status: Option<u16>, request: &[u8]) {
    assert!(
        status.is_none_or(|s| s < 500),
        "status {status:?} for {:?}",
        String::from_utf8_lossy(request)
    );
}

const METHODS: [&str; 8] = [
    "GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "BREW",
];
const PATHS: [&str; 8] = [
    "/b/pbl/v2/card/",
    "/b/pbl/v2/card/tok_1/?customer_id=c&type=sandbox",
    "/b/pbl/v2/card/%ZZ/?type=",
    "/b/pbl/v2/payment/apple-pay/",
    "/b/pbl/v2/payment/google-pay/",
    "/b/pbl/v2/auto-debit/",
    "/../../etc/passwd",
    "/b/pbl/v2/card/a/b/c/?customer_id=&customer_id=x&type=production",
];
const HEADERS: [(&str, &str); 10] = [
    ("Authorization", "Api-Key mock-api-key"),
    ("Authorization", "Basic !!!"),
    ("Authorization", "Bearer "),
    ("Content-Type", "application/json"),
    ("Content-Type", "application/x-www-form-urlencoded"),
    ("Content-Type", "multipart/form-data; boundary=x"),
    ("Content-Type", "text/csv"),
    ("Prefer", "code=999"),
    ("X-Mock-Drift", "no-such-drift"),
    ("X-Mock-Response", "example=redirect"),
];

/// Well-formed HTTP with arbitrary choices of method, path, headers and body.
#[test]
fn fuzz_mock_requests() {
    bolero::check!().with_max_len(512).for_each(|bytes: &[u8]| {
        let [m, p, h1, h2, h3, rest @ ..] = bytes else {
            return;
        };
        let headers: Vec<(&str, &str)> = [h1, h2, h3]
            .iter()
            .filter(|h| **h & 0x80 == 0)
            .map(|h| HEADERS[usize::from(**h) % HEADERS.len()])
            .collect();
        let request = raw_request(
            METHODS[usize::from(*m) % METHODS.len()],
            PATHS[usize::from(*p) % PATHS.len()],
            &headers,
            rest,
        );
        assert_not_5xx(send(&request), &request);
    });
}

/// Arbitrary bytes after a valid request line: malformed headers, lying
/// lengths, garbage.
#[test]
fn fuzz_mock_raw_bytes() {
    bolero::check!().with_max_len(512).for_each(|bytes: &[u8]| {
        let mut request =
            b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Key mock-api-key\r\n"
                .to_vec();
        request.extend_from_slice(bytes);
        assert_not_5xx(send(&request), &request);
        assert_not_5xx(send(bytes), bytes);
    });
}

// ---- regression inputs (none found so far; add each crash here by name) ----

#[test]
fn regression_form_body_with_broken_percent_escapes_and_repeated_keys() {
    let body = b"customer_id=%&customer_id=%F0%9F&type=%ZZsandbox&pg_codes=%00";
    let request = raw_request(
        "POST",
        "/b/pbl/v2/card/",
        &[
            ("Authorization", "Api-Key mock-api-key"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body,
    );
    assert_not_5xx(send(&request), &request);
}

#[test]
fn regression_json_nested_past_the_parser_limit() {
    let body = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let request = raw_request(
        "POST",
        "/b/pbl/v2/auto-debit/",
        &[
            ("Authorization", "Api-Key mock-api-key"),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    assert_not_5xx(send(&request), &request);
    let v = validators();
    judge(&v, &cases(&v), 0, body.as_bytes());
}
