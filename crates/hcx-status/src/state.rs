//! A verifier's status data for one issuer: a snapshot and the deltas applied on it
//! (SPEC.md §14.7).

use crate::error::{Staleness, StatusError};
use crate::hash::IdentityDigest;
use crate::limits::{DEFAULT_MAX_AGE_SECS, DEFAULT_SKEW_SECS, MAX_DELTA_CHAIN, MAX_STATE_BYTES};
use crate::list::{Body, ListHeader, StatusList, check_follows};
use crate::map::StatusMap;
use crate::status::{Class, Status, UNCHANGED};

/// What a lookup needs of a verified code: its `cti`, `iat` and `exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRef<'a> {
    /// The code id (`cti`).
    pub code_id: &'a [u8],
    /// The code's `iat`, Unix seconds.
    pub issued_at: i64,
    /// The code's `exp`, Unix seconds.
    pub expires_at: i64,
}

/// The answer of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The code is in the list's universe; this is its status.
    Covered(Status),
    /// The list says nothing about this code.
    NotCovered(NotCovered),
}

/// Why a code is not covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCovered {
    /// The code was issued at or after the list's `issued_before` (newer than the list).
    IssuedAfter {
        /// The list's `issued_before`, Unix seconds.
        issued_before: i64,
    },
    /// The code expired at or before the list's `expiring_after`.
    ExpiredBefore {
        /// The list's `expiring_after`, Unix seconds.
        expiring_after: i64,
    },
}

/// What applying a list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A newer snapshot replaced everything held.
    Replaced,
    /// A delta was added on top of the list held.
    Extended,
    /// The list is the one already held; nothing changed.
    AlreadyCurrent,
}

/// How old status data may be before a verifier calls it stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusPolicy {
    /// Maximum age of the newest list applied, seconds (default 48 h).
    pub max_age_secs: i64,
    /// Tolerance for a list issued in the verifier's future, seconds (default 300).
    pub skew_secs: i64,
}

impl Default for StatusPolicy {
    fn default() -> StatusPolicy {
        StatusPolicy {
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            skew_secs: DEFAULT_SKEW_SECS,
        }
    }
}

/// One applied delta.
#[derive(Debug, Clone)]
struct Layer {
    /// The base's `issued_before`: codes issued from then on are in `new_codes`.
    base_issued_before: i64,
    new_codes: StatusMap,
    changes: StatusMap,
}

/// One issuer's status data: a verified snapshot and the verified deltas applied since.
#[derive(Debug, Clone)]
pub struct StatusState {
    head: ListHeader,
    head_hash: [u8; 32],
    snapshot: StatusMap,
    layers: Vec<Layer>,
    bytes: usize,
}

/// The status of a class of a snapshot or new-code map. Readers and builders admit only
/// classes 0–5 there; should anything else ever appear, the code is treated as revoked
/// (fail closed) rather than valid.
fn status_of(class: Class) -> Status {
    Status::from_wire(class).unwrap_or(Status::Revoked)
}

impl StatusState {
    /// Starts from a verified snapshot. `highest_seen` is the highest sequence this verifier
    /// accepted for the issuer before, if it keeps one: an older snapshot is a rollback.
    pub fn new(list: StatusList, highest_seen: Option<u64>) -> Result<StatusState, StatusError> {
        let sequence = list.header().sequence;
        if let Some(current) = highest_seen.filter(|h| sequence < *h) {
            return Err(StatusError::Rollback { sequence, current });
        }
        let bytes = list.heap_bytes();
        let head_hash = list.payload_hash();
        let header = list.header().clone();
        match list.body {
            Body::Snapshot { codes } => Ok(StatusState {
                head: header,
                head_hash,
                snapshot: codes,
                layers: Vec::new(),
                bytes,
            }),
            Body::Delta { .. } => Err(StatusError::NotASnapshot),
        }
    }

