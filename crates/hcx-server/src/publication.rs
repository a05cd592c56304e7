//! What the server publishes and verifies with: read from the data directory, checked through
//! `hcx-verify`, held in memory, and replaced as a whole.
//!
//! The files are read once into memory and checked there; what is served and what verdicts use
//! are exactly those checked bytes. A file replaced while it is being read (a half-written
//! trust list, a truncated status list) fails its signature or its parse and is not used: the
//! previous publication stays in place, whole.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use base64::Engine;
use hcx_verify::{PublicKey, TrustListPolicy, Verifier};

use crate::config::Config;
use crate::data::{self, Chains, ListFile, Refusal};
use crate::index::{self, Index, IssuerEntry, ListEntry, TrustEntry};

/// Most status list files read from the status directory.
pub const MAX_STATUS_FILES: usize = 4096;
/// Deepest directory level searched below the status directory (`<issuer>/<file>` is 2).
const MAX_DEPTH: usize = 3;

/// Why the data cannot be published.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    /// No trust list is configured.
    #[error("no trust list configured: give a data directory (with trust.json) or a trust list")]
    NoTrustList,
    /// No root key is configured.
    #[error("no root key configured: the trust list must be checked against the regulator's root")]
    NoRoots,
    /// A file could not be read.
    #[error("{0}")]
    Io(String),
    /// A root key cannot be used.
    #[error("{0}")]
    Key(String),
    /// The trust list cannot be used (malformed, badly signed, expired, rolled back, …).
    #[error("trust list {path}: {code}: {message}")]
    Trust {
        /// The file.
        path: PathBuf,
        /// Its stable code.
        code: &'static str,
        /// In words.
        message: String,
    },
}

/// Where the data comes from, and how it is checked.
#[derive(Debug, Clone)]
pub struct Source {
    /// The signed trust list.
    pub trust_path: PathBuf,
    /// The directory `hcx status publish` writes to.
    pub status_dir: Option<PathBuf>,
    /// Roots and threshold.
    pub policy: TrustListPolicy,
    /// The roots as PEM, for the web page's bundle.
    pub roots_pem: Vec<String>,
    /// How verdicts use status data.
    pub status_policy: hcx_verify::StatusPolicy,
    /// `Cache-Control` of the index.
    pub index_cache_control: String,
}

impl Source {
    /// The source a configuration describes (root keys are read here).
    pub fn from_config(config: &Config) -> Result<Source, LoadError> {
        let trust_path = config.trust_list_path().ok_or(LoadError::NoTrustList)?;
        if config.roots.is_empty() {
            return Err(LoadError::NoRoots);
        }
        let mut roots = Vec::new();
        let mut roots_pem = Vec::new();
        for path in &config.roots {
            let pem = std::fs::read_to_string(path)
                .map_err(|e| LoadError::Io(format!("{}: {e}", path.display())))?;
            let key = hcx_verify::public_key_from_any_pem(&pem)
                .map_err(|e| LoadError::Key(format!("{}: {e}", path.display())))?;
            roots_pem.push(key.to_pem().unwrap_or(pem));
            roots.push(key);
        }
        Ok(Source {
            trust_path,
            status_dir: config.status_dir_path(),
            policy: TrustListPolicy {
                roots,
                threshold: config.threshold,
                min_sequence: config.min_sequence,
            },
            roots_pem,
            status_policy: config.status_policy(),
            index_cache_control: format!(
                "public, max-age={}, must-revalidate",
                config.publish.index_max_age.0.as_secs()
            ),
        })
    }

    /// A source over given roots (tests, the demo).
    pub fn new(trust_path: PathBuf, status_dir: Option<PathBuf>, roots: Vec<PublicKey>) -> Source {
        Source {
            trust_path,
            status_dir,
            roots_pem: roots.iter().filter_map(|k| k.to_pem().ok()).collect(),
            policy: TrustListPolicy {
                threshold: 1,
                roots,
                min_sequence: None,
            },
            status_policy: hcx_verify::StatusPolicy::default(),
            index_cache_control: "public, max-age=30, must-revalidate".to_owned(),
        }
    }

    /// A cheap summary of the files' state (paths, sizes, modification times): when it
    /// changes, the data is read again.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut stat = |p: &Path| {
            p.hash(&mut h);
            if let Ok(m) = std::fs::metadata(p) {
                m.len().hash(&mut h);
                m.modified().ok().hash(&mut h);
            }
        };
        stat(&self.trust_path);
        if let Some(dir) = &self.status_dir {
            for path in list_files(dir) {
                stat(&path);
            }
        }
        h.finish()
    }
}

