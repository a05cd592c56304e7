//! The status list payload: header, snapshot or delta body, building, deterministic encoding
//! and the strict reader (SPEC.md §14.5–§6).

use sha2::{Digest, Sha256};

use crate::cbor::{self, ARRAY, Reader, UINT, write_bool, write_bytes, write_head, write_text};
use crate::error::StatusError;
use crate::hash::IdentityDigest;
use crate::limits::{CODE_ID_LEN, MAX_LEVELS, MAX_PLANES, MAX_UNIX_TIME};
use crate::map::{BuildError, Level, StatusMap};
use crate::ribbon::Ribbon;
use crate::status::{CLASSES, Change, Class, Status, UNCHANGED};

/// The payload format version this crate reads and writes.
pub const FORMAT_VERSION: u64 = 1;

const KEY_VERSION: u64 = 1;
const KEY_KIND: u64 = 2;
const KEY_ISSUER: u64 = 3;
const KEY_SEQUENCE: u64 = 4;
const KEY_ISSUED_AT: u64 = 5;
const KEY_EXPIRES_AT: u64 = 6;
const KEY_ISSUED_BEFORE: u64 = 7;
const KEY_EXPIRING_AFTER: u64 = 8;
const KEY_CODES: u64 = 9;
const KEY_BASE_HASH: u64 = 10;
const KEY_CHANGES: u64 = 11;

const KIND_SNAPSHOT: u64 = 1;
const KIND_DELTA: u64 = 2;

/// The codes a list covers: every code of its issuer with `iat < issued_before` and
/// `exp > expiring_after`. The list gives each of them its exact status; any other code is
/// "not covered".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Codes issued at or after this instant (Unix seconds) are not covered.
    pub issued_before: i64,
    /// Codes expiring at or before this instant (Unix seconds) are not covered.
    pub expiring_after: i64,
}

impl Coverage {
    /// True when a code with these `iat` and `exp` is covered.
    pub fn covers(&self, issued_at: i64, expires_at: i64) -> bool {
        issued_at < self.issued_before && expires_at > self.expiring_after
    }
}

/// What a list says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListHeader {
    /// The issuer id (`iss` of its codes).
    pub issuer: String,
    /// The epoch: strictly increasing per issuer; a delta to `s` applies to the list `s - 1`.
    pub sequence: u64,
    /// When the list was made, Unix seconds.
    pub issued_at: i64,
    /// From this instant on the list must not be used, Unix seconds.
    pub expires_at: i64,
    /// The codes the list (with its base, for a delta) covers.
    pub coverage: Coverage,
}

impl ListHeader {
    /// The header's own rules (spec §5.2); the problem in words.
    fn check(&self) -> Result<(), String> {
        hcx_format::check_issuer_id(&self.issuer).map_err(|p| format!("issuer: {p}"))?;
        for (name, t) in [
            ("issued_at", self.issued_at),
            ("expires_at", self.expires_at),
            ("issued_before", self.coverage.issued_before),
            ("expiring_after", self.coverage.expiring_after),
        ] {
            if !(0..=MAX_UNIX_TIME).contains(&t) {
                return Err(format!("{name} must be a time from 1970 to 9999"));
            }
        }
        if self.expires_at <= self.issued_at {
            return Err("expires_at must be later than issued_at".to_owned());
        }
        // Coverage of codes not issued yet would give them whatever the map happens to say.
        if self.coverage.issued_before > self.issued_at {
            return Err("issued_before must not be later than issued_at".to_owned());
        }
        Ok(())
    }
}

/// Whether a list is a full snapshot or a delta on a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Every covered code's status.
    Snapshot,
    /// The changes since the list with the previous sequence, and the codes issued since.
    Delta,
}

/// The body of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// A snapshot: the status of every covered code.
    Snapshot { codes: StatusMap },
    /// A delta: the base's payload hash, the status of codes issued since the base's
    /// `issued_before`, and for the base's codes still covered, their change.
    Delta {
        base_hash: [u8; 32],
        new_codes: StatusMap,
        changes: StatusMap,
    },
}

