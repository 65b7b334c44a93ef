//! The floor: a do-nothing HTTP/1.1 server in its own process (`cargo xtask
//! bench-floor --port N`, hidden), measured like the mocks. It reads each
//! request whole and answers a fixed `200 {}`: no routing, no validation,
//! no JSON. Its requests/s are what the loopback round trip between two
//! processes allows on this machine, so "ours / floor" says how much of
//! that our mock leaves on the table, and "floor / Prism" how large a ratio
//! any server could show against Prism here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

#[derive(Debug, clap::Args)]
pub struct FloorArgs {
    #[arg(long)]
    port: u16,
}

pub fn serve(args: FloorArgs) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
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