/// A file as served: its bytes, strong ETag and headers.
#[derive(Debug, Clone)]
pub struct StaticFile {
    /// The bytes.
    pub bytes: Bytes,
    /// The strong ETag, quoted: `"<sha256>"`.
    pub etag: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// `Cache-Control`.
    pub cache_control: String,
}

impl StaticFile {
    fn new(bytes: Bytes, content_type: &'static str, cache_control: String) -> StaticFile {
        StaticFile {
            etag: format!("\"{}\"", data::sha256_hex(&bytes)),
            bytes,
            content_type,
            cache_control,
        }
    }
}

/// `Cache-Control` of content-addressed files: their bytes never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Everything served from one state of the data directory.
#[derive(Debug)]
pub struct Publication {
    /// The verifier built from exactly the published data.
    pub verifier: Verifier,
    /// The trust list's sequence, issue and expiry times.
    pub trust: (u64, i64, i64),
    /// Each issuer's published chain.
    pub chains: Chains,
    /// Issuers whose new lists were refused at this load.
    pub refused: Vec<Refusal>,
    /// Content-addressed files by path (`files/<sha256>.<ext>`): this publication's, and the
    /// previous one's, so a client that read the previous index can still fetch its files.
    pub files: HashMap<String, StaticFile>,
    /// This publication's own files.
    own: Vec<String>,
    /// `index.json`.
    pub index: StaticFile,
    /// The parsed index.
    pub index_doc: Index,
    /// The web page's trust bundle.
    pub bundle: StaticFile,
}

impl Publication {
    /// Reads and checks the data. With a `previous` publication, a trust list older than its
    /// is a rollback, an issuer whose new lists cannot be used keeps its previous lists, and
    /// the previous files stay fetchable.
    pub fn load(
        source: &Source,
        previous: Option<&Publication>,
        now: i64,
    ) -> Result<Publication, LoadError> {
        let trust_bytes =
            read_limited(&source.trust_path, hcx_format::limits::MAX_TRUST_LIST_BYTES)
                .map_err(LoadError::Io)?;
        let mut offered = Vec::new();
        let mut unreadable = Vec::new();
        if let Some(dir) = &source.status_dir {
            for path in list_files(dir).into_iter().take(MAX_STATUS_FILES) {
                match read_limited(&path, hcx_status::limits::MAX_LIST_BYTES)
                    .and_then(|b| ListFile::read(b).map_err(|e| e.to_string()))
                {
                    Ok(f) => offered.push(f),
                    Err(e) => unreadable.push(format!("{}: {e}", path.display())),
                }
            }
        }
        let offered = data::chains_of(offered);
        let mut policy = source.policy.clone();
        let mut floors = BTreeMap::new();
        let empty = Chains::new();
        let previous_chains = previous.map_or(&empty, |p| &p.chains);
        if let Some(p) = previous {
            policy.min_sequence = policy.min_sequence.max(Some(p.trust.0));
            for (issuer, chain) in &p.chains {
                if let Some(head) = data::head(chain) {
                    floors.insert(issuer.clone(), head.sequence);
                }
            }
        }
        let assembled = data::assemble(
            trust_bytes.into(),
            &policy,
            &offered,
            previous_chains,
            &floors,
            now,
        )
        .map_err(|e| LoadError::Trust {
            path: source.trust_path.clone(),
            code: e.code().as_str(),
            message: e.to_string(),
        })?;
        let mut refused = assembled.refused;
        for message in unreadable {
            refused.push(Refusal {
                issuer: String::new(),
                code: "status_invalid",
                message,
                kept_previous: false,
            });
        }
        let list = &assembled.trust_list;
        let trust = (list.sequence, list.issued_at, list.expires_at);

        let mut files = HashMap::new();
        let mut own = Vec::new();
        let trust_file = StaticFile::new(
            Bytes::from(assembled.trust_bytes.to_vec()),
            index::TRUST_LIST_TYPE,
            IMMUTABLE.to_owned(),
        );
        let trust_sha = trust_file.etag.trim_matches('"').to_owned();
        let trust_entry = TrustEntry {
            file: index::file_path(&trust_sha, "json"),
            sha256: trust_sha,
            bytes: trust_file.bytes.len() as u64,
            sequence: trust.0,
            issued_at: trust.1,
            expires_at: trust.2,
        };
        own.push(trust_entry.file.clone());
        files.insert(trust_entry.file.clone(), trust_file);
        let mut status_lists = Vec::new();
        for (issuer, chain) in &assembled.chains {
            let Some(head) = data::head(chain) else {
                continue;
            };
            let mut lists = Vec::new();
            for l in chain {
                let path = index::file_path(&l.sha256, "hcxs");
                lists.push(ListEntry {
                    file: path.clone(),
                    sha256: l.sha256.clone(),
                    bytes: l.bytes.len() as u64,
                    kind: l.kind_name().to_owned(),
                    sequence: l.sequence,
                });
                own.push(path.clone());
                files.insert(
                    path,
                    StaticFile::new(
                        Bytes::from(l.bytes.to_vec()),
                        index::STATUS_LIST_TYPE,
                        IMMUTABLE.to_owned(),
                    ),
                );
            }
            status_lists.push(IssuerEntry {
                issuer: issuer.clone(),
                sequence: head.sequence,
                issued_at: head.issued_at,
                expires_at: head.expires_at,
                lists,
            });
        }
        if let Some(p) = previous {
            for path in &p.own {
                if let Some(f) = p.files.get(path) {
                    files.entry(path.clone()).or_insert_with(|| f.clone());
                }
            }
        }
        let index_doc = Index {
            format: index::INDEX_FORMAT.to_owned(),
            trust_list: trust_entry,
            status_lists,
        };
        let index_json = serde_json::to_vec_pretty(&index_doc)
            .map_err(|e| LoadError::Io(format!("cannot write the index: {e}")))?;
        let index = StaticFile::new(
            Bytes::from(index_json),
            "application/json",
            source.index_cache_control.clone(),
        );
        let bundle = StaticFile::new(
            Bytes::from(bundle_json(
                source,
                &assembled.trust_bytes,
                &assembled.chains,
            )),
            "application/json",
            "no-cache".to_owned(),
        );
        Ok(Publication {
            verifier: Verifier::new(assembled.store).with_status_policy(source.status_policy),
            trust,
            chains: assembled.chains,
            refused,
            files,
            own,
            index,
            index_doc,
            bundle,
        })
    }

