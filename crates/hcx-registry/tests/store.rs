//! The registry's contract, the same suite against SQLite and PostgreSQL: recording, status
//! changes, publication, and a verifier that agrees with the registry on every code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::Fixture;
use hcx_format::{HealthClaims, IssueParams, IssueRequest, PrivateKey};
use hcx_registry::{
    CodeId, Epoch, Head, History, Index, NewCode, PublishJob, PublishOptions, Registry,
    RegistryError, Rows,
};
use hcx_status::{CodeRef, Coverage, ListKind, Lookup, SignedStatusList, Status, StatusState};

const T0: i64 = 1_795_248_000;
const DAY: i64 = 86_400;
const ISSUER: &str = "dingtalk";

fn id(n: u64) -> CodeId {
    CodeId::new(&n.to_be_bytes()).unwrap()
}

fn code(n: u64, iat: i64, exp: i64) -> NewCode {
    NewCode {
        code_id: id(n),
        issued_at: iat,
        expires_at: exp,
    }
}

fn key() -> PrivateKey {
    PrivateKey::from_seed(&[5; 32])
}

/// The registry's rows as the test keeps them: (id, iat, exp, status).
type Model = Vec<(u64, i64, i64, Status)>;

/// Loads every list of the issuer's `latest.json` into a verifier's state, checking the
/// signature and the chain as a verifier would.
fn verifier_state(f: &Fixture) -> StatusState {
    let dir = f.out.join(ISSUER);
    let index: Index =
        serde_json::from_slice(&std::fs::read(dir.join("latest.json")).unwrap()).unwrap();
    let load = |file: &str| {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        SignedStatusList::parse(&bytes)
            .unwrap()
            .verify(&key().public_key(), ISSUER)
            .unwrap()
    };
    let snapshot = load(&index.snapshot.file);
    assert_eq!(snapshot.kind(), ListKind::Snapshot);
    let mut state = StatusState::new(snapshot, None).unwrap();
    for d in &index.deltas {
        state.apply(load(&d.file)).unwrap();
    }
    assert_eq!(state.head().sequence, index.sequence);
    state
}

/// Every code of the model gets exactly its status when the head covers it, and "not
/// covered" otherwise.
fn agree(state: &StatusState, model: &Model) {
    let coverage = state.head().coverage;
    let mut covered = 0;
    for (n, iat, exp, status) in model {
        let i = id(*n);
        let got = state.lookup(&CodeRef {
            code_id: i.as_bytes(),
            issued_at: *iat,
            expires_at: *exp,
        });
        if coverage.covers(*iat, *exp) {
            covered += 1;
            assert_eq!(got, Lookup::Covered(*status), "code {n}");
        } else {
            assert!(matches!(got, Lookup::NotCovered(_)), "code {n}: {got:?}");
        }
    }
    assert!(covered > 0);
}

fn record_all(r: &mut Registry, model: &Model) {
    let codes: Vec<NewCode> = model.iter().map(|(n, i, e, _)| code(*n, *i, *e)).collect();
    for chunk in codes.chunks(500) {
        for result in r.record(ISSUER, chunk).unwrap() {
            result.unwrap();
        }
    }
}

/// Sets the status of the picked codes, except revoked ones (revocation is final).
fn set(r: &mut Registry, model: &mut Model, pick: impl Fn(u64) -> bool, to: Status) {
    let pick = |c: &(u64, i64, i64, Status)| pick(c.0) && c.3 != Status::Revoked;
    let ids: Vec<CodeId> = model.iter().filter(|c| pick(c)).map(|c| id(c.0)).collect();
    for t in r.set_status(ISSUER, &ids, to).unwrap() {
        t.unwrap();
    }
    for c in model.iter_mut().filter(|c| pick(c)) {
        c.3 = to;
    }
}

