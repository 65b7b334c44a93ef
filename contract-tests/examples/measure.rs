//! Quick figures for the contract crate (run with `--release`):
//! validations/s vs raw jsonschema, mock startup, mock requests/s at 1/8/64
//! connections. `cargo xtask bench` calls the same `contract_tests::bench` functions.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use contract_tests::bench;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let specs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs")];
    let (startup, server) = bench::mock_startup(&specs, true).await?;
    println!("mock startup: {:.1} ms", startup.as_secs_f64() * 1000.0);
    let spec = codegen::load(&specs, &codegen::LoadOptions { overlays: true })?;
    let v = contract_tests::Validators::new(spec)?;
    let op = v.operation("auto_debit").ok_or("auto_debit")?;
    let compiled = op
        .response(200)
        .and_then(|r| r.content[0].1.as_ref())
        .ok_or("schema")?;
    let schema = v
        .spec
        .document()
        .pointer(&compiled.pointer)
        .cloned()
        .unwrap_or_default();
    let body = (0..64)
        .map(|s| codegen::sample::instance(&v.spec, &schema, s))
        .find(|b| v.conforms(compiled, b))
        .ok_or("sample")?;
    for _ in 0..3 {
        let r =
            bench::validations_per_second(&v, "auto_debit", 200, &body, 200_000).ok_or("bench")?;
        println!(
            "SchemaWebhook validations/s: ours {:.0} (by id {:.0}), raw jsonschema {:.0} (ours/raw {:.2})",
            r.judge,
            r.by_id,
            r.raw,
            r.judge / r.raw
        );
    }
    let requests = Arc::new(bench::valid_requests(&v, 1));
    for conns in [1, 8, 64] {
        let r = bench::load(
            server.addr(),
            conns,
            200_000,
            Duration::from_secs(5),
            requests.clone(),
        )
        .await;
        println!(
            "mock {conns:>2} connections: {:.0} req/s, p50 {} us, p99 {} us, {} requests, {} errors, statuses {:?}",
            r.requests_per_second, r.p50_micros, r.p99_micros, r.requests, r.errors, r.statuses
        );
    }
    server.shutdown().await;
    Ok(())
}
