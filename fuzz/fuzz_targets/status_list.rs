//! Status lists: bytes → `SignedStatusList::parse`, the unverified summary, `verify` with the
//! key that signed the seeds, a `StatusState` and lookups. The same bytes are also tried as a
//! *payload* under a valid signature (re-signed here), so mutations reach the payload reader
//! past the signature check; whatever it accepts must re-encode to exactly those bytes.
#![no_main]
#![forbid(unsafe_code)]

use hcx_format::PrivateKey;
use hcx_status::{CodeRef, SignedStatusList, StatusState};
use libfuzzer_sys::fuzz_target;

/// The status key of `fuzz/seeds.sh`'s lists.
fn key() -> PrivateKey {
    PrivateKey::from_seed(&[0x5a; 32])
}

fn push_bstr(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    if len < 24 {
        out.push(0x40 | len as u8);
    } else if len < 256 {
        out.extend_from_slice(&[0x58, len as u8]);
    } else if len < 65_536 {
        out.push(0x59);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0x5a);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(bytes);
}

/// `payload` in a correctly signed envelope (spec/status-list.md §5.1).
fn signed(payload: &[u8]) -> Vec<u8> {
    let mut protected = vec![0xa3, 0x01, 0x27, 0x04, 0x48];
    protected.extend_from_slice(&key().key_id().0);
    protected.extend_from_slice(&[0x10, 0x78, 0x1b]);
    protected.extend_from_slice(hcx_status::CONTENT_TYPE.as_bytes());
    let mut tbs = vec![0x84, 0x6a];
    tbs.extend_from_slice(b"Signature1");
    push_bstr(&mut tbs, &protected);
    tbs.push(0x40);
    push_bstr(&mut tbs, payload);
    let mut out = vec![0xd2, 0x84];
    push_bstr(&mut out, &protected);
    out.push(0xa0);
    push_bstr(&mut out, payload);
    push_bstr(&mut out, &key().sign(&tbs));
    out
}

fn judge(bytes: &[u8]) -> Option<Vec<u8>> {
    let signed = SignedStatusList::parse(bytes).ok()?;
    let _ = signed.summary_unverified();
    let issuer = signed.header_unverified().ok()?.issuer;
    let list = signed.verify(&key().public_key(), &issuer).ok()?;
    let payload = list.to_payload();
    let _ = list.summary();
    if let Ok(state) = StatusState::new(list, None) {
        let head = state.head().clone();
        for i in 0..16u64 {
            let _ = state.lookup(&CodeRef {
                code_id: &i.to_be_bytes(),
                issued_at: head.coverage.issued_before - 1 - i as i64,
                expires_at: head.coverage.expiring_after + 1 + i as i64,
            });
        }
    }
    Some(payload)
}

fuzz_target!(|data: &[u8]| {
    let _ = judge(data);
    if let Some(reencoded) = judge(&signed(data)) {
        assert_eq!(reencoded, data, "an accepted payload re-encodes to itself");
    }
});
