//! Limits on status lists, each enforced before the work it bounds (SPEC.md §14.8).

pub use crate::map::{MAX_LEVELS, MAX_PLANES};

/// Largest signed status list accepted, in bytes, checked before anything is parsed. A list
/// for 100 M codes of which 10 % changed colour is about 6 MB; 10 M codes at 0.1 % revoked
/// take 15 KB.
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;
/// Most deltas a [`crate::StatusState`] holds on top of its snapshot. Each delta adds a layer
/// that lookups of old codes walk (a few nanoseconds each); past this a verifier needs a new
/// snapshot.
pub const MAX_DELTA_CHAIN: usize = 64;
/// Most bytes of solutions a [`crate::StatusState`] holds, summed over its layers.
pub const MAX_STATE_BYTES: usize = 64 * 1024 * 1024;
/// Latest time a list may name (9999-12-31T23:59:59Z, as for codes).
pub const MAX_UNIX_TIME: i64 = 253_402_300_799;
/// Shortest and longest code id (`cti`) a builder accepts, as SPEC.md §4.1 allows.
pub const CODE_ID_LEN: std::ops::RangeInclusive<usize> = 8..=16;
/// Default maximum age of status data before a verifier calls it stale: 48 hours, the
/// validity Switzerland gave its revocation lists (shared/ANCHORS.md, "Freshness").
pub const DEFAULT_MAX_AGE_SECS: i64 = 48 * 3600;
/// Default tolerance for a list issued slightly in the verifier's future (clock skew).
pub const DEFAULT_SKEW_SECS: i64 = 300;
