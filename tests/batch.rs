//! `hcx issue --batch` and `hcx verify --batch`: order, bad lines among good ones, empty lines,
//! mixed formats, chunked streaming, and agreement with one-by-one `verify --json` on codes
//! whose signatures sit on every Ed25519 edge `verify_strict` rules on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use base64::Engine;
use ciborium::value::Value;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::pkcs8::EncodePublicKey;
use hcx_vectors::forge;
use serde_json::Value as Json;
use sha2::{Digest, Sha512};

const AT: &str = "2026-11-21T08:00:00Z";
const CLAIMS: &str = hcx_vectors::REFERENCE_CLAIMS_JSON;

fn hcx() -> Command {
    Command::cargo_bin("hcx").unwrap()
}

/// An issuer whose secret scalar the test knows, so it can sign on purpose-built edges.
struct Forger {
    a: Scalar,
    /// The public key as registered (possibly with a small-order component).
    a_bytes: [u8; 32],
}

impl Forger {
    fn new(seed: u8, torsion: usize) -> Forger {
        let a = Scalar::from_bytes_mod_order([seed; 32]);
        let point = EdwardsPoint::mul_base(&a) + EIGHT_TORSION[torsion];
        Forger {
            a,
            a_bytes: point.compress().to_bytes(),
        }
    }

    fn kid(&self) -> [u8; 8] {
        let d = sha2::Sha256::digest(self.a_bytes);
        d[..8].try_into().unwrap()
    }

    fn pem(&self) -> String {
        ed25519_dalek::VerifyingKey::from_bytes(&self.a_bytes)
            .unwrap()
            .to_public_key_pem(Default::default())
            .unwrap()
    }

    /// `s = r + k·a` over the given `R` point; `s_extra` is added to `s` without reduction.
    fn sign(&self, msg: &[u8], r: &Scalar, r_point: EdwardsPoint, plus_l: bool) -> Vec<u8> {
        let r_bytes = r_point.compress().to_bytes();
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(self.a_bytes);
        h.update(msg);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let mut s = (r + k * self.a).to_bytes();
        if plus_l {
            // s + ℓ: the same scalar, not reduced.
            let l = hex32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
            let mut carry = 0u16;
            for (b, l) in s.iter_mut().zip(l) {
                let sum = u16::from(*b) + u16::from(l) + carry;
                *b = sum as u8;
                carry = sum >> 8;
            }
        }
        let mut sig = r_bytes.to_vec();
        sig.extend_from_slice(&s);
        sig
    }
}

fn hex32(s: &str) -> [u8; 32] {
    let v: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    v.try_into().unwrap()
}

/// Rebuilds an honest code under another kid, with a signature made by `sign` over the new
/// Sig_structure.
fn reforge(text: &str, kid: [u8; 8], sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let cose = base45::decode(text.strip_prefix("HCX1:").unwrap()).unwrap();
    let value: Value = ciborium::de::from_reader(cose.as_slice()).unwrap();
    let Value::Tag(18, inner) = value else {
        panic!("not COSE_Sign1")
    };
    let Value::Array(items) = *inner else {
        panic!("not an array")
    };
    let Value::Bytes(payload) = items[2].clone() else {
        panic!("no payload")
    };
    let protected = forge::enc(&Value::Map(vec![
        (forge::int(forge::ALG), forge::int(-8)),
        (forge::int(forge::KID), Value::Bytes(kid.to_vec())),
    ]));
    let parts = forge::Parts {
        protected,
        unprotected: Value::Map(vec![]),
        payload: Some(payload),
    };
    let tbs = forge::sig_structure(&parts.protected, parts.payload.as_deref().unwrap());
    forge::to_text(&forge::enc(&forge::assemble(&parts, sign(&tbs))))
}

struct Setup {
    dir: tempfile::TempDir,
    at: String,
}

