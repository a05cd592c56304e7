//! Throughput of hcx-interop (with each of its crypto providers) and of the `dgc` crate on the
//! same test cases, measured interleaved in one process (docs/INTEROP.md, "Benchmark against
//! the `dgc` crate").
//!
//! Usage:
//!   hcx-dgc-bench PEERS_DIR [ROUNDS] [CASE…]
//!   hcx-dgc-bench PEERS_DIR count CONTENDER CASE N     (N verifications of one contender, for
//!                                                       `valgrind --tool=callgrind`)
//! Cases: `dcc:DE/1` (a file of shared/peers/dcc; default DE/1, SE/1, CH/1), `shc:00` (SMART
//! Health Card spec example 00) and `vdsnc:jpn` (the JPN seal, chained to its CSCA). Every
//! contender must report every case valid before anything is timed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use hcx_interop::crypto::providers;
use hcx_interop::{TrustStore, VerifyOptions};
use serde_json::Value;

/// One test case, ready for every contender.
struct Case {
    name: String,
    alg: String,
    text: String,
    /// One store per hcx-interop provider, in `providers()` order.
    hcx_trust: Vec<TrustStore>,
    at: VerifyOptions,
    /// dgc's trust list, for DCC cases.
    dgc_trust: Option<dgc::TrustList>,
}

