//! The hcx signed health-code format.
//!
//! An hcx code is `HCX1:` + base45 of a COSE_Sign1 (RFC 9052) over a CWT claims set (RFC 8392),
//! signed with Ed25519. A trust list, signed by a regulator's root keys, says which issuers and
//! keys a verifier trusts. This crate reads, writes and verifies both; it never prints and does no
//! I/O. The normative description is `spec/SPEC.md` in the repository.
//!
//! Issue a code in one app and verify it in another, offline:
//!
//! ```
//! use hcx_format::{HealthClaims, IssueParams, IssuerEntry, KeyEntry, PrivateKey, Scopes,
//!                  SignedTrustList, TrustList, TrustListPolicy, Verifier};
//! # fn main() -> Result<(), hcx_format::Error> {
//! let now = 1_795_000_000; // Unix seconds
//!
//! // The regulator registers the issuer and signs the trust list with its root key.
//! let root = PrivateKey::generate()?;
//! let issuer_key = PrivateKey::generate()?;
//! let mut list = TrustList::new();
//! list.issuers.push(IssuerEntry {
//!     id: "dingtalk".into(),
//!     names: [("en".into(), "DingTalk".into()), ("zh".into(), "钉钉".into())].into(),
//!     scopes: Scopes::default(),
//!     keys: vec![KeyEntry::new(&issuer_key.public_key(), None, None)],
//! });
//! (list.sequence, list.issued_at, list.expires_at) = (1, now, now + 30 * 86_400);
//! let trust_json = SignedTrustList::sign(&list, &[&root])?.to_json()?;
//!
//! // The issuer signs a code.
//! let claims = HealthClaims::from_json(
//!     r#"{"status":"green","subject":{"name":"张三","id_suffix":"4312"},"region":"CN-33"}"#,
//! ).map_err(hcx_format::Error::InvalidClaims)?;
//! let params = IssueParams { issuer: "dingtalk".into(), issued_at: now,
//!                            expires_at: now + 86_400, not_before: None };
//! let text = hcx_format::issue(&issuer_key, &params, &claims)?;
//! assert!(text.starts_with("HCX1:"));
//!
//! // Another app verifies it, offline, from the trust list.
//! let policy = TrustListPolicy::single_root(root.public_key());
//! let verifier = Verifier::from_signed_trust_list(
//!     trust_json.as_bytes(), &policy, hcx_format::system_time(now))?;
//! let verified = verifier.verify_at(&text, now + 60)?;
//! assert_eq!(verified.issuer.name, "DingTalk");
//! assert_eq!(verified.claims, claims);
//!
//! // Any change is caught, with a typed reason.
//! let tampered = text.replacen("HCX1:", "HCX1:A", 1);
//! assert_eq!(verifier.verify_at(&tampered, now).unwrap_err().code(), "malformed");
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing))]

pub mod batch;
mod bulk_sign;
mod cbor;
pub mod claims;
pub mod code;
mod error;
mod fastpath;
pub mod keys;
pub mod limits;
pub mod timefmt;
pub mod trust;
pub mod verify;

pub use batch::{BatchVerifier, MAX_KEY_TABLES, SignatureItem, StrictBatch};
pub use claims::{
    ClaimsError, EvidenceKind, HealthClaims, Recovery, Status, Subject, Test, TestKind, TestResult,
    Vaccination,
};
pub use code::{BatchIssuer, IssueParams, IssueRequest, PREFIX, UnverifiedCode, decode, issue};
pub use error::Error;
pub use keys::{KeyId, PrivateKey, PublicKey};
pub use timefmt::system_time;
pub use trust::{
    IssuerEntry, KeyEntry, KeyStatus, Scopes, SignedTrustList, TrustList, TrustListPolicy,
};
pub use verify::{IssuerInfo, VerifiedCode, Verifier};
