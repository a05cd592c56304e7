//! Conformance against the SMART Health Cards spec examples and the official validator's test
//! data (`shared/peers/shc`): every case yields the outcome the peers' INDEX.md gives, mapped
//! onto hcx-interop's error codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use hcx_interop::{TrustStore, VerifyOptions, shc};

const ISS: &str = "https://spec.smarthealth.cards/examples/issuer";
/// The spec examples were issued on 2023-06-22 (nbf 1687450764).
const SPEC_NOW: i64 = 1_687_450_764 + 3600;
/// The validator's tests run at 2022-05-31, before the x5c certificate expired.
const DEV_NOW: i64 = 1_653_955_200;

fn read(root: &Path, name: &str) -> String {
    String::from_utf8(std::fs::read(root.join(name)).unwrap()).unwrap()
}

fn spec_trust(root: &Path, with_crl: bool) -> TrustStore {
    let mut trust = TrustStore::default();
    let jwks = std::fs::read(root.join("spec-examples/issuer/.well-known/jwks.json")).unwrap();
    trust.add_jwks_for_issuer(ISS, &jwks).unwrap();
    if with_crl {
        let crl = std::fs::read(root.join(
            "spec-examples/issuer/.well-known/crl/3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s.json",
        ))
        .unwrap();
        assert_eq!(
            trust.add_file(&crl).unwrap(),
            hcx_interop::TrustKind::ShcRevocationList
        );
    }
    trust
}

/// `Ok` or the error code, with the reason for the report.
fn verdict(r: Result<hcx_interop::Verified, hcx_interop::Error>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("{}/{}", e.code(), e.reason()),
    }
}

/// What `hcx_qr` read of a symbol, in the terms of the SHC QR rules.
fn scanned(symbol: &hcx_qr::Symbol) -> shc::ScannedSymbol {
    match (symbol.format, symbol.version) {
        (hcx_qr::SymbolFormat::Qr, Some(version)) => shc::ScannedSymbol::Qr {
            version,
            modes: symbol.segments.as_ref().map(|segments| {
                segments
                    .iter()
                    .map(|s| match s.mode {
                        hcx_qr::SegmentMode::Numeric => shc::QrMode::Numeric,
                        hcx_qr::SegmentMode::Alphanumeric => shc::QrMode::Alphanumeric,
                        hcx_qr::SegmentMode::Byte => shc::QrMode::Byte,
                        hcx_qr::SegmentMode::Kanji => shc::QrMode::Kanji,
                        _ => shc::QrMode::Other,
                    })
                    .collect()
            }),
        },
        (format, _) => shc::ScannedSymbol::Other(format.as_str().into()),
    }
}

/// Every code in an image with its symbol, for [`shc::verify_scanned`].
fn scan(path: &Path) -> Vec<(String, shc::ScannedSymbol)> {
    hcx_qr::decode_file_symbols(path)
        .unwrap()
        .iter()
        .map(|s| (s.text.clone(), scanned(s)))
        .collect()
}

fn verify_scanned(
    scans: &[(String, shc::ScannedSymbol)],
    trust: &TrustStore,
    options: &VerifyOptions,
) -> String {
    let refs: Vec<(&str, shc::ScannedSymbol)> =
        scans.iter().map(|(t, s)| (t.as_str(), s.clone())).collect();
    verdict(shc::verify_scanned(&refs, trust, options))
}

fn check(passed: &mut usize, what: &str, got: String, want: &str) {
    let code = got.split('/').next().unwrap_or("");
    assert!(
        got == want || code == want,
        "{what}: expected {want}, got {got}"
    );
    *passed += 1;
}

