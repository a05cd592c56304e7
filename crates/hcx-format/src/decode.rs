//! Reading a code, text → bytes → COSE → claims (steps C1–C6 of SPEC §8), verifying nothing.

use crate::claims::HealthClaims;
use crate::error::DecodeError;
use crate::keys::KeyId;
use crate::{cose, cwt, text};

/// A code read and checked for form, but whose signature and validity are not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedCode {
    /// COSE algorithm identifier from the protected header; `None` when it is not an integer
    /// (verifiers then refuse the code as `unsupported_algorithm`).
    pub alg: Option<i64>,
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
    /// The `cti` claim: a random id for this code.
    pub code_id: Vec<u8>,
    /// The health claims.
    pub claims: HealthClaims,
    /// The exact bytes the signature covers (the COSE Sig_structure, RFC 9052 §4.4).
    pub signed_bytes: Vec<u8>,
    /// The signature as received.
    pub signature: Vec<u8>,
}

/// Reads a code text and checks its form (prefix, base45, CBOR, COSE, claims); verifies nothing.
pub fn decode(text: &str) -> Result<UnverifiedCode, DecodeError> {
    decode_cose(&text::cose_bytes(text)?)
}

/// Reads COSE_Sign1 bytes and checks their form; verifies nothing.
pub fn decode_cose(bytes: &[u8]) -> Result<UnverifiedCode, DecodeError> {
    let sign1 = cose::read(bytes)?;
    let claims = cwt::read(sign1.payload)?;
    Ok(UnverifiedCode {
        alg: sign1.alg,
        key_id: sign1.key_id,
        issuer: claims.issuer,
        issued_at: claims.issued_at,
        expires_at: claims.expires_at,
        not_before: claims.not_before,
        code_id: claims.code_id,
        claims: claims.health,
        signed_bytes: cose::sig_structure(sign1.protected, sign1.payload),
        signature: sign1.signature.to_vec(),
    })
}

impl UnverifiedCode {
    /// The code id (`cti`) in lowercase hex.
    pub fn code_id_hex(&self) -> String {
        hex::encode(&self.code_id)
    }
}
