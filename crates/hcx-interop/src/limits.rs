//! Limits on untrusted input, each enforced before (or while) doing the work it bounds.

/// Longest certificate text accepted by [`crate::verify`] and [`crate::decode`], in bytes: a
/// `.smart-health-card` file with several JWS, or a pretty-printed VDS-NC seal, stays far below.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
/// Largest decompressed payload (DCC zlib, SHC raw DEFLATE), in bytes. Inflation stops as soon
/// as this is exceeded, so a compression bomb costs at most this much memory.
pub const MAX_DECOMPRESSED_BYTES: usize = 512 * 1024;
/// Largest ratio of decompressed to compressed size (DCC zlib, SHC raw DEFLATE). Real payloads
/// inflate 1.5–6×; DEFLATE can reach about 1000×, which only a bomb needs. Enforced while
/// inflating, like [`MAX_DECOMPRESSED_BYTES`]: whichever bound is smaller stops the inflater.
pub const MAX_DECOMPRESSION_RATIO: usize = 64;
/// Largest trust file accepted by [`crate::TrustStore::add_file`], in bytes (the EU DCC gateway's
/// whole signer list is a few MiB).
pub const MAX_TRUST_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Largest X.509 certificate accepted, in DER bytes.
pub const MAX_CERTIFICATE_BYTES: usize = 16 * 1024;
/// Most certificates in one `x5c` chain (leaf included).
pub const MAX_CHAIN_LEN: usize = 5;
/// Most `shc:/K/N/` chunks in one set.
pub const MAX_CHUNKS: usize = 64;
/// Largest QR version of a SMART Health Card symbol, single or chunk (SHC spec: "version 22 or
/// lower", 105 × 105 modules, so phones can still scan it).
pub const MAX_SHC_QR_VERSION: u8 = 22;
/// Most JWS in one `.smart-health-card` file.
pub const MAX_FILE_CREDENTIALS: usize = 16;
/// Deepest CBOR nesting accepted (a DCC nests 6 levels).
pub const MAX_CBOR_DEPTH: usize = 32;
/// Deepest JSON nesting accepted in a payload (a FHIR bundle nests about 10 levels).
pub const MAX_JSON_DEPTH: usize = 64;
/// Default tolerance for clock differences, in seconds (same as hcx).
pub const DEFAULT_SKEW_SECS: i64 = 300;
