//! Writes a few signed status lists (snapshots with one and with several non-valid statuses,
//! an empty one, and a delta) into a directory: the seed corpus of the `status_list` fuzz
//! target. `cargo run -p hcx-status --example status_seeds -- DIR` (`fuzz/seeds.sh` runs it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use hcx_format::PrivateKey;
use hcx_status::{Change, Coverage, ListHeader, Status, StatusList};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: status_seeds DIR");
    std::fs::create_dir_all(&dir).unwrap();
    // The key the fuzz target verifies with.
    let key = PrivateKey::from_seed(&[0x5a; 32]);
    let now = 1_795_000_000;
    let header = |sequence, at| ListHeader {
        issuer: "dingtalk".into(),
        sequence,
        issued_at: at,
        expires_at: at + 86_400,
        coverage: Coverage {
            issued_before: at,
            expiring_after: at - 86_400,
        },
    };
    let statuses = [
        Status::Revoked,
        Status::Suspended,
        Status::NowRed,
        Status::NowYellow,
    ];
    let revoked: Vec<([u8; 8], Status)> = (0..2000u64)
        .map(|i| {
            (
                i.to_be_bytes(),
                if i % 50 == 0 {
                    Status::Revoked
                } else {
                    Status::Valid
                },
            )
        })
        .collect();
    let mixed: Vec<([u8; 8], Status)> = (0..500u64)
        .map(|i| {
            let s = if i % 7 == 0 {
                statuses[(i % 4) as usize]
            } else {
                Status::Valid
            };
            (i.to_be_bytes(), s)
        })
        .collect();
    let base = StatusList::snapshot(header(1, now), revoked.clone()).unwrap();
    let old: Vec<([u8; 8], Change)> = revoked
        .iter()
        .map(|(id, _)| {
            let changed = u64::from_be_bytes(*id) % 97 == 1;
            (
                *id,
                if changed {
                    Change::To(Status::NowRed)
                } else {
                    Change::Unchanged
                },
            )
        })
        .collect();
    let new: Vec<([u8; 8], Status)> = (5000..5100u64)
        .map(|i| {
            (
                i.to_be_bytes(),
                if i % 10 == 0 {
                    Status::Suspended
                } else {
                    Status::Valid
                },
            )
        })
        .collect();
    let mut delta_header = header(2, now + 3600);
    delta_header.coverage.issued_before = now + 3600;
    let lists = [
        ("snapshot-revoked", base.clone()),
        (
            "snapshot-mixed",
            StatusList::snapshot(header(3, now), mixed).unwrap(),
        ),
        (
            "snapshot-empty",
            StatusList::snapshot(header(4, now), Vec::<([u8; 8], Status)>::new()).unwrap(),
        ),
        (
            "delta",
            StatusList::delta(delta_header, &base, old, new).unwrap(),
        ),
    ];
    for (name, list) in lists {
        std::fs::write(format!("{dir}/{name}"), list.sign(&key)).unwrap();
        std::fs::write(format!("{dir}/{name}.payload"), list.to_payload()).unwrap();
    }
}
