//! How a test that cannot run on this machine says so. Shared by the workspace's test crates
//! (included with `#[path]`), because `.ci/run` counts the line it prints.
#![allow(dead_code)]

use std::io::Write;

/// The start of the line `.ci/run` counts as one skipped test.
pub const SKIP_MARKER: &str = "hcx-test: SKIPPED ";

/// Reports that `test` did not run because `why`: under `CI=true` that is a failure (CI must
/// provide everything the tests need); otherwise one line `hcx-test: SKIPPED <test>: <why>` goes
/// to the real standard error, past the test harness's output capture, so the run shows it and
/// `.ci/run` counts it as skipped. Call it at most once per test, then return.
pub fn skip_or_fail(test: &str, why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {why} (CI=true: the test must run)"
    );
    // A leading newline: the harness may be mid-line ("test x ... ") on the same stream.
    let line = format!("\n{SKIP_MARKER}{test}: {why}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
