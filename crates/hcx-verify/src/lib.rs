//! Verify any health code — hcx, EU DCC, SMART Health Card, ICAO VDS-NC — from a scanned text
//! or a photo, offline, and issue hcx codes: the one library every hcx app and binding links.
//!
//! Verify a scanned text of any format against a regulator's trust list:
//!
//! ```
//! # let (trust_json, root_pem, text) = (include_bytes!("../../../spec/fixtures/trust/main.json"), include_str!("../../../spec/fixtures/keys/root-1.pub.pem"), include_str!("../../../spec/fixtures/samples/reference-code.txt").trim());
//! # let now = 1_795_251_600; // 2026-11-21T09:00:00Z
//! use hcx_verify::{Clock, PublicKey, TrustListPolicy, TrustStore, Verifier};
//! let policy = TrustListPolicy::single_root(PublicKey::from_pem(root_pem)?);
//! let verifier = Verifier::new(TrustStore::load(&[trust_json], &policy, now)?);
//! let verdict = verifier.verify_text(text, Clock::at(now));
//! assert!(verdict.is_valid(), "{}", verdict.to_json()); // {"claims":{"status":"green",…},…,"valid":true}
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same call verifies an EU DCC, a SMART Health Card or an ICAO VDS-NC seal (feature
//! `foreign`, on by default); the store takes any mix of trust inputs, each detected by content:
//!
//! ```
//! # #[cfg(feature = "foreign")] {
//! # use hcx_verify::{Clock, PublicKey, TrustListPolicy, TrustStore, Verifier};
//! # let (trust_json, root_pem) = (&include_bytes!("../../../spec/fixtures/trust/main.json")[..], include_str!("../../../spec/fixtures/keys/root-1.pub.pem"));
//! # let (dcc_signer, jwks) = (&include_bytes!("../../../spec/fixtures/samples/foreign/dcc-signer.pem")[..], &include_bytes!("../../../spec/fixtures/samples/foreign/shc-issuer.jwks.json")[..]);
//! # let (dcc, shc) = (include_str!("../../../spec/fixtures/samples/foreign/dcc.txt").trim(), include_str!("../../../spec/fixtures/samples/foreign/shc.txt").trim());
//! # let (seal_signer, seal) = (&include_bytes!("../../../spec/fixtures/samples/foreign/vds-nc-signer.pem")[..], include_str!("../../../spec/fixtures/samples/foreign/vds-nc.json").trim());
//! # let now = 1_795_251_600;
//! # let policy = TrustListPolicy::single_root(PublicKey::from_pem(root_pem)?);
//! let trust = [trust_json, dcc_signer, jwks, seal_signer]; // hcx, DSC, JWKS, VDS-NC signer
//! let verifier = Verifier::new(TrustStore::load(&trust, &policy, now)?);
//! for (scanned, format) in [(dcc, "eu-dcc"), (shc, "shc"), (seal, "icao-vds-nc")] {
//!     let verdict = verifier.verify_text(scanned, Clock::at(now));
//!     assert_eq!(verdict.verified().map(|v| v.format.as_str()), Some(format), "{}", verdict.to_json());
//! }
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every verdict is one typed [`Verdict`], for every format, and [`Verdict::to_json`] writes the
//! SPEC §9 JSON that `hcx verify --json` prints, byte for byte. A rejection carries a stable
//! [`Code`] (what apps match on) and a precise [`Reason`]:
//!
//! ```
//! # use hcx_verify::{Clock, PublicKey, TrustListPolicy, TrustStore, Verifier};
//! # let (trust_json, root_pem, text) = (include_bytes!("../../../spec/fixtures/trust/main.json"), include_str!("../../../spec/fixtures/keys/root-1.pub.pem"), include_str!("../../../spec/fixtures/samples/reference-code.txt").trim());
//! # let now = 1_795_251_600;
//! # let policy = TrustListPolicy::single_root(PublicKey::from_pem(root_pem)?);
//! # let verifier = Verifier::new(TrustStore::load(&[trust_json], &policy, now)?);
//! let tampered = text.replacen("HCX1:", "HCX1:A", 1);
//! assert_eq!(verifier.verify_text(&tampered, Clock::at(now)).code().map(|c| c.as_str()), Some("malformed"));
//! let late = Clock::at(now + 2 * 86_400);
//! assert_eq!(verifier.verify_text(text, late).code().map(|c| c.as_str()), Some("expired"));
//! let unknown = include_str!("../../../spec/fixtures/samples/unknown-key-code.txt").trim();
//! assert_eq!(verifier.verify_text(unknown, Clock::at(now)).code().map(|c| c.as_str()), Some("unknown_key"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An expired trust list stops the verifier from being built at all (an app must not verify
//! against trust it cannot use):
//!
//! ```
//! # use hcx_verify::{PublicKey, TrustListPolicy, TrustStore};
//! # let (trust_json, root_pem) = (include_bytes!("../../../spec/fixtures/trust/main.json"), include_str!("../../../spec/fixtures/keys/root-1.pub.pem"));
//! # let policy = TrustListPolicy::single_root(PublicKey::from_pem(root_pem)?);
//! let next_year = 1_795_251_600 + 365 * 86_400;
//! let err = TrustStore::load(&[trust_json], &policy, next_year).unwrap_err();
//! assert_eq!(err.code().as_str(), "trust_list_expired");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Verify the code in a photo (feature `qr`, on by default):
//!
//! ```
//! # use hcx_verify::{Clock, PublicKey, TrustListPolicy, TrustStore, Verifier};
//! # let (trust_json, root_pem) = (include_bytes!("../../../spec/fixtures/trust/main.json"), include_str!("../../../spec/fixtures/keys/root-1.pub.pem"));
//! # let now = 1_795_251_600;
//! # let verifier = Verifier::new(TrustStore::load(&[trust_json], &TrustListPolicy::single_root(PublicKey::from_pem(root_pem)?), now)?);
//! let photo = include_bytes!("../../../spec/fixtures/images/qr-reference-ecc-m.png");
//! let verdict = verifier.verify_image(photo, Clock::at(now));
//! assert_eq!(verdict.verified().and_then(|v| v.status()).map(|s| s.as_str()), Some("green"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Verify many codes at once (in input order; with the feature `parallel`, on all cores):
//!
//! ```
//! # use hcx_verify::{Clock, PublicKey, TrustListPolicy, TrustStore, Verifier};
//! # let (trust_json, root_pem, text) = (include_bytes!("../../../spec/fixtures/trust/main.json"), include_str!("../../../spec/fixtures/keys/root-1.pub.pem"), include_str!("../../../spec/fixtures/samples/reference-code.txt").trim());
//! # let now = 1_795_251_600;
//! # let verifier = Verifier::new(TrustStore::load(&[trust_json], &TrustListPolicy::single_root(PublicKey::from_pem(root_pem)?), now)?);
//! let scanned = vec![text; 1000];
//! let verdicts = verifier.verify_many(&scanned, Clock::at(now));
//! assert!(verdicts.iter().all(|v| v.is_valid()));
//! // Or turn each verdict into output on the thread that made it (what `hcx verify --batch` does):
//! let lines: Vec<String> = verifier.verify_many_with(&scanned, Clock::at(now), |v| v.to_json());
//! # assert!(lines.iter().all(|l| l.starts_with("{\"claims\"")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Issue a code (an issuer's backend):
//!
//! ```
//! # let key_pem = include_str!("../../../spec/fixtures/keys/dingtalk-1.pem");
//! use hcx_verify::{HealthClaims, IssueParams, PrivateKey};
//! let key = PrivateKey::from_pem(key_pem)?;
//! let claims = HealthClaims::from_json(r#"{"status":"green","subject":{"name":"张三"}}"#)?;
//! let params = IssueParams { issuer: "dingtalk".into(), issued_at: 1_795_248_000, expires_at: 1_795_334_400, not_before: None };
//! let text = hcx_verify::issue(&key, &params, &claims)?; // "HCX1:…", a version 9 QR code at ECC M
//! # assert!(text.starts_with("HCX1:"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Features: `foreign` (EU DCC, SHC, VDS-NC; without it the crate reads hcx codes only, the
//! small build for mini-programs), `qr` (photos and camera frames), `parallel` (`verify_many`
//! on all cores). All three are on by default.
#![forbid(unsafe_code)]

mod decoded;
mod error;
mod status;
mod trust;
mod verdict;
mod verify;

pub use decoded::{Decoded, UNVERIFIED_WARNING, decode};
pub use error::{TrustError, VerifyError};
pub use status::{
    Missing, Stale, StatusDataError, StatusFailure, StatusOutcome, StatusPolicy, StatusReport,
};
pub use trust::{StatusSummary, TrustInputKind, TrustStore, is_hcx_trust_list};
pub use verdict::{Claims, Format, Issuer, Verdict, Verified, error_json};
pub use verify::Verifier;
#[cfg(feature = "qr")]
pub use verify::{pick, scan_image, scan_luma};

pub use hcx_error::{Code, Coded, Reason};
pub use hcx_format::{
    BatchIssuer, ClaimsError, Clock, EvidenceSummary, HealthClaims, IssueError, IssueParams,
    IssueRequest, KeyError, KeyId, PrivateKey, PublicKey, Status, Summary, TrustList,
    TrustListError, TrustListPolicy, issue, public_key_from_any_pem, timefmt,
};
