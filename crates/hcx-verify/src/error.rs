//! The facade's errors, split by operation: loading trust ([`TrustError`]) and verifying a code
//! ([`VerifyError`]), each wrapping the typed error of the layer that failed.

use hcx_error::{Code, Coded, Reason};

/// Why a trust input cannot be used. Every variant stops the verifier from being built: an app
/// must not verify against trust it could not load.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// An hcx trust list is malformed, badly signed, untrusted, expired or rolled back, or the
    /// policy's threshold is impossible.
    #[error(transparent)]
    TrustList(#[from] hcx_format::TrustListError),
    /// A foreign trust input (certificates, JWKS, DCC signer list, SHC revocation list) is
    /// unreadable or invalid.
    #[cfg(feature = "foreign")]
    #[error(transparent)]
    Foreign(hcx_interop::Error),
    /// A status list's envelope or payload cannot be read (one that reads but fails its
    /// checks is an answer about its issuer's codes instead).
    #[error("status list: {0}")]
    Status(hcx_status::StatusError),
    /// An hcx trust list was given, but no root key to check it with.
    #[error("an hcx trust list needs the root key(s) it must be signed by")]
    MissingRoots,
    /// More than one hcx trust list was given.
    #[error("give at most one hcx trust list")]
    SeveralTrustLists,
    /// The input is no trust input this build reads (foreign inputs need the `foreign`
    /// feature).
    #[error("unrecognised trust input: {0}")]
    Unrecognised(&'static str),
}

impl Coded for TrustError {
    fn code(&self) -> Code {
        match self {
            TrustError::TrustList(e) => e.code(),
            // A foreign input that cannot be used is a trust input that cannot be used, whatever
            // layer of it failed: the verdict is about the trust, not about a code.
            #[cfg(feature = "foreign")]
            TrustError::Foreign(_) => Code::TrustListInvalid,
            TrustError::Unrecognised(_) => Code::TrustListInvalid,
            TrustError::Status(e) => e.code(),
            TrustError::MissingRoots | TrustError::SeveralTrustLists => Code::Usage,
        }
    }

    fn reason(&self) -> Reason {
        match self {
            TrustError::TrustList(e) => e.reason(),
            #[cfg(feature = "foreign")]
            TrustError::Foreign(e) => e.reason(),
            TrustError::Unrecognised(_) => Reason::UnrecognisedTrustFile,
            TrustError::Status(e) => e.reason(),
            TrustError::MissingRoots => Reason::MissingRoots,
            TrustError::SeveralTrustLists => Reason::SeveralTrustLists,
        }
    }
}

/// Why a code was rejected, or could not be judged.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// An hcx code failed a check of SPEC §8.
    #[error(transparent)]
    Hcx(#[from] hcx_format::VerifyError),
    /// A foreign certificate failed a check of its format.
    #[cfg(feature = "foreign")]
    #[error(transparent)]
    Foreign(#[from] hcx_interop::Error),
    /// The picture holds no code, or cannot be read.
    #[cfg(feature = "qr")]
    #[error(transparent)]
    Image(std::sync::Arc<hcx_qr::Error>),
    /// An hcx code valid through C17 fails its issuer's status (revoked, suspended, or status
    /// data missing, stale or unusable).
    #[error(transparent)]
    Status(#[from] crate::status::StatusFailure),
    /// The text is a code of a format this verifier has no trust for: an hcx code without an
    /// hcx trust list.
    #[error("an hcx code needs an hcx trust list")]
    NoHcxTrustList,
    /// The input is not text, or too long to be a code (for example a line of a batch).
    #[error("{message}")]
    Input {
        /// `not_utf8` or `text_too_long`.
        reason: Reason,
        /// What is wrong.
        message: String,
    },
}

#[cfg(feature = "qr")]
impl From<hcx_qr::Error> for VerifyError {
    fn from(e: hcx_qr::Error) -> Self {
        VerifyError::Image(std::sync::Arc::new(e))
    }
}

impl Coded for VerifyError {
    fn code(&self) -> Code {
        match self {
            VerifyError::Hcx(e) => e.code(),
            #[cfg(feature = "foreign")]
            VerifyError::Foreign(e) => e.code(),
            #[cfg(feature = "qr")]
            VerifyError::Image(e) => e.code(),
            VerifyError::Status(e) => e.code(),
            VerifyError::NoHcxTrustList => Code::Usage,
            VerifyError::Input { .. } => Code::Malformed,
        }
    }

    fn reason(&self) -> Reason {
        match self {
            VerifyError::Hcx(e) => e.reason(),
            #[cfg(feature = "foreign")]
            VerifyError::Foreign(e) => e.reason(),
            #[cfg(feature = "qr")]
            VerifyError::Image(e) => e.reason(),
            VerifyError::Status(e) => e.reason(),
            VerifyError::NoHcxTrustList => Reason::NoHcxTrustList,
            VerifyError::Input { reason, .. } => *reason,
        }
    }
}

impl VerifyError {
    /// The stable code of SPEC §8/§9 (e.g. `expired`).
    pub fn code(&self) -> Code {
        Coded::code(self)
    }

    /// The precise reason (e.g. `iat_outside_key_window`).
    pub fn reason(&self) -> Reason {
        Coded::reason(self)
    }

    /// The exit status of the reference CLI: 1 rejected, 2 could not judge.
    pub fn exit_status(&self) -> u8 {
        self.code().exit_status()
    }
}

impl TrustError {
    /// The stable code (`trust_list_*`, or `usage` for a missing root key).
    pub fn code(&self) -> Code {
        Coded::code(self)
    }

    /// The precise reason.
    pub fn reason(&self) -> Reason {
        Coded::reason(self)
    }
}
