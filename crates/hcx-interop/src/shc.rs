//! SMART Health Cards: `shc:/` numeric QR texts (single or the deprecated `shc:/K/N/` chunks),
//! compact JWS with a raw-DEFLATE payload, `.smart-health-card` files and `$health-cards-issue`
//! responses.

use serde_json::Value as Json;

use crate::crypto::Alg;
use crate::error::{Error, schema};
use crate::limits::{MAX_CHUNKS, MAX_FILE_CREDENTIALS, MAX_INPUT_BYTES, MAX_SHC_QR_VERSION};
use crate::summary::{ForeignSummary, Summary};
use crate::trust::{ShcKey, TrustStore};
use crate::util::{
    MAX_UNIX_TIME, b64url, inflate_raw, jstr, numeric_date, parse_json_strict, rfc3339,
};
use crate::{Decoded, IssuerRef, Verified, VerifyOptions};

/// The prefix of SHC QR texts.
pub const PREFIX: &str = "shc:/";
/// The `vc.type` every SMART Health Card carries.
pub const HEALTH_CARD_TYPE: &str = "https://smarthealth.cards#health-card";
/// Longest JWS part of one chunk of the deprecated chunked form, in characters.
pub const MAX_CHUNK_JWS_CHARS: usize = 1191;

fn check_size(text: &str) -> Result<(), Error> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            what: "input",
            len: text.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    Ok(())
}

/// Rejects surrounding characters the SHC validator rejects (whitespace, a byte-order mark),
/// allowing one final line break as text files have.
fn strip_final_newline(text: &str) -> Result<&str, Error> {
    let body = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    if body.starts_with('\u{feff}') {
        return Err(Error::TrailingCharacters(
            "a byte-order mark precedes the data".into(),
        ));
    }
    if body.ends_with(|c: char| c.is_whitespace()) || body.starts_with(|c: char| c.is_whitespace())
    {
        return Err(Error::TrailingCharacters(
            "whitespace around the data".into(),
        ));
    }
    Ok(body)
}

/// A numeric QR text: `(K, N)` for a chunk of the deprecated chunked form, and the JWS text.
pub fn parse_numeric(text: &str) -> Result<(Option<(usize, usize)>, String), Error> {
    check_size(text)?;
    let text = strip_final_newline(text)?;
    let rest = text
        .strip_prefix(PREFIX)
        .ok_or_else(|| Error::NumericQr("the text does not start with `shc:/`".into()))?;
    let (chunk, digits) = match rest.split_once('/') {
        None => (None, rest),
        Some((k, tail)) => {
            let (n, digits) = tail
                .split_once('/')
                .ok_or_else(|| Error::NumericQr("a chunk header is `shc:/K/N/`".into()))?;
            let parse = |s: &str| {
                if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                s.parse::<usize>().ok()
            };
            match (parse(k), parse(n)) {
                (Some(k), Some(n)) if 1 <= k && k <= n && n <= MAX_CHUNKS => (Some((k, n)), digits),
                _ => {
                    return Err(Error::NumericQr(format!(
                        "bad chunk header `{}/{}`",
                        k.chars().take(4).collect::<String>(),
                        n.chars().take(4).collect::<String>()
                    )));
                }
            }
        }
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::NumericQr(
            "non-digit characters in the numeric data".into(),
        ));
    }
    if digits.is_empty() || digits.len() % 2 != 0 {
        return Err(Error::NumericQr("an odd (or zero) number of digits".into()));
    }
    let mut jws = String::with_capacity(digits.len() / 2);
    for pair in digits.as_bytes().chunks(2) {
        let value = pair.iter().fold(0u8, |acc, d| {
            acc.saturating_mul(10).saturating_add(d - b'0')
        });
        if value > 77 {
            return Err(Error::NumericQr(format!("digit pair {value} is over 77")));
        }
        jws.push(char::from(value + 45));
    }
    if chunk.is_some() && jws.len() > MAX_CHUNK_JWS_CHARS {
        return Err(Error::NumericQr(format!(
            "a chunk holds {} JWS characters, more than {MAX_CHUNK_JWS_CHARS}",
            jws.len()
        )));
    }
    Ok((chunk, jws))
}