#[test]
fn spec_examples() {
    let Some(root) = common::peers("shc") else {
        return;
    };
    let trust = spec_trust(&root, true);
    let at = |now| VerifyOptions { now, skew_secs: 0 };
    let mut n = 0;
    for ex in ["00", "01", "02", "03"] {
        let jws = read(&root, &format!("spec-examples/example-{ex}-d-jws.txt"));
        let file = read(
            &root,
            &format!("spec-examples/example-{ex}-e-file.smart-health-card"),
        );
        // 01: signed on 2023-06-22 by a key whose x5c certificate expired on 2022-06-01, so
        // the signer was not certified at issuance: certificate_invalid at every clock.
        // 03: in the CRL (rid vwAjHdarZuc, cut-off after its nbf): revoked at every clock.
        let want = match ex {
            "01" => "certificate_invalid",
            "03" => "revoked",
            _ => "ok",
        };
        for now in [SPEC_NOW, 1_800_000_000] {
            check(
                &mut n,
                &format!("{ex} jws"),
                verdict(hcx_interop::verify(&jws, &trust, &at(now))),
                want,
            );
            check(
                &mut n,
                &format!("{ex} file"),
                verdict(hcx_interop::verify(&file, &trust, &at(now))),
                want,
            );
        }
        if ex != "02" {
            let qr = read(
                &root,
                &format!("spec-examples/example-{ex}-f-qr-code-numeric-value-0.txt"),
            );
            check(
                &mut n,
                &format!("{ex} qr"),
                verdict(hcx_interop::verify(&qr, &trust, &at(SPEC_NOW))),
                want,
            );
            let png = root.join(format!(
                "spec-examples/derived-png/example-{ex}-g-qr-code-0.png"
            ));
            let scans = scan(&png);
            assert_eq!(scans.len(), 1);
            assert_eq!(scans[0].0, qr);
            check(
                &mut n,
                &format!("{ex} png"),
                verify_scanned(&scans, &trust, &at(SPEC_NOW)),
                want,
            );
        }
    }
    // 02 from its three chunks, in any order, and from the three derived PNGs.
    let chunks: Vec<String> = (0..3)
        .map(|k| {
            read(
                &root,
                &format!("spec-examples/example-02-f-qr-code-numeric-value-{k}.txt"),
            )
        })
        .collect();
    let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
    let v = hcx_interop::verify_chunks(&refs, &trust, &at(SPEC_NOW)).unwrap();
    assert_eq!(v.format, "shc");
    assert_eq!(v.issuer.id, ISS);
    let reversed: Vec<&str> = refs.iter().rev().copied().collect();
    check(
        &mut n,
        "02 chunks reversed",
        verdict(hcx_interop::verify_chunks(&reversed, &trust, &at(SPEC_NOW))),
        "ok",
    );
    let from_png: Vec<(String, shc::ScannedSymbol)> = (0..3)
        .flat_map(|k| {
            scan(&root.join(format!(
                "spec-examples/derived-png/example-02-g-qr-code-{k}.png"
            )))
        })
        .collect();
    let png_texts: Vec<&String> = from_png.iter().map(|(t, _)| t).collect();
    assert_eq!(png_texts, chunks.iter().collect::<Vec<_>>());
    check(
        &mut n,
        "02 from its three PNGs",
        verify_scanned(&from_png, &trust, &at(SPEC_NOW)),
        "ok",
    );
    // 03 is also expired (exp 2024-06-21): without the CRL that is what is reported.
    let ex03 = read(&root, "spec-examples/example-03-d-jws.txt");
    let no_crl = spec_trust(&root, false);
    check(
        &mut n,
        "03 no CRL, 2026",
        verdict(hcx_interop::verify(&ex03, &no_crl, &at(1_780_000_000))),
        "expired",
    );
    check(
        &mut n,
        "03 no CRL, 2023",
        verdict(hcx_interop::verify(&ex03, &no_crl, &at(SPEC_NOW))),
        "ok",
    );
    // The summary maps the FHIR bundle.
    let v0 = hcx_interop::verify(
        &read(&root, "spec-examples/example-00-d-jws.txt"),
        &trust,
        &at(SPEC_NOW),
    )
    .unwrap();
    assert_eq!(v0.summary.name.as_deref(), Some("John B. Anyperson"));
    assert_eq!(v0.summary.birth_date.as_deref(), Some("1951-01-20"));
    assert_eq!(v0.summary.evidence.len(), 3);
    assert!(v0.summary.evidence.iter().all(|e| e.kind == "vaccination"));
    // The payload is exactly the minified example.
    let minified: serde_json::Value = serde_json::from_str(&read(
        &root,
        "spec-examples/example-00-c-jws-payload-minified.json",
    ))
    .unwrap();
    assert_eq!(v0.claims, minified);
    eprintln!("SHC spec examples: {n}/{n} expectations met");
}

