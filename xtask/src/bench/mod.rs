//! `cargo xtask bench [--quick] [--peers] [--builds] [--format text|json]`
//!
//! The project's own performance, one table: spec load, validation (ours vs
//! the raw `jsonschema` crate in the same run), decode, the mock (startup,
//! requests/s and latency at 1/8/64 connections, memory), and the
//! `contract` and `diff` commands, and the clean build time of
//! `ottu-client` per feature set (`--builds`: only those); with `--peers`, ratios against Prism,
//! Python `jsonschema` and Schemathesis measured interleaved on the same
//! inputs. Medians of several runs with min-max: these machines are shared
//! and noisy, so only same-run ratios mean much.
//!
//! The `cargo xtask` alias builds in debug; measuring debug code says
//! nothing, so a debug `bench` re-runs itself with `cargo run --release`.

mod baseline;
mod build;
mod measure;
mod ours;
mod peers;
mod process;
mod rates;
mod server;
mod table;
mod tasks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;

pub use baseline::BaselineArgs;
use contract_tests::loadgen::LoadResult;

use crate::args::TextOrJson;

use measure::Plan;
use table::Row;

/// Set in the release child so it does not re-run itself again.
const MARKER: &str = "OTTU_BENCH_RELEASE";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fewer, shorter runs (about 5 minutes on 2 cores, release build excluded).
    #[arg(long)]
    quick: bool,
    /// Also install (once, into .peers/) and measure Prism, Python jsonschema and Schemathesis.
    #[arg(long)]
    peers: bool,
    /// Only the clean build times of `ottu-client` per feature set (about 15 minutes).
    #[arg(long, conflicts_with_all = ["quick", "peers"])]
    builds: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// What every measurement needs.
#[derive(Debug)]
pub struct Ctx {
    pub plan: Plan,
    pub root: PathBuf,
    /// This binary (release), for `mock`, `contract` and `diff` as processes.
    pub exe: PathBuf,
    pub rt: tokio::runtime::Runtime,
}

impl Ctx {
    pub fn fixture_311(&self) -> PathBuf {
        self.root
            .join("codegen/tests/fixtures/whole-api/ottu-api-3.1.1.json")
    }

    pub fn fixture_largest(&self) -> PathBuf {
        self.root
            .join("codegen/tests/fixtures/whole-api/ottu-api-largest.json")
    }

    pub fn fixture_303(&self) -> PathBuf {
        self.root
            .join("codegen/tests/fixtures/whole-api/ottu-api-3.0.3.yaml")
    }

    /// One load run of `plan.slice` at most (and at most a million requests).
    pub fn load(
        &self,
        addr: SocketAddr,
        connections: usize,
        requests: &Arc<Vec<Vec<u8>>>,
    ) -> LoadResult {
        self.rt.block_on(contract_tests::loadgen::load(
            addr,
            connections,
            1_000_000,
            self.plan.slice,
            requests.clone(),
        ))
    }
}

/// `cargo xtask bench-baseline --port N` (hidden): serves until killed.
pub fn baseline(args: BaselineArgs) -> Result<ExitCode, crate::Error> {
    baseline::serve(args)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    // Build times are cargo's, whatever profile this binary has.
    if cfg!(debug_assertions) && std::env::var_os(MARKER).is_none() && !args.builds {
        return rerun_in_release(&args);
    }
    if cfg!(debug_assertions) && !args.builds {
        eprintln!("bench: warning: debug build; figures are not representative");
    }
    let root = crate::root();
    let ctx = Ctx {
        plan: Plan::new(args.quick),
        exe: std::env::current_exe()?,
        rt: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?,
        root,
    };
    let peers = args.peers.then(|| peers::install(&ctx.root));
    let rows = if args.builds {
        build::build_times(&ctx)
    } else {
        let mut rows = measure_all(&ctx, peers.as_ref());
        eprintln!("bench: clean builds of ottu-client");
        rows.extend(build::build_times(&ctx));
        rows
    };
    let machine = ours::machine();
    if args.format == TextOrJson::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&table::json(&rows, &machine))?
        );
    } else {
        let header = format!(
            "cargo xtask bench{}{}{}: {} cores, {}; median of {} runs (min - max); \
             mock processes, whole commands and peers: {} runs; clean builds: 1 run",
            if args.quick { " --quick" } else { "" },
            if args.builds { " --builds" } else { "" },
            if args.peers { " --peers" } else { "" },
            machine["cores"],
            machine["cpu"].as_str().unwrap_or("?"),
            ctx.plan.runs,
            ctx.plan.slow().runs
        );
        print!("{}", table::text(&rows, &header));
        let missed: Vec<&str> = rows
            .iter()
            .filter(|r| r.met() == Some(false))
            .map(|r| r.name.as_str())
            .collect();
        if !missed.is_empty() {
            println!("targets missed: {}", missed.join("; "));
        }
    }
    // A missed target is information, not a failure: this is not a CI gate.
    Ok(ExitCode::SUCCESS)
}

