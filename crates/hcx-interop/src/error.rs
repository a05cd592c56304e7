//! The one error type of this crate.

/// Everything that can go wrong when reading trust files or verifying a foreign certificate.
///
/// [`Error::code`] groups the variants into stable, machine-readable codes shared with hcx where
/// the meaning matches (`malformed`, `unknown_key`, `bad_signature`, …); [`Error::reason`] names
/// the precise variant (`bad_base45`, `issuer_kid_mismatch`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input is larger than the documented limit for its kind.
    #[error("{what} is {len} bytes long, more than the limit of {max}")]
    TooLarge {
        /// What was too large (`input`, `decompressed payload`, `trust file`, …).
        what: &'static str,
        /// Size received (or reached, for streams).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Compressed data inflates to more than [`crate::limits::MAX_DECOMPRESSION_RATIO`] times its
    /// size: a compression bomb, refused before it is inflated further.
    #[error("{compressed} compressed bytes inflate to more than {max_ratio} times their size")]
    DecompressionRatio {
        /// Size of the compressed data.
        compressed: usize,
        /// The ratio limit.
        max_ratio: usize,
    },
    /// CBOR or JSON nests deeper than its documented limit
    /// ([`crate::limits::MAX_CBOR_DEPTH`], [`crate::limits::MAX_JSON_DEPTH`]).
    #[error("{what} nests deeper than {max} levels")]
    TooDeep {
        /// What was too deep (`CBOR`, or the JSON document's name).
        what: &'static str,
        /// The nesting limit.
        max: usize,
    },
    /// The text is none of the formats this crate reads.
    #[error(
        "not a recognised health certificate (HC1:, shc:/, SMART Health Card file, VDS-NC seal)"
    )]
    UnknownFormat,
    /// The text does not carry the prefix (context identifier) of its format.
    #[error("bad prefix: {0}")]
    BadPrefix(String),
    /// The text after the prefix is not valid base45.
    #[error("invalid base45: {0}")]
    Base45(String),
    /// Base64 or base64url data is invalid.
    #[error("invalid base64 in {0}")]
    Base64(&'static str),
    /// Compressed data does not inflate (bad zlib/DEFLATE stream, or not compressed at all).
    #[error("decompression failed: {0}")]
    Inflate(String),
    /// The bytes are not well-formed CBOR of the expected shape.
    #[error("invalid CBOR: {0}")]
    Cbor(String),
    /// The bytes are CBOR but not a COSE_Sign1 structure.
    #[error("not a COSE_Sign1 structure: {0}")]
    NotCoseSign1(String),
    /// The CWT claims set lacks a required claim or has one of the wrong type.
    #[error("invalid CWT claims: {0}")]
    Cwt(String),
    /// JSON is not well-formed, or lacks a required member.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// Characters follow the end of the data (or precede it, such as a byte-order mark).
    #[error("unexpected characters around the data: {0}")]
    TrailingCharacters(String),
    /// The `shc:/` numeric QR text is malformed (odd digit count, value over 77, bad header).
    #[error("invalid SMART Health Card numeric QR text: {0}")]
    NumericQr(String),
    /// The QR code that carried a SMART Health Card is of a version over
    /// [`crate::limits::MAX_SHC_QR_VERSION`].
    #[error("QR code version {version} is over {max}, the largest a SMART Health Card may use")]
    QrVersion {
        /// The version of the QR code.
        version: u8,
        /// The largest version allowed.
        max: u8,
    },
    /// The symbol that carried a SMART Health Card is not a QR code of exactly two segments, the
    /// prefix in byte mode and then the digits in numeric mode.
    #[error("invalid SMART Health Card QR code: {0}")]
    QrSegments(String),
    /// The `shc:/K/N/` chunks do not form one complete set.
    #[error("invalid SMART Health Card QR chunks: {0}")]
    Chunks(String),
    /// The JWS is not a compact JWS, or its header lacks or misuses `alg`, `kid` or `zip`.
    #[error("invalid JWS: {0}")]
    Jws(String),
    /// The `iss` of a SMART Health Card is not an `https://` URL without a trailing slash.
    #[error("invalid issuer URL `{0}`")]
    InvalidIssuerUrl(String),
    /// A NumericDate is not a number, lies beyond year 9999, or `exp` precedes `nbf`/`iat`.
    #[error("invalid validity period: {0}")]
    BadValidityPeriod(String),
    /// The certificate has no key id (kid) in either COSE header.
    #[error("the COSE_Sign1 has no kid")]
    MissingKeyId,
    /// The certificate names no signature algorithm.
    #[error("no signature algorithm given")]
    MissingAlgorithm,

    /// The certificate uses a signature algorithm this crate does not support.
    #[error("unsupported signature algorithm {alg}")]
    UnsupportedAlgorithm {
        /// The algorithm as given (COSE number or JOSE name).
        alg: String,
    },
    /// Trusted keys with this kid exist, but none is of the type the algorithm requires.
    #[error("key {kid} is not registered for algorithm {alg}")]
    AlgorithmNotAllowedForKey {
        /// The algorithm as given.
        alg: String,
        /// The key id.
        kid: String,
    },
    /// No trusted key has the certificate's key id.
    #[error("no trusted key has key id {kid}")]
    UnknownKey {
        /// The key id (base64 for DCC, as given for SHC).
        kid: String,
    },
    /// The SHC issuer has a trusted key set, but it does not hold this kid (or the kid belongs
    /// to another issuer only).
    #[error("key {kid} does not belong to issuer {iss}")]
    IssuerKidMismatch {
        /// The `iss` of the card.
        iss: String,
        /// The key id in the JWS header.
        kid: String,
    },
    /// The signature is not in the format of its algorithm (e.g. DER instead of raw r‖s).
    #[error("the signature is not a raw {expected}-byte r||s value ({len} bytes)")]
    SignatureFormat {
        /// Length required.
        expected: usize,
        /// Length found.
        len: usize,
    },
    /// No trusted key with the certificate's key id verifies its signature.
    #[error("the signature does not verify")]
    BadSignature,
    /// The signing certificate's extended key usage does not allow this kind of certificate.
    #[error("the signing certificate may not sign {kind} certificates")]
    KeyUsage {
        /// `vaccination`, `test` or `recovery`.
        kind: &'static str,
    },
    /// The signing certificate was not valid when the health certificate was issued, or the
    /// health certificate outlives it.
    #[error("the signing certificate is not valid for this certificate: {0}")]
    SignerNotValid(String),
    /// A certificate could not be parsed or does not fit its use.
    #[error("invalid X.509 certificate: {0}")]
    CertificateInvalid(String),
    /// The signer certificate does not chain to a trusted anchor (CSCA).
    #[error("the signer certificate does not chain to a trusted certificate: {0}")]
    Chain(String),
    /// The credential is listed in the issuer's revocation list.
    #[error("the credential (rid {rid}) is revoked")]
    Revoked {
        /// The revocation id of the credential.
        rid: String,
    },
    /// A revocation list is malformed, or its version does not match the key's `crlVersion`.
    #[error("invalid revocation list: {0}")]
    RevocationListInvalid(String),
    /// The certificate has expired (`now >= exp + skew`).
    #[error("expired at {expires_at} (checked at {now}, skew {skew}s)")]
    Expired {
        /// `exp`, Unix seconds.
        expires_at: i64,
        /// The validation time, Unix seconds.
        now: i64,
        /// The allowed clock skew, seconds.
        skew: i64,
    },
    /// The certificate is not valid yet (`now < nbf/iat - skew`).
    #[error("not valid before {valid_from} (checked at {now}, skew {skew}s)")]
    NotYetValid {
        /// `nbf` or `iat`, Unix seconds.
        valid_from: i64,
        /// The validation time, Unix seconds.
        now: i64,
        /// The allowed clock skew, seconds.
        skew: i64,
    },
    /// The payload does not follow the format's schema (DCC JSON schema, SHC `vc` rules).
    #[error("schema violation at {field}: {problem}")]
    Schema {
        /// The field, as a JSON path.
        field: String,
        /// What is wrong.
        problem: String,
    },

    /// A trust file is none of the kinds [`crate::TrustStore::add_file`] reads.
    #[error("unrecognised trust file: {0}")]
    UnrecognisedTrustFile(String),
    /// A JWKS or one of its keys is invalid (wrong kty/crv/alg/use, kid not the thumbprint,
    /// bad `x5c`).
    #[error("invalid key set: {0}")]
    InvalidKeySet(String),
    /// A DCC signer list is malformed.
    #[error("invalid DCC signer list: {0}")]
    InvalidSignerList(String),
}

