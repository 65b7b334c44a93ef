//! `cargo xtask fuzz [--seconds N] [--target NAME]`: runs every fuzz target
//! (bolero `check!` tests named `fuzz_*` in each crate's `tests/fuzz.rs`)
//! for a bounded time each, in release.
//!
//! Under plain `cargo test` the same targets run for bolero's default of
//! one second each, so CI always tries fresh random inputs. A crash found
//! here becomes a plain `#[test]` with the failing input beside the target
//! (e.g. `root_replaced_by_a_scalar_is_an_error` in `codegen/tests/fuzz.rs`);
//! bolero would also replay inputs kept in `tests/__fuzz__/<target>/crashes`,
//! but none are kept there.
//! Coverage-guided runs (`cargo bolero test --engine libfuzzer`) need
//! nightly and cargo-bolero; this command needs neither.

use std::process::{Command, ExitCode};

/// Crates that carry a `tests/fuzz.rs`.
const CRATES: [&str; 3] = ["codegen", "contract-tests", "ottu-client"];

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds each target runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Run only targets whose name contains this.
    #[arg(long)]
    target: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let root = crate::root();
    let mut failed = Vec::new();
    for krate in CRATES {
        let dir = match krate {
            "ottu-client" => root.join("generated"),
            other => root.join(other),
        };
        if !dir.join("tests/fuzz.rs").exists() {
            println!("skipped {krate}: no tests/fuzz.rs");
            continue;
        }
        println!("==> fuzzing {krate} ({} s per target)", args.seconds);
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(&root)
            .args([
                "test",
                "--release",
                "--quiet",
                "-p",
                krate,
                "--test",
                "fuzz",
                "--",
            ])
            .arg(args.target.as_deref().unwrap_or("fuzz_"))
            // One target at a time: each gets the whole machine for its time.
            .args(["--test-threads", "1", "--nocapture"])
            .env(
                "BOLERO_RANDOM_TEST_TIME_MS",
                (args.seconds * 1000).to_string(),
            );
        let status = cmd.status()?;
        if !status.success() {
            failed.push(krate);
        }
    }
    if failed.is_empty() {
        println!("no crash found");
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "crashes in: {} (bolero printed the input and BOLERO_RANDOM_SEED to reproduce; add it as a regression test)",
            failed.join(", ")
        );
        Ok(ExitCode::from(1))
    }
}
