//! The one error vocabulary of hcx: the stable verdict [`Code`]s of SPEC §8/§9 and the precise
//! [`Reason`]s under them, shared by every hcx crate and binding.
//!
//! Apps match on the code (`expired`, `bad_signature`, …): it is the interface between apps and
//! never changes meaning. The reason names the exact failure (`non_canonical_base45`,
//! `iat_outside_key_window`, …) for logs and support. Each crate's error type answers
//! [`Coded::code`] and [`Coded::reason`]; the texts are written here once.
//!
//! ```
//! use hcx_error::{Code, Reason};
//! assert_eq!(Code::Expired.as_str(), "expired");
//! assert_eq!(Code::Expired.exit_status(), 1);
//! assert_eq!(Code::TrustListExpired.exit_status(), 2);
//! assert_eq!("non_canonical_base45".parse::<Reason>(), Ok(Reason::NonCanonicalBase45));
//! ```
#![forbid(unsafe_code)]
#![no_std]

/// Exit status (and verdict class) of a code that was judged and rejected.
pub const EXIT_REJECTED: u8 = 1;
/// Exit status (and verdict class) when the code could not be judged.
pub const EXIT_CANNOT_JUDGE: u8 = 2;

/// An error type that speaks the hcx vocabulary.
pub trait Coded {
    /// The stable code (SPEC §8/§9).
    fn code(&self) -> Code;
    /// The precise reason.
    fn reason(&self) -> Reason;
}

/// Defines a fieldless enum whose variants map one-to-one to snake_case strings, with the
/// string conversions, `Display`, `FromStr` and comparison with `&str` (so tests and apps can
/// write `assert_eq!(e.code(), "expired")`).
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[doc = $doc:literal])+ $variant:ident = $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The snake_case name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    _ => Err(UnknownName),
                }
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
    };
}

/// A name that is not in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownName;

impl core::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("not a name of the hcx error vocabulary")
    }
}

vocabulary! {
    /// The stable verdict codes (SPEC §8/§9): what apps match on.
    pub enum Code {
        /// Text, base45, CBOR, COSE, JSON or claims not as specified.
        Malformed = "malformed",
        /// The algorithm is not supported, or not the one the key is registered for.
        UnsupportedAlgorithm = "unsupported_algorithm",
        /// No trusted key has the code's key id.
        UnknownKey = "unknown_key",
        /// No trusted key with that id verifies the signature.
        BadSignature = "bad_signature",
        /// The code names another issuer than the key's owner.
        IssuerMismatch = "issuer_mismatch",
        /// The key is compromised, or the code was issued outside the key's validity window.
        KeyNotValid = "key_not_valid",
        /// The code has expired.
        Expired = "expired",
        /// The code is not valid yet.
        NotYetValid = "not_yet_valid",
        /// The issuer may not issue this status, evidence or region.
        OutOfScope = "out_of_scope",
        /// A foreign signer certificate may not sign this kind of certificate.
        KeyUsage = "key_usage",
        /// A foreign signer certificate is invalid, or not valid for this certificate.
        CertificateInvalid = "certificate_invalid",
        /// A foreign signer certificate does not chain to a trusted anchor.
        Chain = "chain",
        /// The issuer has revoked the code.
        Revoked = "revoked",
        /// The issuer has suspended the code.
        Suspended = "suspended",
        /// A revocation list given with the foreign trust inputs is invalid for this certificate.
        RevocationListInvalid = "revocation_list_invalid",
        /// A foreign certificate's payload breaks its format's schema.
        Schema = "schema",
        /// An image holds no QR code.
        NoCodeFound = "no_code_found",
        /// The status data for the code's issuer is older than the verifier's policy allows.
        StatusStale = "status_stale",
        /// A status list is malformed, wrongly signed, rolled back or on the wrong base.
        StatusInvalid = "status_invalid",
        /// The trust list is malformed, unsigned, or a root's signature does not verify.
        TrustListInvalid = "trust_list_invalid",
        /// The trust list is not signed by enough configured roots.
        TrustListUntrusted = "trust_list_untrusted",
        /// The trust list has expired.
        TrustListExpired = "trust_list_expired",
        /// The trust list is older than one already seen.
        TrustListRollback = "trust_list_rollback",
        /// Claims given for issuing are invalid.
        InvalidClaims = "invalid_claims",
        /// A key could not be read, or does not fit its use.
        InvalidKey = "invalid_key",
        /// An argument or input is out of range or unreadable.
        InvalidInput = "invalid_input",
        /// The request itself is wrong (a missing argument, a bad option).
        Usage = "usage",
        /// A file or stream could not be read or written.
        Io = "io",
        /// A service cannot answer now (overloaded, or no usable trust data loaded): retry.
        Unavailable = "unavailable",
    }
}

