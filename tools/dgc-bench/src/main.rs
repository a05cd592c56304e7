//! Throughput of hcx-interop and of the `dgc` crate on the same EU DCC test cases, measured
//! interleaved in one process (docs/INTEROP.md, "Benchmark against the `dgc` crate").
//!
//! Usage: hcx-dgc-bench PEERS_DCC_DIR [ROUNDS] [CASE…]   (cases such as `DE/1`; default
//! DE/1 SE/1 CH/1). Every case must be reported valid by both libraries before any timing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use hcx_interop::{TrustStore, VerifyOptions, dcc};
use serde_json::Value;

/// One test case, ready for both libraries.
struct Case {
    name: String,
    alg: &'static str,
    text: String,
    hcx_trust: TrustStore,
    at: VerifyOptions,
    dgc_trust: dgc::TrustList,
}

fn load(root: &Path, name: &str) -> Case {
    let (country, n) = name.split_once('/').expect("case names look like DE/1");
    let path: PathBuf = root.join(country).join("2DCode/raw").join(format!("{n}.json"));
    let case: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let text = case["PREFIX"].as_str().unwrap().to_owned();
    let cert_b64 = case["TESTCTX"]["CERTIFICATE"].as_str().unwrap();
    let clock = case["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap();
    let now = time::OffsetDateTime::parse(clock, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp();
    let der = base64::engine::general_purpose::STANDARD.decode(cert_b64).unwrap();
    let mut hcx_trust = TrustStore::default();
    hcx_trust.add_file(&der).unwrap();
    let mut dgc_trust = dgc::TrustList::default();
    dgc_trust.add_key_from_certificate(cert_b64).unwrap();
    let (cose, _) = dcc::decode_steps(&text).unwrap();
    let alg = match cose.alg {
        Some(-7) => "ES256",
        Some(-37) => "PS256",
        other => panic!("{name}: unexpected alg {other:?}"),
    };
    Case {
        name: name.to_owned(),
        alg,
        text,
        hcx_trust,
        at: VerifyOptions::at(now),
        dgc_trust,
    }
}

/// The contenders: a name and one verification that must succeed.
fn contenders() -> Vec<(&'static str, fn(&Case) -> bool)> {
    vec![
        ("hcx-interop verify", |c| dcc::verify(&c.text, &c.hcx_trust, &c.at).is_ok()),
        ("dgc validate", |c| {
            dgc::validate(&c.text, &c.dgc_trust).is_ok_and(|(_, v)| v.is_valid())
        }),
    ]
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: hcx-dgc-bench PEERS_DCC_DIR [ROUNDS] [CASE…]"));
    let rounds: usize = args.next().map(|r| r.parse().unwrap()).unwrap_or(15);
    let mut names: Vec<String> = args.collect();
    if names.is_empty() {
        names = ["DE/1", "SE/1", "CH/1"].map(String::from).to_vec();
    }
    let cases: Vec<Case> = names.iter().map(|n| load(&root, n)).collect();
    let contenders = contenders();
    // Both libraries must call every case valid before anything is timed.
    for case in &cases {
        for (who, run) in &contenders {
            assert!(run(case), "{who} does not report {} valid", case.name);
        }
    }
    println!("all {} cases valid in every contender; {rounds} interleaved rounds", cases.len());
    // Enough iterations per sample for ~20 ms of work each.
    let iters = 400;
    for case in &cases {
        // rates[contender][round], in verifications per second.
        let mut rates = vec![Vec::with_capacity(rounds); contenders.len()];
        for round in 0..rounds {
            // Rotate the order every round so neither side always runs first (warm caches,
            // frequency steps).
            for k in 0..contenders.len() {
                let i = (k + round) % contenders.len();
                let run = contenders[i].1;
                let start = Instant::now();
                for _ in 0..iters {
                    assert!(run(std::hint::black_box(case)));
                }
                rates[i].push(iters as f64 / start.elapsed().as_secs_f64());
            }
        }
        let base = contenders.len() - 1; // dgc, last
        for (i, (who, _)) in contenders.iter().enumerate() {
            let mut ratios: Vec<f64> = rates[i].iter().zip(&rates[base]).map(|(a, b)| a / b).collect();
            let ratio = median(&mut ratios);
            let rate = median(&mut rates[i].clone());
            println!(
                "{:<6} {:<6} {:<28} {:>9.0} /s   ratio to dgc {:.2} (min {:.2}, max {:.2})",
                case.name,
                case.alg,
                who,
                rate,
                ratio,
                ratios.first().copied().unwrap_or(0.0),
                ratios.last().copied().unwrap_or(0.0)
            );
        }
    }
}
