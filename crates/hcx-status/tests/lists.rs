//! Status lists end to end: build, sign, read, verify, apply snapshots and deltas, and look
//! up every code of the registry at every step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod registry;

use hcx_format::PrivateKey;
use hcx_status::{
    Applied, Change, CodeRef, Coverage, ListHeader, ListKind, Lookup, NotCovered, SignedStatusList,
    Status, StatusError, StatusList, StatusPolicy, StatusState,
};
use registry::{DAY, Registry, T0, code_id};

fn key() -> PrivateKey {
    PrivateKey::from_seed(&[7; 32])
}

/// Signs, reads back and verifies, as a verifier would receive the list.
fn ship(list: &StatusList) -> StatusList {
    let file = list.sign(&key());
    let read = SignedStatusList::parse(&file)
        .unwrap()
        .verify(&key().public_key(), "dingtalk")
        .unwrap();
    assert_eq!(&read, list);
    assert_eq!(read.to_payload(), list.to_payload());
    read
}

/// Every code of the registry gets exactly its status when covered, and "not covered"
/// exactly when outside the head's coverage.
fn check_all(registry: &Registry, state: &StatusState) {
    let coverage = state.head().coverage;
    let mut covered = 0;
    for code in &registry.codes {
        let got = state.lookup(&CodeRef {
            code_id: &code.id,
            issued_at: code.issued_at,
            expires_at: code.expires_at,
        });
        if coverage.covers(code.issued_at, code.expires_at) {
            covered += 1;
            assert_eq!(got, Lookup::Covered(code.status), "{code:?}");
        } else {
            assert!(matches!(got, Lookup::NotCovered(_)), "{code:?}: {got:?}");
        }
    }
    assert!(covered > 0);
}

/// Marks every `every`-th code (from `offset`) with `status`.
fn set(registry: &mut Registry, every: usize, offset: usize, status: Status) {
    for code in registry.codes.iter_mut().skip(offset).step_by(every) {
        code.status = status;
    }
}

#[test]
fn snapshot_gives_every_code_its_status() {
    let mut r = Registry::default();
    r.issue(30_000, T0 - 20 * DAY, T0, 30 * DAY);
    set(&mut r, 101, 0, Status::Revoked);
    set(&mut r, 307, 5, Status::Suspended);
    set(&mut r, 211, 9, Status::NowRed);
    set(&mut r, 997, 3, Status::NowYellow);
    set(&mut r, 1999, 1, Status::NowGreen);
    let list = ship(&r.publish_snapshot(1, T0));
    assert_eq!(list.kind(), ListKind::Snapshot);
    let summary = list.summary();
    assert_eq!(summary.maps.len(), 1);
    // The largest class is separated first; the rarest needs no level.
    assert_eq!(summary.maps[0].levels[0].class, "valid");
    assert_eq!(summary.maps[0].levels.len(), 5);
    assert_eq!(summary.maps[0].last, "now_green");
    let state = StatusState::new(list, None).unwrap();
    check_all(&r, &state);
}

#[test]
fn not_covered_is_decided_by_times_alone() {
    let mut r = Registry::default();
    r.issue(100, T0 - DAY, T0, 10 * DAY);
    let state = StatusState::new(r.publish_snapshot(1, T0), None).unwrap();
    let id = code_id(5);
    let at = |iat, exp| {
        state.lookup(&CodeRef {
            code_id: &id,
            issued_at: iat,
            expires_at: exp,
        })
    };
    assert_eq!(
        at(T0, T0 + DAY),
        Lookup::NotCovered(NotCovered::IssuedAfter { issued_before: T0 })
    );
    assert_eq!(
        at(T0 - 5 * DAY, T0 - DAY),
        Lookup::NotCovered(NotCovered::ExpiredBefore {
            expiring_after: T0 - DAY
        })
    );
    assert!(matches!(at(T0 - 1, T0 - DAY + 1), Lookup::Covered(_)));
}

#[test]
fn an_issuer_with_no_codes_publishes_an_empty_list() {
    let r = Registry::default();
    let list = StatusList::snapshot(r.header(1, T0), Vec::<(Vec<u8>, Status)>::new()).unwrap();
    let list = ship(&list);
    assert!(list.summary().maps[0].levels.is_empty());
    StatusState::new(list, None).unwrap();
}

