//! Integration tests of the `hcx` command line: every command, every error code, every exit status.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ciborium::value::{Integer, Value};
use predicates::prelude::*;
use serde_json::Value as Json;

#[path = "common/skip.rs"]
mod skip;

const REFERENCE: &str = hcx_vectors::REFERENCE_CLAIMS_JSON;
const T0: &str = "2026-11-21T08:00:00Z";
const T0_UNIX: i64 = 1_795_248_000;

fn hcx() -> Command {
    Command::cargo_bin("hcx").unwrap()
}

/// A directory with a root, two issuers registered in a signed trust list, and their keys.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        for name in ["root", "dingtalk", "wechat"] {
            hcx()
                .args(["keygen", "-o"])
                .arg(w.p(&format!("{name}.pem")))
                .assert()
                .success();
            let out = hcx()
                .arg("pubkey")
                .arg(w.p(&format!("{name}.pem")))
                .output()
                .unwrap();
            std::fs::write(w.p(&format!("{name}.pub.pem")), out.stdout).unwrap();
        }
        w.add(
            "dingtalk",
            &[
                "--name",
                "DingTalk",
                "--name-zh",
                "钉钉",
                "--regions",
                "CN-33",
            ],
        );
        w.add(
            "wechat",
            &[
                "--name",
                "WeChat",
                "--statuses",
                "green,yellow",
                "--evidence",
                "test",
            ],
        );
        w.sign(&["--at", T0]);
        w
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn add(&self, issuer: &str, extra: &[&str]) {
        hcx()
            .args(["trust", "add"])
            .arg(self.p("trust.json"))
            .args(["--issuer", issuer, "--key"])
            .arg(self.p(&format!("{issuer}.pub.pem")))
            .args(extra)
            .assert()
            .success();
    }

    fn sign(&self, extra: &[&str]) {
        hcx()
            .args(["trust", "sign"])
            .arg(self.p("trust.json"))
            .arg("--key")
            .arg(self.p("root.pem"))
            .args(extra)
            .assert()
            .success()
            .stdout(predicate::str::contains("signed"));
    }

    fn claims(&self, json: &str) -> PathBuf {
        let p = self.p("claims.json");
        std::fs::write(&p, json).unwrap();
        p
    }

    fn issue(&self, issuer: &str, claims: &str, extra: &[&str]) -> String {
        let claims = self.claims(claims);
        let out = hcx()
            .arg("issue")
            .arg("--key")
            .arg(self.p(&format!("{issuer}.pem")))
            .args(["--issuer", issuer, "--claims"])
            .arg(claims)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn verify_cmd(&self) -> Command {
        let mut c = hcx();
        c.arg("verify")
            .arg("--trust")
            .arg(self.p("trust.json"))
            .arg("--root")
            .arg(self.p("root.pub.pem"));
        c
    }

    /// `verify --json` at `at`; returns (exit status, JSON).
    fn verify_json(&self, code: &str, at: &str, extra: &[&str]) -> (i32, Json) {
        let out = self
            .verify_cmd()
            .args(["--json", "--at", at])
            .args(extra)
            .arg(code)
            .output()
            .unwrap();
        let json: Json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap(), json)
    }

    fn error_code(&self, code: &str, at: &str) -> (i32, String) {
        let (status, json) = self.verify_json(code, at, &[]);
        assert_eq!(json["valid"], false, "{json}");
        (status, json["error"]["code"].as_str().unwrap().to_owned())
    }
}

fn reference(w: &World) -> String {
    w.issue("dingtalk", REFERENCE, &["--at", T0, "--valid-for", "24h"])
}

fn cose_of(code: &str) -> Vec<u8> {
    base45::decode(code.strip_prefix("HCX1:").unwrap()).unwrap()
}

fn text_of(cose: &[u8]) -> String {
    format!("HCX1:{}", base45::encode(cose))
}

