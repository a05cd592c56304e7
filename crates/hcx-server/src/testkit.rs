//! A made-up world for tests and benchmarks of the server and of `hcx sync`: a regulator's
//! root, one issuer (`dingtalk`) with a key for codes and status lists, its signed trust
//! lists, status snapshots and codes. Deterministic keys, so runs can be compared; the time is
//! the caller's (a fixed instant for in-process tests, the real clock for real servers).
//!
//! Not for production data: the keys are derived from fixed seeds.

use std::path::Path;

use hcx_format::{IssuerEntry, KeyEntry, KeyUsage, Scopes, SignedTrustList, TrustList};
use hcx_status::{Coverage, ListHeader, Status, StatusList};
use hcx_verify::{HealthClaims, IssueParams, PrivateKey, TrustListPolicy};

/// The issuer's id.
pub const ISSUER: &str = "dingtalk";

/// Codes the snapshots cover: code ids `0..COVERED`.
pub const COVERED: u64 = 100;

/// A regulator, one issuer, and the time they live at.
#[derive(Debug)]
pub struct World {
    /// The regulator's root key.
    pub root: PrivateKey,
    /// The issuer's key (codes and status lists).
    pub issuer: PrivateKey,
    /// Now, Unix seconds.
    pub now: i64,
}

impl World {
    /// The world at a fixed instant (2026-11-22), for in-process tests.
    pub fn new() -> World {
        World::at(1_795_251_600)
    }

    /// The world at `now` (Unix seconds), for real servers that judge by their own clock.
    pub fn at(now: i64) -> World {
        World {
            root: PrivateKey::from_seed(&[1; 32]),
            issuer: PrivateKey::from_seed(&[2; 32]),
            now,
        }
    }

    /// The trust list with `sequence`, signed by the root (valid from an hour ago for 30 days).
    pub fn trust(&self, sequence: u64) -> Vec<u8> {
        self.trust_signed_by(sequence, &self.root)
    }

    /// The same trust list signed by another key (a forgery, for the verifier to refuse).
    pub fn trust_signed_by(&self, sequence: u64, signer: &PrivateKey) -> Vec<u8> {
        let mut list = TrustList::new();
        let mut key = KeyEntry::new(&self.issuer.public_key(), None, None);
        key.usage = vec![KeyUsage::Codes, KeyUsage::Status];
        list.issuers.push(IssuerEntry {
            id: ISSUER.into(),
            names: [("en".to_owned(), "DingTalk".to_owned())].into(),
            scopes: Scopes::default(),
            keys: vec![key],
        });
        list.sequence = sequence;
        list.issued_at = self.now - 3600;
        list.expires_at = self.now + 30 * 86_400;
        SignedTrustList::sign(&list, &[signer])
            .and_then(|s| s.to_json())
            .map(String::into_bytes)
            .unwrap_or_default()
    }

    /// The policy a verifier of this world uses.
    pub fn policy(&self) -> TrustListPolicy {
        TrustListPolicy::single_root(self.root.public_key())
    }

    /// The root public key as PEM.
    pub fn root_pem(&self) -> String {
        self.root.public_key().to_pem().unwrap_or_default()
    }

    /// A signed snapshot with `sequence` covering codes `0..COVERED` (issued before a minute
    /// ago), those in `revoked` revoked.
    pub fn snapshot(&self, sequence: u64, revoked: &[u64]) -> Vec<u8> {
        let codes: Vec<([u8; 8], Status)> = (0..COVERED)
            .map(|i| {
                let s = if revoked.contains(&i) {
                    Status::Revoked
                } else {
                    Status::Valid
                };
                (i.to_be_bytes(), s)
            })
            .collect();
        let offset = i64::try_from(sequence).unwrap_or(0).min(59);
        let header = ListHeader {
            issuer: ISSUER.into(),
            sequence,
            issued_at: self.now - 60 + offset,
            expires_at: self.now + 86_400,
            coverage: Coverage {
                issued_before: self.now - 60,
                expiring_after: self.now - 86_400,
            },
        };
        StatusList::snapshot(header, codes)
            .map(|l| l.sign(&self.issuer))
            .unwrap_or_default()
    }

    /// The code with code id `i` (issued an hour ago, valid a day; covered by the snapshots
    /// when `i < COVERED`).
    pub fn code(&self, i: u64) -> String {
        let claims = HealthClaims::from_json(r#"{"status":"green","subject":{"name":"李四"}}"#);
        let params = IssueParams {
            issuer: ISSUER.into(),
            issued_at: self.now - 3600,
            expires_at: self.now + 86_400,
            not_before: None,
        };
        claims
            .ok()
            .and_then(|c| {
                hcx_format::issue_with_code_id(&self.issuer, &params, &c, &i.to_be_bytes()).ok()
            })
            .unwrap_or_default()
    }

    /// Writes a data directory `hcx serve` reads: `trust.json` (trust list `sequence`),
    /// `status/dingtalk/<sequence>-snapshot-x.hcxs` (codes in `revoked` revoked) and
    /// `root.pub.pem`. Every file is replaced atomically.
    pub fn write_data_dir(
        &self,
        dir: &Path,
        sequence: u64,
        status_sequence: u64,
        revoked: &[u64],
    ) -> std::io::Result<()> {
        let issuer_dir = dir.join("status").join(ISSUER);
        std::fs::create_dir_all(&issuer_dir)?;
        crate::write_atomically(&dir.join("trust.json"), &self.trust(sequence))?;
        crate::write_atomically(&dir.join("root.pub.pem"), self.root_pem().as_bytes())?;
        crate::write_atomically(
            &issuer_dir.join(format!("{status_sequence:08}-snapshot-x.hcxs")),
            &self.snapshot(status_sequence, revoked),
        )
    }
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}
