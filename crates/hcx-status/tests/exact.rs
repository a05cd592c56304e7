//! Exactness at scale: a million codes, 1 % of them spread over the five non-valid statuses,
//! each looked up after signing and verifying. (Ten million, and the size floors, are checked
//! by `cargo run --release -p hcx-status --example status_floors`.)
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use hcx_format::PrivateKey;
use hcx_status::{
    CodeRef, Coverage, ListHeader, Lookup, SignedStatusList, Status, StatusList, StatusState,
};

const NOW: i64 = 1_795_000_000;

fn status(i: u64) -> Status {
    if !i.is_multiple_of(100) {
        return Status::Valid;
    }
    [
        Status::Revoked,
        Status::Revoked,
        Status::Suspended,
        Status::NowGreen,
        Status::NowYellow,
        Status::NowRed,
    ][(i / 100 % 6) as usize]
}

#[test]
fn a_million_codes_each_get_their_status() {
    let n = 1_000_000u64;
    let header = ListHeader {
        issuer: "alipay".into(),
        sequence: 7,
        issued_at: NOW,
        expires_at: NOW + 3600,
        coverage: Coverage {
            issued_before: NOW,
            expiring_after: NOW - 86_400,
        },
    };
    let key = PrivateKey::from_seed(&[11; 32]);
    let codes = (0..n).map(|i| (i.to_le_bytes(), status(i)));
    let file = StatusList::snapshot(header, codes).unwrap().sign(&key);
    // Within 12 % of the information bound N·H(p) for the status distribution p (≈ 12.9 KB).
    let mut counts = std::collections::BTreeMap::new();
    for i in 0..n {
        *counts.entry(status(i)).or_insert(0u64) += 1;
    }
    let bound_bits: f64 = counts
        .values()
        .map(|c| {
            let p = *c as f64 / n as f64;
            -(*c as f64) * p.log2()
        })
        .sum();
    let ratio = file.len() as f64 * 8.0 / bound_bits;
    assert!(
        ratio < 1.12,
        "{} bytes, {ratio:.3} of the bound",
        file.len()
    );
    let list = SignedStatusList::parse(&file)
        .unwrap()
        .verify(&key.public_key(), "alipay")
        .unwrap();
    assert_eq!(list.summary().maps[0].levels.len(), 5);
    let state = StatusState::new(list, None).unwrap();
    for i in 0..n {
        let got = state.lookup(&CodeRef {
            code_id: &i.to_le_bytes(),
            issued_at: NOW - 10,
            expires_at: NOW + 10,
        });
        assert_eq!(got, Lookup::Covered(status(i)), "code {i}");
    }
}