fn records_and_reads_back(f: &Fixture) {
    let mut r = f.open();
    let out = r
        .record(
            ISSUER,
            &[code(1, T0, T0 + DAY), code(2, T0 + 5, T0 + 2 * DAY)],
        )
        .unwrap();
    assert!(out.iter().all(Result::is_ok));
    let row = r.code(ISSUER, &id(2)).unwrap().unwrap();
    assert_eq!((row.issued_at, row.expires_at), (T0 + 5, T0 + 2 * DAY));
    assert_eq!((row.status, row.published), (Status::Valid, None));
    assert!(r.code(ISSUER, &id(3)).unwrap().is_none());
    assert!(r.code("wechat", &id(1)).unwrap().is_none());
    let issuers = r.issuers().unwrap();
    assert_eq!(issuers.len(), 1);
    assert_eq!((issuers[0].codes, issuers[0].sequence), (2, None));
    assert!(r.epochs(ISSUER).unwrap().is_empty());
    assert_eq!(r.resolve_issuer(None).unwrap(), ISSUER);
    // Another issuer may use the same id: ids are per issuer.
    r.record("wechat", &[code(1, T0, T0 + 9)]).unwrap()[0]
        .as_ref()
        .unwrap();
    assert!(matches!(
        r.resolve_issuer(None),
        Err(RegistryError::SeveralIssuers(_))
    ));
    // Bad input is refused per code, and nothing else is affected.
    let out = r
        .record(ISSUER, &[code(7, T0, T0), code(8, T0, T0 + 1)])
        .unwrap();
    assert_eq!(out[0].as_ref().unwrap_err().reason(), "invalid_input");
    assert!(out[1].is_ok());
    assert!(matches!(
        r.record("Not An Issuer", &[code(9, T0, T0 + 1)]),
        Err(RegistryError::InvalidInput(_))
    ));
    // A second connection sees all of it: every call committed.
    let mut again = f.open();
    assert_eq!(again.issuers().unwrap().len(), 2);
    again.check().unwrap();
}

fn retries_are_accepted_duplicates_are_not(f: &Fixture) {
    let mut r = f.open();
    r.record(ISSUER, &[code(1, T0, T0 + DAY)]).unwrap()[0]
        .as_ref()
        .unwrap();
    let out = r
        .record(
            ISSUER,
            &[
                code(1, T0, T0 + DAY),     // the same code again: a retry
                code(1, T0, T0 + 2 * DAY), // the same id, other times
                code(2, T0, T0 + DAY),
                code(2, T0 + 1, T0 + DAY), // twice in one batch, other times
            ],
        )
        .unwrap();
    assert!(out[0].is_ok());
    assert_eq!(out[1].as_ref().unwrap_err().reason(), "duplicate_code");
    assert!(out[2].is_ok());
    assert_eq!(out[3].as_ref().unwrap_err().reason(), "duplicate_code");
    let row = r.code(ISSUER, &id(2)).unwrap().unwrap();
    assert_eq!(row.issued_at, T0);
    assert_eq!(r.issuers().unwrap()[0].codes, 2);
}

fn status_changes_and_final_revocation(f: &Fixture) {
    let mut r = f.open();
    r.record(ISSUER, &[code(1, T0, T0 + DAY), code(2, T0, T0 + DAY)])
        .unwrap();
    let t = r.set_status(ISSUER, &[id(1)], Status::Suspended).unwrap();
    assert_eq!(
        (t[0].as_ref().unwrap().from, t[0].as_ref().unwrap().to),
        (Status::Valid, Status::Suspended)
    );
    let t = r
        .set_status(ISSUER, &[id(1), id(2), id(99)], Status::NowRed)
        .unwrap();
    assert_eq!(t[0].as_ref().unwrap().from, Status::Suspended);
    assert_eq!(t[1].as_ref().unwrap().to, Status::NowRed);
    assert_eq!(t[2].as_ref().unwrap_err().reason(), "unknown_code");
    let t = r.set_status(ISSUER, &[id(1)], Status::Valid).unwrap();
    assert_eq!(t[0].as_ref().unwrap().to, Status::Valid);
    // Revocation is final; revoking again changes nothing.
    r.set_status(ISSUER, &[id(1)], Status::Revoked).unwrap()[0]
        .as_ref()
        .unwrap();
    for to in [Status::Valid, Status::Suspended, Status::NowGreen] {
        let t = r.set_status(ISSUER, &[id(1)], to).unwrap();
        assert_eq!(t[0].as_ref().unwrap_err().reason(), "status_final");
    }
    let t = r.set_status(ISSUER, &[id(1)], Status::Revoked).unwrap();
    let t = t[0].as_ref().unwrap();
    assert_eq!((t.from, t.to), (Status::Revoked, Status::Revoked));
    // The same id twice in one call: the second sees the first.
    let t = r
        .set_status(ISSUER, &[id(2), id(2)], Status::Revoked)
        .unwrap();
    assert_eq!(t[0].as_ref().unwrap().from, Status::NowRed);
    assert_eq!(t[1].as_ref().unwrap().from, Status::Revoked);
    assert_eq!(
        r.code(ISSUER, &id(1)).unwrap().unwrap().status,
        Status::Revoked
    );
    assert!(matches!(
        r.set_status("wechat", &[id(1)], Status::Revoked),
        Err(RegistryError::UnknownIssuer(_))
    ));
    r.check().unwrap();
}

