//! Hostile input: random, truncated, mutated and oversized lists get a typed `status_invalid`
//! error and never a panic; whatever the reader accepts is exactly what it re-encodes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod registry;

use hcx_format::PrivateKey;
use hcx_status::limits::MAX_LIST_BYTES;
use hcx_status::{CodeRef, SignedStatusList, Status, StatusError, StatusList, StatusState};
use proptest::prelude::*;
use registry::{DAY, Registry, T0};

fn key() -> PrivateKey {
    PrivateKey::from_seed(&[3; 32])
}

/// A small snapshot and a delta on it, both signed.
fn samples() -> (Vec<u8>, Vec<u8>) {
    let mut r = Registry::default();
    r.issue(400, T0 - 3 * DAY, T0, 5 * DAY);
    for (i, code) in r.codes.iter_mut().enumerate() {
        if i % 9 == 0 {
            code.status = Status::Revoked;
        } else if i % 31 == 0 {
            code.status = Status::NowYellow;
        }
    }
    let snapshot = r.publish_snapshot(1, T0);
    r.codes[5].status = Status::Suspended;
    r.issue(50, T0, T0 + 3600, DAY);
    let delta = r.publish_delta(T0 + 3600);
    (snapshot.sign(&key()), delta.sign(&key()))
}

/// Reads and verifies, then exercises everything a verifier would do with the result.
fn judge(bytes: &[u8]) -> Result<(), StatusError> {
    let signed = SignedStatusList::parse(bytes)?;
    let _ = signed.summary_unverified();
    let list = signed.verify(&key().public_key(), "dingtalk")?;
    let _ = list.summary();
    if let Ok(state) = StatusState::new(list, None) {
        for i in 0..64u64 {
            let id = registry::code_id(i);
            let _ = state.lookup(&CodeRef {
                code_id: &id,
                issued_at: T0 - DAY,
                expires_at: T0 + DAY,
            });
        }
    }
    Ok(())
}

/// Every error a hostile list can cause is `status_invalid` with a named reason.
fn assert_invalid(result: Result<(), StatusError>) {
    if let Err(e) = result {
        assert_eq!(e.code(), "status_invalid", "{e:?}");
        assert!(e.reason().as_str().starts_with("status_"), "{e:?}");
    }
}

#[test]
fn every_truncation_is_rejected() {
    let (snapshot, delta) = samples();
    for file in [&snapshot, &delta] {
        assert!(judge(file).is_ok());
        for len in 0..file.len() {
            let err = judge(&file[..len]).unwrap_err();
            assert_eq!(err.code(), "status_invalid");
        }
        let mut longer = file.clone();
        longer.push(0);
        assert_eq!(
            judge(&longer).unwrap_err().reason(),
            "status_trailing_bytes"
        );
    }
}

#[test]
fn oversized_lists_are_refused_before_reading() {
    let big = vec![0u8; MAX_LIST_BYTES + 1];
    let err = SignedStatusList::parse(&big).unwrap_err();
    assert_eq!(
        (err.code().as_str(), err.reason().as_str()),
        ("status_invalid", "status_too_large")
    );
    // A byte string claiming 2^63 bytes: refused as truncated, nothing allocated.
    let mut claim = vec![0xd2, 0x84, 0x5b];
    claim.extend_from_slice(&(1u64 << 63).to_be_bytes());
    assert_eq!(
        SignedStatusList::parse(&claim).unwrap_err().reason(),
        "status_bad_cbor"
    );
}

