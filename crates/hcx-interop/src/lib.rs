//! One verifier for foreign health certificates: EU Digital COVID Certificates (`HC1:`),
//! SMART Health Cards (`shc:/`, JWS, `.smart-health-card` files) and ICAO VDS-NC seals, all
//! judged against one [`TrustStore`] and reported through one [`Verified`] result with the
//! error codes of `hcx-error`. Each is summarised into hcx-format's [`Summary`], the core view
//! every format shares. Apps use the `hcx-verify` facade, which reads hcx codes too and writes
//! every verdict as SPEC §9 JSON.
//!
//! ```no_run
//! use hcx_interop::{TrustStore, VerifyOptions};
//! # fn main() -> Result<(), hcx_interop::Error> {
//! let mut trust = TrustStore::default();
//! trust.add_file(&std::fs::read("dsc.pem").unwrap_or_default())?;
//! let verified = hcx_interop::verify("HC1:…", &trust, &VerifyOptions::at(1_700_000_000))?;
//! println!("{} {:?}", verified.format, verified.summary.name);
//! # Ok(()) }
//! ```
//!
//! Every parser is bounded ([`limits`]); no input makes this crate panic.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing))]

pub mod crypto;
pub mod dcc;
mod dcc_cwt;
mod error;
mod fast_cwt;
pub mod limits;
pub mod shc;
mod summary;
mod trust;
mod util;
pub mod vdsnc;
pub mod x509;

use serde::{Deserialize, Serialize};

pub use crypto::{Alg, CryptoProvider, PublicKey};
pub use error::Error;
pub use summary::{EvidenceSummary, Summary};
pub use trust::{TrustKind, TrustStore, dcc_kid};

/// A foreign health-certificate format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// EU Digital COVID Certificate (`HC1:`).
    EuDcc,
    /// SMART Health Card (`shc:/`, compact JWS, `.smart-health-card` file).
    Shc,
    /// ICAO Visible Digital Seal for Non-Constrained environments (JSON).
    IcaoVdsNc,
}

impl Format {
    /// The name used in verdicts: `eu-dcc`, `shc` or `icao-vds-nc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::EuDcc => "eu-dcc",
            Format::Shc => "shc",
            Format::IcaoVdsNc => "icao-vds-nc",
        }
    }
}

/// Recognises the format of a text by its prefix or JSON shape (surrounding whitespace ignored).
pub fn detect(input: &str) -> Option<Format> {
    let text = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if text.starts_with(dcc::PREFIX) {
        return Some(Format::EuDcc);
    }
    if text.starts_with("shc:") {
        return Some(Format::Shc);
    }
    if text.starts_with('{') || text.starts_with('[') {
        if text.len() > limits::MAX_INPUT_BYTES {
            return None;
        }
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        if json.get("verifiableCredential").is_some()
            || json.get("resourceType").and_then(|t| t.as_str()) == Some("Parameters")
        {
            return Some(Format::Shc);
        }
        if vdsnc::looks_like_seal(&json) {
            return Some(Format::IcaoVdsNc);
        }
        return None;
    }
    // A bare compact JWS whose header is JSON (`eyJ` = base64url of `{"`).
    if text.starts_with("eyJ") && text.matches('.').count() == 2 {
        return Some(Format::Shc);
    }
    None
}

/// When and how strictly to check validity periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The validation time, Unix seconds.
    pub now: i64,
    /// Tolerance for clock differences, seconds.
    pub skew_secs: i64,
}

impl VerifyOptions {
    /// Options for validation at `now` (Unix seconds) with the default skew.
    pub fn at(now: i64) -> VerifyOptions {
        VerifyOptions {
            now,
            skew_secs: limits::DEFAULT_SKEW_SECS,
        }
    }
}

impl Default for VerifyOptions {
    /// The current system time with the default skew.
    fn default() -> VerifyOptions {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        VerifyOptions::at(now)
    }
}

/// Who issued a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRef {
    /// Issuer id: the DCC `iss` country, the SHC issuer URL, the VDS-NC issuing state.
    pub id: String,
    /// Display name, from the signer certificate's common name where there is one.
    pub name: Option<String>,
}

/// A certificate whose signature, key, validity and structure all check out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verified {
    /// `eu-dcc`, `shc` or `icao-vds-nc`.
    pub format: &'static str,
    /// The issuer.
    pub issuer: IssuerRef,
    /// The signing key's id (DCC: base64 kid; SHC: JWK kid; VDS-NC: base64 of the first 8
    /// bytes of SHA-256 over the signer certificate, like a DCC kid).
    pub key_id: String,
    /// Issuance time (DCC `iat`, SHC `nbf`), Unix seconds; RFC 3339 in JSON.
    #[serde(with = "hcx_format::timefmt::rfc3339_option")]
    pub issued_at: Option<i64>,
    /// Expiry (`exp`), Unix seconds; RFC 3339 in JSON.
    #[serde(with = "hcx_format::timefmt::rfc3339_option")]
    pub expires_at: Option<i64>,
    /// The original payload: the DCC JSON, the SHC JWS payload, the VDS-NC `data`.
    pub claims: serde_json::Value,
    /// The core view, the same for every format.
    pub summary: Summary,
}

/// A certificate decoded without any verification, for display (`hcx decode`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decoded {
    /// `eu-dcc`, `shc` or `icao-vds-nc`.
    pub format: &'static str,
    /// The claimed issuer (unverified).
    pub issuer: Option<String>,
    /// The key id named by the certificate.
    pub key_id: Option<String>,
    /// The signature algorithm named by the certificate.
    pub alg: Option<String>,
    /// Claimed issuance time, RFC 3339.
    pub issued_at: Option<String>,
    /// Claimed expiry, RFC 3339.
    pub expires_at: Option<String>,
    /// The original payload.
    pub claims: serde_json::Value,
    /// The core view.
    pub summary: Summary,
}

fn check_input_size(input: &str) -> Result<(), Error> {
    if input.len() > limits::MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            what: "input",
            len: input.len(),
            max: limits::MAX_INPUT_BYTES,
        });
    }
    Ok(())
}

/// Verifies any supported certificate text against `trust` at `options.now`.
///
/// `HC1:` texts may carry surrounding whitespace; SHC texts may end with one line break but
/// otherwise must be exact (the SHC validator rejects trailing characters).
pub fn verify(input: &str, trust: &TrustStore, options: &VerifyOptions) -> Result<Verified, Error> {
    check_input_size(input)?;
    match detect(input).ok_or(Error::UnknownFormat)? {
        Format::EuDcc => dcc::verify(input.trim(), trust, options),
        Format::Shc => shc::verify(input, trust, options),
        Format::IcaoVdsNc => vdsnc::verify(input, trust, options),
    }
}

/// Verifies a SMART Health Card split into `shc:/K/N/` chunks (any order).
pub fn verify_chunks(
    chunks: &[&str],
    trust: &TrustStore,
    options: &VerifyOptions,
) -> Result<Verified, Error> {
    shc::verify_chunks(chunks, trust, options)
}

/// Decodes any supported certificate text without verifying it.
pub fn decode(input: &str) -> Result<Decoded, Error> {
    check_input_size(input)?;
    match detect(input).ok_or(Error::UnknownFormat)? {
        Format::EuDcc => dcc::decode(input.trim()),
        Format::Shc => shc::decode(input),
        Format::IcaoVdsNc => vdsnc::decode(input),
    }
}
