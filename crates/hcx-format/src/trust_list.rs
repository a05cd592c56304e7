//! The trust list: which issuers and keys verifiers trust, signed by root keys as a JWS.
//!
//! The signed form is a JWS in general JSON serialisation (RFC 7515 §7.2.1) with EdDSA
//! (RFC 8037): the signature covers `BASE64URL(protected) || "." || BASE64URL(payload)`, the
//! exact payload bytes as stored, so no JSON canonicalisation is involved.

use std::collections::{BTreeMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::claims::{EvidenceKind, Status, check_region};
use crate::error::TrustListError;
use crate::keys::{KeyId, PrivateKey, PublicKey};
use crate::limits::{
    MAX_ISSUER_NAME_BYTES, MAX_ISSUERS, MAX_KEYS_PER_ISSUER, MAX_TRUST_LIST_BYTES,
    MAX_TRUST_LIST_SIGNATURES,
};
use crate::timefmt::{self, MAX_UNIX_TIME};

/// Version of the trust-list payload format this crate reads and writes.
pub const TRUST_LIST_VERSION: u32 = 1;
/// The JWS `typ` of a signed trust list.
pub const TRUST_LIST_TYP: &str = "hcx-trust-list+json";

/// The list of trusted issuers, as a regulator publishes it (the signed payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustList {
    /// Payload format version (1).
    pub version: u32,
    /// Increases with every signed edition; verifiers refuse to go back (rollback).
    pub sequence: u64,
    /// When this edition was signed.
    #[serde(with = "timefmt::rfc3339")]
    pub issued_at: i64,
    /// After this instant the list must not be used (freeze attacks).
    #[serde(with = "timefmt::rfc3339")]
    pub expires_at: i64,
    /// The trusted issuers.
    pub issuers: Vec<IssuerEntry>,
}

/// One issuer (an app or a provincial platform) and what it may issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerEntry {
    /// The id codes carry in `iss`, e.g. `dingtalk`.
    pub id: String,
    /// Display names by language tag; `en` is required, `zh` recommended.
    pub names: BTreeMap<String, String>,
    /// What this issuer may issue.
    pub scopes: Scopes,
    /// Its signing keys.
    pub keys: Vec<KeyEntry>,
}

/// The claims an issuer may put in codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    /// Statuses it may issue.
    pub statuses: Vec<Status>,
    /// Evidence kinds it may include.
    pub evidence: Vec<EvidenceKind>,
    /// Regions it may issue for (`CN` covers every `CN-…`); absent means any region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
}

impl Default for Scopes {
    fn default() -> Self {
        Scopes {
            statuses: Status::ALL.to_vec(),
            evidence: EvidenceKind::ALL.to_vec(),
            regions: None,
        }
    }
}

/// Lifecycle state of an issuer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// In use.
    Active,
    /// No longer used to issue; codes issued inside its window still verify.
    Retired,
    /// Leaked: nothing it signed is trusted, whatever `iat` claims.
    Compromised,
}

/// What an issuer key may sign (SPEC §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyUsage {
    /// Health codes.
    Codes,
    /// The issuer's status lists (SPEC.md §14).
    Status,
}

impl KeyUsage {
    /// The usage of a key entry that names none: codes only, as before status lists existed.
    fn default_set() -> Vec<KeyUsage> {
        vec![KeyUsage::Codes]
    }

    fn is_default_set(usage: &[KeyUsage]) -> bool {
        usage == [KeyUsage::Codes]
    }

    /// The name in trust lists and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::Codes => "codes",
            KeyUsage::Status => "status",
        }
    }
}

impl std::str::FromStr for KeyUsage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [KeyUsage::Codes, KeyUsage::Status]
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a key usage (codes, status)"))
    }
}

