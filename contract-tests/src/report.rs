//! The suite's report, rendered as text (grouped by operation), JSON,
//! JUnit XML and markdown. Every rendering goes through [`Redactor`]:
//! API keys, credentials and card tokens never reach a report.

use std::fmt::Write as _;

use serde::Serialize;

use crate::finding::{Finding, Severity};

/// How one case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

/// One request and the judge's verdict on its response.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub operation: String,
    pub name: String,
    /// `POST /b/pbl/v2/card/` (no query: it may carry identifiers).
    pub request: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub outcome: Outcome,
    pub findings: Vec<Finding>,
    /// Why it was skipped, or a transport error.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub millis: u64,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `mock` or `live`.
    pub mode: String,
    pub target: String,
    pub seed: u64,
    /// Overlay files applied to the specs (fixes of known upstream defects).
    pub overlays: Vec<String>,
    pub spec_findings: Vec<Finding>,
    pub cases: Vec<Case>,
    pub millis: u64,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .count()
    }
    pub fn passed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.outcome == Outcome::Pass)
            .count()
    }
    pub fn skipped(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.outcome == Outcome::Skip)
            .count()
    }
    /// Findings of severity warning in responses (undeclared properties: the
    /// API grew), not counting findings about the spec itself.
    pub fn drift_warnings(&self) -> usize {
        self.cases
            .iter()
            .flat_map(|c| &c.findings)
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }
    fn warnings(&self) -> usize {
        self.spec_findings.len() + self.drift_warnings()
    }
    /// Operations in first-seen order.
    fn operations(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.cases {
            if !out.contains(&c.operation.as_str()) {
                out.push(&c.operation);
            }
        }
        out
    }

    pub fn text(&self, r: &Redactor) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "contract run against {} ({}), seed {}",
            self.target, self.mode, self.seed
        );
        if !self.overlays.is_empty() {
            let _ = writeln!(
                s,
                "overlays applied: {} (fixes of known spec defects; `cargo xtask lint --no-overlays` shows them)",
                self.overlays.join(", ")
            );
        }
        for f in &self.spec_findings {
            let _ = writeln!(s, "spec: {f}");
        }
        for op in self.operations() {
            let cases: Vec<&Case> = self.cases.iter().filter(|c| c.operation == op).collect();
            let failed = cases.iter().filter(|c| c.outcome == Outcome::Fail).count();
            let _ = writeln!(s, "\n{op}: {} cases, {failed} failed", cases.len());
            for c in cases {
                let mark = match c.outcome {
                    Outcome::Pass => "ok  ",
                    Outcome::Fail => "FAIL",
                    Outcome::Skip => "skip",
                };
                let status = c
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into());
                let note = if c.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", c.note)
                };
                let _ = writeln!(s, "  {mark} {} -> {status}{note}", c.name);
                for f in &c.findings {
                    let _ = writeln!(s, "       {f}");
                }
            }
        }
        let _ = writeln!(
            s,
            "\n{} passed, {} failed, {} skipped; {} warnings; {} ms",
            self.passed(),
            self.failed(),
            self.skipped(),
            self.warnings(),
            self.millis
        );
        r.redact(&s)
    }

    pub fn json(&self, r: &Redactor) -> String {
        r.redact(&serde_json::to_string_pretty(self).unwrap_or_default())
    }

    /// JUnit XML: one testsuite per operation, one testcase per case.
    pub fn junit(&self, r: &Redactor) -> String {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let total = self.cases.len();
        let _ = writeln!(
            s,
            "<testsuites name=\"ottu-contract\" tests=\"{total}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            self.failed(),
            self.skipped(),
            self.millis as f64 / 1000.0
        );
        if !self.spec_findings.is_empty() {
            let _ = writeln!(
                s,
                "  <testsuite name=\"spec\" tests=\"{}\" failures=\"0\" skipped=\"0\">",
                self.spec_findings.len()
            );
            for f in &self.spec_findings {
                let _ = writeln!(
                    s,
                    "    <testcase classname=\"spec\" name=\"{}\">",
                    xml(&format!("{} {}", f.kind, f.schema))
                );
                let _ = writeln!(
                    s,
                    "      <system-out>{}</system-out>\n    </testcase>",
                    xml(&f.to_string())
                );
            }
            s.push_str("  </testsuite>\n");
        }
        for op in self.operations() {
            let cases: Vec<&Case> = self.cases.iter().filter(|c| c.operation == op).collect();
            let failures = cases.iter().filter(|c| c.outcome == Outcome::Fail).count();
            let skipped = cases.iter().filter(|c| c.outcome == Outcome::Skip).count();
            let time: u64 = cases.iter().map(|c| c.millis).sum();
            let _ = writeln!(
                s,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">",
                xml(op),
                cases.len(),
                time as f64 / 1000.0
            );
            for c in cases {
                let _ = write!(
                    s,
                    "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                    xml(op),
                    xml(&c.name),
                    c.millis as f64 / 1000.0
                );
                match c.outcome {
                    Outcome::Pass if c.findings.is_empty() => s.push_str("/>\n"),
                    Outcome::Pass => {
                        let text: Vec<String> = c.findings.iter().map(|f| f.to_string()).collect();
                        let _ = writeln!(
                            s,
                            ">\n      <system-out>{}</system-out>\n    </testcase>",
                            xml(&text.join("\n"))
                        );
                    }
                    Outcome::Skip => {
                        let _ = writeln!(
                            s,
                            ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                            xml(&c.note)
                        );
                    }
                    Outcome::Fail => {
                        let first = c
                            .findings
                            .iter()
                            .find(|f| f.is_error())
                            .map(|f| format!("{}: {}", f.kind, f.message))
                            .unwrap_or_else(|| c.note.clone());
                        let text: Vec<String> = c
                            .findings
                            .iter()
                            .map(|f| f.to_string())
                            .chain((!c.note.is_empty()).then(|| c.note.clone()))
                            .collect();
                        let _ = writeln!(
                            s,
                            ">\n      <failure message=\"{}\" type=\"drift\">{}</failure>\n    </testcase>",
                            xml(&first),
                            xml(&text.join("\n"))
                        );
                    }
                }
            }
            s.push_str("  </testsuite>\n");
        }
        s.push_str("</testsuites>\n");
        r.redact(&s)
    }

    /// For a CI job summary (`>> $GITHUB_STEP_SUMMARY`).
    pub fn markdown(&self, r: &Redactor) -> String {
        let mut s = String::new();
        let icon = if self.failed() == 0 { "✅" } else { "❌" };
        let _ = writeln!(s, "## {icon} Ottu contract tests ({})\n", self.mode);
        let _ = writeln!(
            s,
            "{} passed, {} failed, {} skipped, {} warnings in {} ms against `{}` (seed {}).\n",
            self.passed(),
            self.failed(),
            self.skipped(),
            self.warnings(),
            self.millis,
            self.target,
            self.seed
        );
        if !self.overlays.is_empty() {
            let _ = writeln!(
                s,
                "Overlays applied (fixes of known spec defects): `{}`.\n",
                self.overlays.join("`, `")
            );
        }
        s.push_str("| operation | cases | failed | skipped |\n|---|---:|---:|---:|\n");
        for op in self.operations() {
            let cases: Vec<&Case> = self.cases.iter().filter(|c| c.operation == op).collect();
            let failed = cases.iter().filter(|c| c.outcome == Outcome::Fail).count();
            let skipped = cases.iter().filter(|c| c.outcome == Outcome::Skip).count();
            let _ = writeln!(s, "| `{op}` | {} | {failed} | {skipped} |", cases.len());
        }
        let findings: Vec<&Finding> = self
            .spec_findings
            .iter()
            .chain(self.cases.iter().flat_map(|c| &c.findings))
            .collect();
        if !findings.is_empty() {
            s.push_str("\n| severity | kind | operation | status | pointer | message |\n|---|---|---|---|---|---|\n");
            for f in findings {
                let sev = if f.is_error() { "error" } else { "warning" };
                let status = f.status.map(|s| s.to_string()).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "| {sev} | {} | `{}` | {status} | `{}` | {} |",
                    f.kind,
                    f.operation,
                    f.pointer,
                    md(&f.message)
                );
            }
        }
        r.redact(&s)
    }
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Removes secrets from rendered reports: the values it was given (API
/// key, fixtures, card tokens seen in responses) and any credential after
/// an `Api-Key`/`Bearer`/`Basic` scheme name.
#[derive(Default, Clone)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

pub const REDACTED: &str = "[REDACTED]";

impl Redactor {
    /// Adds a value to hide (ignored when too short to be a secret and too
    /// likely to hit ordinary text).
    pub fn add(&mut self, secret: &str) {
        let s = secret.trim();
        if s.len() >= 4 && !self.secrets.iter().any(|x| x == s) {
            self.secrets.push(s.to_string());
            // Longest first, so a secret containing another is hidden whole.
            self.secrets.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        for scheme in ["Api-Key ", "Bearer ", "Basic "] {
            out = redact_after(&out, scheme);
        }
        out
    }
}

fn redact_after(text: &str, scheme: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(scheme) {
        out.push_str(&rest[..i + scheme.len()]);
        rest = &rest[i + scheme.len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '&')
            .unwrap_or(rest.len());
        if end > 0 && !rest[..end].starts_with(REDACTED) {
            out.push_str(REDACTED);
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
