//! The PostgreSQL backend, for issuers that sign from several nodes into one registry.
//!
//! Each operation is one transaction. Recording and status changes hold a share lock on their
//! issuer's row, a publication an exclusive one, so a list is built from exactly the codes
//! committed before it and no code can be recorded with an `iat` a published list already
//! covers. Durability is PostgreSQL's: a `COMMIT` that returned is on disk
//! (`synchronous_commit` on, the server's default). Bulk operations send one statement per
//! batch (arrays with `unnest` / `= ANY`), not one per code.

use hcx_status::{CodeRecord, Coverage, Status};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Transaction};

use crate::store::{
    self, CodeRow, Epoch, Head, History, IssuerSummary, NewCode, PublishJob, SCHEMA_VERSION, Store,
    Transition, hash_of, kind_name, kind_of, sequence_of, sequence_to_db, status_of,
};
use crate::{CodeId, RegistryError};

/// The tables, as in the SQLite backend with PostgreSQL's types.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hcx_registry (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    schema_version BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS issuers (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer         TEXT NOT NULL UNIQUE,
    sequence       BIGINT,
    covered_before BIGINT NOT NULL DEFAULT 0,
    head_list      BYTEA,
    head_key       BYTEA
);
CREATE TABLE IF NOT EXISTS codes (
    issuer_id BIGINT NOT NULL REFERENCES issuers (id),
    cti       BYTEA NOT NULL CHECK (length(cti) BETWEEN 8 AND 16),
    iat       BIGINT NOT NULL,
    exp       BIGINT NOT NULL,
    status    SMALLINT NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 5),
    published SMALLINT CHECK (published BETWEEN 0 AND 5),
    PRIMARY KEY (issuer_id, cti)
);
CREATE TABLE IF NOT EXISTS epochs (
    issuer_id      BIGINT NOT NULL REFERENCES issuers (id),
    sequence       BIGINT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('snapshot', 'delta')),
    issued_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    issued_before  BIGINT NOT NULL,
    expiring_after BIGINT NOT NULL,
    payload_hash   BYTEA NOT NULL,
    base_hash      BYTEA,
    file           TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    n_valid        BIGINT NOT NULL,
    n_revoked      BIGINT NOT NULL,
    n_suspended    BIGINT NOT NULL,
    n_now_green    BIGINT NOT NULL,
    n_now_yellow   BIGINT NOT NULL,
    n_now_red      BIGINT NOT NULL,
    PRIMARY KEY (issuer_id, sequence)
);
";

const EPOCH_COLUMNS: &str = "sequence, kind, issued_at, expires_at, issued_before, \
    expiring_after, payload_hash, base_hash, file, bytes, n_valid, n_revoked, n_suspended, \
    n_now_green, n_now_yellow, n_now_red";

/// Key of the advisory lock that serialises creating the tables (several nodes may start at
/// once, and `CREATE TABLE IF NOT EXISTS` alone can race).
const INIT_LOCK: i64 = 0x6863_785f_7265_6769; // "hcx_regi"

/// A registry in a PostgreSQL database.
pub struct PostgresStore {
    client: Client,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host/db`, or a socket directory as
    /// `postgresql:///db?host=/run/postgresql`) and creates the tables if they are missing.
    pub fn connect(url: &str) -> Result<PostgresStore, RegistryError> {
        let client = Client::connect(url, NoTls).map_err(|e| {
            RegistryError::Unavailable(format!("(PostgreSQL): cannot connect: {e}"))
        })?;
        let mut store = PostgresStore { client };
        store.init()?;
        Ok(store)
    }