/// One issuer signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// Key id: hex of the first 8 bytes of SHA-256 of the raw public key.
    pub kid: String,
    /// The only algorithm this key may verify (`EdDSA`).
    pub alg: String,
    /// Raw 32-byte Ed25519 public key, base64url without padding.
    pub public_key: String,
    /// Codes issued (`iat`) before this instant are not accepted.
    #[serde(
        default,
        with = "timefmt::rfc3339_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_before: Option<i64>,
    /// Codes issued (`iat`) after this instant are not accepted.
    #[serde(
        default,
        with = "timefmt::rfc3339_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_after: Option<i64>,
    /// Lifecycle state.
    pub status: KeyStatus,
    /// What the key may sign; absent means `["codes"]`. Keeping status keys apart from code
    /// keys lets an issuer publish status from a machine that cannot issue codes.
    #[serde(
        default = "KeyUsage::default_set",
        skip_serializing_if = "KeyUsage::is_default_set"
    )]
    pub usage: Vec<KeyUsage>,
}

impl KeyEntry {
    /// Builds the entry for an EdDSA public key.
    pub fn new(key: &PublicKey, not_before: Option<i64>, not_after: Option<i64>) -> KeyEntry {
        KeyEntry {
            kid: key.key_id().to_string(),
            alg: "EdDSA".to_owned(),
            public_key: URL_SAFE_NO_PAD.encode(key.to_bytes()),
            not_before,
            not_after,
            status: KeyStatus::Active,
            usage: KeyUsage::default_set(),
        }
    }

    /// Whether the key may sign `usage`.
    pub fn may_sign(&self, usage: KeyUsage) -> bool {
        self.usage.contains(&usage)
    }

    /// The decoded public key.
    pub fn public_key(&self) -> Result<PublicKey, TrustListError> {
        let raw = URL_SAFE_NO_PAD.decode(&self.public_key).map_err(|_| {
            TrustListError::Malformed(format!("key {}: public_key is not base64url", self.kid))
        })?;
        PublicKey::from_bytes(&raw)
            .map_err(|e| TrustListError::Malformed(format!("key {}: {e}", self.kid)))
    }

    /// The key id verifiers look the key up by.
    ///
    /// The list is authoritative: `hcx` derives it from the key (SPEC.md §5.2), but a registry may
    /// assign another, and verifiers try every key listed under a code's kid.
    pub fn key_id(&self) -> Result<KeyId, TrustListError> {
        self.kid
            .parse()
            .map_err(|e: String| TrustListError::Malformed(format!("key: {e}")))
    }

    /// The COSE algorithm this key is registered for.
    pub fn cose_alg(&self) -> Option<i64> {
        match self.alg.as_str() {
            "EdDSA" => Some(crate::cose::ALG_EDDSA),
            _ => None,
        }
    }
}

/// Checks an issuer id: 1–64 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn check_issuer_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not an issuer id (1-64 characters of a-z, 0-9, `.`, `_`, `-`)"
        ))
    }
}

/// Whether `tag` is a display-name language tag: a BCP 47 (RFC 5646) tag of a language
/// (2–3 lowercase letters), an optional script (`Hant`) and an optional region (`TW` or `419`),
/// each in its conventional case, so that one language has one spelling (SPEC.md §7.1).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-').peekable();
    let language = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()));
    let is_script = |s: &&str| {
        s.len() == 4
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 0 {
                    b.is_ascii_uppercase()
                } else {
                    b.is_ascii_lowercase()
                }
            })
    };
    let is_region = |s: &&str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()))
            || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
    };
    parts.next_if(is_script);
    parts.next_if(is_region);
    language && parts.next().is_none()
}

/// The first item that occurs twice in `items` (the schema's `uniqueItems`).
fn first_repeat<T: PartialEq>(items: &[T]) -> Option<&T> {
    items
        .iter()
        .enumerate()
        .find(|(i, item)| items.get(..*i).is_some_and(|before| before.contains(item)))
        .map(|(_, item)| item)
}

impl TrustList {
    /// A new, empty list (sequence 0, not yet signed).
    pub fn new() -> TrustList {
        TrustList {
            version: TRUST_LIST_VERSION,
            sequence: 0,
            issued_at: 0,
            expires_at: 0,
            issuers: Vec::new(),
        }
    }