/// Re-signs a code's COSE after `edit` changes its protected header and payload values.
fn forge(
    w: &World,
    code: &str,
    signer: &str,
    edit: impl FnOnce(&mut Vec<(Value, Value)>, &mut Vec<(Value, Value)>),
) -> String {
    let Value::Tag(18, inner) = ciborium::de::from_reader::<Value, _>(&cose_of(code)[..]).unwrap()
    else {
        panic!()
    };
    let Value::Array(items) = *inner else {
        panic!()
    };
    let Value::Bytes(protected) = &items[0] else {
        panic!()
    };
    let Value::Bytes(payload) = &items[2] else {
        panic!()
    };
    let Value::Map(mut header) = ciborium::de::from_reader::<Value, _>(&protected[..]).unwrap()
    else {
        panic!()
    };
    let Value::Map(mut claims) = ciborium::de::from_reader::<Value, _>(&payload[..]).unwrap()
    else {
        panic!()
    };
    edit(&mut header, &mut claims);
    let enc = |v: &Value| {
        let mut out = Vec::new();
        ciborium::ser::into_writer(v, &mut out).unwrap();
        out
    };
    let protected = enc(&Value::Map(header));
    let payload = enc(&Value::Map(claims));
    let tbs = enc(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.clone()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.clone()),
    ]));
    let key = hcx_format::PrivateKey::from_pem(
        &std::fs::read_to_string(w.p(&format!("{signer}.pem"))).unwrap(),
    )
    .unwrap();
    let sig = sign_with(&key, &tbs);
    text_of(&enc(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(vec![]),
            Value::Bytes(payload),
            Value::Bytes(sig),
        ])),
    )))
}

/// Signs arbitrary bytes with a key file's key (the library signs only well-formed codes).
fn sign_with(key: &hcx_format::PrivateKey, msg: &[u8]) -> Vec<u8> {
    use ed25519_dalek::Signer;
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    let sk = ed25519_dalek::SigningKey::from_pkcs8_pem(&key.to_pem().unwrap()).unwrap();
    sk.sign(msg).to_bytes().to_vec()
}

fn int(n: i64) -> Value {
    Value::Integer(Integer::from(n))
}

fn set(map: &mut Vec<(Value, Value)>, key: i64, value: Value) {
    map.retain(|(k, _)| k != &int(key));
    map.push((int(key), value));
    map.sort_by_key(|(k, _)| {
        let mut out = Vec::new();
        ciborium::ser::into_writer(k, &mut out).unwrap();
        out
    });
}

#[test]
fn reference_code_verifies_and_round_trips_claims() {
    let w = World::new();
    let code = reference(&w);
    let (status, json) = w.verify_json(&code, "2026-11-21T09:00:00Z", &[]);
    assert_eq!(status, 0, "{json}");
    assert_eq!(json["valid"], true);
    assert_eq!(json["format"], "hcx");
    assert_eq!(json["issuer"]["id"], "dingtalk");
    assert_eq!(json["issuer"]["name"], "DingTalk");
    assert_eq!(json["issued_at"], T0);
    assert_eq!(json["expires_at"], "2026-11-22T08:00:00Z");
    assert_eq!(json["key_id"].as_str().unwrap().len(), 16);
    let given: Json = serde_json::from_str(REFERENCE).unwrap();
    assert_eq!(json["claims"], given);
}

#[test]
fn human_verdict_and_decode() {
    let w = World::new();
    let code = reference(&w);
    w.verify_cmd()
        .args(["--at", "2026-11-21T09:00:00Z"])
        .arg(&code)
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("✔ VALID")
                .and(predicate::str::contains("GREEN"))
                .and(predicate::str::contains("DingTalk")),
        );
    hcx()
        .arg("decode")
        .arg(&code)
        .assert()
        .success()
        .stdout(predicate::str::contains("UNVERIFIED").and(predicate::str::contains("张三")));
    hcx()
        .arg("decode")
        .arg("HCX1:???")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[malformed]"));
}

