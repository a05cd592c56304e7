//! The raw Ed25519 limit on a file of hcx codes, for the bulk figures of docs/PERFORMANCE.md:
//! ed25519-dalek's own `verify_strict` (or `sign`) on one core, over the codes' signed bytes.
//!
//! `cargo run --release --example ed25519-limit -- verify|sign CODES.txt PUBLIC.pem|PRIVATE.pem [SECONDS]`
//!
//! Prints `<operations per wall second> <operations per CPU second>` (CPU time from
//! /proc/thread-self/schedstat, so a loaded machine slows the first figure, hardly the second).
//!
//! `… -- library CODES.txt TRUST.json ROOT.pub.pem AT [SECONDS]` is the other side of the
//! library-level bulk ratio: the facade's `verify_many` over the same codes on every core, in
//! sub-batches as an app would call it, JSON not written; it prints codes per wall second and
//! per CPU second of the whole process (from /proc/self/stat).
//! tools/bulk/ratio.sh runs it between the CLI runs so that the baseline and hcx see the same
//! machine load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("library") {
        return library(&args);
    }
    let [_, mode, codes, key, rest @ ..] = args.as_slice() else {
        eprintln!("usage: ed25519-limit verify|sign CODES.txt KEY.pem [SECONDS]");
        std::process::exit(2);
    };
    let seconds: f64 = rest.first().map_or(2.0, |s| s.parse().expect("seconds"));
    let text = std::fs::read_to_string(codes).expect("codes file");
    // The codes' own signed bytes and signatures (decoding is not timed).
    let raw: Vec<(Vec<u8>, Signature)> = text
        .lines()
        .filter_map(|l| hcx_format::decode(l.trim()).ok())
        .take(2_000)
        .map(|c| (c.signed_bytes, Signature::from_slice(&c.signature).unwrap()))
        .collect();
    assert!(!raw.is_empty(), "no hcx codes in {codes}");
    let pem = std::fs::read_to_string(key).expect("key file");
    let budget = Duration::from_secs_f64(seconds);
    let cpu_start = cpu_ns();
    let start = Instant::now();
    let mut done = 0u64;
    match mode.as_str() {
        "verify" => {
            let vk = VerifyingKey::from_public_key_pem(pem.trim()).expect("public key PEM");
            while start.elapsed() < budget {
                for (m, s) in &raw {
                    assert!(vk.verify_strict(m, s).is_ok());
                }
                done += raw.len() as u64;
            }
        }
        "sign" => {
            let sk = SigningKey::from_pkcs8_pem(pem.trim()).expect("private key PEM");
            while start.elapsed() < budget {
                for (m, _) in &raw {
                    std::hint::black_box(sk.sign(m));
                }
                done += raw.len() as u64;
            }
        }
        other => {
            eprintln!("unknown mode `{other}`: verify or sign");
            std::process::exit(2);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_ns().zip(cpu_start).map(|(b, a)| (b - a) as f64 / 1e9);
    println!(
        "{:.0} {:.0}",
        done as f64 / wall,
        done as f64 / cpu.filter(|c| *c > 0.0).unwrap_or(wall)
    );
}

/// The facade's bulk verification of every code in the file, on all cores, for SECONDS.
fn library(args: &[String]) {
    let [_, _, codes, trust, root, at, rest @ ..] = args else {
        eprintln!("usage: ed25519-limit library CODES.txt TRUST.json ROOT.pub.pem AT [SECONDS]");
        std::process::exit(2);
    };
    let seconds: f64 = rest.first().map_or(2.0, |s| s.parse().expect("seconds"));
    let text = std::fs::read_to_string(codes).expect("codes file");
    // run.sh plants a few bad lines (empty ones); the library side verifies the codes.
    let texts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(100_000)
        .collect();
    let now = hcx_verify::timefmt::parse_rfc3339(at).expect("AT as RFC 3339");
    let root = hcx_verify::PublicKey::from_pem(&std::fs::read_to_string(root).expect("root"))
        .expect("root key PEM");
    let store = hcx_verify::TrustStore::load(
        &[std::fs::read(trust).expect("trust list")],
        &hcx_verify::TrustListPolicy::single_root(root),
        now,
    )
    .expect("trust list");
    let verifier = hcx_verify::Verifier::new(store);
    let clock = hcx_verify::Clock::at(now);
    let budget = Duration::from_secs_f64(seconds);
    let cpu_start = process_cpu_ns();
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < budget {
        // 8 192 codes a call, as `hcx verify --batch` hands over a chunk.
        for chunk in texts.chunks(8_192) {
            let verdicts = verifier.verify_many(chunk, clock);
            if let Some(bad) = verdicts.iter().find(|v| !v.is_valid()) {
                eprintln!("a code is not valid: {}", bad.to_json());
                std::process::exit(1);
            }
            done += chunk.len() as u64;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = process_cpu_ns()
        .zip(cpu_start)
        .map(|(b, a)| (b - a) as f64 / 1e9);
    println!(
        "{:.0} {:.0}",
        done as f64 / wall,
        done as f64 / cpu.filter(|c| *c > 0.0).unwrap_or(wall)
    );
}

/// Nanoseconds the whole process has run on the CPUs (user + system, from /proc/self/stat).
fn process_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, so split after its closing paren).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks * 10_000_000)
}

/// Nanoseconds this thread has run on a CPU, if the kernel says.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
