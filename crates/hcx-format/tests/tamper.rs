//! Exhaustive tamper tests: every single-bit flip and every single-byte deletion of a valid
//! code's COSE bytes, and every single-character substitution and deletion of its text form,
//! must be rejected. Nothing a verifier accepts may differ from what the issuer signed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeMap;

use hcx_format::{
    HealthClaims, IssueParams, IssuerEntry, KeyEntry, PrivateKey, Scopes, SignedTrustList,
    TrustList, TrustListPolicy, Verifier,
};
use hcx_format::{cose_bytes, issue_with_code_id, text_from_cose};

const NOW: i64 = 1_795_248_000;
const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The reference code (as in the README) and a verifier that accepts it.
fn reference() -> (String, Verifier) {
    let root = PrivateKey::from_seed(&[1; 32]);
    let issuer = PrivateKey::from_seed(&[2; 32]);
    let mut list = TrustList::new();
    list.issuers.push(IssuerEntry {
        id: "dingtalk".into(),
        names: [("en".into(), "DingTalk".into())].into(),
        scopes: Scopes::default(),
        keys: vec![KeyEntry::new(&issuer.public_key(), None, None)],
    });
    (list.sequence, list.issued_at, list.expires_at) = (1, NOW - 86_400, NOW + 30 * 86_400);
    let json = SignedTrustList::sign(&list, &[&root])
        .unwrap()
        .to_json()
        .unwrap();
    let verifier = Verifier::from_signed_trust_list(
        json.as_bytes(),
        &TrustListPolicy::single_root(root.public_key()),
        NOW,
    )
    .unwrap();
    let claims = HealthClaims::from_json(include_str!(
        "../../../spec/fixtures/samples/reference-claims.json"
    ))
    .unwrap();
    let params = IssueParams {
        issuer: "dingtalk".into(),
        issued_at: NOW,
        expires_at: NOW + 86_400,
        not_before: None,
    };
    let text = issue_with_code_id(&issuer, &params, &claims, &[7; 8]).unwrap();
    verifier
        .verify(&text, hcx_format::Clock::at(NOW + 60))
        .unwrap();
    (text, verifier)
}

/// Judges every variant, failing with the first accepted one; returns how often each
/// error reason occurred (printed with `--nocapture`, useful when a layer changes).
fn all_rejected(
    verifier: &Verifier,
    what: &str,
    variants: impl Iterator<Item = (String, String)>,
) -> BTreeMap<&'static str, usize> {
    let mut reasons = BTreeMap::new();
    let mut n = 0;
    for (label, text) in variants {
        n += 1;
        match verifier.verify(&text, hcx_format::Clock::at(NOW + 60)) {
            Ok(v) => panic!("{what} {label} was accepted: {text} → {v:?}"),
            Err(e) => *reasons.entry(e.reason().as_str()).or_insert(0) += 1,
        }
    }
    eprintln!("{what}: {n} variants, all rejected: {reasons:?}");
    assert!(n > 0);
    reasons
}

#[test]
fn every_bit_flip_of_the_cose_bytes_is_rejected() {
    let (text, verifier) = reference();
    let cose = cose_bytes(&text).unwrap();
    let variants = (0..cose.len() * 8).map(|bit| {
        let mut c = cose.clone();
        c[bit / 8] ^= 1 << (bit % 8);
        (format!("bit {bit}"), text_from_cose(&c))
    });
    let reasons = all_rejected(&verifier, "bit flip", variants);
    // Flips inside the signature must reach the signature check, not die earlier.
    assert!(reasons.get("bad_signature").copied().unwrap_or(0) >= 64 * 8);
}

#[test]
fn every_byte_deletion_of_the_cose_bytes_is_rejected() {
    let (text, verifier) = reference();
    let cose = cose_bytes(&text).unwrap();
    let variants = (0..cose.len()).map(|i| {
        let mut c = cose.clone();
        c.remove(i);
        (format!("byte {i}"), text_from_cose(&c))
    });
    all_rejected(&verifier, "byte deletion", variants);
}

#[test]
fn every_character_substitution_of_the_text_is_rejected() {
    let (text, verifier) = reference();
    let chars: Vec<char> = text.chars().collect();
    // The whole base45 alphabet, plus characters a scanner or a copy-paste might introduce.
    let replacements: Vec<char> = BASE45
        .chars()
        .chain("abhcx\0\n\t#é漢\u{feff}".chars())
        .collect();
    let mut variants = Vec::new();
    for i in 0..chars.len() {
        for &r in replacements.iter().filter(|&&r| r != chars[i]) {
            let mut c = chars.clone();
            c[i] = r;
            variants.push((format!("char {i} → {r:?}"), c.into_iter().collect()));
        }
    }
    all_rejected(&verifier, "substitution", variants.into_iter());
}

#[test]
fn every_character_deletion_of_the_text_is_rejected() {
    let (text, verifier) = reference();
    let chars: Vec<char> = text.chars().collect();
    let variants = (0..chars.len()).map(|i| {
        let mut c = chars.clone();
        c.remove(i);
        (format!("char {i}"), c.into_iter().collect())
    });
    all_rejected(&verifier, "deletion", variants);
}

#[test]
fn appending_or_inserting_is_rejected() {
    let (text, verifier) = reference();
    let mut variants = Vec::new();
    for suffix in ["0", " ", "\n", "00", "000"] {
        variants.push((format!("suffix {suffix:?}"), format!("{text}{suffix}")));
    }
    for prefix in [" ", "\u{feff}", "HCX1:"] {
        variants.push((format!("prefix {prefix:?}"), format!("{prefix}{text}")));
    }
    // Inserting one base45 character anywhere after the prefix.
    for i in 5..=text.len() {
        variants.push((
            format!("insert at {i}"),
            format!("{}0{}", &text[..i], &text[i..]),
        ));
    }
    all_rejected(&verifier, "insertion", variants.into_iter());
}
