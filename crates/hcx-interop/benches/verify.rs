//! Verification throughput of hcx-interop on the peers' test data, one benchmark per format.
//! (The comparison with the `dgc` crate lives outside the workspace; see docs/INTEROP.md.)
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use base64::Engine;
use criterion::{Criterion, criterion_group, criterion_main};
use hcx_interop::{TrustStore, VerifyOptions, dcc};

fn peers() -> Option<PathBuf> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared/peers");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            eprintln!("shared/peers not found: benchmarks skipped");
            return None;
        }
    }
}

fn dcc_cases(root: &std::path::Path) -> Vec<(String, TrustStore)> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("dcc")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(case) =
                serde_json::from_slice::<serde_json::Value>(&std::fs::read(&path).unwrap())
            else {
                continue;
            };
            if case.pointer("/EXPECTEDRESULTS/EXPECTEDVERIFY")
                != Some(&serde_json::Value::Bool(true))
            {
                continue;
            }
            let (Some(prefix), Some(cert)) = (
                case["PREFIX"].as_str(),
                case.pointer("/TESTCTX/CERTIFICATE")
                    .and_then(|c| c.as_str()),
            ) else {
                continue;
            };
            let mut trust = TrustStore::default();
            let der = base64::engine::general_purpose::STANDARD
                .decode(cert)
                .unwrap();
            if trust.add_file(&der).is_ok() {
                out.push((prefix.to_owned(), trust));
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let Some(root) = peers() else { return };
    let cases = dcc_cases(&root);
    c.bench_function("dcc: decode + signature, all peer cases", |b| {
        b.iter(|| {
            for (text, trust) in &cases {
                if let Ok((cose, _)) = dcc::decode_steps(text) {
                    let _ = dcc::verify_signature(&cose, trust);
                }
            }
        })
    });
    let shc_root = root.join("shc/spec-examples");
    let mut trust = TrustStore::default();
    trust
        .add_file(&std::fs::read(shc_root.join("issuer/.well-known/jwks.json")).unwrap())
        .unwrap();
    let card =
        std::fs::read_to_string(shc_root.join("example-00-f-qr-code-numeric-value-0.txt")).unwrap();
    let at = VerifyOptions::at(1_687_460_000);
    c.bench_function("shc: verify example 00 (numeric QR)", |b| {
        b.iter(|| hcx_interop::verify(&card, &trust, &at).unwrap())
    });
    let kde = root.join("vdsnc/kde-khealthcertificate");
    let mut cscas = TrustStore::default();
    for f in ["e3.der", "e5.der"] {
        cscas
            .add_file(
                &std::fs::read(
                    kde.join("src/lib/icao/certs/6ab4f29282bd9647f6ff2a02f7944d749e978463")
                        .join(f),
                )
                .unwrap(),
            )
            .unwrap();
    }
    let seal =
        std::fs::read_to_string(kde.join("autotests/data/icao/jpn-triple-vaccine.txt")).unwrap();
    let at = VerifyOptions::at(1_735_689_600);
    c.bench_function("vds-nc: verify JPN seal with chain", |b| {
        b.iter(|| hcx_interop::verify(&seal, &cscas, &at).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
