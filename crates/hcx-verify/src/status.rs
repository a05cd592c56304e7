//! SPEC §14 on the verifier's side: the status data each issuer has published, whether it is
//! fresh enough, and what it says of a valid code (steps S1–S3, after C17).
//!
//! Status data never makes the trust list fail: a missing, stale or broken status list is an
//! answer about the codes of that one issuer, with its own verdict code.

use std::collections::BTreeMap;

use hcx_error::{Code, Coded, Reason};
use hcx_format::{KeyId, TrustList};
use hcx_status::{
    CodeRef, ListKind, Lookup, NotCovered, SignedStatusList, StatusError, StatusList, StatusState,
};

/// How a verifier uses status data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusPolicy {
    /// Status data older than this (seconds since the newest list was issued) is stale.
    /// Default 48 hours: a verifier stays usable offline for two days.
    pub max_age_secs: i64,
    /// What to do with a code whose issuer has published no status data the verifier holds.
    /// Default: accept it (status checking is opt-in per issuer).
    pub when_missing: Missing,
    /// What to do with a code whose issuer's status data is stale. Default: refuse it with
    /// `status_stale` (the code cannot be judged current), never the trust list.
    pub when_stale: Stale,
}

/// What to do when an issuer has no status data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Judge the code without status; the verdict carries no `status_list`.
    Accept,
    /// Refuse the code with `status_stale` (reason `status_missing`).
    Reject,
}

/// What to do when an issuer's status data is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Refuse the code with `status_stale`.
    Reject,
    /// Use the stale data anyway; the verdict's `status_list` says `"stale": true`.
    Accept,
}

impl Default for StatusPolicy {
    fn default() -> StatusPolicy {
        StatusPolicy {
            max_age_secs: hcx_status::limits::DEFAULT_MAX_AGE_SECS,
            when_missing: Missing::Accept,
            when_stale: Stale::Reject,
        }
    }
}

/// What a valid code's issuer's status data said of it: the verdict's `status_list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The issuer whose list was used.
    pub issuer: String,
    /// The sequence of the newest list applied.
    pub sequence: u64,
    /// When that list was issued, Unix seconds.
    pub issued_at: i64,
    /// Its age at the validation time, seconds.
    pub age_secs: i64,
    /// What the list says of the code.
    pub outcome: StatusOutcome,
    /// The data was stale and the policy accepted it.
    pub stale: bool,
}

/// What a status list says of a valid code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    /// Valid as issued.
    Valid,
    /// Valid, and the holder's colour is now this one (it replaces the printed colour).
    Now(hcx_format::Status),
    /// The code is outside the list's universe (issued after it was made, or already expired
    /// when it was made): the list says nothing about it.
    NotCovered(NotCovered),
}

impl StatusOutcome {
    /// The name in verdicts: `valid`, `now_green`, `now_yellow`, `now_red` or `not_covered`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusOutcome::Valid => "valid",
            StatusOutcome::Now(hcx_format::Status::Green) => "now_green",
            StatusOutcome::Now(hcx_format::Status::Yellow) => "now_yellow",
            StatusOutcome::Now(hcx_format::Status::Red) => "now_red",
            StatusOutcome::NotCovered(_) => "not_covered",
        }
    }
}

/// Why a code fails its status step.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StatusFailure {
    /// The issuer has revoked the code.
    #[error("the issuer revoked this code (status list {issuer} #{sequence})")]
    Revoked {
        /// The issuer.
        issuer: String,
        /// The list's sequence.
        sequence: u64,
    },
    /// The issuer has suspended the code.
    #[error("the issuer suspended this code (status list {issuer} #{sequence})")]
    Suspended {
        /// The issuer.
        issuer: String,
        /// The list's sequence.
        sequence: u64,
    },
    /// The policy requires status data for the issuer, and there is none.
    #[error("no status data for issuer `{0}`, and the policy requires it")]
    Missing(String),
    /// The issuer's status data is stale, or its lists could not be used.
    #[error("status data of issuer `{issuer}`: {error}")]
    Data {
        /// The issuer.
        issuer: String,
        /// What is wrong.
        error: StatusDataError,
    },
}

