//! SMART Health Cards: `shc:/` numeric text, chunk sets, compact JWS, `.smart-health-card` files.
#![no_main]
#![forbid(unsafe_code)]

use hcx_interop::{TrustStore, VerifyOptions, shc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = VerifyOptions::at(1_700_000_000);
    let trust = TrustStore::default();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = shc::decode(text);
        let _ = shc::verify(text, &trust, &options);
        let _ = shc::parse_numeric(text);
        let _ = shc::file_credentials(text);
        let _ = shc::decode_jws(text);
        // Several lines are a set of `shc:/K/N/` chunks.
        let chunks: Vec<&str> = text.lines().collect();
        let _ = shc::join_chunks(&chunks);
        let _ = shc::verify_chunks(&chunks, &trust, &options);
    }
    // Raw DEFLATE + JSON payload layer on its own.
    if let Ok(payload) = shc::parse_payload(data) {
        let _ = shc::validity(&payload);
        let _ = shc::check_payload(&payload, options.now, options.skew_secs);
    }
});
