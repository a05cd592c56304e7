//! ICAO VDS-NC seal JSON → parse, decode and verify.
#![no_main]
#![forbid(unsafe_code)]

use hcx_interop::{TrustStore, VerifyOptions, vdsnc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vdsnc::parse_seal(text);
        let _ = vdsnc::decode(text);
        let _ = vdsnc::verify(text, &TrustStore::default(), &VerifyOptions::at(1_700_000_000));
        let _ = hcx_interop::detect(text);
    }
});