    /// The keys that may sign `issuer`'s status lists issued at `issued_at` (Unix seconds):
    /// usage `status`, not compromised, `issued_at` inside the key's window (SPEC §14).
    pub fn status_keys(&self, issuer: &str, issued_at: i64) -> Vec<PublicKey> {
        self.issuer(issuer)
            .map(|i| {
                i.keys
                    .iter()
                    .filter(|k| k.may_sign(KeyUsage::Status) && k.status != KeyStatus::Compromised)
                    .filter(|k| k.not_before.is_none_or(|nb| issued_at >= nb))
                    .filter(|k| k.not_after.is_none_or(|na| issued_at <= na))
                    .filter_map(|k| k.public_key().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Looks up an issuer by id.
    pub fn issuer(&self, id: &str) -> Option<&IssuerEntry> {
        self.issuers.iter().find(|i| i.id == id)
    }

    /// Checks the rules a signed list must follow beyond its JSON shape (SPEC.md §7.1).
    pub fn validate(&self) -> Result<(), TrustListError> {
        let bad = |m: String| Err(TrustListError::Malformed(m));
        if self.version != TRUST_LIST_VERSION {
            return bad(format!("unsupported version {}", self.version));
        }
        if !(0..=MAX_UNIX_TIME).contains(&self.issued_at)
            || !(0..=MAX_UNIX_TIME).contains(&self.expires_at)
            || self.expires_at <= self.issued_at
        {
            return bad("expires_at must be after issued_at".to_owned());
        }
        if self.issuers.len() > MAX_ISSUERS {
            return Err(TrustListError::TooLarge {
                what: "issuers",
                len: self.issuers.len(),
                max: MAX_ISSUERS,
            });
        }
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        for issuer in &self.issuers {
            check_issuer_id(&issuer.id).map_err(TrustListError::Malformed)?;
            if !ids.insert(issuer.id.as_str()) {
                return bad(format!("issuer `{}` is listed twice", issuer.id));
            }
            if !issuer.names.contains_key("en") {
                return bad(format!("issuer `{}` has no `en` name", issuer.id));
            }
            for (lang, name) in &issuer.names {
                if !is_language_tag(lang) {
                    return bad(format!(
                        "issuer `{}`: `{lang}` is not a language tag such as en, zh or zh-Hant-TW",
                        issuer.id
                    ));
                }
                // Bytes, not characters: the limit bounds memory (SPEC.md §7.1, §10).
                if name.trim().is_empty() || name.len() > MAX_ISSUER_NAME_BYTES {
                    return bad(format!(
                        "issuer `{}`: the `{lang}` name must have 1 to {MAX_ISSUER_NAME_BYTES} bytes and not be blank",
                        issuer.id
                    ));
                }
            }
            let scopes = &issuer.scopes;
            let repeated = first_repeat(&scopes.statuses)
                .map(|s| format!("statuses lists `{}`", s.as_str()))
                .or_else(|| {
                    first_repeat(&scopes.evidence)
                        .map(|e| format!("evidence lists `{}`", e.as_str()))
                })
                .or_else(|| {
                    scopes
                        .regions
                        .as_deref()
                        .and_then(first_repeat)
                        .map(|r| format!("regions lists `{r}`"))
                });
            if let Some(what) = repeated {
                return bad(format!("issuer `{}`: scopes.{what} twice", issuer.id));
            }
            if let Some(regions) = &scopes.regions {
                for r in regions {
                    check_region("scopes.regions", r).map_err(|e| {
                        TrustListError::Malformed(format!("issuer `{}`: {e}", issuer.id))
                    })?;
                }
            }
            if issuer.keys.len() > MAX_KEYS_PER_ISSUER {
                return Err(TrustListError::TooLarge {
                    what: "keys for one issuer",
                    len: issuer.keys.len(),
                    max: MAX_KEYS_PER_ISSUER,
                });
            }
            for key in &issuer.keys {
                key.key_id()?;
                let public = key.public_key()?;
                if key.cose_alg().is_none() {
                    return bad(format!("key {}: unsupported alg `{}`", key.kid, key.alg));
                }
                let unique: HashSet<KeyUsage> = key.usage.iter().copied().collect();
                if key.usage.is_empty() || unique.len() != key.usage.len() {
                    return bad(format!(
                        "key {}: usage must list codes and/or status, each once",
                        key.kid
                    ));
                }
                // A key serves one issuer only; otherwise a code could be moved between them.
                if !keys.insert(public.to_bytes()) {
                    return bad(format!("key {} is listed twice", key.kid));
                }
                if let (Some(nb), Some(na)) = (key.not_before, key.not_after) {
                    if na < nb {
                        return bad(format!("key {}: not_after is before not_before", key.kid));
                    }
                }
            }
        }
        Ok(())
    }

    /// Serialises the list as the signed payload bytes (pretty JSON, UTF-8).
    pub fn to_payload(&self) -> Result<Vec<u8>, TrustListError> {
        serde_json::to_vec_pretty(self).map_err(|e| TrustListError::Malformed(e.to_string()))
    }
}

impl Default for TrustList {
    fn default() -> Self {
        TrustList::new()
    }
}

/// The JWS envelope as stored in `TRUST.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedTrustList {
    /// BASE64URL of the exact payload bytes.
    pub payload: String,
    /// One entry per root signature; empty while the list is an unsigned draft.
    pub signatures: Vec<JwsSignature>,
}

/// One JWS signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwsSignature {
    /// BASE64URL of the protected header JSON (`{"alg":"EdDSA","kid":…,"typ":…}`).
    pub protected: String,
    /// BASE64URL of the 64-byte Ed25519 signature.
    pub signature: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JwsHeader {
    alg: String,
    kid: String,
    typ: String,
}

/// How a verifier accepts a trust list.
#[derive(Debug, Clone)]
pub struct TrustListPolicy {
    /// The configured root public keys.
    pub roots: Vec<PublicKey>,
    /// How many distinct configured roots must have signed: 1 to the number of roots.
    pub threshold: usize,
    /// The highest sequence accepted before, if any: older lists are refused.
    pub min_sequence: Option<u64>,
}

impl TrustListPolicy {
    /// One root, threshold 1, no rollback memory.
    pub fn single_root(root: PublicKey) -> TrustListPolicy {
        TrustListPolicy {
            roots: vec![root],
            threshold: 1,
            min_sequence: None,
        }
    }
}

impl SignedTrustList {
    /// Parses the stored envelope (no signature check).
    pub fn parse(bytes: &[u8]) -> Result<SignedTrustList, TrustListError> {
        if bytes.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustListError::TooLarge {
                what: "bytes",
                len: bytes.len(),
                max: MAX_TRUST_LIST_BYTES,
            });
        }
        let env: SignedTrustList = serde_json::from_slice(bytes)
            .map_err(|e| TrustListError::Malformed(format!("not a signed trust list: {e}")))?;
        env.checked_signatures()?;
        Ok(env)
    }

    /// Step T1 for the signatures (SPEC.md §7.2): at most 16, and each one — whether or not the
    /// verifier knows its root — with an exact protected header and a 64-byte signature.
    /// Whether a file is well-formed thus never depends on which roots a verifier holds.
    fn checked_signatures(&self) -> Result<Vec<CheckedSignature<'_>>, TrustListError> {
        if self.signatures.len() > MAX_TRUST_LIST_SIGNATURES {
            return Err(TrustListError::TooLarge {
                what: "signatures",
                len: self.signatures.len(),
                max: MAX_TRUST_LIST_SIGNATURES,
            });
        }
        self.signatures
            .iter()
            .map(|sig| {
                let header = decode_header(&sig.protected)?;
                let kid = header
                    .kid
                    .parse::<KeyId>()
                    .map_err(|e| TrustListError::Malformed(format!("signature header: {e}")))?;
                let signature = URL_SAFE_NO_PAD
                    .decode(&sig.signature)
                    .ok()
                    .and_then(|raw| <[u8; 64]>::try_from(raw).ok())
                    .ok_or_else(|| {
                        TrustListError::Malformed(format!(
                            "the signature by {kid} is not 64 bytes of base64url"
                        ))
                    })?;
                Ok(CheckedSignature {
                    kid,
                    protected: &sig.protected,
                    signature,
                })
            })
            .collect()
    }

