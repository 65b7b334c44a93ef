//! `cargo xtask generate --spec FILE... --out DIR [--name NAME]`: a complete,
//! buildable client crate for any set of specs (to try a new upstream
//! version before adopting it).

use std::path::PathBuf;
use std::process::ExitCode;

use codegen::{LoadOptions, generate, load};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files or directories (3.0/3.1, JSON/YAML; a directory's `overlays/` apply).
    #[arg(long = "spec", required = true, num_args = 1..)]
    specs: Vec<PathBuf>,
    /// Directory of the crate to write (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Package name of the crate.
    #[arg(long, default_value = "ottu-client")]
    name: String,
    /// Use the documents exactly as given, without overlays.
    #[arg(long)]
    no_overlays: bool,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let spec = load(
        &args.specs,
        &LoadOptions {
            overlays: !args.no_overlays,
        },
    )?;
    let base = std::env::current_dir()?;
    let files = generate::crate_files(&spec, &base, &args.name)?;
    generate::write_atomically(&args.out, &files)?;
    println!("wrote {} files to {}", files.len(), args.out.display());
    // What the client works around (ambiguous unions, keys in examples, ...):
    // a maintainer trying a new upstream version should see it at once.
    let findings = codegen::lint::lint(&spec);
    for f in &findings {
        eprintln!("{f}");
    }
    if !findings.is_empty() {
        eprintln!(
            "{} spec finding(s) above; the client was generated anyway (`cargo xtask lint` explains them)",
            findings.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