/// A status list: what an issuer signs, and what a verifier holds once the signature checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    header: ListHeader,
    pub(crate) body: Body,
    payload_hash: [u8; 32],
}

/// One row of an issuer's registry, for [`StatusList::snapshot_of`] and
/// [`StatusList::delta_of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord<C> {
    /// The code id (`cti`).
    pub code_id: C,
    /// The code's `iat`, Unix seconds.
    pub issued_at: i64,
    /// The code's `exp`, Unix seconds.
    pub expires_at: i64,
    /// The code's status now.
    pub status: Status,
    /// The status the last published list (with its chain) gives the code, `None` when it
    /// did not cover it; only deltas use it.
    pub published: Option<Status>,
}

/// A code id checked and hashed for a builder.
fn digest_of(code_id: &[u8]) -> Result<IdentityDigest, StatusError> {
    if !CODE_ID_LEN.contains(&code_id.len()) {
        return Err(StatusError::InvalidInput(format!(
            "a code id is 8 to 16 bytes, not {}",
            code_id.len()
        )));
    }
    Ok(IdentityDigest::of_code_id(code_id))
}

fn build_map(items: Vec<(IdentityDigest, Class)>, empty: Class) -> Result<StatusMap, StatusError> {
    StatusMap::build(items, empty).map_err(|e| match e {
        BuildError::Conflict => StatusError::DuplicateCode(
            "the same code id is given two different statuses".to_owned(),
        ),
        BuildError::Unsolvable => StatusError::BuildFailed,
    })
}

impl StatusList {
    /// Builds a snapshot giving each code its status. `codes` must be every code of the issuer
    /// that `header.coverage` covers, each once: the list is exact for them and arbitrary for
    /// any other code, which is why coverage is checked first (the registry's job).
    pub fn snapshot<C: AsRef<[u8]>>(
        header: ListHeader,
        codes: impl IntoIterator<Item = (C, Status)>,
    ) -> Result<StatusList, StatusError> {
        header.check().map_err(StatusError::InvalidInput)?;
        let items = codes
            .into_iter()
            .map(|(id, status)| Ok((digest_of(id.as_ref())?, status.to_wire())))
            .collect::<Result<Vec<_>, StatusError>>()?;
        let codes = build_map(items, Status::Valid.to_wire())?;
        Ok(StatusList::assemble(header, Body::Snapshot { codes }))
    }

    /// Builds the delta from `base` to `header.sequence = base.sequence + 1`.
    ///
    /// `old` must hold every code the base covers that `header.coverage` still covers (those
    /// with `iat < base.issued_before` and `exp > header.expiring_after`), each with its change
    /// since the base; `new` every code with `base.issued_before <= iat < issued_before` and
    /// `exp > expiring_after`, with its status.
    pub fn delta<C: AsRef<[u8]>, D: AsRef<[u8]>>(
        header: ListHeader,
        base: &StatusList,
        old: impl IntoIterator<Item = (C, Change)>,
        new: impl IntoIterator<Item = (D, Status)>,
    ) -> Result<StatusList, StatusError> {
        header.check().map_err(StatusError::InvalidInput)?;
        let b = &base.header;
        if header.issuer != b.issuer {
            return Err(StatusError::InvalidInput(
                "a delta is for the issuer of its base".to_owned(),
            ));
        }
        if b.sequence.checked_add(1) != Some(header.sequence) {
            return Err(StatusError::InvalidInput(
                "a delta's sequence is its base's plus one".to_owned(),
            ));
        }
        check_follows(b, &header).map_err(StatusError::InvalidInput)?;
        let changes = old
            .into_iter()
            .map(|(id, change)| Ok((digest_of(id.as_ref())?, change.class())))
            .collect::<Result<Vec<_>, StatusError>>()?;
        let new_codes = new
            .into_iter()
            .map(|(id, status)| Ok((digest_of(id.as_ref())?, status.to_wire())))
            .collect::<Result<Vec<_>, StatusError>>()?;
        let body = Body::Delta {
            base_hash: base.payload_hash,
            new_codes: build_map(new_codes, Status::Valid.to_wire())?,
            changes: build_map(changes, UNCHANGED)?,
        };
        Ok(StatusList::assemble(header, body))
    }

