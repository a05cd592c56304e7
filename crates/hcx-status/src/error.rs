//! The one error type of this crate, with the stable codes and reasons of
//! SPEC.md §14.9 (written once, in hcx-error).

use hcx_error::{Code, Coded, Reason};

/// Everything that can go wrong building, reading, verifying or applying a status list.
///
/// [`StatusError::code`] groups the variants into the stable verdict codes (`status_invalid`,
/// `status_stale`, and `invalid_input` for a builder given bad input) and
/// [`StatusError::reason`] names the precise failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// A size or count exceeds a documented limit; refused before the work it bounds.
    #[error("the status list has {len} {what}, more than the limit of {max}")]
    TooLarge {
        /// What was counted.
        what: &'static str,
        /// The count found.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The bytes are not well-formed CBOR (truncated, reserved heads, invalid UTF-8).
    #[error("the status list is not well-formed CBOR: {0}")]
    Cbor(String),
    /// The CBOR is well-formed but not in its one deterministic encoding (non-shortest
    /// integers or lengths, indefinite lengths, non-zero padding bits).
    #[error("the status list is not canonically encoded: {0}")]
    NonCanonical(String),
    /// Bytes remain after the end of the list.
    #[error("{0} trailing bytes after the status list")]
    TrailingBytes(usize),
    /// The bytes are not a tagged COSE_Sign1 of four items.
    #[error("the status list is not a COSE_Sign1: {0}")]
    NotCoseSign1(String),
    /// The protected header is not exactly `{alg, kid, typ}` with the status-list type.
    #[error("the status list's protected header is wrong: {0}")]
    BadHeader(String),
    /// The list is signed with an algorithm other than EdDSA.
    #[error("the status list uses unsupported algorithm {0}")]
    UnsupportedAlgorithm(i64),
    /// The signature does not verify with the key authorised for the issuer's status.
    #[error("the status list signature does not verify")]
    BadSignature,
    /// The payload does not follow the schema (missing, unknown or out-of-range fields).
    #[error("the status list payload is invalid: {0}")]
    BadPayload(String),
    /// A status map is inconsistent (sizes, classes, level order).
    #[error("a status map in the list is invalid: {0}")]
    BadMap(String),
    /// The list is for another issuer than the one expected.
    #[error("the status list is for issuer `{found}`, not `{expected}`")]
    WrongIssuer {
        /// The issuer expected.
        expected: String,
        /// The issuer the list names.
        found: String,
    },
    /// The list is older than one already accepted.
    #[error("status list sequence {sequence} is older than {current}, already accepted")]
    Rollback {
        /// The sequence offered.
        sequence: u64,
        /// The highest sequence accepted before.
        current: u64,
    },
    /// A list with the sequence already held has different content.
    #[error("status list sequence {sequence} differs from the one already accepted")]
    Conflict {
        /// The sequence.
        sequence: u64,
    },
    /// A delta does not apply to the list held (another base, or a gap in sequences).
    #[error("the delta to sequence {sequence} applies to another base than sequence {current}")]
    WrongBase {
        /// The delta's sequence.
        sequence: u64,
        /// The sequence held.
        current: u64,
    },
    /// A delta is offered where a snapshot is required.
    #[error("a status state must start from a snapshot, not a delta")]
    NotASnapshot,
    /// The status data is older than the verifier's policy allows.
    #[error("the status list is stale: {0}")]
    Stale(Staleness),
    /// A builder was given input it cannot turn into a list.
    #[error("invalid input for a status list: {0}")]
    InvalidInput(String),
    /// A builder was given the same code id twice with different statuses.
    #[error("code id {0} is given two different statuses")]
    DuplicateCode(String),
    /// No ribbon size and seed tried gave an exact map (never seen; reported rather than
    /// publishing a list that could give a code a wrong status).
    #[error("could not build an exact status map")]
    BuildFailed,
}

/// Why status data is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staleness {
    /// The list's `expires_at` has passed.
    Expired {
        /// The list's expiry, Unix seconds.
        expires_at: i64,
    },
    /// The list is older than the policy's maximum age.
    TooOld {
        /// Age of the list, seconds.
        age: i64,
        /// The policy's maximum age, seconds.
        max_age: i64,
    },
    /// The list claims to be issued in the future beyond the clock skew.
    FromTheFuture {
        /// The list's `issued_at`, Unix seconds.
        issued_at: i64,
    },
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::Expired { expires_at } => write!(f, "it expired at {expires_at}"),
            Staleness::TooOld { age, max_age } => {
                write!(f, "it is {age} s old, more than the {max_age} s allowed")
            }
            Staleness::FromTheFuture { issued_at } => {
                write!(f, "it claims to be issued at {issued_at}, in the future")
            }
        }
    }
}

impl StatusError {
    /// The stable verdict code: `status_invalid`, `status_stale` or `invalid_input`.
    pub fn code(&self) -> Code {
        use StatusError::*;
        match self {
            Stale(_) => Code::StatusStale,
            InvalidInput(_) | DuplicateCode(_) | BuildFailed => Code::InvalidInput,
            TooLarge { .. }
            | Cbor(_)
            | NonCanonical(_)
            | TrailingBytes(_)
            | NotCoseSign1(_)
            | BadHeader(_)
            | UnsupportedAlgorithm(_)
            | BadSignature
            | BadPayload(_)
            | BadMap(_)
            | WrongIssuer { .. }
            | Rollback { .. }
            | Conflict { .. }
            | WrongBase { .. }
            | NotASnapshot => Code::StatusInvalid,
        }
    }

    /// The precise, stable name of this failure.
    pub fn reason(&self) -> Reason {
        use StatusError::*;
        match self {
            TooLarge { .. } => Reason::StatusTooLarge,
            Cbor(_) => Reason::StatusBadCbor,
            NonCanonical(_) => Reason::StatusNonCanonical,
            TrailingBytes(_) => Reason::StatusTrailingBytes,
            NotCoseSign1(_) => Reason::StatusNotCoseSign1,
            BadHeader(_) => Reason::StatusBadHeader,
            UnsupportedAlgorithm(_) => Reason::StatusUnsupportedAlgorithm,
            BadSignature => Reason::StatusBadSignature,
            BadPayload(_) => Reason::StatusBadPayload,
            BadMap(_) => Reason::StatusBadMap,
            WrongIssuer { .. } => Reason::StatusWrongIssuer,
            Rollback { .. } => Reason::StatusRollback,
            Conflict { .. } => Reason::StatusConflict,
            WrongBase { .. } => Reason::StatusWrongBase,
            NotASnapshot => Reason::StatusNotSnapshot,
            Stale(Staleness::Expired { .. }) => Reason::StatusExpired,
            Stale(Staleness::TooOld { .. }) => Reason::StatusTooOld,
            Stale(Staleness::FromTheFuture { .. }) => Reason::StatusFromTheFuture,
            InvalidInput(_) => Reason::InvalidInput,
            DuplicateCode(_) => Reason::DuplicateCode,
            BuildFailed => Reason::StatusBuildFailed,
        }
    }
}

impl Coded for StatusError {
    fn code(&self) -> Code {
        StatusError::code(self)
    }

    fn reason(&self) -> Reason {
        StatusError::reason(self)
    }
}
