//! `cargo xtask mock [--port N] [--seed S] [--api-key KEY] [--basic USER:PASS] [--bearer TOKEN] [--stateless] [--session-cap N] [--webhook-url URL] [--webhook-key KEY] [--body-limit BYTES] [--read-timeout-ms MS] [--max-connections N] [--threads N] [--no-overlays]`
//!
//! Serves every operation of `specs/` on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use contract_tests::commands::{self, MockOptions};
use contract_tests::mock::{Credentials, MockConfig};

use crate::args::SpecArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed of the generated responses.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The only API key accepted (`Authorization: Api-Key KEY`), where an operation declares an API key.
    #[arg(long, value_name = "KEY", default_value_t = Credentials::default().api_key)]
    api_key: String,
    /// The only Basic credential accepted, where an operation declares Basic.
    #[arg(long, value_name = "USER:PASS", value_parser = basic_arg, default_value_t = default_basic())]
    basic: String,
    /// The only bearer token accepted, where an operation declares bearer.
    #[arg(long, value_name = "TOKEN", default_value_t = Credentials::default().bearer)]
    bearer: String,
    /// Answer every request on its own (canned), remembering no session or card.
    #[arg(long)]
    stateless: bool,
    /// Sessions (and customers) remembered; past it the oldest is forgotten.
    #[arg(long, value_name = "N", default_value_t = MockConfig::default().session_cap)]
    session_cap: usize,
    /// POST every completed payment and operation here, signed with
    /// --webhook-key, retried (a session whose checkout gave a loopback
    /// webhook_url gets its own there instead).
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
    /// The webhook key that signs webhooks and payment results.
    #[arg(long, value_name = "KEY", default_value_t = MockConfig::default().webhook_key)]
    webhook_key: String,
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
    let (basic_user, basic_password) = Credentials::parse_basic(&args.basic)?;
    commands::mock(MockOptions {
        config: MockConfig {
            port: args.port,
            seed: args.seed,
            body_limit: args.body_limit,
            read_timeout: Duration::from_millis(args.read_timeout_ms),
            max_connections: args.max_connections,
            stateless: args.stateless,
            session_cap: args.session_cap,
            webhook_url: args.webhook_url,
            webhook_key: args.webhook_key,
            credentials: Credentials {
                api_key: args.api_key,
                basic_user,
                basic_password,
                bearer: args.bearer,
            },
        },
        threads: args.threads,
        specs: args.spec.specs(),
    })
}

fn default_basic() -> String {
    let c = Credentials::default();
    format!("{}:{}", c.basic_user, c.basic_password)
}

/// `--basic`: checked by clap (exit 2 with the reason), split in [`run`].
fn basic_arg(text: &str) -> Result<String, String> {
    Credentials::parse_basic(text).map(|_| text.to_string())
}
