//! Conformance against the EU member states' DCC test data (`shared/peers/dcc`): every case,
//! every `EXPECTEDRESULTS` flag hcx-interop implements. Known deviations are listed, with
//! reasons, in `tests/dcc_known_deviations.csv`; nothing is skipped silently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use base64::Engine;
use hcx_interop::{TrustStore, dcc};
use serde_json::Value;

/// The flags this crate checks. Generation-side flags (`EXPECTEDVALIDOBJECT`,
/// `EXPECTEDENCODE`) are not applicable to a verifier.
const FLAGS: [&str; 10] = [
    "EXPECTEDPICTUREDECODE",
    "EXPECTEDUNPREFIX",
    "EXPECTEDB45DECODE",
    "EXPECTEDCOMPRESSION",
    "EXPECTEDVERIFY",
    "EXPECTEDDECODE",
    "EXPECTEDVALIDJSON",
    "EXPECTEDSCHEMAVALIDATION",
    "EXPECTEDEXPIRATIONCHECK",
    "EXPECTEDKEYUSAGE",
];

fn hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            cases(&path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n.eq_ignore_ascii_case("raw"))
        {
            out.push(path);
        }
    }
}

/// The PNG paired with a case file (layouts differ by country, see the peers' INDEX.md):
/// `2DCode/png/N.png` or `png/N.png` beside `2DCode`, named `N`, `N` without `_Raw`, with `-`
/// for `_`, or `N_qr` (IE's QR images; the `_aztec` ones are Aztec codes).
fn paired_png(case: &Path) -> Option<PathBuf> {
    let stem = case.file_stem()?.to_str()?;
    let raw_dir = case.parent()?;
    let code_dir = raw_dir.parent()?;
    let dirs = [code_dir.join("png"), code_dir.parent()?.join("png")];
    let names = [
        stem.to_owned(),
        stem.trim_end_matches("_Raw").to_owned(),
        stem.replace('_', "-"),
        stem.replacen('_', "-", 1),
        format!("{stem}_qr"),
    ];
    dirs.iter()
        .flat_map(|d| names.iter().map(move |n| d.join(format!("{n}.png"))))
        .find(|p| p.is_file())
}

fn s<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get(key)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
}

/// Semantic JSON equality: numbers by value, date-times by instant.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => {
            x == y
                || (x.contains('T')
                    && y.contains('T')
                    && std::panic::catch_unwind(|| common::parse_time(x) == common::parse_time(y))
                        .unwrap_or(false))
        }
        _ => a == b,
    }
}

/// The COSE bytes of a case: the `COSE` field, else decoded from the QR text.
fn cose_bytes(case: &Value) -> Option<Vec<u8>> {
    if let Some(c) = s(case, "COSE") {
        return hex(c);
    }
    let prefix = s(case, "PREFIX")?;
    let compressed = dcc::base45_decode(dcc::unprefix(prefix).ok()?).ok()?;
    dcc::decompress(&compressed).ok()
}

fn cwt(case: &Value) -> Option<dcc::Cwt> {
    dcc::parse_cwt(&dcc::parse_cose(&cose_bytes(case)?).ok()?.payload).ok()
}

fn cert(case: &Value) -> Option<hcx_interop::x509::Cert> {
    let b64 = s(case.get("TESTCTX")?, "CERTIFICATE")?;
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    hcx_interop::x509::Cert::from_der(&der).ok()
}