fn time_of(clock: &str) -> i64 {
    time::OffsetDateTime::parse(clock, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

fn stores(files: &[Vec<u8>]) -> Vec<TrustStore> {
    providers()
        .iter()
        .map(|p| {
            let mut trust = TrustStore::with_provider(p);
            for f in files {
                trust.add_file(f).unwrap();
            }
            trust
        })
        .collect()
}

fn load(root: &Path, name: &str) -> Case {
    let (kind, which) = name.split_once(':').unwrap_or(("dcc", name));
    match kind {
        "dcc" => {
            let (country, n) = which.split_once('/').expect("DCC cases look like dcc:DE/1");
            let path = root.join("dcc").join(country).join("2DCode/raw").join(format!("{n}.json"));
            let case: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let text = case["PREFIX"].as_str().unwrap().to_owned();
            let cert_b64 = case["TESTCTX"]["CERTIFICATE"].as_str().unwrap();
            let der = base64::engine::general_purpose::STANDARD.decode(cert_b64).unwrap();
            let mut dgc_trust = dgc::TrustList::default();
            dgc_trust.add_key_from_certificate(cert_b64).unwrap();
            let (cose, _) = hcx_interop::dcc::decode_steps(&text).unwrap();
            let alg = hcx_interop::Alg::from_cose(cose.alg.unwrap()).unwrap();
            Case {
                name: format!("dcc:{which}"),
                alg: alg.as_str().into(),
                text,
                hcx_trust: stores(&[der]),
                at: VerifyOptions::at(time_of(case["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap())),
                dgc_trust: Some(dgc_trust),
            }
        }
        "shc" => {
            let dir = root.join("shc/spec-examples");
            let jwks = std::fs::read(dir.join("issuer/.well-known/jwks.json")).unwrap();
            let text = std::fs::read_to_string(
                dir.join(format!("example-{which}-f-qr-code-numeric-value-0.txt")),
            )
            .unwrap();
            Case {
                name: name.into(),
                alg: "ES256".into(),
                text: text.trim_end().into(),
                hcx_trust: stores(&[jwks]),
                // 2023-06-22, after the examples were issued.
                at: VerifyOptions::at(1_687_460_000),
                dgc_trust: None,
            }
        }
        "vdsnc" => {
            assert_eq!(which, "jpn", "the VDS-NC case is vdsnc:jpn");
            let kde = root.join("vdsnc/kde-khealthcertificate");
            let certs = kde.join("src/lib/icao/certs/6ab4f29282bd9647f6ff2a02f7944d749e978463");
            let cscas: Vec<Vec<u8>> =
                ["e3.der", "e5.der"].iter().map(|f| std::fs::read(certs.join(f)).unwrap()).collect();
            Case {
                name: name.into(),
                alg: "ES256+chain".into(),
                text: std::fs::read_to_string(kde.join("autotests/data/icao/jpn-triple-vaccine.txt"))
                    .unwrap(),
                hcx_trust: stores(&cscas),
                at: VerifyOptions::at(1_735_689_600),
                dgc_trust: None,
            }
        }
        other => panic!("unknown case kind {other}"),
    }
}

/// A contender: a name and one verification; `None` when the case is not for it.
type Contender = (String, Box<dyn Fn(&Case) -> Option<bool>>);

fn contenders() -> Vec<Contender> {
    let mut out: Vec<Contender> = providers()
        .iter()
        .enumerate()
        .map(|(i, p)| -> Contender {
            (
                format!("hcx-interop [{}]", p.name),
                Box::new(move |c: &Case| {
                    Some(hcx_interop::verify(&c.text, &c.hcx_trust[i], &c.at).is_ok())
                }),
            )
        })
        .collect();
    out.push((
        "dgc 0.0.7".into(),
        Box::new(|c: &Case| {
            c.dgc_trust
                .as_ref()
                .map(|t| dgc::validate(&c.text, t).is_ok_and(|(_, v)| v.is_valid()))
        }),
    ));
    out
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: hcx-dgc-bench PEERS_DIR [ROUNDS] [CASE…]"));
    let rest: Vec<String> = args.collect();
    let contenders = contenders();
    if rest.first().map(String::as_str) == Some("count") {
        let [_, who, case, n] = rest.as_slice() else {
            panic!("usage: hcx-dgc-bench PEERS_DIR count CONTENDER CASE N");
        };
        let case = load(&root, case);
        let (_, run) = contenders.iter().find(|(name, _)| name == who).unwrap_or_else(|| {
            let names: Vec<&str> = contenders.iter().map(|(n, _)| n.as_str()).collect();
            panic!("contenders: {names:?}")
        });
        for _ in 0..n.parse::<usize>().unwrap() {
            assert_eq!(run(std::hint::black_box(&case)), Some(true));
        }
        return;
    }
    let rounds: usize = rest.first().map(|r| r.parse().unwrap()).unwrap_or(15);
    let mut names: Vec<String> = rest.iter().skip(1).cloned().collect();
    if names.is_empty() {
        names = ["dcc:DE/1", "dcc:SE/1", "dcc:CH/1"].map(String::from).to_vec();
    }
    let cases: Vec<Case> = names.iter().map(|n| load(&root, n)).collect();
    // Every contender must call every case of its format valid before anything is timed.
    for case in &cases {
        for (who, run) in &contenders {
            assert_ne!(run(case), Some(false), "{who} does not report {} valid", case.name);
        }
    }
    println!("all {} cases valid in every contender; {rounds} interleaved rounds", cases.len());
    // The last applicable contender is the baseline of the ratios: dgc for DCCs, else the
    // last hcx provider (rust-crypto when both are built in).
    for case in &cases {
        let active: Vec<&Contender> =
            contenders.iter().filter(|(_, run)| run(case).is_some()).collect();
        // Enough iterations per sample for tens of milliseconds of work.
        let iters = 200;
        let mut rates = vec![Vec::with_capacity(rounds); active.len()];
        for round in 0..rounds {
            // Rotate the order every round so no contender always runs first.
            for k in 0..active.len() {
                let i = (k + round) % active.len();
                let run = &active[i].1;
                let start = Instant::now();
                for _ in 0..iters {
                    assert_eq!(run(std::hint::black_box(case)), Some(true));
                }
                rates[i].push(iters as f64 / start.elapsed().as_secs_f64());
            }
        }
        let base = active.len() - 1;
        let base_name = &active[base].0;
        for (i, (who, _)) in active.iter().enumerate() {
            let mut ratios: Vec<f64> =
                rates[i].iter().zip(&rates[base]).map(|(a, b)| a / b).collect();
            let ratio = median(&mut ratios);
            let rate = median(&mut rates[i].clone());
            println!(
                "{:<10} {:<12} {:<26} {:>8.0} /s   {:.2}x {} (rounds: {:.2}-{:.2})",
                case.name,
                case.alg,
                who,
                rate,
                ratio,
                base_name,
                ratios.first().copied().unwrap_or(0.0),
                ratios.last().copied().unwrap_or(0.0)
            );
        }
    }
}
