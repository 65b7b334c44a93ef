//! Stage 1: bytes -> `serde_json::Value`, JSON or YAML, with line numbers on error.

use std::path::Path;

use serde_json::Value;

use crate::error::LoadError;

/// Reads one file. YAML is chosen by extension (`.yaml`, `.yml`); anything
/// else is tried as JSON first and then as YAML (JSON is valid YAML 1.2, but
/// JSON's parser gives the better error for a JSON file).
pub fn read(path: &Path) -> Result<Value, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses text that came from `path` (the path only names errors and picks the format).
pub fn parse(path: &Path, text: &str) -> Result<Value, LoadError> {
    let yaml_ext = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if yaml_ext || !text.trim_start().starts_with(['{', '[']) {
        return parse_yaml(path, text);
    }
    serde_json::from_str(text).map_err(|e| LoadError::Parse {
        file: path.to_path_buf(),
        format: "JSON",
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

fn parse_yaml(path: &Path, text: &str) -> Result<Value, LoadError> {
    let err = |e: serde_norway::Error| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        LoadError::Parse {
            file: path.to_path_buf(),
            format: "YAML",
            line,
            column,
            message: strip_position(&e.to_string()),
        }
    };
    // Via serde_norway's own Value: YAML keys may be numbers (`200:` in
    // `responses`), which serde_json's map would reject.
    let yaml: serde_norway::Value = serde_norway::from_str(text).map_err(err)?;
    yaml_to_json(yaml, "").map_err(|(pointer, message)| LoadError::Invalid {
        at: crate::Location::new(path, pointer),
        message,
    })
}

fn yaml_to_json(v: serde_norway::Value, at: &str) -> Result<Value, (String, String)> {
    use serde_norway::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| (at.to_string(), format!("number {f} has no JSON form")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &format!("{at}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => return Err((at.to_string(), "mapping key is not a scalar".to_string())),
                };
                let child = crate::pointer::push(at, &key);
                let value = yaml_to_json(v, &child)?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

/// serde's messages end with " at line L column C", which we already report.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_carry_line_and_column() {
        let err = parse(Path::new("a.json"), "{\n  \"openapi\": 3.1,\n  oops\n}").unwrap_err();
        let LoadError::Parse { line, format, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!((*line, *format), (3, "JSON"));
        assert!(err.to_string().starts_with("a.json:3:"), "{err}");
    }

    #[test]
    fn yaml_numeric_keys_become_strings() {
        let v = parse(
            Path::new("a.yaml"),
            "responses:\n  200:\n    description: ok\n",
        )
        .unwrap();
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn yaml_errors_carry_line() {
        let err = parse(Path::new("a.yaml"), "a: b\nc: [unclosed\n").unwrap_err();
        let LoadError::Parse { line, format, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(*format, "YAML");
        assert!(*line >= 2, "{err}");
    }
}
