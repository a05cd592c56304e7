//! The storage contract both backends (SQLite, PostgreSQL) fulfil, and the rows they keep.

use hcx_status::{CodeRecord, Coverage, ListKind, Status};

use crate::{CodeId, RegistryError};

/// Version of the tables this crate creates and reads (`hcx_registry.schema_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// A code just signed, to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewCode {
    /// Its id (`cti`).
    pub code_id: CodeId,
    /// Its `iat`, Unix seconds.
    pub issued_at: i64,
    /// Its `exp`, Unix seconds.
    pub expires_at: i64,
}

/// One recorded code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The issuer.
    pub issuer: String,
    /// The code id.
    pub code_id: CodeId,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `exp`, Unix seconds.
    pub expires_at: i64,
    /// The status now.
    pub status: Status,
    /// The status the last published list gives it; `None` when no list covered it yet.
    pub published: Option<Status>,
}

/// A status change applied to one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The code.
    pub code_id: CodeId,
    /// Its status before.
    pub from: Status,
    /// Its status now (the same as `from` when nothing changed).
    pub to: Status,
}

/// One issuer of a registry, with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerSummary {
    /// The issuer id.
    pub issuer: String,
    /// Codes recorded.
    pub codes: u64,
    /// The sequence of its last published list, if any.
    pub sequence: Option<u64>,
}

/// A published status list, as the registry remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epoch {
    /// The issuer.
    pub issuer: String,
    /// The list's sequence.
    pub sequence: u64,
    /// Snapshot or delta.
    pub kind: ListKind,
    /// The list's `issued_at`.
    pub issued_at: i64,
    /// The list's `expires_at`.
    pub expires_at: i64,
    /// What it covers.
    pub coverage: Coverage,
    /// SHA-256 of its payload (what the next delta binds).
    pub payload_hash: [u8; 32],
    /// For a delta, its base's payload hash.
    pub base_hash: Option<[u8; 32]>,
    /// The file name it was published under.
    pub file: String,
    /// Size of the signed file.
    pub bytes: u64,
    /// Covered codes per status, in wire order (valid, revoked, suspended, now green, yellow,
    /// red), after this list.
    pub counts: [u64; 6],
}

/// The last published list of an issuer: what the next delta is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The signed file as published.
    pub signed: Vec<u8>,
    /// The Ed25519 public key that signed it (to read it back, even after a key change).
    pub public_key: [u8; 32],
}

/// What a publisher sees of an issuer inside the publishing transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Every list published, oldest first.
    pub epochs: Vec<Epoch>,
    /// The last one's file, when there is one.
    pub head: Option<Head>,
}

/// The rows a publisher reads: one per code the list covers, streamed from the store.
pub type Rows<'a> = &'a mut dyn Iterator<Item = CodeRecord<CodeId>>;

/// A publication, run by [`Store::publish`] inside one transaction that holds off every
/// recording and status change of the issuer until it commits: `plan`, `build`, `write`,
/// then the store records the epoch and commits.
pub trait PublishJob {
    /// Given what was published before, the coverage of the new list.
    fn plan(&mut self, history: &History) -> Result<Coverage, RegistryError>;
    /// Builds and signs the list from every row the coverage covers.
    fn build(&mut self, rows: Rows<'_>) -> Result<(), RegistryError>;
    /// Writes the list's file (called only once every row was read); returns the epoch to
    /// record and the new head.
    fn write(&mut self) -> Result<(Epoch, Head), RegistryError>;
}

/// An issuer's registry: the codes it signed and the lists it published.
///
/// Every method is one transaction: what it returns `Ok` for is committed and durable (an
/// acknowledged change is never lost), and a failure leaves nothing half done. Per-code
/// outcomes of the bulk methods are in their inner results.
pub trait Store: Send {
    /// Records codes of `issuer` just signed. A code whose id is already recorded with the
    /// same times is accepted again (a retry); with other times it is a
    /// [`RegistryError::DuplicateCode`]; one issued before the coverage of a list already
    /// published is [`RegistryError::TooLate`].
    fn record(
        &mut self,
        issuer: &str,
        codes: &[NewCode],
    ) -> Result<Vec<Result<(), RegistryError>>, RegistryError>;

    /// Sets the status of codes of `issuer`; revocation is final
    /// ([`RegistryError::Final`]), an id not recorded is [`RegistryError::UnknownCode`].
    fn set_status(
        &mut self,
        issuer: &str,
        ids: &[CodeId],
        to: Status,
    ) -> Result<Vec<Result<Transition, RegistryError>>, RegistryError>;

    /// The issuers with codes or lists, by id.
    fn issuers(&mut self) -> Result<Vec<IssuerSummary>, RegistryError>;

    /// One recorded code.
    fn code(&mut self, issuer: &str, id: &CodeId) -> Result<Option<CodeRow>, RegistryError>;

