//! Foreign codes made from keys of our own: an EU DCC under a self-signed document signer
//! certificate, and a SMART Health Card under an issuer's JWKS, generated into
//! `samples/foreign/` so that docs, bindings and their tests can verify every format without the
//! peers' data. Nothing here is copied from a real certificate; the builders are public so
//! tests that need other variants (validity windows, key usages, compression) build them the
//! same way.
//!
//! ECDSA signatures are deterministic (RFC 6979), so the files are reproducible byte for byte.

use std::io::Write;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::value::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use x509_cert::der::Encode;
use x509_cert::der::asn1::{ObjectIdentifier, UtcTime};

use crate::{DAY, Files, T0};

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";

/// A P-256 key derived from a label: `SHA-256("hcx-fixtures/v1/p256/" + label)`.
pub fn p256_key(label: &str) -> Result<SigningKey, String> {
    let seed = Sha256::digest(format!("hcx-fixtures/v1/p256/{label}"));
    SigningKey::from_slice(&seed).map_err(|e| format!("p256 key {label}: {e}"))
}

/// A DER TLV with a definite length (contents below 64 KiB, as every structure here).
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

fn oid(dotted: &str) -> Result<Vec<u8>, String> {
    ObjectIdentifier::new(dotted)
        .map_err(|e| format!("{dotted}: {e}"))?
        .to_der()
        .map_err(|e| e.to_string())
}

/// A DER INTEGER from big-endian magnitude bytes.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if v.first().is_none_or(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn utc(t: i64) -> Result<Vec<u8>, String> {
    let t = u64::try_from(t).map_err(|e| e.to_string())?;
    UtcTime::from_unix_duration(Duration::from_secs(t))
        .map_err(|e| e.to_string())?
        .to_der()
        .map_err(|e| e.to_string())
}

/// A self-signed P-256 document signer certificate (DER), valid `not_before..=not_after`, with
/// an extended key usage extension listing `eku` when given: a DSC as national DSC lists and
/// the EU gateway hand it to verifiers.
pub fn self_signed_dsc(
    key: &SigningKey,
    not_before: i64,
    not_after: i64,
    eku: Option<&[&str]>,
) -> Result<Vec<u8>, String> {
    let name = seq(&[
        tlv(0x31, &seq(&[oid("2.5.4.6")?, tlv(0x13, b"XX")])),
        tlv(0x31, &seq(&[oid("2.5.4.3")?, tlv(0x0c, b"hcx test DSC")])),
    ]);
    let point = key.verifying_key().to_sec1_point(false);
    let spki = seq(&[
        seq(&[oid("1.2.840.10045.2.1")?, oid("1.2.840.10045.3.1.7")?]),
        tlv(0x03, &[&[0u8][..], point.as_bytes()].concat()),
    ]);
    let mut tbs = vec![
        tlv(0xa0, &uint(&[2])),
        uint(&[0x2a]),
        seq(&[oid(ECDSA_SHA256)?]),
        name.clone(),
        seq(&[utc(not_before)?, utc(not_after)?]),
        name,
        spki,
    ];
    if let Some(eku) = eku {
        let oids = eku.iter().map(|o| oid(o)).collect::<Result<Vec<_>, _>>()?;
        let ext = seq(&[oid("2.5.29.37")?, tlv(0x04, &seq(&oids))]);
        tbs.push(tlv(0xa3, &seq(&[ext])));
    }
    let tbs = seq(&tbs);
    let sig: Signature = key.sign(&tbs);
    let (r, s) = sig.split_bytes();
    let sig_der = seq(&[uint(&r), uint(&s)]);
    Ok(seq(&[
        tbs,
        seq(&[oid(ECDSA_SHA256)?]),
        tlv(0x03, &[&[0u8][..], &sig_der].concat()),
    ]))
}

