//! `hcx sync`: keeps a verifier's trust directory fresh from a publication (`hcx serve`, a CDN
//! or object storage holding the same tree; see [`crate::index`]).
//!
//! One run:
//! 1. reads the directory's `state.json` (what was accepted before, and the highest sequences
//!    ever accepted: the rollback floors, kept even when an issuer disappears);
//! 2. fetches `index.json` with `If-None-Match` (a 304 costs one round trip), then every file
//!    it names that the directory does not hold yet — files are content-addressed, so a held
//!    file is never fetched again, and each fetched file must have exactly the size and
//!    SHA-256 the index gives (a truncated or altered download is refused);
//! 3. checks everything through `hcx-verify` with the configured roots: the trust list's
//!    signatures, expiry and sequence (not below the floor), each status list's signature by
//!    a key the trust list authorises, and each issuer's sequence (not below its floor). An
//!    issuer whose new lists fail keeps its previous ones;
//! 4. commits: new files are written and synced first, then `state.json` is replaced
//!    atomically (the commit point), then files no longer named are removed. A crash at any
//!    instant leaves the previous state or the new one, whole;
//! 5. judges what the directory now holds against the staleness policy, giving one of the
//!    distinct [`Outcome`]s.
//!
//! Directory layout: `state.json` and `files/<sha256>.json|.hcxs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hcx_verify::{PublicKey, TrustListPolicy};
use serde::{Deserialize, Serialize};

use crate::data::{self, Chains, ListFile, Refusal};
use crate::index::{self, Index};

/// `format` of `state.json`.
pub const STATE_FORMAT: &str = "hcx-sync-state/1";
/// The state file's name.
pub const STATE_FILE: &str = "state.json";
/// Largest index accepted.
pub const MAX_INDEX_BYTES: usize = 1024 * 1024;

/// What a sync run concluded about the data the directory now holds. Each has its own exit
/// status (`hcx sync`) so scripts and monitoring can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Fetched (or confirmed unchanged) and within policy. Exit status 0.
    Fresh,
    /// The newest trust list held has expired: verifiers using this directory can verify
    /// nothing (`trust_list_expired`). Exit status 3.
    TrustListExpired,
    /// The trust list is usable, but some issuer's status data is stale (older than the
    /// maximum age, or expired): those issuers' codes get `status_stale`. Exit status 4.
    StatusStale,
    /// The source could not be reached, or what it served was refused (truncated, badly
    /// signed, rolled back); the last good data is kept and is still within policy. Exit
    /// status 5.
    LastGoodWithinPolicy,
}

impl Outcome {
    /// The name in `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fresh => "fresh",
            Outcome::TrustListExpired => "trust_list_expired",
            Outcome::StatusStale => "status_stale",
            Outcome::LastGoodWithinPolicy => "last_good_within_policy",
        }
    }

    /// `hcx sync`'s exit status.
    pub fn exit_status(self) -> u8 {
        match self {
            Outcome::Fresh => 0,
            Outcome::TrustListExpired => 3,
            Outcome::StatusStale => 4,
            Outcome::LastGoodWithinPolicy => 5,
        }
    }
}

/// What fetching did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// New data was fetched, checked and committed.
    Updated,
    /// The index was unchanged (304).
    NotModified,
    /// Nothing new was committed: the source failed or its data was refused.
    Failed {
        /// Stable code: `io` (network, HTTP), `invalid_input` (truncated or altered file, bad
        /// index), or the trust list's code (`trust_list_rollback`, …).
        code: &'static str,
        /// In words.
        message: String,
    },
}

/// Why a run could not do its job at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Bad options.
    #[error("{0}")]
    Usage(String),
    /// The directory could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// `state.json` or a file it names is damaged (never reset silently: it holds the rollback
    /// floors).
    #[error("{0}")]
    State(String),
    /// Nothing was ever synced here and the source failed.
    #[error("no data yet, and the fetch failed: {message}")]
    NoData {
        /// The fetch failure's code.
        code: &'static str,
        /// In words.
        message: String,
    },
}

impl SyncError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Usage(_) => "usage",
            SyncError::Io { .. } => "io",
            SyncError::State(_) => "invalid_input",
            SyncError::NoData { code, .. } => code,
        }
    }
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The publication: its root (`http://host/v1`) or its index (`…/index.json`).
    pub url: String,
    /// The trust directory.
    pub dir: PathBuf,
    /// The regulator's root keys.
    pub roots: Vec<PublicKey>,
    /// How many distinct roots must have signed the trust list.
    pub threshold: usize,
    /// Status data older than this (seconds) is stale.
    pub status_max_age_secs: i64,
    /// Longest time for each HTTP request.
    pub timeout: Duration,
    /// Now, Unix seconds.
    pub now: i64,
}

