//! An hcx issuer's registry: every code it signed, each code's current status, and the
//! status lists it published — what `hcx-status` needs to publish exact lists.
//!
//! The registry records each code when it is signed (issuer, `cti`, `iat`, `exp`), takes
//! status changes (revoke, suspend, a new colour, restore), and publishes the next signed
//! list of an issuer into a directory a static file server can serve ([`publish`]). Two
//! backends fulfil one contract ([`Store`]): **SQLite** by default (a file, nothing to
//! start) and **PostgreSQL** (feature `postgres`) for issuers that sign from several nodes.
//! Every call is one transaction, durable when it returns.
//!
//! ```
//! use hcx_format::{HealthClaims, IssueParams, PrivateKey};
//! use hcx_registry::{PublishOptions, Registry};
//! use hcx_status::Status;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! let mut registry = Registry::open(dir.path().join("registry.db").to_str().unwrap_or(""))?;
//! let key = PrivateKey::from_seed(&[7; 32]);
//! let claims = HealthClaims::from_json(r#"{"status":"green","subject":{"name":"张三"}}"#)?;
//! let now = 1_795_248_000;
//! let params = IssueParams { issuer: "dingtalk".into(), issued_at: now - 3600,
//!                            expires_at: now + 86_400, not_before: None };
//! // Signs the code and records it before handing it out.
//! let (text, id) = registry.issue(&key, &params, &claims)?;
//! # assert!(text.starts_with("HCX1:"));
//! // The holder becomes a close contact: the printed green card is now red.
//! registry.set_status("dingtalk", &[id], Status::NowRed)?;
//! let published = registry.publish(&key, &dir.path().join("status"), &PublishOptions::new("dingtalk", now))?;
//! assert_eq!(published.epoch.counts[Status::NowRed.to_wire() as usize], 1);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::indexing_slicing))]

mod code_id;
mod error;
#[cfg(feature = "postgres")]
mod postgres;
mod publish;
mod sqlite;
mod store;

use std::path::Path;

use hcx_format::{BatchIssuer, HealthClaims, IssueParams, IssueRequest, PrivateKey};
use hcx_status::Status;

pub use code_id::CodeId;
pub use error::RegistryError;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use publish::{
    DEFAULT_MAX_CHAIN, INDEX_FILE, INDEX_FORMAT, Index, IndexEntry, PublishOptions, Published,
    counts_by_name, list_file_name, publish, write_atomically,
};
pub use sqlite::{BUSY_TIMEOUT, SqliteStore};
pub use store::{
    CodeRow, Epoch, Head, History, IssuerSummary, NewCode, PublishJob, Rows, SCHEMA_VERSION, Store,
    Transition,
};

/// One code of [`Registry::issue_many`]: its text and id, or why it was not issued or recorded.
pub type Issued = Result<(String, CodeId), RegistryError>;

/// An open registry: a [`Store`] of either backend, with the operations built on it.
pub struct Registry {
    store: Box<dyn Store>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Registry")
    }
}

impl std::ops::Deref for Registry {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        &*self.store
    }
}

impl std::ops::DerefMut for Registry {
    fn deref_mut(&mut self) -> &mut (dyn Store + 'static) {
        &mut *self.store
    }
}

