//! The usual form of a code, read without building CBOR value trees.
//!
//! [`crate::decode`] reads every code through the general path in `code.rs`: ciborium decodes
//! each CBOR layer into a value tree, the tree is re-encoded to prove the bytes were
//! deterministic, coset rebuilds the COSE structure, and base45 text is re-encoded to prove it
//! canonical. That is robust and gives every malformed input its precise error, but it costs
//! about as much as a quarter of the signature check, which matters when verifying in bulk.
//!
//! This module recognises only the one shape issuers write — `18([h'{1:-8, 4:h'kid'}', {},
//! payload, h'sig'])` with the CWT claims `1, 4, (5), 6, 7, -65537` in this order — reading
//! each head strictly (shortest form, definite length), and answers `None` for anything else,
//! including every malformed input. The caller then takes the general path, which decides
//! what is wrong. So this path only has to be *sound*: whenever it answers, the answer equals
//! the general path's. The health claims map is still read by the general CBOR code (it is
//! the part with real structure). Tests and the `hcx_code` fuzz target check the equality.

use crate::cbor::decode_deterministic;
use crate::claims::{HealthClaims, Status, Subject};
use crate::code::{
    ALG_EDDSA, CLAIM_HCX, CwtClaims, UnverifiedCode, check_cwt_claims, sig_structure,
};
use crate::keys::KeyId;
use crate::timefmt::MAX_UNIX_TIME;

/// Reads a code text in its usual form; `None` means "use the general path".
pub(crate) fn decode(text: &str) -> Option<UnverifiedCode> {
    let body = text.strip_prefix(crate::code::PREFIX)?;
    if text.len() > crate::limits::MAX_TEXT_LEN {
        return None;
    }
    let cose = base45_canonical(body)?;
    let mut r = Reader(&cose);
    r.expect(&[0xd2, 0x84])?; // tag 18, array of 4
    let protected = r.bstr()?;
    let kid = match protected {
        [0xa2, 0x01, 0x27, 0x04, 0x48, kid @ ..] => KeyId::from_slice(kid)?,
        _ => return None,
    };
    r.expect(&[0xa0])?; // empty unprotected header
    let payload = r.bstr()?;
    let signature = r.bstr()?;
    if !r.0.is_empty() || signature.len() != 64 {
        return None;
    }
    let claims = cwt_claims(payload)?;
    let signed_bytes = sig_structure(protected, payload);
    Some(UnverifiedCode {
        alg: ALG_EDDSA,
        key_id: kid,
        issuer: claims.issuer,
        issued_at: claims.issued_at,
        expires_at: claims.expires_at,
        not_before: claims.not_before,
        code_id: claims.code_id,
        claims: claims.health,
        signed_bytes,
        signature: signature.to_vec(),
    })
}

/// The CWT claims set `{1: iss, 4: exp, ?5: nbf, 6: iat, 7: cti, -65537: claims}`.
fn cwt_claims(payload: &[u8]) -> Option<CwtClaims> {
    let mut r = Reader(payload);
    let with_nbf = match r.byte()? {
        0xa5 => false,
        0xa6 => true,
        _ => return None,
    };
    r.expect(&[0x01])?;
    let issuer = r.text()?;
    r.expect(&[0x04])?;
    let expires_at = r.time()?;
    let not_before = if with_nbf {
        r.expect(&[0x05])?;
        Some(r.time()?)
    } else {
        None
    };
    r.expect(&[0x06])?;
    let issued_at = r.time()?;
    r.expect(&[0x07])?;
    let code_id = r.bstr()?.to_vec();
    // -65537 is the negative integer with argument 65536: head 0x3a and four bytes.
    debug_assert_eq!(CLAIM_HCX, -65537);
    r.expect(&[0x3a, 0x00, 0x01, 0x00, 0x00])?;
    // The rest is the health claims map. Claims without evidence are read here; the others by
    // the general code (which also finds the map's end).
    let health = match simple_health_claims(r.0) {
        Some(claims) => claims,
        None => HealthClaims::from_cbor(decode_deterministic(r.0).ok()?).ok()?,
    };
    let claims = CwtClaims {
        issuer,
        issued_at,
        expires_at,
        not_before,
        code_id,
        health,
    };
    check_cwt_claims(&claims).ok()?;
    Some(claims)
}

