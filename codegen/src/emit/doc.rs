//! Spec prose -> rustdoc that renders sensibly and never runs as a doctest.
//!
//! Like prost-build's doc cleanup: fenced blocks become ```` ```text ````,
//! indented blocks lose their indentation (rustdoc would compile them),
//! bare URLs get `<...>` (rustdoc warns otherwise), and `[`, `]`, `<`, `>`
//! outside inline code are escaped so they are not read as links or HTML.

/// Cleans `text` for use as rustdoc.
pub fn clean(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    // Content indent of the list item being continued (clippy and rustdoc
    // read an unindented next line as a lazy continuation).
    let mut item_indent: Option<usize> = None;
    for line in text.replace("\r\n", "\n").lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push(if in_fence {
                "```".to_string()
            } else {
                "```text".to_string()
            });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        let text = escape_line(trimmed.trim_end());
        if text.is_empty() {
            item_indent = None;
            out.push(text);
        } else if let Some(n) = list_marker(&text) {
            item_indent = Some(n);
            out.push(text);
        } else if let Some(n) = item_indent {
            out.push(format!("{}{text}", " ".repeat(n)));
        } else {
            out.push(text);
        }
    }
    if in_fence {
        out.push("```".to_string());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

/// Width of a list marker (`- `, `* `, `12. `) starting `line`.
fn list_marker(line: &str) -> Option<usize> {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(". ")).then_some(digits + 2)
}

fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    // Backtick spans are code: left alone (an unmatched backtick is escaped).
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&escape_prose(&rest[..start]));
        match rest[start + 1..].find('`') {
            Some(len) => {
                out.push_str(&rest[start..start + len + 2]);
                rest = &rest[start + len + 2..];
            }
            None => {
                out.push_str("\\`");
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(&escape_prose(rest));
    out
}

fn escape_prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')' | ']'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            i += url.len();
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if !rest.starts_with("&lt;")
                && !rest.starts_with("&gt;")
                && !rest.starts_with("&amp;") =>
            {
                out.push_str("&amp;")
            }
            _ => out.push(c),
        }
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_a_doctest() {
        let d = clean(
            "Example:\n```json\n{\"a\": 1}\n```\n    let x = 1;\nSee https://developers.google.com/pay. [x] <br/> a & b `<T>`",
        );
        assert_eq!(
            d,
            "Example:\n```text\n{\"a\": 1}\n```\nlet x = 1;\nSee <https://developers.google.com/pay>. \\[x\\] &lt;br/&gt; a &amp; b `<T>`"
        );
        assert_eq!(clean("1. a\nmore\n\nafter"), "1. a\n   more\n\nafter");
    }
}
