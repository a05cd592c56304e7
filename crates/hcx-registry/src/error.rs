//! The one error type of the registry, with its stable codes and reasons (hcx-error).

use hcx_error::{Code, Coded, Reason};
use hcx_status::StatusError;

use crate::CodeId;

/// Everything that can go wrong recording codes, changing their status or publishing lists.
///
/// Variants about one code ([`RegistryError::UnknownCode`], [`RegistryError::Final`],
/// [`RegistryError::DuplicateCode`], [`RegistryError::TooLate`]) come back per code from the
/// bulk operations, whose other codes are unaffected; the rest end the operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The store could not be opened, reached, read or written.
    #[error("registry {0}")]
    Unavailable(String),
    /// The database is not an hcx registry, or has another schema version.
    #[error("{0}")]
    Schema(String),
    /// A code id is not recorded for the issuer.
    #[error("code {code_id} is not in the registry of issuer `{issuer}`")]
    UnknownCode {
        /// The issuer.
        issuer: String,
        /// The code id.
        code_id: CodeId,
    },
    /// The registry holds no codes of the issuer named.
    #[error("the registry holds no codes of issuer `{0}`")]
    UnknownIssuer(String),
    /// The registry holds several issuers and none was chosen.
    #[error("the registry holds several issuers ({0}): choose one")]
    SeveralIssuers(String),
    /// A revoked code cannot be given another status.
    #[error("code {0} is revoked, and revocation is final")]
    Final(CodeId),
    /// The code id is already recorded for the issuer with other times.
    #[error("code id {0} is already recorded for this issuer")]
    DuplicateCode(CodeId),
    /// The code was issued before the coverage bound of a published list.
    #[error(
        "code {code_id} was issued at {issued_at}, before the coverage bound {issued_before} of \
         status list {sequence} already published: no list could give it its status"
    )]
    TooLate {
        /// The code id.
        code_id: CodeId,
        /// The code's `iat`.
        issued_at: i64,
        /// The published list's `issued_before`.
        issued_before: i64,
        /// The published list's sequence.
        sequence: u64,
    },
    /// An argument is out of range (a malformed code id, times, a bad issuer id).
    #[error("{0}")]
    InvalidInput(String),
    /// Issuing a code failed (bad claims or parameters).
    #[error(transparent)]
    Issue(#[from] hcx_format::IssueError),
    /// Building, signing or re-reading a status list failed.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// Writing a published file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl RegistryError {
    /// The stable code: `io` for storage and files, `invalid_input` for the rest (or the
    /// status list's own code).
    pub fn code(&self) -> Code {
        match self {
            RegistryError::Unavailable(_) | RegistryError::Io { .. } => Code::Io,
            RegistryError::SeveralIssuers(_) => Code::Usage,
            RegistryError::Status(e) => e.code(),
            RegistryError::Issue(e) => e.code(),
            RegistryError::Schema(_)
            | RegistryError::UnknownCode { .. }
            | RegistryError::UnknownIssuer(_)
            | RegistryError::Final(_)
            | RegistryError::DuplicateCode(_)
            | RegistryError::TooLate { .. }
            | RegistryError::InvalidInput(_) => Code::InvalidInput,
        }
    }

    /// The precise, stable name of the failure.
    pub fn reason(&self) -> Reason {
        match self {
            RegistryError::Unavailable(_) => Reason::RegistryUnavailable,
            RegistryError::Schema(_) => Reason::RegistrySchema,
            RegistryError::UnknownCode { .. } => Reason::UnknownCode,
            RegistryError::UnknownIssuer(_) => Reason::UnknownIssuer,
            RegistryError::SeveralIssuers(_) | RegistryError::InvalidInput(_) => {
                Reason::InvalidInput
            }
            RegistryError::Final(_) => Reason::StatusFinal,
            RegistryError::DuplicateCode(_) => Reason::DuplicateCode,
            RegistryError::TooLate { .. } => Reason::RecordTooLate,
            RegistryError::Status(e) => e.reason(),
            RegistryError::Issue(e) => e.reason(),
            RegistryError::Io { .. } => Reason::IoError,
        }
    }
}

impl Coded for RegistryError {
    fn code(&self) -> Code {
        RegistryError::code(self)
    }

    fn reason(&self) -> Reason {
        RegistryError::reason(self)
    }
}

impl From<rusqlite::Error> for RegistryError {
    fn from(e: rusqlite::Error) -> RegistryError {
        use rusqlite::Error as E;
        match e {
            // SQLite stores any value in any column: a value of the wrong type or range read
            // back is damage to the registry, not a storage failure.
            E::InvalidColumnType(..)
            | E::FromSqlConversionFailure(..)
            | E::IntegralValueOutOfRange(..) => {
                RegistryError::Schema(format!("a stored value is damaged (SQLite): {e}"))
            }
            _ => RegistryError::Unavailable(format!("(SQLite): {e}")),
        }
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for RegistryError {
    fn from(e: postgres::Error) -> RegistryError {
        RegistryError::Unavailable(format!("(PostgreSQL): {e}"))
    }
}
