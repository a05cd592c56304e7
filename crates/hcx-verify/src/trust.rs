//! What a verifier trusts: an hcx trust list (checked under the configured roots) and any
//! foreign trust inputs, each detected by its content.

use hcx_format::{SignedTrustList, TrustList, TrustListPolicy};

use hcx_error::{Code, Coded, Reason};
use hcx_status::SignedStatusList;

use crate::error::TrustError;
use crate::status::StatusData;

/// What a trust store holds for one issuer's status lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSummary {
    /// The issuer.
    pub issuer: String,
    /// The newest list applied: (sequence, issued_at, expires_at), Unix seconds; or why the
    /// issuer's lists cannot be used (code, reason, message).
    pub state: Result<(u64, i64, i64), (Code, Reason, String)>,
}

/// What a trust input was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustInputKind {
    /// A signed hcx trust list.
    HcxTrustList,
    /// An issuer's signed status list (snapshot or delta).
    StatusList,
    /// A foreign trust input: certificates, a JWKS, a DCC signer list, an SHC revocation list
    /// or an SHC issuer directory.
    #[cfg(feature = "foreign")]
    Foreign(hcx_interop::TrustKind),
}

impl TrustInputKind {
    /// A short name: `hcx-trust-list`, `certificates`, `jwks`, `dcc-signer-list`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            TrustInputKind::HcxTrustList => "hcx-trust-list",
            TrustInputKind::StatusList => "status-list",
            #[cfg(feature = "foreign")]
            TrustInputKind::Foreign(kind) => kind.as_str(),
        }
    }
}

/// Everything a verifier trusts, built from any mix of trust inputs.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub(crate) hcx: Option<hcx_format::Verifier>,
    pub(crate) status: StatusData,
    #[cfg(feature = "foreign")]
    pub(crate) foreign: hcx_interop::TrustStore,
}

impl TrustStore {
    /// An empty store: every code it judges is `unknown_key` (foreign) or has no trust list
    /// (hcx).
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Builds a store from trust inputs, each detected by content ([`TrustStore::add`]), in any
    /// order. The hcx trust list, if any, is verified under `policy` at `now` (Unix seconds).
    pub fn load<I: AsRef<[u8]>>(
        inputs: &[I],
        policy: &TrustListPolicy,
        now: i64,
    ) -> Result<TrustStore, TrustError> {
        let mut store = TrustStore::new();
        for input in inputs {
            store.add(input.as_ref(), policy, now)?;
        }
        Ok(store)
    }

    /// Adds one trust input, detected by content: an hcx trust list (verified under `policy`
    /// at `now`: roots, threshold, expiry, rollback), an issuer's status list (checked against
    /// the keys the trust list authorises for that issuer's status; a list that cannot be used
    /// is an answer about that issuer's codes, `status_invalid`, not an error here), X.509
    /// certificates, a JWKS, a DCC signer list or an SHC revocation list. A failed input leaves
    /// the store as it was.
    pub fn add(
        &mut self,
        input: &[u8],
        policy: &TrustListPolicy,
        now: i64,
    ) -> Result<TrustInputKind, TrustError> {
        if is_hcx_trust_list(input) {
            if self.hcx.is_some() {
                return Err(TrustError::SeveralTrustLists);
            }
            if policy.roots.is_empty() {
                return Err(TrustError::MissingRoots);
            }
            let list = SignedTrustList::parse(input)?.verify(policy, now)?;
            self.status.rebuild(&list);
            self.hcx = Some(hcx_format::Verifier::new(list));
            return Ok(TrustInputKind::HcxTrustList);
        }
        if is_status_list(input) {
            let list = SignedStatusList::parse(input).map_err(TrustError::Status)?;
            self.status.add(list).map_err(TrustError::Status)?;
            if let Some(trust) = self.trust_list().cloned() {
                self.status.rebuild(&trust);
            }
            return Ok(TrustInputKind::StatusList);
        }
        self.add_foreign(input)
    }

    /// Records the highest sequence of `issuer`'s status lists this verifier accepted before
    /// (kept across restarts by the app, as `hcx sync` does): status data older than that is a
    /// rollback (`status_invalid`).
    pub fn set_status_min_sequence(&mut self, issuer: &str, sequence: u64) {
        self.status.set_floor(issuer, sequence);
        if let Some(trust) = self.trust_list().cloned() {
            self.status.rebuild(&trust);
        }
    }

    /// The issuers whose status lists were given: for each, the sequence and issue time of the
    /// newest list applied, or why its lists cannot be used.
    pub fn status_lists(&self) -> Vec<StatusSummary> {
        self.status
            .issuers()
            .map(|(issuer, state)| StatusSummary {
                issuer: issuer.to_owned(),
                state: state
                    .map(|s| (s.head().sequence, s.head().issued_at, s.head().expires_at))
                    .map_err(|e| (e.code(), e.reason(), e.to_string())),
            })
            .collect()
    }

    #[cfg(feature = "foreign")]
    fn add_foreign(&mut self, input: &[u8]) -> Result<TrustInputKind, TrustError> {
        self.foreign
            .add_file(input)
            .map(TrustInputKind::Foreign)
            .map_err(TrustError::Foreign)
    }

    #[cfg(not(feature = "foreign"))]
    fn add_foreign(&mut self, _input: &[u8]) -> Result<TrustInputKind, TrustError> {
        Err(TrustError::Unrecognised(
            "not an hcx trust list (this build reads hcx codes only)",
        ))
    }

    /// The verified hcx trust list, if one was loaded.
    pub fn trust_list(&self) -> Option<&TrustList> {
        self.hcx.as_ref().map(hcx_format::Verifier::trust_list)
    }
}

/// Whether the bytes are meant as a status list: a tagged COSE_Sign1 (`d2 84`), which no other
/// trust input starts with.
fn is_status_list(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xd2, 0x84])
}

/// Whether the bytes are meant as an hcx trust list: a JSON object with a `payload` member, or
/// something that starts like a JSON object but does not parse (no foreign trust input is
/// broken JSON, so the hcx reader gives the most useful error).
pub fn is_hcx_trust_list(bytes: &[u8]) -> bool {
    let starts_like_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !starts_like_object {
        return false;
    }
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes) {
        Ok(m) => m.contains_key("payload"),
        Err(_) => serde_json::from_slice::<serde_json::Value>(bytes).is_err(),
    }
}