    /// [`StatusList::snapshot`] from registry rows: keeps the rows `header.coverage` covers.
    pub fn snapshot_of<C: AsRef<[u8]>>(
        header: ListHeader,
        records: impl IntoIterator<Item = CodeRecord<C>>,
    ) -> Result<StatusList, StatusError> {
        let coverage = header.coverage;
        let codes = records
            .into_iter()
            .filter(|r| coverage.covers(r.issued_at, r.expires_at))
            .map(|r| (r.code_id, r.status));
        StatusList::snapshot(header, codes)
    }

    /// [`StatusList::delta`] from registry rows: keeps the rows `header.coverage` covers,
    /// sends those issued before the base's `issued_before` to the change map (unchanged when
    /// `published` equals `status`) and the others to the new codes.
    pub fn delta_of<C: AsRef<[u8]>>(
        header: ListHeader,
        base: &StatusList,
        records: impl IntoIterator<Item = CodeRecord<C>>,
    ) -> Result<StatusList, StatusError> {
        let coverage = header.coverage;
        let old_before = base.header.coverage.issued_before;
        let mut old = Vec::new();
        let mut new = Vec::new();
        for r in records {
            if !coverage.covers(r.issued_at, r.expires_at) {
                continue;
            }
            if r.issued_at < old_before {
                // Naming the status is always right; "unchanged" only saves bytes.
                let change = if r.published == Some(r.status) {
                    Change::Unchanged
                } else {
                    Change::To(r.status)
                };
                old.push((r.code_id, change));
            } else {
                new.push((r.code_id, r.status));
            }
        }
        StatusList::delta(header, base, old, new)
    }

    fn assemble(header: ListHeader, body: Body) -> StatusList {
        let mut list = StatusList {
            header,
            body,
            payload_hash: [0; 32],
        };
        list.payload_hash = Sha256::digest(list.to_payload()).into();
        list
    }

    /// What the list says about itself.
    pub fn header(&self) -> &ListHeader {
        &self.header
    }

    /// Snapshot or delta.
    pub fn kind(&self) -> ListKind {
        match self.body {
            Body::Snapshot { .. } => ListKind::Snapshot,
            Body::Delta { .. } => ListKind::Delta,
        }
    }

    /// SHA-256 of the payload bytes: what the next delta binds as its base.
    pub fn payload_hash(&self) -> [u8; 32] {
        self.payload_hash
    }

    /// For a delta, the payload hash of the base it applies to.
    pub fn base_hash(&self) -> Option<[u8; 32]> {
        match &self.body {
            Body::Delta { base_hash, .. } => Some(*base_hash),
            Body::Snapshot { .. } => None,
        }
    }

    /// Bytes of solutions held in memory.
    pub fn heap_bytes(&self) -> usize {
        match &self.body {
            Body::Snapshot { codes } => codes.heap_bytes(),
            Body::Delta {
                new_codes, changes, ..
            } => new_codes.heap_bytes() + changes.heap_bytes(),
        }
    }

    /// The deterministic CBOR payload (spec §6), the bytes that are signed.
    pub fn to_payload(&self) -> Vec<u8> {
        let h = &self.header;
        let mut out = Vec::with_capacity(256 + self.solution_bytes());
        let delta = matches!(self.body, Body::Delta { .. });
        write_head(&mut out, cbor::MAP, if delta { 11 } else { 9 });
        let uint = |out: &mut Vec<u8>, key: u64, value: u64| {
            write_head(out, UINT, key);
            write_head(out, UINT, value);
        };
        // Times were checked to be 0 ..= MAX_UNIX_TIME.
        let time = |t: i64| u64::try_from(t).unwrap_or(0);
        uint(&mut out, KEY_VERSION, FORMAT_VERSION);
        uint(
            &mut out,
            KEY_KIND,
            if delta { KIND_DELTA } else { KIND_SNAPSHOT },
        );
        write_head(&mut out, UINT, KEY_ISSUER);
        write_text(&mut out, &h.issuer);
        uint(&mut out, KEY_SEQUENCE, h.sequence);
        uint(&mut out, KEY_ISSUED_AT, time(h.issued_at));
        uint(&mut out, KEY_EXPIRES_AT, time(h.expires_at));
        uint(&mut out, KEY_ISSUED_BEFORE, time(h.coverage.issued_before));
        uint(
            &mut out,
            KEY_EXPIRING_AFTER,
            time(h.coverage.expiring_after),
        );
        match &self.body {
            Body::Snapshot { codes } => {
                write_head(&mut out, UINT, KEY_CODES);
                encode_map(&mut out, codes);
            }
            Body::Delta {
                base_hash,
                new_codes,
                changes,
            } => {
                write_head(&mut out, UINT, KEY_CODES);
                encode_map(&mut out, new_codes);
                write_head(&mut out, UINT, KEY_BASE_HASH);
                write_bytes(&mut out, base_hash);
                write_head(&mut out, UINT, KEY_CHANGES);
                encode_map(&mut out, changes);
            }
        }
        out
    }

