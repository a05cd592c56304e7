//! The hcx signed health-code format.
//!
//! An hcx code is `HCX1:` + base45 of a COSE_Sign1 (RFC 9052) over a CWT claims set (RFC 8392),
//! signed with Ed25519. A trust list, signed by a regulator's root keys, says which issuers and
//! keys a verifier trusts. This crate reads, writes and verifies both; it never prints and does no
//! I/O. The normative description is `spec/SPEC.md` in the repository. Apps that verify codes
//! of every format, or from photos, use the `hcx-verify` facade over this crate.
//!
//! Issue a code in one app and verify it in another, offline:
//!
//! ```
//! use hcx_format::{HealthClaims, IssueParams, IssuerEntry, KeyEntry, PrivateKey, Scopes,
//!                  SignedTrustList, TrustList, TrustListPolicy, Verifier, Clock};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
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
//! )?;
//! let params = IssueParams { issuer: "dingtalk".into(), issued_at: now,
//!                            expires_at: now + 86_400, not_before: None };
//! let text = hcx_format::issue(&issuer_key, &params, &claims)?;
//! assert!(text.starts_with("HCX1:"));
//!
//! // Another app verifies it, offline, from the trust list.
//! let policy = TrustListPolicy::single_root(root.public_key());
//! let verifier = Verifier::from_signed_trust_list(trust_json.as_bytes(), &policy, now)?;
//! let verified = verifier.verify(&text, Clock::at(now + 60))?;
//! assert_eq!(verified.issuer.name, "DingTalk");
//! assert_eq!(verified.claims, claims);
//!
//! // Any change is caught, with a typed reason.
//! let tampered = text.replacen("HCX1:", "HCX1:A", 1);
//! assert_eq!(verifier.verify(&tampered, Clock::at(now)).unwrap_err().code(), "malformed");
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing))]

// The data path, one module per SPEC section, each using only those above it:
// text (§3) → cbor (§5.4) → cose (§5.1–5.3) → cwt (§4.1) → claims (§4.2–4.7);
// decode and issue over them; keys (§6), trust (§7) and verify (§8) on top.
pub mod cbor;
mod claims;
mod cose;
mod cwt;
mod decode;
mod error;
pub mod files;
mod issue;
mod keys;
pub mod limits;
mod nfc;
mod summary;
mod text;
pub mod timefmt;
mod trust_list;
mod verify;

pub use claims::{
    ClaimsError, EvidenceKind, HealthClaims, Recovery, Status, Subject, Test, TestKind, TestResult,
    Vaccination, check_region,
};
pub use cose::ALG_EDDSA;
pub use cwt::{CLAIM_HCX, CODE_ID_LEN};
pub use decode::{UnverifiedCode, decode, decode_cose};
pub use error::{DecodeError, IssueError, KeyError, TrustListError, VerifyError};
pub use hcx_error::{Code, Coded, Reason};
pub use issue::{BatchIssuer, IssueParams, IssueRequest, IssuedCode, issue, issue_with_code_id};
pub use keys::{KeyId, PrivateKey, PublicKey, public_key_from_any_pem};
pub use summary::{EvidenceSummary, Summary};
pub use text::{PREFIX, cose_bytes, text_from_cose};
pub use trust_list::{
    IssuerEntry, JwsSignature, KeyEntry, KeyStatus, KeyUsage, Scopes, SignedTrustList,
    TRUST_LIST_TYP, TRUST_LIST_VERSION, TrustList, TrustListPolicy, check_issuer_id,
};
pub use verify::{Clock, IssuerInfo, VerifiedCode, Verifier};
