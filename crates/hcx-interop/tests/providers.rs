//! Every compiled-in crypto provider gives the same verdict on the same input: the peers' DCC,
//! SHC and VDS-NC data (codes and trust files), hostile keys and hostile signatures. Tests
//! build the pure-Rust provider next to the default one (see Cargo.toml), so a normal
//! `cargo test` compares AWS-LC with RustCrypto; a `--no-default-features --features
//! rust-crypto` run has one provider and checks its outcomes alone, saying so.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use base64::Engine;
use hcx_interop::crypto::{CryptoProvider, Curve, Hash, Scheme, providers};
use hcx_interop::{Alg, PublicKey, TrustStore, VerifyOptions, dcc};
use serde_json::Value;

/// Runs `f` with every provider, requires the same result from each, and returns it.
fn agree<T: PartialEq + Debug>(what: &str, f: impl Fn(&'static CryptoProvider) -> T) -> T {
    let mut results = providers().iter().map(|p| (p.name, f(p)));
    let (first_name, first) = results.next().expect("at least one provider");
    for (name, other) in results {
        assert_eq!(first, other, "{what}: {first_name} and {name} disagree");
    }
    first
}

/// Says loudly when there is nothing to compare (a single-provider build).
fn note_providers() {
    let names: Vec<&str> = providers().iter().map(|p| p.name).collect();
    if names.len() < 2 {
        eprintln!(
            "\n!!!!!!!!!! only {names:?} compiled in: outcomes checked, agreement NOT compared !!!!!!!!!!\n"
        );
    }
    // Under `cargo test` with default features both are in (the dev-dependency on this crate
    // adds `rust-crypto`).
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    assert_eq!(names, ["aws-lc-rs", "rust-crypto"]);
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Outcome of a verification, comparable across providers (errors compare whole, messages
/// included).
type Outcome = Result<hcx_interop::Verified, hcx_interop::Error>;

#[test]
fn dcc_peer_cases_agree() {
    note_providers();
    let Some(root) = common::peers("dcc") else {
        return;
    };
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let (mut signed_ok, mut signed_bad, mut verified) = (0, 0, 0);
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let Ok(case) = serde_json::from_slice::<Value>(&std::fs::read(path).unwrap()) else {
            continue;
        };
        let (Some(text), Some(cert)) = (
            case["PREFIX"].as_str().filter(|t| !t.is_empty()),
            case.pointer("/TESTCTX/CERTIFICATE").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Ok(der) = base64::engine::general_purpose::STANDARD.decode(cert) else {
            continue;
        };
        let now = case
            .pointer("/TESTCTX/VALIDATIONCLOCK")
            .and_then(Value::as_str)
            .map_or(1_625_000_000, common::parse_time);
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let (signature, full, tampered) = agree(&name, |p| {
            let mut trust = TrustStore::with_provider(p);
            let loaded = trust.add_file(&der).map(|_| ());
            let signature = dcc::decode_steps(text).map(|(cose, _)| {
                dcc::verify_signature(&cose, &trust).map(|c| c.map(|c| c.der.clone()))
            });
            let full: Outcome = dcc::verify(text, &trust, &VerifyOptions::at(now));
            // The same code with one signature bit flipped.
            let tampered = dcc::decode_steps(text).ok().map(|(mut cose, _)| {
                if let Some(b) = cose.signature.get_mut(7) {
                    *b ^= 0x10;
                }
                dcc::verify_signature(&cose, &trust).map(|_| ())
            });
            (signature.map(|s| (loaded, s)), full, tampered)
        });
        match signature {
            Ok((Ok(()), Ok(_))) => signed_ok += 1,
            _ => signed_bad += 1,
        }
        if full.is_ok() {
            verified += 1;
        }
        if let Some(t) = tampered {
            assert!(t.is_err(), "{name}: a flipped signature bit verifies");
        }
    }
    eprintln!(
        "DCC: {signed_ok} signatures verify, {signed_bad} do not, {verified} codes verify in full, \
         the same with every provider"
    );
    // Both kinds of outcome are exercised (171 good signatures, 17 failing cases).
    assert!(signed_ok >= 150, "only {signed_ok} good signatures");
    assert!(signed_bad >= 10, "only {signed_bad} failing cases");
    assert!(verified >= 100, "only {verified} codes verify in full");
}

/// The validator's tests run at 2022-05-31; the spec examples were issued on 2023-06-22.
const SHC_TIMES: [i64; 2] = [1_653_955_200, 1_687_450_764 + 3600];
const SHC_ISS: &str = "https://spec.smarthealth.cards/examples/issuer";

#[test]
fn shc_peer_data_agrees() {
    note_providers();
    let Some(root) = common::peers("shc") else {
        return;
    };
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let spec_jwks = std::fs::read(root.join("spec-examples/issuer/.well-known/jwks.json")).unwrap();
    let (mut trust_ok, mut trust_bad, mut ok, mut failed) = (0, 0, 0, 0);
    for path in &paths {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "json" | "txt" | "smart-health-card") {
            continue;
        }
        let bytes = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        // Every JSON file as a trust file (JWKS with and without x5c chains, CRLs, …).
        if ext == "json" {
            let kind = agree(&format!("{name} as trust"), |p| {
                TrustStore::with_provider(p).add_file(&bytes)
            });
            if kind.is_ok() {
                trust_ok += 1
            } else {
                trust_bad += 1
            }
        }
        // Every file as a code, against the spec issuer's key set (bound) and at both clocks.
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        for now in SHC_TIMES {
            let outcome = agree(&format!("{name} at {now}"), |p| {
                let mut trust = TrustStore::with_provider(p);
                trust.add_jwks_for_issuer(SHC_ISS, &spec_jwks).unwrap();
                let opts = VerifyOptions { now, skew_secs: 0 };
                hcx_interop::verify(text, &trust, &opts)
            });
            if outcome.is_ok() {
                ok += 1
            } else {
                failed += 1
            }
        }
    }
    eprintln!(
        "SHC: {trust_ok} trust files load, {trust_bad} do not; {ok} verifications succeed, \
         {failed} fail; the same with every provider"
    );
    assert!(
        trust_ok >= 3 && trust_bad >= 3,
        "{trust_ok} / {trust_bad} trust files"
    );
    assert!(ok >= 4 && failed >= 50, "{ok} / {failed} verifications");
}

/// The seal with one more letter in the holder's name (`data.msg.pid.n`).
fn tamper(seal: &str) -> String {
    let mut json: Value = serde_json::from_str(seal).unwrap();
    let doc = match &mut json {
        Value::Array(items) => &mut items[0],
        other => other,
    };
    let name = &mut doc["data"]["msg"]["pid"]["n"];
    *name = Value::String(format!("X{}", name.as_str().unwrap()));
    json.to_string()
}

#[test]
fn vdsnc_peer_seals_agree() {
    note_providers();
    let Some(root) = common::peers("vdsnc") else {
        return;
    };
    let mut anchors = Vec::new();
    files(
        &root.join("kde-khealthcertificate/src/lib/icao/certs"),
        &mut anchors,
    );
    anchors.sort();
    let seals = [
        "kde-khealthcertificate/autotests/data/icao/jpn-triple-vaccine.txt",
        "kde-khealthcertificate/autotests/data/icao/single-vaccine.txt",
        "kde-khealthcertificate/autotests/data/icao/test.txt",
        "kurzdigital-vds-jvm/src/test/resources/vdsnc_sample_proof_of_vaccination_aus",
        "kurzdigital-vds-jvm/src/test/resources/vdsnc_sample_proof_of_vaccination",
        "kurzdigital-vds-jvm/src/test/resources/vdsnc_sample_proof_of_test",
    ];
    let opts = VerifyOptions::at(1_735_689_600);
    let mut ok = 0;
    for seal in seals {
        let text = std::fs::read_to_string(root.join(seal)).unwrap();
        let (chained, pinned, tampered) = agree(seal, |p| {
            let mut trust = TrustStore::with_provider(p);
            for a in &anchors {
                trust.add_file(&std::fs::read(a).unwrap()).unwrap();
            }
            let chained: Outcome = hcx_interop::verify(&text, &trust, &opts);
            let signer = hcx_interop::vdsnc::parse_seal_with(&text, p)
                .unwrap()
                .signer;
            trust.add_file(&signer.der).unwrap();
            let pinned: Outcome = hcx_interop::verify(&text, &trust, &opts);
            let tampered: Outcome = hcx_interop::verify(&tamper(&text), &trust, &opts);
            (chained, pinned, tampered)
        });
        assert!(pinned.is_ok(), "{seal}: {pinned:?}");
        assert_eq!(tampered.unwrap_err().code(), "bad_signature", "{seal}");
        if chained.is_ok() {
            ok += 1;
        }
    }
    eprintln!(
        "VDS-NC: 6 seals verify pinned, {ok} chained to a CSCA, the same with every provider"
    );
    assert_eq!(ok, 2);
}

/// A P-256, P-384 and P-521 test key (fixed scalars) with its SEC1 point and signing helpers.
struct EcCase {
    curve: Curve,
    alg: Alg,
    point: Vec<u8>,
    /// The group order, big-endian, as long as a field element.
    order: Vec<u8>,
    /// Signs `msg` as ES256/384/512 (raw r‖s, deterministic).
    sign_fixed: fn(&[u8]) -> Vec<u8>,
    /// Signs the `hash` digest of `msg` (raw r‖s; X.509 writes it as DER, see [`der`]).
    sign_prehash: fn(Hash, &[u8]) -> Vec<u8>,
}

fn digest(hash: Hash, msg: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    match hash {
        Hash::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        Hash::Sha384 => sha2::Sha384::digest(msg).to_vec(),
        Hash::Sha512 => sha2::Sha512::digest(msg).to_vec(),
        other => panic!("no test digest for {other:?}"),
    }
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

macro_rules! ec_case {
    ($curve:ident, $c:expr, $alg:expr, $order:expr) => {{
        use $curve::ecdsa::signature::Signer;
        use $curve::ecdsa::signature::hazmat::PrehashSigner;
        fn key() -> $curve::ecdsa::SigningKey {
            let mut scalar = [0u8; 66];
            scalar[58..].copy_from_slice(b"hcx-test");
            let n = $c.field_bytes();
            $curve::ecdsa::SigningKey::from_slice(&scalar[66 - n..]).unwrap()
        }
        fn sign_fixed(msg: &[u8]) -> Vec<u8> {
            let s: $curve::ecdsa::Signature = key().sign(msg);
            s.to_bytes().to_vec()
        }
        fn sign_prehash(hash: Hash, msg: &[u8]) -> Vec<u8> {
            let s: $curve::ecdsa::Signature = key().sign_prehash(&digest(hash, msg)).unwrap();
            s.to_bytes().to_vec()
        }
        EcCase {
            curve: $c,
            alg: $alg,
            point: $curve::ecdsa::VerifyingKey::from(&key())
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            order: unhex($order),
            sign_fixed,
            sign_prehash,
        }
    }};
}

fn ec_cases() -> Vec<EcCase> {
    vec![
        ec_case!(
            p256,
            Curve::P256,
            Alg::Es256,
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
        ),
        ec_case!(
            p384,
            Curve::P384,
            Alg::Es384,
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"
        ),
        ec_case!(
            p521,
            Curve::P521,
            Alg::Es512,
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"
        ),
    ]
}

/// How to write an `Ecdsa-Sig-Value` in [`der`].
#[derive(Clone, Copy, PartialEq)]
enum DerForm {
    /// Strict DER.
    Strict,
    /// r with a needless leading zero byte.
    PaddedR,
    /// r without the zero byte its top bit needs, so it reads as negative.
    NegativeR,
}

/// `SEQUENCE { INTEGER r, INTEGER s }` from a raw r‖s signature.
fn der(raw: &[u8], form: DerForm) -> Vec<u8> {
    fn len(l: usize) -> Vec<u8> {
        if l < 0x80 {
            vec![l as u8]
        } else {
            vec![0x81, l as u8]
        }
    }
    let int = |x: &[u8], form: DerForm| {
        let start = x.iter().position(|&b| b != 0).unwrap_or(x.len() - 1);
        let mut body = x[start..].to_vec();
        if form != DerForm::NegativeR && body[0] & 0x80 != 0 {
            body.insert(0, 0);
        }
        match form {
            DerForm::PaddedR => body.insert(0, 0),
            DerForm::NegativeR => body[0] |= 0x80,
            DerForm::Strict => {}
        }
        [vec![0x02], len(body.len()), body].concat()
    };
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = [int(r, form), int(s, DerForm::Strict)].concat();
    [vec![0x30], len(body.len()), body].concat()
}

/// `n - x` for big-endian numbers of the same length (x < n).
fn sub(n: &[u8], x: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; n.len()];
    let mut borrow = 0i16;
    for i in (0..n.len()).rev() {
        let d = i16::from(n[i]) - i16::from(x[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

#[test]
fn hostile_ec_keys_agree() {
    note_providers();
    for case in ec_cases() {
        let size = case.curve.field_bytes();
        let (x, y) = case.point[1..].split_at(size);
        let parity = y[size - 1] & 1;
        let compressed: Vec<u8> = [vec![2 | parity], x.to_vec()].concat();
        let other_y: Vec<u8> = [vec![2 | (parity ^ 1)], x.to_vec()].concat();
        let mut off_curve = case.point.clone();
        *off_curve.last_mut().unwrap() ^= 1;
        let all_ff = [vec![4u8], vec![0xff; 2 * size]].concat();
        let zero = [vec![4u8], vec![0; 2 * size]].concat();
        let hybrid = [vec![6 | parity], case.point[1..].to_vec()].concat();
        // About half of all x are on the curve: take the first change of x that is not.
        let x_not_on_curve = (1..=255u8)
            .map(|d| {
                let mut c = compressed.clone();
                c[size] ^= d;
                c
            })
            .find(|c| PublicKey::ec(case.curve, c, providers()[0]).is_err())
            .unwrap();
        let inputs: Vec<(&str, Vec<u8>)> = vec![
            ("uncompressed", case.point.clone()),
            ("compressed", compressed.clone()),
            ("compressed, other y", other_y),
            ("off curve", off_curve),
            ("coordinates >= p", all_ff),
            ("zero point", zero),
            ("identity", vec![0]),
            ("hybrid", hybrid),
            ("compressed, x not on the curve", x_not_on_curve),
            ("short", case.point[..case.point.len() - 1].to_vec()),
            ("empty", vec![]),
        ];
        let mut accepted = 0;
        for (what, bytes) in &inputs {
            let got = agree(&format!("{} {what}", case.curve.name()), |p| {
                PublicKey::ec(case.curve, bytes, p).map(|k| k.describe())
            });
            accepted += usize::from(got.is_ok());
        }
        // The two encodings of the key and the other point with the same x.
        assert_eq!(accepted, 3, "{}", case.curve.name());
        // Both encodings are the same key, whoever loaded them.
        let a = PublicKey::ec(case.curve, &case.point, providers()[0]).unwrap();
        for p in providers() {
            assert_eq!(a, PublicKey::ec(case.curve, &compressed, p).unwrap());
        }
    }
}

#[test]
fn hostile_ecdsa_signatures_agree() {
    note_providers();
    let msg = b"[\"Signature1\", protected, h'', payload]".as_slice();
    for case in ec_cases() {
        let size = case.curve.field_bytes();
        let good = (case.sign_fixed)(msg);
        let (r, s) = good.split_at(size);
        let high_s = [r.to_vec(), sub(&case.order, s)].concat();
        let mut raw: Vec<(String, Vec<u8>)> = vec![
            ("good".into(), good.clone()),
            ("high s".into(), high_s.clone()),
            ("r = 0".into(), [vec![0; size], s.to_vec()].concat()),
            ("s = 0".into(), [r.to_vec(), vec![0; size]].concat()),
            ("r = n".into(), [case.order.clone(), s.to_vec()].concat()),
            ("s = n".into(), [r.to_vec(), case.order.clone()].concat()),
            ("all ff".into(), vec![0xff; 2 * size]),
            ("short".into(), good[..good.len() - 1].to_vec()),
            ("long".into(), [good.clone(), vec![0]].concat()),
            ("der".into(), der(&good, DerForm::Strict)),
        ];
        for i in (0..good.len()).step_by(good.len() / 5) {
            let mut flipped = good.clone();
            flipped[i] ^= 0x80;
            raw.push((format!("bit flip at {i}"), flipped));
        }
        let mut verified = 0;
        for (what, sig) in &raw {
            let got = agree(&format!("{} {what}", case.alg.as_str()), |p| {
                PublicKey::ec(case.curve, &case.point, p)
                    .unwrap()
                    .verify(case.alg, msg, sig)
            });
            verified += usize::from(got.is_ok());
        }
        // ECDSA verification accepts both s and n - s.
        assert_eq!(verified, 2, "{}", case.alg.as_str());

        // DER signatures (X.509) with every SHA-2, and malformed DER.
        for hash in [Hash::Sha256, Hash::Sha384, Hash::Sha512] {
            let raw = (case.sign_prehash)(hash, msg);
            let strict = der(&raw, DerForm::Strict);
            let cases: Vec<(&str, Vec<u8>)> = vec![
                ("good", strict.clone()),
                ("non-minimal", der(&raw, DerForm::PaddedR)),
                ("negative r", der(&raw, DerForm::NegativeR)),
                ("trailing byte", [strict.clone(), vec![0]].concat()),
                ("truncated", strict[..strict.len() - 1].to_vec()),
                ("raw", raw.clone()),
                ("empty", vec![]),
            ];
            let mut verified = Vec::new();
            for (what, sig) in &cases {
                let scheme = Scheme::EcdsaDer(hash);
                let got = agree(&format!("{} {hash:?} DER {what}", case.curve.name()), |p| {
                    PublicKey::ec(case.curve, &case.point, p)
                        .unwrap()
                        .verify_scheme(scheme, msg, sig)
                });
                if got {
                    verified.push(*what);
                }
            }
            assert_eq!(verified, ["good"], "{} {hash:?}", case.curve.name());
        }
        // A raw signature under another hash than the curve's is refused by the seam.
        for hash in [Hash::Sha256, Hash::Sha384, Hash::Sha512] {
            if hash != case.curve.hash() {
                let key = PublicKey::ec(case.curve, &case.point, providers()[0]).unwrap();
                assert!(!key.allows(Scheme::EcdsaFixed(hash)));
            }
        }
    }
}

/// DER `RSAPublicKey` from modulus and exponent bytes (big-endian, no sign byte).
fn rsa_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn int(x: &[u8]) -> Vec<u8> {
        let mut body = x.to_vec();
        if body.first().is_some_and(|b| b & 0x80 != 0) {
            body.insert(0, 0);
        }
        [vec![0x02], len(body.len()), body].concat()
    }
    fn len(l: usize) -> Vec<u8> {
        match l {
            0..0x80 => vec![l as u8],
            0x80..0x100 => vec![0x81, l as u8],
            _ => vec![0x82, (l >> 8) as u8, l as u8],
        }
    }
    let body = [int(n), int(e)].concat();
    [vec![0x30], len(body.len()), body].concat()
}

/// The RSA-2048 key and a PS256 DCC signed by it (CH/1 of the peers' DCC data).
fn ch1() -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    use x509_cert::der::Decode;
    let root = common::peers("dcc")?;
    let case: Value =
        serde_json::from_slice(&std::fs::read(root.join("CH/2DCode/raw/1.json")).unwrap()).unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(case["TESTCTX"]["CERTIFICATE"].as_str().unwrap())
        .unwrap();
    let cert = x509_cert::Certificate::from_der(&der).unwrap();
    let pkcs1 = cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let (cose, _) = dcc::decode_steps(case["PREFIX"].as_str().unwrap()).unwrap();
    Some((pkcs1, cose.sig_structure(), cose.signature))
}

#[test]
fn hostile_rsa_keys_and_signatures_agree() {
    note_providers();
    let Some((pkcs1, msg, sig)) = ch1() else {
        return;
    };
    let key = |p| PublicKey::rsa(&pkcs1, p).unwrap();
    assert_eq!(key(providers()[0]).describe(), "RSA-2048");
    // Signatures.
    let mut sigs: Vec<(String, Vec<u8>)> = vec![
        ("good".into(), sig.clone()),
        ("zero".into(), vec![0; sig.len()]),
        ("all ff (>= n)".into(), vec![0xff; sig.len()]),
        ("one".into(), [vec![0; sig.len() - 1], vec![1]].concat()),
        ("short".into(), sig[1..].to_vec()),
        ("long".into(), [vec![0], sig.clone()].concat()),
    ];
    for i in [0, 1, 100, 200, 255] {
        let mut flipped = sig.clone();
        flipped[i] ^= 0x01;
        sigs.push((format!("bit flip at {i}"), flipped));
    }
    let mut verified = 0;
    for (what, s) in &sigs {
        let got = agree(&format!("PS256 {what}"), |p| {
            key(p).verify(Alg::Ps256, &msg, s)
        });
        verified += usize::from(got.is_ok());
        for scheme in [
            Scheme::RsaPss(Hash::Sha384),
            Scheme::RsaPss(Hash::Sha512),
            Scheme::RsaPkcs1v15(Hash::Sha256),
            Scheme::RsaPkcs1v15(Hash::Sha512),
        ] {
            // A PS256 signature under any other scheme fails, everywhere.
            let other = agree(&format!("{scheme:?} {what}"), |p| {
                key(p).verify_scheme(scheme, &msg, s)
            });
            assert!(!other, "{scheme:?} {what}");
        }
    }
    assert_eq!(verified, 1);
    // Keys: the modulus and exponent of CH/1's key, then broken ones.
    let (n, e) = {
        // SEQUENCE { INTEGER n (257 bytes with its sign byte), INTEGER e }.
        let body = &pkcs1[4..];
        let n_len = (usize::from(body[2]) << 8) | usize::from(body[3]);
        let n = body[4..4 + n_len].to_vec();
        let rest = &body[4 + n_len..];
        let e = rest[2..2 + usize::from(rest[1])].to_vec();
        (n[usize::from(n[0] == 0)..].to_vec(), e)
    };
    assert_eq!(rsa_der(&n, &e), pkcs1, "the test rebuilds the key exactly");
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    let keys: Vec<(&str, Vec<u8>)> = vec![
        ("good", rsa_der(&n, &e)),
        ("e = 1", rsa_der(&n, &[1])),
        ("e = 2", rsa_der(&n, &[2])),
        ("e = 3", rsa_der(&n, &[3])),
        ("e = 65536", rsa_der(&n, &[1, 0, 0])),
        ("e = 2^33 - 1", rsa_der(&n, &[1, 0xff, 0xff, 0xff, 0xff])),
        ("e = 2^33 + 1", rsa_der(&n, &[2, 0, 0, 0, 1])),
        ("even n", rsa_der(&even, &e)),
        ("2040-bit n", rsa_der(&n[1..], &e)),
        (
            "4104-bit n",
            rsa_der(&[n.clone(), n.clone(), vec![1]].concat(), &e),
        ),
        ("4096-bit n", rsa_der(&[n.clone(), n.clone()].concat(), &e)),
        ("zero n", rsa_der(&[0], &e)),
        ("trailing byte", [rsa_der(&n, &e), vec![0]].concat()),
        (
            "SPKI, not PKCS#1",
            [vec![0x30, 0x0d], pkcs1.clone()].concat(),
        ),
        ("empty", vec![]),
    ];
    let mut loaded = Vec::new();
    for (what, der) in &keys {
        let got = agree(&format!("RSA key {what}"), |p| {
            PublicKey::rsa(der, p).map(|k| k.describe())
        });
        if got.is_ok() {
            loaded.push(*what);
        }
    }
    assert_eq!(loaded, ["good", "e = 3", "e = 2^33 - 1", "4096-bit n"]);
}

/// PSS with SHA-384/512 and PKCS#1 v1.5, signed by AWS-LC (RustCrypto's RSA signing needs a
/// random generator of another trait generation) and verified by every provider.
#[cfg(feature = "aws-lc-rs")]
#[test]
fn rsa_schemes_agree() {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{self as sig, KeyPair, RsaKeyPair};
    note_providers();
    let rng = SystemRandom::new();
    let msg = b"tbsCertificate".as_slice();
    for bits in [
        aws_lc_rs::rsa::KeySize::Rsa2048,
        aws_lc_rs::rsa::KeySize::Rsa3072,
    ] {
        let pair = RsaKeyPair::generate(bits).unwrap();
        let public = pair.public_key().as_ref().to_vec();
        let signings: [(&'static dyn sig::RsaEncoding, Scheme); 6] = [
            (&sig::RSA_PSS_SHA256, Scheme::RsaPss(Hash::Sha256)),
            (&sig::RSA_PSS_SHA384, Scheme::RsaPss(Hash::Sha384)),
            (&sig::RSA_PSS_SHA512, Scheme::RsaPss(Hash::Sha512)),
            (&sig::RSA_PKCS1_SHA256, Scheme::RsaPkcs1v15(Hash::Sha256)),
            (&sig::RSA_PKCS1_SHA384, Scheme::RsaPkcs1v15(Hash::Sha384)),
            (&sig::RSA_PKCS1_SHA512, Scheme::RsaPkcs1v15(Hash::Sha512)),
        ];
        for (encoding, scheme) in signings {
            let mut signature = vec![0; pair.public_modulus_len()];
            pair.sign(encoding, &rng, msg, &mut signature).unwrap();
            let mut flipped = signature.clone();
            flipped[9] ^= 4;
            for (what, s, want) in [("good", &signature, true), ("flipped", &flipped, false)] {
                let got = agree(&format!("{scheme:?} {what}"), |p| {
                    PublicKey::rsa(&public, p)
                        .unwrap()
                        .verify_scheme(scheme, msg, s)
                });
                assert_eq!(got, want, "{scheme:?} {what}");
            }
        }
    }
}