fn measure_all(ctx: &Ctx, peers: Option<&peers::Peers>) -> Vec<Row> {
    eprintln!("bench: codegen, spec load");
    let mut rows = ours::codegen_time(ctx);
    rows.extend(ours::spec_load(ctx));
    let validators = match ours::build(&ctx.root.join("specs")) {
        Ok(v) => Arc::new(v),
        Err(e) => {
            rows.push(Row::skipped(
                "validation",
                "everything that needs specs/",
                format!("specs/ did not load: {e}"),
            ));
            return rows;
        }
    };
    eprintln!("bench: validation");
    let cases = ours::cases(&validators);
    rows.extend(ours::validation(ctx, &validators, &cases));
    let webhook = cases
        .iter()
        .find_map(|c| c.as_ref().ok().filter(|c| c.label == "SchemaWebhook"));
    rows.extend(ours::decode(ctx, webhook));
    eprintln!("bench: mock in process");
    let requests = Arc::new(contract_tests::loadgen::valid_requests(&validators, 1));
    rows.extend(ours::mock_in_process(ctx, validators.clone(), &requests));
    eprintln!("bench: mock processes");
    rows.extend(mock_processes(ctx, peers));
    eprintln!("bench: commands");
    rows.extend(tasks::contract(ctx));
    rows.push(tasks::diff(ctx));
    if let Some(p) = peers {
        eprintln!("bench: Python jsonschema");
        rows.extend(peers::python_validation(
            ctx,
            &p.python,
            &validators,
            webhook,
        ));
        eprintln!("bench: Schemathesis");
        rows.extend(peers::schemathesis(ctx, &p.schemathesis));
    }
    rows
}

/// Our mock as its own process and, with `--peers`, Prism, interleaved.
fn mock_processes(ctx: &Ctx, peers: Option<&peers::Peers>) -> Vec<Row> {
    const OURS: &str = "mock (own process, specs/auto-debit.json)";
    const VS: &str =
        "peers: mock vs Prism 5.14.2 (own processes, specs/auto-debit.json, same requests)";
    const BASELINE: &str = "baseline: a do-nothing HTTP server as its own process (thread per connection, 2-byte answer)";
    let requests = match process::requests(&ctx.root) {
        Ok(r) => r,
        Err(e) => return vec![Row::skipped(OURS, "mock process", e)],
    };
    let mut mocks = vec![process::ours(ctx), process::baseline(ctx)];
    let mut prism_missing = None;
    match peers.map(|p| &p.prism) {
        Some(Ok(prism)) => mocks.push(peers::prism_mock(ctx, prism)),
        Some(Err(why)) => prism_missing = Some(why.clone()),
        None => {}
    }
    let mut results = process::interleaved(ctx, &mocks, &requests).into_iter();
    let mut rows = Vec::new();
    let ours = results.next();
    match &ours {
        Some(Ok(rounds)) => rows.extend(process::rows(OURS, rounds, true)),
        Some(Err(e)) => rows.push(Row::skipped(OURS, "mock process", e.clone())),
        None => {}
    }
    let baseline = results.next();
    match (&ours, &baseline) {
        (Some(Ok(o)), Some(Ok(f))) => rows.extend(process::baseline_rows(BASELINE, o, f)),
        (_, Some(Err(e))) => rows.push(Row::skipped(BASELINE, "baseline server", e.clone())),
        _ => {}
    }
    if let Some(why) = prism_missing {
        rows.push(Row::skipped(VS, "Prism", why));
    }
    if let Some(prism) = results.next() {
        match (&ours, prism) {
            (Some(Ok(o)), Ok(p)) => {
                rows.extend(process::rows(VS, &p, false).into_iter().map(|mut r| {
                    r.name = format!("Prism {}", r.name);
                    r
                }));
                let baseline = baseline.as_ref().and_then(|f| f.as_deref().ok());
                rows.extend(process::ratio_rows(VS, "Prism", o, &p, baseline));
            }
            (_, Err(e)) => rows.push(Row::skipped(VS, "Prism", e)),
            (_, Ok(_)) => rows.push(Row::skipped(VS, "Prism", "our mock did not run, no ratio")),
        }
    }
    rows
}

/// `cargo run --release -p xtask -- bench ...` with the marker set.
fn rerun_in_release(args: &Args) -> Result<ExitCode, crate::Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(crate::root())
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "xtask",
            "--",
            "bench",
            "--format",
            match args.format {
                TextOrJson::Text => "text",
                TextOrJson::Json => "json",
            },
        ])
        .env(MARKER, "1");
    if args.quick {
        cmd.arg("--quick");
    }
    if args.peers {
        cmd.arg("--peers");
    }
    if args.builds {
        cmd.arg("--builds");
    }
    eprintln!("bench: building and running in release (cargo run --release -p xtask)");
    let status = cmd
        .status()
        .map_err(|e| format!("cargo run --release: {e}"))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(2)),
        None => ExitCode::from(2),
    })
}