/// The whole cycle over many epochs: issue, change, publish (snapshots and deltas), and a
/// verifier reading the published directory agrees with the registry on every code.
fn published_lists_agree_with_the_registry(f: &Fixture) {
    let mut r = f.open();
    let mut model: Model = (0..3000u64)
        .map(|n| {
            let iat = T0 - 10 * DAY + (n as i64 % 9) * DAY;
            (n, iat, iat + (1 + n as i64 % 4) * DAY, Status::Valid)
        })
        .collect();
    record_all(&mut r, &model);
    set(&mut r, &mut model, |n| n % 37 == 0, Status::Revoked);
    set(&mut r, &mut model, |n| n % 53 == 1, Status::NowRed);
    let mut now = T0;
    let first = r
        .publish(&key(), &f.out, &PublishOptions::new(ISSUER, now))
        .unwrap();
    assert_eq!(
        (first.epoch.sequence, first.epoch.kind),
        (1, ListKind::Snapshot)
    );
    let state = verifier_state(f);
    agree(&state, &model);
    assert_eq!(
        first.epoch.counts.iter().sum::<u64>(),
        model
            .iter()
            .filter(|c| state.head().coverage.covers(c.1, c.2))
            .count() as u64
    );
    let mut next = 3000u64;
    let mut kinds = Vec::new();
    for epoch in 0..5u64 {
        now += 3600;
        // New codes since the last list, and changes among old and new ones.
        let new: Model = (next..next + 200)
            .map(|n| (n, now - 1800, now + DAY, Status::Valid))
            .collect();
        next += 200;
        record_all(&mut r, &new);
        model.extend(new);
        let e = epoch;
        set(&mut r, &mut model, |n| n % 101 == e, Status::Suspended);
        set(&mut r, &mut model, |n| n % 211 == e + 2, Status::NowYellow);
        set(&mut r, &mut model, |n| n % 307 == e + 3, Status::Revoked);
        let p = r
            .publish(&key(), &f.out, &PublishOptions::new(ISSUER, now))
            .unwrap();
        assert_eq!(p.epoch.sequence, epoch + 2);
        kinds.push(p.epoch.kind);
        assert!(p.file.exists());
        agree(&verifier_state(f), &model);
    }
    // Deltas, and a snapshot whenever the deltas since the last one outweigh it (in this
    // small universe a delta of 200 new codes is a good part of a snapshot).
    assert_eq!(kinds[0], ListKind::Delta);
    assert!(kinds.contains(&ListKind::Snapshot), "{kinds:?}");
    // A published status is recorded on each covered code.
    let head = verifier_state(f).head().coverage;
    let (n, ..) = model
        .iter()
        .find(|c| c.3 == Status::Revoked && head.covers(c.1, c.2))
        .unwrap();
    let row = r.code(ISSUER, &id(*n)).unwrap().unwrap();
    assert_eq!(row.published, Some(Status::Revoked));
    // Forced snapshot: the chain restarts, and the pointer names only it.
    now += 3600;
    let mut options = PublishOptions::new(ISSUER, now);
    options.force_snapshot = true;
    let p = r.publish(&key(), &f.out, &options).unwrap();
    assert_eq!(p.epoch.kind, ListKind::Snapshot);
    let index: Index = serde_json::from_slice(&std::fs::read(&p.index).unwrap()).unwrap();
    assert_eq!((index.snapshot.sequence, index.deltas.len()), (7, 0));
    agree(&verifier_state(f), &model);
    // A short maximum chain makes the next publications snapshots when it is reached.
    let mut options = PublishOptions::new(ISSUER, now + 60);
    options.max_chain = 1;
    let kinds: Vec<ListKind> = (0..3)
        .map(|i| {
            options.now = now + 60 * (i + 1);
            r.publish(&key(), &f.out, &options).unwrap().epoch.kind
        })
        .collect();
    assert_eq!(
        kinds,
        [ListKind::Delta, ListKind::Snapshot, ListKind::Delta]
    );
    agree(&verifier_state(f), &model);
    let epochs = r.epochs(ISSUER).unwrap();
    assert_eq!(epochs.len(), 10);
    assert!(
        epochs
            .iter()
            .all(|e| f.out.join(ISSUER).join(&e.file).exists())
    );
    r.check().unwrap();
}

