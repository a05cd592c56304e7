//! The status every call returns: the verdict code of SPEC §8/§9 as a stable number, or an
//! error in the call itself (a NULL pointer, bytes that are not UTF-8, an impossible length).

use std::ffi::{CStr, CString};
use std::sync::OnceLock;

use hcx_verify::{Code, Reason};

/// What a call returns. `HCX_STATUS_OK` (0) is a valid code or a successful operation;
/// 1–98 are the stable codes of SPEC §8/§9, each equal to the `error.code` of the JSON the call
/// wrote (`hcx_status_name` gives the name); 99 is a code newer than this header (read the
/// JSON); 100 and up are errors in the call itself, for which the JSON's code is `usage` or
/// `invalid_input`. The numbers never change; new codes get new numbers.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HcxStatus {
    /// The code is valid, or the operation succeeded.
    Ok = 0,
    /// `malformed`: text, base45, CBOR, COSE, JSON or claims not as specified.
    Malformed = 1,
    /// `unsupported_algorithm`.
    UnsupportedAlgorithm = 2,
    /// `unknown_key`: no trusted key has the code's key id.
    UnknownKey = 3,
    /// `bad_signature`.
    BadSignature = 4,
    /// `issuer_mismatch`: the code names another issuer than the key's owner.
    IssuerMismatch = 5,
    /// `key_not_valid`: the key is compromised, or was not valid when the code was issued.
    KeyNotValid = 6,
    /// `expired`.
    Expired = 7,
    /// `not_yet_valid`.
    NotYetValid = 8,
    /// `out_of_scope`: the issuer may not issue this status, evidence or region.
    OutOfScope = 9,
    /// `key_usage`: a foreign signer certificate may not sign this kind of certificate.
    KeyUsage = 10,
    /// `certificate_invalid`: a foreign signer certificate is invalid.
    CertificateInvalid = 11,
    /// `chain`: a foreign signer certificate does not chain to a trusted anchor.
    Chain = 12,
    /// `revoked`.
    Revoked = 13,
    /// `suspended`.
    Suspended = 14,
    /// `revocation_list_invalid`.
    RevocationListInvalid = 15,
    /// `schema`: a foreign certificate's payload breaks its format's schema.
    Schema = 16,
    /// `no_code_found`: the image holds no code.
    NoCodeFound = 17,
    /// `status_stale`: the status data is older than the policy allows (could not judge).
    StatusStale = 18,
    /// `status_invalid`: a status list is unusable (could not judge).
    StatusInvalid = 19,
    /// `trust_list_invalid` (could not judge).
    TrustListInvalid = 20,
    /// `trust_list_untrusted` (could not judge).
    TrustListUntrusted = 21,
    /// `trust_list_expired` (could not judge).
    TrustListExpired = 22,
    /// `trust_list_rollback` (could not judge).
    TrustListRollback = 23,
    /// `invalid_claims`: claims given for issuing are invalid.
    InvalidClaims = 24,
    /// `invalid_key`: a key could not be read, or does not fit its use.
    InvalidKey = 25,
    /// `invalid_input`: an argument is out of range or unreadable.
    InvalidInput = 26,
    /// `usage`: the request itself is wrong (for example an hcx code without an hcx trust list).
    Usage = 27,
    /// `io`.
    Io = 28,
    /// `unavailable`: a service cannot answer now (overload, no usable trust data).
    Unavailable = 29,
    /// A code newer than this header: its name is in the JSON's `error.code`.
    OtherCode = 99,
    /// A pointer the call needs is NULL (JSON code `usage`).
    ErrNullPointer = 100,
    /// A text argument is not UTF-8 (JSON code `invalid_input`, reason `not_utf8`).
    ErrNotUtf8 = 101,
    /// A length or count is above its `HCX_MAX_*` bound (JSON code `invalid_input`, reason
    /// `too_large`).
    ErrTooLong = 102,
    /// hcx failed inside (a bug; please report it). No panic ever crosses the boundary.
    ErrInternal = 103,
    /// A free function was given a pointer the library has not handed out, or has already
    /// taken back (a double free); nothing was freed.
    ErrNotLive = 104,
}

