//! Building codes byte by byte, including the malformed ones no honest issuer would write.
//!
//! The library only issues well-formed codes; conformance vectors need every kind of broken
//! one too, each signed correctly so that the one defect under test is the only defect.

use ciborium::value::{Integer, Value};
use ed25519_dalek::{Signer, SigningKey};

/// COSE header and CWT claim labels used below.
pub const ALG: i64 = 1;
pub const CRIT: i64 = 2;
pub const KID: i64 = 4;
pub const ISS: i64 = 1;
pub const EXP: i64 = 4;
pub const NBF: i64 = 5;
pub const IAT: i64 = 6;
pub const CTI: i64 = 7;
pub const HCX: i64 = -65537;

/// An integer value.
pub fn int(n: i64) -> Value {
    Value::Integer(Integer::from(n))
}

/// A text value.
pub fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// Encodes a value exactly as given (ciborium keeps map order and writes minimal heads).
pub fn enc(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail for the values built here.
    let _ = ciborium::ser::into_writer(v, &mut out);
    out
}

/// Sorts map entries into deterministic order (bytewise order of encoded keys).
pub fn sorted(mut entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    entries.sort_by_key(|(k, _)| enc(k));
    entries
}

/// Sets (or replaces) one entry of an integer-keyed map and keeps it sorted.
pub fn set(entries: &mut Vec<(Value, Value)>, key: i64, value: Value) {
    entries.retain(|(k, _)| k != &int(key));
    entries.push((int(key), value));
    *entries = sorted(std::mem::take(entries));
}

/// Removes one entry of an integer-keyed map.
pub fn remove(entries: &mut Vec<(Value, Value)>, key: i64) {
    entries.retain(|(k, _)| k != &int(key));
}

/// The parts of a COSE_Sign1 before signing, as bytes so they can be made non-canonical.
#[derive(Clone)]
pub struct Parts {
    pub protected: Vec<u8>,
    pub unprotected: Value,
    pub payload: Option<Vec<u8>>,
}

/// The COSE Sig_structure for a COSE_Sign1 with empty external AAD (RFC 9052 §4.4).
pub fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    enc(&Value::Array(vec![
        text("Signature1"),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.to_vec()),
    ]))
}

/// Signs `parts` with `key` over their Sig_structure and returns the signature.
pub fn sign(parts: &Parts, key: &SigningKey) -> Vec<u8> {
    let payload = parts.payload.clone().unwrap_or_default();
    key.sign(&sig_structure(&parts.protected, &payload))
        .to_bytes()
        .to_vec()
}

/// Assembles a tagged COSE_Sign1 from parts and a signature.
pub fn assemble(parts: &Parts, signature: Vec<u8>) -> Value {
    Value::Tag(18, Box::new(untagged(parts, signature)))
}

/// Assembles an untagged COSE_Sign1 array.
pub fn untagged(parts: &Parts, signature: Vec<u8>) -> Value {
    Value::Array(vec![
        Value::Bytes(parts.protected.clone()),
        parts.unprotected.clone(),
        parts.payload.clone().map_or(Value::Null, Value::Bytes),
        Value::Bytes(signature),
    ])
}

/// The text form of COSE bytes.
pub fn to_text(cose: &[u8]) -> String {
    format!("HCX1:{}", base45::encode(cose))
}

/// Replaces the first occurrence of `from` in `bytes` by `to` (used to make encodings
/// non-canonical after the fact, e.g. a one-byte integer head widened to nine bytes).
pub fn patch(bytes: &[u8], from: &[u8], to: &[u8]) -> Option<Vec<u8>> {
    let at = bytes.windows(from.len()).position(|w| w == from)?;
    let mut out = bytes.get(..at)?.to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(bytes.get(at + from.len()..)?);
    Some(out)
}
