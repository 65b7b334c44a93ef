//! Mock servers as users run them, each in its own process: ours (the
//! release `xtask mock`) and, with `--peers`, Prism, on the same spec with
//! the same requests and the same load generator, rounds interleaved.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use contract_tests::loadgen::{LoadResult, valid_requests};
use contract_tests::mock::Credentials;

use super::Ctx;
use super::ours::{build, latency_note, load_row};
use super::server::{MemorySampler, Server, free_port};
use super::table::{Row, Target, Unit, ratios, row};

/// The one spec both mocks serve: a vendored file Prism reads as is.
pub const SPEC: &str = "specs/auto-debit.json";
const CONNECTIONS: [usize; 3] = [1, 8, 64];

/// How to start one mock on a given port.
pub struct Mock {
    pub name: &'static str,
    pub command: Box<dyn Fn(u16) -> Command>,
    pub timeout: Duration,
    /// Time bound of one load run: a slow peer (tens of ms per request)
    /// needs longer runs than `plan.slice` for its figures to mean anything.
    pub slice: Duration,
}

impl std::fmt::Debug for Mock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mock").field("name", &self.name).finish()
    }
}

/// Our mock: this (release) binary's `mock` command.
pub fn ours(ctx: &Ctx) -> Mock {
    let (exe, root) = (ctx.exe.clone(), ctx.root.clone());
    Mock {
        name: "ours",
        command: Box::new(move |port| {
            let mut c = Command::new(&exe);
            c.current_dir(&root)
                .args(["mock", "--port", &port.to_string(), "--spec", SPEC])
                .args(["--basic", "bench:bench"]);
            c
        }),
        timeout: Duration::from_secs(10),
        slice: ctx.plan.slice,
    }
}

/// The baseline (see `baseline.rs`): this binary's hidden `bench-baseline` command.
pub fn baseline(ctx: &Ctx) -> Mock {
    let exe = ctx.exe.clone();
    Mock {
        name: "baseline",
        command: Box::new(move |port| {
            let mut c = Command::new(&exe);
            c.args(["bench-baseline", "--port", &port.to_string()]);
            c
        }),
        timeout: Duration::from_secs(10),
        slice: ctx.plan.slice,
    }
}

/// One spawn: startup, load at each connection count, memory.
#[derive(Debug)]
pub struct Round {
    pub startup_ms: f64,
    pub loads: Vec<LoadResult>,
    pub peak_rss_mb: f64,
    pub hwm_mb: f64,
}

pub fn round(ctx: &Ctx, mock: &Mock, requests: &Arc<Vec<Vec<u8>>>) -> Result<Round, String> {
    let probe = requests.first().ok_or("no request")?;
    let port = free_port().map_err(|e| e.to_string())?;
    let server = Server::spawn(
        (mock.command)(port),
        port,
        probe,
        |s| (200..300).contains(&s),
        mock.timeout,
    )?;
    let sampler = MemorySampler::start(server.pid());
    // Warm-up (JIT, caches, connection pools) at 8 connections, discarded.
    let load = |c: usize, time: Duration| {
        ctx.rt.block_on(contract_tests::loadgen::load(
            server.addr,
            c,
            1_000_000,
            time,
            requests.clone(),
        ))
    };
    load(8, mock.slice / 2);
    let loads = CONNECTIONS.iter().map(|&c| load(c, mock.slice)).collect();
    let (peak_rss_mb, hwm_mb) = sampler.finish();
    Ok(Round {
        startup_ms: server.startup_ms,
        loads,
        peak_rss_mb,
        hwm_mb,
    })
}

