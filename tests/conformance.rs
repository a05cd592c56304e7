//! The conformance run: every case in `spec/fixtures/cases/` through the library and through
//! the `hcx` binary, each asserting the exact outcome. Adding a case needs no code here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};

use hcx_verify::{
    Claims, Clock, Missing, PublicKey, Stale, StatusPolicy, TrustListPolicy, TrustStore, Verdict,
    Verifier,
};
use serde_json::{Value as Json, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/fixtures")
}

fn cases() -> Vec<(String, Json)> {
    let mut out: Vec<(String, Json)> = std::fs::read_dir(fixtures().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let json: Json = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_stem().unwrap().to_string_lossy().into_owned(), json)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 60, "only {} fixtures", out.len());
    out
}

fn unix(t: &Json) -> i64 {
    hcx_format::timefmt::parse_rfc3339(t.as_str().unwrap()).unwrap()
}

/// The outcome in the fixtures' own vocabulary, read from the facade's typed verdict.
fn outcome_of(verdict: Verdict) -> Json {
    let rfc3339 = hcx_verify::timefmt::format_rfc3339;
    match verdict {
        Verdict::Valid(v) => {
            let Claims::Hcx(claims) = &v.claims else {
                panic!("a fixture verified as {}", v.format.as_str())
            };
            let mut j = json!({
                "valid": true,
                "issuer": v.issuer.id,
                "key_id": v.key_id,
                "issued_at": v.issued_at.map(rfc3339),
                "expires_at": v.expires_at.map(rfc3339),
                "claims": serde_json::to_value(claims).unwrap(),
            });
            if let Some(nbf) = v.not_before {
                j["not_before"] = json!(rfc3339(nbf));
            }
            if v.status_list.is_some() {
                // Read back from the one serializer: what apps get.
                let json: Json =
                    serde_json::from_str(&Verdict::Valid(v.clone()).to_json()).unwrap();
                j["status_list"] = status_outcome(&json["status_list"]);
            }
            j
        }
        Verdict::Invalid(e) => {
            json!({ "valid": false, "error": e.code().as_str(), "reason": e.reason().as_str() })
        }
    }
}

/// The parts of a verdict's `status_list` the fixtures pin (its age depends on the clock).
fn status_outcome(v: &Json) -> Json {
    let mut out = json!({ "outcome": v["outcome"], "sequence": v["sequence"] });
    for optional in ["not_covered", "stale"] {
        if !v[optional].is_null() {
            out[optional] = v[optional].clone();
        }
    }
    out
}

/// The status policy a case asks for (SPEC §14), or the default.
fn status_policy(case: &Json) -> StatusPolicy {
    let p = &case["status_policy"];
    let mut policy = StatusPolicy::default();
    if let Some(age) = p["max_age_seconds"].as_i64() {
        policy.max_age_secs = age;
    }
    match p["when_missing"].as_str() {
        Some("reject") => policy.when_missing = Missing::Reject,
        Some("accept") | None => {}
        Some(other) => panic!("when_missing {other}"),
    }
    match p["when_stale"].as_str() {
        Some("accept") => policy.when_stale = Stale::Accept,
        Some("reject") | None => {}
        Some(other) => panic!("when_stale {other}"),
    }
    policy
}

/// A case's trust inputs: its trust list, then its status lists.
fn trust_inputs(case: &Json) -> Vec<Vec<u8>> {
    let dir = fixtures();
    let mut inputs = vec![std::fs::read(dir.join(case["trust_list"].as_str().unwrap())).unwrap()];
    for file in case["status_lists"].as_array().into_iter().flatten() {
        inputs.push(std::fs::read(dir.join(file.as_str().unwrap())).unwrap());
    }
    inputs
}