#[test]
fn stdin_input_for_code_and_claims() {
    let w = World::new();
    let out = hcx()
        .arg("issue")
        .arg("--key")
        .arg(w.p("dingtalk.pem"))
        .args(["--issuer", "dingtalk", "--claims", "-", "--at", T0])
        .write_stdin(REFERENCE)
        .output()
        .unwrap();
    assert!(out.status.success());
    let code = String::from_utf8(out.stdout).unwrap();
    w.verify_cmd()
        .args(["--json", "--at", T0, "-"])
        .write_stdin(code.clone())
        .assert()
        .code(0);
    hcx()
        .args(["decode", "-"])
        .write_stdin(code)
        .assert()
        .success();
}

#[test]
fn short_lived_dynamic_codes_and_skew() {
    let w = World::new();
    let code = w.issue("dingtalk", REFERENCE, &["--at", T0, "--valid-for", "5m"]);
    assert_eq!(w.verify_json(&code, "2026-11-21T08:04:59Z", &[]).0, 0);
    // Expiry is exp + skew (default 5m): valid at 08:09:59, expired at 08:10:00.
    assert_eq!(w.verify_json(&code, "2026-11-21T08:09:59Z", &[]).0, 0);
    assert_eq!(
        w.error_code(&code, "2026-11-21T08:10:00Z"),
        (1, "expired".into())
    );
    let (status, json) = w.verify_json(&code, "2026-11-21T08:05:00Z", &["--skew", "0s"]);
    assert_eq!(
        (status, json["error"]["code"].as_str().unwrap()),
        (1, "expired")
    );
    // Issued in the future beyond the skew: not yet valid.
    assert_eq!(
        w.error_code(&code, "2026-11-21T07:54:59Z"),
        (1, "not_yet_valid".into())
    );
    assert_eq!(w.verify_json(&code, "2026-11-21T07:55:00Z", &[]).0, 0);
}