/// Every verdict code with its status number: the one table both directions read.
const CODES: &[(Code, HcxStatus)] = &[
    (Code::Malformed, HcxStatus::Malformed),
    (Code::UnsupportedAlgorithm, HcxStatus::UnsupportedAlgorithm),
    (Code::UnknownKey, HcxStatus::UnknownKey),
    (Code::BadSignature, HcxStatus::BadSignature),
    (Code::IssuerMismatch, HcxStatus::IssuerMismatch),
    (Code::KeyNotValid, HcxStatus::KeyNotValid),
    (Code::Expired, HcxStatus::Expired),
    (Code::NotYetValid, HcxStatus::NotYetValid),
    (Code::OutOfScope, HcxStatus::OutOfScope),
    (Code::KeyUsage, HcxStatus::KeyUsage),
    (Code::CertificateInvalid, HcxStatus::CertificateInvalid),
    (Code::Chain, HcxStatus::Chain),
    (Code::Revoked, HcxStatus::Revoked),
    (Code::Suspended, HcxStatus::Suspended),
    (
        Code::RevocationListInvalid,
        HcxStatus::RevocationListInvalid,
    ),
    (Code::Schema, HcxStatus::Schema),
    (Code::NoCodeFound, HcxStatus::NoCodeFound),
    (Code::StatusStale, HcxStatus::StatusStale),
    (Code::StatusInvalid, HcxStatus::StatusInvalid),
    (Code::TrustListInvalid, HcxStatus::TrustListInvalid),
    (Code::TrustListUntrusted, HcxStatus::TrustListUntrusted),
    (Code::TrustListExpired, HcxStatus::TrustListExpired),
    (Code::TrustListRollback, HcxStatus::TrustListRollback),
    (Code::InvalidClaims, HcxStatus::InvalidClaims),
    (Code::InvalidKey, HcxStatus::InvalidKey),
    (Code::InvalidInput, HcxStatus::InvalidInput),
    (Code::Usage, HcxStatus::Usage),
    (Code::Io, HcxStatus::Io),
    (Code::Unavailable, HcxStatus::Unavailable),
];

/// The errors in a call itself, with their names.
const CALL_ERRORS: &[(HcxStatus, &CStr)] = &[
    (HcxStatus::Ok, c"ok"),
    (HcxStatus::OtherCode, c"other_code"),
    (HcxStatus::ErrNullPointer, c"null_pointer"),
    (HcxStatus::ErrNotUtf8, c"not_utf8"),
    (HcxStatus::ErrTooLong, c"too_long"),
    (HcxStatus::ErrInternal, c"internal"),
    (HcxStatus::ErrNotLive, c"not_live"),
];

impl HcxStatus {
    /// The status of a verdict code.
    pub fn of_code(code: Code) -> HcxStatus {
        CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(HcxStatus::OtherCode, |(_, s)| *s)
    }

    /// The status of an optional verdict code (`None`: valid).
    pub fn of(code: Option<Code>) -> HcxStatus {
        code.map_or(HcxStatus::Ok, HcxStatus::of_code)
    }

    /// The name of a status number, NUL-terminated and static; `None` for numbers that are no
    /// status.
    pub fn name(number: i32) -> Option<&'static CStr> {
        if let Some((_, name)) = CALL_ERRORS.iter().find(|(s, _)| *s as i32 == number) {
            return Some(name);
        }
        // The codes' names are spelt once, in hcx-error; their C strings are made on first use.
        static NAMES: OnceLock<Vec<(i32, CString)>> = OnceLock::new();
        NAMES
            .get_or_init(|| {
                CODES
                    .iter()
                    .filter_map(|(c, s)| Some((*s as i32, CString::new(c.as_str()).ok()?)))
                    .collect()
            })
            .iter()
            .find(|(s, _)| *s == number)
            .map(|(_, name)| name.as_c_str())
    }

    /// The exit status of the reference CLI for this status: 0 valid, 1 rejected, 2 could not
    /// judge (trust or status data unusable, a bad request, an error in the call).
    pub fn exit_status(number: i32) -> i32 {
        if number == HcxStatus::Ok as i32 {
            return 0;
        }
        CODES
            .iter()
            .find(|(_, s)| *s as i32 == number)
            .map_or(2, |(c, _)| i32::from(c.exit_status()))
    }
}

