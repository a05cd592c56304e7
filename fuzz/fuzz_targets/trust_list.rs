//! Signed trust list bytes → parse, verify under two configured roots, build a verifier.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use hcx_format::{PublicKey, SignedTrustList, TrustListPolicy, Verifier};
use libfuzzer_sys::fuzz_target;

const ROOT_1: &str = include_str!("../../spec/fixtures/keys/root-1.pub.pem");
const ROOT_2: &str = include_str!("../../spec/fixtures/keys/root-2.pub.pem");
const AT: i64 = 1_795_248_000 + 3600;

fn roots() -> &'static [PublicKey] {
    static R: OnceLock<Vec<PublicKey>> = OnceLock::new();
    R.get_or_init(|| {
        [ROOT_1, ROOT_2]
            .iter()
            .map(|pem| PublicKey::from_pem(pem).expect("fixture root key"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(env) = SignedTrustList::parse(data) else {
        return;
    };
    let _ = env.signer_kids();
    let _ = env.payload_unverified().map(|l| l.validate());
    for threshold in [1, 2] {
        let policy = TrustListPolicy {
            roots: roots().to_vec(),
            threshold,
            min_sequence: Some(5),
        };
        if let Ok(list) = env.verify(&policy, AT) {
            // Whatever verifies is a valid list: validate() is part of verify().
            assert!(list.validate().is_ok());
            let v = Verifier::new(list);
            let _ = v.verify("HCX1:", hcx_format::Clock::at(AT));
        }
    }
});
