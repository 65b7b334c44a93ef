//! The mock under abuse, as a client or an attacker would see it:
//!
//! - slow and idle connections (slowloris) are dropped by the header-read
//!   timeout, however they trickle their bytes, and do not block others;
//! - the cap on open connections holds, and idle connections at the cap
//!   give their place to a new client.
//!
//! The mock as its own process (`cargo xtask mock`) under abuse, with its
//! memory and file descriptors measured: `xtask/tests/mock_process.rs`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use contract_tests::Validators;
use contract_tests::loadgen::{raw_request, read_response};
use contract_tests::mock::{MockConfig, MockServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "support/clients.rs"]
mod clients;
use clients::{one, slowloris};

fn validators() -> Arc<Validators> {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let spec =
        codegen::load(&[specs], &codegen::LoadOptions { overlays: true }).expect("specs load");
    Arc::new(Validators::new(spec).expect("validators compile"))
}

const CARD: &str = "/b/pbl/v2/card/";
const VALID_CARD_BODY: &[u8] = b"{\"customer_id\": \"c1\", \"type\": \"sandbox\"}";

async fn start_in_process(read_timeout: Duration) -> MockServer {
    MockServer::start(
        validators(),
        MockConfig {
            seed: 5,
            read_timeout,
            ..MockConfig::default()
        },
    )
    .await
    .expect("mock starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_dropped_by_the_read_timeout() {
    let timeout = Duration::from_millis(800);
    let server = start_in_process(timeout).await;
    let addr = server.addr();
    let give_up = Duration::from_secs(6);
    let head = b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Key mock-api-key\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let keep_alive_then_idle = async {
        // A complete request on a keep-alive connection, then silence.
        let mut s = TcpStream::connect(addr).await.unwrap();
        let request = raw_request(
            "POST",
            CARD,
            &[
                ("Authorization", "Api-Key mock-api-key"),
                ("Content-Type", "application/json"),
            ],
            VALID_CARD_BODY,
        );
        s.write_all(&request).await.unwrap();
        let mut buf = Vec::new();
        let (status, keep) = read_response(&mut s, &mut buf).await.unwrap();
        assert_eq!((status, keep), (200, true));
        let started = Instant::now();
        let mut rest = [0u8; 64];
        let n = tokio::time::timeout(give_up, s.read(&mut rest)).await;
        assert!(
            matches!(n, Ok(Ok(0)) | Ok(Err(_))),
            "an idle keep-alive connection is closed: {n:?}"
        );
        started.elapsed()
    };
    let slow_body = async {
        // Complete headers, then a body that stops half-way.
        let started = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Key mock-api-key\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"customer_id\"")
            .await
            .unwrap();
        let mut buf = Vec::new();
        let answer = tokio::time::timeout(give_up, read_response(&mut s, &mut buf))
            .await
            .expect("a stalled body is answered");
        (answer.ok().map(|(s, _)| s), started.elapsed())
    };
    let (trickle, silent, after_line, idle, (body_status, body_after)) = tokio::join!(
        // Trickles one header byte every 50 ms: never completes within the timeout.
        slowloris(addr, head, Duration::from_millis(50), give_up),
        // Connects and never sends a byte.
        slowloris(addr, b"", Duration::from_millis(50), give_up),
        // Sends the request line only.
        slowloris(
            addr,
            b"GET /b/pbl/v2/card/ HTTP/1.1\r\n",
            Duration::from_millis(1),
            give_up
        ),
        keep_alive_then_idle,
        slow_body,
    );
    for (what, d) in [
        ("trickling headers", trickle),
        ("silent connection", silent),
        ("request line only", after_line),
    ] {
        let d = d.unwrap_or_else(|| panic!("{what}: still open after {give_up:?}"));
        // Trickled bytes do not reset the timeout: it counts from the first read.
        assert!(
            d.after >= timeout.mul_f32(0.9) && d.after < timeout * 4,
            "{what}: dropped after {:?}",
            d.after
        );
        assert!(
            d.status.is_none_or(|s| s == 408 || s == 400),
            "{what}: {d:?}"
        );
    }
    assert!(idle < timeout * 4, "idle keep-alive dropped after {idle:?}");
    assert_eq!(body_status, Some(408), "stalled body");
    assert!(
        body_after < timeout * 4,
        "stalled body answered after {body_after:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_slowloris_connections_do_not_block_real_clients() {
    let timeout = Duration::from_millis(1500);
    let server = start_in_process(timeout).await;
    let addr = server.addr();
    let mut slow = tokio::task::JoinSet::new();
    for _ in 0..300 {
        slow.spawn(slowloris(
            addr,
            b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\n",
            Duration::from_millis(100),
            Duration::from_secs(10),
        ));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Real clients are served promptly while the slow ones hold their connections.
    let request = raw_request(
        "POST",
        CARD,
        &[
            ("Authorization", "Api-Key mock-api-key"),
            ("Content-Type", "application/json"),
        ],
        VALID_CARD_BODY,
    );
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(one(addr, &request).await, Some(200));
        assert!(t.elapsed() < timeout, "served in {:?}", t.elapsed());
    }
    let mut n = 0;
    while let Some(d) = slow.join_next().await {
        let d = d.unwrap().expect("every slowloris connection is dropped");
        assert!(d.after < timeout * 4, "{d:?}");
        n += 1;
    }
    assert_eq!(n, 300);
    assert_eq!(one(addr, &request).await, Some(200));
    server.shutdown().await;
}

async fn capped_at_four() -> MockServer {
    MockServer::start(
        validators(),
        MockConfig {
            seed: 5,
            read_timeout: Duration::from_secs(30),
            max_connections: 4,
            ..MockConfig::default()
        },
    )
    .await
    .expect("mock starts")
}

fn valid_card_request() -> Vec<u8> {
    raw_request(
        "POST",
        CARD,
        &[
            ("Authorization", "Api-Key mock-api-key"),
            ("Content-Type", "application/json"),
        ],
        VALID_CARD_BODY,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_at_the_cap_never_starve_a_new_client() {
    let server = capped_at_four().await;
    let addr = server.addr();
    // The cap filled by clients that never send a byte, and one kept
    // alive after a request (a 30 s read timeout: nothing drops them soon).
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(&valid_card_request()).await.unwrap();
    let mut buf = Vec::new();
    assert_eq!(
        read_response(&mut kept, &mut buf).await.unwrap(),
        (200, true)
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Each new client is served at once, taking an idle one's place.
    for i in 0..6 {
        let t = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(&valid_card_request()).await.unwrap();
        let mut buf = Vec::new();
        let (status, _) =
            tokio::time::timeout(Duration::from_secs(2), read_response(&mut s, &mut buf))
                .await
                .unwrap_or_else(|_| panic!("client {i} starved by idle sockets"))
                .expect("a response");
        assert_eq!(status, 200);
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "client {i} waited {:?}",
            t.elapsed()
        );
        idle.push(s);
    }
    // The oldest idle connections were the ones closed.
    let mut byte = [0u8; 1];
    let closed = tokio::time::timeout(Duration::from_secs(2), idle[0].read(&mut byte)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "oldest idle still open: {closed:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_while_every_one_is_mid_request() {
    let server = capped_at_four().await;
    let addr = server.addr();
    // Four requests mid-body: busy, not idle, so none gives its place.
    let mut busy = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"POST /b/pbl/v2/card/ HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Key mock-api-key\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            .await
            .unwrap();
        busy.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The fifth client connects (accepted) but is not served...
    let mut fifth = TcpStream::connect(addr).await.unwrap();
    fifth.write_all(&valid_card_request()).await.unwrap();
    let mut buf = Vec::new();
    let early = tokio::time::timeout(
        Duration::from_millis(500),
        read_response(&mut fifth, &mut buf),
    )
    .await;
    assert!(early.is_err(), "served beyond the cap of 4 connections");
    // ...until one of the four goes away.
    drop(busy.pop());
    let (status, _) =
        tokio::time::timeout(Duration::from_secs(5), read_response(&mut fifth, &mut buf))
            .await
            .expect("served once a slot is free")
            .expect("a response");
    assert_eq!(status, 200);
    drop(busy);
    server.shutdown().await;
}
