//! A model issuer registry for the tests: codes with times and statuses, and the entries a
//! snapshot or a delta needs, computed the way SPEC.md §14.7.1 says an issuer must.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use hcx_status::{Change, CodeRecord, Coverage, ListHeader, Status, StatusList};

/// One issued code.
#[derive(Debug, Clone)]
pub struct Code {
    pub id: Vec<u8>,
    pub issued_at: i64,
    pub expires_at: i64,
    pub status: Status,
}

/// Every code an issuer signed, and the statuses of its last published list.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub codes: Vec<Code>,
    /// Status of each code as of the last list published (same index as `codes`).
    pub published: Vec<Option<Status>>,
    pub last: Option<StatusList>,
}

/// A deterministic code id of 8 to 16 bytes.
pub fn code_id(i: u64) -> Vec<u8> {
    let len = 8 + (i % 9) as usize;
    let mut id = i.to_be_bytes().to_vec();
    id.resize(len, (i % 251) as u8);
    id
}

pub const T0: i64 = 1_795_000_000;
pub const DAY: i64 = 86_400;

impl Registry {
    /// Issues `n` codes at times spread over `[from, to)`, each valid for `life` seconds.
    pub fn issue(&mut self, n: u64, from: i64, to: i64, life: i64) {
        let start = self.codes.len() as u64;
        for i in 0..n {
            let issued_at = from + ((to - from) * i as i64) / n as i64;
            self.codes.push(Code {
                id: code_id(start + i),
                issued_at,
                expires_at: issued_at + life,
                status: Status::Valid,
            });
            self.published.push(None);
        }
    }

    pub fn header(&self, sequence: u64, now: i64) -> ListHeader {
        ListHeader {
            issuer: "dingtalk".into(),
            sequence,
            issued_at: now,
            expires_at: now + DAY,
            coverage: Coverage {
                issued_before: now,
                expiring_after: now - DAY,
            },
        }
    }

    fn records(&self) -> Vec<CodeRecord<Vec<u8>>> {
        self.codes
            .iter()
            .zip(&self.published)
            .map(|(c, published)| CodeRecord {
                code_id: c.id.clone(),
                issued_at: c.issued_at,
                expires_at: c.expires_at,
                status: c.status,
                published: *published,
            })
            .collect()
    }

    /// A snapshot of every covered code, remembered as published.
    pub fn publish_snapshot(&mut self, sequence: u64, now: i64) -> StatusList {
        let header = self.header(sequence, now);
        let list = StatusList::snapshot_of(header.clone(), self.records()).unwrap();
        self.remember(&header.coverage, list.clone());
        list
    }

    /// The delta from the last published list, remembered as published.
    pub fn publish_delta(&mut self, now: i64) -> StatusList {
        let base = self.last.clone().unwrap();
        let header = self.header(base.header().sequence + 1, now);
        let list = StatusList::delta_of(header.clone(), &base, self.records()).unwrap();
        self.remember(&header.coverage, list.clone());
        list
    }

    /// The delta from the last published list built with the low-level builder, which takes
    /// the change map's and the new codes' entries separately.
    pub fn publish_delta_by_hand(&mut self, now: i64) -> StatusList {
        let base = self.last.clone().unwrap();
        let header = self.header(base.header().sequence + 1, now);
        let old_before = base.header().coverage.issued_before;
        let mut old = Vec::new();
        let mut new = Vec::new();
        for (i, c) in self.codes.iter().enumerate() {
            if !header.coverage.covers(c.issued_at, c.expires_at) {
                continue;
            }
            if c.issued_at < old_before {
                let change = match self.published[i] {
                    Some(s) if s == c.status => Change::Unchanged,
                    _ => Change::To(c.status),
                };
                old.push((c.id.clone(), change));
            } else {
                new.push((c.id.clone(), c.status));
            }
        }
        let list = StatusList::delta(header.clone(), &base, old, new).unwrap();
        self.remember(&header.coverage, list.clone());
        list
    }

    fn remember(&mut self, coverage: &Coverage, list: StatusList) {
        for (i, c) in self.codes.iter().enumerate() {
            self.published[i] = coverage
                .covers(c.issued_at, c.expires_at)
                .then_some(c.status);
        }
        self.last = Some(list);
    }
}