impl Error {
    /// The stable, machine-readable error code (e.g. `bad_signature`).
    pub fn code(&self) -> hcx_error::Code {
        use Error::*;
        match self {
            TooLarge { .. }
            | DecompressionRatio { .. }
            | TooDeep { .. }
            | UnknownFormat
            | BadPrefix(_)
            | Base45(_)
            | Base64(_)
            | Inflate(_)
            | Cbor(_)
            | NotCoseSign1(_)
            | Cwt(_)
            | Json(_)
            | TrailingCharacters(_)
            | NumericQr(_)
            | QrVersion { .. }
            | QrSegments(_)
            | Chunks(_)
            | Jws(_)
            | InvalidIssuerUrl(_)
            | BadValidityPeriod(_)
            | MissingKeyId
            | MissingAlgorithm => hcx_error::Code::Malformed,
            UnsupportedAlgorithm { .. } | AlgorithmNotAllowedForKey { .. } => {
                hcx_error::Code::UnsupportedAlgorithm
            }
            UnknownKey { .. } | IssuerKidMismatch { .. } => hcx_error::Code::UnknownKey,
            SignatureFormat { .. } | BadSignature => hcx_error::Code::BadSignature,
            KeyUsage { .. } => hcx_error::Code::KeyUsage,
            SignerNotValid(_) | CertificateInvalid(_) => hcx_error::Code::CertificateInvalid,
            Chain(_) => hcx_error::Code::Chain,
            Revoked { .. } => hcx_error::Code::Revoked,
            RevocationListInvalid(_) => hcx_error::Code::RevocationListInvalid,
            Expired { .. } => hcx_error::Code::Expired,
            NotYetValid { .. } => hcx_error::Code::NotYetValid,
            Schema { .. } => hcx_error::Code::Schema,
            UnrecognisedTrustFile(_) | InvalidKeySet(_) | InvalidSignerList(_) => {
                hcx_error::Code::TrustListInvalid
            }
        }
    }

