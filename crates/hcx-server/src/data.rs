//! Trust data as both ends of distribution hold it: one signed trust list and, per issuer, the
//! chain of status lists a verifier applies (the newest snapshot and the deltas after it).
//!
//! The server (choosing what to publish) and `hcx sync` (choosing what to keep) decide the
//! same way, here: every file is checked through `hcx-verify` exactly as a verifier will use
//! it, and an issuer whose new lists cannot be used keeps its previous chain, so one broken or
//! rolled-back file never takes the other issuers' data, or the trust list, with it.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcx_status::{ListKind, SignedStatusList, StatusError};
use hcx_verify::{TrustError, TrustList, TrustListPolicy, TrustStore};
use sha2::{Digest, Sha256};

/// Lowercase hex of SHA-256: the name of every content-addressed file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One status list file: its bytes and what its envelope says (the signature is checked when
/// it is assembled with a trust list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFile {
    /// The file's bytes, exactly as signed.
    pub bytes: Arc<[u8]>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The issuer the list names.
    pub issuer: String,
    /// Its sequence.
    pub sequence: u64,
    /// Snapshot or delta.
    pub kind: ListKind,
    /// When it was made, Unix seconds.
    pub issued_at: i64,
    /// When it stops being usable, Unix seconds.
    pub expires_at: i64,
}

impl ListFile {
    /// Reads a status list's envelope and header (within the format's size limit).
    pub fn read(bytes: Vec<u8>) -> Result<ListFile, StatusError> {
        let signed = SignedStatusList::parse(&bytes)?;
        let summary = signed.summary_unverified()?;
        Ok(ListFile {
            sha256: sha256_hex(&bytes),
            bytes: bytes.into(),
            issuer: summary.header.issuer,
            sequence: summary.header.sequence,
            kind: summary.kind,
            issued_at: summary.header.issued_at,
            expires_at: summary.header.expires_at,
        })
    }

    /// `snapshot` or `delta`.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ListKind::Snapshot => "snapshot",
            ListKind::Delta => "delta",
        }
    }
}

/// Per issuer, the lists a verifier applies, oldest first.
pub type Chains = BTreeMap<String, Vec<ListFile>>;

/// An issuer whose newly offered lists were refused, and what happened instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The issuer.
    pub issuer: String,
    /// The stable code of the failure (`status_invalid`, …).
    pub code: &'static str,
    /// The failure in words.
    pub message: String,
    /// Whether the issuer's previous lists are kept (else it has no status data now).
    pub kept_previous: bool,
}

/// A trust list and status chains, all checked together.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// What a verifier loads: the trust list and every chain below.
    pub store: TrustStore,
    /// The verified trust list.
    pub trust_list: TrustList,
    /// The trust list's bytes.
    pub trust_bytes: Arc<[u8]>,
    /// The usable chain of each issuer.
    pub chains: Chains,
    /// Issuers whose new lists could not be used.
    pub refused: Vec<Refusal>,
}

/// The newest snapshot of each issuer and the deltas after it, from any set of list files
/// (older lists, repeats and lists off the chain are left out).
pub fn chains_of(files: Vec<ListFile>) -> Chains {
    let mut by_issuer: Chains = BTreeMap::new();
    for f in files {
        by_issuer.entry(f.issuer.clone()).or_default().push(f);
    }
    for lists in by_issuer.values_mut() {
        lists.sort_by(|a, b| {
            (a.sequence, a.kind == ListKind::Delta, &a.sha256).cmp(&(
                b.sequence,
                b.kind == ListKind::Delta,
                &b.sha256,
            ))
        });
        lists.dedup_by(|a, b| a.sha256 == b.sha256);
        if let Some(start) = lists.iter().rposition(|l| l.kind == ListKind::Snapshot) {
            let snapshot_sequence = lists.get(start).map_or(0, |l| l.sequence);
            let chain: Vec<ListFile> = lists
                .drain(start..)
                .enumerate()
                .filter(|(i, l)| *i == 0 || l.sequence > snapshot_sequence)
                .map(|(_, l)| l)
                .collect();
            *lists = chain;
        }
        // No snapshot at all: the facade reports `status_not_snapshot` for the issuer.
    }
    by_issuer
}

