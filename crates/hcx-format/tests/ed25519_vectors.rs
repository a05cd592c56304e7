//! The published Ed25519 edge-case vectors (`shared/vectors/ed25519/`, read from above the
//! repository, never copied) through the whole hcx code verifier: `Verifier::verify` one
//! by one (which builds a key's table after enough uses) and `Verifier::verify_many`.
//!
//! hcx signs a COSE Sig_structure, not the vectors' messages, so codes are re-signed around
//! the vectors' points where that can be built:
//! - every vector key hcx can trust (a point not of small order: the small-order ones no
//!   trust list accepts) is put in the trust list, and a code under its key id carries each
//!   of that key's vector signatures;
//! - every vector `R` that is a small-order point, in whatever encoding the vector gives, is
//!   the `R` of a code signed by a mixed-order key of ours, with the code id ground until the
//!   cofactorless equation `[s]B − [k]A = R` holds, so only the small-order and canonical-`R`
//!   rules can refuse it;
//! - controls: codes by the same mixed-order key that `verify_strict` accepts, honest codes.
//!
//! Vector `R`s with a prime-order part (mixed-order) and valid signatures under the vectors'
//! own keys need discrete logarithms nobody has, so those cannot be built. Every code must
//! get exactly `verify_strict`'s answer on its signed bytes: valid, or `bad_signature`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::PathBuf;

use ciborium::value::Value;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use hcx_format::{
    Clock, HealthClaims, IssueParams, IssuerEntry, KeyEntry, KeyId, PrivateKey, PublicKey, Scopes,
    TrustList, Verifier, VerifyError, cose_bytes, issue_with_code_id, text_from_cose,
};
use sha2::{Digest, Sha512};

const NOW: i64 = 1_795_248_000;

/// `shared/vectors/ed25519` above this crate; absent: loud skip, or failure under `CI=true`.
fn vectors_dir() -> Option<PathBuf> {
    let mut dir = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let candidate = d.join("shared").join("vectors").join("ed25519");
        if candidate.is_dir() {
            return Some(candidate);
        }
        dir = d.parent().map(PathBuf::from);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared/vectors/ed25519 not found above {} and CI=true",
        env!("CARGO_MANIFEST_DIR")
    );
    eprintln!(
        "\n!!!!!!!!!! shared/vectors/ed25519 NOT FOUND above {}: code-level vector test SKIPPED !!!!!!!!!!\n",
        env!("CARGO_MANIFEST_DIR")
    );
    None
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// (name, key, signature) of every vector of both files.
fn vectors(dir: &std::path::Path) -> Vec<(String, [u8; 32], Vec<u8>)> {
    let read = |f: &str| -> Vec<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
    };
    let mut out = Vec::new();
    for v in read("cctv-ed25519vectors.json") {
        let key = hex(v["key"].as_str().unwrap()).try_into().unwrap();
        out.push((
            format!("cctv #{}", v["number"]),
            key,
            hex(v["sig"].as_str().unwrap()),
        ));
    }
    for (i, v) in read("speccheck-cases.json").iter().enumerate() {
        let key = hex(v["pub_key"].as_str().unwrap()).try_into().unwrap();
        out.push((
            format!("speccheck case {i}"),
            key,
            hex(v["signature"].as_str().unwrap()),
        ));
    }
    assert_eq!(out.len(), 914 + 12);
    out
}

