//! `cargo xtask codegen [--check]`: regenerate `generated/` from `specs/`.

use std::process::ExitCode;

use codegen::{LoadOptions, generate, load};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only compare: exit 1 naming the files that are out of date.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    let root = crate::root();
    let spec = load(&[root.join("specs")], &LoadOptions { overlays: true })?;
    let files = generate::client_files(&spec, &root)?;
    let out = root.join("generated");
    let stale = generate::stale(&out, &files);
    if args.check {
        if stale.is_empty() {
            println!("generated/ is up to date");
            return Ok(ExitCode::SUCCESS);
        }
        for f in &stale {
            println!("stale: generated/{f}");
        }
        println!("run `cargo xtask codegen` to regenerate");
        return Ok(ExitCode::from(1));
    }
    generate::write_atomically(&out, &files)?;
    println!(
        "wrote {} files to generated/ ({} changed)",
        files.len(),
        stale.len()
    );
    Ok(ExitCode::SUCCESS)
}
