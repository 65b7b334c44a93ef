//! Clients the mock's abuse tests share (`contract-tests/tests/abuse.rs`,
//! in process; `xtask/tests/mock_process.rs`, the `mock` command as its
//! own process): a slowloris connection and one request on a fresh one.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use contract_tests::loadgen::read_response;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a connection that the client keeps (too) slow saw.
#[derive(Debug)]
pub struct Dropped {
    /// From connect to the server closing the connection.
    pub after: Duration,
    /// The status the server answered before closing, if any.
    pub status: Option<u16>,
}

/// Connects and sends `head` one byte every `pace`, then nothing; returns
/// when the server closes the connection (`None` if it still has not after
/// `give_up`).
pub async fn slowloris(
    addr: SocketAddr,
    head: &[u8],
    pace: Duration,
    give_up: Duration,
) -> Option<Dropped> {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).await.expect("mock accepts");
    let mut sent = 0;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let left = give_up.checked_sub(started.elapsed())?;
        let wait = if sent < head.len() {
            pace.min(left)
        } else {
            left
        };
        match tokio::time::timeout(wait, s.read(&mut chunk)).await {
            // The server closed (EOF or reset): dropped.
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Err(_) if sent < head.len() => {
                if s.write_all(&head[sent..=sent]).await.is_err() {
                    break;
                }
                sent += 1;
            }
            Err(_) => return None,
        }
    }
    let status = std::str::from_utf8(&buf)
        .ok()
        .and_then(|t| t.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    Some(Dropped {
        after: started.elapsed(),
        status,
    })
}

/// One request on a fresh connection: the status, or None if the server closed it.
pub async fn one(addr: SocketAddr, request: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).await.ok()?;
    s.write_all(request).await.ok()?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), read_response(&mut s, &mut buf))
        .await
        .expect("the mock hung")
        .ok()
        .map(|(status, _)| status)
}
