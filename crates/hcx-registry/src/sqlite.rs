//! The SQLite backend: a registry in one file, nothing to start.
//!
//! Durability: write-ahead log with `synchronous = FULL`, so a transaction is on disk when
//! its `COMMIT` returns; every change takes the write lock up front (`BEGIN IMMEDIATE`), so
//! concurrent processes queue (up to [`BUSY_TIMEOUT`]) instead of failing half way.

use std::path::Path;
use std::time::Duration;

use hcx_status::{CodeRecord, Coverage, Status};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::store::{
    self, CodeRow, Epoch, Head, History, IssuerSummary, NewCode, PublishJob, SCHEMA_VERSION, Store,
    Transition, hash_of, kind_name, kind_of, sequence_of, sequence_to_db, status_of,
};
use crate::{CodeId, RegistryError};

/// How long a change waits for another process's transaction (a publication of millions of
/// codes takes seconds) before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// The tables; `WITHOUT ROWID` keeps each code in its primary-key b-tree only (one write per
/// code, not two).
const SCHEMA: &str = "
CREATE TABLE hcx_registry (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    schema_version INTEGER NOT NULL
);
CREATE TABLE issuers (
    id             INTEGER PRIMARY KEY,
    issuer         TEXT NOT NULL UNIQUE,
    sequence       INTEGER,
    covered_before INTEGER NOT NULL DEFAULT 0,
    head_list      BLOB,
    head_key       BLOB
);
CREATE TABLE codes (
    issuer_id INTEGER NOT NULL REFERENCES issuers (id),
    cti       BLOB NOT NULL CHECK (length(cti) BETWEEN 8 AND 16),
    iat       INTEGER NOT NULL,
    exp       INTEGER NOT NULL,
    status    INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 5),
    published INTEGER CHECK (published BETWEEN 0 AND 5),
    PRIMARY KEY (issuer_id, cti)
) WITHOUT ROWID;
CREATE TABLE epochs (
    issuer_id      INTEGER NOT NULL REFERENCES issuers (id),
    sequence       INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('snapshot', 'delta')),
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    issued_before  INTEGER NOT NULL,
    expiring_after INTEGER NOT NULL,
    payload_hash   BLOB NOT NULL,
    base_hash      BLOB,
    file           TEXT NOT NULL,
    bytes          INTEGER NOT NULL,
    n_valid        INTEGER NOT NULL,
    n_revoked      INTEGER NOT NULL,
    n_suspended    INTEGER NOT NULL,
    n_now_green    INTEGER NOT NULL,
    n_now_yellow   INTEGER NOT NULL,
    n_now_red      INTEGER NOT NULL,
    PRIMARY KEY (issuer_id, sequence)
);
";

const EPOCH_COLUMNS: &str = "sequence, kind, issued_at, expires_at, issued_before, \
    expiring_after, payload_hash, base_hash, file, bytes, n_valid, n_revoked, n_suspended, \
    n_now_green, n_now_yellow, n_now_red";