    /// Writes the published tree (`index.json` and `files/`) into `dir`, for a CDN or object
    /// storage: each file written whole to a temporary name, then renamed; the index last.
    pub fn export(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join(index::FILES_DIR))?;
        for path in &self.own {
            if let Some(f) = self.files.get(path) {
                hcx_format::files::write_atomically(&dir.join(path), &f.bytes)?;
            }
        }
        hcx_format::files::write_atomically(&dir.join(index::INDEX_FILE), &self.index.bytes)
    }
}

/// The web page's trust bundle (`bindings/js/README.md`, "Trust bundles"): the roots and every
/// published file, so the page verifies offline exactly as the server does.
fn bundle_json(source: &Source, trust: &[u8], chains: &Chains) -> Vec<u8> {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut inputs = vec![serde_json::json!({"name": "trust.json", "base64": b64(trust)})];
    for list in chains.values().flatten() {
        inputs.push(serde_json::json!({
            "name": format!("{}-{:08}-{}.hcxs", list.issuer, list.sequence, list.kind_name()),
            "base64": b64(&list.bytes),
        }));
    }
    let bundle = serde_json::json!({
        "hcx_trust_bundle": 1,
        "roots": source.roots_pem,
        "threshold": source.policy.threshold,
        "inputs": inputs,
    });
    serde_json::to_vec(&bundle).unwrap_or_default()
}

/// Reads a file whole, refusing one larger than `max` bytes before reading past it.
fn read_limited(path: &Path, max: usize) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() > max {
        return Err(format!("{}: larger than {max} bytes", path.display()));
    }
    Ok(bytes)
}

/// Every `*.hcxs` file below `dir` (not hidden, at most [`MAX_DEPTH`] levels down), sorted.
fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            match entry.file_type() {
                Ok(t) if t.is_dir() && !hidden && depth + 1 < MAX_DEPTH => {
                    stack.push((path, depth + 1));
                }
                Ok(t)
                    if t.is_file() && !hidden && path.extension().is_some_and(|e| e == "hcxs") =>
                {
                    out.push(path);
                }
                _ => {}
            }
            if out.len() > MAX_STATUS_FILES {
                break;
            }
        }
    }
    out.sort();
    out
}
