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
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Exit 1 when a change at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Compare the documents exactly as vendored, without overlays.
    #[arg(long)]
    no_overlays: bool,
}

/// `--format`: checked by clap, mapped onto the library's type.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Text,
    /// Each change with its rule's id, severity, description and client impact.
    Json,
    Markdown,
    Junit,
}

impl From<DiffFormat> for Format {
    fn from(f: DiffFormat) -> Self {
        match f {
            DiffFormat::Text => Format::Text,
            DiffFormat::Json => Format::Json,
            DiffFormat::Markdown => Format::Markdown,
            DiffFormat::Junit => Format::Junit,
        }
    }
}

/// `--fail-on`: the lowest severity that makes the command exit 1.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FailOn {
    /// Breaks existing clients.
    Error,
    /// May break some clients.
    Warning,
    /// Any change.
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let options = LoadOptions {
        overlays: !args.no_overlays,
    };
    let old = load(&[&args.old], &options).map_err(|e| format!("old spec: {e}"))?;
    let new = load(&[&args.new], &options).map_err(|e| format!("new spec: {e}"))?;
    let format = Format::from(args.format);
    let fail_on = Severity::from(args.fail_on);
    let changes = diff::diff(&old, &new);
    print!("{}", diff::render(&changes, format, fail_on));
    let failed = diff::worst(&changes).is_some_and(|w| w >= fail_on);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
