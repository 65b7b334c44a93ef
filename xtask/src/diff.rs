//! `cargo xtask diff OLD NEW [--format text|json|markdown|junit] [--fail-on error|warning] [--no-overlays]`

use std::path::PathBuf;
use std::process::ExitCode;

use codegen::diff::{self, Format, Severity};
use codegen::{LoadOptions, load};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old spec: a file or a directory (e.g. the base branch's specs/).
    old: PathBuf,
    /// The new spec: a file or a directory.
    new: PathBuf,
    /// Output format (markdown suits $GITHUB_STEP_SUMMARY).
    #[arg(long, default_value = "text", value_parser = ["text", "json", "markdown", "junit"])]
    format: String,
    /// Exit 1 when a change at or above this severity exists.
    #[arg(long, default_value = "error", value_parser = ["error", "warning", "info"])]
    fail_on: String,
    /// Compare the documents exactly as vendored, without overlays.
    #[arg(long)]
    no_overlays: bool,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let options = LoadOptions {
        overlays: !args.no_overlays,
    };
    let old = load(&[&args.old], &options).map_err(|e| format!("old spec: {e}"))?;
    let new = load(&[&args.new], &options).map_err(|e| format!("new spec: {e}"))?;
    let format: Format = args.format.parse()?;
    let fail_on: Severity = args.fail_on.parse()?;
    let changes = diff::diff(&old, &new);
    print!("{}", diff::render(&changes, format, fail_on));
    let failed = diff::worst(&changes).is_some_and(|w| w >= fail_on);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
