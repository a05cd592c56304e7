//! An open-loop HTTP/1.1 load generator for `tools/bench/server-overload.sh`: it sends one
//! request again and again at a fixed total rate, spread over keep-alive connections, for a
//! bounded time, and reports answers by status with their latency.
//!
//! Why not wrk: wrk is closed-loop (a connection sends its next request only when the last one
//! is answered, so an overloaded server slows the offered rate down and hides its queue), and
//! its latencies cannot be split by status; we need the latency of the 503s on their own.
//!
//! Open loop: connection `c` of `n` sends its `i`-th request at `start + (c + i·n) / rate`.
//! HTTP/1.1 without pipelining has one request in flight per connection, so a connection whose
//! answer comes late sends its next request late; such sends are counted (`late_sends`) and
//! their lateness is reported, and what is still due when the time is up is counted unsent:
//! the report says when the offered rate was not reached.
//! Latency is measured from the moment a request is written ("service latency") and, apart,
//! from the moment it was due ("from schedule", what an open-loop client waits in all).
//!
//!   loadgen ADDR PATH BODY_FILE CONTENT_TYPE RATE CONNECTIONS SECONDS
//!
//! ADDR is `127.0.0.1:PORT`: the generator refuses other hosts (loopback benchmarks only).
//! Prints one JSON object on standard output.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest a run may last, whatever the arguments say.
const MAX_SECONDS: f64 = 120.0;
/// The most connections a run may open.
const MAX_CONNECTIONS: usize = 4096;
/// How long one answer may take before the connection is given up (and counted).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// One answer: its status (0 for a failed exchange), latency from the write and from the
/// schedule, in microseconds.
struct Sample {
    status: u16,
    service_us: u32,
    scheduled_us: u32,
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    samples: Vec<Sample>,
    late_sends: u64,
    unsent: u64,
    reconnects: u64,
}

fn usage() -> ! {
    eprintln!("usage: loadgen 127.0.0.1:PORT PATH BODY_FILE CONTENT_TYPE RATE CONNECTIONS SECONDS");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [
        addr,
        path,
        body_file,
        content_type,
        rate,
        connections,
        seconds,
    ] = args.as_slice()
    else {
        usage()
    };
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        usage()
    };
    if !addr.ip().is_loopback() {
        eprintln!("loadgen: {addr} is not a loopback address");
        std::process::exit(2)
    }
    let (Ok(rate), Ok(connections), Ok(seconds)) = (
        rate.parse::<f64>(),
        connections.parse::<usize>(),
        seconds.parse::<f64>(),
    ) else {
        usage()
    };
    let sane = rate.is_finite()
        && rate > 0.0
        && (1..=MAX_CONNECTIONS).contains(&connections)
        && seconds > 0.0
        && seconds <= MAX_SECONDS;
    if !sane {
        eprintln!(
            "loadgen: rate > 0, 1..={MAX_CONNECTIONS} connections, 0 < seconds <= {MAX_SECONDS}"
        );
        std::process::exit(2)
    }
    let body = match std::fs::read(body_file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("loadgen: {body_file}: {e}");
            std::process::exit(2)
        }
    };
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(1)
        }
    };
    let started = Instant::now();
    let tallies = runtime.block_on(async move {
        let request: &'static [u8] = Box::leak(request.into_boxed_slice());
        let start = Instant::now() + Duration::from_millis(50);
        let end = start + Duration::from_secs_f64(seconds);
        let interval = Duration::from_secs_f64(connections as f64 / rate);
        let tasks: Vec<_> = (0..connections)
            .map(|c| {
                let first = start + Duration::from_secs_f64(c as f64 / rate);
                tokio::spawn(connection(addr, request, first, interval, end))
            })
            .collect();
        let mut tallies = Vec::with_capacity(tasks.len());
        for t in tasks {
            if let Ok(t) = t.await {
                tallies.push(t);
            }
        }
        tallies
    });
    report(&tallies, rate, connections, seconds, started.elapsed());
}

