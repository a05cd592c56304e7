//! EU Digital COVID Certificates (`HC1:` + base45 + zlib + COSE_Sign1 over a CWT).
//!
//! Each step is public so conformance tests can check them one by one, as the EU test data
//! expects; [`verify`] runs them all in order.

use ciborium::value::Value as Cbor;
use serde_json::Value as Json;

use crate::crypto::Alg;
use crate::error::{Error, schema};
use crate::limits::MAX_INPUT_BYTES;
use crate::summary::{ForeignSummary, Summary};
use crate::trust::TrustStore;
use crate::util::{cbor_to_json, inflate_zlib, parse_cbor, rewrap, rfc3339, to_b64};
use crate::x509::Cert;
use crate::{Decoded, IssuerRef, Verified, VerifyOptions};

/// The context identifier of DCC QR texts.
pub const PREFIX: &str = "HC1:";

/// Extended key usage OIDs that restrict a DSC to test, vaccination or recovery certificates,
/// in the registered form and the mis-registered `…4.1.0.1847…` form some countries used.
const EKU_TEST: [&str; 2] = ["1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.1"];
const EKU_VACC: [&str; 2] = ["1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.2"];
const EKU_RECOVERY: [&str; 2] = ["1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.0.1847.2021.1.3"];

/// Step 1: strips the `HC1:` prefix.
pub fn unprefix(text: &str) -> Result<&str, Error> {
    text.strip_prefix(PREFIX).ok_or_else(|| {
        Error::BadPrefix(format!(
            "`{}` is not `HC1:`",
            text.chars().take(4).collect::<String>()
        ))
    })
}

/// Step 2: decodes base45 (RFC 9285).
pub fn base45_decode(text: &str) -> Result<Vec<u8>, Error> {
    crate::util::base45_decode(text.as_bytes())
        .ok_or_else(|| Error::Base45("Invalid base45 string".into()))
}

/// Step 3: inflates the zlib stream, bounded by [`crate::limits::MAX_DECOMPRESSED_BYTES`].
/// Uncompressed COSE is rejected, as the DCC specification requires compression.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    inflate_zlib(bytes)
}

/// A parsed COSE_Sign1 structure.
#[derive(Debug, Clone, PartialEq)]
pub struct CoseSign1 {
    /// The serialized protected header, as signed.
    pub protected: Vec<u8>,
    /// `alg`, from the protected header (or the unprotected one when absent there).
    pub alg: Option<i64>,
    /// `kid`, from the protected header, or the unprotected one when absent there.
    pub kid: Option<Vec<u8>>,
    /// The payload (a CWT claims set).
    pub payload: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
}

fn header_map(value: &Cbor) -> Result<&Vec<(Cbor, Cbor)>, Error> {
    value
        .as_map()
        .ok_or_else(|| Error::NotCoseSign1("a header is not a map".into()))
}

fn header_get(map: &[(Cbor, Cbor)], label: i64) -> Option<&Cbor> {
    map.iter()
        .find(|(k, _)| {
            k.as_integer()
                .is_some_and(|i| i128::from(i) == i128::from(label))
        })
        .map(|(_, v)| v)
}

/// Step 4: parses a COSE_Sign1 (tag 18, untagged, or wrapped in the CWT tag 61).
pub fn parse_cose(bytes: &[u8]) -> Result<CoseSign1, Error> {
    let mut value = parse_cbor(bytes).map_err(|e| rewrap(e, Error::NotCoseSign1))?;
    if let Cbor::Tag(61, inner) = value {
        value = *inner;
    }
    if let Cbor::Tag(tag, inner) = value {
        if tag != 18 {
            return Err(Error::NotCoseSign1(format!("tag {tag}, not 18")));
        }
        value = *inner;
    }
    let Cbor::Array(items) = value else {
        return Err(Error::NotCoseSign1("not an array".into()));
    };
    let [protected, unprotected, payload, signature] = <[Cbor; 4]>::try_from(items)
        .map_err(|_| Error::NotCoseSign1("not an array of 4 items".into()))?;
    let (Cbor::Bytes(protected), Cbor::Bytes(payload), Cbor::Bytes(signature)) =
        (protected, payload, signature)
    else {
        return Err(Error::NotCoseSign1(
            "protected header, payload or signature is not a byte string".into(),
        ));
    };
    let prot_value = if protected.is_empty() {
        Cbor::Map(Vec::new())
    } else {
        parse_cbor(&protected)
            .map_err(|e| rewrap(e, |m| Error::NotCoseSign1(format!("protected: {m}"))))?
    };
    let prot = header_map(&prot_value)?;
    let unprot = header_map(&unprotected)?;
    let alg = match header_get(prot, 1).or_else(|| header_get(unprot, 1)) {
        None => None,
        Some(v) => Some(
            v.as_integer()
                .and_then(|i| i64::try_from(i).ok())
                .ok_or_else(|| Error::NotCoseSign1("alg is not an integer".into()))?,
        ),
    };
    // A kid in the protected header wins: an unprotected kid could be swapped by anyone.
    let kid = match header_get(prot, 4).or_else(|| header_get(unprot, 4)) {
        None => None,
        Some(Cbor::Bytes(k)) => Some(k.clone()),
        Some(_) => return Err(Error::NotCoseSign1("kid is not a byte string".into())),
    };
    Ok(CoseSign1 {
        protected,
        alg,
        kid,
        payload,
        signature,
    })
}

