//! Real-world certificate classes that the EU reference verifiers and the SMART Health Cards
//! validator accept (docs/INTEROP.md, "Real-world certificates"), each rebuilt here from keys
//! made in the test: nothing is copied from a real certificate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;

use hcx_interop::{TrustStore, VerifyOptions, dcc_kid};
use hcx_vectors::foreign::{self, shc_jwks, shc_jws};
use p256::ecdsa::SigningKey;
use serde_json::{Value as Json, json};

/// A P-256 key derived from a label (test keys only).
fn key(label: &str) -> SigningKey {
    foreign::p256_key(&format!("real-world/{label}")).unwrap()
}

fn dsc(key: &SigningKey, not_before: i64, not_after: i64, eku: Option<&[&str]>) -> Vec<u8> {
    foreign::self_signed_dsc(key, not_before, not_after, eku).unwrap()
}

fn hc1(key: &SigningKey, kid: &[u8], iat: i64, exp: i64, dcc: &Json) -> String {
    foreign::hc1(key, kid, iat, exp, dcc).unwrap()
}

fn vaccination() -> Json {
    foreign::dcc_vaccination()
}

const NOW: i64 = 1_700_000_000; // 2023-11-14
const DAY: i64 = 86_400;
const EKU_TEST: &str = "1.3.6.1.4.1.1847.2021.1.1";
const EKU_VACCINATION_MISREGISTERED: &str = "1.3.6.1.4.1.0.1847.2021.1.2";
/// ICAO's document-signer EKU for health certificates, as on dgc-testdata's IS/3 DSC.
const EKU_ICAO: &str = "2.23.136.1.1.14.2";
const EKU_EMAIL: &str = "1.3.6.1.5.5.7.3.4";

/// A DSC trusted by its own certificate, as national DSC lists and the EU gateway give it.
struct Signer1 {
    key: SigningKey,
    kid: Vec<u8>,
    trust: TrustStore,
}

fn signer(label: &str, not_before: i64, not_after: i64, eku: Option<&[&str]>) -> Signer1 {
    let key = key(label);
    let der = dsc(&key, not_before, not_after, eku);
    let mut trust = TrustStore::default();
    trust.add_file(&der).unwrap();
    Signer1 {
        kid: dcc_kid(&der),
        key,
        trust,
    }
}

fn verify(s: &Signer1, dcc: &Json, iat: i64, exp: i64, now: i64) -> Result<(), (String, String)> {
    hcx_interop::verify(
        &hc1(&s.key, &s.kid, iat, exp, dcc),
        &s.trust,
        &VerifyOptions::at(now),
    )
    .map(|_| ())
    .map_err(|e| (e.code().as_str().to_owned(), e.reason().as_str().to_owned()))
}

fn err(code: &str, reason: &str) -> Result<(), (String, String)> {
    Err((code.to_owned(), reason.to_owned()))
}

/// Bulgaria's Json.NET-serialised DCCs: `"t": null, "r": null` beside `v` (dgc-testdata issue
/// #298; accepted by the reference apps' relaxed schema). `null` is absent, everywhere.
#[test]
fn dcc_with_null_groups_beside_v_verifies() {
    let s = signer("bg", NOW - 100 * DAY, NOW + 300 * DAY, None);
    let (iat, exp) = (NOW - DAY, NOW + 200 * DAY);
    let mut bg = vaccination();
    bg["t"] = Json::Null;
    bg["r"] = Json::Null;
    assert_eq!(verify(&s, &bg, iat, exp, NOW), Ok(()));
    let verified = hcx_interop::verify(
        &hc1(&s.key, &s.kid, iat, exp, &bg),
        &s.trust,
        &VerifyOptions::at(NOW),
    )
    .unwrap();
    assert_eq!(verified.summary.evidence.len(), 1);
    assert_eq!(
        verified.claims["t"],
        Json::Null,
        "the payload is kept as signed"
    );
    // Optional members written as null are absent too.
    let mut optional_null = bg.clone();
    optional_null["nam"]["gn"] = Json::Null;
    assert_eq!(verify(&s, &optional_null, iat, exp, NOW), Ok(()));
    // A null group is still no group: with nothing else there is no certificate at all ...
    let mut only_nulls = bg.clone();
    only_nulls["v"] = Json::Null;
    assert_eq!(
        verify(&s, &only_nulls, iat, exp, NOW),
        err("schema", "schema")
    );
    // ... two real groups remain an error ...
    let mut two = bg.clone();
    two["r"] = json!([]);
    assert_eq!(verify(&s, &two, iat, exp, NOW), err("schema", "schema"));
    // ... and a required member that is null is missing.
    let mut required_null = bg;
    required_null["v"][0]["ci"] = Json::Null;
    assert_eq!(
        verify(&s, &required_null, iat, exp, NOW),
        err("schema", "schema")
    );
}

