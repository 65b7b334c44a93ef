//! The `validate`, `mock` and `contract` commands, shared by `cargo xtask`
//! and the `contract-tests` binary. Exit codes: 0 conforming, 1 drift,
//! 2 usage or input error.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use codegen::{LoadOptions, load};

use crate::finding::Finding;
use crate::mock::{MockConfig, MockServer};
use crate::suite::{self, Fixtures, SuiteConfig, Target};
use crate::validators::Validators;

/// Errors that end a command with exit 2.
pub type Error = Box<dyn std::error::Error>;

/// Options every command shares: which specs, with or without overlays.
#[derive(Debug, Clone, clap::Args)]
pub struct SpecArgs {
    /// Spec files, overlays or directories (default: specs/).
    #[arg(long = "spec", value_name = "PATH")]
    pub specs: Vec<PathBuf>,
    /// Judge against the documents exactly as vendored, without overlays.
    #[arg(long)]
    pub no_overlays: bool,
}

impl SpecArgs {
    /// Loads and compiles the specs (`default_dir` when none were named).
    pub fn validators(&self, default_dir: &Path) -> Result<Validators, Error> {
        let inputs = if self.specs.is_empty() {
            vec![default_dir.to_path_buf()]
        } else {
            self.specs.clone()
        };
        let spec = load(
            &inputs,
            &LoadOptions {
                overlays: !self.no_overlays,
            },
        )?;
        Ok(Validators::new(spec)?)
    }
}

/// `validate --operation ID --status CODE FILE`
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// `operationId` the response belongs to.
    #[arg(long)]
    pub operation: String,
    /// HTTP status of the response.
    #[arg(long)]
    pub status: u16,
    /// The response's Content-Type.
    #[arg(long, default_value = "application/json")]
    pub content_type: String,
    /// The saved response body (`-` for standard input).
    pub file: PathBuf,
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    #[command(flatten)]
    pub spec: SpecArgs,
}

pub fn validate(args: ValidateArgs, default_dir: &Path) -> Result<ExitCode, Error> {
    let validators = args.spec.validators(default_dir)?;
    let body = if args.file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?
    };
    let findings = validators.validate(
        &args.operation,
        args.status,
        Some(&args.content_type),
        &body,
    )?;
    let spec_findings: Vec<&Finding> = validators
        .spec_findings()
        .iter()
        .filter(|f| f.operation.split(", ").any(|o| o == args.operation))
        .collect();
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if args.format == "json" {
        let out = serde_json::json!({ "file": args.file.display().to_string(), "findings": findings, "spec_findings": spec_findings });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for f in &spec_findings {
            println!("spec: {f}");
        }
        for f in &findings {
            println!("{}: {f}", args.file.display());
        }
        let warnings = findings.len() - errors;
        println!("{errors} errors, {warnings} warnings");
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `mock [--port N] [--seed S]`
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
    /// Seed of the generated responses.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Larger request bodies get 413.
    #[arg(long, value_name = "BYTES", default_value_t = MockConfig::default().body_limit)]
    pub body_limit: usize,
    /// Drop a request whose headers or body take longer (408 for a slow body).
    #[arg(long, value_name = "MS", default_value_t = MockConfig::default().read_timeout.as_millis() as u64)]
    pub read_timeout_ms: u64,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = MockConfig::default().max_connections)]
    pub max_connections: usize,
    /// Worker threads (0: one per core; 1: a single-threaded runtime).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub spec: SpecArgs,
}