/// One keep-alive connection sending on its schedule until `end`.
async fn connection(
    addr: SocketAddr,
    request: &'static [u8],
    first: Instant,
    interval: Duration,
    end: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::with_capacity(4096);
    let mut due = first;
    // The run ends on time: what a late connection could not send by then is counted unsent.
    while due < end && Instant::now() < end {
        let now = Instant::now();
        if now < due {
            tokio::time::sleep_until(due.into()).await;
        } else if now - due > Duration::from_millis(1) {
            tally.late_sends += 1;
        }
        if stream.is_none() {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    stream = Some(s);
                }
                Err(_) => {
                    tally.samples.push(sample(0, Instant::now(), due));
                    tally.reconnects += 1;
                    due += interval;
                    continue;
                }
            }
        }
        let Some(s) = stream.as_mut() else {
            // Unreachable (connected just above); move on rather than spin.
            due += interval;
            continue;
        };
        let sent = Instant::now();
        let outcome = tokio::time::timeout(ANSWER_TIMEOUT, exchange(s, request, &mut buf)).await;
        match outcome {
            Ok(Ok((status, keep))) => {
                tally.samples.push(sample(status, sent, due));
                if !keep {
                    stream = None;
                    tally.reconnects += 1;
                }
            }
            _ => {
                tally.samples.push(sample(0, sent, due));
                stream = None;
                tally.reconnects += 1;
            }
        }
        due += interval;
    }
    while due < end {
        tally.unsent += 1;
        due += interval;
    }
    tally
}

fn sample(status: u16, sent: Instant, due: Instant) -> Sample {
    let now = Instant::now();
    let us = |d: Duration| u32::try_from(d.as_micros()).unwrap_or(u32::MAX);
    Sample {
        status,
        service_us: us(now.saturating_duration_since(sent)),
        scheduled_us: us(now.saturating_duration_since(due)),
    }
}

/// Writes the request and reads one whole answer: its status and whether the connection
/// stays open.
async fn exchange(
    s: &mut TcpStream,
    request: &[u8],
    buf: &mut Vec<u8>,
) -> std::io::Result<(u16, bool)> {
    s.write_all(request).await?;
    buf.clear();
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP/1.1 answer");
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err(bad());
        }
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(chunk.get(..n).ok_or_else(bad)?);
    };
    let head = std::str::from_utf8(buf.get(..head_end).ok_or_else(bad)?).map_err(|_| bad())?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(bad)?;
    let mut length = 0usize;
    let mut keep = true;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().map_err(|_| bad())?;
        } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
            keep = false;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // The server answers with a length; anything else is not what we measure.
            return Err(bad());
        }
    }
    let mut have = buf.len() - head_end;
    while have < length {
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        have += n;
    }
    Ok((status, keep))
}

/// The value at quantile `q` of sorted `v` (nearest rank), in milliseconds.
fn quantile_ms(v: &[u32], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v.get(rank - 1).map(|us| f64::from(*us) / 1000.0)
}

fn report(tallies: &[Tally], rate: f64, connections: usize, seconds: f64, wall: Duration) {
    let mut by_status: BTreeMap<u16, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
    let (mut late, mut unsent, mut reconnects, mut total) = (0u64, 0u64, 0u64, 0usize);
    for t in tallies {
        late += t.late_sends;
        unsent += t.unsent;
        reconnects += t.reconnects;
        total += t.samples.len();
        for s in &t.samples {
            let e = by_status.entry(s.status).or_default();
            e.0.push(s.service_us);
            e.1.push(s.scheduled_us);
        }
    }
    let mut statuses = serde_json::Map::new();
    for (status, (mut service, mut scheduled)) in by_status {
        service.sort_unstable();
        scheduled.sort_unstable();
        statuses.insert(
            status.to_string(),
            serde_json::json!({
                "count": service.len(),
                "share": service.len() as f64 / total.max(1) as f64,
                "service_ms": {"p50": quantile_ms(&service, 0.5), "p99": quantile_ms(&service, 0.99), "max": quantile_ms(&service, 1.0)},
                "from_schedule_ms": {"p50": quantile_ms(&scheduled, 0.5), "p99": quantile_ms(&scheduled, 0.99), "max": quantile_ms(&scheduled, 1.0)},
            }),
        );
    }
    let out = serde_json::json!({
        "offered_rate": rate,
        "connections": connections,
        "seconds": seconds,
        "wall_seconds": wall.as_secs_f64(),
        "answers": total,
        "answered_rate": total as f64 / seconds,
        "late_sends": late,
        "late_share": late as f64 / total.max(1) as f64,
        "unsent": unsent,
        "reconnects": reconnects,
        "status": statuses,
    });
    println!("{out}");
}