impl Setup {
    /// A root, a real issuer `dingtalk` (PEM key from `hcx keygen`) and two issuers whose
    /// keys the test forges with: `forged` (ordinary) and `mixed` (a mixed-order key).
    fn new(at: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        hcx()
            .arg("keygen")
            .arg("-o")
            .arg(p("root.pem"))
            .assert()
            .success();
        let out = hcx().arg("pubkey").arg(p("root.pem")).output().unwrap();
        std::fs::write(p("root.pub.pem"), out.stdout).unwrap();
        hcx()
            .arg("keygen")
            .arg("-o")
            .arg(p("issuer.pem"))
            .assert()
            .success();
        let out = hcx().arg("pubkey").arg(p("issuer.pem")).output().unwrap();
        std::fs::write(p("issuer.pub.pem"), out.stdout).unwrap();
        std::fs::write(p("forged.pub.pem"), Forger::new(3, 0).pem()).unwrap();
        std::fs::write(p("mixed.pub.pem"), Forger::new(5, 1).pem()).unwrap();
        for (id, key) in [
            ("dingtalk", "issuer.pub.pem"),
            ("forged", "forged.pub.pem"),
            ("mixed", "mixed.pub.pem"),
        ] {
            hcx()
                .args(["trust", "add"])
                .arg(p("trust.json"))
                .args(["--issuer", id, "--name", id, "--key"])
                .arg(p(key))
                .assert()
                .success();
        }
        hcx()
            .args(["trust", "sign"])
            .arg(p("trust.json"))
            .arg("--key")
            .arg(p("root.pem"))
            .args(["--valid-for", "30d", "--at", at])
            .assert()
            .success();
        Setup {
            dir,
            at: at.to_owned(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn issue_batch(&self, lines: &str, extra: &[&str]) -> (i32, Vec<Json>, String) {
        self.issue_batch_as("dingtalk", lines, extra)
    }

    /// Issues with the real key, naming `issuer` (forged codes reuse the payload).
    fn issue_batch_as(
        &self,
        issuer: &str,
        lines: &str,
        extra: &[&str],
    ) -> (i32, Vec<Json>, String) {
        std::fs::write(self.path("in.jsonl"), lines).unwrap();
        let out = hcx()
            .arg("issue")
            .arg("--batch")
            .arg(self.path("in.jsonl"))
            .arg("--key")
            .arg(self.path("issuer.pem"))
            .args(["--issuer", issuer, "--at", &self.at])
            .args(extra)
            .output()
            .unwrap();
        let json = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (
            out.status.code().unwrap(),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn codes(&self, n: usize) -> Vec<String> {
        self.codes_as(n, "dingtalk")
    }

    fn codes_as(&self, n: usize, issuer: &str) -> Vec<String> {
        let lines = format!("{CLAIMS}\n").repeat(n);
        let (status, out, _) = self.issue_batch_as(issuer, &lines, &[]);
        assert_eq!(status, 0);
        out.iter()
            .map(|v| v["code"].as_str().unwrap().to_owned())
            .collect()
    }

    fn verify_batch(&self, lines: &str, extra: &[&std::ffi::OsStr]) -> (i32, Vec<Json>, String) {
        std::fs::write(self.path("codes.txt"), lines).unwrap();
        let out = hcx()
            .arg("verify")
            .arg("--batch")
            .arg(self.path("codes.txt"))
            .arg("--trust")
            .arg(self.path("trust.json"))
            .arg("--root")
            .arg(self.path("root.pub.pem"))
            .args(["--at", &self.at])
            .args(extra)
            .output()
            .unwrap();
        let json = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (
            out.status.code().unwrap(),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn verify_one(&self, text: &str, extra: &[&std::ffi::OsStr]) -> (i32, Json) {
        let out = hcx()
            .arg("verify")
            .arg("--json")
            .arg("--trust")
            .arg(self.path("trust.json"))
            .arg("--root")
            .arg(self.path("root.pub.pem"))
            .args(["--at", &self.at])
            .args(extra)
            .arg("--")
            .arg(text)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    }
}

#[test]
fn issue_batch_keeps_order_and_isolates_bad_lines() {
    let s = Setup::new(AT);
    let lines = format!(
        "{CLAIMS}\n{{\"status\":\"purple\"}}\n{{\"claims\":{CLAIMS},\"valid_for\":\"5m\"}}\n\n{{\"claims\":{CLAIMS},\"bogus\":1}}\nnot json\n{CLAIMS}\n"
    );
    let (status, out, stderr) = s.issue_batch(&lines, &["--jobs", "2"]);
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(out.len(), 7);
    for (i, v) in out.iter().enumerate() {
        assert_eq!(v["line"], i as u64 + 1, "{v}");
    }
    let ok: Vec<bool> = out.iter().map(|v| v["code"].is_string()).collect();
    assert_eq!(ok, [true, false, true, false, false, false, true]);
    assert_eq!(out[1]["error"]["code"], "invalid_claims");
    assert_eq!(out[3]["error"]["code"], "invalid_input");
    assert_eq!(out[5]["error"]["code"], "invalid_claims");
    assert!(stderr.contains("3 issued"), "{stderr}");
    // Each issued code verifies, with the validity its line asked for.
    for (i, hours) in [(0, 24 * 3600), (2, 300), (6, 24 * 3600)] {
        let (st, v) = s.verify_one(out[i]["code"].as_str().unwrap(), &[]);
        assert_eq!(st, 0, "{v}");
        let iat = v["issued_at"].as_str().unwrap();
        assert_eq!(iat, AT);
        let exp = hcx_format::timefmt::parse_rfc3339(v["expires_at"].as_str().unwrap()).unwrap();
        let iat = hcx_format::timefmt::parse_rfc3339(iat).unwrap();
        assert_eq!(exp - iat, hours);
    }
    // All good: exit 0. Usage errors: exit 2 before anything is written.
    let (status, out, _) = s.issue_batch(&format!("{CLAIMS}\n"), &[]);
    assert_eq!((status, out.len()), (0, 1));
    let (status, _, _) = s.issue_batch("", &["--jobs", "0"]);
    assert_eq!(status, 2);
}

/// Codes for the agreement test: honest ones, and forged ones on every edge.
fn edge_codes(s: &Setup) -> Vec<String> {
    let mut codes = s.codes(3);
    let forged = Forger::new(3, 0);
    let mixed = Forger::new(5, 1);
    let for_forged = s.codes_as(3, "forged");
    // Each mixed-order-key signature with a canonical s verifies with probability 1/8 (its k
    // is random), so 3 texts × 8 torsions left a 4 % chance that none did and the test below
    // failed; 9 more texts bring that to (7/8)^96 ≈ 3e-6.
    let for_mixed = s.codes_as(12, "mixed");
    for (n, (text, mixed_text)) in for_forged.iter().zip(&for_mixed).enumerate() {
        let r = Scalar::from_bytes_mod_order([n as u8 + 40; 32]);
        let rb = EdwardsPoint::mul_base(&r);
        // Ordinary key: honest, s + ℓ, mixed-order R (each torsion point), small-order R.
        codes.push(reforge(text, forged.kid(), |m| {
            forged.sign(m, &r, rb, false)
        }));
        codes.push(reforge(text, forged.kid(), |m| {
            forged.sign(m, &r, rb, true)
        }));
        for t in EIGHT_TORSION.iter().skip(1) {
            codes.push(reforge(text, forged.kid(), |m| {
                forged.sign(m, &r, rb + t, false)
            }));
        }
        codes.push(reforge(text, forged.kid(), |m| {
            forged.sign(m, &Scalar::ZERO, EIGHT_TORSION[4], false)
        }));
        // Non-canonical R: y + p encodings of small y.
        codes.push(reforge(text, forged.kid(), |m| {
            let mut sig = forged.sign(m, &r, rb, false);
            sig[..32].copy_from_slice(&hex32(
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            ));
            sig
        }));
        // Mixed-order key: R's torsion ground over all eight, about one in eight verifies.
        for t in EIGHT_TORSION {
            codes.push(reforge(mixed_text, mixed.kid(), |m| {
                mixed.sign(m, &r, rb + t, false)
            }));
            codes.push(reforge(mixed_text, mixed.kid(), |m| {
                mixed.sign(m, &r, rb - t, true)
            }));
        }
    }
    for (n, mixed_text) in for_mixed.iter().enumerate().skip(3) {
        let r = Scalar::from_bytes_mod_order([n as u8 + 40; 32]);
        let rb = EdwardsPoint::mul_base(&r);
        for t in EIGHT_TORSION {
            codes.push(reforge(mixed_text, mixed.kid(), |m| {
                mixed.sign(m, &r, rb + t, false)
            }));
        }
    }
    codes
}

#[test]
fn verify_batch_agrees_with_single_verification_on_edge_signatures() {
    let s = Setup::new(AT);
    let mut lines = edge_codes(&s);
    // A tampered code, an empty line, whitespace and garbage among them.
    let mut tampered = lines[0].clone();
    tampered.pop();
    tampered.push(if lines[0].ends_with('0') { '1' } else { '0' });
    lines.insert(1, tampered);
    lines.insert(2, String::new());
    lines.insert(5, "   ".to_owned());
    lines.insert(7, "garbage".to_owned());
    let (status, batch, stderr) = s.verify_batch(&(lines.join("\n") + "\n"), &[]);
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(batch.len(), lines.len());
    let mut accepted_mixed = 0;
    for (i, (line, b)) in lines.iter().zip(&batch).enumerate() {
        let (st, single) = s.verify_one(line.trim(), &[]);
        assert_eq!(&single, b, "line {}: {line}", i + 1);
        assert_eq!(st == 0, b["valid"] == true);
        if b["valid"] == true && b["issuer"]["id"] == "mixed" {
            accepted_mixed += 1;
        }
    }
    // The edges are really exercised: honest forged codes verify, the broken ones do not,
    // and some (not all) mixed-order-key signatures pass the cofactorless equation.
    let valid = batch.iter().filter(|v| v["valid"] == true).count();
    assert!(valid >= 6, "{valid}");
    assert!(
        accepted_mixed > 0 && accepted_mixed < 60,
        "{accepted_mixed} of 120"
    );
    assert_eq!(batch[2]["error"]["code"], "malformed", "empty line");
    assert!(
        stderr.contains("valid") && stderr.contains("bad_signature"),
        "{stderr}"
    );
    // Library level: verify_many gives verify's result for each text.
    let trust = std::fs::read(s.path("trust.json")).unwrap();
    let root =
        hcx_format::PublicKey::from_pem(&std::fs::read_to_string(s.path("root.pub.pem")).unwrap())
            .unwrap();
    let now = hcx_format::timefmt::parse_rfc3339(AT).unwrap();
    let verifier = hcx_format::Verifier::from_signed_trust_list(
        &trust,
        &hcx_format::TrustListPolicy::single_root(root),
        now,
    )
    .unwrap();
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    let clock = hcx_format::Clock::at(now);
    let many = verifier.verify_many(&texts, clock);
    for (t, m) in texts.iter().zip(&many) {
        assert_eq!(&verifier.verify(t, clock), m, "{t}");
    }
}

#[test]
fn verify_batch_streams_chunks_in_order() {
    let s = Setup::new(AT);
    let codes = s.codes(20_000);
    let mut lines = codes.clone();
    // Bad lines on and around chunk boundaries (4096 lines a chunk).
    let bad = [0usize, 4095, 4096, 8191, 12_345, 19_999];
    for &i in &bad {
        lines[i] = format!("{}x", lines[i]);
    }
    let input = lines.join("\n");
    let (status, out, stderr) = s.verify_batch(&input, &[]);
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(out.len(), 20_000);
    for (i, v) in out.iter().enumerate() {
        assert_eq!(v["valid"] == false, bad.contains(&i), "line {}", i + 1);
        if v["valid"] == true {
            // Order: each verdict is its own line's code.
            let id = hcx_format::decode(&codes[i]).unwrap().code_id;
            let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(v["code_id"], hex.as_str());
        }
    }
    assert!(stderr.contains("19994 valid, 6 malformed"), "{stderr}");
    // One worker gives the same output; -o writes the file instead of stdout.
    let out_file = s.path("verdicts.jsonl");
    let (status, stdout, _) = s.verify_batch(
        &input,
        &[
            "--jobs".as_ref(),
            "1".as_ref(),
            "-o".as_ref(),
            out_file.as_os_str(),
        ],
    );
    assert_eq!((status, stdout.len()), (1, 0));
    let written: Vec<Json> = std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(written, out);
    // All valid: exit 0.
    let (status, _, _) = s.verify_batch(&codes[..10].join("\n"), &[]);
    assert_eq!(status, 0);
    // A missing input: exit 2.
    let missing = hcx()
        .args(["verify", "--batch", "/nonexistent/codes.txt", "--trust"])
        .arg(s.path("trust.json"))
        .arg("--root")
        .arg(s.path("root.pub.pem"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn verify_batch_mixes_formats() {
    let Some(peers) = common::peers("the mixed-format batch test") else {
        return;
    };
    let case: Json = serde_json::from_str(
        &std::fs::read_to_string(peers.join("dcc/AT/2DCode/raw/1.json")).unwrap(),
    )
    .unwrap();
    // Everything judged at the DCC's own validation clock.
    let at = case["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap();
    let s = Setup::new(at);
    let cert = s.path("dsc.der");
    let der = base64::engine::general_purpose::STANDARD
        .decode(case["TESTCTX"]["CERTIFICATE"].as_str().unwrap())
        .unwrap();
    std::fs::write(&cert, der).unwrap();
    let dcc = case["PREFIX"].as_str().unwrap();
    let hcx_code = s.codes(1).remove(0);
    let lines = [hcx_code.as_str(), dcc, "", hcx_code.as_str(), dcc];
    let extra = ["--trust".as_ref(), cert.as_os_str()];
    let (status, out, stderr) = s.verify_batch(&lines.join("\n"), &extra);
    assert_eq!(status, 1, "{stderr}");
    let formats: Vec<&str> = out
        .iter()
        .map(|v| v["format"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(formats, ["hcx", "eu-dcc", "-", "hcx", "eu-dcc"]);
    for (line, b) in lines.iter().zip(&out) {
        assert_eq!(&s.verify_one(line, &extra).1, b);
    }
}
