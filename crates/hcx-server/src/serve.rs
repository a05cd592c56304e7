//! Running the server: the accept loop (connection cap, header and idle timeouts), reloads on
//! SIGHUP and on change, and graceful shutdown on SIGTERM or Ctrl-C.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::app::App;
use crate::config::{Config, LogFormat};
use crate::publication::{LoadError, Source};

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration or the data at start-up cannot be used.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Binding the address, or the runtime, failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Installs the `tracing` subscriber: text or JSON lines on standard error, filtered by
/// `RUST_LOG` (default `info`). Verdicts are never logged with their codes' content: handlers
/// log nothing of a request body.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Builds the runtime the configuration asks for and runs the server until SIGTERM or
/// Ctrl-C. `ready` is called with the bound address once the server accepts connections.
pub fn run_blocking(
    config: Config,
    demo: Option<crate::demo::Demo>,
    ready: impl FnOnce(std::net::SocketAddr) + Send + 'static,
) -> Result<(), ServeError> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = config.workers {
        builder.worker_threads(n);
    }
    let runtime = builder.enable_all().thread_name("hcx-http").build()?;
    runtime.block_on(async move {
        let source = match &demo {
            Some(d) => d.source(),
            None => Source::from_config(&config)?,
        };
        let app = Arc::new(App::new(config, source, demo)?);
        let app_for_load = app.clone();
        tokio::task::spawn_blocking(move || app_for_load.reload())
            .await
            .map_err(std::io::Error::other)??;
        let listener = TcpListener::bind(app.config.listen).await?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "listening");
        ready(addr);
        spawn_reloaders(app.clone());
        serve(listener, app, shutdown_signal()).await?;
        Ok(())
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Reloads on SIGHUP, and when the files change (checked every `watch_interval`).
pub fn spawn_reloaders(app: Arc<App>) {
    #[cfg(unix)]
    {
        let app = app.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                tracing::warn!("cannot listen for SIGHUP; reloads only on change");
                return;
            };
            while hup.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading");
                let app = app.clone();
                let _ = tokio::task::spawn_blocking(move || app.reload()).await;
            }
        });
    }
    let every = app.config.watch_interval.0;
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let app = app.clone();
            let _ = tokio::task::spawn_blocking(move || {
                if app.changed() {
                    let _ = app.reload();
                }
            })
            .await;
        }
    });
}

/// Serves connections from `listener` until `shutdown` resolves, then stops accepting, lets
/// requests in progress finish (up to `limits.shutdown_grace`) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = app.config.limits.clone();
    let router = crate::api::router(app.clone());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout.0)
        .keep_alive(true)
        .max_buf_size(64 * 1024);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let open = Arc::new(AtomicUsize::new(0));
    let lag_monitor = tokio::spawn(crate::lag::monitor(app.lag.clone()));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if open.load(Ordering::Relaxed) >= limits.max_connections {
                    app.metrics.connections_refused.inc();
                    drop(stream);
                    continue;
                }
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(router.clone());
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                let open = open.clone();
                let app = app.clone();
                open.fetch_add(1, Ordering::Relaxed);
                app.metrics.connections.inc();
                tokio::spawn(async move {
                    let _ = connection.await;
                    open.fetch_sub(1, Ordering::Relaxed);
                    app.metrics.connections.dec();
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    lag_monitor.abort();
    tracing::info!("shutting down: no new connections; finishing requests in progress");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(limits.shutdown_grace.0) => {
            tracing::warn!("shutdown grace period over; closing the remaining connections");
        }
    }
    Ok(())
}
