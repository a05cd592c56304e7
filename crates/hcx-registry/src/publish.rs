//! Publishing: builds the next status list of an issuer from its registry, signs it, and
//! writes it where a plain static file server can serve it.
//!
//! Layout of the output directory, per issuer:
//!
//! ```text
//! DIR/<issuer>/00000001-snapshot-<hash>.hcxs    a list; never changes once written
//! DIR/<issuer>/00000002-delta-<hash>.hcxs       (<hash>: first 16 hex digits of its payload hash)
//! DIR/<issuer>/latest.json                      the pointer: the snapshot to start from and
//!                                               the deltas after it, replaced atomically
//! ```
//!
//! Each sequence has exactly one list, as verifiers require (SPEC §14.7.3: a
//! second list with a held sequence is a conflict, and a delta binds one base by its payload
//! hash). A publication is therefore the delta on the previous list, or a snapshot when there
//! is none yet, when asked, or when the chain of deltas since the last snapshot is long
//! ([`PublishOptions::max_chain`]) or weighs more than that snapshot. A verifier that holds
//! sequence `h` fetches the deltas after `h`; one that holds nothing, or less than the
//! snapshot, fetches the snapshot and the deltas after it. List files are named by sequence
//! and content, so a name never gets other bytes and every file can be cached forever; only
//! `latest.json` changes, and it is unsigned on purpose: the lists carry the signatures, and
//! a forged pointer can only withhold data, which the lists' expiry turns into stale status.
//!
//! Crash safety: the list file is written (and synced) before the registry commits the epoch;
//! the pointer after. A crash in between leaves an unreferenced file (harmless) or a pointer
//! one list behind (rewritten by the next publication).

use std::path::{Path, PathBuf};

use hcx_format::{PrivateKey, PublicKey};
use hcx_status::{
    CodeRecord, Coverage, ListHeader, ListKind, SignedStatusList, Status, StatusList,
};
use serde::Serialize;

use crate::store::{Epoch, Head, History, PublishJob, Rows, Store};
use crate::{CodeId, RegistryError};

/// Format name of `latest.json`.
pub const INDEX_FORMAT: &str = "hcx-status-index/1";
/// File name of the pointer in each issuer's directory.
pub const INDEX_FILE: &str = "latest.json";
/// Default number of deltas after which a publication makes a snapshot instead: a day of
/// hourly lists, well under the 64 a verifier holds (`hcx_status::limits::MAX_DELTA_CHAIN`).
pub const DEFAULT_MAX_CHAIN: usize = 24;

/// How to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOptions {
    /// The issuer whose list this is.
    pub issuer: String,
    /// The list's `issued_at`, Unix seconds (now).
    pub now: i64,
    /// Seconds until the list's `expires_at` (a verifier refuses it from then on).
    pub valid_for: i64,
    /// Codes issued in the last `settle` seconds are left to the next list (`issued_before =
    /// now − settle`), for issuers whose nodes record codes some time after signing them.
    pub settle: i64,
    /// Codes expired for less than this many seconds stay covered (`expiring_after = now −
    /// keep_expired`); SPEC §14.7.1 asks for at least a day.
    pub keep_expired: i64,
    /// Make a snapshot even when a delta could be published.
    pub force_snapshot: bool,
    /// Most deltas after a snapshot before a publication makes a snapshot again.
    pub max_chain: usize,
}

impl PublishOptions {
    /// The defaults: valid 48 hours, no settling time, expired codes kept for a day, a snapshot
    /// every [`DEFAULT_MAX_CHAIN`] lists.
    pub fn new(issuer: &str, now: i64) -> PublishOptions {
        PublishOptions {
            issuer: issuer.to_owned(),
            now,
            valid_for: 48 * 3600,
            settle: 0,
            keep_expired: 86_400,
            force_snapshot: false,
            max_chain: DEFAULT_MAX_CHAIN,
        }
    }
}

/// What a publication wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The list, as recorded in the registry.
    pub epoch: Epoch,
    /// The list's file.
    pub file: PathBuf,
    /// The pointer, rewritten.
    pub index: PathBuf,
}

/// One list in `latest.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct IndexEntry {
    /// Its sequence.
    pub sequence: u64,
    /// `snapshot` or `delta`.
    pub kind: String,
    /// Its file, relative to the pointer.
    pub file: String,
    /// SHA-256 of its payload, hex.
    pub payload_hash: String,
    /// For a delta, the payload hash of the list it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_hash: Option<String>,
    /// Size of the file.
    pub bytes: u64,
    /// The list's `issued_at`.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub issued_at: i64,
    /// The list's `expires_at`.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub expires_at: i64,
}

