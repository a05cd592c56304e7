//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// Finds `shared/peers` (the other ecosystems' test data) above the repository. When it is
/// absent the caller's test is skipped loudly — or fails, when `CI=true`, because CI must have it.
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
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared/peers is missing: CI must provide the peers' test data next to the repository"
    );
    eprintln!(
        "\n!!! SKIPPED: shared/peers not found next to the repository; {what} did not run !!!\n"
    );
    None
}