#[test]
fn dev_tools_testdata() {
    let Some(root) = common::peers("shc") else {
        return;
    };
    let d = root.join("dev-tools-testdata");
    let dir = |name: &str| format!("dev-tools-testdata/{name}");
    let mut trust = spec_trust(&root, false);
    // The key set of the kid-mismatch case, unbound: the issuer's own (bound) set wins.
    trust
        .add_file(&std::fs::read(d.join("issuer.jwks.public.not.smart.json")).unwrap())
        .unwrap();
    trust
        .add_file(&std::fs::read(d.join("test-issuers.json")).unwrap())
        .unwrap();
    let opts = VerifyOptions {
        now: DEV_NOW,
        skew_secs: 0,
    };
    let v = |text: &str| verdict(hcx_interop::verify(text, &trust, &opts));
    let mut n = 0;

    // JWS, files and numeric QR texts: INDEX.md's validator code → our code.
    let cases: &[(&str, &str)] = &[
        (
            "test-example-00-d-jws-invalid-signature.txt",
            "bad_signature",
        ), // JWS_VERIFICATION_ERROR
        (
            "test-example-00-d-jws-no_jws_header_alg.txt",
            "malformed/bad_jws",
        ), // JWS_HEADER_ERROR
        (
            "test-example-00-d-jws-no_jws_header_kid.txt",
            "malformed/bad_jws",
        ),
        (
            "test-example-00-d-jws-no_jws_header_zip.txt",
            "malformed/bad_jws",
        ),
        (
            "test-example-00-d-jws-wrong_jws_header_kid.txt",
            "unknown_key",
        ), // JWS_VERIFICATION_ERROR
        (
            "test-example-00-d-jws-der-signature.txt",
            "bad_signature/bad_signature_format",
        ), // SIGNATURE_FORMAT_ERROR
        (
            "test-example-00-d-jws-der-signature-r-neg.txt",
            "bad_signature/bad_signature_format",
        ),
        (
            "test-example-00-d-jws-der-signature-s-neg.txt",
            "bad_signature/bad_signature_format",
        ),
        (
            "test-example-00-d-jws-der-signature-rs-neg.txt",
            "bad_signature/bad_signature_format",
        ),
        ("test-example-00-d-jws-no_deflate.txt", "malformed/bad_jws"), // INFLATION + JWS_HEADER_ERROR
        (
            "test-example-00-d-jws-trailing_chars.txt",
            "malformed/trailing_characters",
        ),
        (
            "test-example-00-d-jws-issuer-kid-mismatch.txt",
            "unknown_key/issuer_kid_mismatch",
        ), // ISSUER_KID_MISMATCH
        (
            "test-example-00-d-jws-issuer-not-valid-with-smart-key.txt",
            "unknown_key",
        ), // ISSUER_KEY_DOWNLOAD_ERROR
        ("test-example-00-d-jws-bad-fhir-metadata.txt", "ok"), // only a warning
        // Not referenced upstream: its iss is another issuer than the spec key's.
        (
            "test-example-00-d-jws-jws_too_long.txt",
            "unknown_key/issuer_kid_mismatch",
        ),
        (
            "test-example-00-e-file-invalid_deflate.smart-health-card",
            "malformed/inflate_failed",
        ), // INFLATION_ERROR
        (
            "test-example-00-e-file-no_deflate.smart-health-card",
            "malformed/bad_jws",
        ),
        (
            "test-example-00-e-file-bad_jwks.smart-health-card",
            "unknown_key",
        ), // ISSUER_KEY_DOWNLOAD_ERROR
        (
            "test-example-00-e-file-invalid_issuer_url.smart-health-card",
            "unknown_key",
        ),
        (
            "test-example-00-e-file-invalid_issuer_url_http.smart-health-card",
            "malformed/invalid_issuer_url",
        ),
        (
            "test-example-00-e-file-issuer_url_with_trailing_slash.smart-health-card",
            "malformed/invalid_issuer_url",
        ),
        ("test-example-00-e-file-multi-jws.smart-health-card", "ok"),
        (
            "test-example-00-e-file-multi-jws-issues.smart-health-card",
            "malformed",
        ), // JWS_HEADER_ERROR + TRAILING
        (
            "test-example-00-e-file-trailing_chars.smart-health-card",
            "malformed/trailing_characters",
        ),
        (
            "test-example-00-e-file-jws_too_long.smart-health-card",
            "unknown_key/issuer_kid_mismatch",
        ),
        ("test-example-00-e-file.wrong-extension", "ok"), // only a warning
        (
            "test-example-00-f-qr-code-numeric-value-0-wrong_qr_header.txt",
            "malformed/bad_numeric_qr",
        ),
        (
            "test-example-00-f-qr-code-numeric-value-0-odd-count.txt",
            "malformed/bad_numeric_qr",
        ),
        (
            "test-example-00-f-qr-code-numeric-value-0-number-too-big.txt",
            "malformed/bad_numeric_qr",
        ),
        (
            "test-example-00-f-qr-code-numeric-value-0-wrong-multi-chunk.txt",
            "ok",
        ), // only a warning
        (
            "test-example-00-f-qr-code-numeric-value-0-trailing_chars.txt",
            "malformed/trailing_characters",
        ),
        ("test-example-1195-byte-qrnumeric.txt", "ok"),
        ("test-example-00-fhirhealthcard.json", "ok"),
        ("test-example-00-fhirhealthcard-multi-jws.json", "ok"),
        (
            "test-example-00-fhirhealthcard-with-resource-link.json",
            "ok",
        ),
    ];
    for (file, want) in cases {
        check(&mut n, file, v(&read(&root, &dir(file))), want);
    }
    // utf8_bom_prefix: the BOM is inside the signed payload (TRAILING_CHARACTERS); a BOM
    // before the JWS text is rejected the same way.
    let bom = read(&root, &dir("test-example-00-d-jws-utf8_bom_prefix.txt"));
    check(
        &mut n,
        "utf8_bom_prefix",
        v(&bom),
        "malformed/trailing_characters",
    );
    let ex00 = read(&root, "spec-examples/example-00-d-jws.txt");
    check(
        &mut n,
        "BOM before a JWS",
        v(&format!("\u{feff}{ex00}")),
        "malformed/trailing_characters",
    );
    // The issuer directory names the issuer.
    let ok = hcx_interop::verify(
        &read(&root, &dir("test-example-00-e-file.wrong-extension")),
        &trust,
        &opts,
    )
    .unwrap();
    assert_eq!(
        ok.issuer.name.as_deref(),
        Some("SMART Health Card specification example issuer")
    );

    // Chunk sets.
    let small: Vec<String> = (0..17)
        .map(|k| {
            read(
                &root,
                &dir(&format!(
                    "test-example-00-f-qr-code-numeric-value-{k}-qr_chunk_too_small.txt"
                )),
            )
        })
        .collect();
    let small_refs: Vec<&str> = small.iter().map(String::as_str).collect();
    check(
        &mut n,
        "17 small chunks",
        verdict(hcx_interop::verify_chunks(&small_refs, &trust, &opts)),
        "ok",
    );
    let big: Vec<String> = (0..2)
        .map(|k| {
            read(
                &root,
                &dir(&format!(
                    "test-example-02-f-qr-code-numeric-value-{k}-qr_chunk_too_big.txt"
                )),
            )
        })
        .collect();
    let big_refs: Vec<&str> = big.iter().map(String::as_str).collect();
    check(
        &mut n,
        "chunks too big",
        verdict(hcx_interop::verify_chunks(&big_refs, &trust, &opts)),
        "malformed/bad_numeric_qr",
    );
    let out_of_range = read(
        &root,
        &dir("test-example-00-f-qr-code-numeric-value-0-index-out-of-range.txt"),
    );
    let ex02_1 = read(
        &root,
        "spec-examples/example-02-f-qr-code-numeric-value-1.txt",
    );
    check(
        &mut n,
        "index out of range",
        verdict(hcx_interop::verify_chunks(
            &[&out_of_range, &ex02_1],
            &trust,
            &opts,
        )),
        "malformed/bad_numeric_qr",
    );

    // QR images: decoded with hcx-qr, each symbol checked (version <= 22; a byte segment then a
    // numeric one), then the texts verified.
    let images: &[(&str, &str)] = &[
        ("test-example-00-g-qr-code-0-scaled-85.jpg", "ok"),
        ("test-example-00-g-qr-code-0-scaled-23.jpg", "ok"),
        // Only a warning: version 22 where a smaller one would do.
        ("test-example-00-g-qr-code-inflated-to-v22.png", "ok"),
        ("test-example-00-g-qr-code-0-corrupted.png", "no_qr"), // QR_DECODE_ERROR
        ("test-invalid-jws-payload.png", "malformed/bad_json"), // JSON_PARSE_ERROR
        // INVALID_QR_VERSION: version 24.
        (
            "test-example-00-g-qr-code-0-bad_qr_version.png",
            "malformed/bad_qr_version",
        ),
        // INVALID_QR + INVALID_QR_VERSION: the whole text in one byte segment, version 29. The
        // segments are reported; the version is checked on its own below.
        (
            "test-example-00-g-qr-code-0-single_qr_segment.png",
            "malformed/bad_qr_segments",
        ),
        // INVALID_QR + INVALID_NUMERIC_QR: byte, numeric, byte. The segments are reported; the
        // text is checked on its own below.
        (
            "test-example-00-g-qr-code-0-too_many_qr_segment.png",
            "malformed/bad_qr_segments",
        ),
    ];
    for (file, want) in images {
        let got = match hcx_qr::decode_file_symbols(&d.join(file)) {
            Ok(symbols) if !symbols.is_empty() => {
                let scans: Vec<_> = symbols
                    .iter()
                    .map(|s| (s.text.clone(), scanned(s)))
                    .collect();
                verify_scanned(&scans, &trust, &opts)
            }
            _ => "no_qr".into(),
        };
        check(&mut n, file, got, want);
    }
    // The second error of each two-error image, on its own.
    let single = scan(&d.join("test-example-00-g-qr-code-0-single_qr_segment.png"));
    let shc::ScannedSymbol::Qr { version, .. } = single[0].1 else {
        panic!("single_qr_segment is a QR code");
    };
    let version_only = shc::ScannedSymbol::Qr {
        version,
        modes: None,
    };
    check(
        &mut n,
        "single_qr_segment version",
        match shc::check_symbol(&version_only) {
            Ok(()) => "ok".into(),
            Err(e) => format!("{}/{}", e.code(), e.reason()),
        },
        "malformed/bad_qr_version",
    );
    let too_many = scan(&d.join("test-example-00-g-qr-code-0-too_many_qr_segment.png"));
    check(
        &mut n,
        "too_many_qr_segment text",
        v(&too_many[0].0),
        "malformed/bad_numeric_qr",
    );
    let two: Vec<(String, shc::ScannedSymbol)> = (0..2)
        .flat_map(|k| {
            scan(&d.join(format!(
                "test-example-00-g-qr-code-{k}-qr_chunk_too_small.png"
            )))
        })
        .collect();
    check(
        &mut n,
        "2 chunk images",
        verify_scanned(&two, &trust, &opts),
        "ok",
    );

    // JWS payloads, checked at the validator's clock.
    let payloads: &[(&str, &str)] = &[
        (
            "test-example-00-b-jws-payload-expanded-expired.json",
            "expired",
        ),
        (
            "test-example-00-b-jws-payload-expanded-exp_milliseconds.json",
            "malformed/bad_validity_period",
        ),
        (
            "test-example-00-b-jws-payload-expanded-pre-expired.json",
            "malformed/bad_validity_period",
        ),
        (
            "test-example-00-b-jws-payload-expanded-nbf_not_yet_valid.json",
            "not_yet_valid",
        ),
        (
            "test-example-00-b-jws-payload-expanded-nbf_milliseconds.json",
            "not_yet_valid",
        ),
        (
            "test-example-00-b-jws-payload-expanded-missing-shc-vc-type.json",
            "schema",
        ),
        (
            "test-example-00-b-jws-payload-expanded-missing-imm-vc-type.json",
            "ok",
        ),
        (
            "test-example-00-b-jws-payload-expanded-missing-covid-vc-type.json",
            "ok",
        ),
        (
            "test-example-00-b-jws-payload-expanded-optional-vc-type.json",
            "ok",
        ),
        (
            "test-example-00-b-jws-payload-expanded-unknown-vc-types.json",
            "ok",
        ),
        (
            "test-example-00-b-jws-payload-expanded-missing-coding.json",
            "schema",
        ), // FHIR_SCHEMA_ERROR
        (
            "test-example-00-b-jws-payload-expanded-trailing_chars.json",
            "malformed/trailing_characters",
        ),
        (
            "test-example-covid-lab-jwspayload-missing-lab-vc-type.json",
            "ok",
        ),
    ];
    for (file, want) in payloads {
        let got = match shc::parse_payload(&std::fs::read(d.join(file)).unwrap())
            .and_then(|p| shc::check_payload(&p, DEV_NOW, 0))
        {
            Ok(()) => "ok".into(),
            Err(e) => format!("{}/{}", e.code(), e.reason()),
        };
        check(&mut n, file, got, want);
    }

    // Key sets.
    let keys: &[(&str, &str)] = &[
        ("valid_key.json", "ok"),
        ("valid_keys.json", "ok"),
        ("valid_key_with_x5c.json", "ok"),
        ("valid_2_chain.public.json", "ok"),
        ("issuer.jwks.public.not.smart.json", "ok"),
        ("wrong_kid_key.json", "trust_list_invalid"),
        ("wrong_curve_key.json", "trust_list_invalid"),
        ("wrong_use_key.json", "trust_list_invalid"),
        ("wrong_alg_key.json", "trust_list_invalid"),
        ("wrong_kty_key.json", "trust_list_invalid"),
        ("cert_mismatch.public.json", "trust_list_invalid"), // INVALID_KEY_X5C
        ("invalid_chain.public.json", "trust_list_invalid"),
        ("invalid_DNS_SAN.public.json", "trust_list_invalid"),
        ("invalid_no_SAN.public.json", "trust_list_invalid"),
        ("badjwks/.well-known/jwks.json", "trust_list_invalid"), // not JSON
    ];
    for (file, want) in keys {
        let got = match TrustStore::default().add_file(&std::fs::read(d.join(file)).unwrap()) {
            Ok(_) => "ok".into(),
            Err(e) => format!("{}/{} ({e})", e.code(), e.reason()),
        };
        check(&mut n, file, got, want);
    }

    // Revocation lists: four are rejected when loaded, version-mismatch when verifying
    // (REVOCATION_ERROR); each JWS verifies with its own key set.
    for case in [
        "duplicate-rid",
        "invalid-method",
        "non-base64url-rid",
        "too-long-rid",
        "version-mismatch",
    ] {
        let base = d.join("badcrl").join(case);
        let mut store = TrustStore::default();
        store
            .add_file(&std::fs::read(base.join(".well-known/jwks.json")).unwrap())
            .unwrap();
        let jws = read(&base, &format!("jws-crl-{case}.txt"));
        check(
            &mut n,
            &format!("{case} without CRL"),
            verdict(hcx_interop::verify(&jws, &store, &opts)),
            "ok",
        );
        let crl_dir = base.join(".well-known/crl");
        let crl_file = std::fs::read_dir(&crl_dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let loaded = store.add_file(&std::fs::read(crl_file).unwrap());
        let got = match loaded {
            Err(e) => format!("{}/{}", e.code(), e.reason()),
            Ok(_) => verdict(hcx_interop::verify(&jws, &store, &opts)),
        };
        check(
            &mut n,
            &format!("badcrl {case}"),
            got,
            "revocation_list_invalid",
        );
    }
    // badcrl/.well-known/jwks.json is a bare JWK: read as a one-key set.
    assert_eq!(
        TrustStore::default()
            .add_file(&std::fs::read(d.join("badcrl/.well-known/jwks.json")).unwrap())
            .unwrap(),
        hcx_interop::TrustKind::Jwks(1)
    );
    eprintln!("SHC dev-tools testdata: {n}/{n} expectations met");
}

/// The QR rules on their own: segments before version, unknown modes not judged, QR only.
#[test]
fn qr_symbol_rules() {
    use shc::{QrMode, ScannedSymbol, check_symbol};
    let qr = |version, modes: Option<&[QrMode]>| ScannedSymbol::Qr {
        version,
        modes: modes.map(<[QrMode]>::to_vec),
    };
    let reason =
        |s: &ScannedSymbol| check_symbol(s).map_err(|e| (e.code().as_str(), e.reason().as_str()));
    let good: &[QrMode] = &[QrMode::Byte, QrMode::Numeric];
    assert_eq!(reason(&qr(1, Some(good))), Ok(()));
    assert_eq!(reason(&qr(22, Some(good))), Ok(()));
    assert_eq!(reason(&qr(22, None)), Ok(()));
    assert_eq!(
        reason(&qr(23, Some(good))),
        Err(("malformed", "bad_qr_version"))
    );
    assert_eq!(reason(&qr(40, None)), Err(("malformed", "bad_qr_version")));
    for bad in [
        &[QrMode::Byte][..],
        &[QrMode::Numeric, QrMode::Byte],
        &[QrMode::Byte, QrMode::Numeric, QrMode::Byte],
        &[QrMode::Other, QrMode::Byte, QrMode::Numeric],
        &[QrMode::Byte, QrMode::Alphanumeric],
        &[],
    ] {
        assert_eq!(
            reason(&qr(10, Some(bad))),
            Err(("malformed", "bad_qr_segments")),
            "{bad:?}"
        );
        // Both wrong: the segments are reported.
        assert_eq!(
            reason(&qr(30, Some(bad))),
            Err(("malformed", "bad_qr_segments"))
        );
    }
    assert_eq!(
        reason(&ScannedSymbol::Other("aztec".into())),
        Err(("malformed", "bad_qr_segments"))
    );
    // No symbol at all is no card.
    let none = shc::verify_scanned(&[], &TrustStore::default(), &VerifyOptions::at(0));
    assert_eq!(none.unwrap_err().reason(), "bad_chunks");
}