/// Joins the chunks of a `shc:/K/N/` set (in any order) into one JWS.
pub fn join_chunks(chunks: &[&str]) -> Result<String, Error> {
    if chunks.len() > MAX_CHUNKS {
        return Err(Error::TooLarge {
            what: "SHC chunk set (chunks)",
            len: chunks.len(),
            max: MAX_CHUNKS,
        });
    }
    if chunks.is_empty() {
        return Err(Error::Chunks(format!("expected 1 to {MAX_CHUNKS} chunks")));
    }
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    if total > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            what: "input",
            len: total,
            max: MAX_INPUT_BYTES,
        });
    }
    if let [single] = chunks {
        let (chunk, jws) = parse_numeric(single)?;
        return match chunk {
            None | Some((1, 1)) => Ok(jws),
            Some((_, n)) => Err(Error::Chunks(format!("1 of {n} chunks given"))),
        };
    }
    let mut parts: Vec<Option<String>> = vec![None; chunks.len()];
    for text in chunks {
        let (chunk, jws) = parse_numeric(text)?;
        let (k, n) =
            chunk.ok_or_else(|| Error::Chunks("a text is not a `shc:/K/N/` chunk".into()))?;
        if n != chunks.len() {
            return Err(Error::Chunks(format!(
                "chunk {k}/{n} in a set of {} texts",
                chunks.len()
            )));
        }
        let slot = parts
            .get_mut(k - 1)
            .ok_or_else(|| Error::Chunks(format!("chunk index {k} out of range")))?;
        if slot.replace(jws).is_some() {
            return Err(Error::Chunks(format!("chunk {k} given twice")));
        }
    }
    Ok(parts.into_iter().flatten().collect())
}

/// A compact JWS, split and decoded (payload still compressed).
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    /// The protected header.
    pub header: Json,
    /// `alg`.
    pub alg: String,
    /// `kid`.
    pub kid: String,
    /// The signing input: `base64url(header) "." base64url(payload)`.
    pub signing_input: String,
    /// The (deflated) payload bytes.
    pub payload: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// Parses a compact JWS and checks the SHC header rules: `alg`, `kid` and `zip: "DEF"`.
pub fn parse_jws(text: &str) -> Result<Jws, Error> {
    check_size(text)?;
    let text = strip_final_newline(text)?;
    let mut parts = text.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::Jws("not three dot-separated parts".into()));
    };
    let b64chars = |x: &str| {
        x.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !(b64chars(h) && b64chars(p) && b64chars(s)) {
        return Err(Error::Jws("a part is not base64url".into()));
    }
    let header = parse_json_strict(&b64url(h, "JWS header")?, "JWS header")?;
    if !header.is_object() {
        return Err(Error::Jws("the header is not a JSON object".into()));
    }
    let alg = jstr(&header, "alg").ok_or_else(|| Error::Jws("the header has no `alg`".into()))?;
    let kid = jstr(&header, "kid").ok_or_else(|| Error::Jws("the header has no `kid`".into()))?;
    if jstr(&header, "zip") != Some("DEF") {
        return Err(Error::Jws("the header must have `zip: \"DEF\"`".into()));
    }
    Ok(Jws {
        alg: alg.to_owned(),
        kid: kid.to_owned(),
        header: header.clone(),
        signing_input: format!("{h}.{p}"),
        payload: b64url(p, "JWS payload")?,
        signature: b64url(s, "JWS signature")?,
    })
}

