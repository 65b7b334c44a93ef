//! Whole commands timed as processes of this (release) binary, the way a
//! maintainer or CI runs them: `contract` (the suite against the embedded
//! mock) and `diff` on two 26-path specs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::Ctx;
use super::measure::{Plan, repeat};
use super::table::{Row, Target, Unit, row};

/// Wall time in ms of `exe args...` run in `root`, and its exit code.
pub fn wall_ms(exe: &Path, root: &Path, args: &[&str]) -> Result<(f64, i32), String> {
    run_timed(exe, root, args).map(|(ms, code, _)| (ms, code))
}

/// Wall time in ms, exit code and standard output of `exe args...`.
fn run_timed(exe: &Path, root: &Path, args: &[&str]) -> Result<(f64, i32, String), String> {
    let started = Instant::now();
    let out = Command::new(exe)
        .current_dir(root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let code = out.status.code().unwrap_or(-1);
    if !(0..2).contains(&code) {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("exit {code}: {}", err.lines().last().unwrap_or("")));
    }
    Ok((ms, code, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// `samples, exit codes seen, last run's stdout` of `plan` runs.
fn timed(plan: Plan, ctx: &Ctx, args: &[&str]) -> Result<(Vec<f64>, Vec<i32>, String), String> {
    let mut codes = Vec::new();
    let mut stdout = String::new();
    let samples = repeat(plan, || {
        run_timed(&ctx.exe, &ctx.root, args).map(|(ms, code, out)| {
            codes.push(code);
            stdout = out;
            ms
        })
    })?;
    Ok((samples, codes, stdout))
}

fn exit_note(codes: &[i32], one_means: &str) -> String {
    if codes.contains(&1) {
        format!("exit 1 ({one_means})")
    } else {
        "exit 0".into()
    }
}

pub const CONTRACT_CASES: &str = "8";
/// Schemathesis' default `--max-examples`: its ~60 s per spec run.
pub const CONTRACT_CASES_DEFAULT_PEER: &str = "100";

/// The suite at the case count compared with Schemathesis (`--peers`) and at
/// Schemathesis' own default, each with the number of checks it ran.
pub fn contract(ctx: &Ctx) -> Vec<Row> {
    [CONTRACT_CASES, CONTRACT_CASES_DEFAULT_PEER]
        .into_iter()
        .map(|cases| {
            let name =
                format!("xtask contract (embedded mock, specs/, --cases {cases}): wall time");
            let args = ["contract", "--mock", "--cases", cases];
            match timed(ctx.plan.slow(), ctx, &args) {
                Ok((s, codes, stdout)) => {
                    row("commands (release binary, own process)", name, Unit::Ms, &s)
                        .target(Target::AtMost(5000.0))
                        .note(format!(
                            "{}; {}",
                            exit_note(&codes, "drift reported"),
                            checks_run(&stdout)
                        ))
                }
                Err(e) => Row::skipped("commands (release binary, own process)", name, e),
            }
        })
        .collect()
}

/// The report's summary line (`566 passed, 0 failed, ...`).
fn checks_run(stdout: &str) -> String {
    stdout
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .and_then(|l| l.split(';').next())
        .map_or_else(|| "check count unknown".into(), str::to_string)
}

pub fn diff(ctx: &Ctx) -> Row {
    let name = "xtask diff whole-API 3.1.1 JSON vs 3.0.3 YAML: wall time";
    let (old, new) = (ctx.fixture_311(), ctx.fixture_303());
    if !old.exists() || !new.exists() {
        return Row::skipped(
            "commands (release binary, own process)",
            name,
            "whole-API fixtures not found",
        );
    }
    let (old, new) = (old.display().to_string(), new.display().to_string());
    match timed(ctx.plan, ctx, &["diff", &old, &new]) {
        Ok((s, codes, _)) => row("commands (release binary, own process)", name, Unit::Ms, &s)
            .note(exit_note(&codes, "breaking changes found")),
        Err(e) => Row::skipped("commands (release binary, own process)", name, e),
    }
}
