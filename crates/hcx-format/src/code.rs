//! The code itself: `HCX1:` + base45(COSE_Sign1(CWT)), read strictly and written deterministically.

use ciborium::value::{Integer, Value};
use coset::{
    AsCborValue, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana,
};

use crate::cbor::{decode_deterministic, encode, sorted_map};
use crate::claims::HealthClaims;
use crate::error::Error;
use crate::keys::{KeyId, PrivateKey};
use crate::limits::MAX_TEXT_LEN;
use crate::timefmt::MAX_UNIX_TIME;

/// The text prefix of version 1 hcx codes.
pub const PREFIX: &str = "HCX1:";
/// COSE algorithm identifier of EdDSA, the only algorithm of version 1.
pub const ALG_EDDSA: i64 = -8;
/// CWT claim key under which the health claims live (RFC 8392 private-use range).
pub const CLAIM_HCX: i64 = -65537;
/// Length of the random code id (`cti`) issuers write.
pub const CODE_ID_LEN: usize = 8;

const CLAIM_ISS: i64 = 1;
const CLAIM_EXP: i64 = 4;
const CLAIM_NBF: i64 = 5;
const CLAIM_IAT: i64 = 6;
const CLAIM_CTI: i64 = 7;
const COSE_SIGN1_TAG: u64 = 18;

/// A code read and checked for form, but whose signature and validity are not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedCode {
    /// COSE algorithm identifier from the protected header.
    pub alg: i64,
    /// Key id from the protected header.
    pub key_id: KeyId,
    /// The `iss` claim.
    pub issuer: String,
    /// The `iat` claim, Unix seconds.
    pub issued_at: i64,
    /// The `exp` claim, Unix seconds.
    pub expires_at: i64,
    /// The `nbf` claim, Unix seconds, if present.
    pub not_before: Option<i64>,
    /// The `cti` claim: a random id for this code, used for revocation.
    pub code_id: Vec<u8>,
    /// The health claims.
    pub claims: HealthClaims,
    /// The exact bytes the signature covers (the COSE Sig_structure, RFC 9052 §4.4).
    pub signed_bytes: Vec<u8>,
    /// The signature as received.
    pub signature: Vec<u8>,
}

/// Reads a code text and checks its form (prefix, base45, CBOR, COSE, claims); verifies nothing.
pub fn decode(text: &str) -> Result<UnverifiedCode, Error> {
    let cose = cose_bytes(text)?;
    decode_cose(&cose)
}

/// Reads the prefix and base45 layers of a code text, returning the COSE bytes.
pub fn cose_bytes(text: &str) -> Result<Vec<u8>, Error> {
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::TextTooLong {
            len: text.len(),
            max: MAX_TEXT_LEN,
        });
    }
    let body = text.strip_prefix(PREFIX).ok_or(Error::BadPrefix)?;
    let bytes = base45::decode(body).map_err(|e| Error::Base45(format!("{e:?}")))?;
    // base45 has several texts for some byte strings (e.g. a final pair above 255 wraps);
    // exactly one is accepted so that a code has exactly one text form.
    if base45::encode(&bytes) != body {
        return Err(Error::NonCanonicalBase45);
    }
    Ok(bytes)
}