/// Parses an inflated JWS payload: strict JSON, nothing after it.
pub fn parse_payload(bytes: &[u8]) -> Result<Json, Error> {
    let payload = parse_json_strict(bytes, "JWS payload")?;
    if !payload.is_object() {
        return Err(Error::Json("the JWS payload is not an object".into()));
    }
    Ok(payload)
}

/// `iss` must be an `https://` URL without a trailing slash.
pub fn check_issuer_url(iss: &str) -> Result<(), Error> {
    let host = iss.strip_prefix("https://").unwrap_or("");
    if host.is_empty() || iss.ends_with('/') || iss.chars().any(|c| c.is_whitespace()) {
        return Err(Error::InvalidIssuerUrl(iss.chars().take(200).collect()));
    }
    Ok(())
}

/// `nbf` and optional `exp`, Unix seconds (fractions dropped).
pub fn validity(payload: &Json) -> Result<(i64, Option<i64>), Error> {
    let nbf_value = payload
        .get("nbf")
        .ok_or_else(|| Error::BadValidityPeriod("no `nbf`".into()))?;
    // An nbf beyond year 9999 (milliseconds by mistake) is simply not valid yet.
    let nbf = match numeric_date(nbf_value, "nbf") {
        Ok(t) => t,
        Err(_) if nbf_value.as_f64().is_some_and(|f| f > MAX_UNIX_TIME as f64) => MAX_UNIX_TIME,
        Err(e) => return Err(e),
    };
    let exp = payload
        .get("exp")
        .map(|e| numeric_date(e, "exp"))
        .transpose()?;
    if exp.is_some_and(|e| e < nbf) {
        return Err(Error::BadValidityPeriod("`exp` precedes `nbf`".into()));
    }
    Ok((nbf, exp))
}

/// Checks a payload's validity period at `now` and its `vc` structure (the health-card type, a
/// FHIR Bundle whose Immunizations and Observations carry codings).
pub fn check_payload(payload: &Json, now: i64, skew: i64) -> Result<(), Error> {
    let (nbf, exp) = validity(payload)?;
    if now < nbf.saturating_sub(skew) {
        return Err(Error::NotYetValid {
            valid_from: nbf,
            now,
            skew,
        });
    }
    if let Some(exp) = exp {
        if now >= exp.saturating_add(skew) {
            return Err(Error::Expired {
                expires_at: exp,
                now,
                skew,
            });
        }
    }
    check_vc(payload)
}

fn check_vc(payload: &Json) -> Result<(), Error> {
    let vc = payload
        .get("vc")
        .filter(|v| v.is_object())
        .ok_or_else(|| schema("vc", "required object missing"))?;
    let types = vc
        .get("type")
        .and_then(Json::as_array)
        .ok_or_else(|| schema("vc.type", "required array missing"))?;
    if !types.iter().any(|t| t.as_str() == Some(HEALTH_CARD_TYPE)) {
        return Err(schema(
            "vc.type",
            format!("does not contain {HEALTH_CARD_TYPE}"),
        ));
    }
    let bundle = vc
        .get("credentialSubject")
        .and_then(|c| c.get("fhirBundle"))
        .filter(|b| jstr(b, "resourceType") == Some("Bundle"))
        .ok_or_else(|| schema("vc.credentialSubject.fhirBundle", "no FHIR Bundle"))?;
    let entries = bundle
        .get("entry")
        .and_then(Json::as_array)
        .ok_or_else(|| {
            schema(
                "vc.credentialSubject.fhirBundle.entry",
                "required array missing",
            )
        })?;
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("vc.credentialSubject.fhirBundle.entry[{i}].resource");
        let resource = entry
            .get("resource")
            .filter(|r| r.is_object())
            .ok_or_else(|| schema(&at, "required object missing"))?;
        let coded = match jstr(resource, "resourceType") {
            Some("Immunization") => Some("vaccineCode"),
            Some("Observation") => Some("code"),
            Some(_) => None,
            None => return Err(schema(&at, "no resourceType")),
        };
        if let Some(field) = coded {
            let has_coding = resource
                .get(field)
                .and_then(|c| c.get("coding"))
                .and_then(Json::as_array)
                .is_some_and(|c| !c.is_empty());
            if !has_coding {
                return Err(schema(
                    format!("{at}.{field}.coding"),
                    "required, non-empty",
                ));
            }
        }
    }
    Ok(())
}