/// Health claims without evidence, `{1: status, 2: {1: name, ?2, ?3, ?4}, ?3: region}`, taking
/// all of `bytes`; then the same validation as `HealthClaims::from_cbor`.
fn simple_health_claims(bytes: &[u8]) -> Option<HealthClaims> {
    let mut r = Reader(bytes);
    let with_region = match r.byte()? {
        0xa2 => false,
        0xa3 => true,
        _ => return None,
    };
    r.expect(&[0x01])?;
    let status = Status::from_code(r.head(0)?)?;
    r.expect(&[0x02])?;
    let fields = match r.byte()? {
        n @ 0xa1..=0xa4 => n - 0xa0,
        _ => return None,
    };
    r.expect(&[0x01])?;
    let name = r.text()?;
    // The optional subject fields 2, 3, 4, each at most once and in this order.
    let mut optional: [Option<String>; 3] = [None, None, None];
    let mut last_key = 1;
    for _ in 1..fields {
        let key = r.head(0)?;
        if key <= last_key || key > 4 {
            return None;
        }
        last_key = key;
        let slot = optional.get_mut(usize::try_from(key - 2).ok()?)?;
        *slot = Some(r.text()?);
    }
    let region = if with_region {
        r.expect(&[0x03])?;
        Some(r.text()?)
    } else {
        None
    };
    if !r.0.is_empty() {
        return None;
    }
    let [birth_date, id_type, id_suffix] = optional;
    let claims = HealthClaims {
        status,
        subject: Subject {
            name,
            birth_date,
            id_type,
            id_suffix,
        },
        region,
        vaccinations: Vec::new(),
        tests: Vec::new(),
        recoveries: Vec::new(),
    };
    claims.validate().ok()?;
    Some(claims)
}

/// A cursor over CBOR bytes that accepts only shortest-form, definite-length heads.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn expect(&mut self, bytes: &[u8]) -> Option<()> {
        (self.take(bytes.len())? == bytes).then_some(())
    }

    /// A head of major type `major`; its argument, if encoded in the shortest form.
    fn head(&mut self, major: u8) -> Option<u64> {
        let initial = self.byte()?;
        if initial >> 5 != major {
            return None;
        }
        let (value, min) = match initial & 0x1f {
            n @ 0..=23 => return Some(u64::from(n)),
            24 => (u64::from(self.byte()?), 24),
            25 => (
                u64::from(u16::from_be_bytes(self.take(2)?.try_into().ok()?)),
                256,
            ),
            26 => (
                u64::from(u32::from_be_bytes(self.take(4)?.try_into().ok()?)),
                65_536,
            ),
            27 => (u64::from_be_bytes(self.take(8)?.try_into().ok()?), 1 << 32),
            _ => return None, // reserved, or indefinite length
        };
        (value >= min).then_some(value)
    }

    /// A byte string (major 2) or text string (major 3): its content.
    fn head_and_bytes(&mut self, major: u8) -> Option<&'a [u8]> {
        let len = usize::try_from(self.head(major)?).ok()?;
        self.take(len)
    }

    fn bstr(&mut self) -> Option<&'a [u8]> {
        self.head_and_bytes(2)
    }

    /// A text string (UTF-8 checked, as ciborium checks it).
    fn text(&mut self) -> Option<String> {
        std::str::from_utf8(self.head_and_bytes(3)?)
            .ok()
            .map(str::to_owned)
    }

    /// A NumericDate as hcx allows it: an unsigned integer up to the year 9999.
    fn time(&mut self) -> Option<i64> {
        i64::try_from(self.head(0)?)
            .ok()
            .filter(|t| (0..=MAX_UNIX_TIME).contains(t))
    }
}