/// The DCC key id of a signer certificate: the first 8 bytes of SHA-256 of its DER.
pub fn dcc_kid(certificate_der: &[u8]) -> Vec<u8> {
    Sha256::digest(certificate_der)[..8].to_vec()
}

fn cbor(value: &Cbor) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// An `HC1:` text: the DCC JSON under `-260`/`1`, issued by country `XX`, signed ES256 by `key`
/// under `kid` in the protected header, zlib-compressed and base45-encoded.
pub fn hc1(key: &SigningKey, kid: &[u8], iat: i64, exp: i64, dcc: &Json) -> Result<String, String> {
    let int = |i: i64| Cbor::Integer(i.into());
    let dcc = Cbor::serialized(dcc).map_err(|e| e.to_string())?;
    let claims = cbor(&Cbor::Map(vec![
        (int(1), Cbor::Text("XX".into())),
        (int(4), int(exp)),
        (int(6), int(iat)),
        (int(-260), Cbor::Map(vec![(int(1), dcc)])),
    ]))?;
    let protected = cbor(&Cbor::Map(vec![
        (int(1), int(-7)),
        (int(4), Cbor::Bytes(kid.to_vec())),
    ]))?;
    let to_be_signed = cbor(&Cbor::Array(vec![
        Cbor::Text("Signature1".into()),
        Cbor::Bytes(protected.clone()),
        Cbor::Bytes(Vec::new()),
        Cbor::Bytes(claims.clone()),
    ]))?;
    let sig: Signature = key.sign(&to_be_signed);
    let cose = cbor(&Cbor::Tag(
        18,
        Box::new(Cbor::Array(vec![
            Cbor::Bytes(protected),
            Cbor::Map(Vec::new()),
            Cbor::Bytes(claims),
            Cbor::Bytes(sig.to_bytes().to_vec()),
        ])),
    ))?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&cose).map_err(|e| e.to_string())?;
    Ok(format!(
        "HC1:{}",
        base45::encode(z.finish().map_err(|e| e.to_string())?)
    ))
}

/// A DCC 1.3 vaccination certificate for an invented person.
pub fn dcc_vaccination() -> Json {
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

/// An SHC issuer's JWKS holding `key` (ES256, the RFC 7638 thumbprint as `kid`), and that kid.
pub fn shc_jwks(key: &SigningKey) -> Result<(String, String), String> {
    let point = key.verifying_key().to_sec1_point(false);
    let (x, y) = match point.as_bytes() {
        [4, x @ ..] if x.len() == 64 => (
            URL_SAFE_NO_PAD.encode(x.get(..32).ok_or("x")?),
            URL_SAFE_NO_PAD.encode(x.get(32..).ok_or("y")?),
        ),
        _ => return Err("not an uncompressed P-256 point".into()),
    };
    let thumbprint = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint));
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}","kid":"{kid}","use":"sig","alg":"ES256"}}]}}"#
    );
    Ok((jwks, kid))
}

/// A compact JWS (`zip: DEF`, ES256) whose payload bytes, the compressed form, are given.
pub fn shc_jws(key: &SigningKey, kid: &str, compressed: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"zip":"DEF","alg":"ES256","kid":"{kid}"}}"#));
    let payload = URL_SAFE_NO_PAD.encode(compressed);
    let input = format!("{header}.{payload}");
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// The `shc:/` numeric form of a JWS: each character as two digits, its code minus 45.
pub fn shc_numeric(jws: &str) -> String {
    let digits: String = jws
        .bytes()
        .map(|b| format!("{:02}", b.saturating_sub(45)))
        .collect();
    format!("shc:/{digits}")
}

/// Raw DEFLATE (RFC 1951), as SHC payloads are compressed.
pub fn deflate_raw(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).map_err(|e| e.to_string())?;
    z.finish().map_err(|e| e.to_string())
}

