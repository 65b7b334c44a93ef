//! `cargo xtask codegen [--check]`: regenerate `generated/` from `specs/`.
//!
//! When the output changes, it also prints what the spec change means for
//! `ottu-client` users (which items change, and the semver bump), comparing
//! the specs as committed at `HEAD` with the working tree.

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
    let out = root.join("generated");
    let mut files = generate::client_files(&spec, &root)?;
    files.push(generate::client_manifest(&spec, &out)?);
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
    if !stale.is_empty() {
        match committed_specs(&root) {
            Some((dir, old)) => {
                println!("{}", codegen::diff::impact_summary(&old, &spec));
                let _ = std::fs::remove_dir_all(dir);
            }
            None => println!("(no committed specs to compare with: client impact not computed)"),
        }
    }
    println!(
        "wrote {} files to generated/ ({} changed)",
        files.len(),
        stale.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `specs/` as committed at `HEAD`, extracted to a temporary directory and
/// loaded. `None` outside a git checkout or when it does not load.
fn committed_specs(root: &std::path::Path) -> Option<(std::path::PathBuf, codegen::Spec)> {
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("ottu-codegen-head-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let archive = Command::new("git")
        .current_dir(root)
        .args(["archive", "--format=tar", "HEAD", "specs"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut tar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(&dir)
        .stdin(Stdio::piped())
        .spawn()
        .ok()?;
    std::io::Write::write_all(tar.stdin.as_mut()?, &archive.stdout).ok()?;
    drop(tar.stdin.take());
    tar.wait().ok().filter(|s| s.success())?;
    let old = load(&[dir.join("specs")], &LoadOptions { overlays: true }).ok()?;
    Some((dir, old))
}