#[test]
fn every_code_error_has_its_code_and_exit_status_1() {
    let w = World::new();
    let code = reference(&w);
    let at = "2026-11-21T09:00:00Z";

    // malformed: truncation, bad prefix, bad base45.
    assert_eq!(
        w.error_code(&code[..code.len() - 3], at),
        (1, "malformed".into())
    );
    assert_eq!(
        w.error_code(&code.replace("HCX1:", "HCX2:"), at),
        (1, "malformed".into())
    );
    assert_eq!(w.error_code("HCX1:abc", at), (1, "malformed".into()));

    // unsupported_algorithm: ES256 in the protected header.
    let es256 = forge(&w, &code, "dingtalk", |h, _| set(h, 1, int(-7)));
    assert_eq!(
        w.error_code(&es256, at),
        (1, "unsupported_algorithm".into())
    );

    // unknown_key: signed by a key the regulator never registered.
    hcx()
        .args(["keygen", "-o"])
        .arg(w.p("rogue.pem"))
        .assert()
        .success();
    let rogue = w.issue("rogue", REFERENCE, &["--at", T0]);
    assert_eq!(w.error_code(&rogue, at), (1, "unknown_key".into()));

    // bad_signature: payload changed after signing.
    let mut cose = cose_of(&code);
    let pos = cose.windows(4).position(|x| x == b"1990").unwrap();
    cose[pos + 2] = b'8';
    assert_eq!(
        w.error_code(&text_of(&cose), at),
        (1, "bad_signature".into())
    );

    // issuer_mismatch: DingTalk's key signs a code claiming to be from WeChat.
    let claims_wechat = forge(&w, &code, "dingtalk", |_, c| {
        set(c, 1, Value::Text("wechat".into()))
    });
    assert_eq!(
        w.error_code(&claims_wechat, at),
        (1, "issuer_mismatch".into())
    );

    // out_of_scope: DingTalk may only issue for CN-33; WeChat may not issue red.
    let other_region = w.issue(
        "dingtalk",
        &REFERENCE.replace("CN-33", "CN-11"),
        &["--at", T0],
    );
    assert_eq!(w.error_code(&other_region, at), (1, "out_of_scope".into()));
    let red = w.issue("wechat", &REFERENCE.replace("green", "red"), &["--at", T0]);
    assert_eq!(w.error_code(&red, at), (1, "out_of_scope".into()));

    // key_not_valid: the key is marked compromised, or the code predates its window.
    let kid = w.verify_json(&code, at, &[]).1["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    hcx()
        .args(["trust", "set-key"])
        .arg(w.p("trust.json"))
        .args(["--kid", &kid, "--status", "compromised"])
        .assert()
        .success();
    w.sign(&["--at", T0]);
    assert_eq!(w.error_code(&code, at), (1, "key_not_valid".into()));
}

#[test]
fn key_window_is_checked_against_iat() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("trust.json");
    hcx()
        .args(["trust", "add"])
        .arg(&trust)
        .args([
            "--issuer",
            "dingtalk",
            "--name",
            "DingTalk",
            "--not-before",
            "2026-11-21T12:00:00Z",
            "--key",
        ])
        .arg(w.p("dingtalk.pub.pem"))
        .assert()
        .success();
    hcx()
        .args(["trust", "sign"])
        .arg(&trust)
        .arg("--key")
        .arg(w.p("root.pem"))
        .args(["--at", T0])
        .assert()
        .success();
    let code = reference(&w);
    let out = hcx()
        .arg("verify")
        .arg("--trust")
        .arg(&trust)
        .arg("--root")
        .arg(w.p("root.pub.pem"))
        .args(["--json", "--at", "2026-11-21T09:00:00Z", &code])
        .output()
        .unwrap();
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["code"], "key_not_valid", "{json}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn trust_list_problems_exit_2() {
    let w = World::new();
    let code = reference(&w);
    // Expired: the list was signed at T0 for 30 days.
    let (status, json) = w.verify_json(&code, "2026-12-22T00:00:00Z", &[]);
    assert_eq!(
        (status, json["error"]["code"].as_str().unwrap()),
        (2, "trust_list_expired")
    );
    // Invalid: one byte of the payload changed.
    let mut env: Json =
        serde_json::from_str(&std::fs::read_to_string(w.p("trust.json")).unwrap()).unwrap();
    let payload = env["payload"].as_str().unwrap().to_owned();
    let flipped = if payload.ends_with('A') { "B" } else { "A" };
    env["payload"] = Json::String(format!("{}{flipped}", &payload[..payload.len() - 1]));
    std::fs::write(w.p("trust.json"), env.to_string()).unwrap();
    let (status, json) = w.verify_json(&code, "2026-11-21T09:00:00Z", &[]);
    assert_eq!(
        (status, json["error"]["code"].as_str().unwrap()),
        (2, "trust_list_invalid")
    );
    // Signed by another root.
    let w2 = World::new();
    let out = w2
        .verify_cmd()
        .arg("--root")
        .arg(w.p("wechat.pub.pem"))
        .args(["--json", "--at", T0, &code])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "w2's list is fine; the code is from w's key"
    );
    let out = hcx()
        .arg("verify")
        .arg("--trust")
        .arg(w2.p("trust.json"))
        .arg("--root")
        .arg(w.p("root.pub.pem"))
        .args(["--json", "--at", T0, &code])
        .output()
        .unwrap();
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (out.status.code(), json["error"]["code"].as_str()),
        (Some(2), Some("trust_list_untrusted"))
    );
}

