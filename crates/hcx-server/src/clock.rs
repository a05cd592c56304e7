//! The server's one reading of the system clock.

/// The current Unix time in seconds.
pub fn unix_now() -> i64 {
    hcx_format::timefmt::unix_seconds(std::time::SystemTime::now())
}
