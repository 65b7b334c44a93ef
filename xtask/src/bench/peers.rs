//! `--peers`: the tools users would otherwise pick, installed pinned into
//! the ignored `.peers/` folder with their own registry clients (only when
//! missing) and run on the same specs and inputs, interleaved with ours.
//! A peer that cannot be installed or run is a skipped row, never a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use contract_tests::Validators;

use super::Ctx;
use super::ours::Case;
use super::process::{Mock, SPEC};
use super::rates::validations_per_second;
use super::server::{Server, free_port};
use super::table::{Row, Target, Unit, ratios, row};
use super::tasks::{CONTRACT_CASES, wall_ms};

pub const PRISM: &str = "@stoplight/prism-cli@5.14.2";
pub const JSONSCHEMA: &str = "jsonschema==4.26.0";
pub const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Bounds one `st run` (per spec file), so `--peers` stays bounded.
const ST_MAX_TIME: Duration = Duration::from_secs(150);

/// Where each peer's executable is, or why it is missing.
#[derive(Debug)]
pub struct Peers {
    pub prism: Result<PathBuf, String>,
    pub python: Result<PathBuf, String>,
    pub schemathesis: Result<PathBuf, String>,
}

/// Installs what is missing; reports progress on stderr (it can take minutes once).
pub fn install(root: &Path) -> Peers {
    let dir = root.join(".peers");
    let prism = dir.join("prism/node_modules/.bin/prism");
    let prism = if prism.exists() {
        Ok(prism)
    } else {
        eprintln!("bench: installing {PRISM} into .peers/prism (once)");
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir.join("prism"))
            .arg(PRISM))
        .and_then(|_| {
            if prism.exists() {
                Ok(prism)
            } else {
                Err("npm install left no prism executable".into())
            }
        })
    };
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let st = venv.join("bin/st");
    let mut python_ok = if python.exists() {
        Ok(())
    } else {
        eprintln!("bench: creating .peers/venv (once)");
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
    };
    let missing = |module: &str| {
        !Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if python_ok.is_ok() && (missing("jsonschema") || !st.exists()) {
        eprintln!("bench: installing {JSONSCHEMA} {SCHEMATHESIS} into .peers/venv (once)");
        python_ok = run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            JSONSCHEMA,
            SCHEMATHESIS,
        ]));
    }
    let python = python_ok.clone().and_then(|_| {
        if missing("jsonschema") {
            Err("python jsonschema not importable".into())
        } else {
            Ok(python.clone())
        }
    });
    let schemathesis = python_ok.and_then(|_| {
        if st.exists() {
            Ok(st)
        } else {
            Err("schemathesis installed no `st`".into())
        }
    });
    Peers {
        prism,
        python,
        schemathesis,
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            err.lines().last().unwrap_or("")
        ))
    }
}

/// Prism serving [`SPEC`] (its default logging, as users run it).
pub fn prism_mock(ctx: &Ctx, prism: &Path) -> Mock {
    let (prism, root) = (prism.to_path_buf(), ctx.root.clone());
    Mock {
        name: "Prism",
        command: Box::new(move |port| {
            let mut c = Command::new(&prism);
            c.current_dir(&root)
                .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), SPEC]);
            c
        }),
        timeout: Duration::from_secs(60),
        slice: ctx
            .plan
            .slice
            .max(Duration::from_secs(if ctx.plan.quick { 1 } else { 2 })),
    }
}

const VALIDATE_PY: &str = r#"
import json, sys, time
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
body = json.load(open(sys.argv[2]))
budget = float(sys.argv[3])
v = Draft202012Validator(schema)
if not v.is_valid(body):
    sys.exit("python jsonschema rejects the body: " + str(next(v.iter_errors(body)).message)[:200])
for _ in range(20):
    v.is_valid(body)
n, start = 0, time.perf_counter()
while True:
    for _ in range(20):
        v.is_valid(body)
    n += 20
    elapsed = time.perf_counter() - start
    if elapsed >= budget:
        break
print(n / elapsed)
"#;

/// Validations/s of the SchemaWebhook body: ours (full judge and raw
/// `jsonschema` crate) vs Python `jsonschema`, runs interleaved.
pub fn python_validation(
    ctx: &Ctx,
    python: &Result<PathBuf, String>,
    validators: &Validators,
    case: Option<&Case>,
) -> Vec<Row> {
    let section =
        "peers: validation vs Python jsonschema 4.26.0 (SchemaWebhook body, same exported schema)";
    let python = match (python, case) {
        (Err(why), _) => return vec![Row::skipped(section, "Python jsonschema", why.clone())],
        (_, None) => {
            return vec![Row::skipped(
                section,
                "Python jsonschema",
                "no SchemaWebhook sample",
            )];
        }
        (Ok(p), Some(_)) => p,
    };
    let Some(case) = case else { return Vec::new() };
    let dir = ctx.root.join(".peers");
    if let Err(why) = write_python_inputs(&dir, case) {
        return vec![Row::skipped(section, "Python jsonschema", why)];
    }
    let budget = format!("{}", ctx.plan.slice.as_secs_f64());
    let python_once = || python_rate(python, &dir, &budget);
    let n = super::ours::validation_n(ctx, validators, case);
    let (mut ours, mut raw, mut py) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ctx.plan.runs + ctx.plan.warmup {
        let Some(rates) =
            validations_per_second(validators, case.operation, case.status, &case.body, n)
        else {
            return vec![Row::skipped(
                section,
                "Python jsonschema",
                "SchemaWebhook has no compiled validator",
            )];
        };
        let p = match python_once() {
            Ok(p) => p,
            Err(e) => return vec![Row::skipped(section, "Python jsonschema", e)],
        };
        if i >= ctx.plan.warmup {
            ours.push(rates.judge);
            raw.push(rates.raw);
            py.push(p);
        }
    }
    vec![
        row(
            section,
            "Python jsonschema validations/s",
            Unit::PerSec,
            &py,
        ),
        row(
            section,
            "ours (full judge) / Python",
            Unit::Ratio,
            &ratios(&ours, &py),
        )
        .target(Target::AtLeast(50.0)),
        row(
            section,
            "raw jsonschema crate / Python",
            Unit::Ratio,
            &ratios(&raw, &py),
        ),
    ]
}