/// Reads COSE_Sign1 bytes and checks their form; verifies nothing.
pub fn decode_cose(cose: &[u8]) -> Result<UnverifiedCode, Error> {
    let value = decode_deterministic(cose)?;
    let inner = match value {
        Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
        Value::Tag(other, _) => {
            return Err(Error::NotCoseSign1(format!("tag {other}, expected 18")));
        }
        _ => return Err(Error::NotCoseSign1("missing tag 18".to_owned())),
    };
    // The protected header is signed as received, so it must itself be deterministic; checking
    // it before coset parses it also gives duplicate labels their own error.
    if let Value::Array(items) = &inner {
        if let Some(Value::Bytes(protected)) = items.first() {
            if !protected.is_empty() {
                decode_deterministic(protected)?;
            }
        }
    }
    let sign1 =
        CoseSign1::from_cbor_value(inner).map_err(|e| Error::NotCoseSign1(e.to_string()))?;
    let header = &sign1.protected.header;
    if !header.crit.is_empty()
        || header.content_type.is_some()
        || !header.iv.is_empty()
        || !header.partial_iv.is_empty()
        || !header.counter_signatures.is_empty()
        || !header.rest.is_empty()
    {
        return Err(Error::UnknownHeader);
    }
    if !sign1.unprotected.is_empty() {
        return Err(Error::UnprotectedHeader);
    }
    let alg = match &header.alg {
        None => return Err(Error::MissingAlgorithm),
        Some(coset::RegisteredLabelWithPrivate::Assigned(a)) => *a as i64,
        Some(coset::RegisteredLabelWithPrivate::PrivateUse(a)) => *a,
        Some(coset::RegisteredLabelWithPrivate::Text(_)) => {
            return Err(Error::NotCoseSign1("alg must be an integer".to_owned()));
        }
    };
    let key_id = KeyId::from_slice(&header.key_id).ok_or(Error::BadKeyId)?;
    let payload = sign1.payload.as_deref().ok_or(Error::MissingPayload)?;
    let claims = decode_claims(payload)?;
    let signed_bytes = sign1.tbs_data(&[]);
    Ok(UnverifiedCode {
        alg,
        key_id,
        issuer: claims.issuer,
        issued_at: claims.issued_at,
        expires_at: claims.expires_at,
        not_before: claims.not_before,
        code_id: claims.code_id,
        claims: claims.health,
        signed_bytes,
        signature: sign1.signature,
    })
}

struct CwtClaims {
    issuer: String,
    issued_at: i64,
    expires_at: i64,
    not_before: Option<i64>,
    code_id: Vec<u8>,
    health: HealthClaims,
}

fn malformed(field: &str, problem: &str) -> Error {
    Error::MalformedClaims(crate::claims::ClaimsError {
        field: field.to_owned(),
        problem: problem.to_owned(),
    })
}

fn decode_claims(payload: &[u8]) -> Result<CwtClaims, Error> {
    let Value::Map(entries) = decode_deterministic(payload)? else {
        return Err(malformed("", "the CWT claims set must be a map"));
    };
    let mut issuer = None;
    let mut issued_at = None;
    let mut expires_at = None;
    let mut not_before = None;
    let mut code_id = None;
    let mut health = None;
    for (key, value) in entries {
        let key = match key {
            Value::Integer(i) => {
                i64::try_from(i).map_err(|_| malformed("", "unknown claim key"))?
            }
            _ => return Err(malformed("", "claim keys must be integers")),
        };
        match key {
            CLAIM_ISS => issuer = Some(text_claim("iss", value)?),
            CLAIM_IAT => issued_at = Some(time_claim("iat", value)?),
            CLAIM_EXP => expires_at = Some(time_claim("exp", value)?),
            CLAIM_NBF => not_before = Some(time_claim("nbf", value)?),
            CLAIM_CTI => match value {
                Value::Bytes(b) if (8..=16).contains(&b.len()) => code_id = Some(b),
                _ => return Err(malformed("cti", "must be a byte string of 8 to 16 bytes")),
            },
            CLAIM_HCX => {
                health = Some(HealthClaims::from_cbor(value).map_err(Error::MalformedClaims)?)
            }
            other => {
                return Err(malformed("", &format!("unknown claim key {other}")));
            }
        }
    }
    let issuer = issuer.ok_or_else(|| malformed("iss", "is missing"))?;
    crate::trust::check_issuer_id(&issuer).map_err(|p| malformed("iss", &p))?;
    let issued_at = issued_at.ok_or_else(|| malformed("iat", "is missing"))?;
    let expires_at = expires_at.ok_or_else(|| malformed("exp", "is missing"))?;
    if expires_at <= issued_at {
        return Err(malformed("exp", "must be later than iat"));
    }
    if let Some(nbf) = not_before {
        if nbf >= expires_at {
            return Err(malformed("nbf", "must be earlier than exp"));
        }
    }
    Ok(CwtClaims {
        issuer,
        issued_at,
        expires_at,
        not_before,
        code_id: code_id.ok_or_else(|| malformed("cti", "is missing"))?,
        health: health
            .ok_or_else(|| malformed("hcx", "the health claims (key -65537) are missing"))?,
    })
}