/// Base45 (RFC 9285) text → bytes, accepting only the one text `base45::encode` would write:
/// every triple's value ≤ 65535, a final pair's ≤ 255. `None` for anything else. The crate's
/// decoder accepts the other forms, so the general path re-encodes to compare; deciding it
/// while decoding saves that second pass.
fn base45_canonical(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u32> {
        const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        ALPHABET
            .iter()
            .position(|a| *a == c)
            .and_then(|p| u32::try_from(p).ok())
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    let mut chunks = bytes.chunks_exact(3);
    for c in &mut chunks {
        let [a, b, d] = c else { return None };
        let v = digit(*a)? + digit(*b)? * 45 + digit(*d)? * 2025;
        let pair = u16::try_from(v).ok()?;
        out.extend_from_slice(&pair.to_be_bytes());
    }
    match chunks.remainder() {
        [] => {}
        [a, b] => out.push(u8::try_from(digit(*a)? + digit(*b)? * 45).ok()?),
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::code::{IssueParams, decode_general, issue_with_code_id};
    use crate::keys::PrivateKey;

    fn sample(nbf: Option<i64>, claims: &str) -> String {
        let key = PrivateKey::from_seed(&[3; 32]);
        let params = IssueParams {
            issuer: "dingtalk".into(),
            issued_at: 1_795_000_000,
            expires_at: 1_795_086_400,
            not_before: nbf,
        };
        let claims = HealthClaims::from_json(claims).unwrap();
        issue_with_code_id(&key, &params, &claims, &[9; 8]).unwrap()
    }

    /// Whenever the fast path answers, it answers what the general path answers.
    fn sound(text: &str) -> bool {
        match decode(text) {
            Some(fast) => {
                assert_eq!(Ok(fast), decode_general(text), "{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn usual_codes_take_the_fast_path_and_agree() {
        let full = r#"{"status":"yellow","subject":{"name":"张三","birth_date":"1990-03-07","id_type":"CN-RIC","id_suffix":"4312"},"region":"CN-33","vaccinations":[{"disease":"840539006","vaccine":"J07BX03","dose":2,"doses":2,"date":"2021-06-01"}]}"#;
        for text in [
            sample(None, r#"{"status":"green","subject":{"name":"A"}}"#),
            sample(Some(1_795_000_100), full),
        ] {
            assert!(sound(&text), "not taken: {text}");
        }
    }

    #[test]
    fn claims_without_evidence_take_the_simple_reader_and_agree() {
        let subjects = [
            r#"{"name":"A"}"#,
            r#"{"name":"张三","birth_date":"1990-03-07"}"#,
            r#"{"name":"B","id_type":"CN-RIC"}"#,
            r#"{"name":"C","id_suffix":"4312"}"#,
            r#"{"name":"D","birth_date":"1990","id_type":"CN-RIC","id_suffix":"4312"}"#,
        ];
        for subject in subjects {
            for region in ["", r#","region":"CN-33""#] {
                let claims = format!(r#"{{"status":"yellow","subject":{subject}{region}}}"#);
                let text = sample(None, &claims);
                assert!(sound(&text), "{claims}");
                let payload = crate::code::decode_general(&text).unwrap();
                assert_eq!(payload.claims, HealthClaims::from_json(&claims).unwrap());
            }
        }
    }

    /// Every single-character change of a code: the fast path either declines or agrees.
    #[test]
    fn every_substitution_and_deletion_is_sound() {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a";
        let text = sample(
            Some(1_795_000_100),
            r#"{"status":"red","subject":{"name":"B"}}"#,
        );
        let mut taken = 0;
        for i in 0..text.len() {
            let mut deleted = text.clone().into_bytes();
            deleted.remove(i);
            taken += usize::from(sound(std::str::from_utf8(&deleted).unwrap()));
            for c in ALPHABET {
                let mut changed = text.clone().into_bytes();
                changed[i] = *c;
                taken += usize::from(sound(std::str::from_utf8(&changed).unwrap()));
            }
        }
        // Changes inside the signature still read fine, so the fast path answers for them.
        assert!(taken > 64 * 45, "only {taken} taken");
    }

    #[test]
    fn base45_accepts_exactly_the_canonical_texts() {
        for len in 0..40usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 97 + len * 13) as u8 ^ 0xa5).collect();
            let text = base45::encode(&bytes);
            assert_eq!(base45_canonical(&text), Some(bytes));
        }
        // Wrapping values, a lone character, and characters outside the alphabet.
        for bad in ["GGW", "::", ":::", "A", "ABCD", "ab", "AB\u{e9}"] {
            let general = base45::decode(bad)
                .ok()
                .filter(|b| base45::encode(b) == bad);
            assert_eq!(base45_canonical(bad), general, "{bad}");
            assert_eq!(base45_canonical(bad), None, "{bad}");
        }
    }

    #[test]
    fn non_shortest_heads_are_declined() {
        assert_eq!(Reader(&[0x18, 0x17]).head(0), None);
        assert_eq!(Reader(&[0x19, 0x00, 0xff]).head(0), None);
        assert_eq!(Reader(&[0x19, 0x01, 0x00]).head(0), Some(256));
        assert_eq!(Reader(&[0x5f]).head(2), None);
        assert_eq!(Reader(&[0x17]).head(0), Some(23));
        assert_eq!(Reader(&[0x37]).head(0), None);
    }
}