    /// Wraps a list as an unsigned draft.
    pub fn unsigned(list: &TrustList) -> Result<SignedTrustList, TrustListError> {
        Ok(SignedTrustList {
            payload: URL_SAFE_NO_PAD.encode(list.to_payload()?),
            signatures: Vec::new(),
        })
    }

    /// Signs `list` with every root key given (replacing any earlier signatures).
    pub fn sign(
        list: &TrustList,
        roots: &[&PrivateKey],
    ) -> Result<SignedTrustList, TrustListError> {
        list.validate()?;
        let mut env = SignedTrustList::unsigned(list)?;
        for root in roots {
            let header = JwsHeader {
                alg: "EdDSA".to_owned(),
                kid: root.key_id().to_string(),
                typ: TRUST_LIST_TYP.to_owned(),
            };
            let header_json = serde_json::to_vec(&header)
                .map_err(|e| TrustListError::Malformed(e.to_string()))?;
            let protected = URL_SAFE_NO_PAD.encode(header_json);
            let signing_input = format!("{protected}.{}", env.payload);
            let signature = URL_SAFE_NO_PAD.encode(root.sign(signing_input.as_bytes()));
            env.signatures.push(JwsSignature {
                protected,
                signature,
            });
        }
        Ok(env)
    }

    /// The stored form: pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<String, TrustListError> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| TrustListError::Malformed(e.to_string()))
    }

    /// Reads the payload without checking any signature (for editing and display only).
    pub fn payload_unverified(&self) -> Result<TrustList, TrustListError> {
        let raw = URL_SAFE_NO_PAD
            .decode(&self.payload)
            .map_err(|_| TrustListError::Malformed("payload is not base64url".to_owned()))?;
        serde_json::from_slice(&raw)
            .map_err(|e| TrustListError::Malformed(format!("payload is not a trust list: {e}")))
    }

    /// Key ids of the roots that signed (as claimed by the headers; unverified).
    pub fn signer_kids(&self) -> Vec<String> {
        self.signatures
            .iter()
            .filter_map(|s| decode_header(&s.protected).ok().map(|h| h.kid))
            .collect()
    }

    /// Verifies the signatures, then the payload, expiry and sequence, returning the list.
    ///
    /// Order (SPEC.md §7.3, §8 T1–T7): policy → envelope → at least one signature → signatures
    /// by configured roots → threshold → payload → expiry → rollback. A policy whose threshold
    /// is not between 1 and the number of roots is refused (`invalid_input`).
    pub fn verify(&self, policy: &TrustListPolicy, now: i64) -> Result<TrustList, TrustListError> {
        // A threshold of 0 would accept lists nobody signed; one above the number of roots
        // could never be met. Both are configuration mistakes, refused before any list is read.
        if policy.threshold == 0 || policy.threshold > policy.roots.len() {
            return Err(TrustListError::BadPolicy(format!(
                "the trust-list threshold must be between 1 and the number of roots ({}), not {}",
                policy.roots.len(),
                policy.threshold
            )));
        }
        let signatures = self.checked_signatures()?;
        if signatures.is_empty() {
            return Err(TrustListError::Unsigned);
        }
        let mut valid_roots = HashSet::new();
        for sig in &signatures {
            // Signatures by keys we do not know are ignored: they may be for other verifiers.
            let Some(root) = policy.roots.iter().find(|r| r.key_id() == sig.kid) else {
                continue;
            };
            let signing_input = format!("{}.{}", sig.protected, self.payload);
            if !root.verify_strict(signing_input.as_bytes(), &sig.signature) {
                return Err(TrustListError::BadSignature {
                    kid: sig.kid.to_string(),
                });
            }
            valid_roots.insert(root.to_bytes());
        }
        if valid_roots.len() < policy.threshold {
            return Err(TrustListError::Untrusted {
                valid: valid_roots.len(),
                required: policy.threshold,
            });
        }
        let list = self.payload_unverified()?;
        list.validate()?;
        if now >= list.expires_at {
            return Err(TrustListError::Expired {
                expires_at: timefmt::format_rfc3339(list.expires_at),
            });
        }
        if let Some(min) = policy.min_sequence {
            if list.sequence < min {
                return Err(TrustListError::Rollback {
                    sequence: list.sequence,
                    min_sequence: min,
                });
            }
        }
        Ok(list)
    }
}