/// Requests for [`SPEC`]: valid bodies, and Basic auth (the spec's scheme,
/// which Prism checks; our mock accepts it too).
pub fn requests(root: &Path) -> Result<Arc<Vec<Vec<u8>>>, String> {
    let validators = build(&root.join(SPEC))?;
    let basic = "Basic YmVuY2g6YmVuY2g="; // bench:bench
    let out: Vec<Vec<u8>> = valid_requests(&validators, 1)
        .into_iter()
        .map(|r| {
            let text = String::from_utf8_lossy(&r)
                .replace(&Credentials::default().api_key_header(), basic);
            text.into_bytes()
        })
        .collect();
    if out.is_empty() {
        Err(format!("{SPEC} has no operation"))
    } else {
        Ok(Arc::new(out))
    }
}

/// Rounds of every mock, interleaved (ours, peer, ours, peer, ...).
pub fn interleaved(
    ctx: &Ctx,
    mocks: &[Mock],
    requests: &Arc<Vec<Vec<u8>>>,
) -> Vec<Result<Vec<Round>, String>> {
    let mut out: Vec<Result<Vec<Round>, String>> = mocks.iter().map(|_| Ok(Vec::new())).collect();
    for _ in 0..ctx.plan.slow().runs {
        for (mock, acc) in mocks.iter().zip(out.iter_mut()) {
            if let Ok(rounds) = acc {
                match round(ctx, mock, requests) {
                    Ok(r) => rounds.push(r),
                    Err(e) => *acc = Err(e),
                }
            }
        }
    }
    out
}

/// Absolute rows of one mock.
pub fn rows(section: &'static str, rounds: &[Round], targets: bool) -> Vec<Row> {
    let startup: Vec<f64> = rounds.iter().map(|r| r.startup_ms).collect();
    let hwm: Vec<f64> = rounds.iter().map(|r| r.hwm_mb).collect();
    let rss: Vec<f64> = rounds.iter().map(|r| r.peak_rss_mb).collect();
    let mut out = vec![row(
        section,
        "startup: spawn to first 2xx",
        Unit::Ms,
        &startup,
    )];
    for (i, &c) in CONNECTIONS.iter().enumerate() {
        let loads: Vec<LoadResult> = rounds
            .iter()
            .filter_map(|r| r.loads.get(i).cloned())
            .collect();
        let r = load_row(section, c, &loads);
        out.push(if targets {
            super::ours::with_throughput_target(r, c)
        } else {
            r
        });
    }
    out.push(row(
        section,
        "memory: peak VmRSS under load",
        Unit::Mb,
        &rss,
    ));
    out.push(row(section, "memory: VmHWM after load", Unit::Mb, &hwm));
    if targets {
        out[0] = out[0].clone().target(Target::AtMost(50.0));
        let last = out.len() - 1;
        out[last] = out[last].clone().target(Target::AtMost(30.0));
    }
    out
}

/// Requests/s of the baseline and ours/baseline, per connection count.
pub fn baseline_rows(section: &'static str, ours: &[Round], baseline: &[Round]) -> Vec<Row> {
    let mut out = Vec::new();
    for (i, &c) in CONNECTIONS.iter().enumerate() {
        let loads: Vec<LoadResult> = baseline
            .iter()
            .filter_map(|r| r.loads.get(i).cloned())
            .collect();
        out.push(load_row(section, c, &loads));
        let rps = |rs: &[Round]| -> Vec<f64> {
            rs.iter()
                .filter_map(|r| r.loads.get(i).map(|l| l.requests_per_second))
                .collect()
        };
        out.push(
            row(
                section,
                format!("requests/s ours/baseline, {c} conns"),
                Unit::Ratio,
                &ratios(&rps(ours), &rps(baseline)),
            )
            .note(
                "1.0: as fast as a server that does nothing (thread per connection, 2-byte answer)",
            ),
        );
    }
    out
}

/// Ratio rows ours/peer, pairing rounds in the order they ran; with the
/// baseline, also baseline/peer: about the most any server shows at one
/// connection here (the loopback round trip between two processes).
pub fn ratio_rows(
    section: &'static str,
    peer: &str,
    ours: &[Round],
    theirs: &[Round],
    baseline: Option<&[Round]>,
) -> Vec<Row> {
    let mut out = overall_ratio_rows(section, peer, ours, theirs);
    for (i, &c) in CONNECTIONS.iter().enumerate() {
        let at = |rs: &[Round]| -> Vec<LoadResult> {
            rs.iter().filter_map(|r| r.loads.get(i).cloned()).collect()
        };
        let baseline = baseline.map(at);
        out.extend(connection_ratio_rows(
            section,
            peer,
            c,
            &at(ours),
            &at(theirs),
            baseline.as_deref(),
        ));
    }
    out
}

