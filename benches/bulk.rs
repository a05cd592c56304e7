//! Criterion benches for bulk issuing and verifying, each against the raw Ed25519 limit measured
//! in the same run: `cargo bench --bench bulk`, then `python3 tools/bulk/ratios.py` for the
//! ratios docs/PERFORMANCE.md quotes. Every bench handles a batch of [`N`] items per iteration
//! and reports elements per second, so throughputs compare directly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hcx_ed25519::{SignatureItem, StrictVerifier};
use hcx_format::{
    BatchIssuer, Clock, HealthClaims, IssueParams, IssueRequest, IssuerEntry, KeyEntry, PrivateKey,
    Scopes, SignedTrustList, TrustList, TrustListPolicy, Verifier,
};
use rayon::prelude::*;

/// Items per iteration.
const N: usize = 64;
/// Items per iteration of the multi-core benches (one CLI chunk).
const CHUNK: usize = 4096;
const NOW: i64 = 1_795_000_000;
const SEED: [u8; 32] = [42; 32];

struct Fixture {
    key: PrivateKey,
    params: IssueParams,
    claims: HealthClaims,
    verifier: Verifier,
    /// The same trust through the facade apps link.
    facade: hcx_verify::Verifier,
    texts: Vec<String>,
}

fn fixture(count: usize) -> Fixture {
    let root = PrivateKey::from_seed(&[1; 32]);
    let key = PrivateKey::from_seed(&SEED);
    let mut list = TrustList::new();
    list.issuers.push(IssuerEntry {
        id: "dingtalk".into(),
        names: [
            ("en".into(), "DingTalk".into()),
            ("zh".into(), "钉钉".into()),
        ]
        .into(),
        scopes: Scopes::default(),
        keys: vec![KeyEntry::new(&key.public_key(), None, None)],
    });
    (list.sequence, list.issued_at, list.expires_at) = (1, NOW, NOW + 30 * 86_400);
    let trust = SignedTrustList::sign(&list, &[&root])
        .unwrap()
        .to_json()
        .unwrap();
    let policy = TrustListPolicy::single_root(root.public_key());
    let facade = hcx_verify::Verifier::new(
        hcx_verify::TrustStore::load(&[trust.as_bytes()], &policy, NOW).unwrap(),
    );
    let verifier = Verifier::from_signed_trust_list(trust.as_bytes(), &policy, NOW).unwrap();
    let claims = HealthClaims::from_json(hcx_vectors::REFERENCE_CLAIMS_JSON).unwrap();
    let params = IssueParams {
        issuer: "dingtalk".into(),
        issued_at: NOW,
        expires_at: NOW + 86_400,
        not_before: None,
    };
    let texts = (0..count)
        .map(|_| hcx_format::issue(&key, &params, &claims).unwrap())
        .collect();
    Fixture {
        key,
        params,
        claims,
        verifier,
        facade,
        texts,
    }
}

