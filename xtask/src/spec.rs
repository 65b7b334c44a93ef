//! `cargo xtask spec [--out FILE] [--spec PATH...] [--no-overlays]`
//!
//! Writes the effective document: every spec merged, overlays applied,
//! `$ref`s local, upgraded to OpenAPI 3.1. It is what the generator, the
//! validators and the mock all read, so an independent tool (Schemathesis,
//! Prism, an editor) pointed at it sees exactly what the mock serves.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use contract_tests::commands::Specs;

use crate::args::SpecArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write here (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    spec: SpecArgs,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let text = effective(&args.spec.specs())?;
    match &args.out {
        Some(path) => {
            write_atomic(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The merged document as pretty JSON, keys in document order (the same
/// inputs always give the same bytes), ending in a newline.
fn effective(specs: &Specs) -> Result<String, crate::Error> {
    let spec = codegen::load(
        &specs.inputs,
        &codegen::LoadOptions {
            overlays: specs.overlays,
        },
    )?;
    let mut text = serde_json::to_string_pretty(spec.document())?;
    text.push('\n');
    Ok(text)
}

/// Through a temporary file beside it and a rename: never a partial file.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp-spec");
    let tmp = path.with_file_name(name);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
