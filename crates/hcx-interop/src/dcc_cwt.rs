//! The CWT claims of a DCC: what both of `dcc`'s claim readers produce (the general one in
//! `dcc`, the fast one in `fast_cwt`) and what `summary` reads. A leaf module, so those three
//! depend on it and not on each other.

use serde_json::Value as Json;

/// The CWT claims of a DCC.
#[derive(Debug, Clone, PartialEq)]
pub struct Cwt {
    /// `iss` (1): the issuing country.
    pub iss: Option<String>,
    /// `iat` (6), Unix seconds.
    pub iat: Option<i64>,
    /// `exp` (4), Unix seconds.
    pub exp: Option<i64>,
    /// The DCC itself (`-260` → `1`), as JSON.
    pub dcc: Json,
}