#[test]
fn rollback_is_refused_with_min_sequence() {
    let w = World::new();
    let code = reference(&w);
    assert_eq!(
        w.verify_json(&code, "2026-11-21T09:00:00Z", &["--min-sequence", "1"])
            .0,
        0
    );
    let (status, json) = w.verify_json(&code, "2026-11-21T09:00:00Z", &["--min-sequence", "2"]);
    assert_eq!(
        (status, json["error"]["code"].as_str().unwrap()),
        (2, "trust_list_rollback")
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let w = World::new();
    w.verify_cmd()
        .arg("--trust")
        .arg(w.p("missing.json"))
        .arg("HCX1:X")
        .assert()
        .code(2);
    hcx()
        .args(["verify", "--trust", "x.json", "HCX1:X"])
        .assert()
        .code(2); // --root missing
    hcx()
        .arg("issue")
        .arg("--key")
        .arg(w.p("nope.pem"))
        .args(["--issuer", "a", "--claims", "-"])
        .assert()
        .code(2);
    let bad_claims = w.claims(r#"{"status":"green","subject":{"name":"A"},"extra":1}"#);
    hcx()
        .arg("issue")
        .arg("--key")
        .arg(w.p("dingtalk.pem"))
        .args(["--issuer", "dingtalk", "--claims"])
        .arg(bad_claims)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid_claims")
                .and(predicate::str::contains("unknown field")),
        );
    hcx().args(["issue", "--valid-for", "5x"]).assert().code(2);
}

#[test]
fn keygen_refuses_to_overwrite_and_uses_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let out = hcx().args(["keygen", "-o"]).arg(&key).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().len(), 16);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let before = std::fs::read(&key).unwrap();
    hcx()
        .args(["keygen", "-o"])
        .arg(&key)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(&key).unwrap(), before);
    hcx()
        .args(["keygen", "--force", "-o"])
        .arg(&key)
        .assert()
        .success();
    assert_ne!(std::fs::read(&key).unwrap(), before);
}