impl CoseSign1 {
    /// The bytes the signature covers: `["Signature1", protected, h'', payload]`.
    pub fn sig_structure(&self) -> Vec<u8> {
        let structure = Cbor::Array(vec![
            Cbor::Text("Signature1".into()),
            Cbor::Bytes(self.protected.clone()),
            Cbor::Bytes(Vec::new()),
            Cbor::Bytes(self.payload.clone()),
        ]);
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = ciborium::ser::into_writer(&structure, &mut out);
        out
    }

    /// The kid as standard base64 (how DCC trust lists write it).
    pub fn kid_b64(&self) -> String {
        self.kid.as_deref().map(to_b64).unwrap_or_default()
    }
}

pub use crate::dcc_cwt::Cwt;

fn cwt_time(v: &Cbor, name: &str) -> Result<i64, Error> {
    let t = match v {
        Cbor::Integer(i) => i64::try_from(*i).ok(),
        // Some issuers wrote fractional NumericDates.
        Cbor::Float(f) if f.is_finite() && f.abs() < 1e15 => Some(f.floor() as i64),
        Cbor::Tag(1, inner) => return cwt_time(inner, name),
        _ => None,
    };
    t.ok_or_else(|| Error::Cwt(format!("`{name}` is not a NumericDate")))
}

/// Step 5: parses the CWT claims set and extracts the DCC.
pub fn parse_cwt(payload: &[u8]) -> Result<Cwt, Error> {
    crate::fast_cwt::parse(payload).map_or_else(|| parse_cwt_general(payload), Ok)
}

/// Step 5 through a CBOR value tree: every shape, every error (see [`crate::fast_cwt`]).
pub(crate) fn parse_cwt_general(payload: &[u8]) -> Result<Cwt, Error> {
    let value = parse_cbor(payload).map_err(|e| rewrap(e, Error::Cwt))?;
    let map = value
        .as_map()
        .ok_or_else(|| Error::Cwt("the claims set is not a map".into()))?;
    let iss = match header_get(map, 1) {
        None => None,
        Some(Cbor::Text(s)) => Some(s.clone()),
        Some(_) => return Err(Error::Cwt("`iss` is not text".into())),
    };
    let iat = header_get(map, 6).map(|v| cwt_time(v, "iat")).transpose()?;
    let exp = header_get(map, 4).map(|v| cwt_time(v, "exp")).transpose()?;
    let hcert = header_get(map, -260)
        .and_then(Cbor::as_map)
        .ok_or_else(|| Error::Cwt("no hcert claim (-260)".into()))?;
    let dcc = header_get(hcert, 1).ok_or_else(|| Error::Cwt("no DCC in hcert (1)".into()))?;
    let dcc = cbor_to_json(dcc)?;
    if !dcc.is_object() {
        return Err(Error::Cwt("the DCC is not a map".into()));
    }
    Ok(Cwt { iss, iat, exp, dcc })
}

