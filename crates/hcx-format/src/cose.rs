//! SPEC §5.1–5.3, the COSE_Sign1: `18([protected, {}, payload, signature])` with exactly `alg`
//! and an 8-byte `kid` in the protected header, and the Sig_structure its signature covers.

use crate::cbor::{self, Item, MAP, Reader, Writer};
use crate::error::DecodeError;
use crate::keys::KeyId;

/// COSE algorithm identifier of EdDSA, the only algorithm of version 1.
pub const ALG_EDDSA: i64 = -8;
/// The CBOR tag of a COSE_Sign1 (RFC 9052 §2).
const COSE_SIGN1_TAG: u64 = 18;
/// Header labels (RFC 9052 §3.1).
const LABEL_ALG: u64 = 1;
const LABEL_KID: u64 = 4;

/// A COSE_Sign1 read from its bytes, borrowing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sign1<'a> {
    /// The protected header's bytes, as signed.
    pub(crate) protected: &'a [u8],
    /// `alg` from the protected header: its value if an integer, `None` for any other type
    /// (judged `unsupported_algorithm` at step C7, after the claims).
    pub(crate) alg: Option<i64>,
    /// `kid` from the protected header.
    pub(crate) key_id: KeyId,
    /// The payload's bytes (the CWT claims set).
    pub(crate) payload: &'a [u8],
    /// The signature as received.
    pub(crate) signature: &'a [u8],
}

fn not_sign1(what: &str) -> DecodeError {
    DecodeError::NotCoseSign1(what.to_owned())
}

/// Reads COSE_Sign1 bytes (steps C4 and C5 of SPEC §8); verifies nothing.
pub(crate) fn read(bytes: &[u8]) -> Result<Sign1<'_>, DecodeError> {
    cbor::check(bytes)?;
    let mut r = Reader::new(bytes);
    match r.next() {
        Ok(Item::Tag(COSE_SIGN1_TAG)) => {}
        Ok(Item::Tag(other)) => return Err(not_sign1(&format!("tag {other}, expected 18"))),
        _ => return Err(not_sign1("missing tag 18")),
    }
    if r.next() != Ok(Item::Array(4)) {
        return Err(not_sign1("not an array of 4 items"));
    }
    let Ok(Item::Bytes(protected)) = r.next() else {
        return Err(not_sign1("the protected header is not a byte string"));
    };
    let unprotected = match r.next() {
        Ok(Item::Map(n)) => n,
        _ => return Err(not_sign1("the unprotected header is not a map")),
    };
    for _ in 0..unprotected.saturating_mul(2) {
        r.skip()
            .map_err(|_| not_sign1("the unprotected header is unreadable"))?;
    }
    let payload = match r.next() {
        Ok(Item::Bytes(p)) => Some(p),
        Ok(Item::Null) => None,
        _ => return Err(not_sign1("the payload is neither a byte string nor nil")),
    };
    let Ok(Item::Bytes(signature)) = r.next() else {
        return Err(not_sign1("the signature is not a byte string"));
    };
    let header = protected_header(protected)?;
    if unprotected != 0 {
        return Err(DecodeError::UnprotectedHeader);
    }
    let alg = header.alg.ok_or(DecodeError::MissingAlgorithm)?;
    let key_id = header
        .kid
        .and_then(KeyId::from_slice)
        .ok_or(DecodeError::BadKeyId)?;
    let payload = payload.ok_or(DecodeError::MissingPayload)?;
    Ok(Sign1 {
        protected,
        alg,
        key_id,
        payload,
        signature,
    })
}

/// What the protected header says.
struct ProtectedHeader<'a> {
    /// `Some(Some(n))`: an integer; `Some(None)`: another type; `None`: absent.
    alg: Option<Option<i64>>,
    /// The kid if it is a byte string (any other type is judged like a missing kid).
    kid: Option<&'a [u8]>,
}

/// Reads the protected header (step C5): a deterministic map (a zero-length string is the
/// empty map, RFC 9052 §3) whose only labels are the integers 1 (`alg`) and 4 (`kid`).
fn protected_header(bytes: &[u8]) -> Result<ProtectedHeader<'_>, DecodeError> {
    let mut header = ProtectedHeader {
        alg: None,
        kid: None,
    };
    if bytes.is_empty() {
        return Ok(header);
    }
    cbor::check(bytes)?;
    let mut r = Reader::new(bytes);
    let Ok(Item::Map(entries)) = r.next() else {
        return Err(not_sign1("the protected header is not a map"));
    };
    let unreadable = |_| not_sign1("the protected header is unreadable");
    let mut unknown = false;
    for _ in 0..entries {
        let label = r.skip().map_err(unreadable)?;
        let value = r.skip().map_err(unreadable)?;
        let value = Reader::new(value).next().map_err(unreadable)?;
        match Reader::new(label).next().map_err(unreadable)? {
            Item::Uint(LABEL_ALG) => header.alg = Some(value.as_i64()),
            Item::Uint(LABEL_KID) => {
                if let Item::Bytes(kid) = value {
                    header.kid = Some(kid);
                }
            }
            _ => unknown = true,
        }
    }
    if unknown {
        return Err(DecodeError::UnknownHeader);
    }
    Ok(header)
}