/// Whether `location` names a PostgreSQL server rather than an SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl Registry {
    /// Opens a registry: a `postgres://` or `postgresql://` URL is a PostgreSQL database
    /// (feature `postgres`), anything else the path of an SQLite file, created when absent.
    pub fn open(location: &str) -> Result<Registry, RegistryError> {
        if is_postgres_url(location) {
            #[cfg(feature = "postgres")]
            return Ok(Registry::from_store(Box::new(PostgresStore::connect(
                location,
            )?)));
            #[cfg(not(feature = "postgres"))]
            return Err(RegistryError::Unavailable(
                "PostgreSQL support is not built in (feature `postgres`)".to_owned(),
            ));
        }
        Ok(Registry::from_store(Box::new(SqliteStore::open(
            Path::new(location),
        )?)))
    }

    /// A registry over any store.
    pub fn from_store(store: Box<dyn Store>) -> Registry {
        Registry { store }
    }

    /// The issuer to act for: `chosen` if given, else the registry's only issuer.
    pub fn resolve_issuer(&mut self, chosen: Option<&str>) -> Result<String, RegistryError> {
        if let Some(issuer) = chosen {
            check_issuer(issuer)?;
            return Ok(issuer.to_owned());
        }
        let issuers = self.issuers()?;
        match issuers.as_slice() {
            [] => Err(RegistryError::InvalidInput(
                "the registry holds no issuer yet".to_owned(),
            )),
            [one] => Ok(one.issuer.clone()),
            many => Err(RegistryError::SeveralIssuers(
                many.iter()
                    .map(|i| i.issuer.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        }
    }

    /// Signs one code and records it before returning its text and id: a code handed out
    /// is always in the registry.
    pub fn issue(
        &mut self,
        key: &PrivateKey,
        params: &IssueParams,
        claims: &HealthClaims,
    ) -> Result<(String, CodeId), RegistryError> {
        let request = IssueRequest { params, claims };
        let mut out = self.issue_many(&BatchIssuer::new(key), &[request])?;
        out.pop()
            .unwrap_or_else(|| Err(RegistryError::InvalidInput("nothing issued".to_owned())))
    }

    /// Signs codes together and records them in one transaction before returning them; a
    /// request that cannot be issued or recorded fails alone, and its code is never returned.
    pub fn issue_many(
        &mut self,
        issuer: &BatchIssuer,
        requests: &[IssueRequest<'_>],
    ) -> Result<Vec<Issued>, RegistryError> {
        let issued = issuer.issue_many_identified(requests);
        let mut out: Vec<Issued> = Vec::with_capacity(requests.len());
        // Codes are recorded per issuer named in their parameters.
        let mut by_issuer: std::collections::BTreeMap<&str, Vec<(usize, NewCode)>> =
            Default::default();
        for (i, (request, result)) in requests.iter().zip(issued).enumerate() {
            match result {
                Ok(code) => {
                    let id = CodeId::new(&code.code_id)?;
                    by_issuer.entry(&request.params.issuer).or_default().push((
                        i,
                        NewCode {
                            code_id: id,
                            issued_at: request.params.issued_at,
                            expires_at: request.params.expires_at,
                        },
                    ));
                    out.push(Ok((code.text, id)));
                }
                Err(e) => out.push(Err(e.into())),
            }
        }
        for (issuer, codes) in by_issuer {
            let rows: Vec<NewCode> = codes.iter().map(|(_, c)| *c).collect();
            let recorded = self.record(issuer, &rows)?;
            for ((i, _), result) in codes.iter().zip(recorded) {
                if let (Err(e), Some(slot)) = (result, out.get_mut(*i)) {
                    *slot = Err(e);
                }
            }
        }
        Ok(out)
    }

    /// Sets the status of codes ([`Store::set_status`]) — a name that reads well at call sites.
    pub fn change_status(
        &mut self,
        issuer: &str,
        ids: &[CodeId],
        to: Status,
    ) -> Result<Vec<Result<Transition, RegistryError>>, RegistryError> {
        self.set_status(issuer, ids, to)
    }

    /// Publishes the next list of an issuer ([`publish`]).
    pub fn publish(
        &mut self,
        key: &PrivateKey,
        dir: &Path,
        options: &PublishOptions,
    ) -> Result<Published, RegistryError> {
        publish::publish(&mut *self.store, key, dir, options)
    }
}

/// Issuer ids follow SPEC §4.1 (they also name the issuer's directory of lists).
pub(crate) fn check_issuer(issuer: &str) -> Result<(), RegistryError> {
    hcx_format::check_issuer_id(issuer).map_err(RegistryError::InvalidInput)
}

/// A code's times as the registry accepts them: `iat` before `exp`, both from 1970 to 9999.
pub(crate) fn check_times(code: &NewCode) -> Result<(), RegistryError> {
    let range = 0..=hcx_status::limits::MAX_UNIX_TIME;
    if !range.contains(&code.issued_at)
        || !range.contains(&code.expires_at)
        || code.expires_at <= code.issued_at
    {
        return Err(RegistryError::InvalidInput(format!(
            "code {}: iat {} and exp {} are not times from 1970 to 9999 with iat before exp",
            code.code_id, code.issued_at, code.expires_at
        )));
    }
    Ok(())
}
