//! The `validate`, `mock` and `contract` commands as library calls, on
//! typed options (`cargo xtask` parses the command line into them). `Ok`
//! carries the exit code: 0 conforming, 1 drift; an `Err` is a usage or
//! input error (exit 2).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use codegen::{LoadOptions, load};

use crate::finding::{Finding, Severity};
use crate::mock::{Drift, MockConfig, MockServer};
use crate::suite::{self, Fixtures, SuiteConfig, Target};
use crate::validators::Validators;

/// Errors that end a command with exit 2.
pub type Error = Box<dyn std::error::Error>;

/// Which specs to judge against.
#[derive(Debug, Clone)]
pub struct Specs {
    /// Spec files, overlays or directories.
    pub inputs: Vec<PathBuf>,
    /// Apply `overlays/` (fixes of known upstream defects, Ottu policy).
    pub overlays: bool,
}

impl Specs {
    /// Loads and compiles the specs.
    pub fn validators(&self) -> Result<Validators, Error> {
        let spec = load(
            &self.inputs,
            &LoadOptions {
                overlays: self.overlays,
            },
        )?;
        Ok(Validators::new(spec)?)
    }
}

/// How `validate` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidateFormat {
    Text,
    Json,
}

/// `validate`: judge one saved response body.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// `operationId` the response belongs to.
    pub operation: String,
    pub status: u16,
    pub content_type: String,
    /// The saved body; `-` reads standard input.
    pub file: PathBuf,
    pub format: ValidateFormat,
    pub specs: Specs,
}

