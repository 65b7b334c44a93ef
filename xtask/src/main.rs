//! `cargo xtask <command>`: the one entry point for every maintainer task.
//!
//! Argument parsing and calls into the libraries, nothing else: each
//! command's logic lives in `codegen` or `contract-tests`, where it is tested.
//!
//! Exit codes, for every command: 0 success, 1 the check found something
//! (drift, lint errors, stale output, breaking changes), 2 usage or input error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod bench;
mod codegen;
mod contract;
mod diff;
mod fuzz;
mod generate;
mod lint;
mod mock;
mod spec;
mod validate;

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer tasks for the Ottu OpenAPI toolchain",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report spec defects that break generated clients or validators.
    Lint(lint::Args),
    /// Regenerate generated/ (the ottu-client crate) from specs/; --check only compares.
    Codegen(codegen::Args),
    /// Write a complete client crate for any spec files into a directory.
    Generate(generate::Args),
    /// Measure performance (release build), optionally against peers (Prism, Python jsonschema, Schemathesis).
    Bench(bench::Args),
    /// Classify every change between two spec versions (exit 1 on breaking ones).
    Diff(diff::Args),
    /// Validate one saved response body against the specs (exit 1 on drift).
    Validate(validate::Args),
    /// Serve every operation of the specs on 127.0.0.1 (the embedded mock).
    Mock(mock::Args),
    /// Write the effective spec (merged, overlays applied) that the generator, validators and mock use.
    Spec(spec::Args),
    /// Run the contract suite: embedded mock by default, live with OTTU_BASE_URL.
    Contract(contract::Args),
    /// Run every fuzz target for a bounded time (default 10 s each).
    Fuzz(fuzz::Args),
    /// The bench's baseline: a do-nothing HTTP server (see bench/baseline.rs).
    #[command(hide = true)]
    BenchBaseline(bench::BaselineArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Codegen(args) => codegen::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Mock(args) => mock::run(args),
        Command::Spec(args) => spec::run(args),
        Command::Contract(args) => contract::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::BenchBaseline(args) => bench::baseline(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `specs/` of this repository, relative to the current directory when
/// possible so that reports name `specs/auto-debit.json`, not a long path.
pub fn specs_dir() -> PathBuf {
    relative(&root().join("specs"))
}

/// `path` relative to the current directory, when it is below it.
pub fn relative(path: &std::path::Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(PathBuf::from))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Errors a command reports before exiting 2.
pub type Error = Box<dyn std::error::Error>;