/// Our outcome for one flag: `true` when the step succeeds.
fn outcome(flag: &str, case: &Value, path: &Path) -> bool {
    match flag {
        "EXPECTEDPICTUREDECODE" => {
            let Some(prefix) = s(case, "PREFIX") else {
                return false;
            };
            // The embedded `2DCODE` image, else the PNG file paired with the case.
            let bytes = match s(case, "2DCODE") {
                Some(png) => base64::engine::general_purpose::STANDARD.decode(png).ok(),
                None => paired_png(path).and_then(|p| std::fs::read(p).ok()),
            };
            let Some(bytes) = bytes else {
                unreachable!("cases without an image are not applicable")
            };
            hcx_qr::decode_image(&bytes).is_ok_and(|texts| texts.iter().any(|t| t == prefix))
        }
        "EXPECTEDUNPREFIX" => {
            let Some(prefix) = s(case, "PREFIX") else {
                return false;
            };
            match dcc::unprefix(prefix) {
                Ok(rest) => s(case, "BASE45").is_none_or(|b| b == rest),
                Err(_) => false,
            }
        }
        "EXPECTEDB45DECODE" => {
            let Some(b45) = s(case, "BASE45") else {
                return false;
            };
            match dcc::base45_decode(b45) {
                Ok(bytes) => s(case, "COMPRESSED").is_none_or(|c| hex(c) == Some(bytes)),
                Err(_) => false,
            }
        }
        "EXPECTEDCOMPRESSION" => {
            let Some(compressed) = s(case, "COMPRESSED").and_then(hex) else {
                return false;
            };
            match dcc::decompress(&compressed) {
                Ok(bytes) => s(case, "COSE").is_none_or(|c| hex(c) == Some(bytes)),
                Err(_) => false,
            }
        }
        "EXPECTEDVERIFY" => {
            let (Some(cose), Some(der)) = (
                cose_bytes(case).and_then(|c| dcc::parse_cose(&c).ok()),
                case.pointer("/TESTCTX/CERTIFICATE")
                    .and_then(Value::as_str)
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()),
            ) else {
                return false;
            };
            let mut trust = TrustStore::default();
            if trust.add_file(&der).is_err() {
                return false;
            }
            dcc::verify_signature(&cose, &trust).is_ok()
        }
        "EXPECTEDDECODE" => {
            let Some(cwt) = cwt(case) else { return false };
            match s(case, "CBOR").and_then(hex) {
                Some(cbor) => dcc::dcc_json_from_cbor(&cbor).is_ok_and(|v| same(&v, &cwt.dcc)),
                None => true,
            }
        }
        "EXPECTEDVALIDJSON" => {
            // The `CBOR` field converted to JSON equals `JSON` (the payload when no CBOR).
            let decoded = match s(case, "CBOR") {
                Some(c) => hex(c).and_then(|b| dcc::dcc_json_from_cbor(&b).ok()),
                None => cwt(case).map(|c| c.dcc),
            };
            let (Some(decoded), Some(json)) = (decoded, case.get("JSON")) else {
                return false;
            };
            same(&decoded, json)
        }
        "EXPECTEDSCHEMAVALIDATION" => {
            let dcc_json = cwt(case).map(|c| c.dcc).or_else(|| {
                s(case, "CBOR")
                    .and_then(hex)
                    .and_then(|b| dcc::dcc_json_from_cbor(&b).ok())
            });
            dcc_json.is_some_and(|d| dcc::check_schema(&d).is_ok())
        }
        "EXPECTEDEXPIRATIONCHECK" => {
            let (Some(cwt), Some(cert), Some(clock)) = (
                cwt(case),
                cert(case),
                case.pointer("/TESTCTX/VALIDATIONCLOCK")
                    .and_then(Value::as_str),
            ) else {
                return false;
            };
            dcc::check_times(&cwt, Some(&cert), common::parse_time(clock), 0).is_ok()
        }
        "EXPECTEDKEYUSAGE" => {
            let (Some(cwt), Some(cert)) = (cwt(case), cert(case)) else {
                return false;
            };
            dcc::check_key_usage(&cert, &cwt.dcc).is_ok()
        }
        other => panic!("unknown flag {other}"),
    }
}

#[test]
fn dcc_conformance() {
    let Some(root) = common::peers("dcc") else {
        return;
    };
    let deviations: HashMap<(String, String), String> = {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dcc_known_deviations.csv"),
        )
        .unwrap();
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut parts = l.splitn(3, ',');
                let case = parts.next().unwrap().to_owned();
                let flag = parts.next().unwrap().to_owned();
                ((case, flag), parts.next().unwrap_or("").to_owned())
            })
            .collect()
    };
    let mut paths = Vec::new();
    cases(&root, &mut paths);
    paths.sort();
    assert!(paths.len() >= 188, "only {} cases found", paths.len());
    // flag → (applicable, met, known deviations)
    let mut stats: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut seen_deviations = Vec::new();
    let mut not_applicable = Vec::new();
    for path in &paths {
        let id = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let case: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let Some(expected) = case.get("EXPECTEDRESULTS").and_then(Value::as_object) else {
            continue;
        };
        for flag in FLAGS {
            let Some(want) = expected.get(flag).and_then(Value::as_bool) else {
                continue;
            };
            // A step without its input cannot be tested (common/ has no PNG files; only CO28
            // and Q1 embed one).
            if flag == "EXPECTEDPICTUREDECODE"
                && s(&case, "2DCODE").is_none()
                && paired_png(path).is_none()
            {
                not_applicable.push(format!("{id} {flag}"));
                continue;
            }
            let got = outcome(flag, &case, path);
            let entry = stats.entry(flag).or_default();
            entry.0 += 1;
            let key = (id.clone(), flag.to_owned());
            if got == want {
                entry.1 += 1;
                assert!(
                    !deviations.contains_key(&key),
                    "{id} {flag} is listed as a known deviation but now passes: update the list"
                );
            } else if deviations.contains_key(&key) {
                entry.2 += 1;
                seen_deviations.push(key);
            } else {
                unexpected.push(format!("{id} {flag}: expected {want}, got {got}"));
            }
        }
    }
    let (mut total, mut met) = (0, 0);
    eprintln!("DCC conformance over {} cases:", paths.len());
    for (flag, (applicable, ok, dev)) in &stats {
        eprintln!("  {flag:<26} {ok:>4}/{applicable:<4} met, {dev} known deviations");
        total += applicable;
        met += ok;
    }
    eprintln!(
        "  not applicable (no image to decode): {}",
        not_applicable.join(", ")
    );
    let rate = met as f64 * 100.0 / total as f64;
    eprintln!("  overall: {met}/{total} = {rate:.2}% of applicable expectations met");
    for key in deviations.keys() {
        assert!(
            seen_deviations.contains(key),
            "deviation {key:?} does not match any case"
        );
    }
    assert!(
        unexpected.is_empty(),
        "unexpected outcomes:\n{}",
        unexpected.join("\n")
    );
    assert!(rate >= 99.0, "only {rate:.2}% of expectations met");
}