/// Step 6: verifies the signature with the trusted signers of the kid; returns the signer's
/// certificate, if the trust store has it.
pub fn verify_signature<'t>(
    cose: &CoseSign1,
    trust: &'t TrustStore,
) -> Result<Option<&'t Cert>, Error> {
    let kid = cose.kid.as_ref().ok_or(Error::MissingKeyId)?;
    let alg = Alg::from_cose(cose.alg.ok_or(Error::MissingAlgorithm)?)?;
    let kid_b64 = to_b64(kid);
    let signers = trust
        .dcc
        .get(kid)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::UnknownKey {
            kid: kid_b64.clone(),
        })?;
    let mut allowed = signers.iter().filter(|s| s.key.alg() == alg).peekable();
    if allowed.peek().is_none() {
        return Err(Error::AlgorithmNotAllowedForKey {
            alg: alg.as_str().into(),
            kid: kid_b64,
        });
    }
    let signed = cose.sig_structure();
    let mut last = Error::BadSignature;
    for signer in allowed {
        match signer.key.verify(alg, &signed, &cose.signature) {
            Ok(()) => return Ok(signer.cert.as_ref()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Whether a DCC member is present. A JSON `null` counts as absent: about a million Bulgarian
/// certificates carry `"t": null, "r": null` next to `v` (Json.NET's default output), and the EU
/// reference verifiers read them so (docs/INTEROP.md, "Real-world certificates").
fn present<'a>(v: &'a Json, key: &str) -> Option<&'a Json> {
    v.get(key).filter(|m| !m.is_null())
}

/// The kind of a DCC: `vaccination` (v), `test` (t) or `recovery` (r); `None` unless exactly
/// one of them is present (a `null` member is absent).
pub fn kind(dcc: &Json) -> Option<&'static str> {
    let present: Vec<&'static str> = [("v", "vaccination"), ("t", "test"), ("r", "recovery")]
        .into_iter()
        .filter(|(k, _)| present(dcc, k).is_some())
        .map(|(_, name)| name)
        .collect();
    match present.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Step 7: the DSC's extended key usage must allow the DCC's kind. Only the DCC OIDs restrict:
/// a DSC whose EKU lists none of them (no extension, an empty one, or other purposes only, such
/// as ICAO's) may sign every kind, as the EU reference verifiers rule; one that lists any DCC OID
/// must list the kind's.
pub fn check_key_usage(cert: &Cert, dcc: &Json) -> Result<(), Error> {
    let Some(eku) = cert.eku.as_ref() else {
        return Ok(());
    };
    let has = |oids: &[&str; 2]| eku.iter().any(|o| oids.contains(&o.as_str()));
    if !(has(&EKU_TEST) || has(&EKU_VACC) || has(&EKU_RECOVERY)) {
        return Ok(());
    }
    let Some(kind) = kind(dcc) else {
        return Err(schema("", "exactly one of v, t, r is required"));
    };
    let allowed = match kind {
        "vaccination" => has(&EKU_VACC),
        "test" => has(&EKU_TEST),
        _ => has(&EKU_RECOVERY),
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::KeyUsage { kind })
    }
}

/// Step 8: `DSC.notBefore <= iat <= now <= exp` and `now <= DSC.notAfter` (inclusive), with
/// `skew` seconds of tolerance on the comparisons with `now`. An `exp` later than the DSC's
/// notAfter is not itself an error (the EU reference verifiers check the DSC at the time of
/// verification, not against `exp`): such a certificate is valid until its DSC expires.
pub fn check_times(cwt: &Cwt, cert: Option<&Cert>, now: i64, skew: i64) -> Result<(), Error> {
    let iat = cwt.iat.ok_or_else(|| Error::Cwt("no `iat`".into()))?;
    let exp = cwt.exp.ok_or_else(|| Error::Cwt("no `exp`".into()))?;
    if exp < iat {
        return Err(Error::BadValidityPeriod("`exp` precedes `iat`".into()));
    }
    if let Some(cert) = cert.filter(|c| iat < c.not_before) {
        return Err(Error::SignerNotValid(format!(
            "issued at {} before the DSC's notBefore {}",
            rfc3339(iat),
            rfc3339(cert.not_before)
        )));
    }
    if now < iat.saturating_sub(skew) {
        return Err(Error::NotYetValid {
            valid_from: iat,
            now,
            skew,
        });
    }
    if now > exp.saturating_add(skew) {
        return Err(Error::Expired {
            expires_at: exp,
            now,
            skew,
        });
    }
    if let Some(cert) = cert.filter(|c| now > c.not_after.saturating_add(skew)) {
        return Err(Error::SignerNotValid(format!(
            "the DSC expired at {} (the certificate's own exp is {})",
            rfc3339(cert.not_after),
            rfc3339(exp)
        )));
    }
    Ok(())
}

