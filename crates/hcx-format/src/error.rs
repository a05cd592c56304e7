//! The errors of this crate, one type per operation (as age splits them): reading a code
//! ([`DecodeError`]), verifying it ([`VerifyError`]), loading or signing a trust list
//! ([`TrustListError`]), issuing ([`IssueError`]) and keys ([`KeyError`]).
//!
//! Each answers [`Coded`]: a stable [`Code`] of SPEC §8/§9 and a precise [`Reason`].

use hcx_error::{Code, Coded, Reason};

/// Why a code text is not a well-formed hcx code (every variant is `malformed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The code text is longer than the specification allows.
    #[error("code text is {len} characters long, more than the limit of {max}")]
    TextTooLong {
        /// Length of the text received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The code text does not start with `HCX1:`.
    #[error("code text does not start with `HCX1:`")]
    BadPrefix,
    /// The text after the prefix is not valid base45.
    #[error("code text is not valid base45: {0}")]
    Base45(String),
    /// The base45 text decodes, but is not the one canonical encoding of its bytes.
    #[error("code text is not canonical base45")]
    NonCanonicalBase45,
    /// The bytes are not well-formed CBOR.
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
    /// The unprotected header is not empty.
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
    /// The signed claims do not follow the specification.
    #[error("invalid claims in the code: {0}")]
    Claims(ClaimsError),
}

impl Coded for DecodeError {
    fn code(&self) -> Code {
        Code::Malformed
    }

    fn reason(&self) -> Reason {
        use DecodeError::*;
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
            Claims(_) => Reason::BadClaims,
        }
    }
}

/// Why a code is rejected: malformed, or failing a check of SPEC §8 (C7–C17).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The code is not well-formed (C1–C6).
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    /// The code uses a signature algorithm this implementation does not support (C7).
    #[error("unsupported signature algorithm {alg}")]
    UnsupportedAlgorithm {
        /// The COSE algorithm identifier found, or `(not an integer)`.
        alg: String,
    },
    /// The signature field does not have the length of the algorithm's signatures (C8).
    #[error("the signature is {0} bytes long, not 64")]
    BadSignatureLength(usize),
    /// No trusted key has the code's key id (C9).
    #[error("no trusted key has key id {kid}")]
    UnknownKey {
        /// The key id, in hex.
        kid: String,
    },
    /// Trusted keys with this kid exist, but none is registered for the code's algorithm (C10).
    #[error("key {kid} is not registered for algorithm {alg}")]
    AlgorithmNotAllowedForKey {
        /// The COSE algorithm identifier found.
        alg: i64,
        /// The key id, in hex.
        kid: String,
    },
    /// No trusted key with the code's key id verifies its signature (C11).
    #[error("the signature does not verify")]
    BadSignature,
    /// The `iss` claim names another issuer than the one the signing key belongs to (C12).
    #[error("the code claims issuer `{claimed}` but is signed by a key of `{key_issuer}`")]
    IssuerMismatch {
        /// The `iss` in the code.
        claimed: String,
        /// The issuer that owns the key.
        key_issuer: String,
    },
    /// The signing key is marked compromised: nothing it signed is trusted (C13).
    #[error("signing key {kid} is marked compromised")]
    KeyCompromised {
        /// The key id, in hex.
        kid: String,
    },
    /// The code's `iat` lies outside the signing key's validity window (C14).
    #[error("code issued at {issued_at} outside the validity window of key {kid}")]
    KeyNotValidAt {
        /// The key id, in hex.
        kid: String,
        /// The code's `iat`, in Unix seconds.
        issued_at: i64,
    },
    /// The code has expired: `now >= exp + skew` (C15).
    #[error("the code expired at {expires_at} (checked at {now}, skew {skew}s)")]
    Expired {
        /// The code's `exp`, in Unix seconds.
        expires_at: i64,
        /// The validation time, in Unix seconds.
        now: i64,
        /// The allowed clock skew, in seconds.
        skew: i64,
    },
    /// The code is not valid yet: `now < max(iat, nbf) - skew` (C16).
    #[error("the code is not valid before {valid_from} (checked at {now}, skew {skew}s)")]
    NotYetValid {
        /// The code's `nbf`, or its `iat` when that lies in the future.
        valid_from: i64,
        /// The validation time, in Unix seconds.
        now: i64,
        /// The allowed clock skew, in seconds.
        skew: i64,
    },
    /// The claims lie outside what the trust list allows this issuer to issue (C17).
    #[error("issuer `{issuer}` may not issue {what}")]
    OutOfScope {
        /// The issuer id.
        issuer: String,
        /// What was outside its scope, e.g. `status red` or `region CN-11`.
        what: String,
    },
}

impl Coded for VerifyError {
    fn code(&self) -> Code {
        use VerifyError::*;
        match self {
            Malformed(e) => e.code(),
            BadSignatureLength(_) => Code::Malformed,
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
        }
    }

