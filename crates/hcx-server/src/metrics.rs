//! `/metrics`: Prometheus text (prometheus-client). Counters are updated as requests end; the
//! trust- and status-data gauges are set from the current publication at each scrape, so
//! ages are always current.

use std::sync::atomic::{AtomicI64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::publication::Publication;

/// Labels of a finished request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route template (`/v1/verify`), or `other`.
    pub route: &'static str,
    /// The response status.
    pub status: u16,
}

/// Labels of a latency observation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The route template.
    pub route: &'static str,
}

/// Labels of a verdict.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabels {
    /// `valid`, or the verdict's error code.
    pub code: &'static str,
}

/// Labels of per-issuer status gauges.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct IssuerLabels {
    /// The issuer id.
    pub issuer: String,
}

/// Labels of reloads.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    /// `ok` or `failed`.
    pub result: &'static str,
}

/// Every metric the server exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    verdicts: Family<VerdictLabels, Counter>,
    overloaded: Counter,
    reloads: Family<ReloadLabels, Counter>,
    /// Open connections (set by the accept loop).
    pub connections: Gauge,
    /// Connections closed at once because `max_connections` were open.
    pub connections_refused: Counter,
    trust_sequence: Gauge,
    trust_age: Gauge,
    trust_expires_in: Gauge,
    status_age: Family<IssuerLabels, Gauge>,
    status_sequence: Family<IssuerLabels, Gauge>,
    status_expires_in: Family<IssuerLabels, Gauge>,
    loaded_at: AtomicI64,
    loaded_at_gauge: Gauge,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 3.3 s, doubling.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("hcx");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's headers to its response",
            latency.clone(),
        );
        let verdicts = Family::<VerdictLabels, Counter>::default();
        registry.register(
            "verdicts",
            "Verdicts given, by code (valid or the error code)",
            verdicts.clone(),
        );
        let overloaded = Counter::default();
        registry.register(
            "overloaded_requests",
            "Requests answered 503 at once: a concurrency limit was reached or the HTTP threads ran later than limits.shed_lag",
            overloaded.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "reloads",
            "Reloads of the trust and status data, by result",
            reloads.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "open_connections",
            "Open HTTP connections",
            connections.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "refused_connections",
            "Connections closed on accept because max_connections were open",
            connections_refused.clone(),
        );
        let trust_sequence = Gauge::default();
        registry.register(
            "trust_list_sequence",
            "Sequence of the published trust list",
            trust_sequence.clone(),
        );
        let trust_age = Gauge::default();
        registry.register(
            "trust_list_age_seconds",
            "Seconds since the published trust list was signed",
            trust_age.clone(),
        );
        let trust_expires_in = Gauge::default();
        registry.register(
            "trust_list_expires_in_seconds",
            "Seconds until the published trust list expires (negative: expired)",
            trust_expires_in.clone(),
        );
        let status_age = Family::<IssuerLabels, Gauge>::default();
        registry.register(
            "status_list_age_seconds",
            "Seconds since the issuer's newest published status list was made",
            status_age.clone(),
        );
        let status_sequence = Family::<IssuerLabels, Gauge>::default();
        registry.register(
            "status_list_sequence",
            "Sequence of the issuer's newest published status list",
            status_sequence.clone(),
        );
        let status_expires_in = Family::<IssuerLabels, Gauge>::default();
        registry.register(
            "status_list_expires_in_seconds",
            "Seconds until the issuer's newest status list expires (negative: expired)",
            status_expires_in.clone(),
        );
        let loaded_at_gauge = Gauge::default();
        registry.register(
            "publication_loaded_timestamp_seconds",
            "When the data in use was loaded (Unix seconds)",
            loaded_at_gauge.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            verdicts,
            overloaded,
            reloads,
            connections,
            connections_refused,
            trust_sequence,
            trust_age,
            trust_expires_in,
            status_age,
            status_sequence,
            status_expires_in,
            loaded_at: AtomicI64::new(0),
            loaded_at_gauge,
        }
    }

    /// Records a finished request.
    pub fn request(&self, route: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    /// Records verdicts: `valid` or each error code.
    pub fn verdict(&self, code: &'static str, n: u64) {
        self.verdicts
            .get_or_create(&VerdictLabels { code })
            .inc_by(n);
    }

    /// Records a request shed by the concurrency limit.
    pub fn overloaded(&self) {
        self.overloaded.inc();
    }

    /// Records a reload.
    pub fn reload(&self, ok: bool, now: i64) {
        let result = if ok { "ok" } else { "failed" };
        self.reloads.get_or_create(&ReloadLabels { result }).inc();
        if ok {
            self.loaded_at.store(now, Ordering::Relaxed);
        }
    }

    /// The Prometheus text, with the data gauges set from `publication` at `now`.
    pub fn render(&self, publication: Option<&Publication>, now: i64) -> String {
        self.status_age.clear();
        self.status_sequence.clear();
        self.status_expires_in.clear();
        if let Some(p) = publication {
            let (sequence, issued_at, expires_at) = p.trust;
            self.trust_sequence
                .set(i64::try_from(sequence).unwrap_or(i64::MAX));
            self.trust_age.set(now.saturating_sub(issued_at));
            self.trust_expires_in.set(expires_at.saturating_sub(now));
            for entry in &p.index_doc.status_lists {
                let labels = IssuerLabels {
                    issuer: entry.issuer.clone(),
                };
                self.status_age
                    .get_or_create(&labels)
                    .set(now.saturating_sub(entry.issued_at));
                self.status_sequence
                    .get_or_create(&labels)
                    .set(i64::try_from(entry.sequence).unwrap_or(i64::MAX));
                self.status_expires_in
                    .get_or_create(&labels)
                    .set(entry.expires_at.saturating_sub(now));
            }
        }
        self.loaded_at_gauge
            .set(self.loaded_at.load(Ordering::Relaxed));
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
