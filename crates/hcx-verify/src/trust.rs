//! What a verifier trusts: an hcx trust list (checked under the configured roots) and any
//! foreign trust inputs, each detected by its content.

use hcx_format::{SignedTrustList, TrustList, TrustListPolicy};

use crate::error::TrustError;

/// What a trust input was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustInputKind {
    /// A signed hcx trust list.
    HcxTrustList,
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
            #[cfg(feature = "foreign")]
            TrustInputKind::Foreign(kind) => kind.as_str(),
        }
    }
}

/// Everything a verifier trusts, built from any mix of trust inputs.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub(crate) hcx: Option<hcx_format::Verifier>,
    #[cfg(feature = "foreign")]
    pub(crate) foreign: hcx_interop::TrustStore,
}

impl TrustStore {
    /// An empty store: every code it judges is `unknown_key` (foreign) or has no trust list
    /// (hcx).
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Builds a store from trust inputs, each detected by content ([`TrustStore::add`]). The
    /// hcx trust list, if any, is verified under `policy` at `now` (Unix seconds).
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
    /// at `now`: roots, threshold, expiry, rollback), X.509 certificates, a JWKS, a DCC signer
    /// list or an SHC revocation list. A failed input leaves the store as it was.
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
            self.hcx = Some(hcx_format::Verifier::new(list));
            return Ok(TrustInputKind::HcxTrustList);
        }
        self.add_foreign(input)
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
