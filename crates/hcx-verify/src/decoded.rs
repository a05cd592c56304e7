//! Reading a code without verifying it, for display (`hcx decode`): what it claims, clearly
//! marked unverified.

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::error::VerifyError;
use crate::verdict::{Format, SortedJson};

/// The warning every decoded payload carries.
pub const UNVERIFIED_WARNING: &str =
    "UNVERIFIED: signature, issuer, validity and scope have not been checked; use `hcx verify`";

/// A code read for display, nothing verified.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Decoded {
    /// An hcx code.
    Hcx(hcx_format::UnverifiedCode),
    /// A foreign certificate.
    #[cfg(feature = "foreign")]
    Foreign(hcx_interop::Decoded),
}

/// Reads a code of any supported format without verifying anything.
pub fn decode(text: &str) -> Result<Decoded, VerifyError> {
    #[cfg(feature = "foreign")]
    if !text.starts_with(hcx_format::PREFIX) && hcx_interop::detect(text).is_some() {
        return Ok(Decoded::Foreign(hcx_interop::decode(text)?));
    }
    hcx_format::decode(text)
        .map(Decoded::Hcx)
        .map_err(|e| VerifyError::Hcx(e.into()))
}

impl Decoded {
    /// The code's format.
    pub fn format(&self) -> Format {
        match self {
            Decoded::Hcx(_) => Format::Hcx,
            #[cfg(feature = "foreign")]
            Decoded::Foreign(d) => Format::from_name(d.format).unwrap_or(Format::EuDcc),
        }
    }

    /// The payload as one JSON object, keys sorted, with `"verified": false` and a warning.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&SortedJson(&self.tree())).unwrap_or_default()
    }

    /// [`Decoded::to_json`], indented for people.
    pub fn to_json_pretty(&self) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::pretty(&mut out);
        if SortedJson(&self.tree()).serialize(&mut ser).is_err() {
            return self.to_json();
        }
        String::from_utf8(out).unwrap_or_default()
    }

    fn tree(&self) -> Json {
        let mut json = json!({ "verified": false, "warning": UNVERIFIED_WARNING });
        let fields = match self {
            Decoded::Hcx(code) => {
                let mut fields = json!({
                    "format": "hcx",
                    "alg": code.alg,
                    "key_id": code.key_id.to_string(),
                    "issuer": code.issuer,
                    "issued_at": rfc3339(code.issued_at),
                    "expires_at": rfc3339(code.expires_at),
                    "code_id": code.code_id_hex(),
                    "claims": code.claims,
                });
                if let (Some(nbf), Some(obj)) = (code.not_before, fields.as_object_mut()) {
                    obj.insert("not_before".into(), rfc3339(nbf).into());
                }
                fields
            }
            #[cfg(feature = "foreign")]
            Decoded::Foreign(d) => serde_json::to_value(d).unwrap_or(Json::Null),
        };
        if let (Some(obj), Json::Object(fields)) = (json.as_object_mut(), fields) {
            obj.extend(fields);
        }
        json
    }
}

fn rfc3339(unix: i64) -> String {
    hcx_format::timefmt::format_rfc3339(unix)
}