    fn reason(&self) -> Reason {
        use VerifyError::*;
        match self {
            Malformed(e) => e.reason(),
            BadSignatureLength(_) => Reason::BadSignatureLength,
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
        }
    }
}

/// Why a trust list cannot be used (SPEC §7, steps T1–T7 of §8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// The verifier's policy cannot accept any list (a threshold of 0, or above the number of
    /// roots): a configuration mistake, refused before any list is read.
    #[error("invalid trust-list policy: {0}")]
    BadPolicy(String),
    /// The trust list is not a well-formed signed trust list.
    #[error("the trust list is malformed: {0}")]
    Malformed(String),
    /// The trust list exceeds a documented size limit (bytes, signatures, issuers, keys of one
    /// issuer); refused before the work that limit bounds.
    #[error("the trust list has {len} {what}, more than the limit of {max}")]
    TooLarge {
        /// What was counted: `bytes`, `signatures`, `issuers` or `keys for one issuer`.
        what: &'static str,
        /// The count found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The trust list carries no signature at all.
    #[error("the trust list is not signed (run `hcx trust sign`)")]
    Unsigned,
    /// A signature on the trust list by a configured root key does not verify.
    #[error("the trust list signature by root {kid} does not verify")]
    BadSignature {
        /// The root key id, in hex.
        kid: String,
    },
    /// The trust list is not signed by enough of the configured root keys.
    #[error("the trust list is signed by {valid} configured root key(s); {required} required")]
    Untrusted {
        /// Valid signatures by distinct configured roots.
        valid: usize,
        /// The threshold.
        required: usize,
    },
    /// The trust list has passed its `expires_at`.
    #[error("the trust list expired at {expires_at}")]
    Expired {
        /// The list's `expires_at`, RFC 3339.
        expires_at: String,
    },
    /// The trust list is older than one already accepted (rollback).
    #[error("trust list sequence {sequence} is older than {min_sequence}, already seen")]
    Rollback {
        /// The sequence of the list offered.
        sequence: u64,
        /// The highest sequence accepted before.
        min_sequence: u64,
    },
}

impl Coded for TrustListError {
    fn code(&self) -> Code {
        use TrustListError::*;
        match self {
            BadPolicy(_) => Code::InvalidInput,
            Malformed(_) | TooLarge { .. } | Unsigned | BadSignature { .. } => {
                Code::TrustListInvalid
            }
            Untrusted { .. } => Code::TrustListUntrusted,
            Expired { .. } => Code::TrustListExpired,
            Rollback { .. } => Code::TrustListRollback,
        }
    }

    fn reason(&self) -> Reason {
        use TrustListError::*;
        match self {
            BadPolicy(_) => Reason::InvalidInput,
            Malformed(_) => Reason::TrustListMalformed,
            TooLarge { .. } => Reason::TrustListTooLarge,
            Unsigned => Reason::TrustListUnsigned,
            BadSignature { .. } => Reason::TrustListBadSignature,
            Untrusted { .. } => Reason::TrustListUntrusted,
            Expired { .. } => Reason::TrustListExpired,
            Rollback { .. } => Reason::TrustListRollback,
        }
    }
}

/// Why a code cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The claims do not follow the specification.
    #[error("invalid claims: {0}")]
    InvalidClaims(#[from] ClaimsError),
    /// An issuing parameter (issuer id, times, code id) is out of range, or the system has
    /// no randomness for the code id.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl Coded for IssueError {
    fn code(&self) -> Code {
        match self {
            IssueError::InvalidClaims(_) => Code::InvalidClaims,
            IssueError::InvalidInput(_) => Code::InvalidInput,
        }
    }

    fn reason(&self) -> Reason {
        match self {
            IssueError::InvalidClaims(_) => Reason::InvalidClaims,
            IssueError::InvalidInput(_) => Reason::InvalidInput,
        }
    }
}

/// A key that cannot be read, generated or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid key: {0}")]
pub struct KeyError(pub String);

impl Coded for KeyError {
    fn code(&self) -> Code {
        Code::InvalidKey
    }

    fn reason(&self) -> Reason {
        Reason::InvalidKey
    }
}

/// Implements the inherent `code()` and `reason()` on each error type, so callers need not
/// import [`Coded`].
macro_rules! inherent_coded {
    ($($t:ty),+) => {$(
        impl $t {
            /// The stable code of SPEC §8/§9 (e.g. `bad_signature`).
            pub fn code(&self) -> Code {
                Coded::code(self)
            }
            /// The precise reason (e.g. `non_canonical_base45`).
            pub fn reason(&self) -> Reason {
                Coded::reason(self)
            }
        }
    )+};
}

inherent_coded!(
    DecodeError,
    VerifyError,
    TrustListError,
    IssueError,
    KeyError
);

/// Why a set of claims does not follow the specification: which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsError {
    /// The field, as a JSON path such as `subject.birth_date` or `tests[1].result`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "{}: {}", self.field, self.problem)
        }
    }
}

impl std::error::Error for ClaimsError {}
