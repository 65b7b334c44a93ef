//! Decoding the mock needs beyond JSON: path segments,
//! `application/x-www-form-urlencoded` query strings and bodies, and
//! `multipart/form-data` bodies, read into the JSON the schema judges.

use codegen::spec::Spec;
use serde_json::{Map, Value};

/// `a=1&b=x+y` into pairs (`+` is a space, `%XX` decoded).
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

/// `%XX` decoding for path segments and form fields (`+` is handled by the caller).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `multipart/form-data` fields and file parts as `(name, value)` pairs:
/// a file part's value is its content (as text; the schema of a file
/// field is a string). `content_type` is the request's header, which
/// names the boundary. Malformed bodies are an error DRF would word as
/// `Multipart form parse error - ...`.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let boundary = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or("Invalid boundary in multipart: None")?;
    let delimiter = format!("--{boundary}");
    let mut rest = body;
    // Preamble, then the first delimiter.
    let start = find(rest, delimiter.as_bytes()).ok_or("Multipart body has no boundary")?;
    rest = &rest[start + delimiter.len()..];
    let mut out = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("Expected a line break after the boundary")?;
        let end = find(rest, format!("\r\n{delimiter}").as_bytes())
            .ok_or("Multipart body ends before its closing boundary")?;
        let part = &rest[..end];
        rest = &rest[end + 2 + delimiter.len()..];
        let split = find(part, b"\r\n\r\n").ok_or("A part has no blank line after its headers")?;
        let headers =
            std::str::from_utf8(&part[..split]).map_err(|_| "Part headers are not UTF-8")?;
        let name = headers
            .split("\r\n")
            .filter_map(|h| h.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            .and_then(|(_, v)| disposition_name(v))
            .ok_or("A part has no Content-Disposition name")?;
        let content = &part[split + 4..];
        out.push((name, String::from_utf8_lossy(content).into_owned()));
        if out.len() > 10_000 {
            return Err("Too many parts".into());
        }
    }
}

/// `form-data; name="field"; filename="a.txt"` -> `field`.
fn disposition_name(value: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("name")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Form fields (urlencoded or multipart) as the JSON object the schema
/// describes: every value is a string where the schema admits one
/// (`pg_codes=123` is the string `"123"` of an array of strings); a key
/// that repeats, or whose property is an array, collects its values into
/// an array; numbers, booleans and objects are read from their text.
pub fn fields_to_json(spec: &Spec, schema: &Value, pairs: Vec<(String, String)>) -> Value {
    let flat = codegen::sample::flatten(spec, schema, 0);
    let mut out = Map::new();
    for (k, v) in pairs {
        let prop = flat
            .get("properties")
            .and_then(|p| p.get(&k))
            .map(|p| codegen::sample::flatten(spec, p, 0));
        let types = prop.as_ref().and_then(|p| codegen::schema::types(spec, p));
        let is_array = types.as_ref().is_some_and(|t| t.contains("array"));
        // The schema of one value: the items of an array property.
        let one = if is_array {
            prop.as_ref()
                .and_then(|p| p.get("items"))
                .map(|i| codegen::sample::flatten(spec, i, 0))
        } else {
            prop.clone()
        };
        let one_types = one.as_ref().and_then(|p| codegen::schema::types(spec, p));
        let scalar = if one_types.as_ref().is_none_or(|t| t.contains("string")) {
            Value::String(v)
        } else {
            serde_json::from_str(&v).unwrap_or(Value::String(v))
        };
        match out.get_mut(&k) {
            Some(Value::Array(list)) if is_array => list.push(scalar),
            Some(previous) => {
                // Repeated: every value is kept, as an array.
                let first = previous.take();
                *previous = match first {
                    Value::Array(mut list) if !is_array => {
                        list.push(scalar);
                        Value::Array(list)
                    }
                    other => Value::Array(vec![other, scalar]),
                };
            }
            None if is_array => {
                out.insert(k, Value::Array(vec![scalar]));
            }
            None => {
                out.insert(k, scalar);
            }
        }
    }
    Value::Object(out)
}
