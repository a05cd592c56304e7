//! The server's shared state: the current publication (replaced atomically on reload), the
//! configuration, the verification pool and the metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::publication::{LoadError, Publication, Source};

pub use crate::clock::unix_now;

/// What the handlers share.
#[derive(Debug)]
pub struct App {
    /// The configuration in force.
    pub config: Config,
    /// Where the data is read from.
    pub source: Source,
    /// The metrics.
    pub metrics: Metrics,
    /// Threads that verify batches and images, apart from the HTTP threads.
    pub pool: rayon::ThreadPool,
    /// Batches and images being verified: beyond `limits.batch_in_flight`, 503 at once.
    pub heavy: Arc<tokio::sync::Semaphore>,
    /// How late the HTTP threads run: beyond `limits.shed_lag`, verify requests get 503 at
    /// once (measured by [`crate::lag::monitor`], which [`crate::serve::serve`] runs).
    pub lag: Arc<crate::lag::Lag>,
    current: RwLock<Option<Arc<Publication>>>,
    reloading: Mutex<()>,
    fingerprint: AtomicU64,
    /// The demo's issuer, when running `hcx serve --demo`.
    pub demo: Option<crate::demo::Demo>,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// New data is in use.
    Swapped,
    /// The data was read again and is the same as before.
    Unchanged,
}

impl App {
    /// The shared state, with no data loaded yet (call [`App::reload`]).
    pub fn new(
        config: Config,
        source: Source,
        demo: Option<crate::demo::Demo>,
    ) -> std::io::Result<App> {
        let threads = config
            .verify_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hcx-verify-{i}"))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(App {
            heavy: Arc::new(tokio::sync::Semaphore::new(config.limits.batch_in_flight)),
            lag: Arc::new(crate::lag::Lag::new()),
            config,
            source,
            metrics: Metrics::new(),
            pool,
            current: RwLock::new(None),
            reloading: Mutex::new(()),
            fingerprint: AtomicU64::new(0),
            demo,
        })
    }

    /// The publication in use, if any was loaded.
    pub fn current(&self) -> Option<Arc<Publication>> {
        self.current
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Reads the data again and, if it checks, puts it in use in one step; if it does not,
    /// the data in use stays (and the error says why). Blocking: file I/O and signature checks.
    pub fn reload(&self) -> Result<Reloaded, LoadError> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        // Taken before reading: a file changed while it is read changes the fingerprint again,
        // so the next check reads it once more.
        let fingerprint = self.source.fingerprint();
        let previous = self.current();
        let now = unix_now();
        let result = Publication::load(&self.source, previous.as_deref(), now);
        self.fingerprint.store(fingerprint, Ordering::Relaxed);
        match result {
            Ok(publication) => {
                for r in &publication.refused {
                    tracing::warn!(
                        issuer = %r.issuer,
                        code = r.code,
                        kept_previous = r.kept_previous,
                        "status data refused: {}",
                        r.message
                    );
                }
                let unchanged = previous
                    .as_ref()
                    .is_some_and(|p| p.index.etag == publication.index.etag);
                let (sequence, _, expires_at) = publication.trust;
                let mut slot = self.current.write().unwrap_or_else(|p| p.into_inner());
                *slot = Some(Arc::new(publication));
                drop(slot);
                self.metrics.reload(true, now);
                if unchanged {
                    tracing::debug!("data read again: unchanged");
                    Ok(Reloaded::Unchanged)
                } else {
                    tracing::info!(
                        trust_list_sequence = sequence,
                        trust_list_expires_at = %hcx_format::timefmt::format_rfc3339(expires_at),
                        "publishing new data"
                    );
                    Ok(Reloaded::Swapped)
                }
            }
            Err(e) => {
                self.metrics.reload(false, now);
                tracing::error!(error = %e, kept_previous = previous.is_some(), "reload refused");
                Err(e)
            }
        }
    }

    /// Whether the files changed since they were last read.
    pub fn changed(&self) -> bool {
        self.source.fingerprint() != self.fingerprint.load(Ordering::Relaxed)
    }
}