/// Finds the key for `(iss, kid)`: an issuer with a bound key set is verified only with it;
/// otherwise unbound keys (from [`TrustStore::add_file`]) are matched by kid.
fn find_key<'t>(trust: &'t TrustStore, iss: &str, kid: &str) -> Result<&'t ShcKey, Error> {
    let mismatch = || Error::IssuerKidMismatch {
        iss: iss.chars().take(200).collect(),
        kid: kid.chars().take(64).collect(),
    };
    let mut bound = trust
        .shc_keys
        .iter()
        .filter(|k| k.issuer.as_deref() == Some(iss))
        .peekable();
    if bound.peek().is_some() {
        return bound.find(|k| k.kid == kid).ok_or_else(mismatch);
    }
    if let Some(key) = trust
        .shc_keys
        .iter()
        .find(|k| k.issuer.is_none() && k.kid == kid)
    {
        return Ok(key);
    }
    if trust.shc_keys.iter().any(|k| k.kid == kid) {
        return Err(mismatch());
    }
    Err(Error::UnknownKey {
        kid: kid.chars().take(64).collect(),
    })
}

fn check_revocation(
    trust: &TrustStore,
    key: &ShcKey,
    payload: &Json,
    nbf: i64,
) -> Result<(), Error> {
    let Some(crl) = trust.crls.get(&key.kid) else {
        return Ok(());
    };
    if let Some(version) = key.crl_version {
        if version != crl.ctr {
            return Err(Error::RevocationListInvalid(format!(
                "the list has ctr {} but key {} has crlVersion {version}",
                crl.ctr, key.kid
            )));
        }
    }
    let Some(rid) = payload.get("vc").and_then(|vc| jstr(vc, "rid")) else {
        return Ok(());
    };
    match crl.rids.get(rid) {
        // `rid.timestamp`: only credentials issued before the timestamp are revoked.
        Some(Some(cutoff)) if nbf >= *cutoff => Ok(()),
        Some(_) => Err(Error::Revoked {
            rid: rid.chars().take(24).collect(),
        }),
        None => Ok(()),
    }
}

