//! The one table `bench` prints: every measurement (or why it was
//! skipped), its median and min-max, and the target next to it.

use serde_json::{Value, json};

use super::measure::Stats;

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Ms,
    /// Seconds (build times).
    Secs,
    PerSec,
    Mb,
    /// ours / theirs.
    Ratio,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Secs => "s",
            Unit::PerSec => "/s",
            Unit::Mb => "MB",
            Unit::Ratio => "x",
        }
    }

    fn format(self, v: f64) -> String {
        let n = match self {
            Unit::Ms if v < 10.0 => format!("{v:.2}"),
            Unit::Ms | Unit::Mb | Unit::Secs => format!("{v:.1}"),
            Unit::PerSec => thousands(v.round() as u64),
            // Far below 1 (ours much faster/smaller), 1/N reads better than 0.00.
            Unit::Ratio if v > 0.0 && v < 0.1 => format!("1/{:.0}", 1.0 / v),
            Unit::Ratio if v < 10.0 => format!("{v:.2}"),
            Unit::Ratio => format!("{v:.0}"),
        };
        format!("{n} {}", self.suffix())
    }
}

/// The bar a median is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    AtMost(f64),
    AtLeast(f64),
}

impl Target {
    pub fn met(self, v: f64) -> bool {
        match self {
            Target::AtMost(t) => v <= t,
            Target::AtLeast(t) => v >= t,
        }
    }

    fn describe(self, unit: Unit) -> String {
        match self {
            Target::AtMost(t) => format!("<= {}", unit.format(t)),
            Target::AtLeast(t) => format!(">= {}", unit.format(t)),
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub name: String,
    pub unit: Unit,
    /// `Err(why)`: skipped.
    pub value: Result<Stats, String>,
    pub target: Option<Target>,
    pub note: String,
}

impl Row {
    pub fn new(
        section: &'static str,
        name: impl Into<String>,
        unit: Unit,
        value: Result<Stats, String>,
    ) -> Self {
        Self {
            section,
            name: name.into(),
            unit,
            value,
            target: None,
            note: String::new(),
        }
    }

    pub fn skipped(section: &'static str, name: impl Into<String>, why: impl Into<String>) -> Self {
        Self::new(section, name, Unit::Ms, Err(why.into()))
    }

    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// `Some(met)` when measured and a target applies.
    pub fn met(&self) -> Option<bool> {
        Some(self.target?.met(self.value.as_ref().ok()?.median))
    }
}

/// A row from samples, skipped with `why` when there are none.
pub fn row(section: &'static str, name: impl Into<String>, unit: Unit, samples: &[f64]) -> Row {
    Row::new(
        section,
        name,
        unit,
        Stats::of(samples).ok_or_else(|| "no successful run".to_string()),
    )
}

/// Per-run ratios `ours[i] / theirs[i]` (runs were interleaved, so pairs
/// saw the same machine load).
pub fn ratios(ours: &[f64], theirs: &[f64]) -> Vec<f64> {
    ours.iter()
        .zip(theirs)
        .filter(|(_, t)| **t > 0.0)
        .map(|(o, t)| o / t)
        .collect()
}

pub fn text(rows: &[Row], header: &str) -> String {
    let mut lines: Vec<[String; 5]> = Vec::new();
    let mut out = format!("{header}\n");
    let mut section = "";
    let cells = |r: &Row| -> [String; 5] {
        match &r.value {
            Ok(s) => {
                let range = if s.runs > 1 {
                    format!("{} - {}", r.unit.format(s.min), r.unit.format(s.max))
                } else {
                    "(1 run)".into()
                };
                let target = match (r.target, r.met()) {
                    (Some(t), Some(met)) => format!(
                        "{} {}",
                        t.describe(r.unit),
                        if met { "ok" } else { "MISSED" }
                    ),
                    _ => String::new(),
                };
                [
                    format!("  {}", r.name),
                    r.unit.format(s.median),
                    range,
                    target,
                    r.note.clone(),
                ]
            }
            Err(why) => [
                format!("  {}", r.name),
                "skipped".into(),
                String::new(),
                String::new(),
                why.clone(),
            ],
        }
    };
    let all: Vec<[String; 5]> = rows.iter().map(cells).collect();
    let width = |i: usize| all.iter().map(|c| c[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for (r, c) in rows.iter().zip(all) {
        if r.section != section {
            section = r.section;
            lines.push([
                format!("{section}:"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        lines.push(c);
    }
    for c in lines {
        let line = format!(
            "{:<w0$}  {:>w1$}  {:<w2$}  {:<w3$}  {}",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn json(rows: &[Row], machine: &Value) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({ "section": r.section, "name": r.name, "unit": r.unit.suffix() });
            match &r.value {
                Ok(s) => {
                    v["median"] = json!(s.median);
                    v["min"] = json!(s.min);
                    v["max"] = json!(s.max);
                    v["runs"] = json!(s.runs);
                }
                Err(why) => v["skipped"] = json!(why),
            }
            if let Some(t) = r.target {
                v["target"] = json!(t.describe(r.unit));
                v["met"] = json!(r.met());
            }
            if !r.note.is_empty() {
                v["note"] = json!(r.note);
            }
            v
        })
        .collect();
    json!({ "machine": machine, "rows": rows })
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_units() {
        assert_eq!(Unit::PerSec.format(1234567.4), "1,234,567 /s");
        assert_eq!(Unit::Ms.format(1.23456), "1.23 ms");
        assert_eq!(Unit::Ms.format(42.0), "42.0 ms");
        assert_eq!(Unit::Ratio.format(0.973), "0.97 x");
        assert_eq!(Unit::Ratio.format(123.4), "123 x");
        assert_eq!(Unit::Ratio.format(0.002), "1/500 x");
    }

    #[test]
    fn targets_judge_the_median() {
        let r = row("s", "startup", Unit::Ms, &[10.0, 60.0, 20.0]).target(Target::AtMost(50.0));
        assert_eq!(r.met(), Some(true));
        let r = row("s", "rps", Unit::PerSec, &[10.0]).target(Target::AtLeast(30_000.0));
        assert_eq!(r.met(), Some(false));
        assert_eq!(
            Row::skipped("s", "x", "why")
                .target(Target::AtMost(1.0))
                .met(),
            None
        );
    }

    #[test]
    fn ratios_pair_runs_and_drop_zero_denominators() {
        assert_eq!(
            ratios(&[10.0, 20.0, 30.0], &[5.0, 0.0, 10.0]),
            vec![2.0, 3.0]
        );
    }

    #[test]
    fn text_shows_skips_and_misses() {
        let rows = vec![
            row("mock", "throughput", Unit::PerSec, &[100.0, 200.0, 300.0])
                .target(Target::AtLeast(30_000.0)),
            Row::skipped("codegen", "codegen time", "generator not landed"),
        ];
        let t = text(&rows, "bench");
        assert!(t.contains("MISSED"), "{t}");
        assert!(
            t.contains("skipped") && t.contains("generator not landed"),
            "{t}"
        );
        assert!(t.contains("100 /s - 300 /s"), "{t}");
        let j = json(&rows, &json!({}));
        assert_eq!(j["rows"][1]["skipped"], "generator not landed");
        assert_eq!(j["rows"][0]["met"], false);
    }
}
