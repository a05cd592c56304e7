//! The code itself: `HCX1:` + base45(COSE_Sign1(CWT)), read strictly and written deterministically.

use ciborium::value::{Integer, Value};
use coset::{AsCborValue, CoseSign1};

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
    // Codes in the usual form are read without CBOR value trees; everything else, malformed
    // input included, takes the general path, which gives the precise error.
    match crate::fastpath::decode(text) {
        Some(code) => Ok(code),
        None => decode_general(text),
    }
}

/// [`decode`] without its fast path for the usual form: the reference the fast path is
/// tested against (exposed for the fuzz target, not for apps).
#[doc(hidden)]
pub fn decode_general(text: &str) -> Result<UnverifiedCode, Error> {
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

/// The CWT claims of a code, read but not yet cross-checked ([`check_cwt_claims`]).
pub(crate) struct CwtClaims {
    pub(crate) issuer: String,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) not_before: Option<i64>,
    pub(crate) code_id: Vec<u8>,
    pub(crate) health: HealthClaims,
}

/// The checks [`decode_claims`] makes once the claims are read (issuer id form, `iat < exp`,
/// `nbf < exp`, `cti` length), for the fast path, which reads the claims differently.
pub(crate) fn check_cwt_claims(claims: &CwtClaims) -> Result<(), Error> {
    crate::trust::check_issuer_id(&claims.issuer).map_err(|p| malformed("iss", &p))?;
    if claims.expires_at <= claims.issued_at {
        return Err(malformed("exp", "must be later than iat"));
    }
    if let Some(nbf) = claims.not_before {
        if nbf >= claims.expires_at {
            return Err(malformed("nbf", "must be earlier than exp"));
        }
    }
    if !(8..=16).contains(&claims.code_id.len()) {
        return Err(malformed("cti", "must be a byte string of 8 to 16 bytes"));
    }
    Ok(())
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
    let code = PreparedCode::new(&key.key_id(), params, claims, code_id)?;
    let signature = key.sign(&code.signed_bytes());
    Ok(code.into_text(&signature))
}

/// Issues many codes with one key: for each request the same result as [`issue`], with the
/// signatures made together (one shared field inversion, see `bulk_sign.rs`) and the random
/// code ids drawn in one call.
#[derive(Debug)]
pub struct BatchIssuer {
    key: PrivateKey,
    key_id: KeyId,
}

/// One code for [`BatchIssuer::issue_many`].
#[derive(Debug, Clone, Copy)]
pub struct IssueRequest<'a> {
    /// Issuer, times.
    pub params: &'a IssueParams,
    /// The health claims.
    pub claims: &'a HealthClaims,
}

impl BatchIssuer {
    /// A batch issuer signing with `key`.
    pub fn new(key: &PrivateKey) -> BatchIssuer {
        BatchIssuer {
            key: key.clone(),
            key_id: key.key_id(),
        }
    }