/// Verifies one compact JWS.
pub fn verify_jws(
    text: &str,
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<Verified, Error> {
    let jws = parse_jws(text)?;
    let alg = Alg::from_jose(&jws.alg)?;
    if alg != Alg::Es256 {
        return Err(Error::UnsupportedAlgorithm {
            alg: jws.alg.clone(),
        });
    }
    let payload = parse_payload(&inflate_raw(&jws.payload)?)?;
    let iss = jstr(&payload, "iss").ok_or_else(|| schema("iss", "required string missing"))?;
    check_issuer_url(iss)?;
    let key = find_key(trust, iss, &jws.kid)?;
    key.key
        .verify(alg, jws.signing_input.as_bytes(), &jws.signature)?;
    let (nbf, exp) = validity(&payload)?;
    if let Some(leaf) = &key.x5c_leaf {
        if !leaf
            .san_uris
            .as_ref()
            .is_some_and(|u| u.iter().any(|u| u == iss))
        {
            return Err(Error::CertificateInvalid(
                "the x5c leaf certificate is for another issuer".into(),
            ));
        }
        if !leaf.valid_at(nbf) {
            return Err(Error::SignerNotValid(format!(
                "issued at {} outside the x5c certificate's validity {} to {}",
                rfc3339(nbf),
                rfc3339(leaf.not_before),
                rfc3339(leaf.not_after)
            )));
        }
    }
    check_revocation(trust, key, &payload, nbf)?;
    check_payload(&payload, options.now, options.skew_secs)?;
    Ok(Verified {
        format: crate::Format::Shc.as_str(),
        issuer: IssuerRef {
            id: iss.to_owned(),
            name: trust.issuer_names.get(iss).cloned(),
        },
        key_id: jws.kid,
        issued_at: Some(nbf),
        expires_at: exp,
        summary: Summary::from_shc(&payload),
        claims: payload,
    })
}

/// The JWS texts in a `.smart-health-card` file or a `$health-cards-issue` Parameters response.
pub fn file_credentials(text: &str) -> Result<Vec<String>, Error> {
    check_size(text)?;
    let json = parse_json_strict(
        strip_final_newline(text)?.as_bytes(),
        "SMART Health Card file",
    )?;
    let items: Vec<&Json> = if let Some(list) = json.get("verifiableCredential") {
        list.as_array()
            .ok_or_else(|| Error::Json("`verifiableCredential` is not an array".into()))?
            .iter()
            .collect()
    } else if jstr(&json, "resourceType") == Some("Parameters") {
        json.get("parameter")
            .and_then(Json::as_array)
            .map(|ps| {
                ps.iter()
                    .filter(|p| jstr(p, "name") == Some("verifiableCredential"))
                    .filter_map(|p| p.get("valueString"))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        return Err(Error::Json("no `verifiableCredential`".into()));
    };
    if items.len() > MAX_FILE_CREDENTIALS {
        return Err(Error::TooLarge {
            what: "SMART Health Card file (credentials)",
            len: items.len(),
            max: MAX_FILE_CREDENTIALS,
        });
    }
    if items.is_empty() {
        return Err(Error::Json(format!(
            "expected 1 to {MAX_FILE_CREDENTIALS} credentials"
        )));
    }
    items
        .into_iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::Json("a credential is not a string".into()))
        })
        .collect()
}

/// Verifies every credential of a file; all must verify.
pub fn verify_file(
    text: &str,
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<Vec<Verified>, Error> {
    file_credentials(text)?
        .iter()
        .map(|jws| verify_jws(jws, trust, options))
        .collect()
}

/// The JWS texts of any SHC input: `shc:/` text, file JSON, or a bare JWS.
fn jws_texts(input: &str) -> Result<Vec<String>, Error> {
    if input.starts_with("shc:") {
        Ok(vec![join_chunks(&[input])?])
    } else if input.trim_start().starts_with('{') {
        file_credentials(input)
    } else {
        Ok(vec![input.to_owned()])
    }
}

/// Verifies any SHC input; for a file with several credentials all must verify and the first
/// is returned ([`verify_file`] returns them all).
pub fn verify(input: &str, trust: &TrustStore, options: &VerifyOptions) -> Result<Verified, Error> {
    let mut verified = jws_texts(input)?
        .iter()
        .map(|jws| verify_jws(jws, trust, options))
        .collect::<Result<Vec<_>, _>>()?;
    if verified.is_empty() {
        return Err(Error::Json("no credential".into()));
    }
    Ok(verified.swap_remove(0))
}

/// Verifies the chunks of a `shc:/K/N/` set.
pub fn verify_chunks(
    chunks: &[&str],
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<Verified, Error> {
    verify_jws(&join_chunks(chunks)?, trust, options)
}

/// The mode of one QR data segment, as far as the SHC rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QrMode {
    /// Numeric mode (digits).
    Numeric,
    /// Alphanumeric mode (`0–9 A–Z space $%*+-./:`).
    Alphanumeric,
    /// Byte mode.
    Byte,
    /// Kanji mode.
    Kanji,
    /// Any other segment: an ECI designator, structured append, FNC1, Hanzi.
    Other,
}

impl QrMode {
    /// `"numeric"`, `"alphanumeric"`, `"byte"`, `"kanji"` or `"other"`.
    pub fn as_str(self) -> &'static str {
        match self {
            QrMode::Numeric => "numeric",
            QrMode::Alphanumeric => "alphanumeric",
            QrMode::Byte => "byte",
            QrMode::Kanji => "kanji",
            QrMode::Other => "other",
        }
    }
}

