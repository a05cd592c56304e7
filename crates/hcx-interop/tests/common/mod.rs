//! Shared test helpers: locating the peers' test data.
#![allow(dead_code, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

#[path = "../../../../tests/common/skip.rs"]
pub mod skip;

/// The `shared/peers` folder, found by walking up from the crate. When it is absent the test
/// fails under CI (`CI=true`) and is reported skipped otherwise ([`skip::skip_or_fail`]).
pub fn peers(sub: &str) -> Option<PathBuf> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared").join("peers").join(sub);
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            break;
        }
    }
    skip::skip_or_fail(
        &format!("{sub} conformance"),
        &format!(
            "shared/peers/{sub} not found above {}",
            env!("CARGO_MANIFEST_DIR")
        ),
    );
    None
}

/// Parses an RFC 3339 time, also accepting `+0200` offsets and no offset (UTC).
pub fn parse_time(text: &str) -> i64 {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let mut t = text.trim().to_owned();
    let bytes = t.as_bytes();
    let n = bytes.len();
    let has_zone = t.ends_with('Z')
        || (n > 6 && (bytes[n - 6] == b'+' || bytes[n - 6] == b'-') && bytes[n - 3] == b':');
    if !has_zone {
        if n > 5
            && (bytes[n - 5] == b'+' || bytes[n - 5] == b'-')
            && t[n - 4..].bytes().all(|b| b.is_ascii_digit())
        {
            t.insert(n - 2, ':');
        } else {
            t.push('Z');
        }
    }
    OffsetDateTime::parse(&t, &Rfc3339)
        .unwrap_or_else(|e| panic!("bad time {text}: {e}"))
        .unix_timestamp()
}
