//! A mock server run as its own process (ours or a peer's): spawned on a
//! free loopback port, timed from spawn to its first 2xx answer, measured
//! for resident memory while under load, killed on drop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running server process.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// Spawn to the first ready answer to `probe`.
    pub startup_ms: f64,
    stderr: Arc<Mutex<Vec<u8>>>,
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Server {
    /// Spawns `cmd` (which must listen on `port`) and polls it with `probe`
    /// (a complete HTTP/1.1 request) until `ready(status)`, for at most `timeout`.
    pub fn spawn(
        mut cmd: Command,
        port: u16,
        probe: &[u8],
        ready: impl Fn(u16) -> bool,
        timeout: Duration,
    ) -> Result<Self, String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn {:?}: {e}", cmd.get_program()))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let keep = stderr.clone();
            // Drained so the child never blocks on a full pipe; the tail explains a failed start.
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut k) = keep.lock() {
                        k.extend_from_slice(&chunk[..n]);
                        let excess = k.len().saturating_sub(8192);
                        k.drain(..excess);
                    }
                }
            });
        }
        let mut server = Self {
            child,
            addr,
            startup_ms: 0.0,
            stderr,
        };
        let mut last;
        loop {
            match probe_once(addr, probe) {
                Ok(status) if ready(status) => break,
                Ok(status) => last = format!("answered {status}"),
                Err(e) => last = e.to_string(),
            }
            if let Ok(Some(exit)) = server.child.try_wait() {
                std::thread::sleep(Duration::from_millis(50));
                return Err(format!(
                    "exited ({exit}) before answering: {}",
                    server.stderr_tail()
                ));
            }
            if started.elapsed() > timeout {
                return Err(format!(
                    "not ready within {timeout:?} (last: {last}); stderr: {}",
                    server.stderr_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        server.startup_ms = started.elapsed().as_secs_f64() * 1e3;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stderr_tail(&self) -> String {
        let b = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        let s = String::from_utf8_lossy(&b);
        let tail: Vec<&str> = s.lines().rev().take(3).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a fresh connection: the response status.
pub fn probe_once(addr: SocketAddr, request: &[u8]) -> std::io::Result<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(request)?;
    let mut buf = [0u8; 64];
    let mut got = 0;
    while got < 12 {
        let n = s.read(&mut buf[got..])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        got += n;
    }
    let head = String::from_utf8_lossy(&buf[..got]);
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not HTTP"))
}

/// Resident memory in MB of `pid` and its descendants: `(VmRSS, VmHWM)`.
pub fn memory_mb(pid: u32) -> Option<(f64, f64)> {
    let mut pids = vec![pid];
    let mut i = 0;
    while i < pids.len() {
        pids.extend(children(pids[i]));
        i += 1;
    }
    let (mut rss, mut hwm, mut any) = (0u64, 0u64, false);
    for p in pids {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{p}/status")) {
            any = true;
            rss += field_kb(&status, "VmRSS:");
            hwm += field_kb(&status, "VmHWM:");
        }
    }
    any.then(|| (rss as f64 / 1024.0, hwm as f64 / 1024.0))
}

fn children(pid: u32) -> Vec<u32> {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")) else {
        return Vec::new();
    };
    text.split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn field_kb(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Samples [`memory_mb`] every 20 ms until stopped: the peak VmRSS seen
/// and the final VmHWM.
#[derive(Debug)]
pub struct MemorySampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<(f64, f64)>,
}

impl MemorySampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let (mut peak, mut hwm) = (0.0f64, 0.0f64);
            loop {
                if let Some((rss, h)) = memory_mb(pid) {
                    peak = peak.max(rss);
                    hwm = hwm.max(h);
                }
                if flag.load(Ordering::Relaxed) {
                    return (peak, hwm);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Self { stop, handle }
    }

    /// `(peak VmRSS, VmHWM)` in MB.
    pub fn finish(self) -> (f64, f64) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or((0.0, 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_memory() {
        let (rss, hwm) = memory_mb(std::process::id()).expect("/proc is mounted");
        assert!(rss > 0.0 && hwm >= rss, "rss {rss} hwm {hwm}");
    }

    #[test]
    fn parses_status_fields() {
        assert_eq!(
            field_kb("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t1024 kB\n", "VmRSS:"),
            1024
        );
        assert_eq!(field_kb("Name:\tx\n", "VmRSS:"), 0);
    }

    #[test]
    fn a_server_that_exits_is_reported_not_awaited() {
        let port = free_port().unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo bad spec >&2; exit 3"]);
        let err = Server::spawn(
            cmd,
            port,
            b"GET / HTTP/1.1\r\n\r\n",
            |_| true,
            Duration::from_secs(10),
        )
        .unwrap_err();
        assert!(err.contains("exited"), "{err}");
    }
}