pub fn validate(args: ValidateOptions) -> Result<ExitCode, Error> {
    let validators = args.specs.validators()?;
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
    // The generated client's verdict beside the schema's: what a caller
    // of the operation method would get from this body.
    let client = ottu_client::decode_response(&args.operation, args.status, &body);
    if args.format == ValidateFormat::Json {
        let out = serde_json::json!({ "file": args.file.display().to_string(), "findings": findings, "spec_findings": spec_findings, "client": client_json(client.as_ref()) });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for f in &spec_findings {
            println!("spec: {f}");
        }
        for f in &findings {
            println!("{}: {f}", args.file.display());
        }
        let warnings = findings.len() - errors;
        println!("schema: {errors} errors, {warnings} warnings");
        match &client {
            Some(v) => println!("client: {v}"),
            None => println!(
                "client: ottu-client does not document status {} for `{}` (Error::UnexpectedStatus)",
                args.status, args.operation
            ),
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The client's verdict as JSON: `decodes`, `type`, `absorbed` (pointer
/// and kind) or `reason`.
fn client_json(verdict: Option<&ottu_client::Verdict>) -> serde_json::Value {
    use ottu_client::{AbsorbedKind, Outcome};
    let Some(v) = verdict else {
        return serde_json::json!({ "decodes": false, "reason": "status not documented for this operation" });
    };
    match &v.outcome {
        Outcome::Decoded(absorbed) => serde_json::json!({
            "decodes": true,
            "type": v.type_name,
            "absorbed": absorbed.iter().map(|a| {
                let (kind, value) = match &a.kind {
                    AbsorbedKind::Missing => ("missing-required", None),
                    AbsorbedKind::Kept => ("kept-in-additional", None),
                    AbsorbedKind::UnknownEnumValue(v) => ("unknown-enum-value", Some(v.clone())),
                    AbsorbedKind::ReadAsNumber => ("string-read-as-number", None),
                };
                serde_json::json!({ "pointer": a.pointer, "kind": kind, "value": value })
            }).collect::<Vec<_>>(),
        }),
        Outcome::Refused(reason) => {
            serde_json::json!({ "decodes": false, "type": v.type_name, "reason": reason })
        }
    }
}

/// `mock`: serve the specs until Ctrl-C.
#[derive(Debug, Clone)]
pub struct MockOptions {
    pub config: MockConfig,
    /// Worker threads (0: one per core; 1: a single-threaded runtime).
    pub threads: usize,
    pub specs: Specs,
}

pub fn mock(args: MockOptions) -> Result<ExitCode, Error> {
    let started = Instant::now();
    let validators = Arc::new(args.specs.validators()?);
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
    let credentials = args.config.credentials.clone();
    let webhooks = match (&args.config.webhook_url, args.config.stateless) {
        (Some(url), false) => {
            format!("completed payments are POSTed to {url}, signed with the --webhook-key")
        }
        (_, true) => "stateless: canned answers, nothing remembered".to_string(),
        (None, false) => {
            "stateful (sessions, saved cards; POST /__mock/reset forgets); no --webhook-url"
                .to_string()
        }
    };
    rt.block_on(async move {
        let server = MockServer::start(validators.clone(), args.config).await?;
        eprintln!("mock: {} operations on {} (ready in {} ms); Ctrl-C stops", validators.operations.len(), server.base_url(), started.elapsed().as_millis());
        for op in &validators.operations {
            eprintln!("  {:6} {}  ({})", op.method, op.path, op.id);
        }
        // Printed on purpose: they are the mock's own test values (given
        // on the command line or the well-known defaults), never Ottu's.
        eprintln!(
            "  credentials: Authorization: {} | {} (user {:?}) | {}; each only where the operation declares its scheme",
            credentials.api_key_header(),
            credentials.basic_header(),
            credentials.basic_user,
            credentials.bearer_header()
        );
        eprintln!("  {webhooks}");
        eprintln!("  choose a response with `Prefer: code=400` or `Prefer: example=redirect`; inject drift with `X-Mock-Drift: remove-required`");
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        Ok::<_, Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// How `contract` renders its report on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
}

/// `contract`: the suite, against the embedded mock or a live server.
#[derive(Debug, Clone)]
pub struct ContractOptions {
    /// A live server; `None` runs against the embedded mock.
    pub base_url: Option<String>,
    /// The live server's private API key (a live run needs it).
    pub api_key: Option<String>,
    /// Values a live run needs to exercise real data.
    pub fixtures: Fixtures,
    pub format: ReportFormat,
    /// Also write a JUnit XML report here.
    pub junit: Option<PathBuf>,
    pub seed: u64,
    /// Generated valid (and invalid) requests per operation against the mock.
    pub cases: usize,
    pub allow_production: bool,
    pub allow_payments: bool,
    /// Mock only: the drift the mock injects into every documented response.
    pub inject_drift: Option<Drift>,
    /// Exit 1 on drift of this severity or worse (`Warning`: also on
    /// undeclared properties, the API grew).
    pub fail_on: Severity,
    pub specs: Specs,
}

/// The suite's settings (no I/O): the live-run guards apply here.
pub fn contract_config(args: &ContractOptions) -> Result<SuiteConfig, Error> {
    let target = match &args.base_url {
        None => Target::Mock,
        Some(url) => {
            suite::guard(url, args.allow_production)?;
            let api_key = args
                .api_key
                .clone()
                .ok_or("a live run needs OTTU_API_KEY (the private API key)")?;
            Target::Live {
                base_url: url.clone(),
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
        fixtures: args.fixtures.clone(),
        progress: live,
        drift: args.inject_drift,
        ..SuiteConfig::default()
    })
}

pub fn contract(args: ContractOptions) -> Result<ExitCode, Error> {
    let config = contract_config(&args)?;
    let validators = Arc::new(args.specs.validators()?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (report, redactor) = rt.block_on(suite::run(validators, config))?;
    let rendered = match args.format {
        ReportFormat::Json => report.json(&redactor),
        ReportFormat::Markdown => report.markdown(&redactor),
        ReportFormat::Text => report.text(&redactor),
    };
    print!("{rendered}");
    if let Some(path) = &args.junit {
        write_atomic(path, report.junit(&redactor).as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let warned = args.fail_on == Severity::Warning && report.drift_warnings() > 0;
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
