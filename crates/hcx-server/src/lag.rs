//! How late the HTTP threads run: the overload signal behind `limits.shed_lag`.
//!
//! A single verification runs on the HTTP thread that read it (a hand-off to another thread
//! would cost more than the verification saves), so an in-flight count never exceeds the
//! number of HTTP threads: under overload the queue is in front of them, in the kernel's
//! socket buffers and the runtime's run queue, where no count sees it. What it does show is
//! lateness: a task that sleeps, then yields to the back of the run queue, waits behind every
//! request that is ready. [`monitor`] measures that wait and [`Lag::current`] answers it; the
//! verify routes refuse with 503, before reading a body, while it exceeds the limit.
//!
//! The monitor ticks only while verify requests arrive: an idle server does not wake up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How often the lateness is measured while requests arrive.
pub const PERIOD: Duration = Duration::from_millis(1);

/// The runtime's latest measured lateness.
#[derive(Debug, Default)]
pub struct Lag {
    /// The smaller of the last two measures: one late tick (the thread descheduled by another
    /// process for a moment) is not an overload; a queue keeps every tick late.
    micros: AtomicU64,
    last: AtomicU64,
    active: AtomicBool,
    wake: Notify,
}

impl Lag {
    /// A lateness of zero, nothing measured yet.
    pub fn new() -> Lag {
        Lag::default()
    }

    /// The lateness last measured (zero while no requests arrive).
    pub fn current(&self) -> Duration {
        Duration::from_micros(self.micros.load(Ordering::Relaxed))
    }

    /// Says a request arrived, so the monitor measures (it sleeps while none do). Cheap: one
    /// load on the usual path, where the monitor is already awake.
    pub fn touch(&self) {
        if !self.active.load(Ordering::Relaxed) {
            self.active.store(true, Ordering::Relaxed);
            self.wake.notify_one();
        }
    }

    fn record(&self, late: Duration) {
        let micros = u64::try_from(late.as_micros()).unwrap_or(u64::MAX);
        let previous = self.last.swap(micros, Ordering::Relaxed);
        self.micros.store(micros.min(previous), Ordering::Relaxed);
    }
}

/// Measures the runtime's lateness into `lag` for as long as it runs (spawn it on the HTTP
/// runtime; abort it to stop).
pub async fn monitor(lag: Arc<Lag>) {
    loop {
        if !lag.active.swap(false, Ordering::Relaxed) {
            // No request since the last measure: nothing is late; sleep until one comes.
            lag.record(Duration::ZERO);
            lag.wake.notified().await;
            continue;
        }
        let due = Instant::now() + PERIOD;
        tokio::time::sleep_until(due.into()).await;
        // Woken by the timer, a task may run before the ones already queued; yielding puts
        // it behind them, so the wait measured is a newly ready request's.
        tokio::task::yield_now().await;
        lag.record(Instant::now().saturating_duration_since(due));
    }
}
