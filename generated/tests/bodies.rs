//! The generated code of `codegen/tests/fixtures/codegen/bodies.yaml` (its
//! snapshot, `codegen/tests/snapshots/bodies/`), compiled with this crate's
//! runtime and driven against a local HTTP server: a multipart upload
//! (parts and bytes checked on the wire), a file download with its content
//! type, a 302 returned with its `Location` (never followed), an interrupted
//! download (a typed error, no file left), and each security scheme sent as
//! its header, or refused before anything is sent.

#![allow(
    dead_code,
    unused_imports,
    reason = "a copy of the crate root: not every runtime item is used here"
)]

#[path = "../src/runtime/mod.rs"]
mod runtime;

#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/bodies/src/operations.rs"]
mod operations;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/bodies/src/types.rs"]
pub mod types;

pub use operations::*;
pub use runtime::client::{BuildError, Client};
pub use runtime::config::{Auth, AuthKind, Config, SANDBOX_URL};
pub use runtime::decimal::Decimal;
pub use runtime::error::{BodyExcerpt, Error, TransportError, UnexpectedResponse};
pub use runtime::files::{Download, DownloadError, Redirect, Upload, UploadError};
pub use runtime::nullable::Nullable;
pub use runtime::options::OptionError;
pub use runtime::response::{Response, ResponseMeta};
pub use runtime::retry::RetryPolicy;
pub use runtime::secret::Secret;
pub use runtime::validate::{Validate, ValidationError};

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A server answering every connection with `response` (raw bytes, sent
/// as is; the connection is closed after it). Each request it read (head
/// and body) comes back through the receiver.
async fn serve(response: Vec<u8>) -> (String, mpsc::UnboundedReceiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = read_request(&mut sock).await;
            let _ = sock.write_all(&response).await;
            let _ = sock.shutdown().await;
            let _ = tx.send(seen);
        }
    });
    (url, rx)
}