/// A payload signed with the right key, so that the payload reader itself is what is tested.
/// Written from SPEC.md §14.5.1 alone (a second implementation of the envelope).
fn signed_payload(payload: &[u8]) -> Vec<u8> {
    let mut protected = vec![0xa3, 0x01, 0x27, 0x04, 0x48];
    protected.extend_from_slice(&key().key_id().0);
    protected.extend_from_slice(&[0x10, 0x78, 0x1b]);
    protected.extend_from_slice(b"application/hcx-status+cbor");
    let mut tbs = vec![0x84, 0x6a];
    tbs.extend_from_slice(b"Signature1");
    push_bstr(&mut tbs, &protected);
    tbs.push(0x40);
    push_bstr(&mut tbs, payload);
    let signature = key().sign(&tbs);
    let mut out = vec![0xd2, 0x84];
    push_bstr(&mut out, &protected);
    out.push(0xa0);
    push_bstr(&mut out, payload);
    push_bstr(&mut out, &signature);
    out
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

/// The payload of a signed file.
fn payload_of(file: &[u8]) -> Vec<u8> {
    let signed = SignedStatusList::parse(file).unwrap();
    let list = signed.verify(&key().public_key(), "dingtalk").unwrap();
    list.to_payload()
}

#[test]
fn re_signed_payloads_verify() {
    let (snapshot, delta) = samples();
    for file in [snapshot, delta] {
        let payload = payload_of(&file);
        assert_eq!(signed_payload(&payload), file);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        assert_invalid(judge(&bytes));
        let mut tagged = vec![0xd2, 0x84];
        tagged.extend_from_slice(&bytes);
        assert_invalid(judge(&tagged));
    }

    #[test]
    fn mutated_files_never_panic(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let (snapshot, delta) = samples();
        let mut file = if which == 0 { snapshot } else { delta };
        for (at, byte) in edits {
            let i = at.index(file.len());
            file[i] = byte;
        }
        assert_invalid(judge(&file));
    }

    /// Mutated payloads under a valid signature: the payload reader must reject them with a
    /// reason, or accept exactly a canonical list (which then re-encodes byte for byte).
    #[test]
    fn mutated_payloads_are_rejected_or_canonical(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let (snapshot, delta) = samples();
        let mut payload = payload_of(if which == 0 { &snapshot } else { &delta });
        for (at, byte) in edits {
            let i = at.index(payload.len());
            payload[i] = byte;
        }
        if truncate {
            payload.truncate(cut.index(payload.len()));
        }
        let file = signed_payload(&payload);
        match SignedStatusList::parse(&file).and_then(|s| s.verify(&key().public_key(), "dingtalk")) {
            Ok(list) => prop_assert_eq!(list.to_payload(), payload),
            Err(e) => {
                prop_assert_eq!(e.code().as_str(), "status_invalid");
                assert_invalid(judge(&file));
            }
        }
    }
}

/// CBOR helpers for writing payloads by hand, from SPEC.md §14.6 alone.
fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    match arg {
        0..=23 => out.push(m | arg as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }
}

/// One level as raw fields: class, invert, filter (seed, columns, planes, bytes), exact
/// (seed, columns, bytes).
struct RawLevel {
    class: u64,
    invert: bool,
    filter: (u64, u64, u64, Vec<u8>),
    exact: (u64, u64, Vec<u8>),
}

/// A snapshot payload for dingtalk with the given levels and last class.
fn raw_snapshot(levels: &[RawLevel], last: u64) -> Vec<u8> {
    let mut p = vec![0xa9, 0x01, 0x01, 0x02, 0x01, 0x03, 0x68];
    p.extend_from_slice(b"dingtalk");
    for (key, value) in [
        (4u64, 1u64),
        (5, T0 as u64),
        (6, (T0 + DAY) as u64),
        (7, T0 as u64),
        (8, (T0 - DAY) as u64),
    ] {
        head(&mut p, 0, key);
        head(&mut p, 0, value);
    }
    p.push(0x09);
    p.push(0x82);
    head(&mut p, 4, levels.len() as u64);
    for l in levels {
        p.push(0x84);
        head(&mut p, 0, l.class);
        p.push(if l.invert { 0xf5 } else { 0xf4 });
        p.push(0x84);
        head(&mut p, 0, l.filter.0);
        head(&mut p, 0, l.filter.1);
        head(&mut p, 0, l.filter.2);
        head(&mut p, 2, l.filter.3.len() as u64);
        p.extend_from_slice(&l.filter.3);
        p.push(0x83);
        head(&mut p, 0, l.exact.0);
        head(&mut p, 0, l.exact.1);
        head(&mut p, 2, l.exact.2.len() as u64);
        p.extend_from_slice(&l.exact.2);
    }
    head(&mut p, 0, last);
    p
}

fn read_raw(payload: &[u8]) -> Result<StatusList, StatusError> {
    SignedStatusList::parse(&signed_payload(payload))?.verify(&key().public_key(), "dingtalk")
}

fn level(filter: (u64, u64, u64, Vec<u8>), exact: (u64, u64, Vec<u8>)) -> RawLevel {
    RawLevel {
        class: 1,
        invert: false,
        filter,
        exact,
    }
}

#[test]
fn hand_written_payloads_follow_the_spec() {
    // A valid one: a filter of 2 planes of 10 columns, an exact stage of 9 columns.
    let good = raw_snapshot(
        &[level(
            (2, 10, 2, vec![0xff, 0x0f, 0x05]),
            (1, 9, vec![0x01, 0x01]),
        )],
        0,
    );
    let list = read_raw(&good).unwrap();
    assert_eq!(list.to_payload(), good);
    assert_eq!(
        read_raw(&raw_snapshot(&[], 4)).unwrap().summary().maps[0].last,
        "now_yellow"
    );

    let reason = |levels: &[RawLevel], last: u64| {
        read_raw(&raw_snapshot(levels, last)).unwrap_err().reason()
    };
    // 2^40 columns claimed with 3 bytes: refused before any allocation.
    assert_eq!(
        reason(&[level((2, 1 << 40, 2, vec![0; 3]), (1, 9, vec![0; 2]))], 0),
        "status_bad_map"
    );
    assert_eq!(
        reason(
            &[level((2, u64::MAX, u64::MAX, vec![]), (1, 9, vec![0; 2]))],
            0
        ),
        "status_too_large"
    );
    assert_eq!(
        reason(&[level((2, 1 << 62, 32, vec![]), (1, 9, vec![0; 2]))], 0),
        "status_bad_map"
    );
    assert_eq!(
        reason(&[level((2, 10, 33, vec![0; 42]), (1, 9, vec![0; 2]))], 0),
        "status_too_large"
    );
    // Padding bits must be zero.
    assert_eq!(
        reason(
            &[level((2, 10, 2, vec![0, 0, 0x10]), (1, 9, vec![0; 2]))],
            0
        ),
        "status_non_canonical"
    );
    assert_eq!(
        reason(&[level((2, 10, 2, vec![0; 3]), (1, 9, vec![0, 0x02]))], 0),
        "status_non_canonical"
    );
    // A filter without planes has no columns and seed 0; an exact stage has columns.
    assert_eq!(
        reason(&[level((0, 10, 0, vec![]), (1, 9, vec![0; 2]))], 0),
        "status_bad_map"
    );
    assert_eq!(
        reason(&[level((5, 0, 0, vec![]), (1, 9, vec![0; 2]))], 0),
        "status_bad_map"
    );
    assert_eq!(
        reason(&[level((0, 0, 0, vec![]), (1, 0, vec![]))], 0),
        "status_bad_map"
    );
    // Classes: a snapshot has no "unchanged" (6); no class twice.
    assert_eq!(reason(&[], 6), "status_bad_map");
    assert_eq!(
        reason(&[level((0, 0, 0, vec![]), (1, 9, vec![0; 2]))], 1),
        "status_bad_map"
    );
    let seven: Vec<RawLevel> = (0..7)
        .map(|_| level((0, 0, 0, vec![]), (1, 9, vec![0; 2])))
        .collect();
    assert_eq!(reason(&seven, 0), "status_too_large");

    // Keys out of order, an unknown version, a non-shortest integer.
    let mut swapped = good.clone();
    swapped[1] = 0x02;
    assert_eq!(
        read_raw(&swapped).unwrap_err().reason(),
        "status_bad_payload"
    );
    let mut version = good.clone();
    version[2] = 0x02;
    assert_eq!(
        read_raw(&version).unwrap_err().reason(),
        "status_bad_payload"
    );
    let mut long = good.clone();
    long.splice(2..3, [0x18, 0x01]);
    assert_eq!(
        read_raw(&long).unwrap_err().reason(),
        "status_non_canonical"
    );
}

#[test]
fn envelope_rules() {
    let (snapshot, _) = samples();
    let payload = payload_of(&snapshot);
    let good = signed_payload(&payload);
    assert!(judge(&good).is_ok());
    let reason = |bytes: &[u8]| judge(bytes).unwrap_err().reason();
    // Untagged, another tag, three items.
    assert_eq!(reason(&good[1..]), "status_not_cose_sign1");
    let mut tag = good.clone();
    tag[0] = 0xd1;
    assert_eq!(reason(&tag), "status_not_cose_sign1");
    let mut three = good.clone();
    three[1] = 0x83;
    assert!(judge(&three).is_err());
    // alg other than EdDSA; another typ; a non-empty unprotected header.
    let mut alg = good.clone();
    alg[6] = 0x26;
    assert_eq!(reason(&alg), "status_unsupported_algorithm");
    let typ_at = good.windows(4).position(|w| w == b"hcx-").unwrap();
    let mut typ = good.clone();
    typ[typ_at] = b'H';
    assert_eq!(reason(&typ), "status_bad_header");
    // A code's header {alg, kid} alone is not a status list's.
    let mut code_header = vec![0xd2, 0x84, 0x4d, 0xa2, 0x01, 0x27, 0x04, 0x48];
    code_header.extend_from_slice(&key().key_id().0);
    code_header.push(0xa0);
    assert_eq!(reason(&code_header), "status_bad_header");
    let protected_end = 2 + 2 + 43;
    let mut unprotected = good[..protected_end].to_vec();
    unprotected.extend_from_slice(&[0xa1, 0x01, 0x27]);
    unprotected.extend_from_slice(&good[protected_end + 1..]);
    assert_eq!(reason(&unprotected), "status_bad_header");
}