    /// The precise, machine-readable name of this failure (one per variant).
    pub fn reason(&self) -> hcx_error::Reason {
        use Error::*;
        match self {
            TooLarge { .. } => hcx_error::Reason::TooLarge,
            DecompressionRatio { .. } => hcx_error::Reason::DecompressionRatio,
            TooDeep { .. } => hcx_error::Reason::TooDeep,
            UnknownFormat => hcx_error::Reason::UnknownFormat,
            BadPrefix(_) => hcx_error::Reason::BadPrefix,
            Base45(_) => hcx_error::Reason::BadBase45,
            Base64(_) => hcx_error::Reason::BadBase64,
            Inflate(_) => hcx_error::Reason::InflateFailed,
            Cbor(_) => hcx_error::Reason::BadCbor,
            NotCoseSign1(_) => hcx_error::Reason::NotCoseSign1,
            Cwt(_) => hcx_error::Reason::BadCwt,
            Json(_) => hcx_error::Reason::BadJson,
            TrailingCharacters(_) => hcx_error::Reason::TrailingCharacters,
            NumericQr(_) => hcx_error::Reason::BadNumericQr,
            QrVersion { .. } => hcx_error::Reason::BadQrVersion,
            QrSegments(_) => hcx_error::Reason::BadQrSegments,
            Chunks(_) => hcx_error::Reason::BadChunks,
            Jws(_) => hcx_error::Reason::BadJws,
            InvalidIssuerUrl(_) => hcx_error::Reason::InvalidIssuerUrl,
            BadValidityPeriod(_) => hcx_error::Reason::BadValidityPeriod,
            MissingKeyId => hcx_error::Reason::MissingKid,
            MissingAlgorithm => hcx_error::Reason::MissingAlg,
            UnsupportedAlgorithm { .. } => hcx_error::Reason::UnsupportedAlgorithm,
            AlgorithmNotAllowedForKey { .. } => hcx_error::Reason::AlgNotAllowedForKey,
            UnknownKey { .. } => hcx_error::Reason::UnknownKey,
            IssuerKidMismatch { .. } => hcx_error::Reason::IssuerKidMismatch,
            SignatureFormat { .. } => hcx_error::Reason::BadSignatureFormat,
            BadSignature => hcx_error::Reason::BadSignature,
            KeyUsage { .. } => hcx_error::Reason::KeyUsage,
            SignerNotValid(_) => hcx_error::Reason::SignerNotValid,
            CertificateInvalid(_) => hcx_error::Reason::BadCertificate,
            Chain(_) => hcx_error::Reason::NoTrustAnchor,
            Revoked { .. } => hcx_error::Reason::Revoked,
            RevocationListInvalid(_) => hcx_error::Reason::BadRevocationList,
            Expired { .. } => hcx_error::Reason::Expired,
            NotYetValid { .. } => hcx_error::Reason::NotYetValid,
            Schema { .. } => hcx_error::Reason::Schema,
            UnrecognisedTrustFile(_) => hcx_error::Reason::UnrecognisedTrustFile,
            InvalidKeySet(_) => hcx_error::Reason::BadKeySet,
            InvalidSignerList(_) => hcx_error::Reason::BadSignerList,
        }
    }
}

impl hcx_error::Coded for Error {
    fn code(&self) -> hcx_error::Code {
        Error::code(self)
    }
    fn reason(&self) -> hcx_error::Reason {
        Error::reason(self)
    }
}

/// Shorthand for a schema error.
pub(crate) fn schema(field: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Schema {
        field: field.into(),
        problem: problem.into(),
    }
}