    fn init(&mut self) -> Result<(), RegistryError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INIT_LOCK])?;
        let exists: bool = tx
            .query_one("SELECT to_regclass('hcx_registry') IS NOT NULL", &[])?
            .try_get(0)?;
        if exists {
            let version: Option<i64> = tx
                .query_opt("SELECT schema_version FROM hcx_registry", &[])?
                .map(|r| r.try_get(0))
                .transpose()?;
            if version != Some(SCHEMA_VERSION) {
                return Err(RegistryError::Schema(format!(
                    "an hcx registry of schema version {}, not {SCHEMA_VERSION}",
                    version.map_or("none".to_owned(), |v| v.to_string())
                )));
            }
        } else {
            tx.batch_execute(SCHEMA)?;
            tx.execute(
                "INSERT INTO hcx_registry (id, schema_version) VALUES (1, $1)",
                &[&SCHEMA_VERSION],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// (id, sequence, covered_before) of an issuer, locked: `FOR SHARE` for changes that may run
/// side by side, `FOR UPDATE` for a publication.
fn issuer_state(
    tx: &mut Transaction<'_>,
    issuer: &str,
    exclusive: bool,
) -> Result<Option<(i64, Option<i64>, i64)>, RegistryError> {
    let lock = if exclusive { "FOR UPDATE" } else { "FOR SHARE" };
    let row = tx.query_opt(
        &format!("SELECT id, sequence, covered_before FROM issuers WHERE issuer = $1 {lock}"),
        &[&issuer],
    )?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()
}

fn read_epoch(issuer: &str, r: &postgres::Row) -> Result<Epoch, RegistryError> {
    let kind: String = r.try_get(1)?;
    let payload_hash: Vec<u8> = r.try_get(6)?;
    let base_hash: Option<Vec<u8>> = r.try_get(7)?;
    let bytes: i64 = r.try_get(9)?;
    let mut counts = [0u64; 6];
    for (i, c) in counts.iter_mut().enumerate() {
        let n: i64 = r.try_get(10 + i)?;
        *c = u64::try_from(n).map_err(|_| RegistryError::Schema("negative count".to_owned()))?;
    }
    Ok(Epoch {
        issuer: issuer.to_owned(),
        sequence: sequence_of(r.try_get(0)?)?,
        kind: kind_of(&kind)?,
        issued_at: r.try_get(2)?,
        expires_at: r.try_get(3)?,
        coverage: Coverage {
            issued_before: r.try_get(4)?,
            expiring_after: r.try_get(5)?,
        },
        payload_hash: hash_of(&payload_hash)?,
        base_hash: base_hash.as_deref().map(hash_of).transpose()?,
        file: r.try_get(8)?,
        bytes: u64::try_from(bytes)
            .map_err(|_| RegistryError::Schema("negative size".to_owned()))?,
        counts,
    })
}

fn epochs_of(
    tx: &mut impl postgres::GenericClient,
    issuer_id: i64,
    issuer: &str,
) -> Result<Vec<Epoch>, RegistryError> {
    tx.query(
        &format!("SELECT {EPOCH_COLUMNS} FROM epochs WHERE issuer_id = $1 ORDER BY sequence"),
        &[&issuer_id],
    )?
    .iter()
    .map(|r| read_epoch(issuer, r))
    .collect()
}

fn read_record(r: &postgres::Row) -> Result<CodeRecord<CodeId>, RegistryError> {
    let cti: Vec<u8> = r.try_get(0)?;
    let status: i16 = r.try_get(3)?;
    let published: Option<i16> = r.try_get(4)?;
    Ok(CodeRecord {
        code_id: CodeId::new(&cti)?,
        issued_at: r.try_get(1)?,
        expires_at: r.try_get(2)?,
        status: status_of(i64::from(status))?,
        published: published.map(|p| status_of(i64::from(p))).transpose()?,
    })
}

impl Store for PostgresStore {
    fn record(
        &mut self,
        issuer: &str,
        codes: &[NewCode],
    ) -> Result<Vec<Result<(), RegistryError>>, RegistryError> {
        crate::check_issuer(issuer)?;
        let mut tx = self.client.transaction()?;
        tx.execute(
            "INSERT INTO issuers (issuer) VALUES ($1) ON CONFLICT (issuer) DO NOTHING",
            &[&issuer],
        )?;
        let (issuer_id, sequence, covered_before) = issuer_state(&mut tx, issuer, false)?
            .ok_or_else(|| RegistryError::Unavailable("the issuer row vanished".to_owned()))?;
        let mut out: Vec<Result<(), RegistryError>> = Vec::with_capacity(codes.len());
        let mut ids: Vec<&[u8]> = Vec::new();
        let mut iats: Vec<i64> = Vec::new();
        let mut exps: Vec<i64> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for code in codes {
            let checked = crate::check_times(code).and_then(|()| match sequence {
                Some(s) if code.issued_at < covered_before => Err(RegistryError::TooLate {
                    code_id: code.code_id,
                    issued_at: code.issued_at,
                    issued_before: covered_before,
                    sequence: sequence_of(s)?,
                }),
                _ => Ok(()),
            });
            // The first occurrence of an id in the batch is the one sent.
            if checked.is_ok() && !seen.contains_key(&code.code_id) {
                seen.insert(code.code_id, (code.issued_at, code.expires_at));
                ids.push(code.code_id.as_bytes());
                iats.push(code.issued_at);
                exps.push(code.expires_at);
            }
            out.push(checked);
        }
        let inserted: std::collections::HashSet<Vec<u8>> = tx
            .query(
                "INSERT INTO codes (issuer_id, cti, iat, exp) \
                 SELECT $1, * FROM unnest($2::bytea[], $3::int8[], $4::int8[]) \
                 ON CONFLICT (issuer_id, cti) DO NOTHING RETURNING cti",
                &[&issuer_id, &ids, &iats, &exps],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        if inserted.len() < ids.len() {
            // Ids already there: a retry of the same code is fine, other times are not.
            let existing: std::collections::HashMap<Vec<u8>, (i64, i64)> = tx
                .query(
                    "SELECT cti, iat, exp FROM codes WHERE issuer_id = $1 AND cti = ANY($2)",
                    &[&issuer_id, &ids],
                )?
                .iter()
                .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
                .collect::<Result<_, postgres::Error>>()?;
            for (code, slot) in codes.iter().zip(out.iter_mut()) {
                let key = code.code_id.as_bytes();
                if slot.is_ok()
                    && !inserted.contains(key)
                    && existing.get(key) != Some(&(code.issued_at, code.expires_at))
                {
                    *slot = Err(RegistryError::DuplicateCode(code.code_id));
                }
            }
        }
        // The same id twice in one batch with other times.
        for (code, slot) in codes.iter().zip(out.iter_mut()) {
            if slot.is_ok() && seen.get(&code.code_id) != Some(&(code.issued_at, code.expires_at)) {
                *slot = Err(RegistryError::DuplicateCode(code.code_id));
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
        let mut tx = self.client.transaction()?;
        let (issuer_id, _, _) = issuer_state(&mut tx, issuer, false)?
            .ok_or_else(|| RegistryError::UnknownIssuer(issuer.to_owned()))?;
        let keys: Vec<&[u8]> = ids.iter().map(CodeId::as_bytes).collect();
        let current: std::collections::HashMap<Vec<u8>, i16> = tx
            .query(
                // Rows locked in key order, whatever the order of `ids`: two calls
                // over the same codes queue instead of deadlocking.
                "SELECT cti, status FROM codes WHERE issuer_id = $1 AND cti = ANY($2) \
                 ORDER BY cti FOR UPDATE",
                &[&issuer_id, &keys],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()?;
        let mut out = Vec::with_capacity(ids.len());
        let mut changed: Vec<&[u8]> = Vec::new();
        // Within one call a later id sees the status an earlier one set (as in SQLite).
        let mut now: std::collections::HashMap<&[u8], Status> = std::collections::HashMap::new();
        for id in ids {
            let key = id.as_bytes();
            let from = match (now.get(key), current.get(key)) {
                (Some(s), _) => *s,
                (None, Some(v)) => status_of(i64::from(*v))?,
                (None, None) => {
                    out.push(Err(RegistryError::UnknownCode {
                        issuer: issuer.to_owned(),
                        code_id: *id,
                    }));
                    continue;
                }
            };
            let t = store::transition(*id, from, to);
            if let Ok(t) = &t {
                if t.from != t.to {
                    changed.push(key);
                    now.insert(key, t.to);
                }
            }
            out.push(t);
        }
        if !changed.is_empty() {
            tx.execute(
                "UPDATE codes SET status = $3 WHERE issuer_id = $1 AND cti = ANY($2)",
                &[&issuer_id, &changed, &i16::from(to.to_wire())],
            )?;
        }
        tx.commit()?;
        Ok(out)
    }

    fn issuers(&mut self) -> Result<Vec<IssuerSummary>, RegistryError> {
        self.client
            .query(
                "SELECT i.issuer, i.sequence, \
                        (SELECT count(*) FROM codes c WHERE c.issuer_id = i.id) \
                 FROM issuers i ORDER BY i.issuer",
                &[],
            )?
            .iter()
            .map(|r| {
                let sequence: Option<i64> = r.try_get(1)?;
                let codes: i64 = r.try_get(2)?;
                Ok(IssuerSummary {
                    issuer: r.try_get(0)?,
                    codes: u64::try_from(codes).unwrap_or(0),
                    sequence: sequence.map(sequence_of).transpose()?,
                })
            })
            .collect()
    }

    fn code(&mut self, issuer: &str, id: &CodeId) -> Result<Option<CodeRow>, RegistryError> {
        let row = self.client.query_opt(
            "SELECT c.cti, c.iat, c.exp, c.status, c.published FROM codes c \
             JOIN issuers i ON i.id = c.issuer_id WHERE i.issuer = $1 AND c.cti = $2",
            &[&issuer, &id.as_bytes()],
        )?;
        row.map(|r| {
            let rec = read_record(&r)?;
            Ok(CodeRow {
                issuer: issuer.to_owned(),
                code_id: rec.code_id,
                issued_at: rec.issued_at,
                expires_at: rec.expires_at,
                status: rec.status,
                published: rec.published,
            })
        })
        .transpose()
    }

    fn epochs(&mut self, issuer: &str) -> Result<Vec<Epoch>, RegistryError> {
        let id: i64 = self
            .client
            .query_opt("SELECT id FROM issuers WHERE issuer = $1", &[&issuer])?
            .ok_or_else(|| RegistryError::UnknownIssuer(issuer.to_owned()))?
            .try_get(0)?;
        epochs_of(&mut self.client, id, issuer)
    }

    fn publish(&mut self, issuer: &str, job: &mut dyn PublishJob) -> Result<Epoch, RegistryError> {
        let mut tx = self.client.transaction()?;
        let (issuer_id, sequence, _) = issuer_state(&mut tx, issuer, true)?
            .ok_or_else(|| RegistryError::UnknownIssuer(issuer.to_owned()))?;
        let head = tx.query_one(
            "SELECT head_list, head_key FROM issuers WHERE id = $1",
            &[&issuer_id],
        )?;
        let (signed, key): (Option<Vec<u8>>, Option<Vec<u8>>) =
            (head.try_get(0)?, head.try_get(1)?);
        let head = match (signed, key) {
            (Some(signed), Some(key)) => Some(Head {
                signed,
                public_key: hash_of(&key)?,
            }),
            _ => None,
        };
        let history = History {
            epochs: epochs_of(&mut tx, issuer_id, issuer)?,
            head,
        };
        let coverage = job.plan(&history)?;
        {
            let params: [&(dyn postgres::types::ToSql + Sync); 3] = [
                &issuer_id,
                &coverage.issued_before,
                &coverage.expiring_after,
            ];
            let mut rows = tx.query_raw(
                "SELECT cti, iat, exp, status, published FROM codes \
                 WHERE issuer_id = $1 AND iat < $2 AND exp > $3",
                params,
            )?;
            let mut failure: Option<RegistryError> = None;
            let mut iter = std::iter::from_fn(|| {
                if failure.is_some() {
                    return None;
                }
                let next = match rows.next() {
                    Ok(Some(r)) => read_record(&r).map(Some),
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
        let bytes = i64::try_from(epoch.bytes).unwrap_or(i64::MAX);
        let base: Option<&[u8]> = epoch.base_hash.as_ref().map(|h| &h[..]);
        tx.execute(
            &format!(
                "INSERT INTO epochs (issuer_id, {EPOCH_COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
            ),
            &[
                &issuer_id,
                &seq,
                &kind_name(epoch.kind),
                &epoch.issued_at,
                &epoch.expires_at,
                &epoch.coverage.issued_before,
                &epoch.coverage.expiring_after,
                &&epoch.payload_hash[..],
                &base,
                &epoch.file,
                &bytes,
                &c[0],
                &c[1],
                &c[2],
                &c[3],
                &c[4],
                &c[5],
            ],
        )?;
        tx.execute(
            "UPDATE issuers SET sequence = $2, covered_before = $3, head_list = $4, head_key = $5 \
             WHERE id = $1",
            &[
                &issuer_id,
                &seq,
                &epoch.coverage.issued_before,
                &head.signed,
                &&head.public_key[..],
            ],
        )?;
        tx.execute(
            "UPDATE codes SET published = status \
             WHERE issuer_id = $1 AND iat < $2 AND exp > $3 \
             AND published IS DISTINCT FROM status",
            &[
                &issuer_id,
                &coverage.issued_before,
                &coverage.expiring_after,
            ],
        )?;
        tx.commit()?;
        Ok(epoch)
    }

    fn check(&mut self) -> Result<(), RegistryError> {
        let problems = self
            .client
            .query(store::INVARIANTS_SQL, &[])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        store::invariants_hold(problems)
    }
}
