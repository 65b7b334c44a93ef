//! The client's example (`generated/examples/ottu_quickstart.rs`), compiled
//! here as a module and run against the embedded mock: a new user copies a
//! program that works, every step of it (list, auto-debit, Google Pay,
//! delete, webhook), not one that only compiles.

#[allow(dead_code, reason = "the example's own main is not called here")]
#[path = "../../generated/examples/ottu_quickstart.rs"]
mod quickstart;

use std::path::PathBuf;
use std::sync::Arc;

use contract_tests::Validators;
use contract_tests::mock::{Credentials, MockConfig, MockServer};
use ottu_client::Secret;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_runs_every_step_against_the_mock() {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec =
        codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
    let validators = Arc::new(Validators::new(spec).expect("validators compile"));
    // The mock accepts only the key it is started with: the example's.
    let config = MockConfig {
        credentials: Credentials {
            api_key: "sk_test_quickstart".into(),
            ..Credentials::default()
        },
        ..MockConfig::default()
    };
    let server = MockServer::start(validators, config)
        .await
        .expect("mock starts");
    let settings = quickstart::Settings {
        base_url: server.base_url(),
        api_key: Secret::new("sk_test_quickstart"),
        customer_id: "customer-1".into(),
        auto_debit_session: Some("sess-1".into()),
        google_pay_session: Some("sess-2".into()),
        delete_card: true,
    };
    let said = quickstart::run(&settings)
        .await
        .expect("every step succeeds");
    let joined = said.join("\n");
    assert!(said.iter().any(|l| l.starts_with("card ")), "{joined}");
    assert!(
        said.iter().any(|l| l.starts_with("auto-debit: ")),
        "{joined}"
    );
    assert!(
        said.iter().any(|l| l.starts_with("google pay: ")),
        "{joined}"
    );
    assert!(
        said.iter().any(|l| l.starts_with("deleted card ")),
        "{joined}"
    );
    // Masked PANs from the mock, never the key.
    assert!(!joined.contains("sk_test_quickstart"), "{joined}");
    server.shutdown().await;
}

#[test]
fn the_example_webhook_handler_verifies_before_it_parses() {
    let body = r#"{"amount":"86.000","currency_code":"KWD","customer_first_name":"example-customer",
        "signature":"6143b8ad4bd283540721ab000f6de746e722231aaaa90bc38f639081d3ff9f67"}"#;
    // Right key: the signature passes, and the partial vector decodes
    // (tolerantly: what it leaves out is `None`).
    let parsed = quickstart::handle_webhook(body, &Secret::new("pu9MpX3yPR")).unwrap();
    let ottu_client::Notification::Payment(payment) = parsed else {
        panic!("{parsed:?}")
    };
    assert_eq!(
        payment.amount.map(|a| a.to_string()).as_deref(),
        Some("86.000")
    );
    assert_eq!(payment.state, None);
    // Wrong key: refused before any parsing.
    let err = quickstart::handle_webhook(body, &Secret::new("not-the-key")).unwrap_err();
    assert!(!err.to_string().starts_with("signature ok"), "{err}");
}