/// The trust list held after the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldTrust {
    /// Its file, relative to the directory.
    pub file: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Its sequence.
    pub sequence: u64,
    /// When it was signed.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub issued_at: i64,
    /// When it expires.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub expires_at: i64,
}

/// One issuer's status data held after the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldStatus {
    /// The issuer.
    pub issuer: String,
    /// The newest list's sequence.
    pub sequence: u64,
    /// When the newest list was made.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub issued_at: i64,
    /// When it expires.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub expires_at: i64,
    /// The chain's files (snapshot first), relative to the directory.
    pub files: Vec<HeldFile>,
}

/// One held status list file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldFile {
    /// Path relative to the directory.
    pub file: String,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// The highest sequences ever accepted here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floors {
    /// Of the trust list.
    pub trust_list: u64,
    /// Of each issuer's status lists.
    pub status: BTreeMap<String, u64>,
}

/// `state.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// [`STATE_FORMAT`].
    pub format: String,
    /// The index URL last fetched.
    pub source: String,
    /// Its ETag, for `If-None-Match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_etag: Option<String>,
    /// The trust list held.
    pub trust_list: HeldTrust,
    /// The status data held, per issuer.
    pub status_lists: Vec<HeldStatus>,
    /// The rollback floors.
    pub floors: Floors,
    /// When data was last fetched or confirmed unchanged.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub checked_at: i64,
}

/// What one run did and concluded.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// The conclusion.
    pub outcome: Outcome,
    /// What fetching did.
    pub fetch: Fetch,
    /// What the directory holds now.
    pub state: State,
    /// Issuers whose new status lists were refused (their previous data kept when possible).
    pub refused: Vec<Refusal>,
    /// Issuers whose status data is stale.
    pub stale: Vec<String>,
}

/// What a trust directory gives a verifier (`hcx verify --trust-dir`).
#[derive(Debug, Clone)]
pub struct TrustDir {
    /// The signed trust list.
    pub trust_list: Vec<u8>,
    /// Each status list file: (path, bytes).
    pub status_lists: Vec<(PathBuf, Vec<u8>)>,
    /// The highest trust-list sequence accepted here.
    pub trust_min_sequence: u64,
    /// The highest status-list sequence accepted here, per issuer.
    pub status_min_sequences: BTreeMap<String, u64>,
    /// The state it was read from.
    pub state: State,
}