/// `latest.json`: where a verifier starts and how it catches up.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Index {
    /// [`INDEX_FORMAT`].
    pub format: String,
    /// The issuer.
    pub issuer: String,
    /// The newest sequence.
    pub sequence: u64,
    /// The snapshot the chain starts from.
    pub snapshot: IndexEntry,
    /// The deltas after it, in order; the last is the newest list.
    pub deltas: Vec<IndexEntry>,
    /// Covered codes per status in the newest list.
    pub counts: std::collections::BTreeMap<String, u64>,
}

impl IndexEntry {
    fn of(e: &Epoch) -> IndexEntry {
        IndexEntry {
            sequence: e.sequence,
            kind: crate::store::kind_name(e.kind).to_owned(),
            file: e.file.clone(),
            payload_hash: hex::encode(e.payload_hash),
            base_hash: e.base_hash.map(hex::encode),
            bytes: e.bytes,
            issued_at: e.issued_at,
            expires_at: e.expires_at,
        }
    }
}

impl Index {
    /// The pointer for an issuer's published lists: its last snapshot and the deltas after it.
    pub fn of(epochs: &[Epoch]) -> Option<Index> {
        let start = epochs.iter().rposition(|e| e.kind == ListKind::Snapshot)?;
        let (snapshot, deltas) = epochs.get(start..)?.split_first()?;
        let newest = deltas.last().unwrap_or(snapshot);
        Some(Index {
            format: INDEX_FORMAT.to_owned(),
            issuer: snapshot.issuer.clone(),
            sequence: newest.sequence,
            snapshot: IndexEntry::of(snapshot),
            deltas: deltas.iter().map(IndexEntry::of).collect(),
            counts: counts_by_name(&newest.counts),
        })
    }
}

/// Counts per status name.
pub fn counts_by_name(counts: &[u64; 6]) -> std::collections::BTreeMap<String, u64> {
    Status::ALL
        .iter()
        .zip(counts)
        .map(|(s, n)| (s.name().to_owned(), *n))
        .collect()
}

/// The file name of a list: sequence, kind and the start of its payload hash.
pub fn list_file_name(sequence: u64, kind: ListKind, payload_hash: &[u8; 32]) -> String {
    let hash = hex::encode(payload_hash);
    format!(
        "{sequence:08}-{}-{}.hcxs",
        crate::store::kind_name(kind),
        hash.get(..16).unwrap_or(&hash)
    )
}

/// Publishes the next list of `options.issuer`: see the module documentation.
pub fn publish(
    store: &mut dyn Store,
    key: &PrivateKey,
    dir: &Path,
    options: &PublishOptions,
) -> Result<Published, RegistryError> {
    crate::check_issuer(&options.issuer)?;
    if options.valid_for <= 0 || options.settle < 0 || options.keep_expired < 0 {
        return Err(RegistryError::InvalidInput(
            "a list is valid for a positive time; settling and keeping times are not negative"
                .to_owned(),
        ));
    }
    if options.max_chain == 0 {
        return Err(RegistryError::InvalidInput(
            "the longest delta chain is at least 1".to_owned(),
        ));
    }
    let issuer_dir = dir.join(&options.issuer);
    std::fs::create_dir_all(&issuer_dir).map_err(|e| io_error(&issuer_dir, e))?;
    let mut job = Job {
        key,
        dir: &issuer_dir,
        options,
        plan: None,
        built: None,
    };
    let epoch = store.publish(&options.issuer, &mut job)?;
    let file = issuer_dir.join(&epoch.file);
    let epochs = store.epochs(&options.issuer)?;
    let index = write_index(&issuer_dir, &epochs)?;
    Ok(Published { epoch, file, index })
}

/// Rewrites `latest.json` for these epochs.
fn write_index(issuer_dir: &Path, epochs: &[Epoch]) -> Result<PathBuf, RegistryError> {
    let path = issuer_dir.join(INDEX_FILE);
    let index = Index::of(epochs)
        .ok_or_else(|| RegistryError::InvalidInput("nothing published yet".to_owned()))?;
    let mut json = serde_json::to_vec_pretty(&index)
        .map_err(|e| RegistryError::InvalidInput(format!("cannot write the index: {e}")))?;
    json.push(b'\n');
    write_atomically(&path, &json)?;
    Ok(path)
}

/// What `plan` decided.
struct Plan {
    header: ListHeader,
    /// The list a delta is built on; `None` for a snapshot.
    base: Option<StatusList>,
}

/// What `build` made.
struct Built {
    list: StatusList,
    signed: Vec<u8>,
    counts: [u64; 6],
}

struct Job<'a> {
    key: &'a PrivateKey,
    dir: &'a Path,
    options: &'a PublishOptions,
    plan: Option<Plan>,
    built: Option<Built>,
}