    /// Applies a verified list of the same issuer: a newer snapshot replaces the state; the
    /// delta to the next sequence, bound to the payload hash of the list held, extends it.
    pub fn apply(&mut self, list: StatusList) -> Result<Applied, StatusError> {
        let header = list.header().clone();
        if header.issuer != self.head.issuer {
            return Err(StatusError::WrongIssuer {
                expected: self.head.issuer.clone(),
                found: header.issuer,
            });
        }
        let (sequence, current) = (header.sequence, self.head.sequence);
        if sequence <= current {
            return if sequence == current && list.payload_hash() == self.head_hash {
                Ok(Applied::AlreadyCurrent)
            } else if sequence == current {
                Err(StatusError::Conflict { sequence })
            } else {
                Err(StatusError::Rollback { sequence, current })
            };
        }
        let bytes = list.heap_bytes();
        let hash = list.payload_hash();
        match list.body {
            Body::Snapshot { codes } => {
                *self = StatusState {
                    head: header,
                    head_hash: hash,
                    snapshot: codes,
                    layers: Vec::new(),
                    bytes,
                };
                Ok(Applied::Replaced)
            }
            Body::Delta {
                base_hash,
                new_codes,
                changes,
            } => {
                if current.checked_add(1) != Some(sequence) || base_hash != self.head_hash {
                    return Err(StatusError::WrongBase { sequence, current });
                }
                check_follows(&self.head, &header).map_err(StatusError::BadPayload)?;
                if self.layers.len() >= MAX_DELTA_CHAIN {
                    return Err(StatusError::TooLarge {
                        what: "deltas on one snapshot",
                        len: self.layers.len() as u64 + 1,
                        max: MAX_DELTA_CHAIN as u64,
                    });
                }
                let total = self.bytes.saturating_add(bytes);
                if total > MAX_STATE_BYTES {
                    return Err(StatusError::TooLarge {
                        what: "bytes of status data for one issuer",
                        len: total as u64,
                        max: MAX_STATE_BYTES as u64,
                    });
                }
                self.layers.push(Layer {
                    base_issued_before: self.head.coverage.issued_before,
                    new_codes,
                    changes,
                });
                self.head = header;
                self.head_hash = hash;
                self.bytes = total;
                Ok(Applied::Extended)
            }
        }
    }

    /// The status of a code of this issuer (spec §7.3).
    pub fn lookup(&self, code: &CodeRef<'_>) -> Lookup {
        // Coverage first: it needs no hashing.
        if let Some(not) = self.not_covered(code.issued_at, code.expires_at) {
            return Lookup::NotCovered(not);
        }
        let digest = IdentityDigest::of_code_id(code.code_id);
        self.lookup_covered(&digest, code.issued_at)
    }

    /// [`Self::lookup`] for a code whose digest is already known.
    pub fn lookup_digest(
        &self,
        digest: &IdentityDigest,
        issued_at: i64,
        expires_at: i64,
    ) -> Lookup {
        if let Some(not) = self.not_covered(issued_at, expires_at) {
            return Lookup::NotCovered(not);
        }
        self.lookup_covered(digest, issued_at)
    }

    fn not_covered(&self, issued_at: i64, expires_at: i64) -> Option<NotCovered> {
        let c = &self.head.coverage;
        if issued_at >= c.issued_before {
            Some(NotCovered::IssuedAfter {
                issued_before: c.issued_before,
            })
        } else if expires_at <= c.expiring_after {
            Some(NotCovered::ExpiredBefore {
                expiring_after: c.expiring_after,
            })
        } else {
            None
        }
    }

    fn lookup_covered(&self, digest: &IdentityDigest, issued_at: i64) -> Lookup {
        // Newest delta first: a code issued since a delta's base is in that delta's new codes;
        // an older one is in its change map, which says "unchanged" to send it further down.
        for layer in self.layers.iter().rev() {
            if issued_at >= layer.base_issued_before {
                return Lookup::Covered(status_of(layer.new_codes.get(digest)));
            }
            let class = layer.changes.get(digest);
            if class != UNCHANGED {
                return Lookup::Covered(status_of(class));
            }
        }
        Lookup::Covered(status_of(self.snapshot.get(digest)))
    }

    /// Judges the age of the newest list applied at `now`; the age in seconds when fresh.
    /// Stale status data is an answer about status only: it never makes the trust list fail.
    pub fn check_fresh(&self, policy: &StatusPolicy, now: i64) -> Result<i64, StatusError> {
        let h = &self.head;
        if h.issued_at > now.saturating_add(policy.skew_secs) {
            return Err(StatusError::Stale(Staleness::FromTheFuture {
                issued_at: h.issued_at,
            }));
        }
        if now >= h.expires_at {
            return Err(StatusError::Stale(Staleness::Expired {
                expires_at: h.expires_at,
            }));
        }
        let age = now.saturating_sub(h.issued_at).max(0);
        if age > policy.max_age_secs {
            return Err(StatusError::Stale(Staleness::TooOld {
                age,
                max_age: policy.max_age_secs,
            }));
        }
        Ok(age)
    }

    /// The issuer id.
    pub fn issuer(&self) -> &str {
        &self.head.issuer
    }

    /// The header of the newest list applied (its sequence, times and coverage).
    pub fn head(&self) -> &ListHeader {
        &self.head
    }

    /// The payload hash of the newest list applied: the base the next delta must name.
    pub fn head_hash(&self) -> [u8; 32] {
        self.head_hash
    }

    /// Deltas applied on the snapshot.
    pub fn deltas(&self) -> usize {
        self.layers.len()
    }

    /// Bytes of status data held in memory (solutions and their bookkeeping).
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<StatusState>()
            + self.head.issuer.capacity()
            + self.snapshot.heap_bytes()
            + self.layers.capacity() * std::mem::size_of::<Layer>()
            + self
                .layers
                .iter()
                .map(|l| l.new_codes.heap_bytes() + l.changes.heap_bytes())
                .sum::<usize>()
    }
}