/// An ICAO VDS-NC seal (JSON): `data` signed ES256 in its RFC 8785 canonical form, the signer
/// certificate embedded as `sig.cer`.
pub fn vds_nc_seal(
    key: &SigningKey,
    certificate_der: &[u8],
    data: &Json,
) -> Result<String, String> {
    let canonical = serde_json_canonicalizer::to_vec(data).map_err(|e| e.to_string())?;
    let sig: Signature = key.sign(&canonical);
    let seal = json!({
        "data": data,
        "sig": {
            "alg": "ES256",
            "cer": URL_SAFE_NO_PAD.encode(certificate_der),
            "sigvl": URL_SAFE_NO_PAD.encode(sig.to_bytes()),
        }
    });
    Ok(seal.to_string())
}

/// Writes `samples/foreign/`: an EU DCC and its signer certificate, an SHC and its issuer's
/// JWKS, an ICAO VDS-NC seal and its (pinned) signer certificate, all valid at `T0`
/// (2026-11-21T08:00:00Z).
pub(crate) fn samples(files: &mut Files) -> Result<(), String> {
    let key = p256_key("dcc-signer")?;
    let dsc = self_signed_dsc(&key, T0 - 365 * DAY, T0 + 365 * DAY, None)?;
    let pem = pem_certificate(&dsc);
    let dcc = hc1(
        &key,
        &dcc_kid(&dsc),
        T0 - DAY,
        T0 + 180 * DAY,
        &dcc_vaccination(),
    )?;
    files.insert("samples/foreign/dcc-signer.pem".into(), pem.into_bytes());
    files.insert(
        "samples/foreign/dcc.txt".into(),
        format!("{dcc}\n").into_bytes(),
    );

    let key = p256_key("shc-issuer")?;
    let (jwks, kid) = shc_jwks(&key)?;
    let card = json!({
        "iss": "https://shc.issuer.example",
        "nbf": T0 - DAY,
        "vc": {
            "type": ["https://smarthealth.cards#health-card"],
            "credentialSubject": {
                "fhirVersion": "4.0.1",
                "fhirBundle": {"resourceType": "Bundle", "type": "collection", "entry": [
                    {"fullUrl": "resource:0", "resource": {"resourceType": "Patient",
                        "name": [{"family": "Anyperson", "given": ["John"]}],
                        "birthDate": "1951-01-20"}}
                ]}
            }
        }
    });
    let compressed = deflate_raw(card.to_string().as_bytes())?;
    let shc = shc_numeric(&shc_jws(&key, &kid, &compressed));
    files.insert(
        "samples/foreign/shc-issuer.jwks.json".into(),
        format!("{jwks}\n").into_bytes(),
    );
    files.insert(
        "samples/foreign/shc.txt".into(),
        format!("{shc}\n").into_bytes(),
    );

    let key = p256_key("vds-nc-signer")?;
    let signer = self_signed_dsc(&key, T0 - 365 * DAY, T0 + 365 * DAY, None)?;
    let data = json!({
        "hdr": {"t": "icao.vacc", "v": 1, "is": "UTO"},
        "msg": {
            "uvci": "U32870",
            "pid": {"n": "Smith Bill", "dob": "1990-01-02", "sex": "M"},
            "ve": [{"des": "XM68M6", "nam": "Comirnaty", "dis": "RA01.0",
                    "vd": [{"dvc": "2021-03-03", "seq": 1, "ctr": "UTO", "adm": "RIVM",
                            "lot": "VC35679", "dvn": "2021-03-24"}]}]
        }
    });
    let seal = vds_nc_seal(&key, &signer, &data)?;
    files.insert(
        "samples/foreign/vds-nc-signer.pem".into(),
        pem_certificate(&signer).into_bytes(),
    );
    files.insert(
        "samples/foreign/vds-nc.json".into(),
        format!("{seal}\n").into_bytes(),
    );
    Ok(())
}

/// A certificate's DER as PEM, 64 base64 characters per line.
fn pem_certificate(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}
