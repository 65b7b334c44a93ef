//! The baseline: a do-nothing HTTP/1.1 server in its own process (`cargo
//! xtask bench-baseline --port N`, hidden), measured like the mocks. A thread
//! per connection reads each request whole and answers a fixed 2-byte
//! `200 {}`: no routing, no validation, no JSON. At one connection its
//! requests/s are what the loopback round trip between two processes allows
//! on this machine, so "ours / baseline" says how much of that our mock
//! leaves on the table, and "baseline / Prism" about how large a ratio any
//! server could show against Prism there. At many connections it is only a
//! reference: an async server can beat a thread per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[arg(long)]
    port: u16,
}

pub fn serve(args: BaselineArgs) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors and the like: back off instead of spinning.
            std::thread::sleep(std::time::Duration::from_millis(10));
            continue;
        };
        std::thread::spawn(move || {
            let _ = connection(stream);
        });
    }
    Ok(())
}

/// Keep-alive: request after request until the client closes.
fn connection(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        out.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
        )?;
    }
}