/// Why an issuer's status data cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StatusDataError {
    /// A list is malformed, badly signed, rolled back, on the wrong base, or stale.
    #[error(transparent)]
    List(#[from] StatusError),
    /// No key of the trust list may sign this issuer's status (usage `status`).
    #[error("no key of the trust list may sign this issuer's status (kid {0})")]
    UnknownKey(KeyId),
}

impl Coded for StatusDataError {
    fn code(&self) -> Code {
        match self {
            StatusDataError::List(e) => e.code(),
            StatusDataError::UnknownKey(_) => Code::StatusInvalid,
        }
    }

    fn reason(&self) -> Reason {
        match self {
            StatusDataError::List(e) => e.reason(),
            StatusDataError::UnknownKey(_) => Reason::StatusUnknownKey,
        }
    }
}

impl Coded for StatusFailure {
    fn code(&self) -> Code {
        match self {
            StatusFailure::Revoked { .. } => Code::Revoked,
            StatusFailure::Suspended { .. } => Code::Suspended,
            StatusFailure::Missing(_) => Code::StatusStale,
            StatusFailure::Data { error, .. } => error.code(),
        }
    }

    fn reason(&self) -> Reason {
        match self {
            StatusFailure::Revoked { .. } => Reason::Revoked,
            StatusFailure::Suspended { .. } => Reason::Suspended,
            StatusFailure::Missing(_) => Reason::StatusMissing,
            StatusFailure::Data { error, .. } => error.reason(),
        }
    }
}

/// The status lists a trust store was given, and what they amount to per issuer.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatusData {
    /// Every list given, envelope read, signature not yet checked.
    lists: Vec<(SignedStatusList, hcx_status::ListHeader)>,
    /// Per issuer: the state built from its lists, or why that failed.
    by_issuer: BTreeMap<String, Result<StatusState, StatusDataError>>,
    /// Per issuer: the highest sequence accepted before (from a previous run); older data is a
    /// rollback.
    floors: BTreeMap<String, u64>,
}

impl StatusData {
    /// Keeps a list whose envelope and payload read (its signature is checked against the
    /// trust list in [`StatusData::rebuild`]).
    pub(crate) fn add(&mut self, list: SignedStatusList) -> Result<(), StatusError> {
        let header = list.header_unverified()?;
        self.lists.push((list, header));
        Ok(())
    }

    /// Records the highest sequence of `issuer`'s lists accepted before.
    pub(crate) fn set_floor(&mut self, issuer: &str, sequence: u64) {
        self.floors.insert(issuer.to_owned(), sequence);
    }

    /// Whether any status list was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Rebuilds every issuer's state from all the lists given, whatever their order: per
    /// issuer, the newest snapshot, then each later delta in sequence order (older deltas are
    /// subsumed by the snapshot). Signatures are checked with the keys `trust` authorises for
    /// that issuer's status.
    pub(crate) fn rebuild(&mut self, trust: &TrustList) {
        let mut per_issuer: BTreeMap<&str, Vec<&(SignedStatusList, hcx_status::ListHeader)>> =
            BTreeMap::new();
        for entry in &self.lists {
            per_issuer
                .entry(entry.1.issuer.as_str())
                .or_default()
                .push(entry);
        }
        let mut by_issuer = BTreeMap::new();
        for (issuer, lists) in per_issuer {
            let floor = self.floors.get(issuer).copied();
            by_issuer.insert(
                issuer.to_owned(),
                issuer_state(trust, issuer, &lists, floor),
            );
        }
        self.by_issuer = by_issuer;
    }