    fn solution_bytes(&self) -> usize {
        let of = |m: &StatusMap| m.levels.iter().map(Level::solution_bytes).sum::<usize>();
        match &self.body {
            Body::Snapshot { codes } => of(codes),
            Body::Delta {
                new_codes, changes, ..
            } => of(new_codes) + of(changes),
        }
    }

    /// Reads a payload strictly (spec §6): exactly the deterministic encoding of a valid list.
    pub(crate) fn from_payload(payload: &[u8]) -> Result<StatusList, StatusError> {
        let mut r = Reader::new(payload);
        let entries = r.map(11, "the payload")?;
        key(&mut r, KEY_VERSION)?;
        let version = r.uint("version")?;
        if version != FORMAT_VERSION {
            return Err(StatusError::BadPayload(format!(
                "version {version} is not supported (only {FORMAT_VERSION})"
            )));
        }
        key(&mut r, KEY_KIND)?;
        let delta = match r.uint("kind")? {
            KIND_SNAPSHOT => false,
            KIND_DELTA => true,
            other => {
                return Err(StatusError::BadPayload(format!("unknown kind {other}")));
            }
        };
        if entries != if delta { 11 } else { 9 } {
            return Err(StatusError::BadPayload(format!(
                "a {} has {} payload entries, not {entries}",
                if delta { "delta" } else { "snapshot" },
                if delta { 11 } else { 9 }
            )));
        }
        key(&mut r, KEY_ISSUER)?;
        let issuer = r.text("issuer")?.to_owned();
        key(&mut r, KEY_SEQUENCE)?;
        let sequence = r.uint("sequence")?;
        let time = |r: &mut Reader<'_>, k: u64, name: &str| -> Result<i64, StatusError> {
            key(r, k)?;
            let t = r.uint(name)?;
            i64::try_from(t)
                .ok()
                .filter(|t| *t <= MAX_UNIX_TIME)
                .ok_or_else(|| {
                    StatusError::BadPayload(format!("{name} must be a time from 1970 to 9999"))
                })
        };
        let issued_at = time(&mut r, KEY_ISSUED_AT, "issued_at")?;
        let expires_at = time(&mut r, KEY_EXPIRES_AT, "expires_at")?;
        let issued_before = time(&mut r, KEY_ISSUED_BEFORE, "issued_before")?;
        let expiring_after = time(&mut r, KEY_EXPIRING_AFTER, "expiring_after")?;
        let header = ListHeader {
            issuer,
            sequence,
            issued_at,
            expires_at,
            coverage: Coverage {
                issued_before,
                expiring_after,
            },
        };
        header.check().map_err(StatusError::BadPayload)?;
        key(&mut r, KEY_CODES)?;
        let codes = decode_map(&mut r, false)?;
        let body = if delta {
            if sequence == 0 {
                return Err(StatusError::BadPayload(
                    "a delta's sequence is at least 1".to_owned(),
                ));
            }
            key(&mut r, KEY_BASE_HASH)?;
            let base_hash: [u8; 32] = r.bytes("base hash")?.try_into().map_err(|_| {
                StatusError::BadPayload("the base hash is 32 bytes (SHA-256)".to_owned())
            })?;
            key(&mut r, KEY_CHANGES)?;
            let changes = decode_map(&mut r, true)?;
            Body::Delta {
                base_hash,
                new_codes: codes,
                changes,
            }
        } else {
            Body::Snapshot { codes }
        };
        r.finish()?;
        Ok(StatusList {
            header,
            body,
            payload_hash: Sha256::digest(payload).into(),
        })
    }

    /// A description of the list's structure, for tools that show lists.
    pub fn summary(&self) -> ListSummary {
        let maps = match &self.body {
            Body::Snapshot { codes } => vec![MapSummary::of("codes", codes)],
            Body::Delta {
                new_codes, changes, ..
            } => vec![
                MapSummary::of("new_codes", new_codes),
                MapSummary::of("changes", changes),
            ],
        };
        ListSummary {
            header: self.header.clone(),
            kind: self.kind(),
            payload_hash: self.payload_hash,
            base_hash: self.base_hash(),
            maps,
        }
    }
}

