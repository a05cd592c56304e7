//! hcx code text → verdict, against the fixture trust list, plus the COSE layer on its own.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use hcx_format::{PublicKey, SignedTrustList, TrustListPolicy, Verifier};
use libfuzzer_sys::fuzz_target;

const TRUST: &[u8] = include_bytes!("../../spec/fixtures/trust/main.json");
const ROOT: &str = include_str!("../../spec/fixtures/keys/root-1.pub.pem");
/// The fixtures' reference instant plus one hour: fixture codes are valid then.
const AT: i64 = 1_795_248_000 + 3600;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let root = PublicKey::from_pem(ROOT).expect("fixture root key");
        let list = SignedTrustList::parse(TRUST)
            .and_then(|env| env.verify(&TrustListPolicy::single_root(root), AT))
            .expect("fixture trust list");
        Verifier::new(list)
    })
}

fuzz_target!(|data: &[u8]| {
    let v = verifier();
    if let Ok(text) = std::str::from_utf8(data) {
        let verdict = v.verify(text, hcx_format::Clock::at(AT));
        if let Ok(cose) = hcx_format::cose_bytes(text) {
            // One text form per code: whatever passes the text layer re-encodes to itself.
            assert_eq!(hcx_format::text_from_cose(&cose), text);
        }
        if verdict.is_ok() {
            assert!(hcx_format::decode(text).is_ok(), "valid but not decodable");
        }
        if let Ok(code) = hcx_format::decode(text) {
            // The claims a code carries are valid claims, and their dense form is the one the
            // code holds (one encoding per value).
            assert!(code.claims.validate().is_ok());
            let claims = code.claims.to_cbor();
            assert!(code.signed_bytes.windows(claims.len()).any(|w| w == claims));
        }
    }
    // The same bytes as COSE, skipping base45, so mutations land in the CBOR directly.
    if let Ok(code) = hcx_format::decode_cose(data) {
        // Decoding is strict: a decodable COSE item is in its one deterministic encoding, so
        // its text form decodes to the same thing.
        let text = hcx_format::text_from_cose(data);
        assert_eq!(hcx_format::decode(&text).ok(), Some(code));
        let _ = v.verify(&text, hcx_format::Clock::at(AT));
    }
});