    /// Issues one code per request, in order; a bad request fails alone.
    pub fn issue_many(&self, requests: &[IssueRequest<'_>]) -> Vec<Result<String, Error>> {
        let mut ids = vec![0u8; CODE_ID_LEN * requests.len()];
        if let Err(e) = getrandom::fill(&mut ids) {
            let problem = format!("no randomness available: {e}");
            return requests
                .iter()
                .map(|_| Err(Error::InvalidInput(problem.clone())))
                .collect();
        }
        let prepared: Vec<Result<(PreparedCode, Vec<u8>), Error>> = requests
            .iter()
            .zip(ids.chunks_exact(CODE_ID_LEN))
            .map(|(r, id)| {
                let code = PreparedCode::new(&self.key_id, r.params, r.claims, id)?;
                let tbs = code.signed_bytes();
                Ok((code, tbs))
            })
            .collect();
        let messages: Vec<&[u8]> = prepared
            .iter()
            .filter_map(|p| p.as_ref().ok().map(|(_, tbs)| tbs.as_slice()))
            .collect();
        let mut signatures = crate::bulk_sign::BulkSigner::new(&self.key)
            .sign_all(&messages)
            .into_iter();
        prepared
            .into_iter()
            .map(|p| {
                let (code, _) = p?;
                let signature = signatures
                    .next()
                    .ok_or_else(|| Error::InvalidInput("signature missing".to_owned()))?;
                Ok(code.into_text(&signature))
            })
            .collect()
    }
}

/// A code checked and encoded up to its signature.
struct PreparedCode {
    /// The protected header's bytes: `{1: -8, 4: kid}`.
    protected: Vec<u8>,
    /// The CWT claims set's bytes.
    payload: Vec<u8>,
}

impl PreparedCode {
    fn new(
        key_id: &KeyId,
        params: &IssueParams,
        claims: &HealthClaims,
        code_id: &[u8],
    ) -> Result<PreparedCode, Error> {
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
        // {1: -8, 4: h'kid'}: alg before kid, as deterministic CBOR orders the keys.
        let mut protected = Vec::with_capacity(5 + key_id.0.len());
        protected.extend_from_slice(&[0xa2, 0x01, 0x27, 0x04]);
        push_bstr(&mut protected, &key_id.0);
        if let Some(payload) = simple_payload(params, claims, code_id) {
            return Ok(PreparedCode { protected, payload });
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
        Ok(PreparedCode { protected, payload })
    }

    /// The COSE Sig_structure `["Signature1", protected, h'', payload]` (RFC 9052 §4.4).
    fn signed_bytes(&self) -> Vec<u8> {
        sig_structure(&self.protected, &self.payload)
    }

    /// The code text: `HCX1:` + base45 of the tagged COSE_Sign1
    /// `18([protected, {}, payload, signature])`.
    fn into_text(self, signature: &[u8; 64]) -> String {
        let mut cose = Vec::with_capacity(self.protected.len() + self.payload.len() + 80);
        cose.extend_from_slice(&[0xd2, 0x84]);
        push_bstr(&mut cose, &self.protected);
        cose.push(0xa0);
        push_bstr(&mut cose, &self.payload);
        push_bstr(&mut cose, signature);
        text_from_cose(&cose)
    }
}

/// The CWT claims set of a code whose claims carry no evidence (most codes), written directly
/// in deterministic order — `{1: iss, 4: exp, ?5: nbf, 6: iat, 7: cti, -65537: {1: status,
/// 2: {1: name, ?2, ?3, ?4}, ?3: region}}` — instead of through a CBOR value tree. `None` for
/// claims with evidence. A test checks the bytes equal the value tree's. Inputs are validated.
fn simple_payload(params: &IssueParams, claims: &HealthClaims, code_id: &[u8]) -> Option<Vec<u8>> {
    if !claims.vaccinations.is_empty() || !claims.tests.is_empty() || !claims.recoveries.is_empty()
    {
        return None;
    }
    let mut out = Vec::with_capacity(160);
    let uint = |out: &mut Vec<u8>, n: i64| push_head(out, 0, u64::try_from(n).unwrap_or(0));
    let text = |out: &mut Vec<u8>, t: &str| {
        push_head(out, 3, t.len() as u64);
        out.extend_from_slice(t.as_bytes());
    };
    out.push(if params.not_before.is_some() {
        0xa6
    } else {
        0xa5
    });
    out.push(0x01);
    text(&mut out, &params.issuer);
    out.push(0x04);
    uint(&mut out, params.expires_at);
    if let Some(nbf) = params.not_before {
        out.push(0x05);
        uint(&mut out, nbf);
    }
    out.push(0x06);
    uint(&mut out, params.issued_at);
    out.push(0x07);
    push_bstr(&mut out, code_id);
    out.extend_from_slice(&[0x3a, 0x00, 0x01, 0x00, 0x00]);
    let s = &claims.subject;
    out.push(if claims.region.is_some() { 0xa3 } else { 0xa2 });
    out.push(0x01);
    push_head(&mut out, 0, claims.status.to_code());
    out.push(0x02);
    let optional = [&s.birth_date, &s.id_type, &s.id_suffix];
    push_head(
        &mut out,
        5,
        1 + optional.iter().filter(|o| o.is_some()).count() as u64,
    );
    out.push(0x01);
    text(&mut out, &s.name);
    for (key, value) in (2u8..).zip(optional) {
        if let Some(v) = value {
            out.push(key);
            text(&mut out, v);
        }
    }
    if let Some(region) = &claims.region {
        out.push(0x03);
        text(&mut out, region);
    }
    Some(out)
}

/// Appends a CBOR head (major type, argument) in its shortest form.
fn push_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match (u8::try_from(n), u16::try_from(n), u32::try_from(n)) {
        (Ok(b), _, _) if b < 24 => out.push(m | b),
        (Ok(b), _, _) => out.extend_from_slice(&[m | 24, b]),
        (_, Ok(w), _) => {
            out.push(m | 25);
            out.extend_from_slice(&w.to_be_bytes());
        }
        (_, _, Ok(w)) => {
            out.push(m | 26);
            out.extend_from_slice(&w.to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// The COSE Sig_structure `["Signature1", protected, h'', payload]` (RFC 9052 §4.4): the bytes
/// an hcx signature covers, for issuing and for the decoder's fast path.
pub(crate) fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 20);
    out.extend_from_slice(&[0x84, 0x6a]);
    out.extend_from_slice(b"Signature1");
    push_bstr(&mut out, protected);
    out.push(0x40);
    push_bstr(&mut out, payload);
    out
}

/// Appends a CBOR byte string with its shortest head. The COSE envelope is three fixed
/// arrays of byte strings; writing it directly skips coset's and ciborium's value trees
/// (a test checks the bytes against coset's).
fn push_bstr(out: &mut Vec<u8>, bytes: &[u8]) {
    push_head(out, 2, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The text form of COSE bytes: `HCX1:` + base45.
pub fn text_from_cose(cose: &[u8]) -> String {
    format!("{PREFIX}{}", base45::encode(cose))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};

    /// The hand-written envelope equals coset's, at every length class of the byte strings.
    #[test]
    fn envelope_bytes_equal_cosets() {
        let key_id = KeyId([1, 2, 3, 4, 5, 6, 7, 8]);
        let signature = [0x5a; 64];
        for len in [0usize, 1, 23, 24, 169, 255, 256, 65_535, 65_536] {
            let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut protected = vec![0xa2, 0x01, 0x27, 0x04];
            push_bstr(&mut protected, &key_id.0);
            let ours = PreparedCode {
                protected,
                payload: payload.clone(),
            };
            let sign1 = CoseSign1Builder::new()
                .protected(
                    HeaderBuilder::new()
                        .algorithm(iana::Algorithm::EdDSA)
                        .key_id(key_id.0.to_vec())
                        .build(),
                )
                .payload(payload)
                .signature(signature.to_vec())
                .build();
            assert_eq!(ours.signed_bytes(), sign1.tbs_data(&[]), "tbs, {len}");
            let text = ours.into_text(&signature);
            assert_eq!(
                text,
                text_from_cose(&sign1.to_tagged_vec().unwrap()),
                "{len}"
            );
        }
    }

    /// The direct writer gives the value tree's bytes for every shape it takes on.
    #[test]
    fn simple_payload_equals_the_value_tree() {
        let subjects = [
            r#"{"name":"A"}"#,
            r#"{"name":"张三","birth_date":"1990-03-07"}"#,
            r#"{"name":"B","id_type":"CN-RIC"}"#,
            r#"{"name":"C","birth_date":"1990","id_suffix":"4312"}"#,
            r#"{"name":"D","birth_date":"1990","id_type":"CN-RIC","id_suffix":"4312"}"#,
        ];
        let times = [
            (0, 1, None),
            (1_795_000_000, 1_795_086_400, Some(1_795_000_100)),
        ];
        for subject in subjects {
            for region in ["", r#","region":"CN-33""#] {
                for (iat, exp, nbf) in times {
                    let claims = HealthClaims::from_json(&format!(
                        r#"{{"status":"red","subject":{subject}{region}}}"#
                    ))
                    .unwrap();
                    let params = IssueParams {
                        issuer: "dingtalk".into(),
                        issued_at: iat,
                        expires_at: exp,
                        not_before: nbf,
                    };
                    let int = |n: i64| Value::Integer(Integer::from(n));
                    let mut cwt = vec![
                        (int(CLAIM_ISS), Value::Text(params.issuer.clone())),
                        (int(CLAIM_EXP), int(exp)),
                        (int(CLAIM_IAT), int(iat)),
                        (int(CLAIM_CTI), Value::Bytes(vec![7; 12])),
                        (int(CLAIM_HCX), claims.to_cbor_value().unwrap()),
                    ];
                    if let Some(n) = nbf {
                        cwt.push((int(CLAIM_NBF), int(n)));
                    }
                    let tree = encode(&sorted_map(cwt).unwrap()).unwrap();
                    assert_eq!(simple_payload(&params, &claims, &[7; 12]), Some(tree));
                }
            }
        }
    }

    #[test]
    fn batch_issuer_codes_decode_like_single_ones() {
        let key = PrivateKey::from_seed(&[7; 32]);
        let claims =
            HealthClaims::from_json(r#"{"status":"green","subject":{"name":"张三"}}"#).unwrap();
        let good = IssueParams {
            issuer: "dingtalk".into(),
            issued_at: 1_795_000_000,
            expires_at: 1_795_086_400,
            not_before: Some(1_795_000_100),
        };
        let bad = IssueParams {
            expires_at: 1,
            ..good.clone()
        };
        let requests = [
            IssueRequest {
                params: &good,
                claims: &claims,
            },
            IssueRequest {
                params: &bad,
                claims: &claims,
            },
            IssueRequest {
                params: &good,
                claims: &claims,
            },
        ];
        let out = BatchIssuer::new(&key).issue_many(&requests);
        assert!(matches!(out[1], Err(Error::InvalidInput(_))));
        let (a, b) = (out[0].as_ref().unwrap(), out[2].as_ref().unwrap());
        assert_ne!(a, b, "each code has its own random id");
        for text in [a, b] {
            let code = decode(text).unwrap();
            assert_eq!(code.claims, claims);
            assert_eq!(code.not_before, Some(1_795_000_100));
            assert!(
                key.public_key()
                    .verify_strict(&code.signed_bytes, &code.signature)
            );
            // The same code id through the single path gives the very same text.
            let single = issue_with_code_id(&key, &good, &claims, &code.code_id).unwrap();
            assert_eq!(&single, text);
        }
    }
}