fn claims() -> HealthClaims {
    HealthClaims::from_json(r#"{"status":"green","subject":{"name":"Vector Test"}}"#).unwrap()
}

fn params() -> IssueParams {
    IssueParams {
        issuer: "vectors".into(),
        issued_at: NOW - 60,
        expires_at: NOW + 86_400,
        not_before: None,
    }
}

/// A code with payload from `code_id`, under the key id of `key`, with `signature` (built by
/// `sign` from the code's signed bytes). Returns the text and the signed bytes.
fn code(code_id: u64, key: &[u8; 32], sign: impl FnOnce(&[u8]) -> Vec<u8>) -> (String, Vec<u8>) {
    // Any key makes the template; the key id and signature are replaced below.
    let template = PrivateKey::from_seed(&[7; 32]);
    let text = issue_with_code_id(&template, &params(), &claims(), &code_id.to_be_bytes()).unwrap();
    let cose: Value = ciborium::de::from_reader(cose_bytes(&text).unwrap().as_slice()).unwrap();
    let Value::Tag(18, parts) = cose else {
        panic!("not a COSE_Sign1")
    };
    let Value::Array(mut parts) = *parts else {
        panic!("not an array")
    };
    let Value::Bytes(protected) = &parts[0] else {
        panic!("no protected header")
    };
    let mut header: Value = ciborium::de::from_reader(protected.as_slice()).unwrap();
    for (k, v) in header.as_map_mut().unwrap() {
        if k.as_integer() == Some(4.into()) {
            *v = Value::Bytes(KeyId::of_raw_public_key(key).0.to_vec());
        }
    }
    let mut protected = Vec::new();
    ciborium::ser::into_writer(&header, &mut protected).unwrap();
    parts[0] = Value::Bytes(protected);
    let encode = |parts: &Vec<Value>| {
        let mut out = Vec::new();
        ciborium::ser::into_writer(
            &Value::Tag(18, Box::new(Value::Array(parts.clone()))),
            &mut out,
        )
        .unwrap();
        text_from_cose(&out)
    };
    // The signed bytes do not depend on the signature: read them with a placeholder.
    parts[3] = Value::Bytes(vec![0; 64]);
    let signed = hcx_format::decode(&encode(&parts)).unwrap().signed_bytes;
    parts[3] = Value::Bytes(sign(&signed));
    (encode(&parts), signed)
}

/// `k = SHA-512(R ‖ A ‖ M) mod ℓ`.
fn challenge(r: &[u8], a: &[u8; 32], m: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(a);
    h.update(m);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

fn verify_strict(key: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let (Ok(k), Ok(s)) = (VerifyingKey::from_bytes(key), Signature::from_slice(sig)) else {
        return false;
    };
    k.verify_strict(msg, &s).is_ok()
}

/// A built code: name, text, key, signed bytes, signature.
type Built = (String, String, [u8; 32], Vec<u8>, Vec<u8>);

#[test]
fn vector_points_through_the_code_verifier_get_verify_strict_s_answer() {
    let Some(dir) = vectors_dir() else { return };
    let vectors = vectors(&dir);
    // Our mixed-order key A' = aB + T (T of order 8), whose discrete log part we know.
    let a = Scalar::from_bytes_mod_order([0x5a; 32]);
    let t = EIGHT_TORSION[1];
    let mixed = (EdwardsPoint::mul_base(&a) + t).compress().to_bytes();
    let honest = PrivateKey::from_seed(&[0x33; 32]);
    let honest_raw = honest.public_key().to_bytes();

    let mut codes: Vec<Built> = Vec::new();
    let mut trusted: Vec<[u8; 32]> = vec![mixed, honest_raw];
    let mut next_id = 1u64;
    // 1. Vector keys hcx can trust, each carrying its vectors' signatures.
    for (name, key, sig) in &vectors {
        if PublicKey::from_bytes(key).is_err() {
            continue;
        }
        if !trusted.contains(key) {
            trusted.push(*key);
        }
        next_id += 1;
        let (text, signed) = code(next_id, key, |_| sig.clone());
        codes.push((
            format!("{name}: its key and signature"),
            text,
            *key,
            signed,
            sig.clone(),
        ));
    }
    let key_codes = codes.len();
    // 2. Vector R's that are small-order points (any encoding): ground codes by A'.
    let mut small_rs: Vec<[u8; 32]> = Vec::new();
    for (_, _, sig) in &vectors {
        let r: [u8; 32] = sig[..32].try_into().unwrap();
        let small = CompressedEdwardsY(r)
            .decompress()
            .is_some_and(|p| p.is_small_order());
        if small && !small_rs.contains(&r) {
            small_rs.push(r);
        }
    }
    for r in &small_rs {
        let p_r = CompressedEdwardsY(*r).decompress().unwrap();
        // [s]B − [k]A' = [s − ka]B − [k]T, so s = ka and −[k]T = P_R: grind the code id.
        let mut built = false;
        for _ in 0..400 {
            next_id += 1;
            let mut holds = false;
            let (text, signed) = code(next_id, &mixed, |m| {
                let k = challenge(r, &mixed, m);
                holds = -(t * k) == p_r;
                let mut sig = r.to_vec();
                sig.extend_from_slice((k * a).as_bytes());
                sig
            });
            if holds {
                let sig = hcx_format::decode(&text).unwrap().signature;
                let name = format!("small-order R {}", hex_of(r));
                codes.push((name, text, mixed, signed, sig));
                built = true;
                break;
            }
        }
        assert!(
            built,
            "no code id made the equation hold for R {}",
            hex_of(r)
        );
    }
    let r_codes = codes.len() - key_codes;
    // 3. Controls: mixed-order A' with R = rB + T_R where the equation holds (accepted), and
    //    honest codes.
    let mut accepted_mixed = 0;
    for n in 0..64u64 {
        next_id += 1;
        let r = Scalar::from(n * 1_000_003 + 17);
        let big_r = (EdwardsPoint::mul_base(&r) + EIGHT_TORSION[(n % 8) as usize])
            .compress()
            .to_bytes();
        let (text, signed) = code(next_id, &mixed, |m| {
            let k = challenge(&big_r, &mixed, m);
            let mut sig = big_r.to_vec();
            sig.extend_from_slice((r + k * a).as_bytes());
            sig
        });
        let sig = hcx_format::decode(&text).unwrap().signature;
        accepted_mixed += usize::from(verify_strict(&mixed, &signed, &sig));
        codes.push((format!("mixed-order control {n}"), text, mixed, signed, sig));
        next_id += 1;
        let text =
            issue_with_code_id(&honest, &params(), &claims(), &next_id.to_be_bytes()).unwrap();
        let d = hcx_format::decode(&text).unwrap();
        codes.push((
            format!("honest {n}"),
            text,
            honest_raw,
            d.signed_bytes,
            d.signature,
        ));
    }
    // The construction must reach every kind: pinned counts, so a change in the vector files
    // or in what hcx trusts shows up here.
    assert_eq!(
        trusted.len(),
        2 + 8 + 3,
        "the vectors' trustable keys: 8 of CCTV's, 3 of speccheck's"
    );
    assert_eq!(
        key_codes, 396,
        "vector signatures under a trustable vector key"
    );
    assert_eq!(
        r_codes, 14,
        "distinct small-order R encodings among the vectors"
    );
    assert!(accepted_mixed > 0 && accepted_mixed < 64);

    let mut list = TrustList::new();
    list.issuers.push(IssuerEntry {
        id: "vectors".into(),
        names: [("en".into(), "Vectors".into())].into(),
        scopes: Scopes::default(),
        keys: trusted
            .iter()
            .map(|k| KeyEntry::new(&PublicKey::from_bytes(k).unwrap(), None, None))
            .collect(),
    });
    (list.sequence, list.issued_at, list.expires_at) = (1, NOW - 86_400, NOW + 86_400);
    let want: Vec<bool> = codes
        .iter()
        .map(|(_, _, key, signed, sig)| verify_strict(key, signed, sig))
        .collect();
    assert_eq!(want.iter().filter(|w| **w).count(), 64 + accepted_mixed);
    let check =
        |name: &str, how: &str, got: &Result<hcx_format::VerifiedCode, VerifyError>, want: bool| {
            match got {
                Ok(_) => assert!(
                    want,
                    "{name}: hcx accepted what verify_strict refuses ({how})"
                ),
                Err(e) => {
                    assert!(
                        !want,
                        "{name}: hcx refused ({e}) what verify_strict accepts ({how})"
                    );
                    assert_eq!(e.code().as_str(), "bad_signature", "{name} ({how})");
                }
            }
        };
    // One by one, twice over (the second pass runs with the tables the first one built).
    let verifier = Verifier::new(list.clone());
    for pass in 0..2 {
        for ((name, text, ..), w) in codes.iter().zip(&want) {
            check(
                name,
                &format!("verify, pass {pass}"),
                &verifier.verify(text, hcx_format::Clock::at(NOW)),
                *w,
            );
        }
    }
    // All in one batch, and in batches of 64, on a fresh verifier.
    let verifier = Verifier::new(list);
    let texts: Vec<&str> = codes.iter().map(|c| c.1.as_str()).collect();
    let bulk = &verifier;
    for ((name, ..), (got, w)) in codes
        .iter()
        .zip(bulk.verify_many(&texts, Clock::at(NOW)).iter().zip(&want))
    {
        check(name, "verify_many, one batch", got, *w);
    }
    let mut chunked = Vec::new();
    for chunk in texts.chunks(64) {
        chunked.extend(bulk.verify_many(chunk, Clock::at(NOW)));
    }
    for ((name, ..), (got, w)) in codes.iter().zip(chunked.iter().zip(&want)) {
        check(name, "verify_many, batches of 64", got, *w);
    }
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