impl Code {
    /// The exit status of the reference CLI (SPEC §9): 1 for a code judged and rejected, 2 when
    /// it could not be judged (trust or status data unusable, bad request, I/O).
    pub const fn exit_status(self) -> u8 {
        match self {
            Code::Malformed
            | Code::UnsupportedAlgorithm
            | Code::UnknownKey
            | Code::BadSignature
            | Code::IssuerMismatch
            | Code::KeyNotValid
            | Code::Expired
            | Code::NotYetValid
            | Code::OutOfScope
            | Code::KeyUsage
            | Code::CertificateInvalid
            | Code::Chain
            | Code::Revoked
            | Code::Suspended
            | Code::RevocationListInvalid
            | Code::Schema
            | Code::NoCodeFound => EXIT_REJECTED,
            Code::StatusStale
            | Code::StatusInvalid
            | Code::TrustListInvalid
            | Code::TrustListUntrusted
            | Code::TrustListExpired
            | Code::TrustListRollback
            | Code::InvalidClaims
            | Code::InvalidKey
            | Code::InvalidInput
            | Code::Usage
            | Code::Io
            | Code::Unavailable => EXIT_CANNOT_JUDGE,
        }
    }

    /// True for the four `trust_list_*` codes.
    pub const fn is_trust_list(self) -> bool {
        matches!(
            self,
            Code::TrustListInvalid
                | Code::TrustListUntrusted
                | Code::TrustListExpired
                | Code::TrustListRollback
        )
    }
}

