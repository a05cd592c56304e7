//! Criterion benches for status lookups, each next to the bulk verification it would be added
//! to, in the same run: `cargo bench -p hcx-status --bench status`, then
//! `python3 crates/hcx-status/benches/ratios.py` for the ratios docs/PERFORMANCE.md quotes.
//!
//! `verify_many` verifies 64 codes with `hcx_format::Verifier::verify_many` (the bulk path);
//! `verify_many_status_*` does the same and then looks each verified code up (its `cti` from
//! hex, as the verdict carries it); `lookup_*` are the lookups alone. States: a snapshot of
//! 10 M codes with 0.1 % revoked, and a snapshot of 1 M codes with 24 deltas on it (a day of
//! hourly deltas), where an old code's lookup walks every delta.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hcx_format::Clock;
use hcx_status::{Change, CodeRef, Coverage, ListHeader, Lookup, Status, StatusList, StatusState};
use support::{BatchFixture, batch_fixture, lookup_verified};

mod support;

/// Codes per iteration (as in the workspace's bulk bench).
const N: usize = 64;
const NOW: i64 = 1_795_000_000;
const DAY: i64 = 86_400;
/// The fixture codes' `iat` and `exp`: covered by every list below.
const IAT: i64 = NOW - 2 * DAY;
const EXP: i64 = NOW + 5 * DAY;

fn header(sequence: u64, at: i64) -> ListHeader {
    ListHeader {
        issuer: "dingtalk".into(),
        sequence,
        issued_at: at,
        expires_at: at + DAY,
        coverage: Coverage {
            issued_before: at,
            expiring_after: at - DAY,
        },
    }
}

/// `n` synthetic codes (every `every`-th revoked) plus the fixture's codes (every 8th revoked).
fn universe(f: &BatchFixture, n: u64, every: u64) -> Vec<(Vec<u8>, Status)> {
    let status = |revoked: bool| {
        if revoked {
            Status::Revoked
        } else {
            Status::Valid
        }
    };
    (0..n)
        .map(|i| (i.to_be_bytes().to_vec(), status(i % every == 0)))
        .chain(
            f.ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), status(i % 8 == 0))),
        )
        .collect()
}

/// A snapshot of 1 M codes at `NOW - 24 h` and 24 hourly deltas, each revoking 50 old codes.
fn chain(f: &BatchFixture) -> StatusState {
    let start = NOW - DAY;
    let codes = universe(f, 1_000_000, 100);
    let mut published: Vec<(Vec<u8>, Status)> = codes.clone();
    let mut base = StatusList::snapshot(header(1, start), codes).unwrap();
    let mut state = StatusState::new(base.clone(), None).unwrap();
    for hour in 1..=24u64 {
        let old: Vec<(Vec<u8>, Change)> = published
            .iter_mut()
            .enumerate()
            .map(|(i, (id, status))| {
                if (i as u64) < 1_000_000 && i as u64 % 20_000 == hour && *status == Status::Valid {
                    *status = Status::Revoked;
                    (id.clone(), Change::To(Status::Revoked))
                } else {
                    (id.clone(), Change::Unchanged)
                }
            })
            .collect();
        let at = start + hour as i64 * 3600;
        let mut h = header(hour + 1, at);
        h.coverage = base.header().coverage;
        let delta = StatusList::delta(h, &base, old, Vec::<(Vec<u8>, Status)>::new()).unwrap();
        state.apply(delta.clone()).unwrap();
        base = delta;
    }
    assert_eq!(state.deltas(), 24);
    state
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

fn status(c: &mut Criterion) {
    let f = batch_fixture(N, NOW, IAT, EXP);
    let snapshot = StatusState::new(
        StatusList::snapshot(header(1, NOW), universe(&f, 10_000_000, 1000)).unwrap(),
        None,
    )
    .unwrap();
    let chained = chain(&f);
    let bulk = &f.verifier;
    let refs: Vec<&str> = f.texts.iter().map(String::as_str).collect();
    let revoked = |state: &StatusState| {
        bulk.verify_many(&refs, Clock::at(NOW))
            .into_iter()
            .filter(|r| {
                lookup_verified(state, r.as_ref().unwrap()) == Lookup::Covered(Status::Revoked)
            })
            .count()
    };
    assert_eq!(revoked(&snapshot), N / 8);
    assert_eq!(revoked(&chained), N / 8);

    let mut g = c.benchmark_group("status");
    g.throughput(Throughput::Elements(N as u64));
    let with_status = |state: &StatusState| {
        for r in bulk.verify_many(&refs, Clock::at(NOW)) {
            black_box(lookup_verified(state, &r.unwrap()));
        }
    };
    g.bench_function("verify_many", |b| {
        b.iter(|| {
            for r in bulk.verify_many(&refs, Clock::at(NOW)) {
                black_box(r.unwrap());
            }
        })
    });
    g.bench_function("verify_many_status_snapshot", |b| {
        b.iter(|| with_status(&snapshot))
    });
    g.bench_function("verify_many_status_24_deltas", |b| {
        b.iter(|| with_status(&chained))
    });
    let lookups = |state: &StatusState| {
        for id in &f.ids {
            black_box(state.lookup(&CodeRef {
                code_id: id,
                issued_at: IAT,
                expires_at: EXP,
            }));
        }
    };
    g.bench_function("lookup_snapshot", |b| b.iter(|| lookups(&snapshot)));
    g.bench_function("lookup_24_deltas", |b| b.iter(|| lookups(&chained)));
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = status
}
criterion_main!(benches);