fn text_claim(name: &str, value: Value) -> Result<String, Error> {
    match value {
        Value::Text(t) => Ok(t),
        _ => Err(malformed(name, "must be a text string")),
    }
}

fn time_claim(name: &str, value: Value) -> Result<i64, Error> {
    match value {
        Value::Integer(i) => i64::try_from(i)
            .ok()
            .filter(|t| (0..=MAX_UNIX_TIME).contains(t))
            .ok_or_else(|| malformed(name, "must be an integer time from 1970 to 9999")),
        _ => Err(malformed(name, "must be an integer NumericDate")),
    }
}

/// What to put in a code besides the health claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueParams {
    /// The issuer id (`iss`), as registered in the trust list.
    pub issuer: String,
    /// Issuing time (`iat`), Unix seconds.
    pub issued_at: i64,
    /// Expiry (`exp`), Unix seconds; later than `issued_at`.
    pub expires_at: i64,
    /// Optional start of validity (`nbf`), Unix seconds.
    pub not_before: Option<i64>,
}

/// Issues a code: validates the claims, signs them with `key`, and returns the `HCX1:` text.
pub fn issue(
    key: &PrivateKey,
    params: &IssueParams,
    claims: &HealthClaims,
) -> Result<String, Error> {
    let mut code_id = [0u8; CODE_ID_LEN];
    getrandom::fill(&mut code_id)
        .map_err(|e| Error::InvalidInput(format!("no randomness available: {e}")))?;
    issue_with_code_id(key, params, claims, &code_id)
}

/// Issues a code with a given code id (for reproducible test vectors; use [`issue`] otherwise).
pub fn issue_with_code_id(
    key: &PrivateKey,
    params: &IssueParams,
    claims: &HealthClaims,
    code_id: &[u8],
) -> Result<String, Error> {
    claims.validate().map_err(Error::InvalidClaims)?;
    crate::trust::check_issuer_id(&params.issuer)
        .map_err(|p| Error::InvalidInput(format!("issuer: {p}")))?;
    let in_range = |t: i64| (0..=MAX_UNIX_TIME).contains(&t);
    if !in_range(params.issued_at) || !in_range(params.expires_at) {
        return Err(Error::InvalidInput(
            "times must lie between 1970 and 9999".to_owned(),
        ));
    }
    if params.expires_at <= params.issued_at {
        return Err(Error::InvalidInput(
            "the code must expire after it is issued".to_owned(),
        ));
    }
    if params
        .not_before
        .is_some_and(|nbf| !in_range(nbf) || nbf >= params.expires_at)
    {
        return Err(Error::InvalidInput(
            "not-before must lie before expiry".to_owned(),
        ));
    }
    if !(8..=16).contains(&code_id.len()) {
        return Err(Error::InvalidInput(
            "the code id must be 8 to 16 bytes".to_owned(),
        ));
    }
    let int = |n: i64| Value::Integer(Integer::from(n));
    let mut cwt = vec![
        (int(CLAIM_ISS), Value::Text(params.issuer.clone())),
        (int(CLAIM_EXP), int(params.expires_at)),
        (int(CLAIM_IAT), int(params.issued_at)),
        (int(CLAIM_CTI), Value::Bytes(code_id.to_vec())),
        (int(CLAIM_HCX), claims.to_cbor_value()?),
    ];
    if let Some(nbf) = params.not_before {
        cwt.push((int(CLAIM_NBF), int(nbf)));
    }
    let payload = encode(&sorted_map(cwt)?)?;
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(key.key_id().0.to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(&[], |tbs| key.sign(tbs).to_vec())
        .build();
    let cose = sign1
        .to_tagged_vec()
        .map_err(|e| Error::Cbor(format!("cannot encode COSE_Sign1: {e}")))?;
    Ok(text_from_cose(&cose))
}

/// The text form of COSE bytes: `HCX1:` + base45.
pub fn text_from_cose(cose: &[u8]) -> String {
    format!("{PREFIX}{}", base45::encode(cose))
}