vocabulary! {
    /// The precise failure under a [`Code`]; one per distinct check across hcx.
    pub enum Reason {
        /// The text is longer than the limit.
        TextTooLong = "text_too_long",
        /// The text does not start with its format's prefix.
        BadPrefix = "bad_prefix",
        /// The text is not valid base45.
        BadBase45 = "bad_base45",
        /// The base45 text is not the one canonical encoding of its bytes.
        NonCanonicalBase45 = "non_canonical_base45",
        /// The bytes are not well-formed CBOR of the expected type.
        BadCbor = "bad_cbor",
        /// Bytes follow the end of a CBOR item.
        TrailingBytes = "trailing_bytes",
        /// CBOR nests deeper than the limit.
        CborTooDeep = "cbor_too_deep",
        /// A CBOR map holds a key twice.
        DuplicateMapKey = "duplicate_map_key",
        /// The CBOR is not in deterministic encoding.
        NonDeterministicCbor = "non_deterministic_cbor",
        /// The bytes are not a COSE_Sign1 of the expected shape.
        NotCoseSign1 = "not_cose_sign1",
        /// No algorithm is given.
        MissingAlg = "missing_alg",
        /// The COSE unprotected header is not empty.
        UnprotectedHeader = "unprotected_header",
        /// The COSE protected header holds an unknown or critical parameter.
        UnknownHeader = "unknown_header",
        /// The key id is missing or of the wrong form.
        BadKid = "bad_kid",
        /// The COSE_Sign1 has no payload.
        MissingPayload = "missing_payload",
        /// The signature does not have its algorithm's length.
        BadSignatureLength = "bad_signature_length",
        /// The signed claims break the specification.
        BadClaims = "bad_claims",
        /// The algorithm is not supported.
        UnsupportedAlgorithm = "unsupported_algorithm",
        /// Trusted keys with this id exist, but none is registered for the algorithm.
        AlgNotAllowedForKey = "alg_not_allowed_for_key",
        /// No trusted key has the key id.
        UnknownKey = "unknown_key",
        /// No trusted key with the id verifies the signature.
        BadSignature = "bad_signature",
        /// The code names another issuer than the key's owner.
        IssuerMismatch = "issuer_mismatch",
        /// The signing key is marked compromised.
        KeyCompromised = "key_compromised",
        /// The code's `iat` lies outside the key's validity window.
        IatOutsideKeyWindow = "iat_outside_key_window",
        /// The code has expired.
        Expired = "expired",
        /// The code is not valid yet.
        NotYetValid = "not_yet_valid",
        /// The claims are outside the issuer's scope.
        OutOfScope = "out_of_scope",
        /// The trust list is not well-formed.
        TrustListMalformed = "trust_list_malformed",
        /// The trust list exceeds a size limit.
        TrustListTooLarge = "trust_list_too_large",
        /// The trust list carries no signature.
        TrustListUnsigned = "trust_list_unsigned",
        /// A root's signature on the trust list does not verify.
        TrustListBadSignature = "trust_list_bad_signature",
        /// The trust list is not signed by enough configured roots.
        TrustListUntrusted = "trust_list_untrusted",
        /// The trust list has expired.
        TrustListExpired = "trust_list_expired",
        /// The trust list is older than one already seen.
        TrustListRollback = "trust_list_rollback",
        /// A status list exceeds a size or count limit (SPEC.md §14.8).
        StatusTooLarge = "status_too_large",
        /// A status list is not well-formed CBOR.
        StatusBadCbor = "status_bad_cbor",
        /// A status list is not in its one deterministic encoding.
        StatusNonCanonical = "status_non_canonical",
        /// Bytes follow the end of a status list.
        StatusTrailingBytes = "status_trailing_bytes",
        /// A status list is not a tagged COSE_Sign1 of four items.
        StatusNotCoseSign1 = "status_not_cose_sign1",
        /// A status list's COSE headers are not exactly `{alg, kid, typ}` and empty.
        StatusBadHeader = "status_bad_header",
        /// A status list is signed with an algorithm other than EdDSA.
        StatusUnsupportedAlgorithm = "status_unsupported_algorithm",
        /// No key authorised for the issuer's status verifies the list's signature.
        StatusBadSignature = "status_bad_signature",
        /// A status list's payload breaks its schema.
        StatusBadPayload = "status_bad_payload",
        /// A status map in a list is inconsistent.
        StatusBadMap = "status_bad_map",
        /// A status list names another issuer than the one expected.
        StatusWrongIssuer = "status_wrong_issuer",
        /// A status list is older than one already accepted.
        StatusRollback = "status_rollback",
        /// A status list has the sequence already held but other content.
        StatusConflict = "status_conflict",
        /// A status delta does not apply to the list held.
        StatusWrongBase = "status_wrong_base",
        /// No key of the trust list may sign this issuer's status lists.
        StatusUnknownKey = "status_unknown_key",
        /// The verifier's policy requires status data for the code's issuer, and it has none.
        StatusMissing = "status_missing",
        /// Status data must start from a snapshot, not a delta.
        StatusNotSnapshot = "status_not_snapshot",
        /// The status list has passed its `expires_at`.
        StatusExpired = "status_expired",
        /// The status list is older than the verifier's maximum age.
        StatusTooOld = "status_too_old",
        /// The status list claims to be issued in the verifier's future.
        StatusFromTheFuture = "status_from_the_future",
        /// A status list builder was given one code id with two statuses.
        DuplicateCode = "duplicate_code",
        /// No exact status map could be built (never seen; reported rather than published).
        StatusBuildFailed = "status_build_failed",
        /// An hcx trust list is given without the root keys it must be signed by.
        MissingRoots = "missing_roots",
        /// More than one hcx trust list is given.
        SeveralTrustLists = "several_trust_lists",
        /// An hcx code is verified without an hcx trust list.
        NoHcxTrustList = "no_hcx_trust_list",
        /// Claims given for issuing are invalid.
        InvalidClaims = "invalid_claims",
        /// A key is unreadable or unfit.
        InvalidKey = "invalid_key",
        /// An argument is out of range.
        InvalidInput = "invalid_input",
        /// A line of input is empty where content is required.
        EmptyLine = "empty_line",
        /// A line of input is not UTF-8 text.
        NotUtf8 = "not_utf8",
        /// An input is larger than its limit.
        TooLarge = "too_large",
        /// Compressed data inflates beyond the ratio limit.
        DecompressionRatio = "decompression_ratio",
        /// CBOR or JSON nests deeper than its limit.
        TooDeep = "too_deep",
        /// The text is none of the supported formats.
        UnknownFormat = "unknown_format",
        /// Base64 data is invalid.
        BadBase64 = "bad_base64",
        /// Compressed data does not inflate.
        InflateFailed = "inflate_failed",
        /// The CWT claims set lacks a claim or has one of the wrong type.
        BadCwt = "bad_cwt",
        /// JSON is not well-formed or lacks a member.
        BadJson = "bad_json",
        /// Characters precede or follow the data.
        TrailingCharacters = "trailing_characters",
        /// The `shc:/` numeric text is malformed.
        BadNumericQr = "bad_numeric_qr",
        /// The QR code carrying a SMART Health Card is of too high a version.
        BadQrVersion = "bad_qr_version",
        /// The QR code carrying a SMART Health Card has the wrong segments.
        BadQrSegments = "bad_qr_segments",
        /// SMART Health Card chunks do not form one complete set.
        BadChunks = "bad_chunks",
        /// A JWS is malformed or misuses its header.
        BadJws = "bad_jws",
        /// An SHC issuer URL is invalid.
        InvalidIssuerUrl = "invalid_issuer_url",
        /// A validity period is invalid.
        BadValidityPeriod = "bad_validity_period",
        /// The COSE_Sign1 has no key id.
        MissingKid = "missing_kid",
        /// The SHC key does not belong to the card's issuer.
        IssuerKidMismatch = "issuer_kid_mismatch",
        /// The signature is not in its algorithm's format.
        BadSignatureFormat = "bad_signature_format",
        /// The signer certificate may not sign this kind of certificate.
        KeyUsage = "key_usage",
        /// The signer certificate is not valid for this certificate.
        SignerNotValid = "signer_not_valid",
        /// A certificate could not be parsed or does not fit its use.
        BadCertificate = "bad_certificate",
        /// The signer certificate does not chain to a trusted anchor.
        NoTrustAnchor = "no_trust_anchor",
        /// The credential is revoked.
        Revoked = "revoked",
        /// The credential is suspended.
        Suspended = "suspended",
        /// A revocation list is malformed or of the wrong version.
        BadRevocationList = "bad_revocation_list",
        /// The payload breaks its format's schema.
        Schema = "schema",
        /// A trust file is none of the kinds read.
        UnrecognisedTrustFile = "unrecognised_trust_file",
        /// A JWKS or one of its keys is invalid.
        BadKeySet = "bad_key_set",
        /// A DCC signer list is malformed.
        BadSignerList = "bad_signer_list",
        /// The text does not fit a QR code of the allowed versions.
        TooLongForVersion = "too_long_for_version",
        /// A maximum QR version outside 1 to 40.
        InvalidMaxVersion = "invalid_max_version",
        /// An unknown error-correction level.
        InvalidEccLevel = "invalid_ecc_level",
        /// A module size of 0 or too large.
        InvalidScale = "invalid_scale",
        /// Rendering a QR code failed.
        RenderFailed = "render_failed",
        /// No QR code was found in the image.
        NoCodeFound = "no_code_found",
        /// A file is larger than its limit.
        FileTooLarge = "file_too_large",
        /// An image has more pixels than the limit.
        ImageTooLarge = "image_too_large",
        /// An image holds more codes than the limit.
        TooManyCodes = "too_many_codes",
        /// The image is neither PNG nor JPEG.
        UnsupportedFormat = "unsupported_format",
        /// The image data is corrupt or truncated.
        UnreadableImage = "unreadable_image",
        /// A pixel buffer does not match its width and height.
        InvalidDimensions = "invalid_dimensions",
        /// An output file name has no known image extension.
        UnsupportedOutputFormat = "unsupported_output_format",
        /// Reading or writing a file failed.
        IoError = "io_error",
        /// An issuer's registry could not be opened, reached, read or written.
        RegistryUnavailable = "registry_unavailable",
        /// A database is not an hcx registry, or one of another schema version.
        RegistrySchema = "registry_schema",
        /// A code id is not in the issuer's registry.
        UnknownCode = "unknown_code",
        /// The registry holds no codes of this issuer.
        UnknownIssuer = "unknown_issuer",
        /// A revoked code's status cannot change.
        StatusFinal = "status_final",
        /// A code issued before the coverage of an already published status list cannot be
        /// recorded any more (the list would give it an arbitrary status).
        RecordTooLate = "record_too_late",
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_round_trip() {
        let codes: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(codes.len(), Code::ALL.len());
        let reasons: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(reasons.len(), Reason::ALL.len());
        for c in Code::ALL {
            assert_eq!(c.as_str().parse::<Code>(), Ok(*c));
        }
        for r in Reason::ALL {
            assert_eq!(r.as_str().parse::<Reason>(), Ok(*r));
            assert!(
                r.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
            );
        }
        assert_eq!("nope".parse::<Code>(), Err(UnknownName));
    }

    #[test]
    fn trust_list_codes_cannot_judge() {
        for c in Code::ALL {
            if c.is_trust_list() {
                assert_eq!(c.exit_status(), EXIT_CANNOT_JUDGE);
                assert!(c.as_str().starts_with("trust_list_"));
            }
        }
    }
}
