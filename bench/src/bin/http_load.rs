//! `http-load --addr 127.0.0.1:PORT [--path /helloworld/kratos] [--body FILE] [--connections 64]
//! [--requests 200000]`: sends exactly `--requests` HTTP/1.1 keep-alive requests (GET, or POST of
//! `FILE` as JSON) over `--connections` connections and prints
//! `<requests> requests in <seconds> s = <rate> req/s`. A fixed count, unlike wrk's fixed time,
//! so a server's CPU time or instruction count over a run compares across binaries as is.
//! Every response must be a 200 with a `Content-Length` body; anything else aborts.

use std::process::ExitCode;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    address: String,
    path: String,
    body: Option<Vec<u8>>,
    connections: u64,
    requests: u64,
}

const USAGE: &str = "usage: http-load --addr HOST:PORT [--path PATH] [--body FILE] \
                     [--connections N] [--requests N]";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        address: String::new(),
        path: "/helloworld/kratos".to_owned(),
        body: None,
        connections: 64,
        requests: 200_000,
    };
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{arg} {value}: {e}"))
        };
        match arg.as_str() {
            "--addr" => parsed.address = value.clone(),
            "--path" => parsed.path = value.clone(),
            "--body" => {
                parsed.body = Some(std::fs::read(&value).map_err(|e| format!("{value}: {e}"))?);
            }
            "--connections" => parsed.connections = number()?.max(1),
            "--requests" => parsed.requests = number()?,
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    if parsed.address.is_empty() {
        return Err("--addr is required".to_owned());
    }
    Ok(parsed)
}

/// The bytes of one request, sent as is every time.
fn request(args: &Args) -> Vec<u8> {
    let host = &args.address;
    let path = &args.path;
    match &args.body {
        None => format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        Some(body) => {
            let mut bytes = format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            bytes.extend_from_slice(body);
            bytes
        }
    }
}

/// Where the head of the response in `buf` ends, and its body's length, once the head is in.
fn head(buf: &[u8]) -> Result<Option<(usize, usize)>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let text = std::str::from_utf8(&buf[..end]).map_err(|e| e.to_string())?;
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap_or_default();
    if !status.starts_with("HTTP/1.1 200") {
        return Err(format!("unexpected response: {text}"));
    }
    let length = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map(|(_, value)| value.trim().parse::<usize>())
        .ok_or_else(|| format!("no Content-Length: {text}"))?
        .map_err(|e| e.to_string())?;
    Ok(Some((end + 4, length)))
}

/// Sends `count` requests one after the other on one connection.
async fn connection(address: String, request: Vec<u8>, count: u64) -> Result<(), String> {
    let mut stream = TcpStream::connect(&address)
        .await
        .map_err(|e| format!("{address}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    for _ in 0..count {
        stream
            .write_all(&request)
            .await
            .map_err(|e| e.to_string())?;
        loop {
            if let Some((body_at, length)) = head(&buf)?
                && buf.len() >= body_at + length
            {
                buf.drain(..body_at + length);
                break;
            }
            let read = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
            if read == 0 {
                return Err("the server closed the connection".to_owned());
            }
            buf.extend_from_slice(&chunk[..read]);
        }
    }
    Ok(())
}

async fn run(args: Args) -> Result<(), String> {
    let request = request(&args);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..args.connections {
        // The first connections take one more each when the count does not divide evenly.
        let count =
            args.requests / args.connections + u64::from(index < args.requests % args.connections);
        tasks.spawn(connection(args.address.clone(), request.clone(), count));
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} requests in {seconds:.2} s = {:.0} req/s",
        args.requests,
        args.requests as f64 / seconds
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(err) => {
            eprintln!("http-load: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("http-load: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("http-load: {err}");
            ExitCode::FAILURE
        }
    }
}
