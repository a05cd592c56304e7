//! hcx status lists: exact, compact, signed statuses for codes, with nothing added to a code.
//!
//! An issuer knows every code it issued. For the codes a list covers (issued before an
//! instant, not yet expired) it publishes a signed map from each code's `cti` to its current
//! status: valid, revoked, suspended, or a new colour. The map is exact for every covered code
//! and about `N·H(f)` bits for `N` codes of which a fraction `f` is not plainly valid (10 M
//! codes with 0.1 % revoked: about 15 KB). Snapshots carry every covered code; deltas carry
//! the changes since the previous list, bound to its hash. A verifier checks the signature
//! with the key the trust list authorises for the issuer's status, applies snapshots and
//! deltas to a [`StatusState`], and looks codes up. The normative description is
//! SPEC.md §14. This crate does no I/O and never prints.
//!
//! ```
//! use hcx_format::PrivateKey;
//! use hcx_status::{CodeRef, Coverage, ListHeader, Lookup, SignedStatusList, Status,
//!                  StatusList, StatusState};
//! # fn main() -> Result<(), hcx_status::StatusError> {
//! let now = 1_795_000_000;
//! let status_key = PrivateKey::from_seed(&[9; 32]);
//! // The issuer's registry: every covered code with its status.
//! let codes: Vec<([u8; 8], Status)> = (0u64..1000)
//!     .map(|i| (i.to_be_bytes(), if i == 7 { Status::Revoked } else { Status::Valid }))
//!     .collect();
//! let header = ListHeader {
//!     issuer: "dingtalk".into(), sequence: 1, issued_at: now, expires_at: now + 86_400,
//!     coverage: Coverage { issued_before: now, expiring_after: now - 86_400 },
//! };
//! let file = StatusList::snapshot(header, codes)?.sign(&status_key);
//!
//! // A verifier, with the key its trust list authorises for dingtalk's status.
//! let list = SignedStatusList::parse(&file)?.verify(&status_key.public_key(), "dingtalk")?;
//! let state = StatusState::new(list, None)?;
//! let code = |i: u64| (i.to_be_bytes(), now - 3600, now + 86_400);
//! let (id, iat, exp) = code(7);
//! let lookup = state.lookup(&CodeRef { code_id: &id, issued_at: iat, expires_at: exp });
//! assert_eq!(lookup, Lookup::Covered(Status::Revoked));
//! let (id, _, exp) = code(1234);
//! let fresh = state.lookup(&CodeRef { code_id: &id, issued_at: now + 60, expires_at: exp });
//! assert!(matches!(fresh, Lookup::NotCovered(_)));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing))]

mod cbor;
mod envelope;
mod error;
mod hash;
pub mod limits;
mod list;
mod map;
mod ribbon;
mod state;
mod status;

pub use envelope::{CONTENT_TYPE, SignedStatusList};
pub use error::{Staleness, StatusError};
pub use hash::IdentityDigest;
pub use list::{
    CodeRecord, Coverage, FORMAT_VERSION, LevelSummary, ListHeader, ListKind, ListSummary,
    MapSummary, StatusList,
};
pub use state::{Applied, CodeRef, Lookup, NotCovered, StatusPolicy, StatusState};
pub use status::{Change, Status};
