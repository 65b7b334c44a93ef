//! `cargo xtask lint [FILES...] [--no-overlays] [--format text|json]`

use std::path::PathBuf;
use std::process::ExitCode;

use codegen::lint::{self, Severity};
use codegen::{LoadOptions, load};

use crate::args::TextOrJson;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, overlays or directories (default: specs/).
    files: Vec<PathBuf>,
    /// Lint the documents exactly as vendored, without overlays.
    #[arg(long)]
    no_overlays: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let inputs = if args.files.is_empty() {
        vec![crate::specs_dir()]
    } else {
        args.files
    };
    let findings = match load(
        &inputs,
        &LoadOptions {
            overlays: !args.no_overlays,
        },
    ) {
        Ok(spec) => lint::lint(&spec),
        // A spec that cannot load at all is reported like any other defect
        // when it is one ($ref, conflict); unreadable input is a usage error.
        Err(e @ (codegen::LoadError::Io { .. } | codegen::LoadError::NoDocuments { .. })) => {
            return Err(e.into());
        }
        Err(e) => vec![lint::from_load_error(&e)],
    };
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if args.format == TextOrJson::Json {
        println!("{}", serde_json::to_string_pretty(&findings)?);
    } else {
        for f in &findings {
            println!("{f}");
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