fn codes_before_a_published_list_are_too_late(f: &Fixture) {
    let mut r = f.open();
    r.record(ISSUER, &[code(1, T0 - 100, T0 + DAY)]).unwrap();
    r.publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0))
        .unwrap();
    let out = r
        .record(ISSUER, &[code(2, T0 - 1, T0 + DAY), code(3, T0, T0 + DAY)])
        .unwrap();
    assert_eq!(out[0].as_ref().unwrap_err().reason(), "record_too_late");
    assert!(out[1].is_ok(), "a code from the list's bound on is new");
    assert!(r.code(ISSUER, &id(2)).unwrap().is_none());
    // Time does not go back for lists either.
    let err = r
        .publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0 - 1))
        .unwrap_err();
    assert_eq!(err.reason(), "invalid_input");
    assert_eq!(r.epochs(ISSUER).unwrap().len(), 1);
    // An issuer with no codes cannot be published by mistake.
    let err = r
        .publish(&key(), &f.out, &PublishOptions::new("wechat", T0))
        .unwrap_err();
    assert_eq!(err.reason(), "unknown_issuer");
    r.check().unwrap();
}

fn issued_codes_are_recorded_with_their_id(f: &Fixture) {
    let mut r = f.open();
    let key = key();
    let claims =
        HealthClaims::from_json(r#"{"status":"green","subject":{"name":"张三"}}"#).unwrap();
    let params = IssueParams {
        issuer: ISSUER.into(),
        issued_at: T0,
        expires_at: T0 + DAY,
        not_before: None,
    };
    let (text, code_id) = r.issue(&key, &params, &claims).unwrap();
    let decoded = hcx_format::decode(&text).unwrap();
    assert_eq!(decoded.code_id, code_id.as_bytes());
    assert_eq!(
        r.code(ISSUER, &code_id).unwrap().unwrap().expires_at,
        T0 + DAY
    );
    let bad = IssueParams {
        expires_at: T0 - 1,
        ..params.clone()
    };
    let requests = [
        IssueRequest {
            params: &params,
            claims: &claims,
        },
        IssueRequest {
            params: &bad,
            claims: &claims,
        },
    ];
    let out = r
        .issue_many(&hcx_format::BatchIssuer::new(&key), &requests)
        .unwrap();
    let (_, second) = out[0].as_ref().unwrap();
    assert!(out[1].is_err());
    assert!(r.code(ISSUER, second).unwrap().is_some());
    assert_eq!(r.issuers().unwrap()[0].codes, 2);
}

/// Several writers (nodes, processes) and a publisher at once: every list is exact for
/// what it covers, and nothing recorded is lost.
fn concurrent_writers_and_publisher(f: &Fixture) {
    let mut setup = f.open();
    setup
        .record(ISSUER, &[code(0, T0 - DAY, T0 + DAY)])
        .unwrap();
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let mut r = f.open();
            std::thread::spawn(move || {
                let mut ok = Vec::new();
                for batch in 0..20u64 {
                    let codes: Vec<NewCode> = (0..50u64)
                        .map(|i| {
                            let n = 1 + w * 10_000 + batch * 100 + i;
                            code(n, T0 + batch as i64 * 10, T0 + DAY)
                        })
                        .collect();
                    for (c, res) in codes.iter().zip(r.record(ISSUER, &codes).unwrap()) {
                        if res.is_ok() {
                            ok.push(*c);
                        }
                    }
                    let ids: Vec<CodeId> = codes.iter().step_by(7).map(|c| c.code_id).collect();
                    r.set_status(ISSUER, &ids, Status::Revoked).unwrap();
                }
                ok
            })
        })
        .collect();
    let mut publisher = f.open();
    for i in 0..4 {
        publisher
            .publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0 + 50 * i))
            .unwrap();
    }
    let recorded: Vec<NewCode> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    // Every acknowledged code is there.
    for c in &recorded {
        assert!(setup.code(ISSUER, &c.code_id).unwrap().is_some());
    }
    publisher
        .publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0 + 400))
        .unwrap();
    let model: Model = std::iter::once((0, T0 - DAY, T0 + DAY, Status::Valid))
        .chain(recorded.iter().map(|c| {
            let row = setup.code(ISSUER, &c.code_id).unwrap().unwrap();
            let n = u64::from_be_bytes(c.code_id.as_bytes().try_into().unwrap());
            (n, c.issued_at, c.expires_at, row.status)
        }))
        .collect();
    agree(&verifier_state(f), &model);
    setup.check().unwrap();
}