/// One case through the library apps link: the trust list loaded into a `TrustStore` (so its
/// failures are the case's outcome), then the text or the picture verified.
fn run_library(case: &Json) -> Json {
    let dir = fixtures();
    let roots: Vec<PublicKey> = case["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            PublicKey::from_pem(&std::fs::read_to_string(dir.join(r.as_str().unwrap())).unwrap())
                .unwrap()
        })
        .collect();
    let policy = TrustListPolicy {
        roots,
        threshold: case["threshold"].as_u64().unwrap_or(1) as usize,
        min_sequence: case["min_sequence"].as_u64(),
    };
    let at = unix(&case["at"]);
    let clock = Clock::at(at).with_skew(case["skew_seconds"].as_i64().unwrap());
    let verifier = match TrustStore::load(&trust_inputs(case), &policy, at) {
        Ok(mut store) => {
            for (issuer, seq) in case["status_min_sequence"]
                .as_object()
                .into_iter()
                .flatten()
            {
                store.set_status_min_sequence(issuer, seq.as_u64().unwrap());
            }
            Verifier::new(store).with_status_policy(status_policy(case))
        }
        Err(e) => {
            return json!({ "valid": false, "error": e.code().as_str(), "reason": e.reason().as_str() });
        }
    };
    let verdict = match (&case["input"]["text"], &case["input"]["qr_image"]) {
        (Json::String(t), _) => verifier.verify_text(t, clock),
        (_, Json::String(img)) => {
            verifier.verify_image(&std::fs::read(dir.join(img)).unwrap(), clock)
        }
        _ => panic!("case has no input"),
    };
    // The bulk path gives each text exactly the one-code verdict, in order.
    if let Json::String(t) = &case["input"]["text"] {
        let texts = [t.as_str(); 3];
        let many = verifier.verify_many_with(&texts, clock, |v| v.to_json());
        assert_eq!(
            many,
            vec![verdict.to_json(); 3],
            "verify_many_with: {}",
            case["name"]
        );
    }
    outcome_of(verdict)
}

/// Compares an outcome with the expectation: every expected field must match exactly, and a
/// valid outcome must not carry fields the expectation lacks (such as an unexpected nbf).
fn check(name: &str, pass: &str, expected: &Json, got: &Json, failures: &mut Vec<String>) {
    let exp = expected.as_object().unwrap();
    let mut ok = exp.iter().all(|(k, v)| &got[k] == v);
    if expected["valid"] == true {
        ok &= got.as_object().unwrap().keys().all(|k| exp.contains_key(k));
    }
    if !ok {
        failures.push(format!("{pass} {name}: expected {expected}, got {got}"));
    }
}

