//! The generated code of `codegen/tests/fixtures/codegen/ranges.yaml` (its
//! snapshot, `codegen/tests/snapshots/ranges/`), compiled as a crate of its
//! own with this crate's runtime, against a scripted local server: `4XX`
//! and `default` responses decode into their typed variants, carrying the
//! actual status; an exact status wins over its range, a range over
//! `default`; a 2xx never becomes an error.

#![allow(
    dead_code,
    unused_imports,
    reason = "a copy of the crate root: not every runtime item is used here"
)]

// The crate root of a generated crate (`generated/src/lib.rs`), with the
// snapshot's generated files in place of the Ottu ones.
#[path = "../src/runtime/mod.rs"]
mod runtime;

#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/ranges/src/operations.rs"]
mod operations;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/ranges/src/types.rs"]
pub mod types;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/ranges/src/verdict.rs"]
mod verdict;

pub use operations::*;
pub use runtime::client::{BuildError, Client};
pub use runtime::config::{Auth, AuthKind, Config, SANDBOX_URL};
pub use runtime::decimal::Decimal;
pub use runtime::error::{BodyExcerpt, Error, TransportError, UnexpectedResponse};
pub use runtime::files::{Download, DownloadError, Redirect, Upload, UploadError};
pub use runtime::nullable::Nullable;
pub use runtime::options::OptionError;
pub use runtime::pass_through::PassThrough;
pub use runtime::response::{Response, ResponseMeta};
pub use runtime::retry::RetryPolicy;
pub use runtime::secret::Secret;
pub use runtime::validate::{Validate, ValidationError};
pub use runtime::verdict::Verdict;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers every connection with `status` and `body`; returns the base URL.
async fn answer(status: &str, body: &str) -> String {
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    url
}

async fn client(status: &str, body: &str) -> Client {
    let url = answer(status, body).await;
    Client::new(Config::new(url, Auth::None).timeout(Duration::from_secs(5))).unwrap()
}

fn problem(detail: &str) -> types::Problem {
    types::Problem::default().with_detail(detail)
}

#[tokio::test]
async fn a_418_is_the_4xx_variant_with_its_status_and_body() {
    let c = client("418 I'm a teapot", r#"{"detail": "short and stout"}"#).await;
    match c.brew_tea().await {
        Err(Error::Api {
            error: e @ BrewTeaError::ClientError { .. },
            ..
        }) => {
            assert_eq!(e.status(), 418);
            assert_eq!(
                e,
                BrewTeaError::ClientError {
                    status: 418,
                    body: problem("short and stout")
                }
            );
            assert_eq!(e.to_string(), "HTTP 418 (ClientError): short and stout");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_exact_status_wins_over_its_range() {
    let c = client("404 Not Found", "").await;
    match c.brew_tea().await {
        Err(Error::Api {
            error: BrewTeaError::NotFound,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_503_is_the_default_variant() {
    let c = client("503 Service Unavailable", r#"{"detail": "kettle off"}"#).await;
    match c.brew_tea().await {
        Err(Error::Api { error: e, .. }) => {
            assert_eq!(
                e,
                BrewTeaError::Default {
                    status: 503,
                    body: problem("kettle off")
                }
            );
            assert_eq!(e.status(), 503);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_range_wins_over_default_and_bodiless_ranges_keep_the_status() {
    let c = client("502 Bad Gateway", "<html>sink</html>").await;
    match c.wash_teapot("t1").await {
        Err(Error::Api {
            error: WashTeapotError::ServerError { status: 502 },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_2xx_range_is_a_success() {
    let c = client("202 Accepted", r#"{"name": "oolong"}"#).await;
    let ok = c.wash_teapot("t1").await.unwrap();
    assert_eq!(
        ok,
        WashTeapotSuccess::Status2XX {
            status: 202,
            body: types::Tea::default().with_name("oolong")
        }
    );
    assert_eq!(ok.status(), 202);
    let c = client("204 No Content", "").await;
    let ok = c.wash_teapot("t1").await.unwrap();
    assert_eq!(ok, WashTeapotSuccess::Status204);
    assert_eq!(ok.status(), 204);
}

#[tokio::test]
async fn default_never_turns_a_2xx_into_an_error() {
    // Only 200 is documented as success: a 201 is undocumented, not
    // `default`, and a success all the same (its body is not the success
    // type's here, so it is kept whole: the request took effect).
    // An object decodes tolerantly into the success type, what it says kept.
    let c = client("201 Created", r#"{"detail": "not an error"}"#).await;
    match c.brew_tea().await {
        Ok(tea) => assert_eq!(tea.additional["detail"], "not an error"),
        other => panic!("{other:?}"),
    }
    // Not an object at all: kept whole, and still a success.
    let c = client("201 Created", r#"["not", "a", "tea"]"#).await;
    match c.brew_tea().await {
        Err(e @ Error::Undecoded(_)) => assert!(e.took_effect()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_lone_default_is_the_success_type_too() {
    let c = client("200 OK", r#"{"name": "sencha"}"#).await;
    assert_eq!(
        c.get_teapot("t1").await.unwrap(),
        types::Tea::default().with_name("sencha")
    );
    let c = client("500 Internal Server Error", r#"{"name": "burnt"}"#).await;
    match c.get_teapot("t1").await {
        Err(Error::Api {
            error: GetTeapotError::Default { status: 500, body },
            ..
        }) => {
            assert_eq!(body.name.as_deref(), Some("burnt"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_range_body_that_does_not_decode_is_a_decode_error() {
    // An array where an object is due: never read positionally.
    let c = client("409 Conflict", r#"["not", "a", "problem"]"#).await;
    match c.brew_tea().await {
        Err(Error::Decode { status: 409, .. }) => {}
        other => panic!("{other:?}"),
    }
    // An object missing what the spec requires: a response type absorbs it.
    let c = client("409 Conflict", r#"{"unexpected": true}"#).await;
    match c.brew_tea().await {
        Err(Error::Api {
            error: BrewTeaError::ClientError { status: 409, body },
            ..
        }) => {
            assert_eq!(body.detail, None);
            assert_eq!(body.additional["unexpected"], true);
        }
        other => panic!("{other:?}"),
    }
}