/// Step 9: structural checks of the DCC JSON schema (1.0.0 to 1.3.x): required fields and their
/// types, lengths and patterns, exactly one of v/t/r, and country codes from ISO 3166-1. A
/// member that is JSON `null` counts as absent (so `"t": null` beside `v` passes, and a required
/// member that is `null` is missing).
/// Membership in the other value sets (vaccines, test devices) is not checked: those lists are
/// living data, distributed as business rules.
pub fn check_schema(dcc: &Json) -> Result<(), Error> {
    if !dcc.is_object() {
        return Err(schema("", "the DCC is not an object"));
    }
    let ver = text(dcc, "ver", "ver", 16)?;
    if !is_semver(ver) {
        return Err(schema("ver", "not a version like 1.3.0"));
    }
    let nam = dcc
        .get("nam")
        .filter(|n| n.is_object())
        .ok_or_else(|| schema("nam", "required object missing"))?;
    let fnt = text(nam, "fnt", "nam.fnt", 80)?;
    if !fnt.bytes().all(|b| b.is_ascii_uppercase() || b == b'<') {
        return Err(schema("nam.fnt", "must match ^[A-Z<]*$"));
    }
    if let Some(gnt) = opt_text(nam, "gnt", "nam.gnt", 80)? {
        if !gnt.bytes().all(|b| b.is_ascii_uppercase() || b == b'<') {
            return Err(schema("nam.gnt", "must match ^[A-Z<]*$"));
        }
    }
    opt_text(nam, "fn", "nam.fn", 80)?;
    opt_text(nam, "gn", "nam.gn", 80)?;
    let dob = text(dcc, "dob", "dob", 32)?;
    if !(dob.is_empty() || is_partial_date(dob) || is_date_time(dob)) {
        return Err(schema("dob", "not a date (YYYY, YYYY-MM or YYYY-MM-DD)"));
    }
    let groups: Vec<&str> = ["v", "t", "r"]
        .into_iter()
        .filter(|k| present(dcc, k).is_some())
        .collect();
    let [group] = groups.as_slice() else {
        return Err(schema("", "exactly one of v, t, r is required"));
    };
    let entries = present(dcc, group)
        .and_then(Json::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| schema(*group, "must be a non-empty array"))?;
    for (i, e) in entries.iter().enumerate() {
        let at = |f: &str| format!("{group}[{i}].{f}");
        if !e.is_object() {
            return Err(schema(format!("{group}[{i}]"), "not an object"));
        }
        text(e, "tg", &at("tg"), 80)?;
        country(e, &at("co"))?;
        text(e, "is", &at("is"), 80)?;
        text(e, "ci", &at("ci"), 80)?;
        match *group {
            "v" => {
                for f in ["vp", "mp", "ma"] {
                    text(e, f, &at(f), 80)?;
                }
                for f in ["dn", "sd"] {
                    let n = e
                        .get(f)
                        .and_then(Json::as_u64)
                        .ok_or_else(|| schema(at(f), "required integer missing"))?;
                    if !(1..=9).contains(&n) {
                        return Err(schema(at(f), "must be 1 to 9"));
                    }
                }
                date(e, "dt", &at("dt"))?;
            }
            "t" => {
                for f in ["tt", "tr"] {
                    text(e, f, &at(f), 80)?;
                }
                for f in ["nm", "ma", "tc"] {
                    opt_text(e, f, &at(f), 80)?;
                }
                let sc = text(e, "sc", &at("sc"), 40)?;
                if !is_date_time(sc) {
                    return Err(schema(at("sc"), "not a date-time"));
                }
                if let Some(dr) = opt_text(e, "dr", &at("dr"), 40)? {
                    if !is_date_time(dr) {
                        return Err(schema(at("dr"), "not a date-time"));
                    }
                }
            }
            _ => {
                for f in ["fr", "df", "du"] {
                    date(e, f, &at(f))?;
                }
            }
        }
    }
    Ok(())
}

fn text<'a>(v: &'a Json, key: &str, path: &str, max: usize) -> Result<&'a str, Error> {
    opt_text(v, key, path, max)?.ok_or_else(|| schema(path, "required string missing"))
}

/// An optional text member; `null` is absent, as for the groups (Json.NET writes every unset
/// member as `null`).
fn opt_text<'a>(v: &'a Json, key: &str, path: &str, max: usize) -> Result<Option<&'a str>, Error> {
    match present(v, key) {
        None => Ok(None),
        Some(Json::String(s)) if s.chars().count() <= max => Ok(Some(s)),
        Some(Json::String(_)) => Err(schema(path, format!("longer than {max} characters"))),
        Some(_) => Err(schema(path, "not a string")),
    }
}

