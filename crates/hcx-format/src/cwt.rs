//! SPEC §4.1, the CWT claims set (the COSE payload): `{1: iss, 4: exp, ?5: nbf, 6: iat,
//! 7: cti, -65537: health claims}`, every claim required but `nbf`, nothing else allowed.

use crate::cbor::{self, Item, MAP, Reader, Writer};
use crate::claims::{ClaimsError, HealthClaims};
use crate::error::DecodeError;
use crate::timefmt::MAX_UNIX_TIME;

/// CWT claim key under which the health claims live (RFC 8392 private-use range).
pub const CLAIM_HCX: i64 = -65537;
/// Length of the random code id (`cti`) issuers write.
pub const CODE_ID_LEN: usize = 8;
/// The code ids verifiers accept, in bytes.
const CODE_ID_RANGE: std::ops::RangeInclusive<usize> = 8..=16;

const CLAIM_ISS: i64 = 1;
const CLAIM_EXP: i64 = 4;
const CLAIM_NBF: i64 = 5;
const CLAIM_IAT: i64 = 6;
const CLAIM_CTI: i64 = 7;

/// The claims set of a code, read and cross-checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CwtClaims {
    pub(crate) issuer: String,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) not_before: Option<i64>,
    pub(crate) code_id: Vec<u8>,
    pub(crate) health: HealthClaims,
}

fn malformed(field: &str, problem: &str) -> DecodeError {
    DecodeError::Claims(ClaimsError {
        field: field.to_owned(),
        problem: problem.to_owned(),
    })
}

/// Reads the claims set from the payload bytes (step C6 of SPEC §8).
///
/// Claims are read in key order, each checked for its type as it comes (the health claims in
/// full); then the required claims are looked for, and the times and ids cross-checked.
pub(crate) fn read(payload: &[u8]) -> Result<CwtClaims, DecodeError> {
    cbor::check(payload)?;
    let mut r = Reader::new(payload);
    let Ok(Item::Map(entries)) = r.next() else {
        return Err(malformed("", "the CWT claims set must be a map"));
    };
    let (mut issuer, mut issued_at, mut expires_at, mut not_before) = (None, None, None, None);
    let (mut code_id, mut health) = (None, None);
    let unreadable = |_| malformed("", "unreadable claims set");
    for _ in 0..entries {
        let key = match r.next().map_err(unreadable)? {
            item @ (Item::Uint(_) | Item::Nint(_)) => item
                .as_i64()
                .ok_or_else(|| malformed("", "unknown claim key"))?,
            _ => return Err(malformed("", "claim keys must be integers")),
        };
        match key {
            CLAIM_ISS => match r.next().map_err(unreadable)? {
                Item::Text(t) => issuer = Some(t.to_owned()),
                _ => return Err(malformed("iss", "must be a text string")),
            },
            CLAIM_IAT => issued_at = Some(time("iat", &mut r)?),
            CLAIM_EXP => expires_at = Some(time("exp", &mut r)?),
            CLAIM_NBF => not_before = Some(time("nbf", &mut r)?),
            CLAIM_CTI => match r.next().map_err(unreadable)? {
                Item::Bytes(b) if CODE_ID_RANGE.contains(&b.len()) => code_id = Some(b.to_vec()),
                _ => return Err(malformed("cti", "must be a byte string of 8 to 16 bytes")),
            },
            CLAIM_HCX => {
                let bytes = r.skip().map_err(unreadable)?;
                health = Some(HealthClaims::read_cbor(bytes).map_err(DecodeError::Claims)?);
            }
            other => return Err(malformed("", &format!("unknown claim key {other}"))),
        }
    }
    let issuer = issuer.ok_or_else(|| malformed("iss", "is missing"))?;
    crate::trust_list::check_issuer_id(&issuer).map_err(|p| malformed("iss", &p))?;
    let issued_at = issued_at.ok_or_else(|| malformed("iat", "is missing"))?;
    let expires_at = expires_at.ok_or_else(|| malformed("exp", "is missing"))?;
    if expires_at <= issued_at {
        return Err(malformed("exp", "must be later than iat"));
    }
    if not_before.is_some_and(|nbf| nbf >= expires_at) {
        return Err(malformed("nbf", "must be earlier than exp"));
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

/// A NumericDate as hcx allows it: an integer from 1970 to the end of 9999.
fn time(name: &str, r: &mut Reader<'_>) -> Result<i64, DecodeError> {
    match r.next() {
        Ok(item @ (Item::Uint(_) | Item::Nint(_))) => item
            .as_i64()
            .filter(|t| (0..=MAX_UNIX_TIME).contains(t))
            .ok_or_else(|| malformed(name, "must be an integer time from 1970 to 9999")),
        _ => Err(malformed(name, "must be an integer NumericDate")),
    }
}

/// The claims set's bytes, in deterministic order (inputs already validated by the issuer).
pub(crate) fn write(claims: &CwtClaims) -> Vec<u8> {
    let mut w = Writer::with_capacity(160);
    w.head(MAP, if claims.not_before.is_some() { 6 } else { 5 });
    w.int(CLAIM_ISS);
    w.text(&claims.issuer);
    w.int(CLAIM_EXP);
    w.int(claims.expires_at);
    if let Some(nbf) = claims.not_before {
        w.int(CLAIM_NBF);
        w.int(nbf);
    }
    w.int(CLAIM_IAT);
    w.int(claims.issued_at);
    w.int(CLAIM_CTI);
    w.bytes(&claims.code_id);
    w.int(CLAIM_HCX);
    claims.health.write_cbor(&mut w);
    w.0
}

/// Checks the parts of a claims set an issuer supplies, with [`read`]'s rules.
pub(crate) fn check_for_issue(claims: &CwtClaims) -> Result<(), String> {
    crate::trust_list::check_issuer_id(&claims.issuer).map_err(|p| format!("issuer: {p}"))?;
    let in_range = |t: i64| (0..=MAX_UNIX_TIME).contains(&t);
    if !in_range(claims.issued_at) || !in_range(claims.expires_at) {
        return Err("times must lie between 1970 and 9999".to_owned());
    }
    if claims.expires_at <= claims.issued_at {
        return Err("the code must expire after it is issued".to_owned());
    }
    if claims
        .not_before
        .is_some_and(|nbf| !in_range(nbf) || nbf >= claims.expires_at)
    {
        return Err("not-before must lie before expiry".to_owned());
    }
    if !CODE_ID_RANGE.contains(&claims.code_id.len()) {
        return Err("the code id must be 8 to 16 bytes".to_owned());
    }
    Ok(())
}