fn openssl_key(path: &Path) -> bool {
    std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn openssl_made_keys_work_everywhere() {
    let w = World::new();
    let key = w.p("openssl.pem");
    if !openssl_key(&key) {
        skip::skip_or_fail(
            "openssl_made_keys_work_everywhere",
            "openssl not found on PATH (it makes the key under test)",
        );
        return;
    }
    // Root and issuer keys both made by OpenSSL; hcx derives the public key OpenSSL does.
    let out = hcx().arg("pubkey").arg(&key).output().unwrap();
    assert!(out.status.success());
    std::fs::write(w.p("openssl.pub.pem"), &out.stdout).unwrap();
    let o = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(out.stdout).unwrap()
    );
    w.add("openssl", &["--name", "OpenSSL"]);
    hcx()
        .args(["trust", "sign"])
        .arg(w.p("trust.json"))
        .arg("--key")
        .arg(&key)
        .args(["--at", T0])
        .assert()
        .success();
    let code = w.issue("openssl", REFERENCE, &["--at", T0]);
    let out = hcx()
        .arg("verify")
        .arg("--trust")
        .arg(w.p("trust.json"))
        .arg("--root")
        .arg(w.p("openssl.pub.pem"))
        .args(["--json", "--at", T0, &code])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn trust_show_summarises_and_checks() {
    let w = World::new();
    hcx()
        .args(["trust", "show"])
        .arg(w.p("trust.json"))
        .arg("--root")
        .arg(w.p("root.pub.pem"))
        .args(["--at", T0])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("sequence 1")
                .and(predicate::str::contains("钉钉"))
                .and(predicate::str::contains("signature: valid"))
                .and(predicate::str::contains(" active ("))
                .and(predicate::str::contains("Active").not()),
        );
    hcx()
        .args(["trust", "show"])
        .arg(w.p("trust.json"))
        .arg("--root")
        .arg(w.p("wechat.pub.pem"))
        .args(["--at", T0])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("trust_list_untrusted"));
    // An edit leaves the list unsigned until `trust sign`, which bumps the sequence.
    hcx()
        .args(["keygen", "-o"])
        .arg(w.p("alipay.pem"))
        .assert()
        .success();
    std::fs::copy(w.p("alipay.pem"), w.p("alipay.pub.pem")).unwrap();
    w.add("alipay", &["--name", "Alipay"]);
    hcx()
        .args(["trust", "show"])
        .arg(w.p("trust.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("UNSIGNED"));
    let code = reference(&w);
    let (status, json) = w.verify_json(&code, T0, &[]);
    assert_eq!(
        (status, json["error"]["reason"].as_str().unwrap()),
        (2, "trust_list_unsigned")
    );
    w.sign(&["--at", T0]);
    hcx()
        .args(["trust", "show"])
        .arg(w.p("trust.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("sequence 2"));
    assert_eq!(w.verify_json(&code, T0, &[]).0, 0);
}

#[test]
fn reference_code_fits_qr_version_9_at_ecc_m() {
    let w = World::new();
    let code = reference(&w);
    let qr = hcx_qr::encode(&code, &hcx_qr::EncodeOptions::default()).unwrap();
    eprintln!(
        "reference code: {} characters, QR version {} at ECC M",
        code.len(),
        qr.version()
    );
    assert!(code.len() <= 262, "{} characters", code.len());
    assert!(qr.version() <= 9, "version {}", qr.version());
    assert_eq!(qr.mode(), "alphanumeric");
    let _ = T0_UNIX;
}

#[test]
fn demo_runs_and_leaves_repeatable_files() {
    let dir = tempfile::tempdir().unwrap();
    hcx()
        .args(["demo", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("✔ VALID")
                .and(predicate::str::contains("✘ REJECTED  bad_signature"))
                .and(predicate::str::contains(
                    "✔ VALID  RED  张三  (printed green; DingTalk's status list #2 says now_red)",
                )),
        );
    for f in [
        "root.pem",
        "root.pub.pem",
        "dingtalk.pem",
        "wechat.pem",
        "trust.json",
        "claims.json",
        "code.txt",
        "code.png",
        "tampered.txt",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
    // The files work with the commands the demo prints.
    let code = std::fs::read_to_string(dir.path().join("code.txt")).unwrap();
    hcx()
        .arg("verify")
        .arg("--trust")
        .arg(dir.path().join("trust.json"))
        .arg("--root")
        .arg(dir.path().join("root.pub.pem"))
        .arg(code.trim())
        .assert()
        .success();
    hcx()
        .arg("verify")
        .arg("--trust")
        .arg(dir.path().join("trust.json"))
        .arg("--root")
        .arg(dir.path().join("root.pub.pem"))
        .arg("--qr")
        .arg(dir.path().join("code.png"))
        .assert()
        .success();
    // Step 7's command: the same printed card, now red by DingTalk's status lists. The lists
    // are dated a minute or two after issuing, so this verifies a little later.
    let later = hcx_format::timefmt::format_rfc3339(
        hcx_format::timefmt::unix_seconds(std::time::SystemTime::now()) + 300,
    );
    hcx()
        .arg("verify")
        .arg("--trust")
        .arg(dir.path().join("trust.json"))
        .arg("--root")
        .arg(dir.path().join("root.pub.pem"))
        .arg("--status")
        .arg(dir.path().join("status").join("dingtalk"))
        .args(["--json", "--at", &later])
        .arg(code.trim())
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""outcome":"now_red""#));
}

/// A reader that goes away (`hcx … | head`) ends the run with status 2, never a panic.
#[test]
fn closed_standard_output_is_not_a_panic() {
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("hcx");
    let mut child = std::process::Command::new(bin)
        .args(["qr", "encode", &"HCX1:".repeat(100), "--terminal"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before hcx writes its first line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}

/// `qr decode` prints each text; with `--json`, the symbol's version, level and segments too.
#[test]
fn qr_decode_reports_texts_and_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("code.png");
    let text = format!("HCX1:{}", "6BF".repeat(30));
    let encoded = hcx()
        .args(["qr", "encode", &text, "--ecc", "Q", "--json", "-o"])
        .arg(&png)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let encoded: Json = serde_json::from_slice(&encoded).unwrap();
    let plain = hcx().args(["qr", "decode"]).arg(&png).assert().success();
    assert_eq!(
        String::from_utf8_lossy(&plain.get_output().stdout),
        format!("{text}\n")
    );
    let out = hcx()
        .args(["qr", "decode", "--json"])
        .arg(&png)
        .assert()
        .success();
    let v: Json = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["text"], text.as_str());
    assert_eq!(v["format"], "qr");
    assert_eq!(v["ecc"], "Q");
    assert_eq!(v["version"], encoded["version"]);
    assert_eq!(
        v["segments"],
        serde_json::json!([{"mode": "alphanumeric", "count": text.len()}])
    );
}

/// The terminal QR (`qr encode --terminal`, `issue --show`, the demo) is drawn in ANSI colours
/// only on a terminal with `NO_COLOR` unset; pipes and files get plain half blocks.
#[test]
fn terminal_qr_is_coloured_only_on_a_terminal() {
    let w = World::new();
    let text = "HCX1:6BFOXN";
    let out = hcx()
        .args(["qr", "encode", text, "--terminal"])
        .output()
        .unwrap();
    let plain = String::from_utf8(out.stdout).unwrap();
    assert!(plain.contains('█') && !plain.contains('\x1b'), "{plain}");
    let claims = w.claims(REFERENCE);
    let out = hcx()
        .arg("issue")
        .arg("--key")
        .arg(w.p("dingtalk.pem"))
        .args(["--issuer", "dingtalk", "--show", "--at", T0, "--claims"])
        .arg(&claims)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains('█') && !stderr.contains('\x1b'), "{stderr}");
    let demo = hcx()
        .args(["demo", "--dir"])
        .arg(w.p("demo"))
        .output()
        .unwrap();
    let demo = String::from_utf8(demo.stdout).unwrap();
    assert!(demo.contains('█') && !demo.contains('\x1b'), "{demo}");
    // On a terminal: script(1) (util-linux, essential on Debian) runs hcx on a pseudo-terminal.
    let bin = assert_cmd::cargo::cargo_bin("hcx");
    let on_tty = |args: &str, no_color: bool| -> Option<String> {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"]);
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        let out = c.output().ok().filter(|o| o.status.success())?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let qr = format!("qr encode {text} --terminal");
    let Some(coloured) = on_tty(&qr, false) else {
        skip::skip_or_fail(
            "terminal_qr_is_coloured_only_on_a_terminal (terminal half)",
            "script(1) could not run hcx on a pseudo-terminal",
        );
        return;
    };
    assert!(coloured.contains("\x1b[38;5;16;48;5;231m"), "{coloured}");
    let show = format!(
        "issue --key {} --issuer dingtalk --show --at {T0} --claims {}",
        w.p("dingtalk.pem").display(),
        claims.display()
    );
    assert!(on_tty(&show, false).unwrap().contains('\x1b'));
    for args in [&qr, &show] {
        let no_color = on_tty(args, true).unwrap();
        assert!(
            no_color.contains('█') && !no_color.contains('\x1b'),
            "{no_color}"
        );
    }
}

/// Error messages are written for people: no Rust type or variant names (`DecodeError`,
/// `Syntax(3)`, `Io(Error { kind: … })`), whatever layer fails.
#[test]
fn error_messages_show_no_rust_debug_names() {
    let w = World::new();
    for (text, want) in [
        ("HCX1:AB!CD", "a character outside the base45 alphabet"),
        ("HCX1:ABCD", "a length of 3n+1 characters"),
        ("HCX1:GGW", "a group of three above 65535"),
        // zlib of the CBOR bytes 0x9f (an unterminated indefinite array) and 0x1c (reserved).
        (
            &*format!(
                "HC1:{}",
                base45::encode([0x78, 0x9c, 0x9b, 0x0f, 0x00, 0x00, 0xa0, 0x00, 0xa0])
            ),
            "unexpected end of input",
        ),
        (
            &*format!(
                "HC1:{}",
                base45::encode([0x78, 0x9c, 0x93, 0x01, 0x00, 0x00, 0x1d, 0x00, 0x1d])
            ),
            "syntax error at byte 0",
        ),
    ] {
        let (status, json) = w.verify_json(text, T0, &[]);
        assert_eq!(status, 1, "{text}: {json}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(message.contains(want), "{text}: {message}");
        for debug in ["Error", "Syntax(", "Io(", "Semantic(", "{ kind"] {
            assert!(!message.contains(debug), "{text}: {message}");
        }
    }
}
