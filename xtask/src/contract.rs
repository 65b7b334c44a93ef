//! `cargo xtask contract [--base-url URL] [--format text|json|markdown] [--junit FILE] [--fail-on error|warning] [--inject-drift NAME] ...`
//!
//! The contract suite: against the embedded mock by default, against a
//! live server with `OTTU_BASE_URL` + `OTTU_API_KEY` (or `--base-url`).
//! Exit 1 on error-level drift.

use std::path::PathBuf;
use std::process::ExitCode;

use contract_tests::Severity;
use contract_tests::commands::{self, ContractOptions, ReportFormat};
use contract_tests::suite::Fixtures;

use crate::args::{DriftArg, SpecArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run against a live server (default: `OTTU_BASE_URL`, else the embedded mock).
    #[arg(long)]
    base_url: Option<String>,
    /// Report format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Seed of generated requests and mock responses.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Generated valid (and invalid) requests per operation against the mock.
    #[arg(long, default_value_t = 8)]
    cases: usize,
    /// Allow a live host other than sandbox.ottu.net or loopback.
    #[arg(long)]
    allow_production: bool,
    /// Also run operations that change data or move money (live runs; needs fixtures).
    #[arg(long)]
    allow_payments: bool,
    /// Mock only: make the mock inject this drift into every documented
    /// response, to see the suite catch it.
    #[arg(long, value_enum, value_name = "NAME")]
    inject_drift: Option<DriftArg>,
    /// Ignore OTTU_BASE_URL and run against the embedded mock.
    #[arg(long, conflicts_with = "base_url")]
    mock: bool,
    /// Exit 1 on drift of this severity or worse.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    #[command(flatten)]
    spec: SpecArgs,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Grouped by operation.
    Text,
    /// The whole report, for tools.
    Json,
    /// A summary table (suits $GITHUB_STEP_SUMMARY).
    Markdown,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Drift that breaks clients (the default).
    Error,
    /// Also undeclared properties (the API grew).
    Warning,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let base_url = if args.mock {
        None
    } else {
        args.base_url.or_else(|| env("OTTU_BASE_URL"))
    };
    commands::contract(ContractOptions {
        base_url,
        api_key: env("OTTU_API_KEY"),
        fixtures: Fixtures {
            session_id: env("OTTU_SESSION_ID"),
            card_token: env("OTTU_CARD_TOKEN"),
            customer_id: env("OTTU_CUSTOMER_ID"),
        },
        format: match args.format {
            Format::Text => ReportFormat::Text,
            Format::Json => ReportFormat::Json,
            Format::Markdown => ReportFormat::Markdown,
        },
        junit: args.junit,
        seed: args.seed,
        cases: args.cases,
        allow_production: args.allow_production,
        allow_payments: args.allow_payments,
        inject_drift: args.inject_drift.map(|d| d.0),
        fail_on: match args.fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        },
        specs: args.spec.specs(),
    })
}