/// A DSC whose extended key usage lists only non-DCC purposes: the reference apps treat it as
/// "no DCC restriction" (dgca-app-core X509 `isSuitable`, CovPass `checkCertOid`).
#[test]
fn dsc_with_only_non_dcc_key_usages_signs_every_kind() {
    let (iat, exp) = (NOW - DAY, NOW + 30 * DAY);
    let (nb, na) = (NOW - 100 * DAY, NOW + 300 * DAY);
    let icao = signer("icao", nb, na, Some(&[EKU_ICAO, EKU_EMAIL]));
    assert_eq!(verify(&icao, &vaccination(), iat, exp, NOW), Ok(()));
    // An EKU that names a DCC type restricts the DSC to the types it names ...
    let test_only = signer("test-only", nb, na, Some(&[EKU_TEST, EKU_ICAO]));
    assert_eq!(
        verify(&test_only, &vaccination(), iat, exp, NOW),
        err("key_usage", "key_usage")
    );
    // ... in either registered form of the OID.
    let vacc = signer("vacc", nb, na, Some(&[EKU_VACCINATION_MISREGISTERED]));
    assert_eq!(verify(&vacc, &vaccination(), iat, exp, NOW), Ok(()));
    // An empty EKU extension restricts nothing either.
    let empty = signer("empty-eku", nb, na, Some(&[]));
    assert_eq!(verify(&empty, &vaccination(), iat, exp, NOW), Ok(()));
}

/// A DCC whose `exp` is later than its DSC's notAfter: the reference apps check the DSC at the
/// time of verification, so the certificate is valid until the DSC expires, not rejected.
#[test]
fn dcc_expiring_after_its_dsc_is_valid_until_the_dsc_expires() {
    let (nb, na) = (NOW - 100 * DAY, NOW + 100 * DAY);
    let s = signer("long-exp", nb, na, None);
    let (iat, exp) = (NOW - DAY, NOW + 365 * DAY);
    assert_eq!(verify(&s, &vaccination(), iat, exp, NOW), Ok(()));
    assert_eq!(verify(&s, &vaccination(), iat, exp, na), Ok(()));
    assert_eq!(
        verify(&s, &vaccination(), iat, exp, na + DAY),
        err("certificate_invalid", "signer_not_valid")
    );
    // Within the skew the DSC still counts as valid; past exp the DCC itself is expired.
    assert_eq!(verify(&s, &vaccination(), iat, exp, na + 60), Ok(()));
    assert_eq!(
        verify(&s, &vaccination(), iat, exp, exp + DAY),
        err("expired", "expired")
    );
    // Issued before the DSC was valid is still refused: the signer was not yet certified.
    assert_eq!(
        verify(&s, &vaccination(), nb - DAY, exp, NOW),
        err("certificate_invalid", "signer_not_valid")
    );
}

/// The P-256 JWK of `key` and its RFC 7638 thumbprint (the SHC kid).
/// A national issuer's real cards: gzip's output without its 10-byte header, i.e. the raw
/// DEFLATE stream followed by gzip's 8-byte trailer (CRC-32, size). The SMART Health Cards
/// validator inflates with `pako.inflateRaw`/fflate, which stop at the end of the stream.
#[test]
fn shc_raw_deflate_with_gzip_trailer_verifies() {
    let key = key("shc-gzip-trailer");
    let (jwks, kid) = shc_jwks(&key).unwrap();
    let mut trust = TrustStore::default();
    trust.add_file(jwks.as_bytes()).unwrap();
    let payload = json!({
        "iss": "https://issuer.example.org",
        "nbf": NOW - DAY,
        "vc": {
            "type": ["https://smarthealth.cards#health-card"],
            "credentialSubject": {
                "fhirVersion": "4.0.1",
                "fhirBundle": {"resourceType": "Bundle", "type": "collection", "entry": [
                    {"fullUrl": "resource:0", "resource": {"resourceType": "Patient",
                        "name": [{"family": "Anyperson", "given": ["John"]}]}}
                ]}
            }
        }
    })
    .to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(payload.as_bytes()).unwrap();
    let gzip = gz.finish().unwrap();
    let headerless = &gzip[10..];
    let raw = &headerless[..headerless.len() - 8];
    let options = VerifyOptions::at(NOW);
    let check = |compressed: &[u8]| {
        hcx_interop::verify(&shc_jws(&key, &kid, compressed), &trust, &options)
            .map(|v| v.claims["iss"].as_str().unwrap_or_default().to_owned())
            .map_err(|e| e.reason().as_str())
    };
    assert_eq!(check(raw), Ok("https://issuer.example.org".to_owned()));
    assert_eq!(
        check(headerless),
        Ok("https://issuer.example.org".to_owned())
    );
    // Only the trailer of this very data: a wrong CRC or size, a cut or a longer tail fail.
    for bad in [
        [raw, &[0u8; 8]].concat(),
        [headerless, &[0]].concat(),
        headerless[..headerless.len() - 1].to_vec(),
        {
            let mut wrong_size = headerless.to_vec();
            let n = wrong_size.len();
            wrong_size[n - 4] ^= 1;
            wrong_size
        },
        gzip.clone(),
    ] {
        assert_eq!(check(&bad), Err("inflate_failed"), "{} bytes", bad.len());
    }
}
