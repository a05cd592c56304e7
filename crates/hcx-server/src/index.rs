//! The publication index (`index.json`): the one small document that changes, naming the
//! current trust list and each issuer's status chain by content-addressed file.
//!
//! ```text
//! index.json                  this document; revalidated (ETag, If-None-Match → 304)
//! files/<sha256>.json         the signed trust list; never changes: cached for a year
//! files/<sha256>.hcxs         a signed status list (snapshot or delta); likewise
//! ```
//!
//! File names are relative to the index, so the same tree is served by `hcx serve`, by a CDN
//! in front of it, or by plain object storage (`hcx serve --export DIR` writes it). The index
//! itself is not signed: every file it names is, and a forged index can only withhold data,
//! which the trust list's and status lists' expiry turn into explicit, distinct outcomes.

use serde::{Deserialize, Serialize};

/// `format` of the index.
pub const INDEX_FORMAT: &str = "hcx-publication/1";
/// The index's file name.
pub const INDEX_FILE: &str = "index.json";
/// The directory of content-addressed files, relative to the index.
pub const FILES_DIR: &str = "files";
/// Content type of trust lists.
pub const TRUST_LIST_TYPE: &str = "application/json";
/// Content type of status lists.
pub const STATUS_LIST_TYPE: &str = "application/hcx-status+cbor";

/// The index document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// [`INDEX_FORMAT`].
    pub format: String,
    /// The current signed trust list.
    pub trust_list: TrustEntry,
    /// Each issuer's status chain, by issuer id.
    pub status_lists: Vec<IssuerEntry>,
}

/// The trust list in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustEntry {
    /// Path relative to the index: `files/<sha256>.json`.
    pub file: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Size of the file.
    pub bytes: u64,
    /// The list's sequence.
    pub sequence: u64,
    /// When it was signed.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub issued_at: i64,
    /// When it expires.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub expires_at: i64,
}

/// One issuer's status chain in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerEntry {
    /// The issuer id.
    pub issuer: String,
    /// The newest list's sequence.
    pub sequence: u64,
    /// When the newest list was made.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub issued_at: i64,
    /// When the newest list expires.
    #[serde(with = "hcx_format::timefmt::rfc3339")]
    pub expires_at: i64,
    /// The snapshot, then each delta after it, in sequence order.
    pub lists: Vec<ListEntry>,
}

/// One status list file in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// Path relative to the index: `files/<sha256>.hcxs`.
    pub file: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Size of the file.
    pub bytes: u64,
    /// `snapshot` or `delta`.
    pub kind: String,
    /// Its sequence.
    pub sequence: u64,
}

/// The path of a content-addressed file, relative to the index.
pub fn file_path(sha256: &str, extension: &str) -> String {
    format!("{FILES_DIR}/{sha256}.{extension}")
}

/// Whether `name` (the part after `files/`) is a content-addressed name this format uses:
/// 64 lowercase hex digits and `.json` or `.hcxs`. Anything else is never looked up.
pub fn is_file_name(name: &str) -> bool {
    let Some((hash, ext)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && matches!(ext, "json" | "hcxs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_addressed_names() {
        let h = "a".repeat(64);
        assert!(is_file_name(&format!("{h}.json")));
        assert!(is_file_name(&format!("{h}.hcxs")));
        assert!(!is_file_name(&format!("{h}.txt")));
        assert!(!is_file_name(&format!("{}.json", "A".repeat(64))));
        assert!(!is_file_name("../../etc/passwd"));
        assert!(!is_file_name(&format!("{h}.json.json")));
    }
}
