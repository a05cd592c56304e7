//! EU DCC: `HC1:` text → decode and verify; raw bytes through each layer (zlib, COSE, CWT).
#![no_main]
#![forbid(unsafe_code)]

use hcx_interop::{TrustStore, VerifyOptions, dcc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = VerifyOptions::at(1_700_000_000);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = dcc::decode(text);
        let _ = dcc::verify(text, &TrustStore::default(), &options);
        let _ = hcx_interop::decode(text);
    }
    // Layer by layer, so mutations reach the inner parsers without a valid base45 wrapper.
    if let Ok(inflated) = dcc::decompress(data) {
        assert!(inflated.len() <= hcx_interop::limits::MAX_DECOMPRESSED_BYTES);
    }
    if let Ok(cose) = dcc::parse_cose(data) {
        let _ = cose.sig_structure();
        let _ = cose.kid_b64();
    }
    if let Ok(cwt) = dcc::parse_cwt(data) {
        let _ = dcc::check_times(&cwt, None, options.now, options.skew_secs);
    }
    if let Ok(json) = dcc::dcc_json_from_cbor(data) {
        let _ = dcc::check_schema(&json);
        let _ = dcc::kind(&json);
    }
});