/// The symbol an `shc:/` text was scanned from, as the QR decoder describes it (for instance
/// from `hcx_qr::decode_image_symbols`; this crate reads no images itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedSymbol {
    /// A QR code.
    Qr {
        /// The QR version, 1–40.
        version: u8,
        /// The modes of its data segments in order, `None` if the decoder could not tell.
        modes: Option<Vec<QrMode>>,
    },
    /// A symbol of another symbology, by name (e.g. `aztec`).
    Other(String),
}

/// Checks what the SHC spec asks of the QR code of a card or chunk: exactly two segments, the
/// `shc:/` (or `shc:/K/N/`) prefix in byte mode then the digits in numeric mode
/// ([`Error::QrSegments`]; unknown modes are not judged), and a version of at most
/// [`MAX_SHC_QR_VERSION`] ([`Error::QrVersion`]).
///
/// The segments are checked first: a wrong layout (one byte segment for everything) is what
/// usually makes a card's QR code too large, and then it is the error to report. Like the SHC
/// validator, only the modes are checked, not where the byte segment ends.
pub fn check_symbol(symbol: &ScannedSymbol) -> Result<(), Error> {
    let (version, modes) = match symbol {
        ScannedSymbol::Qr { version, modes } => (*version, modes.as_deref()),
        ScannedSymbol::Other(name) => {
            return Err(Error::QrSegments(format!(
                "a SMART Health Card must be a QR code, not {name}"
            )));
        }
    };
    if let Some(modes) = modes {
        if modes != [QrMode::Byte, QrMode::Numeric] {
            let found: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
            return Err(Error::QrSegments(format!(
                "{} segment(s) ({}), where a byte segment then a numeric segment are required",
                modes.len(),
                found.join(", ")
            )));
        }
    }
    if version > MAX_SHC_QR_VERSION {
        return Err(Error::QrVersion {
            version,
            max: MAX_SHC_QR_VERSION,
        });
    }
    Ok(())
}

/// Verifies a card scanned from QR codes: one `shc:/` text, or the chunks of a `shc:/K/N/` set
/// (any order), each with the symbol it was read from. Every symbol is checked
/// ([`check_symbol`]) before the texts are verified as [`verify_chunks`] does.
pub fn verify_scanned(
    scans: &[(&str, ScannedSymbol)],
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<Verified, Error> {
    for (_, symbol) in scans {
        check_symbol(symbol)?;
    }
    let texts: Vec<&str> = scans.iter().map(|(text, _)| *text).collect();
    verify_chunks(&texts, trust, options)
}

/// Decodes (without verifying) the first credential of any SHC input.
pub fn decode(input: &str) -> Result<Decoded, Error> {
    let texts = jws_texts(input)?;
    let first = texts
        .first()
        .ok_or_else(|| Error::Json("no credential".into()))?;
    decode_jws(first)
}

/// Decodes (without verifying) one compact JWS.
pub fn decode_jws(text: &str) -> Result<Decoded, Error> {
    let jws = parse_jws(text)?;
    let payload = parse_payload(&inflate_raw(&jws.payload)?)?;
    let (nbf, exp) = validity(&payload).unwrap_or((0, None));
    Ok(Decoded {
        format: crate::Format::Shc.as_str(),
        issuer: jstr(&payload, "iss").map(str::to_owned),
        key_id: Some(jws.kid),
        alg: Some(jws.alg),
        issued_at: payload.get("nbf").map(|_| rfc3339(nbf)),
        expires_at: exp.map(rfc3339),
        summary: Summary::from_shc(&payload),
        claims: payload,
    })
}