/// A registry in an SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens the registry at `path`, creating it (and its tables) when the file is new or
    /// empty; refuses a database that is not an hcx registry of this schema version.
    pub fn open(path: &Path) -> Result<SqliteStore, RegistryError> {
        let conn = Connection::open(path).map_err(|e| {
            RegistryError::Unavailable(format!("{}: cannot open (SQLite): {e}", path.display()))
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // `journal_mode` answers with the mode in force; anything but WAL (a read-only
        // medium, say) would lose the durability this store promises.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| {
                RegistryError::Unavailable(format!(
                    "{}: not an SQLite database: {e}",
                    path.display()
                ))
            })?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(RegistryError::Unavailable(format!(
                "{}: cannot use write-ahead logging (journal mode {mode})",
                path.display()
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA cache_size = -65536;
             PRAGMA foreign_keys = ON;",
        )?;
        let mut store = SqliteStore { conn };
        store.init(path)?;
        Ok(store)
    }

    /// Creates the tables in an empty database, or checks the version of an existing one.
    fn init(&mut self, path: &Path) -> Result<(), RegistryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tables: i64 = tx.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        let has_registry: bool = tx.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'hcx_registry'",
            [],
            |r| r.get(0),
        )?;
        if has_registry {
            let version: Option<i64> = tx
                .query_row("SELECT schema_version FROM hcx_registry", [], |r| r.get(0))
                .optional()?;
            if version != Some(SCHEMA_VERSION) {
                return Err(RegistryError::Schema(format!(
                    "{}: an hcx registry of schema version {}, not {SCHEMA_VERSION}",
                    path.display(),
                    version.map_or("none".to_owned(), |v| v.to_string())
                )));
            }
        } else if tables > 0 {
            return Err(RegistryError::Schema(format!(
                "{}: an SQLite database that is not an hcx registry",
                path.display()
            )));
        } else {
            tx.execute_batch(SCHEMA)?;
            tx.execute(
                "INSERT INTO hcx_registry (id, schema_version) VALUES (1, ?1)",
                [SCHEMA_VERSION],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// `head_list` and `head_key` of an issuer's row.
type HeadColumns = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The issuer's id and the bound of its last list: (id, sequence, covered_before).
type IssuerState = (i64, Option<i64>, i64);

fn issuer_state(
    tx: &rusqlite::Transaction<'_>,
    issuer: &str,
) -> Result<Option<IssuerState>, RegistryError> {
    Ok(tx
        .query_row(
            "SELECT id, sequence, covered_before FROM issuers WHERE issuer = ?1",
            [issuer],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

fn read_epoch(issuer: &str, r: &rusqlite::Row<'_>) -> Result<Epoch, RegistryError> {
    let kind: String = r.get(1)?;
    let payload_hash: Vec<u8> = r.get(6)?;
    let base_hash: Option<Vec<u8>> = r.get(7)?;
    let bytes: i64 = r.get(9)?;
    let mut counts = [0u64; 6];
    for (i, c) in counts.iter_mut().enumerate() {
        let n: i64 = r.get(10 + i)?;
        *c = u64::try_from(n).map_err(|_| RegistryError::Schema("negative count".to_owned()))?;
    }
    Ok(Epoch {
        issuer: issuer.to_owned(),
        sequence: sequence_of(r.get(0)?)?,
        kind: kind_of(&kind)?,
        issued_at: r.get(2)?,
        expires_at: r.get(3)?,
        coverage: Coverage {
            issued_before: r.get(4)?,
            expiring_after: r.get(5)?,
        },
        payload_hash: hash_of(&payload_hash)?,
        base_hash: base_hash.as_deref().map(hash_of).transpose()?,
        file: r.get(8)?,
        bytes: u64::try_from(bytes)
            .map_err(|_| RegistryError::Schema("negative size".to_owned()))?,
        counts,
    })
}

fn epochs_of(conn: &Connection, issuer_id: i64, issuer: &str) -> Result<Vec<Epoch>, RegistryError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EPOCH_COLUMNS} FROM epochs WHERE issuer_id = ?1 ORDER BY sequence"
    ))?;
    let mut rows = stmt.query([issuer_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_epoch(issuer, r)?);
    }
    Ok(out)
}

fn read_record(r: &rusqlite::Row<'_>) -> Result<CodeRecord<CodeId>, RegistryError> {
    let cti: Vec<u8> = r.get(0)?;
    let published: Option<i64> = r.get(4)?;
    Ok(CodeRecord {
        code_id: CodeId::new(&cti)?,
        issued_at: r.get(1)?,
        expires_at: r.get(2)?,
        status: status_of(r.get(3)?)?,
        published: published.map(status_of).transpose()?,
    })
}

impl Store for SqliteStore {
    fn record(
        &mut self,
        issuer: &str,
        codes: &[NewCode],
    ) -> Result<Vec<Result<(), RegistryError>>, RegistryError> {
        crate::check_issuer(issuer)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO issuers (issuer) VALUES (?1) ON CONFLICT (issuer) DO NOTHING",
            [issuer],
        )?;
        let (issuer_id, sequence, covered_before) = issuer_state(&tx, issuer)?
            .ok_or_else(|| RegistryError::Unavailable("the issuer row vanished".to_owned()))?;
        let mut out: Vec<Result<(), RegistryError>> = Vec::with_capacity(codes.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO codes (issuer_id, cti, iat, exp) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (issuer_id, cti) DO NOTHING",
            )?;
            let mut existing =
                tx.prepare_cached("SELECT iat, exp FROM codes WHERE issuer_id = ?1 AND cti = ?2")?;
            // In key order, each insert lands next to the last one in the b-tree.
            let mut order: Vec<usize> = (0..codes.len()).collect();
            order.sort_unstable_by_key(|i| codes.get(*i).map(|c| c.code_id));
            out.resize_with(codes.len(), || Ok(()));
            for i in order {
                let (Some(code), Some(slot)) = (codes.get(i), out.get_mut(i)) else {
                    continue;
                };
                *slot = crate::check_times(code).and_then(|()| {
                    if let Some(sequence) = sequence.filter(|_| code.issued_at < covered_before) {
                        return Err(RegistryError::TooLate {
                            code_id: code.code_id,
                            issued_at: code.issued_at,
                            issued_before: covered_before,
                            sequence: sequence_of(sequence)?,
                        });
                    }
                    let id = code.code_id.as_bytes();
                    if insert.execute(params![issuer_id, id, code.issued_at, code.expires_at])? == 1
                    {
                        return Ok(());
                    }
                    let (iat, exp): (i64, i64) = existing
                        .query_row(params![issuer_id, id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    if (iat, exp) == (code.issued_at, code.expires_at) {
                        Ok(())
                    } else {
                        Err(RegistryError::DuplicateCode(code.code_id))
                    }
                });
                // A storage failure ends the whole transaction, not just this code.
                if let Some(Err(RegistryError::Unavailable(e))) = out.get(i) {
                    return Err(RegistryError::Unavailable(e.clone()));
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn set_status(
        &mut self,
        issuer: &str,
        ids: &[CodeId],
        to: Status,
    ) -> Result<Vec<Result<Transition, RegistryError>>, RegistryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (issuer_id, _, _) = issuer_state(&tx, issuer)?
            .ok_or_else(|| RegistryError::UnknownIssuer(issuer.to_owned()))?;
        let mut out = Vec::with_capacity(ids.len());
        {
            let mut get =
                tx.prepare_cached("SELECT status FROM codes WHERE issuer_id = ?1 AND cti = ?2")?;
            let mut set = tx
                .prepare_cached("UPDATE codes SET status = ?3 WHERE issuer_id = ?1 AND cti = ?2")?;
            for id in ids {
                let from: Option<i64> = get
                    .query_row(params![issuer_id, id.as_bytes()], |r| r.get(0))
                    .optional()?;
                let Some(from) = from else {
                    out.push(Err(RegistryError::UnknownCode {
                        issuer: issuer.to_owned(),
                        code_id: *id,
                    }));
                    continue;
                };
                let t = store::transition(*id, status_of(from)?, to);
                if let Ok(t) = &t {
                    if t.from != t.to {
                        set.execute(params![issuer_id, id.as_bytes(), i64::from(to.to_wire())])?;
                    }
                }
                out.push(t);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn issuers(&mut self) -> Result<Vec<IssuerSummary>, RegistryError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.issuer, i.sequence, \
                    (SELECT count(*) FROM codes c WHERE c.issuer_id = i.id) \
             FROM issuers i ORDER BY i.issuer",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let sequence: Option<i64> = r.get(1)?;
            let codes: i64 = r.get(2)?;
            out.push(IssuerSummary {
                issuer: r.get(0)?,
                codes: u64::try_from(codes).unwrap_or(0),
                sequence: sequence.map(sequence_of).transpose()?,
            });
        }
        Ok(out)
    }

    fn code(&mut self, issuer: &str, id: &CodeId) -> Result<Option<CodeRow>, RegistryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.cti, c.iat, c.exp, c.status, c.published FROM codes c \
             JOIN issuers i ON i.id = c.issuer_id WHERE i.issuer = ?1 AND c.cti = ?2",
        )?;
        let mut rows = stmt.query(params![issuer, id.as_bytes()])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let rec = read_record(r)?;
        Ok(Some(CodeRow {
            issuer: issuer.to_owned(),
            code_id: rec.code_id,
            issued_at: rec.issued_at,
            expires_at: rec.expires_at,
            status: rec.status,
            published: rec.published,
        }))
    }

    fn epochs(&mut self, issuer: &str) -> Result<Vec<Epoch>, RegistryError> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM issuers WHERE issuer = ?1", [issuer], |r| {
                r.get(0)
            })
            .optional()?;
        let id = id.ok_or_else(|| RegistryError::UnknownIssuer(issuer.to_owned()))?;
        epochs_of(&self.conn, id, issuer)
    }

    fn publish(&mut self, issuer: &str, job: &mut dyn PublishJob) -> Result<Epoch, RegistryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (issuer_id, sequence, _) = issuer_state(&tx, issuer)?
            .ok_or_else(|| RegistryError::UnknownIssuer(issuer.to_owned()))?;
        let head: Option<HeadColumns> = tx
            .query_row(
                "SELECT head_list, head_key FROM issuers WHERE id = ?1",
                [issuer_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let head = match head {
            Some((Some(signed), Some(key))) => Some(Head {
                signed,
                public_key: hash_of(&key)?,
            }),
            _ => None,
        };
        let history = History {
            epochs: epochs_of(&tx, issuer_id, issuer)?,
            head,
        };
        let coverage = job.plan(&history)?;
        {
            let mut stmt = tx.prepare(
                "SELECT cti, iat, exp, status, published FROM codes \
                 WHERE issuer_id = ?1 AND iat < ?2 AND exp > ?3",
            )?;
            let mut rows = stmt.query(params![
                issuer_id,
                coverage.issued_before,
                coverage.expiring_after
            ])?;
            let mut failure: Option<RegistryError> = None;
            let mut iter = std::iter::from_fn(|| {
                if failure.is_some() {
                    return None;
                }
                let next = match rows.next() {
                    Ok(Some(r)) => read_record(r).map(Some),
                    Ok(None) => Ok(None),
                    Err(e) => Err(e.into()),
                };
                next.unwrap_or_else(|e| {
                    failure = Some(e);
                    None
                })
            });
            let built = job.build(&mut iter);
            // A read that failed half way must not become a list missing codes.
            if let Some(e) = failure {
                return Err(e);
            }
            built?;
        }
        let (epoch, head) = job.write()?;
        if epoch.sequence != sequence.map_or(Ok(1), |s| sequence_of(s).map(|s| s + 1))? {
            return Err(RegistryError::InvalidInput(format!(
                "list {} does not follow the last one published",
                epoch.sequence
            )));
        }
        let seq = sequence_to_db(epoch.sequence)?;
        let c = epoch.counts.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        tx.execute(
            &format!(
                "INSERT INTO epochs (issuer_id, {EPOCH_COLUMNS}) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            ),
            params![
                issuer_id,
                seq,
                kind_name(epoch.kind),
                epoch.issued_at,
                epoch.expires_at,
                epoch.coverage.issued_before,
                epoch.coverage.expiring_after,
                &epoch.payload_hash[..],
                epoch.base_hash.as_ref().map(|h| &h[..]),
                epoch.file,
                i64::try_from(epoch.bytes).unwrap_or(i64::MAX),
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5]
            ],
        )?;
        tx.execute(
            "UPDATE issuers SET sequence = ?2, covered_before = ?3, head_list = ?4, head_key = ?5 \
             WHERE id = ?1",
            params![
                issuer_id,
                seq,
                epoch.coverage.issued_before,
                head.signed,
                &head.public_key[..]
            ],
        )?;
        tx.execute(
            "UPDATE codes SET published = status \
             WHERE issuer_id = ?1 AND iat < ?2 AND exp > ?3 AND published IS NOT status",
            params![issuer_id, coverage.issued_before, coverage.expiring_after],
        )?;
        tx.commit()?;
        Ok(epoch)
    }

    fn check(&mut self) -> Result<(), RegistryError> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if result != "ok" {
            return Err(RegistryError::Schema(format!(
                "the SQLite integrity check failed: {result}"
            )));
        }
        let problems: Vec<String> = {
            let mut stmt = self.conn.prepare(crate::store::INVARIANTS_SQL)?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(r.get(0)?);
            }
            out
        };
        crate::store::invariants_hold(problems)
    }
}