/// The raw material of the hcx codes: their signed bytes and signatures.
fn raw_signatures(f: &Fixture) -> Vec<(Vec<u8>, Signature)> {
    f.texts
        .iter()
        .map(|t| {
            let code = hcx_format::decode(t).unwrap();
            let sig = Signature::from_slice(&code.signature).unwrap();
            (code.signed_bytes, sig)
        })
        .collect()
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

fn single_core(c: &mut Criterion) {
    let f = fixture(N);
    let raw = raw_signatures(&f);
    let sk = SigningKey::from_bytes(&SEED);
    let vk: VerifyingKey = sk.verifying_key();
    let mut g = c.benchmark_group("1core");
    g.throughput(Throughput::Elements(N as u64));

    // The limits: ed25519-dalek alone on the codes' own signed bytes.
    g.bench_function("ed25519_sign", |b| {
        b.iter(|| {
            for (msg, _) in &raw {
                black_box(sk.sign(msg));
            }
        })
    });
    g.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| {
            for (msg, sig) in &raw {
                vk.verify_strict(msg, sig).unwrap();
            }
        })
    });
    // dalek's randomized batch equation, for comparison only (hcx does not use it: it accepts
    // some signatures verify_strict refuses; see crates/hcx-ed25519).
    let msgs: Vec<&[u8]> = raw.iter().map(|(m, _)| m.as_slice()).collect();
    let sigs: Vec<Signature> = raw.iter().map(|(_, s)| *s).collect();
    let vks = vec![vk; N];
    g.bench_function("ed25519_verify_batch_dalek", |b| {
        b.iter(|| ed25519_dalek::verify_batch(&msgs, &sigs, &vks).unwrap())
    });
    let pk = vk.to_bytes();
    let items: Vec<SignatureItem<'_>> = raw
        .iter()
        .map(|(m, s)| SignatureItem {
            public_key: &pk,
            message: m,
            signature: s.r_bytes().as_slice(),
        })
        .collect();
    let sig_bytes: Vec<[u8; 64]> = sigs.iter().map(Signature::to_bytes).collect();
    let items: Vec<SignatureItem<'_>> = items
        .iter()
        .zip(&sig_bytes)
        .map(|(i, s)| SignatureItem { signature: s, ..*i })
        .collect();
    let strict = StrictVerifier::new();
    assert!(strict.verify(&items).iter().all(|v| *v));
    g.bench_function("strict_verifier", |b| b.iter(|| strict.verify(&items)));

    // hcx on top.
    g.bench_function("hcx_issue", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(hcx_format::issue(&f.key, &f.params, &f.claims).unwrap());
            }
        })
    });
    let batch_issuer = BatchIssuer::new(&f.key);
    let requests = vec![
        IssueRequest {
            params: &f.params,
            claims: &f.claims,
        };
        N
    ];
    g.bench_function("hcx_issue_batch", |b| {
        b.iter(|| batch_issuer.issue_many(&requests))
    });
    g.bench_function("hcx_decode", |b| {
        b.iter(|| {
            for t in &f.texts {
                black_box(hcx_format::decode(t).unwrap());
            }
        })
    });
    g.bench_function("hcx_verify_single", |b| {
        b.iter(|| {
            for t in &f.texts {
                black_box(f.verifier.verify(t, Clock::at(NOW + 60)).unwrap());
            }
        })
    });
    let bulk = &f.verifier;
    let clock = Clock::at(NOW + 60);
    let refs: Vec<&str> = f.texts.iter().map(String::as_str).collect();
    assert!(bulk.verify_many(&refs, clock).iter().all(Result::is_ok));
    g.bench_function("hcx_verify_many", |b| {
        b.iter(|| bulk.verify_many(&refs, clock))
    });
    // What the CLI does per line: the facade's verdicts and their JSON, as `verify --json`
    // prints it (single-threaded here: the facade's own rayon pool is not installed).
    g.bench_function("hcx_verify_many_json", |b| {
        b.iter(|| {
            for v in f.facade.verify_many(&refs, clock) {
                black_box(v.to_json());
            }
        })
    });
    g.finish();

    // QR: one code per iteration.
    let mut q = c.benchmark_group("qr");
    q.throughput(Throughput::Elements(1));
    let options = hcx_qr::EncodeOptions::default();
    let text = &f.texts[0];
    q.bench_function("encode_hcx_code", |b| {
        b.iter(|| hcx_qr::encode(text, &options).unwrap())
    });
    let png = hcx_qr::encode(text, &options).unwrap().to_png(4).unwrap();
    q.bench_function("decode_hcx_code_png", |b| {
        b.iter(|| hcx_qr::decode_image(&png).unwrap())
    });
    q.finish();
}

fn all_cores(c: &mut Criterion) {
    let f = fixture(CHUNK);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut g = c.benchmark_group(format!("{threads}cores"));
    g.throughput(Throughput::Elements(CHUNK as u64));
    let bulk = &f.verifier;
    let refs: Vec<&str> = f.texts.iter().map(String::as_str).collect();
    g.bench_function("hcx_verify_many", |b| {
        b.iter(|| {
            pool.install(|| {
                refs.par_chunks(256)
                    .map(|c| bulk.verify_many(c, Clock::at(NOW + 60)).len())
                    .sum::<usize>()
            })
        })
    });
    let batch_issuer = BatchIssuer::new(&f.key);
    let requests = vec![
        IssueRequest {
            params: &f.params,
            claims: &f.claims,
        };
        CHUNK
    ];
    g.bench_function("hcx_issue", |b| {
        b.iter(|| {
            pool.install(|| {
                requests
                    .par_chunks(256)
                    .map(|c| batch_issuer.issue_many(c).len())
                    .sum::<usize>()
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = single_core, all_cores
}
criterion_main!(benches);