/// The script, the exported `SchemaWebhook` schema and the body, in `.peers/`.
fn write_python_inputs(dir: &Path, case: &Case) -> Result<(), String> {
    let files = [
        ("validate.py", VALIDATE_PY.to_string()),
        ("webhook-schema.json", case.schema.to_string()),
        ("webhook-body.json", case.body.to_string()),
    ];
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).map_err(|e| format!(".peers/{name}: {e}"))?;
    }
    Ok(())
}

/// One run of `validate.py` for `budget` seconds: validations/s.
fn python_rate(python: &Path, dir: &Path, budget: &str) -> Result<f64, String> {
    let out = Command::new(python)
        .current_dir(dir)
        .args([
            "validate.py",
            "webhook-schema.json",
            "webhook-body.json",
            budget,
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse().map_err(|_| {
        format!(
            "python: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("no output")
        )
    })
}

/// Full contract run: ours (`xtask contract --mock`) vs Schemathesis
/// (`st run` of every spec file against our mock), interleaved.
pub fn schemathesis(ctx: &Ctx, st: &Result<PathBuf, String>) -> Vec<Row> {
    let section = "peers: contract run vs Schemathesis 4.32.5 (specs/, against our mock)";
    let st = match st {
        Ok(p) => p,
        Err(why) => return vec![Row::skipped(section, "Schemathesis", why.clone())],
    };
    let specs = match spec_files(&ctx.root) {
        Ok(specs) => specs,
        Err(why) => return vec![Row::skipped(section, "Schemathesis", why)],
    };
    let st_once = || st_run_all(ctx, st, &specs);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..if ctx.plan.quick { 1 } else { 2 } {
        match wall_ms(
            &ctx.exe,
            &ctx.root,
            &["contract", "--mock", "--cases", CONTRACT_CASES],
        ) {
            Ok((ms, _)) => ours.push(ms),
            Err(e) => return vec![Row::skipped(section, "xtask contract", e)],
        }
        match st_once() {
            Ok(ms) => theirs.push(ms),
            Err(e) => return vec![Row::skipped(section, "Schemathesis", e)],
        }
    }
    vec![
        row(
            section,
            format!(
                "Schemathesis st run, {} spec files, --max-examples {CONTRACT_CASES}",
                specs.len()
            ),
            Unit::Ms,
            &theirs,
        )
        .note("mock already up; excludes its startup"),
        row(section, "xtask contract wall time", Unit::Ms, &ours)
            .note("includes load, compile, mock start"),
        row(
            section,
            "contract wall time ours/Schemathesis",
            Unit::Ratio,
            &ratios(&ours, &theirs),
        )
        .note("lower is better"),
    ]
}

/// `specs/*.json`, sorted, as `specs/<name>`.
fn spec_files(root: &Path) -> Result<Vec<String>, String> {
    let dir = std::fs::read_dir(root.join("specs")).map_err(|e| format!("specs/: {e}"))?;
    let mut v: Vec<String> = dir
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("specs/{n}"))
        .collect();
    v.sort();
    Ok(v)
}

/// Milliseconds for `st run` of every spec file against a fresh mock
/// (its startup excluded).
fn st_run_all(ctx: &Ctx, st: &Path, specs: &[String]) -> Result<f64, String> {
    let port = free_port().map_err(|e| e.to_string())?;
    let mut mock = Command::new(&ctx.exe);
    mock.current_dir(&ctx.root)
        .args(["mock", "--port", &port.to_string()])
        .args(["--api-key", "bench-key"]);
    // Any answer (a 404 here) means it is up.
    let probe = b"GET /not-an-operation HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
    let _server = Server::spawn(mock, port, probe, |_| true, Duration::from_secs(10))?;
    let started = Instant::now();
    for spec in specs {
        st_run(ctx, st, spec, port)?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

/// One `st run` of `spec` against the mock on `port`, bounded in time.
fn st_run(ctx: &Ctx, st: &Path, spec: &str, port: u16) -> Result<(), String> {
    // Run inside .peers/: Schemathesis leaves .hypothesis/ and .schemathesis/ in its cwd.
    let spec = format!("../{spec}");
    let mut child = Command::new(st)
        .current_dir(ctx.root.join(".peers"))
        .args([
            "run",
            &spec,
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "--max-examples",
            CONTRACT_CASES,
            "--seed",
            "1",
            "--checks",
            "all",
        ])
        .args(["-H", "Authorization: Api-Key bench-key"])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    // `--max-time` would make it fuzz until the budget is spent, so bound it from outside.
    let deadline = Instant::now() + ST_MAX_TIME;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("st run {spec} took over {ST_MAX_TIME:?}; stopped"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !matches!(status.code(), Some(0 | 1)) {
        return Err(format!("st run {spec}: {status}"));
    }
    Ok(())
}
