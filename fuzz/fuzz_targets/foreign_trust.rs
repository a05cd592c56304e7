//! Foreign trust files (PEM/DER certificates, JWKS, DCC signer lists) → trust store, and the
//! X.509 reader behind them.
#![no_main]
#![forbid(unsafe_code)]

use hcx_interop::TrustStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut store = TrustStore::default();
    let _ = store.add_file(data);
    let _ = store.add_jwks_for_issuer("https://example.invalid/issuer", data);
    let _ = store.counts();
    let _ = hcx_interop::x509::parse_certificates(data);
    let _ = hcx_interop::x509::Cert::from_der(data);
});