/// Where a [`FailingJob`] fails.
#[derive(Clone, Copy, Debug)]
enum FailAt {
    /// After reading some of the rows.
    Build,
    /// After reading every row, when the list would be written.
    Write,
    /// With an epoch that does not follow the last one (a publisher's bug).
    WrongSequence,
}

/// A publication that fails part way, inside the store's transaction.
struct FailingJob {
    at: FailAt,
    read: usize,
}

impl PublishJob for FailingJob {
    fn plan(&mut self, _: &History) -> Result<Coverage, RegistryError> {
        Ok(Coverage {
            issued_before: T0 + 10 * DAY,
            expiring_after: 0,
        })
    }

    fn build(&mut self, rows: Rows<'_>) -> Result<(), RegistryError> {
        let take = if matches!(self.at, FailAt::Build) {
            10
        } else {
            usize::MAX
        };
        self.read = rows.take(take).count();
        match self.at {
            FailAt::Build => Err(RegistryError::InvalidInput("failed while building".into())),
            _ => Ok(()),
        }
    }

    fn write(&mut self) -> Result<(Epoch, Head), RegistryError> {
        match self.at {
            FailAt::WrongSequence => Ok((
                Epoch {
                    issuer: ISSUER.into(),
                    sequence: 99,
                    kind: ListKind::Snapshot,
                    issued_at: T0,
                    expires_at: T0 + DAY,
                    coverage: Coverage {
                        issued_before: T0 + 10 * DAY,
                        expiring_after: 0,
                    },
                    payload_hash: [1; 32],
                    base_hash: None,
                    file: "bogus.hcxs".into(),
                    bytes: 1,
                    counts: [0; 6],
                },
                Head {
                    signed: vec![0xa0],
                    public_key: [2; 32],
                },
            )),
            _ => Err(RegistryError::Io {
                path: "list".into(),
                message: "disk full".into(),
            }),
        }
    }
}

/// A publication that fails at any point leaves the registry as it was: the previous list
/// stays the head, no code is marked published, the pointer still names the previous list,
/// and the next publication follows the previous list as if nothing had happened.
fn a_failed_publication_leaves_the_previous_list(f: &Fixture) {
    let mut r = f.open();
    let mut model: Model = (0..500u64)
        .map(|n| (n, T0 - DAY, T0 + 5 * DAY, Status::Valid))
        .collect();
    record_all(&mut r, &model);
    let first = r
        .publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0))
        .unwrap();
    let index_before = std::fs::read(&first.index).unwrap();
    set(&mut r, &mut model, |n| n % 3 == 0, Status::Revoked);
    set(&mut r, &mut model, |n| n % 3 == 1, Status::Suspended);
    for at in [FailAt::Build, FailAt::Write, FailAt::WrongSequence] {
        let mut job = FailingJob { at, read: 0 };
        let err = hcx_registry::Store::publish(&mut *r, ISSUER, &mut job).unwrap_err();
        assert!(job.read > 0, "{at:?}: the job read rows before failing");
        match at {
            FailAt::Build | FailAt::WrongSequence => assert_eq!(err.reason(), "invalid_input"),
            FailAt::Write => assert_eq!(err.code().as_str(), "io"),
        }
        // Another connection sees the registry as before the attempt.
        let mut other = f.open();
        assert_eq!(
            other.epochs(ISSUER).unwrap(),
            vec![first.epoch.clone()],
            "{at:?}"
        );
        let row = other.code(ISSUER, &id(0)).unwrap().unwrap();
        assert_eq!(
            (row.status, row.published),
            (Status::Revoked, Some(Status::Valid)),
            "{at:?}"
        );
        other.check().unwrap();
        assert_eq!(std::fs::read(&first.index).unwrap(), index_before);
    }
    // A real publication that fails when writing its file (the directory is a file).
    let blocked = f.out.with_extension("blocked");
    std::fs::create_dir_all(blocked.parent().unwrap()).unwrap();
    std::fs::write(&blocked, b"not a directory").unwrap();
    let err = r
        .publish(&key(), &blocked, &PublishOptions::new(ISSUER, T0 + 60))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "io");
    assert_eq!(r.epochs(ISSUER).unwrap().len(), 1);
    // What verifiers hold is still exactly the first list.
    let state = verifier_state(f);
    assert_eq!(state.head().sequence, 1);
    let first_model: Model = model
        .iter()
        .map(|c| (c.0, c.1, c.2, Status::Valid))
        .collect();
    agree(&state, &first_model);
    // The next publication is the delta on the first list, with every change in it.
    let next = r
        .publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0 + 120))
        .unwrap();
    assert_eq!((next.epoch.sequence, next.epoch.kind), (2, ListKind::Delta));
    assert_eq!(next.epoch.base_hash, Some(first.epoch.payload_hash));
    agree(&verifier_state(f), &model);
    r.check().unwrap();
}

