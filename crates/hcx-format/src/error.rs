//! The one error type of this crate.

use hcx_error::{Code, Coded, Reason};

use crate::claims::ClaimsError;

/// Everything that can go wrong when reading, issuing or verifying an hcx code or trust list.
///
/// Each variant is a distinct failure a caller can match on. [`Error::code`] groups them into the
/// stable, machine-readable codes of the specification (`malformed`, `bad_signature`, …) and
/// [`Error::reason`] names the precise variant (`non_canonical_base45`, `duplicate_map_key`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The code text is longer than the specification allows.
    #[error("code text is {len} characters long, more than the limit of {max}")]
    TextTooLong {
        /// Length of the text received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The code text does not start with a known prefix such as `HCX1:`.
    #[error("code text does not start with `HCX1:`")]
    BadPrefix,
    /// The text after the prefix is not valid base45.
    #[error("code text is not valid base45: {0}")]
    Base45(String),
    /// The base45 text decodes, but is not the one canonical encoding of its bytes.
    #[error("code text is not canonical base45")]
    NonCanonicalBase45,
    /// The bytes are not well-formed CBOR, or a CBOR item has the wrong type for its place.
    #[error("invalid CBOR: {0}")]
    Cbor(String),
    /// Bytes remain after the end of a CBOR item.
    #[error("{0} trailing bytes after the CBOR item")]
    TrailingBytes(usize),
    /// CBOR items are nested deeper than the specification allows.
    #[error("CBOR nesting is deeper than {max} levels")]
    CborTooDeep {
        /// The nesting limit.
        max: usize,
    },
    /// A CBOR map holds the same key twice.
    #[error("a CBOR map holds a duplicate key")]
    DuplicateMapKey,
    /// The CBOR is well-formed but not in deterministic encoding (RFC 8949 §4.2.1).
    #[error("CBOR is not deterministically encoded: {0}")]
    NonDeterministicCbor(&'static str),
    /// The bytes are CBOR but not a COSE_Sign1 structure of the expected shape.
    #[error("not a COSE_Sign1 structure: {0}")]
    NotCoseSign1(String),
    /// The protected header has no `alg`.
    #[error("the COSE protected header has no alg")]
    MissingAlgorithm,
    /// A header parameter that must be protected (such as `alg` or `kid`) is in the unprotected
    /// header, or the unprotected header is not empty.
    #[error("the COSE unprotected header must be empty")]
    UnprotectedHeader,
    /// The protected header holds a parameter this version does not understand.
    #[error("the COSE protected header holds an unknown or critical parameter")]
    UnknownHeader,
    /// The protected header has no key id, or one of the wrong length.
    #[error("the COSE protected header must hold an 8-byte kid")]
    BadKeyId,
    /// The COSE_Sign1 has a detached (nil) payload.
    #[error("the COSE_Sign1 has no payload")]
    MissingPayload,
    /// The signature field does not have the length of the algorithm's signatures.
    #[error("the signature is {0} bytes long, not 64")]
    BadSignatureLength(usize),
    /// The signed claims do not follow the specification.
    #[error("invalid claims in the code: {0}")]
    MalformedClaims(ClaimsError),

    /// The code uses a signature algorithm this implementation does not support.
    #[error("unsupported signature algorithm {alg}")]
    UnsupportedAlgorithm {
        /// The COSE algorithm identifier found.
        alg: i64,
    },
    /// Trusted keys with this kid exist, but none is registered for the code's algorithm.
    #[error("key {kid} is not registered for algorithm {alg}")]
    AlgorithmNotAllowedForKey {
        /// The COSE algorithm identifier found.
        alg: i64,
        /// The key id, in hex.
        kid: String,
    },
    /// No trusted key has the code's key id.
    #[error("no trusted key has key id {kid}")]
    UnknownKey {
        /// The key id, in hex.
        kid: String,
    },
    /// No trusted key with the code's key id verifies its signature.
    #[error("the signature does not verify")]
    BadSignature,
    /// The `iss` claim names another issuer than the one the signing key belongs to.
    #[error("the code claims issuer `{claimed}` but is signed by a key of `{key_issuer}`")]
    IssuerMismatch {
        /// The `iss` in the code.
        claimed: String,
        /// The issuer that owns the key.
        key_issuer: String,
    },
    /// The signing key is marked compromised in the trust list: nothing it signed is trusted.
    #[error("signing key {kid} is marked compromised")]
    KeyCompromised {
        /// The key id, in hex.
        kid: String,
    },
    /// The code's `iat` lies outside the signing key's validity window.
    #[error("code issued at {issued_at} outside the validity window of key {kid}")]
    KeyNotValidAt {
        /// The key id, in hex.
        kid: String,
        /// The code's `iat`, in Unix seconds.
        issued_at: i64,
    },
    /// The code has expired (`now >= exp + skew`).
    #[error("the code expired at {expires_at} (checked at {now}, skew {skew}s)")]
    Expired {
        /// The code's `exp`, in Unix seconds.
        expires_at: i64,
        /// The validation time, in Unix seconds.
        now: i64,
        /// The allowed clock skew, in seconds.
        skew: i64,
    },
    /// The code is not valid yet (`now < nbf - skew`, or `iat > now + skew`).
    #[error("the code is not valid before {valid_from} (checked at {now}, skew {skew}s)")]
    NotYetValid {
        /// The code's `nbf`, or its `iat` when that lies in the future.
        valid_from: i64,
        /// The validation time, in Unix seconds.
        now: i64,
        /// The allowed clock skew, in seconds.
        skew: i64,
    },
    /// The claims lie outside what the trust list allows this issuer to issue.
    #[error("issuer `{issuer}` may not issue {what}")]
    OutOfScope {
        /// The issuer id.
        issuer: String,
        /// What was outside its scope, e.g. `status red` or `region CN-11`.
        what: String,
    },

    /// The trust list is not a well-formed signed trust list.
    #[error("the trust list is malformed: {0}")]
    TrustListMalformed(String),
    /// The trust list exceeds a documented size limit (bytes, signatures, issuers, keys of one
    /// issuer); refused before the work that limit bounds.
    #[error("the trust list has {len} {what}, more than the limit of {max}")]
    TrustListTooLarge {
        /// What was counted: `bytes`, `signatures`, `issuers` or `keys for one issuer`.
        what: &'static str,
        /// The count found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The trust list carries no signature at all.
    #[error("the trust list is not signed (run `hcx trust sign`)")]
    TrustListUnsigned,
    /// A signature on the trust list by a configured root key does not verify.
    #[error("the trust list signature by root {kid} does not verify")]
    TrustListBadSignature {
        /// The root key id, in hex.
        kid: String,
    },
    /// The trust list is not signed by enough of the configured root keys.
    #[error("the trust list is signed by {valid} configured root key(s); {required} required")]
    TrustListUntrusted {
        /// Valid signatures by distinct configured roots.
        valid: usize,
        /// The threshold.
        required: usize,
    },
    /// The trust list has passed its `expires_at`.
    #[error("the trust list expired at {expires_at}")]
    TrustListExpired {
        /// The list's `expires_at`, RFC 3339.
        expires_at: String,
    },
    /// The trust list is older than one already accepted (rollback).
    #[error("trust list sequence {sequence} is older than {min_sequence}, already seen")]
    TrustListRollback {
        /// The sequence of the list offered.
        sequence: u64,
        /// The highest sequence accepted before.
        min_sequence: u64,
    },

    /// Claims given for issuing do not follow the specification.
    #[error("invalid claims: {0}")]
    InvalidClaims(ClaimsError),
    /// A key could not be read, or does not fit its use.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// An argument to an issuing or editing operation is out of range.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl Error {
    /// The stable, machine-readable error code of the specification (e.g. `bad_signature`).
    pub fn code(&self) -> Code {
        use Error::*;
        match self {
            TextTooLong { .. }
            | BadPrefix
            | Base45(_)
            | NonCanonicalBase45
            | Cbor(_)
            | TrailingBytes(_)
            | CborTooDeep { .. }
            | DuplicateMapKey
            | NonDeterministicCbor(_)
            | NotCoseSign1(_)
            | MissingAlgorithm
            | UnprotectedHeader
            | UnknownHeader
            | BadKeyId
            | MissingPayload
            | BadSignatureLength(_)
            | MalformedClaims(_) => Code::Malformed,
            UnsupportedAlgorithm { .. } | AlgorithmNotAllowedForKey { .. } => {
                Code::UnsupportedAlgorithm
            }
            UnknownKey { .. } => Code::UnknownKey,
            BadSignature => Code::BadSignature,
            IssuerMismatch { .. } => Code::IssuerMismatch,
            KeyCompromised { .. } | KeyNotValidAt { .. } => Code::KeyNotValid,
            Expired { .. } => Code::Expired,
            NotYetValid { .. } => Code::NotYetValid,
            OutOfScope { .. } => Code::OutOfScope,
            TrustListMalformed(_)
            | TrustListTooLarge { .. }
            | TrustListUnsigned
            | TrustListBadSignature { .. } => Code::TrustListInvalid,
            TrustListUntrusted { .. } => Code::TrustListUntrusted,
            TrustListExpired { .. } => Code::TrustListExpired,
            TrustListRollback { .. } => Code::TrustListRollback,
            InvalidClaims(_) => Code::InvalidClaims,
            InvalidKey(_) => Code::InvalidKey,
            InvalidInput(_) => Code::InvalidInput,
        }
    }

    /// The precise, machine-readable name of this failure (one per variant, e.g. `duplicate_map_key`).
    pub fn reason(&self) -> Reason {
        use Error::*;
        match self {
            TextTooLong { .. } => Reason::TextTooLong,
            BadPrefix => Reason::BadPrefix,
            Base45(_) => Reason::BadBase45,
            NonCanonicalBase45 => Reason::NonCanonicalBase45,
            Cbor(_) => Reason::BadCbor,
            TrailingBytes(_) => Reason::TrailingBytes,
            CborTooDeep { .. } => Reason::CborTooDeep,
            DuplicateMapKey => Reason::DuplicateMapKey,
            NonDeterministicCbor(_) => Reason::NonDeterministicCbor,
            NotCoseSign1(_) => Reason::NotCoseSign1,
            MissingAlgorithm => Reason::MissingAlg,
            UnprotectedHeader => Reason::UnprotectedHeader,
            UnknownHeader => Reason::UnknownHeader,
            BadKeyId => Reason::BadKid,
            MissingPayload => Reason::MissingPayload,
            BadSignatureLength(_) => Reason::BadSignatureLength,
            MalformedClaims(_) => Reason::BadClaims,
            UnsupportedAlgorithm { .. } => Reason::UnsupportedAlgorithm,
            AlgorithmNotAllowedForKey { .. } => Reason::AlgNotAllowedForKey,
            UnknownKey { .. } => Reason::UnknownKey,
            BadSignature => Reason::BadSignature,
            IssuerMismatch { .. } => Reason::IssuerMismatch,
            KeyCompromised { .. } => Reason::KeyCompromised,
            KeyNotValidAt { .. } => Reason::IatOutsideKeyWindow,
            Expired { .. } => Reason::Expired,
            NotYetValid { .. } => Reason::NotYetValid,
            OutOfScope { .. } => Reason::OutOfScope,
            TrustListMalformed(_) => Reason::TrustListMalformed,
            TrustListTooLarge { .. } => Reason::TrustListTooLarge,
            TrustListUnsigned => Reason::TrustListUnsigned,
            TrustListBadSignature { .. } => Reason::TrustListBadSignature,
            TrustListUntrusted { .. } => Reason::TrustListUntrusted,
            TrustListExpired { .. } => Reason::TrustListExpired,
            TrustListRollback { .. } => Reason::TrustListRollback,
            InvalidClaims(_) => Reason::InvalidClaims,
            InvalidKey(_) => Reason::InvalidKey,
            InvalidInput(_) => Reason::InvalidInput,
        }
    }

    /// True when the failure concerns the trust list rather than the code being judged.
    pub fn is_trust_list_error(&self) -> bool {
        self.code().is_trust_list()
    }
}

impl Coded for Error {
    fn code(&self) -> Code {
        Error::code(self)
    }
    fn reason(&self) -> Reason {
        Error::reason(self)
    }
}