/// Reads a payload key and checks it is the one expected at this place.
fn key(r: &mut Reader<'_>, expected: u64) -> Result<(), StatusError> {
    let found = r.uint("a payload key")?;
    if found != expected {
        return Err(StatusError::BadPayload(format!(
            "payload key {found} where key {expected} belongs (keys are 1 to 9 for a \
             snapshot, 1 to 11 for a delta, in order)"
        )));
    }
    Ok(())
}

/// Checks that `next` may follow `base` (spec §7): time and coverage never go back.
pub(crate) fn check_follows(base: &ListHeader, next: &ListHeader) -> Result<(), String> {
    if next.issued_at < base.issued_at {
        return Err("issued_at is earlier than the base's".to_owned());
    }
    if next.coverage.issued_before < base.coverage.issued_before
        || next.coverage.expiring_after < base.coverage.expiring_after
    {
        return Err("coverage bounds are earlier than the base's".to_owned());
    }
    Ok(())
}

/// The name of a class: a status name, or `unchanged`.
fn class_name(class: Class) -> &'static str {
    Status::from_wire(class).map_or("unchanged", Status::name)
}

fn encode_map(out: &mut Vec<u8>, map: &StatusMap) {
    write_head(out, ARRAY, 2);
    write_head(out, ARRAY, map.levels.len() as u64);
    for level in &map.levels {
        write_head(out, ARRAY, 4);
        write_head(out, UINT, u64::from(level.class));
        write_bool(out, level.invert);
        write_head(out, ARRAY, 4);
        write_head(out, UINT, level.filter.seed());
        write_head(out, UINT, level.filter.columns() as u64);
        write_head(out, UINT, level.filter.planes() as u64);
        write_bytes(out, &level.filter.to_bytes());
        write_head(out, ARRAY, 3);
        write_head(out, UINT, level.exact.seed());
        write_head(out, UINT, level.exact.columns() as u64);
        write_bytes(out, &level.exact.to_bytes());
    }
    write_head(out, UINT, u64::from(map.last));
}

