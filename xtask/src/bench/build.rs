//! Clean build times of `ottu-client` per feature set, measured in one run:
//! all features (the default), one API group, and each TLS choice, each a
//! `cargo build -p ottu-client` (debug, this workspace's profile) in a
//! fresh temporary target directory, so every dependency is built as on a
//! user's first build. One run each: a build is minutes, and the runs of
//! one bench share the machine's state, so their ratios compare.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::Ctx;
use super::table::{Row, Unit, row};

const SECTION: &str = "build";

/// `(label, --features)`: every set is `--no-default-features` plus these.
fn feature_sets(openssl: bool) -> Vec<(&'static str, Option<&'static str>)> {
    vec![
        (
            "all features (default: rustls with aws-lc-rs, every API group, tracing)",
            Some("tracing,rustls,all-groups"),
        ),
        (
            "one API group (cards), default TLS and tracing",
            Some("tracing,rustls,cards"),
        ),
        (
            "TLS rustls-ring (rustls with ring), every API group, tracing",
            Some("tracing,rustls-ring,all-groups"),
        ),
        (
            "TLS native-tls (OpenSSL), every API group, tracing",
            openssl.then_some("tracing,native-tls,all-groups"),
        ),
        (
            "lightest: rustls-ring, one API group (cards), no tracing",
            Some("rustls-ring,cards"),
        ),
    ]
}

/// OpenSSL's headers are installed (`native-tls` builds on Linux).
fn has_openssl() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success())
}

/// Seconds of one clean `cargo build -p ottu-client` with `features`.
fn clean_build(root: &Path, features: &str) -> Result<f64, String> {
    let target = std::env::temp_dir().join(format!("ottu-bench-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&target);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "-p",
            "ottu-client",
            "--no-default-features",
        ])
        .args(["--features", features])
        .env("CARGO_TARGET_DIR", &target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cargo: {e}"));
    let secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&target);
    let out = out?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "cargo build failed: {}",
            err.lines().find(|l| l.starts_with("error")).unwrap_or("")
        ));
    }
    Ok(secs)
}

/// One row per feature set; with `quick`, skipped (they take ~15 minutes).
pub fn build_times(ctx: &Ctx) -> Vec<Row> {
    let openssl = has_openssl();
    let sets = feature_sets(openssl);
    let mut rows = Vec::new();
    let mut baseline: Option<f64> = None;
    for (label, features) in sets {
        let name = format!("clean build of ottu-client: {label}");
        let Some(features) = features else {
            rows.push(Row::skipped(
                SECTION,
                name,
                "OpenSSL headers not installed (pkg-config finds no `openssl`; apt install libssl-dev)",
            ));
            continue;
        };
        if ctx.plan.quick {
            rows.push(Row::skipped(SECTION, name, "--quick (about 3 min each)"));
            continue;
        }
        eprintln!("bench: clean build --features {features}");
        let r = match clean_build(&ctx.root, features) {
            Ok(secs) => {
                let base = *baseline.get_or_insert(secs);
                row(SECTION, name, Unit::Secs, &[secs]).note(format!(
                    "--no-default-features --features {features}; {:.0}% of the default",
                    secs / base * 100.0
                ))
            }
            Err(e) => Row::skipped(SECTION, name, e),
        };
        rows.push(r);
    }
    rows
}