impl TrustDir {
    /// Reads what `hcx sync` left in `dir`, checking each file against the SHA-256 the state
    /// gives (signatures are the verifier's to check, with its roots).
    pub fn read(dir: &Path) -> Result<TrustDir, SyncError> {
        let state = read_state(dir)?.ok_or_else(|| {
            SyncError::State(format!(
                "{}: no {STATE_FILE}: run `hcx sync URL --dir {}` first",
                dir.display(),
                dir.display()
            ))
        })?;
        let trust_list = read_held(dir, &state.trust_list.file, &state.trust_list.sha256)?;
        let mut status_lists = Vec::new();
        for s in &state.status_lists {
            for f in &s.files {
                status_lists.push((dir.join(&f.file), read_held(dir, &f.file, &f.sha256)?));
            }
        }
        Ok(TrustDir {
            trust_list,
            status_lists,
            trust_min_sequence: state.floors.trust_list,
            status_min_sequences: state.floors.status.clone(),
            state,
        })
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |error| SyncError::Io {
        path: path.to_owned(),
        error,
    }
}

/// Reads `state.json`, if there is one.
pub fn read_state(dir: &Path) -> Result<Option<State>, SyncError> {
    let path = dir.join(STATE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    let state: State = serde_json::from_slice(&bytes)
        .map_err(|e| SyncError::State(format!("{}: damaged: {e}", path.display())))?;
    if state.format != STATE_FORMAT {
        return Err(SyncError::State(format!(
            "{}: format `{}`, not `{STATE_FORMAT}`",
            path.display(),
            state.format
        )));
    }
    Ok(Some(state))
}

/// A held file's bytes, checked against its SHA-256.
fn read_held(dir: &Path, file: &str, sha256: &str) -> Result<Vec<u8>, SyncError> {
    if !file.strip_prefix("files/").is_some_and(index::is_file_name) {
        return Err(SyncError::State(format!(
            "{STATE_FILE} names a file outside files/: {file}"
        )));
    }
    let path = dir.join(file);
    let bytes = std::fs::read(&path).map_err(io_err(&path))?;
    if data::sha256_hex(&bytes) != sha256 {
        return Err(SyncError::State(format!(
            "{}: damaged (its SHA-256 is not the one recorded)",
            path.display()
        )));
    }
    Ok(bytes)
}

/// A fetch failure.
fn failed(code: &'static str, message: impl Into<String>) -> Fetch {
    Fetch::Failed {
        code,
        message: message.into(),
    }
}

/// The index URL of a publication URL.
pub fn index_url(url: &str) -> Result<reqwest::Url, SyncError> {
    let text = if url.ends_with(".json") {
        url.to_owned()
    } else {
        format!("{}/{}", url.trim_end_matches('/'), index::INDEX_FILE)
    };
    let parsed = reqwest::Url::parse(&text).map_err(|e| SyncError::Usage(format!("{url}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SyncError::Usage(format!("{url}: an http or https URL")));
    }
    Ok(parsed)
}

/// Runs one sync (see the module documentation).
pub fn sync(options: &SyncOptions) -> Result<SyncReport, SyncError> {
    if options.roots.is_empty() {
        return Err(SyncError::Usage(
            "give the root key(s) the trust list must be signed by".to_owned(),
        ));
    }
    if options.threshold == 0 || options.threshold > options.roots.len() {
        return Err(SyncError::Usage(
            "the threshold must be between 1 and the number of roots".to_owned(),
        ));
    }
    let url = index_url(&options.url)?;
    let dir = &options.dir;
    std::fs::create_dir_all(dir.join(index::FILES_DIR)).map_err(io_err(dir))?;
    let held = read_state(dir)?;
    // What is held must be intact before it can be kept or offered as a fallback.
    let held_files = match &held {
        Some(_) => Some(TrustDir::read(dir)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io_err(dir))?;
    let fetched = runtime.block_on(fetch(options, &url, held.as_ref(), dir));
    let (fetch, refused, state) = match fetched {
        Err(fetch) => (fetch, Vec::new(), held),
        Ok(None) => {
            // 304: the held data is current.
            let state = held.map(|mut s| {
                s.checked_at = options.now;
                s
            });
            if let Some(s) = &state {
                write_state(dir, s)?;
            }
            (Fetch::NotModified, Vec::new(), state)
        }
        Ok(Some((index, etag, files))) => {
            match check(options, &index, files, held.as_ref(), held_files.as_ref()) {
                Err(fetch) => (fetch, Vec::new(), held),
                Ok((new_state, refused, to_write)) => {
                    let new_state = State {
                        source: url.to_string(),
                        index_etag: etag,
                        ..new_state
                    };
                    commit(dir, &new_state, &to_write)?;
                    (Fetch::Updated, refused, Some(new_state))
                }
            }
        }
    };
    let Some(state) = state else {
        let (code, message) = match fetch {
            Fetch::Failed { code, message } => (code, message),
            _ => ("io", "the source sent nothing".to_owned()),
        };
        return Err(SyncError::NoData { code, message });
    };
    let stale: Vec<String> = state
        .status_lists
        .iter()
        .filter(|s| {
            options.now >= s.expires_at
                || options.now.saturating_sub(s.issued_at) > options.status_max_age_secs
        })
        .map(|s| s.issuer.clone())
        .collect();
    let outcome = if options.now >= state.trust_list.expires_at {
        Outcome::TrustListExpired
    } else if !stale.is_empty() {
        Outcome::StatusStale
    } else if matches!(fetch, Fetch::Failed { .. }) || !refused.is_empty() {
        Outcome::LastGoodWithinPolicy
    } else {
        Outcome::Fresh
    };
    Ok(SyncReport {
        outcome,
        fetch,
        state,
        refused,
        stale,
    })
}

/// Index, its ETag, and each file it names as (path, bytes).
type Fetched = (Index, Option<String>, Vec<(String, Vec<u8>)>);

/// Fetches the index (conditionally) and the files not held yet. `Ok(None)`: unchanged.
async fn fetch(
    options: &SyncOptions,
    url: &reqwest::Url,
    held: Option<&State>,
    dir: &Path,
) -> Result<Option<Fetched>, Fetch> {
    let client = reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("hcx-sync/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failed("io", format!("cannot make an HTTP client: {e}")))?;
    let mut request = client.get(url.clone());
    if let Some(etag) = held
        .filter(|s| s.source == url.as_str())
        .and_then(|s| s.index_etag.as_deref())
    {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    let response = request
        .send()
        .await
        .map_err(|e| failed("io", format!("{url}: {}", error_chain(&e))))?;
    if response.status() == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(failed("io", format!("{url}: HTTP {}", response.status())));
    }
    let etag = response
        .headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = read_limited(response, MAX_INDEX_BYTES, url).await?;
    let index: Index = serde_json::from_slice(&body).map_err(|e| {
        failed(
            "invalid_input",
            format!("{url}: not a publication index: {e}"),
        )
    })?;
    if index.format != index::INDEX_FORMAT {
        return Err(failed(
            "invalid_input",
            format!(
                "{url}: index format `{}`, not `{}`",
                index.format,
                index::INDEX_FORMAT
            ),
        ));
    }
    let mut wanted = vec![(
        index.trust_list.file.clone(),
        index.trust_list.sha256.clone(),
        index.trust_list.bytes,
        "json",
    )];
    for issuer in &index.status_lists {
        for l in &issuer.lists {
            wanted.push((l.file.clone(), l.sha256.clone(), l.bytes, "hcxs"));
        }
    }
    let mut files = Vec::new();
    for (file, sha256, size, ext) in wanted {
        // Only content-addressed names under files/: an index cannot point elsewhere.
        if file != index::file_path(&sha256, ext)
            || !index::is_file_name(&format!("{sha256}.{ext}"))
        {
            return Err(failed(
                "invalid_input",
                format!("{url}: the index names `{file}`, not a content-addressed file"),
            ));
        }
        let local = dir.join(&file);
        if let Ok(bytes) = std::fs::read(&local) {
            if data::sha256_hex(&bytes) == sha256 {
                files.push((file, bytes));
                continue;
            }
        }
        let limit = if ext == "json" {
            hcx_format::limits::MAX_TRUST_LIST_BYTES
        } else {
            hcx_status::limits::MAX_LIST_BYTES
        };
        let file_url = url
            .join(&file)
            .map_err(|e| failed("invalid_input", format!("{file}: {e}")))?;
        let response = client
            .get(file_url.clone())
            .send()
            .await
            .map_err(|e| failed("io", format!("{file_url}: {}", error_chain(&e))))?;
        if !response.status().is_success() {
            return Err(failed(
                "io",
                format!("{file_url}: HTTP {}", response.status()),
            ));
        }
        let bytes = read_limited(response, limit, &file_url).await?;
        if bytes.len() as u64 != size || data::sha256_hex(&bytes) != sha256 {
            return Err(failed(
                "invalid_input",
                format!(
                    "{file_url}: truncated or altered download ({} bytes received, the index \
                     gives {size} bytes with SHA-256 {sha256})",
                    bytes.len()
                ),
            ));
        }
        files.push((file, bytes));
    }
    Ok(Some((index, etag, files)))
}

/// A response body, refused when larger than `limit`.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    url: &reqwest::Url,
) -> Result<Vec<u8>, Fetch> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(failed(
            "invalid_input",
            format!("{url}: larger than {limit} bytes"),
        ));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(failed(
                        "invalid_input",
                        format!("{url}: larger than {limit} bytes"),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(failed(
                    "io",
                    format!(
                        "{url}: the download broke off after {} bytes: {}",
                        body.len(),
                        error_chain(&e)
                    ),
                ));
            }
        }
    }
}

/// An error with its causes, for messages.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Checks the fetched data with the roots and floors; the new state, the refusals and the
/// files to write.
#[allow(clippy::type_complexity)]
fn check(
    options: &SyncOptions,
    index: &Index,
    files: Vec<(String, Vec<u8>)>,
    held: Option<&State>,
    held_files: Option<&TrustDir>,
) -> Result<(State, Vec<Refusal>, Vec<(String, Vec<u8>)>), Fetch> {
    let floors = held.map(|s| s.floors.clone()).unwrap_or_default();
    let mut by_path: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
    let trust = by_path
        .get(&index.trust_list.file)
        .cloned()
        .ok_or_else(|| failed("invalid_input", "the trust list was not fetched"))?;
    let mut offered = Vec::new();
    for issuer in &index.status_lists {
        for l in &issuer.lists {
            let bytes = by_path.get(&l.file).cloned().unwrap_or_default();
            match ListFile::read(bytes) {
                Ok(f) if f.issuer == issuer.issuer => offered.push(f),
                Ok(f) => {
                    return Err(failed(
                        "invalid_input",
                        format!(
                            "{}: a list of `{}` listed under `{}`",
                            l.file, f.issuer, issuer.issuer
                        ),
                    ));
                }
                Err(e) => {
                    return Err(failed(e.code().as_str(), format!("{}: {e}", l.file)));
                }
            }
        }
    }
    let previous: Chains = held_files
        .map(|h| {
            data::chains_of(
                h.status_lists
                    .iter()
                    .filter_map(|(_, b)| ListFile::read(b.clone()).ok())
                    .collect(),
            )
        })
        .unwrap_or_default();
    let policy = TrustListPolicy {
        roots: options.roots.clone(),
        threshold: options.threshold,
        min_sequence: Some(floors.trust_list),
    };
    let offered = data::chains_of(offered);
    let assembled = data::assemble(
        Arc::from(trust),
        &policy,
        &offered,
        &previous,
        &floors.status,
        options.now,
    )
    .map_err(|e| failed(e.code().as_str(), e.to_string()))?;
    let t = &assembled.trust_list;
    let trust_file = index.trust_list.file.clone();
    let mut to_write = vec![(
        trust_file.clone(),
        by_path.remove(&trust_file).unwrap_or_default(),
    )];
    let mut status_lists = Vec::new();
    let mut new_floors = Floors {
        trust_list: floors.trust_list.max(t.sequence),
        status: floors.status.clone(),
    };
    for (issuer, chain) in &assembled.chains {
        let Some(head) = data::head(chain) else {
            continue;
        };
        let files: Vec<HeldFile> = chain
            .iter()
            .map(|l| HeldFile {
                file: index::file_path(&l.sha256, "hcxs"),
                sha256: l.sha256.clone(),
            })
            .collect();
        for (l, f) in chain.iter().zip(&files) {
            to_write.push((f.file.clone(), l.bytes.to_vec()));
        }
        let floor = new_floors.status.entry(issuer.clone()).or_insert(0);
        *floor = (*floor).max(head.sequence);
        status_lists.push(HeldStatus {
            issuer: issuer.clone(),
            sequence: head.sequence,
            issued_at: head.issued_at,
            expires_at: head.expires_at,
            files,
        });
    }
    let state = State {
        format: STATE_FORMAT.to_owned(),
        source: String::new(),
        index_etag: None,
        trust_list: HeldTrust {
            file: trust_file,
            sha256: index.trust_list.sha256.clone(),
            sequence: t.sequence,
            issued_at: t.issued_at,
            expires_at: t.expires_at,
        },
        status_lists,
        floors: new_floors,
        checked_at: options.now,
    };
    Ok((state, assembled.refused, to_write))
}

/// Writes the new files, then the state (the commit point), then removes files no longer
/// named.
fn commit(dir: &Path, state: &State, files: &[(String, Vec<u8>)]) -> Result<(), SyncError> {
    let files_dir = dir.join(index::FILES_DIR);
    for (file, bytes) in files {
        let path = dir.join(file);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64)
            && std::fs::read(&path).is_ok_and(|b| &b == bytes)
        {
            continue;
        }
        hcx_format::files::write_atomically(&path, bytes).map_err(io_err(&path))?;
    }
    write_state(dir, state)?;
    let named: std::collections::BTreeSet<PathBuf> = std::iter::once(&state.trust_list.file)
        .chain(
            state
                .status_lists
                .iter()
                .flat_map(|s| s.files.iter().map(|f| &f.file)),
        )
        .map(|f| dir.join(f))
        .collect();
    if let Ok(entries) = std::fs::read_dir(&files_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if !named.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(())
}

/// Replaces `state.json` atomically.
fn write_state(dir: &Path, state: &State) -> Result<(), SyncError> {
    let path = dir.join(STATE_FILE);
    let mut json = serde_json::to_vec_pretty(state)
        .map_err(|e| SyncError::State(format!("cannot write the state: {e}")))?;
    json.push(b'\n');
    hcx_format::files::write_atomically(&path, &json).map_err(io_err(&path))
}