/// The head, then as much body as `content-length` says (or chunks up to
/// the final empty one).
async fn read_request(sock: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf))
            .await
            .unwrap_or(Ok(0))
            .unwrap_or(0);
        seen.extend_from_slice(&buf[..n]);
        if n == 0 {
            break;
        }
        let Some(end) = find(&seen, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
        let want = head.lines().find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        });
        match want {
            Some(want) if seen.len() >= end + 4 + want => break,
            None if !head.contains("transfer-encoding: chunked") => break,
            None if seen.ends_with(b"0\r\n\r\n") => break,
            _ => {}
        }
    }
    seen
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn response(head: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {head}\r\nconnection: close\r\n\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn client(url: &str, auth: Auth) -> Client {
    Client::new(Config::new(url, auth).timeout(Duration::from_secs(5))).unwrap()
}

fn head_of(request: &[u8]) -> String {
    let end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    String::from_utf8_lossy(&request[..end]).into_owned()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn multipart_upload_sends_text_parts_and_the_file_streamed() {
    let ok = br#"{"attachment_url": "https://x/a.pdf"}"#;
    let (url, mut seen) = serve(response(
        &format!(
            "200 OK\r\ncontent-type: application/json\r\ncontent-length: {}",
            ok.len()
        ),
        ok,
    ))
    .await;
    let c = client(&url, Auth::basic("merchant", "pw-secret-1"));
    let fields = types::UploadAttachmentFields {
        session_id: Some("sess_1".into()),
        shortify_attachment_url: Some(true),
        tags: Some(vec!["a".into(), "b".into()]),
    };
    // Bytes that are not UTF-8 travel unchanged (never base64, never JSON).
    let bytes: Vec<u8> = vec![0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe, 0x0a];
    let file = Upload::bytes("invoice.pdf", "application/pdf", bytes.clone());
    let got = c.upload_attachment(&fields, file).await.unwrap();
    assert_eq!(got.attachment_url.as_deref(), Some("https://x/a.pdf"));

    let req = seen.recv().await.unwrap();
    let head = head_of(&req);
    assert!(head.starts_with("POST /upload/ "), "{head}");
    let ct = header(&head, "content-type").unwrap();
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {ct}"));
    assert!(
        header(&head, "authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    let body = &req[find(&req, b"\r\n\r\n").unwrap() + 4..];
    let body = dechunk(body);
    let parts = split_parts(&body, boundary);
    let names: Vec<_> = parts.iter().map(|(h, _)| h.clone()).collect();
    let text = |name: &str| -> Vec<String> {
        parts
            .iter()
            .filter(|(h, _)| h.contains(&format!("name=\"{name}\"")))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect()
    };
    assert_eq!(text("session_id"), ["sess_1"], "{names:?}");
    assert_eq!(text("shortify_attachment_url"), ["true"]);
    assert_eq!(text("tags"), ["a", "b"], "a list is one part per item");
    let (file_head, file_body) = parts
        .iter()
        .find(|(h, _)| h.contains("name=\"file\""))
        .expect("a file part");
    assert!(
        file_head.contains("filename=\"invoice.pdf\""),
        "{file_head}"
    );
    assert!(
        file_head
            .to_ascii_lowercase()
            .contains("content-type: application/pdf"),
        "{file_head}"
    );
    assert_eq!(file_body, &bytes, "the file's bytes, unchanged");
}

/// Undoes `transfer-encoding: chunked` (a streamed part has no length).
fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let Some(eol) = find(rest, b"\r\n") else {
            return body.to_vec();
        };
        let Ok(size) = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16)
        else {
            return body.to_vec();
        };
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
        rest = &rest[eol + 2 + size + 2..];
    }
}

/// `(part head, part body)` of a multipart body.
fn split_parts(body: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delim.as_bytes()) {
        rest = &rest[start + delim.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(next) = find(rest, delim.as_bytes()) else {
            break;
        };
        let part = &rest[2..next - 2]; // after CRLF, before CRLF--boundary
        let split = find(part, b"\r\n\r\n").unwrap();
        out.push((
            String::from_utf8_lossy(&part[..split]).into_owned(),
            part[split + 4..].to_vec(),
        ));
    }
    out
}

#[tokio::test]
async fn an_upload_streamed_from_a_file_sends_its_bytes_and_a_missing_file_names_its_path() {
    let dir = std::env::temp_dir().join(format!("ottu-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("receipt.png");
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();

    let missing = dir.join("nope.pdf");
    let err = Upload::from_path(&missing).await.unwrap_err();
    assert_eq!(err.path, missing);
    assert!(err.to_string().contains("nope.pdf"), "{err}");

    let (url, mut seen) = serve(response(
        "200 OK\r\ncontent-type: application/json\r\ncontent-length: 2",
        b"{}",
    ))
    .await;
    let c = client(&url, Auth::bearer("jwt-token-123"));
    let file = Upload::from_path(&path).await.unwrap();
    assert!(format!("{file:?}").contains("receipt.png"));
    let empty = types::UploadAttachmentFields {
        session_id: None,
        shortify_attachment_url: None,
        tags: None,
    };
    c.upload_attachment(&empty, file).await.unwrap();
    let req = seen.recv().await.unwrap();
    let head = head_of(&req);
    let boundary = header(&head, "content-type")
        .unwrap()
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap()
        .to_string();
    let body = dechunk(&req[find(&req, b"\r\n\r\n").unwrap() + 4..]);
    let parts = split_parts(&body, &boundary);
    assert_eq!(parts.len(), 1, "no text part for absent fields");
    assert!(parts[0].0.contains("filename=\"receipt.png\""));
    assert!(parts[0].0.to_ascii_lowercase().contains("image/png"));
    assert_eq!(parts[0].1, bytes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_file_download_keeps_its_bytes_and_content_type() {
    let csv = b"id,amount\n1,86.000\n";
    let (url, mut seen) = serve(response(
        &format!(
            "200 OK\r\ncontent-type: text/csv\r\ncontent-length: {}\r\ncontent-disposition: attachment; filename=\"r.csv\"",
            csv.len()
        ),
        csv,
    ))
    .await;
    let c = client(&url, Auth::api_key("sk_test_download"));
    // Status and headers beside the file, which stays unread.
    let resp = c
        .download_report("tok/1")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.meta().header("content-type"), Some("text/csv"));
    let DownloadReportSuccess::Status200(file) = resp.into_inner() else {
        panic!("not the file");
    };
    assert_eq!(file.content_type(), Some("text/csv"));
    assert_eq!(file.file_name().as_deref(), Some("r.csv"));
    assert_eq!(file.bytes().await.unwrap(), csv);
    let head = head_of(&seen.recv().await.unwrap());
    assert!(
        head.starts_with("GET /reports/tok%2F1/download/ "),
        "{head}"
    );
    assert_eq!(
        header(&head, "authorization"),
        Some("Api-Key sk_test_download")
    );

    // Saved: the whole file, nothing else left beside it.
    let (url, _seen) = serve(response(
        &format!(
            "200 OK\r\ncontent-type: text/csv\r\ncontent-length: {}",
            csv.len()
        ),
        csv,
    ))
    .await;
    let dir = std::env::temp_dir().join(format!("ottu-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("report.csv");
    let file = client(&url, Auth::token("tok_csv_key"))
        .export_csv()
        .await
        .unwrap();
    assert_eq!(file.save_to(&target).await.unwrap(), csv.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), csv);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_302_is_returned_with_its_location_and_never_followed() {
    let (url, mut seen) = serve(response(
        "302 Found\r\nlocation: https://storage.example.com/r.csv?X-Amz-Signature=SIGSECRET\r\ncontent-length: 0",
        b"",
    ))
    .await;
    let c = client(&url, Auth::api_key("sk_test_redirect"));
    let resp = c.download_report("t").send_with_response().await.unwrap();
    assert_eq!(resp.status(), 302);
    assert!(
        !format!("{resp:?}").contains("SIGSECRET"),
        "the signature is not shown: {resp:?}"
    );
    let DownloadReportSuccess::Status302(redirect) = resp.into_inner() else {
        panic!("not the redirect");
    };
    assert_eq!(redirect.status(), 302);
    assert_eq!(
        redirect.location(),
        Some("https://storage.example.com/r.csv?X-Amz-Signature=SIGSECRET")
    );
    assert!(
        !format!("{redirect:?}").contains("SIGSECRET"),
        "the pre-signed signature is not shown"
    );
    seen.recv().await.unwrap();
    // One request only: the client did not go to storage.example.com.
    assert!(seen.try_recv().is_err());

    // A relative Location resolves against the request; fetched without credentials.
    let file = b"a,b\n";
    let (target, mut target_seen) = serve(response(
        &format!(
            "200 OK\r\ncontent-type: text/csv\r\ncontent-length: {}",
            file.len()
        ),
        file,
    ))
    .await;
    let (url, _) = serve(response(
        &format!("302 Found\r\nlocation: {target}/files/r.csv\r\ncontent-length: 0"),
        b"",
    ))
    .await;
    let c = client(&url, Auth::api_key("sk_test_redirect"));
    let DownloadReportSuccess::Status302(redirect) = c.download_report("t").await.unwrap() else {
        panic!("not the redirect");
    };
    let download = c.fetch_redirect(&redirect).await.unwrap();
    assert_eq!(download.bytes().await.unwrap(), file);
    let head = head_of(&target_seen.recv().await.unwrap());
    assert!(head.starts_with("GET /files/r.csv "), "{head}");
    assert_eq!(
        header(&head, "authorization"),
        None,
        "no credential to another host"
    );
}

#[tokio::test]
async fn an_interrupted_download_is_a_typed_error_and_leaves_no_file() {
    let half = vec![b'x'; 1000];
    let interrupted = || {
        response(
            "200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 5000",
            &half,
        )
    };
    let (url, _seen) = serve(interrupted()).await;
    let c = client(&url, Auth::basic("u", "password-1"));
    let DownloadReportSuccess::Status200(file) = c.download_report("t").await.unwrap() else {
        panic!("not the file");
    };
    match file.bytes().await {
        Err(DownloadError::Interrupted {
            received, expected, ..
        }) => {
            assert_eq!(expected, Some(5000));
            assert!(received < 5000, "{received}");
        }
        other => panic!("{other:?}"),
    }

    let dir = std::env::temp_dir().join(format!("ottu-partial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (url, _seen) = serve(interrupted()).await;
    let c = client(&url, Auth::basic("u", "password-1"));
    let DownloadReportSuccess::Status200(file) = c.download_report("t").await.unwrap() else {
        panic!("not the file");
    };
    let err = file.save_to(dir.join("report.bin")).await.unwrap_err();
    assert!(matches!(err, DownloadError::Interrupted { .. }), "{err}");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no partial file, no temporary file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn each_scheme_is_sent_as_its_header() {
    let cases = [
        (Auth::token("tok_abcdef"), "Token tok_abcdef"),
        (Auth::bearer("jwt.abc.def"), "Bearer jwt.abc.def"),
    ];
    for (auth, want) in cases {
        let (url, mut seen) = serve(response("204 No Content", b"")).await;
        let body = types::Note {
            message: "hi".into(),
        };
        client(&url, auth)
            .notify(types::NotifyChannel::Email, &body)
            .await
            .unwrap();
        let req = seen.recv().await.unwrap();
        let head = head_of(&req);
        assert_eq!(header(&head, "authorization"), Some(want));
        // JSON, form and multipart accepted: sent as JSON.
        assert_eq!(header(&head, "content-type"), Some("application/json"));
        assert!(String::from_utf8_lossy(&req).ends_with(r#"{"message":"hi"}"#));
    }
    let (url, mut seen) = serve(response(
        "200 OK\r\ncontent-type: application/json\r\ncontent-length: 2",
        b"{}",
    ))
    .await;
    client(&url, Auth::api_key("sk_live_api"))
        .status()
        .await
        .unwrap();
    let head = head_of(&seen.recv().await.unwrap());
    assert_eq!(header(&head, "authorization"), Some("Api-Key sk_live_api"));
}

#[tokio::test]
async fn a_scheme_the_operation_does_not_accept_is_refused_and_never_sent() {
    let (url, mut seen) = serve(response("204 No Content", b"")).await;
    // notify accepts Token and Bearer only.
    let c = client(&url, Auth::api_key("sk_live_NEVER_SENT"));
    let err = c
        .notify(
            types::NotifyChannel::Sms,
            &types::Note {
                message: "x".into(),
            },
        )
        .await
        .unwrap_err();
    match &err {
        Error::AuthNotAccepted {
            operation,
            configured,
            accepted,
        } => {
            assert_eq!(*operation, "notify");
            assert_eq!(*configured, AuthKind::ApiKey);
            assert_eq!(*accepted, ["tokenAuth (Token)", "jwtAuth (Bearer)"]);
        }
        other => panic!("{other:?}"),
    }
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("notify") && text.contains("tokenAuth"),
        "{text}"
    );
    assert!(!text.contains("NEVER_SENT"), "{text}");
    // An operation with only a scheme this client cannot send refuses all.
    let err = c.oauth_only().await.unwrap_err();
    assert!(err.to_string().contains("oauth2"), "{err}");
    // Nothing reached the server.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(seen.try_recv().is_err());

    // Anonymous allowed: a Basic credential it does not take is left out.
    let (url, mut seen) = serve(response(
        "200 OK\r\ncontent-type: application/json\r\ncontent-length: 2",
        b"{}",
    ))
    .await;
    client(&url, Auth::basic("u", "basic-pw-NOT-SENT"))
        .status()
        .await
        .unwrap();
    let head = head_of(&seen.recv().await.unwrap());
    assert_eq!(header(&head, "authorization"), None, "{head}");

    // No credential configured: never refused (a proxy may add one).
    let (url, mut seen) = serve(response("204 No Content", b"")).await;
    client(&url, Auth::None)
        .notify(
            types::NotifyChannel::Sms,
            &types::Note {
                message: "x".into(),
            },
        )
        .await
        .unwrap();
    assert!(seen.recv().await.is_some());
}