impl Job<'_> {
    /// Whether this publication makes a snapshot rather than a delta on `last`.
    fn wants_snapshot(&self, history: &History) -> bool {
        if self.options.force_snapshot || history.head.is_none() {
            return true;
        }
        let Some(start) = history
            .epochs
            .iter()
            .rposition(|e| e.kind == ListKind::Snapshot)
        else {
            return true;
        };
        let chain = history.epochs.get(start + 1..).unwrap_or_default();
        let snapshot_bytes = history.epochs.get(start).map_or(0, |e| e.bytes);
        chain.len() >= self.options.max_chain
            || chain.iter().map(|e| e.bytes).sum::<u64>() >= snapshot_bytes
    }
}

impl PublishJob for Job<'_> {
    fn plan(&mut self, history: &History) -> Result<Coverage, RegistryError> {
        let o = self.options;
        let last = history.epochs.last();
        if let Some(last) = last.filter(|l| o.now < l.issued_at) {
            return Err(RegistryError::InvalidInput(format!(
                "cannot publish at {}: list {} was issued later, at {}",
                hcx_format::timefmt::format_rfc3339(o.now),
                last.sequence,
                hcx_format::timefmt::format_rfc3339(last.issued_at)
            )));
        }
        // Coverage never goes back along a chain (SPEC §14.7.2).
        let coverage = Coverage {
            issued_before: o
                .now
                .saturating_sub(o.settle)
                .max(last.map_or(i64::MIN, |l| l.coverage.issued_before)),
            expiring_after: o
                .now
                .saturating_sub(o.keep_expired)
                .max(last.map_or(i64::MIN, |l| l.coverage.expiring_after))
                .max(0),
        };
        let sequence = last.map_or(1, |l| l.sequence.saturating_add(1));
        let header = ListHeader {
            issuer: o.issuer.clone(),
            sequence,
            issued_at: o.now,
            expires_at: o.now.saturating_add(o.valid_for),
            coverage,
        };
        let base = match (&history.head, last, self.wants_snapshot(history)) {
            (Some(head), Some(last), false) => {
                let key = PublicKey::from_bytes(&head.public_key)
                    .map_err(|e| RegistryError::Schema(format!("stored head key: {e}")))?;
                let base = SignedStatusList::parse(&head.signed)?.verify(&key, &o.issuer)?;
                if base.payload_hash() != last.payload_hash
                    || base.header().sequence != last.sequence
                {
                    return Err(RegistryError::Schema(
                        "the stored head list is not the last list recorded".to_owned(),
                    ));
                }
                Some(base)
            }
            _ => None,
        };
        self.plan = Some(Plan { header, base });
        Ok(coverage)
    }

    fn build(&mut self, rows: Rows<'_>) -> Result<(), RegistryError> {
        let plan = self
            .plan
            .as_ref()
            .ok_or_else(|| RegistryError::InvalidInput("build before plan".to_owned()))?;
        let mut counts = [0u64; 6];
        let counted = rows.inspect(|r: &CodeRecord<CodeId>| {
            if let Some(n) = counts.get_mut(usize::from(r.status.to_wire())) {
                *n += 1;
            }
        });
        let list = match &plan.base {
            None => StatusList::snapshot_of(plan.header.clone(), counted)?,
            Some(base) => StatusList::delta_of(plan.header.clone(), base, counted)?,
        };
        let signed = list.sign(self.key);
        self.built = Some(Built {
            list,
            signed,
            counts,
        });
        Ok(())
    }

    fn write(&mut self) -> Result<(Epoch, Head), RegistryError> {
        let built = self
            .built
            .take()
            .ok_or_else(|| RegistryError::InvalidInput("write before build".to_owned()))?;
        let list = &built.list;
        let header = list.header();
        let file = list_file_name(header.sequence, list.kind(), &list.payload_hash());
        write_atomically(&self.dir.join(&file), &built.signed)?;
        let epoch = Epoch {
            issuer: header.issuer.clone(),
            sequence: header.sequence,
            kind: list.kind(),
            issued_at: header.issued_at,
            expires_at: header.expires_at,
            coverage: header.coverage,
            payload_hash: list.payload_hash(),
            base_hash: list.base_hash(),
            file,
            bytes: built.signed.len() as u64,
            counts: built.counts,
        };
        let head = Head {
            signed: built.signed,
            public_key: self.key.public_key().to_bytes(),
        };
        Ok((epoch, head))
    }
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes a file so that readers see the old bytes or the new, never a part, durably
/// (hcx-format's one atomic writer, with the registry's error).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), RegistryError> {
    hcx_format::files::write_atomically(path, contents).map_err(|e| io_error(path, e))
}