/// Two connections change the statuses of the same codes at once, in opposite orders: no
/// acknowledged change is lost (a revocation is never overwritten by a change that read the
/// code before it), no call fails, and the store's invariants hold.
fn concurrent_status_changes_lose_nothing(f: &Fixture) {
    const N: u64 = 600;
    let mut r = f.open();
    let model: Model = (0..N)
        .map(|n| (n, T0 - DAY, T0 + DAY, Status::Valid))
        .collect();
    record_all(&mut r, &model);
    let revoker = {
        let mut r = f.open();
        std::thread::spawn(move || {
            let mut acked = Vec::new();
            let odd: Vec<CodeId> = (0..N).filter(|n| n % 2 == 1).map(id).collect();
            for chunk in odd.chunks(15) {
                for t in r.set_status(ISSUER, chunk, Status::Revoked).unwrap() {
                    acked.push(t.unwrap().code_id);
                }
            }
            acked
        })
    };
    let colourer = {
        let mut r = f.open();
        std::thread::spawn(move || {
            let all: Vec<CodeId> = (0..N).rev().map(id).collect();
            let mut last = Status::Valid;
            for (round, to) in [
                Status::NowRed,
                Status::NowYellow,
                Status::NowRed,
                Status::NowGreen,
            ]
            .into_iter()
            .enumerate()
            {
                for chunk in all.chunks(40 + round * 7) {
                    for t in r.set_status(ISSUER, chunk, to).unwrap() {
                        // A code revoked in the meantime refuses the change, alone.
                        if let Err(e) = t {
                            assert_eq!(e.reason(), "status_final");
                        }
                    }
                }
                last = to;
            }
            last
        })
    };
    let acked = revoker.join().unwrap();
    let last = colourer.join().unwrap();
    assert_eq!(acked.len() as u64, N / 2);
    for n in 0..N {
        let row = r.code(ISSUER, &id(n)).unwrap().unwrap();
        let want = if n % 2 == 1 { Status::Revoked } else { last };
        assert_eq!(row.status, want, "code {n}");
    }
    r.check().unwrap();
}

