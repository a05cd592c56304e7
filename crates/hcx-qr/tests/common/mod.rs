//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

#[path = "../../../../tests/common/skip.rs"]
pub mod skip;

/// The `shared/peers` folder, found by walking up from this crate; `None` when it is absent
/// outside CI, after reporting the test skipped ([`skip::skip_or_fail`]). In CI (`CI=true`) an
/// absent folder fails the test.
pub fn peers_dir(test: &str) -> Option<PathBuf> {
    let mut dir = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let candidate = d.join("shared").join("peers");
        if candidate.is_dir() {
            return Some(candidate);
        }
        dir = d.parent().map(PathBuf::from);
    }
    skip::skip_or_fail(
        test,
        &format!(
            "shared/peers not found above {}",
            env!("CARGO_MANIFEST_DIR")
        ),
    );
    None
}

/// Sample base45 text of `len` characters after `prefix` (deterministic).
pub fn base45_text(prefix: &str, len: usize, seed: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut s = String::from(prefix);
    for _ in 0..len {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s.push(ALPHABET[((state >> 33) % 45) as usize] as char);
    }
    s
}

/// Sample `shc:/` numeric text with `pairs` digit pairs (each 00..=77, as SHC encodes JWS characters).
pub fn shc_text(pairs: usize, seed: u64) -> String {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut s = String::from("shc:/");
    for _ in 0..pairs {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s.push_str(&format!("{:02}", (state >> 33) % 78));
    }
    s
}