/// One signature of a trust list whose envelope form has been checked (step T1).
struct CheckedSignature<'a> {
    /// The root key id its header names.
    kid: KeyId,
    /// The protected header as stored (it is part of the signed bytes).
    protected: &'a str,
    /// The Ed25519 signature.
    signature: [u8; 64],
}

/// Reads a JWS protected header: exactly `alg` = `EdDSA`, `kid` and `typ` =
/// `hcx-trust-list+json`, each once (serde refuses repeated and unknown members).
fn decode_header(protected: &str) -> Result<JwsHeader, TrustListError> {
    let raw = URL_SAFE_NO_PAD
        .decode(protected)
        .map_err(|_| TrustListError::Malformed("protected header is not base64url".to_owned()))?;
    let header: JwsHeader = serde_json::from_slice(&raw)
        .map_err(|e| TrustListError::Malformed(format!("bad protected header: {e}")))?;
    if header.typ != TRUST_LIST_TYP {
        return Err(TrustListError::Malformed(format!(
            "unexpected typ `{}`",
            header.typ
        )));
    }
    // The one algorithm of version 1; `none` or any other is a malformed header, not a
    // signature to try (algorithm confusion).
    if header.alg != "EdDSA" {
        return Err(TrustListError::Malformed(format!(
            "unexpected alg `{}`",
            header.alg
        )));
    }
    Ok(header)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_have_one_spelling() {
        for tag in [
            "en",
            "zh",
            "yue",
            "zh-Hans",
            "zh-Hant-TW",
            "es-419",
            "pt-BR",
        ] {
            assert!(is_language_tag(tag), "{tag}");
        }
        for tag in [
            "",
            "e",
            "engl",
            "EN",
            "zh_CN",
            "zh-hans",
            "zh-Hant-tw",
            "zh-",
            "-zh",
            "zh--TW",
            "en-US-x-foo",
            "en-TW-Hant",
            "zh-Hant-TW-1",
        ] {
            assert!(!is_language_tag(tag), "{tag}");
        }
    }

    #[test]
    fn repeats_are_found() {
        assert_eq!(first_repeat(&[1, 2, 3]), None);
        assert_eq!(first_repeat(&[1, 2, 1, 2]), Some(&1));
        assert_eq!(first_repeat::<u8>(&[]), None);
    }

    /// SPEC.md §7.3: a threshold outside 1..=roots is a configuration error, never "no
    /// signature needed".
    #[test]
    fn threshold_must_be_between_one_and_the_number_of_roots() {
        let root = PrivateKey::from_seed(&[1; 32]);
        let mut list = TrustList::new();
        (list.issued_at, list.expires_at) = (0, 1000);
        let env = SignedTrustList::sign(&list, &[&root]).unwrap();
        for threshold in [0, 2] {
            let policy = TrustListPolicy {
                threshold,
                ..TrustListPolicy::single_root(root.public_key())
            };
            let e = env.verify(&policy, 10).unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{threshold}");
        }
        let policy = TrustListPolicy::single_root(root.public_key());
        assert!(env.verify(&policy, 10).is_ok());
    }
}