/// Checks `trust` (under `policy` at `now`) and the offered status chains together; an
/// issuer whose offered chain cannot be used (bad signature, rollback below its floor, wrong
/// base, …) keeps its `previous` chain when that still checks, and otherwise has no status
/// data. Only the trust list failing is an error.
pub fn assemble(
    trust: Arc<[u8]>,
    policy: &TrustListPolicy,
    offered: &Chains,
    previous: &Chains,
    floors: &BTreeMap<String, u64>,
    now: i64,
) -> Result<Assembled, TrustError> {
    let mut chosen: Chains = offered.clone();
    let mut refused = Vec::new();
    // At most three rounds: the offered chains, then the previous chains of refused issuers,
    // then without the issuers whose previous chains fail too.
    for round in 0..3 {
        let store = build(&trust, policy, &chosen, floors, now)?;
        let failed: Vec<(String, &'static str, String)> = store
            .status_lists()
            .into_iter()
            .filter_map(|s| match s.state {
                Ok(_) => None,
                Err((code, _, message)) => Some((s.issuer, code.as_str(), message)),
            })
            .collect();
        if failed.is_empty() {
            let trust_list = store.trust_list().cloned().unwrap_or_else(TrustList::new);
            return Ok(Assembled {
                store,
                trust_list,
                trust_bytes: trust,
                chains: chosen,
                refused,
            });
        }
        for (issuer, code, message) in failed {
            let fallback = previous
                .get(&issuer)
                .filter(|p| round == 0 && Some(*p) != chosen.get(&issuer));
            match fallback {
                Some(p) => {
                    chosen.insert(issuer.clone(), p.clone());
                }
                None => {
                    chosen.remove(&issuer);
                }
            }
            match refused
                .iter_mut()
                .find(|r: &&mut Refusal| r.issuer == issuer)
            {
                Some(r) => r.kept_previous = false,
                None => refused.push(Refusal {
                    issuer,
                    code,
                    message,
                    kept_previous: fallback.is_some(),
                }),
            }
        }
    }
    // Every issuer with status data failing was removed in round 2, so round 3 cannot fail on
    // status; a last build for the record.
    let store = build(&trust, policy, &chosen, floors, now)?;
    let trust_list = store.trust_list().cloned().unwrap_or_else(TrustList::new);
    Ok(Assembled {
        store,
        trust_list,
        trust_bytes: trust,
        chains: chosen,
        refused,
    })
}

/// A store of the trust list and these chains, with the rollback floors.
fn build(
    trust: &[u8],
    policy: &TrustListPolicy,
    chains: &Chains,
    floors: &BTreeMap<String, u64>,
    now: i64,
) -> Result<TrustStore, TrustError> {
    let mut store = TrustStore::new();
    store.add(trust, policy, now)?;
    for list in chains.values().flatten() {
        // An envelope that reads (checked in ListFile::read) cannot fail here; if it did, the
        // issuer simply has no data.
        let _ = store.add(&list.bytes, policy, now);
    }
    for (issuer, floor) in floors {
        if chains.contains_key(issuer) {
            store.set_status_min_sequence(issuer, *floor);
        }
    }
    Ok(store)
}

/// The head (newest list) of a chain.
pub fn head(chain: &[ListFile]) -> Option<&ListFile> {
    chain.last()
}

/// A short description of a trust error for logs and reports: `code: message`.
pub fn describe(e: &TrustError) -> String {
    format!("{}: {e}", e.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::World;

    fn list(bytes: Vec<u8>) -> ListFile {
        ListFile::read(bytes).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn the_newest_snapshot_starts_the_chain() {
        let w = World::new();
        let chains = chains_of(vec![
            list(w.snapshot(2, &[])),
            list(w.snapshot(1, &[])),
            list(w.snapshot(3, &[5])),
            list(w.snapshot(3, &[5])),
        ]);
        let chain = chains
            .get("dingtalk")
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(chain.len(), 1);
        assert_eq!(chain.first().map(|l| l.sequence), Some(3));
    }

    #[test]
    fn a_refused_issuer_keeps_its_previous_chain() -> Result<(), TrustError> {
        let w = World::new();
        let trust: Arc<[u8]> = w.trust(1).into();
        let good = chains_of(vec![list(w.snapshot(5, &[]))]);
        let a = assemble(
            trust.clone(),
            &w.policy(),
            &good,
            &Chains::new(),
            &BTreeMap::new(),
            w.now,
        )?;
        assert!(a.refused.is_empty());
        // A server answering an older list: below the floor, refused, previous kept.
        let old = chains_of(vec![list(w.snapshot(4, &[]))]);
        let floors = [("dingtalk".to_owned(), 5)].into();
        let b = assemble(trust.clone(), &w.policy(), &old, &a.chains, &floors, w.now)?;
        assert_eq!(b.refused.len(), 1);
        assert!(
            b.refused
                .iter()
                .all(|r| r.kept_previous && r.code == "status_invalid")
        );
        assert_eq!(b.chains, a.chains);
        // Nothing previous: the issuer has no status data, the trust list still loads.
        let c = assemble(trust, &w.policy(), &old, &Chains::new(), &floors, w.now)?;
        assert!(c.chains.is_empty());
        assert!(c.refused.iter().all(|r| !r.kept_previous));
        Ok(())
    }

    #[test]
    fn a_trust_list_rollback_is_an_error() {
        let w = World::new();
        let policy = TrustListPolicy {
            min_sequence: Some(2),
            ..w.policy()
        };
        let e = assemble(
            w.trust(1).into(),
            &policy,
            &Chains::new(),
            &Chains::new(),
            &BTreeMap::new(),
            w.now,
        )
        .err()
        .map(|e| e.code().as_str());
        assert_eq!(e, Some("trust_list_rollback"));
    }
}