/// Startup, memory and peak throughput, ours against the peer.
fn overall_ratio_rows(
    section: &'static str,
    peer: &str,
    ours: &[Round],
    theirs: &[Round],
) -> Vec<Row> {
    let pick = |rs: &[Round], f: &dyn Fn(&Round) -> f64| rs.iter().map(f).collect::<Vec<f64>>();
    // Throughput: what each server sustains at its best connection count.
    // Per connection count (connection_ratio_rows), 1 connection is a
    // latency figure (one request in flight), bounded by the round trip the
    // baseline shows.
    let peak = |r: &Round| {
        r.loads
            .iter()
            .map(|l| l.requests_per_second)
            .fold(0.0, f64::max)
    };
    vec![
        row(
            section,
            format!("startup ours/{peer}"),
            Unit::Ratio,
            &ratios(
                &pick(ours, &|r| r.startup_ms),
                &pick(theirs, &|r| r.startup_ms),
            ),
        )
        .note("lower is better"),
        row(
            section,
            format!("memory (VmHWM) ours/{peer}"),
            Unit::Ratio,
            &ratios(&pick(ours, &|r| r.hwm_mb), &pick(theirs, &|r| r.hwm_mb)),
        )
        .note("lower is better"),
        row(
            section,
            format!("peak requests/s ours/{peer} (each at its best connection count)"),
            Unit::Ratio,
            &ratios(&pick(ours, &peak), &pick(theirs, &peak)),
        )
        .target(Target::AtLeast(30.0)),
    ]
}

/// Requests/s (and the baseline's), p50 and p99 latency at `c`
/// connections, ours against the peer: one load result per round.
fn connection_ratio_rows(
    section: &'static str,
    peer: &str,
    c: usize,
    ours: &[LoadResult],
    theirs: &[LoadResult],
    baseline: Option<&[LoadResult]>,
) -> Vec<Row> {
    let get = |ls: &[LoadResult], f: fn(&LoadResult) -> f64| ls.iter().map(f).collect::<Vec<f64>>();
    let rps = |l: &LoadResult| l.requests_per_second;
    let mut out = Vec::new();
    let r = row(
        section,
        format!("requests/s ours/{peer}, {c} conns"),
        Unit::Ratio,
        &ratios(&get(ours, rps), &get(theirs, rps)),
    );
    out.push(if c == 1 {
        r.note("one request in flight: latency-bound, see baseline/peer")
    } else {
        r.target(Target::AtLeast(30.0))
    });
    if let Some(baseline) = baseline {
        out.push(
            row(
                section,
                format!("requests/s baseline/{peer}, {c} conns"),
                Unit::Ratio,
                &ratios(&get(baseline, rps), &get(theirs, rps)),
            )
            .note("a do-nothing server against the peer, same load"),
        );
    }
    let p50 = ratios(
        &get(ours, |l| l.p50_micros as f64),
        &get(theirs, |l| l.p50_micros as f64),
    );
    let p99 = ratios(
        &get(ours, |l| l.p99_micros as f64),
        &get(theirs, |l| l.p99_micros as f64),
    );
    out.push(
        row(
            section,
            format!("p50 latency ours/{peer}, {c} conns"),
            Unit::Ratio,
            &p50,
        )
        .note(format!("lower is better; {peer}: {}", latency_note(theirs))),
    );
    out.push(
        row(
            section,
            format!("p99 latency ours/{peer}, {c} conns"),
            Unit::Ratio,
            &p99,
        )
        .note("lower is better"),
    );
    out
}
