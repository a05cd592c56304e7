//! Every key hcx writes (`hcx keygen`, the fixture keys of `spec/fixtures/keys/`) loads in
//! OpenSSL and in pyca/cryptography, both derive hcx's public key from it, and both sign with
//! it: a trust list re-signed by them verifies in hcx. Public keys also travel as RFC 8037 JWKs.
//!
//! Needs `openssl` (1.1.1 or 3.x) on PATH and a Python 3 where `import cryptography` works:
//! `python3`, or the interpreter named by `HCX_PYTHON` (for example a venv made with
//! `python3 -m venv target/py && target/py/bin/pip install cryptography`). Without them these
//! tests are reported skipped, and fail under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use predicates::prelude::*;
use serde_json::Value;
use skip::skip_or_fail;

const T0: &str = "2026-11-21T08:00:00Z";

fn hcx() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hcx").unwrap()
}

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn keygen(path: &Path) {
    hcx().arg("keygen").arg("-o").arg(path).assert().success();
}

/// `hcx trust add LIST --issuer acme --key KEY`, then `hcx trust sign LIST --key ROOT`.
fn signed_trust_list(list: &Path, issuer_key: &Path, root: &Path) {
    hcx()
        .args(["trust", "add"])
        .arg(list)
        .args(["--issuer", "acme", "--name", "Acme", "--key"])
        .arg(issuer_key)
        .assert()
        .success();
    hcx()
        .args(["trust", "sign"])
        .arg(list)
        .arg("--key")
        .arg(root)
        .args(["--at", T0])
        .assert()
        .success();
}

/// `hcx trust show LIST --root ROOT_PUB --at T0`.
fn trust_show(list: &Path, root_pub: &Path) -> assert_cmd::assert::Assert {
    hcx()
        .args(["trust", "show"])
        .arg(list)
        .arg("--root")
        .arg(root_pub)
        .args(["--at", T0])
        .assert()
}

/// Runs a tool with `input` on standard input; its standard output, or `None` if it failed.
fn run(program: &str, args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        eprintln!(
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(out.stdout)
}

fn openssl_present() -> bool {
    run("openssl", &["version"], b"").is_some()
}

/// The Python that has pyca/cryptography: `$HCX_PYTHON`, else `python3`.
fn python_with_cryptography() -> Option<String> {
    let python = std::env::var("HCX_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(&python, &["-c", "import cryptography"], b"").map(|_| python)
}

/// The private keys hcx wrote: a fresh `hcx keygen` key and every fixture key.
fn keys_hcx_wrote(dir: &Path) -> Vec<PathBuf> {
    let fresh = dir.join("fresh.pem");
    keygen(&fresh);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/fixtures/keys");
    let mut keys: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".pem") && !name.ends_with(".pub.pem")
        })
        .collect();
    keys.sort();
    assert!(keys.len() >= 9, "fixture keys missing: {keys:?}");
    keys.insert(0, fresh);
    keys
}

/// A trust list signed by `hcx trust sign` with `root`, then its payload changed (a new
/// sequence number) and re-signed by `sign` over the JWS signing input; `hcx trust show
/// --root` must accept it, and refuse it once one signature bit is flipped.
fn resigned_trust_list_verifies(dir: &Path, root: &Path, sign: impl Fn(&[u8]) -> Vec<u8>) {
    let list = dir.join("trust.json");
    let _ = std::fs::remove_file(&list);
    let issuer = dir.join("issuer.pem");
    if !issuer.exists() {
        keygen(&issuer);
    }
    signed_trust_list(&list, &issuer, root);
    let mut jws: Value = serde_json::from_slice(&std::fs::read(&list).unwrap()).unwrap();
    let payload = URL_SAFE_NO_PAD
        .decode(jws["payload"].as_str().unwrap())
        .unwrap();
    let mut payload: Value = serde_json::from_slice(&payload).unwrap();
    payload["sequence"] = 4242.into();
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
    let protected = jws["signatures"][0]["protected"]
        .as_str()
        .unwrap()
        .to_owned();
    let signature = sign(format!("{protected}.{payload}").as_bytes());
    assert_eq!(signature.len(), 64, "an Ed25519 signature");
    jws["payload"] = payload.into();
    let root_pub = dir.join("root.pub.pem");
    std::fs::write(&root_pub, stdout(hcx().arg("pubkey").arg(root))).unwrap();
    let mut show = |sig: &[u8]| {
        jws["signatures"][0]["signature"] = URL_SAFE_NO_PAD.encode(sig).into();
        std::fs::write(&list, serde_json::to_vec(&jws).unwrap()).unwrap();
        trust_show(&list, &root_pub)
    };
    show(&signature)
        .success()
        .stdout(predicate::str::contains("sequence 4242"));
    let mut flipped = signature.clone();
    flipped[10] ^= 1;
    show(&flipped).code(2);
}

