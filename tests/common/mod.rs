//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

#[path = "skip.rs"]
pub mod skip;

/// Finds `shared/peers` (the other ecosystems' test data) above the repository. When it is
/// absent the caller's test is reported skipped ([`skip::skip_or_fail`]) — or fails, when
/// `CI=true`, because CI must have it.
pub fn peers(what: &str) -> Option<PathBuf> {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    loop {
        let candidate = dir.join("shared/peers");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            break;
        }
    }
    skip::skip_or_fail(
        what,
        "shared/peers (the peers' test data) not found next to the repository",
    );
    None
}
