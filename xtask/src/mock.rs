//! `cargo xtask mock [--port N] [--seed S] [--body-limit BYTES] [--read-timeout-ms MS] [--max-connections N] [--threads N] [--no-overlays]`
//!
//! Serves every operation of `specs/` on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use contract_tests::commands::{self, MockOptions};
use contract_tests::mock::MockConfig;

use crate::args::SpecArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed of the generated responses.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Larger request bodies get 413.
    #[arg(long, value_name = "BYTES", default_value_t = MockConfig::default().body_limit)]
    body_limit: usize,
    /// Drop a request whose headers or body take longer (408 for a slow body).
    #[arg(long, value_name = "MS", default_value_t = MockConfig::default().read_timeout.as_millis() as u64)]
    read_timeout_ms: u64,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = MockConfig::default().max_connections)]
    max_connections: usize,
    /// Worker threads (0: one per core; 1: a single-threaded runtime).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    #[command(flatten)]
    spec: SpecArgs,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    commands::mock(MockOptions {
        config: MockConfig {
            port: args.port,
            seed: args.seed,
            body_limit: args.body_limit,
            read_timeout: Duration::from_millis(args.read_timeout_ms),
            max_connections: args.max_connections,
        },
        threads: args.threads,
        specs: args.spec.specs(),
    })
}