/// An error in the call itself, found before hcx looked at anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The named pointer argument is NULL.
    Null(&'static str),
    /// The named text argument is not UTF-8.
    NotUtf8(&'static str),
    /// The named length or count is above its bound.
    TooLong {
        /// The argument.
        what: &'static str,
        /// The length given.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// The named argument holds a value outside what it may be (an unknown option, a negative
    /// age).
    OutOfRange {
        /// The argument.
        what: &'static str,
        /// What is allowed.
        allowed: &'static str,
    },
    /// A panic was caught (a bug).
    Internal(String),
}

impl CallError {
    /// The error of a caught panic (a bug), with what the panic said. Both bindings' boundaries
    /// turn a panic into this.
    pub fn of_panic(payload: &(dyn std::any::Any + Send)) -> CallError {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        CallError::Internal(message)
    }

    /// The status the call returns.
    pub fn status(&self) -> HcxStatus {
        match self {
            CallError::Null(_) => HcxStatus::ErrNullPointer,
            CallError::NotUtf8(_) => HcxStatus::ErrNotUtf8,
            CallError::TooLong { .. } => HcxStatus::ErrTooLong,
            CallError::OutOfRange { .. } => HcxStatus::InvalidInput,
            CallError::Internal(_) => HcxStatus::ErrInternal,
        }
    }

    /// The SPEC §9 error JSON the call writes.
    pub fn to_json(&self) -> String {
        self.parts().2
    }

    /// The code, reason and SPEC §9 error JSON of the error.
    pub fn parts(&self) -> (Code, Option<Reason>, String) {
        let (code, reason, message) = match self {
            CallError::Null(what) => (Code::Usage, None, format!("`{what}` is NULL")),
            CallError::NotUtf8(what) => (
                Code::InvalidInput,
                Some(Reason::NotUtf8),
                format!("`{what}` is not UTF-8"),
            ),
            CallError::TooLong { what, len, max } => (
                Code::InvalidInput,
                Some(Reason::TooLarge),
                format!("`{what}` is {len}, more than the bound {max}"),
            ),
            CallError::OutOfRange { what, allowed } => (
                Code::InvalidInput,
                Some(Reason::InvalidInput),
                format!("`{what}` is out of range: {allowed}"),
            ),
            CallError::Internal(message) => (
                Code::InvalidInput,
                None,
                format!("internal error in hcx (a bug, please report it): {message}"),
            ),
        };
        (code, reason, hcx_verify::error_json(code, reason, &message))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A code added to hcx-error without a status number fails here, not in an app.
    #[test]
    fn every_code_has_its_own_status_and_name() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let status = HcxStatus::of_code(*code);
            assert_ne!(status, HcxStatus::OtherCode, "{code} has no status number");
            assert!(seen.insert(status as i32), "{code} shares a number");
            assert!((1..99).contains(&(status as i32)));
            let name = HcxStatus::name(status as i32).unwrap();
            assert_eq!(name.to_str().unwrap(), code.as_str());
            assert_eq!(
                HcxStatus::exit_status(status as i32),
                i32::from(code.exit_status())
            );
        }
        assert_eq!(CODES.len(), Code::ALL.len());
    }

    #[test]
    fn call_errors_are_named_and_cannot_judge() {
        for (status, name) in CALL_ERRORS {
            assert_eq!(HcxStatus::name(*status as i32), Some(*name));
        }
        assert_eq!(HcxStatus::exit_status(0), 0);
        assert_eq!(HcxStatus::exit_status(HcxStatus::ErrNotUtf8 as i32), 2);
        assert_eq!(HcxStatus::name(-1), None);
        assert_eq!(HcxStatus::name(98), None);
    }

    #[test]
    fn a_caught_panic_keeps_its_message() {
        let caught = std::panic::catch_unwind(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(
            CallError::of_panic(&*caught),
            CallError::Internal("boom 7".into())
        );
        let caught = std::panic::catch_unwind(|| std::panic::panic_any(3_u8)).unwrap_err();
        assert_eq!(
            CallError::of_panic(&*caught),
            CallError::Internal("a panic".into())
        );
    }

    #[test]
    fn call_errors_write_spec_json() {
        let json = CallError::NotUtf8("text").to_json();
        assert_eq!(
            json,
            r#"{"error":{"code":"invalid_input","message":"`text` is not UTF-8","reason":"not_utf8"},"valid":false}"#
        );
        assert!(
            CallError::Null("out_json")
                .to_json()
                .contains(r#""code":"usage""#)
        );
    }
}