fn date(v: &Json, key: &str, path: &str) -> Result<(), Error> {
    let d = text(v, key, path, 40)?;
    // Dates must be full dates; issuers of schema 1.0.x sometimes wrote a date-time.
    if (d.len() == 10 && is_partial_date(d)) || is_date_time(d) {
        Ok(())
    } else {
        Err(schema(path, "not a date YYYY-MM-DD"))
    }
}

fn country(v: &Json, path: &str) -> Result<(), Error> {
    let co = text(v, "co", path, 2)?;
    // Entries are two capitals and a space: compare in place rather than split into strings
    // (the split cost a tenth of the schema check).
    let known = ISO_3166_ALPHA2
        .as_bytes()
        .chunks(3)
        .any(|c| c.get(..2) == Some(co.as_bytes()));
    if known {
        Ok(())
    } else {
        Err(schema(
            path,
            format!("`{co}` is not an ISO 3166-1 alpha-2 country code"),
        ))
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_semver(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| digits(p))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn is_partial_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [y] => y.len() == 4 && digits(y),
        [y, m] => y.len() == 4 && digits(y) && m.len() == 2 && digits(m),
        [y, m, d] => {
            y.len() == 4 && digits(y) && m.len() == 2 && digits(m) && d.len() == 2 && digits(d)
        }
        _ => false,
    }
}

/// An ISO 8601 date-time with a time part (`2021-05-24T15:20:00+02:00`, `…Z`, fractions).
fn is_date_time(s: &str) -> bool {
    let Some((d, t)) = s.split_once('T') else {
        return false;
    };
    d.len() == 10
        && is_partial_date(d)
        && t.len() >= 5
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b'+' | b'-' | b'Z'))
}

/// Officially assigned ISO 3166-1 alpha-2 codes.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Decodes an `HC1:` text through every step except signature and time checks.
pub fn decode_steps(text: &str) -> Result<(CoseSign1, Cwt), Error> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            what: "input",
            len: text.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let compressed = base45_decode(unprefix(text)?)?;
    let cose = parse_cose(&decompress(&compressed)?)?;
    let cwt = parse_cwt(&cose.payload)?;
    Ok((cose, cwt))
}

/// Decodes without verifying.
pub fn decode(text: &str) -> Result<Decoded, Error> {
    let (cose, cwt) = decode_steps(text)?;
    Ok(Decoded {
        format: crate::Format::EuDcc.as_str(),
        issuer: cwt.iss.clone(),
        key_id: cose.kid.as_ref().map(|_| cose.kid_b64()),
        alg: cose.alg.map(|a| {
            Alg::from_cose(a)
                .map(|x| x.as_str().to_owned())
                .unwrap_or_else(|_| a.to_string())
        }),
        issued_at: cwt.iat.map(rfc3339),
        expires_at: cwt.exp.map(rfc3339),
        summary: Summary::from_dcc(&cwt),
        claims: cwt.dcc,
    })
}

/// Verifies an `HC1:` text: signature, key usage, DSC validity, times, schema.
pub fn verify(text: &str, trust: &TrustStore, options: &VerifyOptions) -> Result<Verified, Error> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            what: "input",
            len: text.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let compressed = base45_decode(unprefix(text)?)?;
    let cose = parse_cose(&decompress(&compressed)?)?;
    let cert = verify_signature(&cose, trust)?;
    let cwt = parse_cwt(&cose.payload)?;
    if let Some(cert) = cert {
        check_key_usage(cert, &cwt.dcc)?;
    }
    check_times(&cwt, cert, options.now, options.skew_secs)?;
    check_schema(&cwt.dcc)?;
    let country = cwt.iss.clone().unwrap_or_default();
    Ok(Verified {
        format: crate::Format::EuDcc.as_str(),
        issuer: IssuerRef {
            id: country,
            name: cert.and_then(Cert::common_name),
        },
        key_id: cose.kid_b64(),
        issued_at: cwt.iat,
        expires_at: cwt.exp,
        summary: Summary::from_dcc(&cwt),
        claims: cwt.dcc,
    })
}

/// Converts CBOR bytes holding a DCC (or a whole CWT claims set with the DCC under
/// `-260` → `1`) to its JSON form.
pub fn dcc_json_from_cbor(bytes: &[u8]) -> Result<Json, Error> {
    let value = parse_cbor(bytes)?;
    if let Some(map) = value.as_map() {
        if header_get(map, -260).is_some() {
            return Ok(parse_cwt(bytes)?.dcc);
        }
    }
    cbor_to_json(&value)
}
