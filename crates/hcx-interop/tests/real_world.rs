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
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::value::Value as Cbor;
use hcx_interop::{TrustStore, VerifyOptions, dcc_kid};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use x509_cert::der::Encode;
use x509_cert::der::asn1::{ObjectIdentifier, UtcTime};

const NOW: i64 = 1_700_000_000; // 2023-11-14
const DAY: i64 = 86_400;
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const EKU_TEST: &str = "1.3.6.1.4.1.1847.2021.1.1";
const EKU_VACCINATION_MISREGISTERED: &str = "1.3.6.1.4.1.0.1847.2021.1.2";
/// ICAO's document-signer EKU for health certificates, as on dgc-testdata's IS/3 DSC.
const EKU_ICAO: &str = "2.23.136.1.1.14.2";
const EKU_EMAIL: &str = "1.3.6.1.5.5.7.3.4";

/// A P-256 key derived from a label (test keys only).
fn key(label: &str) -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(format!("hcx-tests/real-world/{label}"))).unwrap()
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    ObjectIdentifier::new_unwrap(dotted).to_der().unwrap()
}

fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if v.first().is_none_or(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn utc(t: i64) -> Vec<u8> {
    UtcTime::from_unix_duration(Duration::from_secs(t as u64))
        .unwrap()
        .to_der()
        .unwrap()
}

/// A self-signed P-256 document signer certificate, valid `not_before..=not_after`, with an
/// extended key usage extension listing `eku` when given.
fn dsc(key: &SigningKey, not_before: i64, not_after: i64, eku: Option<&[&str]>) -> Vec<u8> {
    let name = seq(&[
        tlv(0x31, &seq(&[oid("2.5.4.6"), tlv(0x13, b"XX")])),
        tlv(0x31, &seq(&[oid("2.5.4.3"), tlv(0x0c, b"hcx test DSC")])),
    ]);
    let point = key.verifying_key().to_sec1_point(false);
    let spki = seq(&[
        seq(&[oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")]),
        tlv(0x03, &[&[0u8][..], point.as_bytes()].concat()),
    ]);
    let mut tbs = vec![
        tlv(0xa0, &uint(&[2])),
        uint(&[0x2a]),
        seq(&[oid(ECDSA_SHA256)]),
        name.clone(),
        seq(&[utc(not_before), utc(not_after)]),
        name,
        spki,
    ];
    if let Some(eku) = eku {
        let oids: Vec<Vec<u8>> = eku.iter().map(|o| oid(o)).collect();
        let ext = seq(&[oid("2.5.29.37"), tlv(0x04, &seq(&oids))]);
        tbs.push(tlv(0xa3, &seq(&[ext])));
    }
    let tbs = seq(&tbs);
    let sig: Signature = key.sign(&tbs);
    let (r, s) = sig.split_bytes();
    let sig_der = seq(&[uint(&r), uint(&s)]);
    seq(&[
        tbs,
        seq(&[oid(ECDSA_SHA256)]),
        tlv(0x03, &[&[0u8][..], &sig_der].concat()),
    ])
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).unwrap();
    out
}

/// An `HC1:` text: the DCC JSON under `-260`/`1`, signed ES256 by `key` under `kid`.
fn hc1(key: &SigningKey, kid: &[u8], iat: i64, exp: i64, dcc: &Json) -> String {
    let int = |i: i64| Cbor::Integer(i.into());
    let claims = cbor(&Cbor::Map(vec![
        (int(1), Cbor::Text("XX".into())),
        (int(4), int(exp)),
        (int(6), int(iat)),
        (
            int(-260),
            Cbor::Map(vec![(int(1), Cbor::serialized(dcc).unwrap())]),
        ),
    ]));
    let protected = cbor(&Cbor::Map(vec![
        (int(1), int(-7)),
        (int(4), Cbor::Bytes(kid.to_vec())),
    ]));
    let to_be_signed = cbor(&Cbor::Array(vec![
        Cbor::Text("Signature1".into()),
        Cbor::Bytes(protected.clone()),
        Cbor::Bytes(Vec::new()),
        Cbor::Bytes(claims.clone()),
    ]));
    let sig: Signature = key.sign(&to_be_signed);
    let cose = cbor(&Cbor::Tag(
        18,
        Box::new(Cbor::Array(vec![
            Cbor::Bytes(protected),
            Cbor::Map(Vec::new()),
            Cbor::Bytes(claims),
            Cbor::Bytes(sig.to_bytes().to_vec()),
        ])),
    ));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&cose).unwrap();
    format!("HC1:{}", base45::encode(z.finish().unwrap()))
}

fn vaccination() -> Json {
    json!({
        "ver": "1.3.0",
        "nam": {"fn": "Testova", "fnt": "TESTOVA", "gn": "Ana", "gnt": "ANA"},
        "dob": "1978-01-26",
        "v": [{
            "tg": "840539006", "vp": "J07BX03", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
            "dn": 2, "sd": 2, "dt": "2021-03-09", "co": "BG", "is": "Ministry of Health",
            "ci": "URN:UVCI:01:BG:HCXTEST0000001#0"
        }]
    })
}

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
fn shc_jwks(key: &SigningKey) -> (String, String) {
    let point = key.verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    let (x, y) = (
        URL_SAFE_NO_PAD.encode(&bytes[1..33]),
        URL_SAFE_NO_PAD.encode(&bytes[33..65]),
    );
    let thumbprint = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint));
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}","kid":"{kid}","use":"sig","alg":"ES256"}}]}}"#
    );
    (jwks, kid)
}

/// A compact JWS whose payload bytes (the "compressed" form) are given as they are.
fn shc_jws(key: &SigningKey, kid: &str, compressed: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"zip":"DEF","alg":"ES256","kid":"{kid}"}}"#));
    let payload = URL_SAFE_NO_PAD.encode(compressed);
    let input = format!("{header}.{payload}");
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// A national issuer's real cards: gzip's output without its 10-byte header, i.e. the raw
/// DEFLATE stream followed by gzip's 8-byte trailer (CRC-32, size). The SMART Health Cards
/// validator inflates with `pako.inflateRaw`/fflate, which stop at the end of the stream.
#[test]
fn shc_raw_deflate_with_gzip_trailer_verifies() {
    let key = key("shc-gzip-trailer");
    let (jwks, kid) = shc_jwks(&key);
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
