//! `hcx serve --demo`: the whole story in a browser. A regulator's root and trust list and one
//! issuer are made up in a directory; the page issues a code, verifies it through the API,
//! revokes it (the issuer publishes its next signed status list, the server reloads) and
//! verifies it again.
//!
//! The demo issuer keeps its codes in memory and publishes snapshots with `hcx-status`
//! directly, in the layout `hcx status publish` writes (`status/<issuer>/<seq>-snapshot-
//! <hash>.hcxs`), so the server reads them exactly as it reads a real registry's output.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hcx_format::{IssuerEntry, KeyEntry, KeyUsage, Scopes, SignedTrustList, TrustList};
use hcx_status::{Coverage, ListHeader, Status, StatusList};
use hcx_verify::{HealthClaims, IssueParams, PrivateKey};

use crate::clock::unix_now;
use crate::publication::Source;

/// The demo issuer's id.
pub const ISSUER: &str = "demo-health";

/// Most codes the demo issuer keeps (a browser demo, not a registry).
const MAX_CODES: usize = 10_000;

/// Why the demo cannot be set up or act.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file could not be written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Signing, issuing or building a list failed.
    #[error("{0}")]
    Hcx(String),
}

fn hcx_err(e: impl std::fmt::Display) -> DemoError {
    DemoError::Hcx(e.to_string())
}

/// One code the demo issuer signed.
#[derive(Debug, Clone)]
struct Record {
    code_id: [u8; 8],
    issued_at: i64,
    expires_at: i64,
    status: Status,
}

#[derive(Debug, Default)]
struct Registry {
    codes: Vec<Record>,
    sequence: u64,
    last_published: i64,
}

/// The demo's regulator and issuer.
#[derive(Debug)]
pub struct Demo {
    dir: PathBuf,
    root: PrivateKey,
    issuer: PrivateKey,
    registry: Arc<Mutex<Registry>>,
}

impl Demo {
    /// Makes the demo's keys, signed trust list and first (empty) status list in `dir`.
    pub fn create(dir: &Path) -> Result<Demo, DemoError> {
        std::fs::create_dir_all(dir)?;
        let now = unix_now();
        let root = PrivateKey::generate().map_err(hcx_err)?;
        let issuer = PrivateKey::generate().map_err(hcx_err)?;
        let mut list = TrustList::new();
        let mut key = KeyEntry::new(&issuer.public_key(), None, None);
        key.usage = vec![KeyUsage::Codes, KeyUsage::Status];
        list.issuers.push(IssuerEntry {
            id: ISSUER.to_owned(),
            names: [
                ("en".to_owned(), "Demo Health".to_owned()),
                ("zh".to_owned(), "演示健康".to_owned()),
            ]
            .into(),
            scopes: Scopes::default(),
            keys: vec![key],
        });
        list.sequence = 1;
        list.issued_at = now;
        list.expires_at = now + 30 * 86_400;
        let trust = SignedTrustList::sign(&list, &[&root])
            .and_then(|s| s.to_json())
            .map_err(hcx_err)?;
        hcx_format::files::write_atomically(&dir.join("trust.json"), trust.as_bytes())?;
        let root_pem = root.public_key().to_pem().map_err(hcx_err)?;
        hcx_format::files::write_atomically(&dir.join("root.pub.pem"), root_pem.as_bytes())?;
        let demo = Demo {
            dir: dir.to_owned(),
            root,
            issuer,
            registry: Arc::default(),
        };
        let mut registry = demo.lock();
        demo.publish(&mut registry)?;
        drop(registry);
        Ok(demo)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where the server reads the demo's data.
    pub fn source(&self) -> Source {
        Source::new(
            self.dir.join("trust.json"),
            Some(self.dir.join("status")),
            vec![self.root.public_key()],
        )
    }

    /// The directory holding the demo's files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Issues a code valid for a day, and records it.
    pub(crate) fn issue(&self, name: &str, colour: &str) -> Result<(String, String), DemoError> {
        let claims = serde_json::json!({"status": colour, "subject": {"name": name}});
        let claims = HealthClaims::from_json(&claims.to_string()).map_err(hcx_err)?;
        let now = unix_now();
        let params = IssueParams {
            issuer: ISSUER.to_owned(),
            issued_at: now,
            expires_at: now + 86_400,
            not_before: None,
        };
        let mut code_id = [0u8; 8];
        getrandom::fill(&mut code_id).map_err(hcx_err)?;
        let text = hcx_format::issue_with_code_id(&self.issuer, &params, &claims, &code_id)
            .map_err(hcx_err)?;
        let mut registry = self.lock();
        if registry.codes.len() >= MAX_CODES {
            registry.codes.remove(0);
        }
        registry.codes.push(Record {
            code_id,
            issued_at: now,
            expires_at: now + 86_400,
            status: Status::Valid,
        });
        Ok((text, hex::encode(code_id)))
    }

    /// Revokes a code and publishes the issuer's next status list; its sequence.
    pub(crate) fn revoke(&self, code_id: &str) -> Result<Option<u64>, DemoError> {
        let mut registry = self.lock();
        let Some(record) = registry
            .codes
            .iter_mut()
            .find(|r| hex::encode(r.code_id) == code_id)
        else {
            return Ok(None);
        };
        record.status = Status::Revoked;
        self.publish(&mut registry).map(Some)
    }

    /// Publishes the next snapshot: every code issued so far, with its status.
    fn publish(&self, registry: &mut Registry) -> Result<u64, DemoError> {
        let now = unix_now();
        // Cover every code issued so far, even one issued this very second (coverage is
        // `iat < issued_before`); a second ahead is well within any verifier's clock skew.
        let newest = registry
            .codes
            .iter()
            .map(|r| r.issued_at)
            .max()
            .unwrap_or(now);
        let at = now.max(newest + 1).max(registry.last_published);
        let sequence = registry.sequence + 1;
        let header = ListHeader {
            issuer: ISSUER.to_owned(),
            sequence,
            issued_at: at,
            expires_at: at + 48 * 3600,
            coverage: Coverage {
                issued_before: at,
                expiring_after: at - 86_400,
            },
        };
        let codes: Vec<([u8; 8], Status)> = registry
            .codes
            .iter()
            .filter(|r| header.coverage.covers(r.issued_at, r.expires_at))
            .map(|r| (r.code_id, r.status))
            .collect();
        let list = StatusList::snapshot(header, codes).map_err(hcx_err)?;
        let hash = hex::encode(list.payload_hash());
        let bytes = list.sign(&self.issuer);
        let dir = self.dir.join("status").join(ISSUER);
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "{sequence:08}-snapshot-{}.hcxs",
            hash.get(..16).unwrap_or(&hash)
        );
        hcx_format::files::write_atomically(&dir.join(name), &bytes)?;
        registry.sequence = sequence;
        registry.last_published = at;
        Ok(sequence)
    }
}