#[test]
fn openssl_reads_and_signs_with_every_key_hcx_writes() {
    if !openssl_present() {
        skip_or_fail(
            "openssl_reads_and_signs_with_every_key_hcx_writes",
            "openssl not found on PATH",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for key in keys_hcx_wrote(dir.path()) {
        let k = key.to_str().unwrap();
        let from_openssl = run("openssl", &["pkey", "-in", k, "-pubout"], b"")
            .unwrap_or_else(|| panic!("openssl cannot read {k}"));
        assert_eq!(
            String::from_utf8(from_openssl).unwrap(),
            stdout(hcx().arg("pubkey").arg(&key)),
            "{k}"
        );
    }
    let root = dir.path().join("fresh.pem");
    let input = dir.path().join("input.bin");
    resigned_trust_list_verifies(dir.path(), &root, |message| {
        std::fs::write(&input, message).unwrap();
        let args = [
            "pkeyutl",
            "-sign",
            "-rawin",
            "-inkey",
            root.to_str().unwrap(),
            "-in",
            input.to_str().unwrap(),
        ];
        run("openssl", &args, b"").expect("openssl pkeyutl -sign -rawin")
    });
}

#[test]
fn python_cryptography_reads_and_signs_with_every_key_hcx_writes() {
    let Some(python) = python_with_cryptography() else {
        skip_or_fail(
            "python_cryptography_reads_and_signs_with_every_key_hcx_writes",
            "no Python with pyca/cryptography (python3, or $HCX_PYTHON)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    const RAW_PUBLIC: &str = "import sys\n\
        from cryptography.hazmat.primitives import serialization as s\n\
        k = s.load_pem_private_key(open(sys.argv[1], 'rb').read(), None)\n\
        sys.stdout.buffer.write(k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw))";
    for key in keys_hcx_wrote(dir.path()) {
        let k = key.to_str().unwrap();
        let raw = run(&python, &["-c", RAW_PUBLIC, k], b"")
            .unwrap_or_else(|| panic!("cryptography cannot read {k}"));
        let jwk: Value =
            serde_json::from_str(&stdout(hcx().args(["pubkey", "--jwk"]).arg(&key))).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(raw),
            jwk["x"].as_str().unwrap(),
            "{k}"
        );
    }
    const SIGN: &str = "import sys\n\
        from cryptography.hazmat.primitives import serialization as s\n\
        k = s.load_pem_private_key(open(sys.argv[1], 'rb').read(), None)\n\
        sys.stdout.buffer.write(k.sign(sys.stdin.buffer.read()))";
    let root = dir.path().join("fresh.pem");
    resigned_trust_list_verifies(dir.path(), &root, |message| {
        run(&python, &["-c", SIGN, root.to_str().unwrap()], message).expect("cryptography sign")
    });
}

/// `pubkey --jwk` writes RFC 8037's form, and a JWK is taken wherever a public key is:
/// `trust add --key`, `trust show --root`, `verify --root`, `pubkey`.
#[test]
fn public_keys_travel_as_jwk() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    keygen(&p("root.pem"));
    keygen(&p("issuer.pem"));
    for name in ["root", "issuer"] {
        let jwk = stdout(
            hcx()
                .args(["pubkey", "--jwk"])
                .arg(p(&format!("{name}.pem"))),
        );
        let v: Value = serde_json::from_str(&jwk).unwrap();
        assert_eq!(
            (v["kty"].as_str(), v["crv"].as_str()),
            (Some("OKP"), Some("Ed25519"))
        );
        assert_eq!(v.as_object().unwrap().len(), 3, "{jwk}");
        std::fs::write(p(&format!("{name}.jwk")), &jwk).unwrap();
        // The JWK names the same key as the PEM.
        assert_eq!(
            stdout(hcx().arg("pubkey").arg(p(&format!("{name}.jwk")))),
            stdout(hcx().arg("pubkey").arg(p(&format!("{name}.pem"))))
        );
    }
    signed_trust_list(&p("trust.json"), &p("issuer.jwk"), &p("root.pem"));
    trust_show(&p("trust.json"), &p("root.jwk")).success();
    std::fs::write(
        p("claims.json"),
        r#"{"status":"green","subject":{"name":"A"}}"#,
    )
    .unwrap();
    let code = stdout(
        hcx()
            .arg("issue")
            .arg("--key")
            .arg(p("issuer.pem"))
            .args(["--issuer", "acme", "--claims"])
            .arg(p("claims.json"))
            .args(["--at", T0]),
    );
    hcx()
        .arg("verify")
        .arg("--trust")
        .arg(p("trust.json"))
        .arg("--root")
        .arg(p("root.jwk"))
        .args(["--at", T0, code.trim()])
        .assert()
        .success();
    // The issuer's key is not the root: a JWK is checked, not just parsed.
    trust_show(&p("trust.json"), &p("issuer.jwk")).code(2);
    std::fs::write(
        p("bad.jwk"),
        r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
    )
    .unwrap();
    hcx()
        .args(["pubkey"])
        .arg(p("bad.jwk"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("error[invalid_key]")
                .and(predicate::str::contains("`kty` is `EC`, not `OKP`")),
        );
}