#[test]
fn deltas_follow_the_registry_through_many_epochs() {
    let mut r = Registry::default();
    r.issue(20_000, T0 - 20 * DAY, T0, 25 * DAY);
    set(&mut r, 97, 0, Status::Revoked);
    let mut state = StatusState::new(ship(&r.publish_snapshot(1, T0)), None).unwrap();
    check_all(&r, &state);
    let mut now = T0;
    for epoch in 0..12usize {
        let before = now;
        now += DAY / 2;
        // New codes since the last list, some already non-valid; changes among old ones.
        r.issue(700, before, now, 3 * DAY);
        let n = r.codes.len();
        let statuses = [
            Status::Revoked,
            Status::Suspended,
            Status::NowRed,
            Status::NowYellow,
            Status::Valid,
            Status::NowGreen,
        ];
        for (j, code) in r.codes.iter_mut().enumerate() {
            if (j * 7919 + epoch * 104_729) % 1_009 == 0 {
                code.status = statuses[(j + epoch) % statuses.len()];
            }
        }
        assert!(r.codes.len() == n);
        // Both builders give the same list.
        let mut by_hand = r.clone();
        let delta = ship(&r.publish_delta(now));
        assert_eq!(by_hand.publish_delta_by_hand(now), delta);
        assert_eq!(delta.kind(), ListKind::Delta);
        assert_eq!(state.apply(delta.clone()).unwrap(), Applied::Extended);
        assert_eq!(state.apply(delta).unwrap(), Applied::AlreadyCurrent);
        assert_eq!(state.deltas(), epoch + 1);
        check_all(&r, &state);
    }
    // A fresh snapshot of the same registry replaces the chain and agrees with it.
    now += DAY / 4;
    let snapshot = ship(&r.publish_snapshot(r.last.as_ref().unwrap().header().sequence + 1, now));
    assert_eq!(state.apply(snapshot).unwrap(), Applied::Replaced);
    assert_eq!(state.deltas(), 0);
    check_all(&r, &state);
}

fn two_epochs() -> (Registry, StatusList, StatusList) {
    let mut r = Registry::default();
    r.issue(2_000, T0 - 5 * DAY, T0, 10 * DAY);
    set(&mut r, 50, 0, Status::Revoked);
    let base = r.publish_snapshot(1, T0);
    set(&mut r, 60, 1, Status::NowRed);
    let delta = r.publish_delta(T0 + 3600);
    (r, base, delta)
}

#[test]
fn a_delta_applies_only_to_its_base() {
    let (mut r, base, delta) = two_epochs();
    // Another snapshot with the same sequence as the base: the delta's hash does not match it.
    let mut other = r.clone();
    set(&mut other, 70, 2, Status::Suspended);
    other.last = None;
    let other_base = other.publish_snapshot(1, T0);
    assert_ne!(other_base.payload_hash(), base.payload_hash());
    let mut state = StatusState::new(other_base, None).unwrap();
    let err = state.apply(delta.clone()).unwrap_err();
    assert_eq!(
        (err.code().as_str(), err.reason().as_str()),
        ("status_invalid", "status_wrong_base")
    );

    // A gap: the delta after next cannot apply to the base.
    let mut state = StatusState::new(base.clone(), None).unwrap();
    let next = r.publish_delta(T0 + 7200);
    assert!(matches!(
        state.apply(next.clone()).unwrap_err(),
        StatusError::WrongBase { .. }
    ));
    state.apply(delta.clone()).unwrap();
    state.apply(next).unwrap();

    // Rollback: an older snapshot or delta after a newer one.
    let err = state.apply(base.clone()).unwrap_err();
    assert_eq!(err.reason(), "status_rollback");
    assert_eq!(state.apply(delta).unwrap_err().reason(), "status_rollback");
    let err = StatusState::new(base, Some(3)).unwrap_err();
    assert_eq!(err.reason(), "status_rollback");
}

#[test]
fn same_sequence_with_other_content_is_a_conflict() {
    let (r, base, _) = two_epochs();
    let mut other = r.clone();
    set(&mut other, 3, 0, Status::Suspended);
    let forked = other.publish_snapshot(1, T0);
    let mut state = StatusState::new(base, None).unwrap();
    assert_eq!(state.apply(forked).unwrap_err().reason(), "status_conflict");
}

#[test]
fn a_state_starts_from_a_snapshot_of_its_issuer() {
    let (r, base, delta) = two_epochs();
    assert_eq!(
        StatusState::new(delta, None).unwrap_err().reason(),
        "status_not_snapshot"
    );
    let mut state = StatusState::new(base, None).unwrap();
    let mut header = r.header(9, T0 + DAY);
    header.issuer = "alipay".into();
    let foreign = StatusList::snapshot(header, vec![(code_id(1), Status::Valid)]).unwrap();
    assert_eq!(
        state.apply(foreign).unwrap_err().reason(),
        "status_wrong_issuer"
    );
}