#[test]
fn every_fixture_through_the_library() {
    let mut failures = Vec::new();
    let cases = cases();
    for (name, case) in &cases {
        assert_eq!(
            case["name"],
            name.as_str(),
            "file name and case name differ"
        );
        check(
            name,
            "library",
            &case["expected"],
            &run_library(case),
            &mut failures,
        );
        // SPEC.md §13: the claims an issuer given `issued_from` writes are `expected.claims`.
        if let Some(input) = case.get("issued_from") {
            let normal = hcx_format::HealthClaims::from_json(&input.to_string())
                .map(|c| serde_json::to_value(c).unwrap());
            if normal.as_ref().ok() != Some(&case["expected"]["claims"]) {
                failures.push(format!("issue {name}: issued_from gives {normal:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!(
        "conformance (library): {} of {} cases pass",
        cases.len(),
        cases.len()
    );
}

#[test]
fn every_fixture_through_the_cli() {
    let dir = fixtures();
    let mut failures = Vec::new();
    let cases = cases();
    for (name, case) in &cases {
        let mut cmd = assert_cmd::Command::cargo_bin("hcx").unwrap();
        cmd.arg("verify")
            .arg("--json")
            .arg("--trust")
            .arg(dir.join(case["trust_list"].as_str().unwrap()));
        for r in case["roots"].as_array().unwrap() {
            cmd.arg("--root").arg(dir.join(r.as_str().unwrap()));
        }
        cmd.args(["--threshold", &case["threshold"].to_string()]);
        if let Some(min) = case["min_sequence"].as_u64() {
            cmd.args(["--min-sequence", &min.to_string()]);
        }
        for file in case["status_lists"].as_array().into_iter().flatten() {
            cmd.arg("--status").arg(dir.join(file.as_str().unwrap()));
        }
        for (issuer, seq) in case["status_min_sequence"]
            .as_object()
            .into_iter()
            .flatten()
        {
            cmd.args(["--status-min-sequence", &format!("{issuer}={seq}")]);
        }
        let p = &case["status_policy"];
        if let Some(age) = p["max_age_seconds"].as_i64() {
            cmd.args(["--status-max-age", &format!("{age}s")]);
        }
        if let Some(m) = p["when_missing"].as_str() {
            cmd.args(["--when-status-missing", m]);
        }
        if let Some(m) = p["when_stale"].as_str() {
            cmd.args(["--when-status-stale", m]);
        }
        cmd.args([
            "--at",
            case["at"].as_str().unwrap(),
            "--skew",
            &format!("{}s", case["skew_seconds"]),
        ]);
        match (&case["input"]["text"], &case["input"]["qr_image"]) {
            (Json::String(t), _) => cmd.arg("-").write_stdin(t.clone()),
            (_, Json::String(img)) => cmd.arg("--qr").arg(dir.join(img)),
            _ => panic!("case has no input"),
        };
        let out = cmd.output().unwrap();
        let v: Json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!("{name}: not JSON: {}", String::from_utf8_lossy(&out.stdout))
        });
        let expected = &case["expected"];
        let status = out.status.code().unwrap();
        let got = if v["valid"] == true {
            let mut g = json!({
                "valid": true,
                "issuer": v["issuer"]["id"],
                "key_id": v["key_id"],
                "issued_at": v["issued_at"],
                "expires_at": v["expires_at"],
                "claims": v["claims"],
            });
            if !v["not_before"].is_null() {
                g["not_before"] = v["not_before"].clone();
            }
            if !v["status_list"].is_null() {
                g["status_list"] = status_outcome(&v["status_list"]);
            }
            g
        } else {
            json!({"valid": false, "error": v["error"]["code"], "reason": v["error"]["reason"]})
        };
        check(name, "cli", expected, &got, &mut failures);
        let want_status = match expected["error"].as_str() {
            None => 0,
            Some(code) => code
                .parse::<hcx_verify::Code>()
                .unwrap()
                .exit_status()
                .into(),
        };
        if status != want_status {
            failures.push(format!(
                "cli {name}: exit status {status}, expected {want_status}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "conformance (cli): {} of {} cases pass",
        cases.len(),
        cases.len()
    );
}

#[test]
fn every_error_code_has_a_fixture() {
    let cases = cases();
    let codes: std::collections::BTreeSet<String> = cases
        .iter()
        .filter_map(|(_, c)| c["expected"]["error"].as_str().map(str::to_owned))
        .collect();
    for code in [
        "malformed",
        "unsupported_algorithm",
        "unknown_key",
        "bad_signature",
        "issuer_mismatch",
        "key_not_valid",
        "expired",
        "not_yet_valid",
        "out_of_scope",
        "trust_list_invalid",
        "trust_list_untrusted",
        "trust_list_expired",
        "trust_list_rollback",
    ] {
        assert!(codes.contains(code), "no fixture expects {code}");
    }
    assert!(cases.iter().any(|(_, c)| c["expected"]["valid"] == true));
}

#[test]
fn committed_fixtures_are_what_the_generator_makes() {
    let generated = hcx_vectors::generate().unwrap();
    let dir = fixtures();
    let mut problems = Vec::new();
    for (name, bytes) in &generated {
        match std::fs::read(dir.join(name)) {
            Ok(on_disk) if &on_disk == bytes => {}
            Ok(_) => problems.push(format!("{name} differs")),
            Err(_) => problems.push(format!("{name} is missing")),
        }
    }
    // Every file on disk, subdirectories included (samples/foreign/), must be generated.
    let mut pending: Vec<String> = hcx_vectors::FIXTURE_DIRS
        .iter()
        .map(|s| s.to_string())
        .collect();
    while let Some(sub) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&sub)).unwrap() {
            let entry = entry.unwrap();
            let rel = format!("{sub}/{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                pending.push(rel);
            } else if !generated.contains_key(&rel) {
                problems.push(format!("{rel} is not generated any more"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "spec/fixtures is stale; run `cargo run -p hcx-vectors -- spec/fixtures`:\n{}",
        problems.join("\n")
    );
}

#[test]
fn spec_appendix_is_the_generated_worked_example() {
    let generated = hcx_vectors::generate().unwrap();
    let spec = std::fs::read_to_string(fixtures().join("../SPEC.md")).unwrap();
    assert_eq!(
        hcx_vectors::spec_with_appendix(&spec, &generated).unwrap(),
        spec,
        "SPEC.md Appendix A is stale; run `cargo run -p hcx-vectors -- spec/fixtures`"
    );
}