pub fn mock(args: MockArgs, default_dir: &Path) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let validators = Arc::new(args.spec.validators(default_dir)?);
    let rt = match args.threads {
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        0 => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?,
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build()?,
    };
    rt.block_on(async move {
        let server = MockServer::start(validators.clone(), MockConfig {
            port: args.port,
            seed: args.seed,
            body_limit: args.body_limit,
            read_timeout: std::time::Duration::from_millis(args.read_timeout_ms),
            max_connections: args.max_connections,
        }).await?;
        eprintln!("mock: {} operations on {} (ready in {} ms); Ctrl-C stops", validators.operations.len(), server.base_url(), started.elapsed().as_millis());
        for op in &validators.operations {
            eprintln!("  {:6} {}  ({})", op.method, op.path, op.id);
        }
        eprintln!("  choose a response with `Prefer: code=400` or `Prefer: example=redirect`; inject drift with `X-Mock-Drift: remove-required`");
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        Ok::<_, Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `contract [--base-url URL] [--format text|json|markdown] [--junit FILE] ...`
#[derive(Debug, clap::Args)]
pub struct ContractArgs {
    /// Run against a live server (default: `OTTU_BASE_URL`, else the embedded mock).
    #[arg(long)]
    pub base_url: Option<String>,
    #[arg(long, default_value = "text", value_parser = ["text", "json", "markdown"])]
    pub format: String,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Seed of generated requests and mock responses.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Generated valid (and invalid) requests per operation against the mock.
    #[arg(long, default_value_t = 8)]
    pub cases: usize,
    /// Allow a live host other than sandbox.ottu.net or loopback.
    #[arg(long)]
    pub allow_production: bool,
    /// Also run operations that change data or move money (live runs; needs fixtures).
    #[arg(long)]
    pub allow_payments: bool,
    /// Mock only: make the mock inject this drift into every documented
    /// response (remove-required, change-type, add-enum-value, add-field,
    /// bad-format, too-long, out-of-range, bad-pattern, undocumented-status, wrong-content-type,
    /// not-json, empty-body), to see the suite catch it.
    #[arg(long, value_name = "NAME")]
    pub inject_drift: Option<String>,
    /// Ignore OTTU_BASE_URL and run against the embedded mock.
    #[arg(long, conflicts_with = "base_url")]
    pub mock: bool,
    /// Exit 1 on drift of this severity or worse: `error` (default), or
    /// `warning` to also fail on undeclared properties (the API grew).
    #[arg(long, default_value = "error", value_parser = ["error", "warning"])]
    pub fail_on: String,
    #[command(flatten)]
    pub spec: SpecArgs,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The suite's settings from arguments and environment (no I/O).
pub fn contract_config(args: &ContractArgs) -> Result<SuiteConfig, Error> {
    let base_url = if args.mock {
        None
    } else {
        args.base_url.clone().or_else(|| env("OTTU_BASE_URL"))
    };
    let target = match base_url {
        None => Target::Mock,
        Some(url) => {
            suite::guard(&url, args.allow_production)?;
            let api_key =
                env("OTTU_API_KEY").ok_or("a live run needs OTTU_API_KEY (the private API key)")?;
            Target::Live {
                base_url: url,
                api_key,
            }
        }
    };
    let live = matches!(target, Target::Live { .. });
    if live && args.inject_drift.is_some() {
        return Err("--inject-drift works only against the embedded mock".into());
    }
    Ok(SuiteConfig {
        target,
        seed: args.seed,
        cases: args.cases,
        allow_production: args.allow_production,
        allow_payments: args.allow_payments,
        fixtures: Fixtures {
            session_id: env("OTTU_SESSION_ID"),
            card_token: env("OTTU_CARD_TOKEN"),
            customer_id: env("OTTU_CUSTOMER_ID"),
        },
        progress: live,
        drift: args.inject_drift.clone(),
        ..SuiteConfig::default()
    })
}

pub fn contract(args: ContractArgs, default_dir: &Path) -> Result<ExitCode, Error> {
    let config = contract_config(&args)?;
    let validators = Arc::new(args.spec.validators(default_dir)?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (report, redactor) = rt.block_on(suite::run(validators, config))?;
    let rendered = match args.format.as_str() {
        "json" => report.json(&redactor),
        "markdown" => report.markdown(&redactor),
        _ => report.text(&redactor),
    };
    print!("{rendered}");
    if let Some(path) = &args.junit {
        write_atomic(path, report.junit(&redactor).as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let warned = args.fail_on == "warning" && report.drift_warnings() > 0;
    Ok(if report.failed() > 0 || warned {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes through a temporary file and a rename: never a partial report.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp-contract");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
