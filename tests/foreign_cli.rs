//! `hcx verify` and `hcx decode` on other ecosystems' own test data: one command, one verdict.
//! Reads `../shared/peers`; when it is absent the tests skip loudly, or fail when `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use assert_cmd::Command;
use base64::Engine;
use serde_json::Value as Json;

fn verify_json(args: &[&std::ffi::OsStr]) -> (i32, Json) {
    let out = Command::cargo_bin("hcx")
        .unwrap()
        .arg("verify")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

#[test]
fn eu_dcc_verifies_with_its_signer_certificate() {
    let Some(peers) = common::peers("the foreign-format CLI tests") else {
        return;
    };
    let case: Json = serde_json::from_str(
        &std::fs::read_to_string(peers.join("dcc/AT/2DCode/raw/1.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("dsc.der");
    let der = base64::engine::general_purpose::STANDARD
        .decode(case["TESTCTX"]["CERTIFICATE"].as_str().unwrap())
        .unwrap();
    std::fs::write(&cert, der).unwrap();
    let at = case["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap();
    let text = case["PREFIX"].as_str().unwrap();
    let (status, v) = verify_json(&[
        "--trust".as_ref(),
        cert.as_os_str(),
        "--at".as_ref(),
        at.as_ref(),
        text.as_ref(),
    ]);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["format"], "eu-dcc");
    assert!(
        v["summary"]["name"].as_str().is_some_and(|n| !n.is_empty()),
        "{v}"
    );
    assert!(
        !v["summary"]["evidence"].as_array().unwrap().is_empty(),
        "{v}"
    );
    // The same text, one character changed in the signature area: rejected, exit 1.
    let mut tampered = text.to_owned();
    tampered.pop();
    tampered.push(if text.ends_with('0') { '1' } else { '0' });
    let (status, v) = verify_json(&[
        "--trust".as_ref(),
        cert.as_os_str(),
        "--at".as_ref(),
        at.as_ref(),
        tampered.as_str().as_ref(),
    ]);
    assert_eq!(status, 1, "{v}");
    assert_eq!(v["valid"], false);
    // Trusting only another country's signer: unknown key.
    let other: Json = serde_json::from_str(
        &std::fs::read_to_string(peers.join("dcc/CH/2DCode/raw/1.json")).unwrap(),
    )
    .unwrap();
    let other_cert = dir.path().join("other.der");
    std::fs::write(
        &other_cert,
        base64::engine::general_purpose::STANDARD
            .decode(other["TESTCTX"]["CERTIFICATE"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let (status, v) = verify_json(&[
        "--trust".as_ref(),
        other_cert.as_os_str(),
        "--at".as_ref(),
        at.as_ref(),
        text.as_ref(),
    ]);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (1, Some("unknown_key")),
        "{v}"
    );
    // An empty trust file is refused before any judging: exit 2.
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let (status, _) = verify_json(&["--trust".as_ref(), empty.as_os_str(), text.as_ref()]);
    assert_eq!(status, 2);
}

#[test]
fn smart_health_cards_verify_whole_and_from_chunks() {
    let Some(peers) = common::peers("the foreign-format CLI tests") else {
        return;
    };
    let ex = peers.join("shc/spec-examples");
    let jwks = ex.join("issuer/.well-known/jwks.json");
    let qr0 = std::fs::read_to_string(ex.join("example-00-f-qr-code-numeric-value-0.txt")).unwrap();
    let at = "2023-06-23T00:00:00Z";
    let (status, v) = verify_json(&[
        "--trust".as_ref(),
        jwks.as_os_str(),
        "--at".as_ref(),
        at.as_ref(),
        qr0.trim().as_ref(),
    ]);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["format"], "shc");
    assert!(
        v["summary"]["evidence"].as_array().unwrap().len() >= 2,
        "{v}"
    );
    let chunks: Vec<String> = (0..3)
        .map(|i| {
            std::fs::read_to_string(ex.join(format!("example-02-f-qr-code-numeric-value-{i}.txt")))
                .unwrap()
                .trim()
                .to_owned()
        })
        .collect();
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--trust".as_ref(),
        jwks.as_os_str(),
        "--at".as_ref(),
        at.as_ref(),
    ];
    // Any order: the chunks say where they go.
    args.extend(
        [chunks[2].as_str(), chunks[0].as_str(), chunks[1].as_str()].map(std::ffi::OsStr::new),
    );
    let (status, v) = verify_json(&args);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["format"], "shc");
}

/// `--qr` judges the symbol of an SHC as the SHC validator does: version 22 at most, a byte
/// segment then a numeric one (its `bad_qr_version` and `single_qr_segment` images).
#[test]
fn smart_health_card_qr_symbols_are_checked() {
    let Some(peers) = common::peers("the foreign-format CLI tests") else {
        return;
    };
    let jwks = peers.join("shc/spec-examples/issuer/.well-known/jwks.json");
    let dev = peers.join("shc/dev-tools-testdata");
    // The validator's own clock for its test data.
    let at = "2022-05-31T00:00:00Z";
    for (image, want) in [
        ("test-example-00-g-qr-code-inflated-to-v22.png", None),
        (
            "test-example-00-g-qr-code-0-bad_qr_version.png",
            Some("bad_qr_version"),
        ),
        (
            "test-example-00-g-qr-code-0-single_qr_segment.png",
            Some("bad_qr_segments"),
        ),
    ] {
        let path = dev.join(image);
        let (status, v) = verify_json(&[
            "--trust".as_ref(),
            jwks.as_os_str(),
            "--at".as_ref(),
            at.as_ref(),
            "--qr".as_ref(),
            path.as_os_str(),
        ]);
        match want {
            None => assert_eq!(
                (status, &v["valid"]),
                (0, &Json::Bool(true)),
                "{image}: {v}"
            ),
            Some(reason) => {
                assert_eq!(status, 1, "{image}: {v}");
                assert_eq!(v["error"]["code"], "malformed", "{image}: {v}");
                assert_eq!(v["error"]["reason"], reason, "{image}: {v}");
            }
        }
        // `decode` reads the same symbol and refuses the same images.
        let out = Command::cargo_bin("hcx")
            .unwrap()
            .args(["decode", "--qr"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match want {
            None => assert_eq!(out.status.code(), Some(0), "{image}: {stderr}"),
            Some(_) => {
                assert_eq!(out.status.code(), Some(1), "{image}: {stderr}");
                assert!(stderr.contains("error[malformed]"), "{image}: {stderr}");
            }
        }
    }
}

#[test]
fn icao_vds_nc_chains_to_its_csca() {
    let Some(peers) = common::peers("the foreign-format CLI tests") else {
        return;
    };
    let base = peers
        .join("vdsnc/kurzdigital-vds-jvm/src/test/resources/vdsnc_sample_proof_of_vaccination_aus");
    let seal = std::fs::read_to_string(&base).unwrap();
    let certs = peers.join("vdsnc/kde-khealthcertificate/src/lib/icao/certs");
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for dir in std::fs::read_dir(&certs).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            args.push("--trust".into());
            args.push(f.unwrap().path().into_os_string());
        }
    }
    args.extend([
        "--at".into(),
        "2022-01-01T00:00:00Z".into(),
        seal.trim().into(),
    ]);
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let (status, v) = verify_json(&refs);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["format"], "icao-vds-nc");
    let out = Command::cargo_bin("hcx")
        .unwrap()
        .arg("decode")
        .arg(seal.trim())
        .output()
        .unwrap();
    assert!(out.status.success());
    let decoded: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (decoded["verified"].as_bool(), decoded["format"].as_str()),
        (Some(false), Some("icao-vds-nc"))
    );
}
