//! The options example (`generated/examples/ottu_options.rs`), compiled
//! here as a module and run against the embedded mock with the example's
//! own `tracing_subscriber` wiring: a call with a timeout, extra header
//! and retry policy read with its status and headers, Google Pay's typed
//! `channel` header with a timeout, an error's status and headers, a bad
//! option refused; every call traced, the key never.

#[allow(dead_code, reason = "the example's own main is not called here")]
#[path = "../../generated/examples/ottu_options.rs"]
mod options;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use contract_tests::Validators;
use contract_tests::mock::{Credentials, MockConfig, MockServer};
use ottu_client::Secret;

/// The subscriber's output, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: the subscriber is this thread's default.
#[tokio::test(flavor = "current_thread")]
async fn the_options_example_runs_against_the_mock_and_is_traced() {
    const KEY: &str = "sk_test_options_example";
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec =
        codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
    let validators = Arc::new(Validators::new(spec).expect("validators compile"));
    let config = MockConfig {
        credentials: Credentials {
            api_key: KEY.into(),
            ..Credentials::default()
        },
        ..MockConfig::default()
    };
    let server = MockServer::start(validators, config)
        .await
        .expect("mock starts");
    let out = Captured::default();
    let writer = out.clone();
    let _guard = tracing::subscriber::set_default(options::subscriber(move || writer.clone()));
    let settings = options::Settings {
        base_url: server.base_url(),
        api_key: Secret::new(KEY),
        customer_id: "customer-1".into(),
        google_pay_session: Some("sess-options-1".into()),
        refund_session: Some("sess-options-1".into()),
    };
    let said = options::run(&settings).await.expect("every step succeeds");
    let joined = said.join("\n");
    let has = |prefix: &str| said.iter().any(|l| l.starts_with(prefix));
    assert!(
        has("cards: HTTP 200, content-type application/json"),
        "{joined}"
    );
    assert!(has("cards again: "), "{joined}");
    assert!(has("error: HTTP 401 (Unauthorized)"), "{joined}");
    assert!(
        joined.contains("(HTTP 401, content-type application/json)"),
        "{joined}"
    );
    assert!(has("google pay: HTTP 200"), "{joined}");
    assert!(has("refund: HTTP 200"), "{joined}");
    assert!(
        has("refused: invalid request option `header(Authorization)`"),
        "{joined}"
    );
    let traced = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    for field in [
        "ottu.call",
        "operation=\"get_user_cards\"",
        "operation=\"google_direct_payment\"",
        "operation=\"public_operations\"",
        "path=\"/b/pbl/v2/card/\"",
        "status=200",
        "status=401",
    ] {
        assert!(traced.contains(field), "{field} not in:\n{traced}");
    }
    assert!(
        !traced.contains(KEY) && !joined.contains(KEY),
        "{traced}\n{joined}"
    );
}