/// The protected header hcx writes: `{1: -8, 4: h'kid'}` (alg before kid, as deterministic
/// CBOR orders the keys).
pub(crate) fn protected_header_bytes(key_id: &KeyId) -> Vec<u8> {
    let mut w = Writer::with_capacity(13);
    w.head(MAP, 2);
    w.head(cbor::UINT, LABEL_ALG);
    w.int(ALG_EDDSA);
    w.head(cbor::UINT, LABEL_KID);
    w.bytes(&key_id.0);
    w.0
}

/// The COSE Sig_structure `["Signature1", protected, h'', payload]` (RFC 9052 §4.4): the bytes
/// an hcx signature covers.
pub(crate) fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut w = Writer::with_capacity(protected.len() + payload.len() + 20);
    w.head(cbor::ARRAY, 4);
    w.text("Signature1");
    w.bytes(protected);
    w.bytes(&[]);
    w.bytes(payload);
    w.0
}

/// The tagged COSE_Sign1 `18([protected, {}, payload, signature])`.
pub(crate) fn write(protected: &[u8], payload: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut w = Writer::with_capacity(protected.len() + payload.len() + signature.len() + 12);
    w.head(cbor::TAG, COSE_SIGN1_TAG);
    w.head(cbor::ARRAY, 4);
    w.bytes(protected);
    w.head(MAP, 0);
    w.bytes(payload);
    w.bytes(signature);
    w.0
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
            let protected = protected_header_bytes(&key_id);
            let sign1 = CoseSign1Builder::new()
                .protected(
                    HeaderBuilder::new()
                        .algorithm(iana::Algorithm::EdDSA)
                        .key_id(key_id.0.to_vec())
                        .build(),
                )
                .payload(payload.clone())
                .signature(signature.to_vec())
                .build();
            assert_eq!(sig_structure(&protected, &payload), sign1.tbs_data(&[]));
            let ours = write(&protected, &payload, &signature);
            assert_eq!(ours, sign1.to_tagged_vec().unwrap(), "{len}");
            let read_back = read(&ours).unwrap();
            assert_eq!(read_back.alg, Some(ALG_EDDSA));
            assert_eq!(read_back.key_id, key_id);
            assert_eq!(read_back.payload, payload.as_slice());
            assert_eq!(read_back.signature, signature.as_slice());
        }
    }

    fn reason(bytes: &[u8]) -> &'static str {
        match read(bytes) {
            Ok(_) => "ok",
            Err(e) => e.reason().as_str(),
        }
    }

    #[test]
    fn each_header_rule_has_its_reason() {
        let kid = [0x48, 1, 2, 3, 4, 5, 6, 7, 8];
        let with = |protected: &[u8], unprotected: &[u8], payload: &[u8]| {
            let mut b = vec![0xd2, 0x84];
            let mut w = Writer::default();
            w.bytes(protected);
            b.extend(w.0);
            b.extend_from_slice(unprotected);
            b.extend_from_slice(payload);
            b.extend_from_slice(&[0x41, 0x00]);
            b
        };
        let good: Vec<u8> = [&[0xa2, 0x01, 0x27, 0x04][..], &kid].concat();
        assert_eq!(reason(&with(&good, &[0xa0], &[0x41, 0x00])), "ok");
        assert_eq!(
            reason(&with(&good, &[0xa1, 0x01, 0x27], &[0x41, 0x00])),
            "unprotected_header"
        );
        assert_eq!(reason(&with(&good, &[0xa0], &[0xf6])), "missing_payload");
        let no_alg: Vec<u8> = [&[0xa1, 0x04][..], &kid].concat();
        assert_eq!(
            reason(&with(&no_alg, &[0xa0], &[0x41, 0x00])),
            "missing_alg"
        );
        let crit: Vec<u8> = [&[0xa3, 0x01, 0x27, 0x02, 0x81, 0x01, 0x04][..], &kid].concat();
        assert_eq!(
            reason(&with(&crit, &[0xa0], &[0x41, 0x00])),
            "unknown_header"
        );
        let short_kid = [0xa2, 0x01, 0x27, 0x04, 0x41, 0x01];
        assert_eq!(reason(&with(&short_kid, &[0xa0], &[0x41, 0x00])), "bad_kid");
        let text_kid = [0xa2, 0x01, 0x27, 0x04, 0x61, 0x61];
        assert_eq!(reason(&with(&text_kid, &[0xa0], &[0x41, 0x00])), "bad_kid");
        let text_alg: Vec<u8> = [&[0xa2, 0x01, 0x61, 0x61, 0x04][..], &kid].concat();
        assert_eq!(reason(&with(&text_alg, &[0xa0], &[0x41, 0x00])), "ok");
        assert_eq!(reason(&with(&[], &[0xa0], &[0x41, 0x00])), "missing_alg");
        assert_eq!(reason(&[0x84, 0x40, 0xa0, 0x40, 0x40]), "not_cose_sign1");
        assert_eq!(
            reason(&[0xd1, 0x84, 0x40, 0xa0, 0x40, 0x40]),
            "not_cose_sign1"
        );
        assert_eq!(reason(&[0xd2, 0x83, 0x40, 0xa0, 0x40]), "not_cose_sign1");
    }
}