    /// The lists published for `issuer`, oldest first.
    fn epochs(&mut self, issuer: &str) -> Result<Vec<Epoch>, RegistryError>;

    /// Runs a publication: the history, the rows the new list covers, then records the epoch
    /// and marks each covered code's status as published, all in one transaction.
    fn publish(&mut self, issuer: &str, job: &mut dyn PublishJob) -> Result<Epoch, RegistryError>;

    /// Checks the store: the database's own integrity check and the registry's invariants
    /// (statuses in range, sequences contiguous, published statuses only on covered codes).
    fn check(&mut self) -> Result<(), RegistryError>;
}

/// A status from its wire value as stored.
pub(crate) fn status_of(value: i64) -> Result<Status, RegistryError> {
    u8::try_from(value)
        .ok()
        .and_then(Status::from_wire)
        .ok_or_else(|| RegistryError::Schema(format!("stored status {value} is not a status")))
}

/// The kind name stored for a list.
pub(crate) fn kind_name(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Snapshot => "snapshot",
        ListKind::Delta => "delta",
    }
}

/// The list kind from its stored name.
pub(crate) fn kind_of(name: &str) -> Result<ListKind, RegistryError> {
    match name {
        "snapshot" => Ok(ListKind::Snapshot),
        "delta" => Ok(ListKind::Delta),
        other => Err(RegistryError::Schema(format!(
            "stored list kind `{other}` is not snapshot or delta"
        ))),
    }
}

/// A stored 32-byte hash.
pub(crate) fn hash_of(bytes: &[u8]) -> Result<[u8; 32], RegistryError> {
    bytes
        .try_into()
        .map_err(|_| RegistryError::Schema(format!("a stored hash is {} bytes", bytes.len())))
}

/// A stored sequence (non-negative 64-bit integer in the database).
pub(crate) fn sequence_of(value: i64) -> Result<u64, RegistryError> {
    u64::try_from(value)
        .map_err(|_| RegistryError::Schema(format!("stored sequence {value} is negative")))
}

/// A sequence as the databases store it (signed 64 bits).
pub(crate) fn sequence_to_db(sequence: u64) -> Result<i64, RegistryError> {
    i64::try_from(sequence)
        .map_err(|_| RegistryError::InvalidInput(format!("sequence {sequence} is too large")))
}

/// Which transitions are allowed: anything but leaving `revoked`.
pub(crate) fn transition(
    code_id: CodeId,
    from: Status,
    to: Status,
) -> Result<Transition, RegistryError> {
    if from == Status::Revoked && to != Status::Revoked {
        return Err(RegistryError::Final(code_id));
    }
    Ok(Transition { code_id, from, to })
}

/// The registry's invariants as one query (the same SQL on both backends), one row per
/// problem found: sequences contiguous from 1 up to the issuer's, a head exactly when a list
/// was published, a published status only on codes some list covered, and every code's
/// columns in range (the tables' constraints, checked again for a database someone altered).
pub(crate) const INVARIANTS_SQL: &str = "
SELECT 'issuer ' || i.issuer || ': its published lists are not numbered 1 to its sequence'
FROM issuers i
WHERE (SELECT count(*) FROM epochs e WHERE e.issuer_id = i.id) <> coalesce(i.sequence, 0)
   OR (SELECT coalesce(max(e.sequence), 0) FROM epochs e WHERE e.issuer_id = i.id)
      <> coalesce(i.sequence, 0)
   OR (SELECT coalesce(min(e.sequence), 1) FROM epochs e WHERE e.issuer_id = i.id) < 1
UNION ALL
SELECT 'issuer ' || i.issuer || ': its head list does not match its sequence'
FROM issuers i
WHERE (i.sequence IS NULL) <> (i.head_list IS NULL) OR (i.head_list IS NULL) <> (i.head_key IS NULL)
UNION ALL
SELECT 'issuer ' || i.issuer || ': a code no list covered has a published status'
FROM issuers i
WHERE EXISTS (SELECT 1 FROM codes c WHERE c.issuer_id = i.id AND c.published IS NOT NULL
              AND c.iat >= i.covered_before)
UNION ALL
SELECT 'issuer ' || i.issuer || ': a code has a status, id or times out of range'
FROM issuers i
WHERE EXISTS (SELECT 1 FROM codes c WHERE c.issuer_id = i.id
              AND (c.status NOT BETWEEN 0 AND 5 OR c.published NOT BETWEEN 0 AND 5
                   OR length(c.cti) NOT BETWEEN 8 AND 16 OR c.exp <= c.iat))
";

/// The outcome of [`INVARIANTS_SQL`].
pub(crate) fn invariants_hold(problems: Vec<String>) -> Result<(), RegistryError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RegistryError::Schema(format!(
            "the registry is inconsistent: {}",
            problems.join("; ")
        )))
    }
}