    /// Steps S1–S3 for a code of `issuer` (already valid through C17).
    pub(crate) fn check(
        &self,
        policy: &StatusPolicy,
        issuer: &str,
        code: &CodeRef<'_>,
        now: i64,
    ) -> Result<Option<StatusReport>, StatusFailure> {
        let data_error = |error: StatusDataError| StatusFailure::Data {
            issuer: issuer.to_owned(),
            error,
        };
        // S1: the issuer's status data, if any.
        let state = match self.by_issuer.get(issuer) {
            None => {
                return match policy.when_missing {
                    Missing::Accept => Ok(None),
                    Missing::Reject => Err(StatusFailure::Missing(issuer.to_owned())),
                };
            }
            Some(Err(e)) => return Err(data_error(e.clone())),
            Some(Ok(state)) => state,
        };
        // S2: fresh enough.
        let freshness = hcx_status::StatusPolicy {
            max_age_secs: policy.max_age_secs,
            ..hcx_status::StatusPolicy::default()
        };
        let head = state.head();
        let (age_secs, stale) = match state.check_fresh(&freshness, now) {
            Ok(age) => (age, false),
            Err(e) if policy.when_stale == Stale::Reject => return Err(data_error(e.into())),
            Err(_) => (now.saturating_sub(head.issued_at).max(0), true),
        };
        // S3: what the list says of the code.
        let report = |outcome| StatusReport {
            issuer: issuer.to_owned(),
            sequence: head.sequence,
            issued_at: head.issued_at,
            age_secs,
            outcome,
            stale,
        };
        use hcx_status::Status as S;
        let outcome = match state.lookup(code) {
            Lookup::NotCovered(why) => StatusOutcome::NotCovered(why),
            Lookup::Covered(S::Revoked) => {
                return Err(StatusFailure::Revoked {
                    issuer: issuer.to_owned(),
                    sequence: head.sequence,
                });
            }
            Lookup::Covered(S::Suspended) => {
                return Err(StatusFailure::Suspended {
                    issuer: issuer.to_owned(),
                    sequence: head.sequence,
                });
            }
            Lookup::Covered(S::NowGreen) => StatusOutcome::Now(hcx_format::Status::Green),
            Lookup::Covered(S::NowYellow) => StatusOutcome::Now(hcx_format::Status::Yellow),
            Lookup::Covered(S::NowRed) => StatusOutcome::Now(hcx_format::Status::Red),
            // Valid, and any status a newer crate version adds, is "as issued" here: only
            // revocation and suspension stop a code.
            Lookup::Covered(_) => StatusOutcome::Valid,
        };
        Ok(Some(report(outcome)))
    }

    /// The issuers with status data and, for each, the newest list's sequence and issue time
    /// (or why its data cannot be used).
    pub(crate) fn issuers(
        &self,
    ) -> impl Iterator<Item = (&str, Result<&StatusState, &StatusDataError>)> {
        self.by_issuer
            .iter()
            .map(|(issuer, state)| (issuer.as_str(), state.as_ref()))
    }
}

/// One issuer's state from its lists (see [`StatusData::rebuild`]).
fn issuer_state(
    trust: &TrustList,
    issuer: &str,
    lists: &[&(SignedStatusList, hcx_status::ListHeader)],
    floor: Option<u64>,
) -> Result<StatusState, StatusDataError> {
    let mut verified: Vec<StatusList> = Vec::with_capacity(lists.len());
    for (signed, header) in lists {
        let keys = trust.status_keys(issuer, header.issued_at);
        let key = keys
            .iter()
            .find(|k| k.key_id() == signed.key_id())
            .ok_or(StatusDataError::UnknownKey(signed.key_id()))?;
        verified.push(signed.verify(key, issuer)?);
    }
    // The newest snapshot (the first of equal ones: a second with other content conflicts).
    verified.sort_by_key(|l| (l.header().sequence, l.kind() == ListKind::Delta));
    let newest_snapshot = verified
        .iter()
        .rposition(|l| l.kind() == ListKind::Snapshot)
        .ok_or(StatusError::NotASnapshot)?;
    let mut lists = verified.into_iter().skip(newest_snapshot);
    let snapshot = lists.next().ok_or(StatusError::NotASnapshot)?;
    let sequence = snapshot.header().sequence;
    let mut state = StatusState::new(snapshot, None)?;
    for list in lists {
        // Deltas up to the snapshot's own sequence are subsumed by it.
        if list.kind() == ListKind::Delta && list.header().sequence <= sequence {
            continue;
        }
        state.apply(list)?;
    }
    // Rollback: what the lists amount to is older than what was accepted before.
    let sequence = state.head().sequence;
    if let Some(current) = floor.filter(|f| sequence < *f) {
        return Err(StatusError::Rollback { sequence, current }.into());
    }
    Ok(state)
}