/// A registry damaged behind its back (a bad status, a foreign list as head, a hash of the
/// wrong length, a value of the wrong type) gives typed errors, never a panic and never a
/// list built from the damage.
fn damaged_rows_give_typed_errors(f: &Fixture) {
    let mut r = f.open();
    let model: Model = (0..50u64)
        .map(|n| (n, T0 - DAY, T0 + DAY, Status::Valid))
        .collect();
    record_all(&mut r, &model);
    let first = r
        .publish(&key(), &f.out, &PublishOptions::new(ISSUER, T0))
        .unwrap();
    let later = |i: i64| PublishOptions::new(ISSUER, T0 + 60 * i);

    // 1. A status no list knows, on one code (the constraint dropped first).
    f.raw_sql(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE codes SET status = 9 WHERE cti = X'0000000000000007';",
        "ALTER TABLE codes DROP CONSTRAINT codes_status_check;
         UPDATE codes SET status = 9 WHERE cti = '\\x0000000000000007'::bytea;",
    );
    let err = r.code(ISSUER, &id(7)).unwrap_err();
    assert_eq!(err.reason(), "registry_schema", "{err}");
    let err = r.set_status(ISSUER, &[id(7)], Status::Revoked).unwrap_err();
    assert_eq!(err.reason(), "registry_schema", "{err}");
    let err = r.publish(&key(), &f.out, &later(1)).unwrap_err();
    assert_eq!(err.reason(), "registry_schema", "{err}");
    assert!(r.check().is_err());
    assert_eq!(r.epochs(ISSUER).unwrap(), vec![first.epoch.clone()]);
    f.raw_sql(
        "UPDATE codes SET status = 0 WHERE cti = X'0000000000000007';",
        "UPDATE codes SET status = 0 WHERE cti = '\\x0000000000000007'::bytea;",
    );

    // 2. The head list replaced by garbage, then by a list signed with another key.
    f.raw_sql(
        "UPDATE issuers SET head_list = X'a0';",
        "UPDATE issuers SET head_list = '\\xa0'::bytea;",
    );
    let err = r.publish(&key(), &f.out, &later(2)).unwrap_err();
    assert_eq!(err.code().as_str(), "status_invalid", "{err}");
    let other = PrivateKey::from_seed(&[9; 32]);
    let g = common::sqlite();
    let mut elsewhere = g.open();
    record_all(&mut elsewhere, &model);
    let foreign = elsewhere
        .publish(&other, &g.out, &PublishOptions::new(ISSUER, T0))
        .unwrap();
    let foreign_hex = hex::encode(std::fs::read(&foreign.file).unwrap());
    f.raw_sql(
        &format!("UPDATE issuers SET head_list = X'{foreign_hex}';"),
        &format!("UPDATE issuers SET head_list = '\\x{foreign_hex}'::bytea;"),
    );
    let err = r.publish(&key(), &f.out, &later(3)).unwrap_err();
    assert!(
        matches!(err.code().as_str(), "status_invalid" | "invalid_input"),
        "{err}"
    );
    // 3. A head key of the wrong length.
    f.raw_sql(
        "UPDATE issuers SET head_key = X'0102';",
        "UPDATE issuers SET head_key = '\\x0102'::bytea;",
    );
    let err = r.publish(&key(), &f.out, &later(4)).unwrap_err();
    assert_eq!(err.reason(), "registry_schema", "{err}");
    assert_eq!(r.epochs(ISSUER).unwrap().len(), 1);

    // 4. A list's hash of the wrong length.
    f.raw_sql(
        "UPDATE epochs SET payload_hash = X'00';",
        "UPDATE epochs SET payload_hash = '\\x00'::bytea;",
    );
    let err = r.epochs(ISSUER).unwrap_err();
    assert_eq!(err.reason(), "registry_schema", "{err}");

    // 5. A time that is not a number (SQLite stores what it is given; PostgreSQL's types
    //    refuse it, so there a negative count stands in).
    f.raw_sql(
        "UPDATE codes SET iat = 'yesterday' WHERE cti = X'0000000000000003';
         UPDATE epochs SET n_valid = 'many';",
        "UPDATE epochs SET n_valid = -1;",
    );
    let err = r.epochs(ISSUER).unwrap_err();
    assert_eq!(err.reason(), "registry_schema", "{err}");
    if !hcx_registry::is_postgres_url(&f.location) {
        let err = r.code(ISSUER, &id(3)).unwrap_err();
        assert_eq!(err.reason(), "registry_schema", "{err}");
    }
    // The previous list's file is untouched throughout.
    let bytes = std::fs::read(&first.file).unwrap();
    SignedStatusList::parse(&bytes)
        .unwrap()
        .verify(&key().public_key(), ISSUER)
        .unwrap();
}

both_backends!(
    records_and_reads_back,
    retries_are_accepted_duplicates_are_not,
    status_changes_and_final_revocation,
    published_lists_agree_with_the_registry,
    codes_before_a_published_list_are_too_late,
    issued_codes_are_recorded_with_their_id,
    concurrent_writers_and_publisher,
    a_failed_publication_leaves_the_previous_list,
    concurrent_status_changes_lose_nothing,
    damaged_rows_give_typed_errors,
);

#[test]
fn an_sqlite_file_that_is_not_a_registry_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    }
    let err = Registry::open(path.to_str().unwrap()).unwrap_err();
    assert_eq!(err.reason(), "registry_schema");
    let text = dir.path().join("text.db");
    std::fs::write(
        &text,
        "not a database at all, but long enough to look like a header......",
    )
    .unwrap();
    let err = Registry::open(text.to_str().unwrap()).unwrap_err();
    assert_eq!(err.reason(), "registry_unavailable");
    let err = Registry::open(dir.path().join("no/such/dir/r.db").to_str().unwrap()).unwrap_err();
    assert_eq!(err.code().as_str(), "io");
}
