//! The embedded mock server: every operation of the loaded specs on
//! 127.0.0.1, answering from the same compiled schemas the judge uses.
//!
//! - Auth: a missing or malformed `Authorization` (not `Api-Key x`,
//!   `Basic <base64 user:pass>` or `Bearer x`) gets 401 `{"detail": ...}`.
//! - Requests: JSON or form bodies validated against the spec; bad fields
//!   get 400 `{"field": ["message", ...]}` as DRF does; malformed JSON 400
//!   `{"detail": "JSON parse error - ..."}`; an undocumented content type
//!   415; a body over the limit (1 MiB) 413; a slow request 408 or a closed
//!   connection, never a hang. Nothing a client sends causes a 5xx.
//! - Responses: pre-generated at startup from `codegen::sample`
//!   (deterministic for the seed and operation). Choose one with
//!   `Prefer: code=400`, `Prefer: example=redirect` (matches the union
//!   branch's component name) or the same in `X-Mock-Response`.
//! - Drift: `X-Mock-Drift: <name>` corrupts the chosen response on purpose;
//!   the response header `X-Mock-Drift-Pointer` names the JSON pointer it
//!   touched. See [`inject::DRIFTS`].

pub mod inject;
pub mod routes;
mod server;

pub use routes::Routes;
pub use server::{MockConfig, MockServer};

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