#[test]
fn signature_must_be_by_the_authorised_key_for_that_issuer() {
    let (_, base, _) = two_epochs();
    let file = base.sign(&key());
    let signed = SignedStatusList::parse(&file).unwrap();
    assert_eq!(signed.key_id(), key().key_id());
    let other = PrivateKey::from_seed(&[8; 32]).public_key();
    let err = signed.verify(&other, "dingtalk").unwrap_err();
    assert_eq!(
        (err.code().as_str(), err.reason().as_str()),
        ("status_invalid", "status_bad_signature")
    );
    let err = signed.verify(&key().public_key(), "alipay").unwrap_err();
    assert_eq!(err.reason(), "status_wrong_issuer");
    // Any flipped bit of the file fails: as malformed, or at the signature.
    for i in 0..file.len() {
        let mut bad = file.clone();
        bad[i] ^= 0x10;
        let result =
            SignedStatusList::parse(&bad).and_then(|s| s.verify(&key().public_key(), "dingtalk"));
        assert!(result.is_err(), "flip at byte {i} accepted");
    }
}

#[test]
fn unverified_inspection_for_display() {
    let (_, _, delta) = two_epochs();
    let file = delta.sign(&key());
    let signed = SignedStatusList::parse(&file).unwrap();
    let summary = signed.summary_unverified().unwrap();
    assert_eq!(summary, delta.summary());
    assert_eq!(summary.kind, ListKind::Delta);
    assert_eq!(summary.maps[1].role, "changes");
    assert_eq!(summary.maps[1].levels[0].class, "unchanged");
    assert_eq!(signed.header_unverified().unwrap().sequence, 2);
}

#[test]
fn freshness_policy() {
    let (_, base, _) = two_epochs();
    let state = StatusState::new(base, None).unwrap();
    let policy = StatusPolicy {
        max_age_secs: 3600,
        skew_secs: 300,
    };
    assert_eq!(state.check_fresh(&policy, T0 + 60), Ok(60));
    assert_eq!(state.check_fresh(&policy, T0 - 200), Ok(0));
    let reason = |now| state.check_fresh(&policy, now).unwrap_err().reason();
    assert_eq!(reason(T0 - 301), "status_from_the_future");
    assert_eq!(reason(T0 + 3601), "status_too_old");
    assert_eq!(reason(T0 + DAY), "status_expired");
    let err = state.check_fresh(&policy, T0 + DAY).unwrap_err();
    assert_eq!(err.code(), "status_stale");
    assert_eq!(StatusPolicy::default().max_age_secs, 48 * 3600);
}

#[test]
fn builders_reject_bad_input() {
    let r = Registry::default();
    let ok = r.header(1, T0);
    let reason = |header: ListHeader, ids: Vec<(Vec<u8>, Status)>| {
        StatusList::snapshot(header, ids).unwrap_err().reason()
    };
    assert_eq!(
        reason(ok.clone(), vec![(vec![1; 7], Status::Valid)]),
        "invalid_input"
    );
    assert_eq!(
        reason(ok.clone(), vec![(vec![1; 17], Status::Valid)]),
        "invalid_input"
    );
    assert_eq!(
        reason(
            ok.clone(),
            vec![(vec![1; 8], Status::Valid), (vec![1; 8], Status::Revoked)]
        ),
        "duplicate_code"
    );
    // The same code twice with the same status is one code.
    StatusList::snapshot(ok.clone(), vec![(vec![1; 8], Status::Revoked); 2]).unwrap();
    let mut future = ok.clone();
    future.coverage.issued_before = ok.issued_at + 1;
    assert_eq!(reason(future, vec![]), "invalid_input");
    let mut backwards = ok.clone();
    backwards.expires_at = ok.issued_at;
    assert_eq!(reason(backwards, vec![]), "invalid_input");
    let mut bad_issuer = ok.clone();
    bad_issuer.issuer = "Ding Talk".into();
    assert_eq!(reason(bad_issuer, vec![]), "invalid_input");

    let base = StatusList::snapshot(ok.clone(), vec![(vec![1; 8], Status::Valid)]).unwrap();
    let none: Vec<(Vec<u8>, Change)> = Vec::new();
    let no_new: Vec<(Vec<u8>, Status)> = Vec::new();
    let mut skip = r.header(3, T0 + 10);
    skip.coverage = Coverage {
        issued_before: T0,
        expiring_after: T0 - DAY,
    };
    let err = StatusList::delta(skip, &base, none.clone(), no_new.clone()).unwrap_err();
    assert_eq!(err.reason(), "invalid_input");
    let mut shrink = r.header(2, T0 + 10);
    shrink.coverage.issued_before = T0 - 1;
    let err = StatusList::delta(shrink, &base, none, no_new).unwrap_err();
    assert_eq!(err.reason(), "invalid_input");
}