fn decode_map(r: &mut Reader<'_>, changes: bool) -> Result<StatusMap, StatusError> {
    let bad = |what: String| StatusError::BadMap(what);
    let max_class = if changes { UNCHANGED } else { UNCHANGED - 1 };
    let class = |r: &mut Reader<'_>, what: &str| -> Result<Class, StatusError> {
        let c = r.uint(what)?;
        u8::try_from(c)
            .ok()
            .filter(|c| *c <= max_class)
            .ok_or_else(|| bad(format!("{what} {c} is not a class of this map")))
    };
    r.array(2, "a status map")?;
    let count = r.array_up_to(MAX_LEVELS as u64, "the levels")?;
    let mut seen = [false; CLASSES];
    let mut mark = |c: Class| -> Result<(), StatusError> {
        match seen.get_mut(usize::from(c)) {
            Some(s) if !*s => {
                *s = true;
                Ok(())
            }
            _ => Err(bad(format!("class {c} appears twice in one map"))),
        }
    };
    let mut levels = Vec::new();
    for _ in 0..count {
        r.array(4, "a level")?;
        let level_class = class(r, "level class")?;
        mark(level_class)?;
        let invert = r.bool("invert")?;
        r.array(4, "a filter")?;
        let seed = r.uint("filter seed")?;
        let columns = r.uint("filter columns")?;
        let planes = r.uint("filter planes")?;
        let bits = r.bytes("filter solution")?;
        if planes > MAX_PLANES as u64 {
            return Err(StatusError::TooLarge {
                what: "filter planes",
                len: planes,
                max: MAX_PLANES as u64,
            });
        }
        if (planes == 0) != (columns == 0) || (planes == 0 && seed != 0) {
            return Err(bad(
                "a filter without planes has no columns and seed 0, and one with planes has \
                 columns"
                    .to_owned(),
            ));
        }
        let filter = ribbon(seed, columns, planes, bits)?;
        r.array(3, "an exact stage")?;
        let seed = r.uint("exact seed")?;
        let columns = r.uint("exact columns")?;
        let bits = r.bytes("exact solution")?;
        if columns == 0 {
            return Err(bad("an exact stage has at least one column".to_owned()));
        }
        let exact = ribbon(seed, columns, 1, bits)?;
        levels.push(Level {
            class: level_class,
            invert,
            filter,
            exact,
        });
    }
    let last = class(r, "last class")?;
    mark(last)?;
    Ok(StatusMap { levels, last })
}

fn ribbon(seed: u64, columns: u64, planes: u64, bits: &[u8]) -> Result<Ribbon, StatusError> {
    // The byte length must match before any memory is set aside for the solution, so the
    // allocation is bounded by the input's size.
    let expected = columns
        .checked_mul(planes)
        .map(|b| b.div_ceil(8))
        .ok_or_else(|| StatusError::BadMap("columns times planes overflows".to_owned()))?;
    if expected != bits.len() as u64 {
        return Err(StatusError::BadMap(format!(
            "a solution of {columns} columns and {planes} planes is {expected} bytes, not {}",
            bits.len()
        )));
    }
    let columns =
        usize::try_from(columns).map_err(|_| StatusError::BadMap("too many columns".to_owned()))?;
    Ribbon::from_bytes(seed, columns, planes as usize, bits).ok_or_else(|| {
        StatusError::NonCanonical("padding bits after a solution are not zero".to_owned())
    })
}

/// A list's structure, for display (`hcx status show`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSummary {
    /// The header.
    pub header: ListHeader,
    /// Snapshot or delta.
    pub kind: ListKind,
    /// SHA-256 of the payload.
    pub payload_hash: [u8; 32],
    /// For a delta, the payload hash of its base.
    pub base_hash: Option<[u8; 32]>,
    /// The maps: `codes` for a snapshot; `new_codes` and `changes` for a delta.
    pub maps: Vec<MapSummary>,
}

/// One map's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapSummary {
    /// `codes`, `new_codes` or `changes`.
    pub role: &'static str,
    /// The levels, in query order.
    pub levels: Vec<LevelSummary>,
    /// The class of codes that pass every level.
    pub last: &'static str,
    /// Bytes of ribbon solutions.
    pub solution_bytes: usize,
}

/// One level's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelSummary {
    /// The class this level gives.
    pub class: &'static str,
    /// True when the marked set is the class's codes, false when it is the others.
    pub marks_class: bool,
    /// Planes (`k`) of the filter; 0 when there is none.
    pub filter_planes: usize,
    /// Columns of the filter.
    pub filter_columns: usize,
    /// Columns of the exact stage.
    pub exact_columns: usize,
}

impl MapSummary {
    fn of(role: &'static str, map: &StatusMap) -> MapSummary {
        MapSummary {
            role,
            levels: map
                .levels
                .iter()
                .map(|l| LevelSummary {
                    class: class_name(l.class),
                    marks_class: !l.invert,
                    filter_planes: l.filter.planes(),
                    filter_columns: l.filter.columns(),
                    exact_columns: l.exact.columns(),
                })
                .collect(),
            last: class_name(map.last),
            solution_bytes: map.levels.iter().map(Level::solution_bytes).sum(),
        }
    }
}
