//! Changes as text (grouped by operation), JSON, markdown (for
//! `$GITHUB_STEP_SUMMARY`) and JUnit XML (one testcase per change).

use std::fmt::Write;

use serde_json::json;

use super::impact::summarize;
use super::{Change, Severity};

/// Output formats of `cargo xtask diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Junit,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "markdown" => Ok(Format::Markdown),
            "junit" => Ok(Format::Junit),
            _ => Err(format!(
                "unknown format {s:?} (expected text, json, markdown or junit)"
            )),
        }
    }
}

fn count(changes: &[Change], s: Severity) -> usize {
    changes.iter().filter(|c| c.severity == s).count()
}

fn totals(changes: &[Change]) -> String {
    format!(
        "{} changes: {} errors, {} warnings, {} info",
        changes.len(),
        count(changes, Severity::Error),
        count(changes, Severity::Warning),
        count(changes, Severity::Info)
    )
}

/// Renders `changes`; in JUnit, changes at or above `fail_on` are failures.
pub fn render(changes: &[Change], format: Format, fail_on: Severity) -> String {
    match format {
        Format::Text => text(changes),
        Format::Json => json(changes),
        Format::Markdown => markdown(changes),
        Format::Junit => junit(changes, fail_on),
    }
}

fn impact_line(c: &Change) -> String {
    let mut s = format!("ottu-client {}", c.impact.semver.as_str());
    if !c.impact.items.is_empty() {
        let _ = write!(s, " ({})", c.impact.items.join(", "));
    }
    let _ = write!(s, ": {}", c.impact.why);
    s
}

fn text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no changes\n".into();
    }
    let mut out = String::new();
    let mut current: Option<&Option<String>> = None;
    for c in changes {
        if current != Some(&c.operation) {
            current = Some(&c.operation);
            let _ = writeln!(
                out,
                "{}",
                c.operation.as_deref().unwrap_or("(whole document)")
            );
        }
        let part = c
            .part
            .as_deref()
            .map(|p| format!("{p}: "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<7} [{}] {part}{}",
            c.severity.as_str(),
            c.rule,
            c.message
        );
        let _ = writeln!(out, "          at {}", c.at);
        if let Some(ci) = &c.client_impact {
            let _ = writeln!(out, "          client impact: {ci}");
        }
        let _ = writeln!(out, "          {}", impact_line(c));
    }
    let _ = writeln!(out, "{}", totals(changes));
    out.push_str(&summarize(changes));
    out
}

fn json(changes: &[Change]) -> String {
    let semver = changes
        .iter()
        .map(|c| c.impact.semver)
        .max()
        .map(|s| s.as_str());
    // Each change carries its rule's description, so a reader of the JSON
    // needs no other document to know what a rule id means.
    let listed: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.insert("description".into(), json!(c.rule.description()));
            }
            v
        })
        .collect();
    let doc = json!({
        "summary": {
            "errors": count(changes, Severity::Error),
            "warnings": count(changes, Severity::Warning),
            "info": count(changes, Severity::Info),
            "ottu_client_semver": semver,
        },
        "changes": listed,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(changes: &[Change]) -> String {
    let mut out = String::from("## API spec drift\n\n");
    if changes.is_empty() {
        out.push_str("No changes between the base and the new specs.\n");
        return out;
    }
    let _ = writeln!(out, "{}.\n", totals(changes));
    out.push_str("| severity | rule | operation | change | location | ottu-client |\n|---|---|---|---|---|---|\n");
    let mut sorted: Vec<&Change> = changes.iter().collect();
    // Worst first; stable, so the deterministic order holds within a severity.
    sorted.sort_by_key(|c| std::cmp::Reverse(c.severity));
    for c in sorted {
        let mut what = c
            .part
            .as_deref()
            .map(|p| format!("{p}: "))
            .unwrap_or_default()
            + &c.message;
        if let Some(ci) = &c.client_impact {
            let _ = write!(what, " (client impact: {ci})");
        }
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | `{}` | {} |",
            c.severity.as_str(),
            c.rule,
            cell(c.operation.as_deref().unwrap_or("-")),
            cell(&what),
            cell(&c.at.to_string()),
            cell(&impact_line(c)),
        );
    }
    let _ = write!(out, "\n```text\n{}```\n", summarize(changes));
    out
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn junit(changes: &[Change], fail_on: Severity) -> String {
    let failures = changes.iter().filter(|c| c.severity >= fail_on).count();
    let tests = changes.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"spec-drift\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"spec-drift\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    if changes.is_empty() {
        out.push_str("    <testcase classname=\"spec-drift\" name=\"no changes\"/>\n");
    }
    for c in changes {
        let class = c.operation.as_deref().unwrap_or("document");
        let name = format!("{} {}", c.rule, c.at.pointer);
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(class),
            xml(&name)
        );
        let body = format!("{}\nat {}\n{}", c.message, c.at, impact_line(c));
        if c.severity >= fail_on {
            let _ = write!(
                out,
                "<failure type=\"{}\" message=\"{}\">{}</failure>",
                c.severity.as_str(),
                xml(&c.message),
                xml(&body)
            );
        } else {
            let _ = write!(
                out,
                "<system-out>{}: {}</system-out>",
                c.severity.as_str(),
                xml(&body)
            );
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
