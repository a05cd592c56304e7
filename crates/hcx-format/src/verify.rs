//! Verifying a code against a trust list, in the order of SPEC.md §8.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use hcx_ed25519::{SignatureItem, StrictVerifier};
use serde::Serialize;

use crate::claims::HealthClaims;
use crate::cose::ALG_EDDSA;
use crate::decode::{UnverifiedCode, decode};
use crate::error::{TrustListError, VerifyError};
use crate::keys::{KeyId, PublicKey};
use crate::limits::DEFAULT_SKEW_SECS;
use crate::timefmt;
use crate::trust_list::{
    IssuerEntry, KeyStatus, KeyUsage, SignedTrustList, TrustList, TrustListPolicy,
};

/// When a code is judged: the validation time and the tolerance for clocks that disagree.
///
/// Taken explicitly by every verification, so that audits can replay a past instant and no
/// verdict depends on a hidden system clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The validation time, Unix seconds.
    pub now: i64,
    /// The clock-skew tolerance, seconds (SPEC §8: default 300).
    pub skew_secs: i64,
}

impl Clock {
    /// Judges at `now` (Unix seconds) with the default skew of 300 s.
    pub fn at(now: i64) -> Clock {
        Clock {
            now,
            skew_secs: DEFAULT_SKEW_SECS,
        }
    }

    /// Judges at the system's current time with the default skew.
    pub fn system() -> Clock {
        Clock::at(timefmt::unix_seconds(SystemTime::now()))
    }

    /// The same instant with another skew, in seconds (clamped to the range of times).
    pub fn with_skew(self, skew_secs: i64) -> Clock {
        Clock {
            skew_secs: skew_secs.clamp(0, timefmt::MAX_UNIX_TIME),
            ..self
        }
    }
}

/// A code whose signature, issuer, key, validity period and scope all check out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedCode {
    /// The issuer, as the trust list names it.
    pub issuer: IssuerInfo,
    /// Id of the key that signed, hex.
    pub key_id: String,
    /// `iat`, RFC 3339 in JSON.
    #[serde(with = "timefmt::rfc3339")]
    pub issued_at: i64,
    /// `exp`, RFC 3339 in JSON.
    #[serde(with = "timefmt::rfc3339")]
    pub expires_at: i64,
    /// `nbf`, if the code has one.
    #[serde(
        with = "timefmt::rfc3339_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_before: Option<i64>,
    /// `cti`, hex.
    pub code_id: String,
    /// The health claims.
    pub claims: HealthClaims,
}

/// An issuer as shown to the person checking a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerInfo {
    /// Issuer id (`iss`).
    pub id: String,
    /// Display name (the `en` name).
    pub name: String,
    /// Display names by language.
    pub names: std::collections::BTreeMap<String, String>,
}

/// Verifies codes offline against one trust list.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust_list: TrustList,
    keys: HashMap<KeyId, Vec<TrustedKey>>,
    /// Signature checks, with `verify_strict`'s exact rule and per-key tables kept across
    /// calls (and shared by clones of this verifier).
    signatures: Arc<StrictVerifier>,
}

/// A trusted key with where it sits in the trust list.
#[derive(Debug, Clone)]
struct TrustedKey {
    issuer: usize,
    key: usize,
    public: PublicKey,
    alg: Option<i64>,
}

impl Verifier {
    /// Builds a verifier over a trust list that has already been verified.
    pub fn new(trust_list: TrustList) -> Verifier {
        let mut keys: HashMap<KeyId, Vec<TrustedKey>> = HashMap::new();
        for (i, issuer) in trust_list.issuers.iter().enumerate() {
            for (k, entry) in issuer.keys.iter().enumerate() {
                // Only keys for codes verify codes (status keys sign status lists only).
                if !entry.may_sign(KeyUsage::Codes) {
                    continue;
                }
                // `TrustList::validate` already rejected lists with bad keys; skip defensively.
                if let (Ok(public), Ok(kid)) = (entry.public_key(), entry.key_id()) {
                    keys.entry(kid).or_default().push(TrustedKey {
                        issuer: i,
                        key: k,
                        public,
                        alg: entry.cose_alg(),
                    });
                }
            }
        }
        Verifier {
            trust_list,
            keys,
            signatures: Arc::new(StrictVerifier::new()),
        }
    }

    /// Verifies a signed trust list (`TRUST.json` bytes) under `policy` at `now` (Unix
    /// seconds), then builds a verifier.
    pub fn from_signed_trust_list(
        bytes: &[u8],
        policy: &TrustListPolicy,
        now: i64,
    ) -> Result<Verifier, TrustListError> {
        let list = SignedTrustList::parse(bytes)?.verify(policy, now)?;
        Ok(Verifier::new(list))
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust_list
    }

    /// Verifies a code text at `clock` (SPEC §8, C1–C17).
    pub fn verify(&self, text: &str, clock: Clock) -> Result<VerifiedCode, VerifyError> {
        let code = decode(text)?;
        self.verify_decoded(code, clock)
    }

    /// Verifies an already decoded code at `clock` (C7–C17).
    pub fn verify_decoded(
        &self,
        code: UnverifiedCode,
        clock: Clock,
    ) -> Result<VerifiedCode, VerifyError> {
        // Step 4: one of them verifies the signature (kids may collide: try each).
        // StrictVerifier accepts exactly what `verify_strict` accepts; a key used often enough
        // gets a table, and then a signature costs about half as much.
        let signer = self
            .candidates(&code)?
            .into_iter()
            .find(|k| {
                let public_key = k.public.to_bytes();
                let item = SignatureItem {
                    public_key: &public_key,
                    message: &code.signed_bytes,
                    signature: &code.signature,
                };
                self.signatures.verify(&[item]) == [true]
            })
            .ok_or(VerifyError::BadSignature)?;
        self.finish(code, signer, clock)
    }

    /// Verifies many texts at `clock`: for each, exactly [`Verifier::verify`]'s result, in
    /// input order, with the signatures checked in bulk by the [`StrictVerifier`] (which decides
    /// each signature on its own with `verify_strict`'s rule: no random linear combination, so
    /// no verdict in a batch differs from the one-by-one verdict; SPEC §6).
    pub fn verify_many(
        &self,
        texts: &[&str],
        clock: Clock,
    ) -> Vec<Result<VerifiedCode, VerifyError>> {
        // C1–C10 per code: form, algorithm, key id.
        let decoded: Vec<Result<_, VerifyError>> = texts
            .iter()
            .map(|t| {
                let code = decode(t)?;
                let candidates = self.candidates(&code)?;
                Ok((code, candidates))
            })
            .collect();
        // C11 in bulk: one item per (code, candidate key); kids may collide.
        let keys: Vec<Vec<[u8; 32]>> = decoded
            .iter()
            .map(|d| match d {
                Ok((_, cands)) => cands.iter().map(|k| k.public.to_bytes()).collect(),
                Err(_) => Vec::new(),
            })
            .collect();
        let mut items = Vec::with_capacity(texts.len());
        for (d, ks) in decoded.iter().zip(&keys) {
            if let Ok((code, _)) = d {
                for k in ks {
                    items.push(SignatureItem {
                        public_key: k,
                        message: &code.signed_bytes,
                        signature: &code.signature,
                    });
                }
            }
        }
        let mut ok = self.signatures.verify(&items).into_iter();
        // C12–C17 per code, with the first candidate that verified, as `verify` picks it.
        decoded
            .into_iter()
            .map(|d| {
                let (code, candidates) = d?;
                let mut signer: Option<&TrustedKey> = None;
                for k in candidates {
                    if ok.next().unwrap_or(false) && signer.is_none() {
                        signer = Some(k);
                    }
                }
                self.finish(code, signer.ok_or(VerifyError::BadSignature)?, clock)
            })
            .collect()
    }

    /// Steps 2 and 3: the trusted keys that may have signed `code`, in trust-list order.
    fn candidates(&self, code: &UnverifiedCode) -> Result<Vec<&TrustedKey>, VerifyError> {
        // Step 2: the algorithm must be one this version supports.
        if code.alg != Some(ALG_EDDSA) {
            return Err(VerifyError::UnsupportedAlgorithm {
                alg: code
                    .alg
                    .map_or_else(|| "(not an integer)".to_owned(), |a| a.to_string()),
            });
        }
        if code.signature.len() != 64 {
            return Err(VerifyError::BadSignatureLength(code.signature.len()));
        }
        // Step 3: some trusted key has the kid, registered for this algorithm.
        // The kid's text is made only for an error: this runs for every code.
        let candidates = self
            .keys
            .get(&code.key_id)
            .ok_or_else(|| VerifyError::UnknownKey {
                kid: code.key_id.to_string(),
            })?;
        let mut allowed = candidates.iter().filter(|k| k.alg == code.alg).peekable();
        if allowed.peek().is_none() {
            return Err(VerifyError::AlgorithmNotAllowedForKey {
                alg: ALG_EDDSA,
                kid: code.key_id.to_string(),
            });
        }
        Ok(allowed.collect())
    }

    /// Steps 5 to 8, once `signer`'s signature on `code` has been checked.
    fn finish(
        &self,
        code: UnverifiedCode,
        signer: &TrustedKey,
        clock: Clock,
    ) -> Result<VerifiedCode, VerifyError> {
        let kid = code.key_id.to_string();
        let (issuer, key) = self.entry(signer)?;
        // Step 5: the code names the issuer that owns the key.
        if code.issuer != issuer.id {
            return Err(VerifyError::IssuerMismatch {
                claimed: code.issuer,
                key_issuer: issuer.id.clone(),
            });
        }
        // Step 6: the key was good when the code was issued.
        if key.status == KeyStatus::Compromised {
            return Err(VerifyError::KeyCompromised { kid });
        }
        let before = key.not_before.is_some_and(|nb| code.issued_at < nb);
        let after = key.not_after.is_some_and(|na| code.issued_at > na);
        if before || after {
            return Err(VerifyError::KeyNotValidAt {
                kid,
                issued_at: code.issued_at,
            });
        }
        // Step 7: the code is valid now, within the skew tolerance.
        let (now, skew) = (clock.now, clock.skew_secs);
        if now >= code.expires_at.saturating_add(skew) {
            return Err(VerifyError::Expired {
                expires_at: code.expires_at,
                now,
                skew,
            });
        }
        let valid_from = code
            .not_before
            .unwrap_or(code.issued_at)
            .max(code.issued_at);
        if now < valid_from.saturating_sub(skew) {
            return Err(VerifyError::NotYetValid {
                valid_from,
                now,
                skew,
            });
        }
        // Step 8: the claims are within the issuer's scope.
        check_scope(issuer, &code.claims)?;
        Ok(VerifiedCode {
            issuer: IssuerInfo {
                id: issuer.id.clone(),
                name: issuer
                    .names
                    .get("en")
                    .cloned()
                    .unwrap_or_else(|| issuer.id.clone()),
                names: issuer.names.clone(),
            },
            key_id: kid,
            issued_at: code.issued_at,
            expires_at: code.expires_at,
            not_before: code.not_before,
            code_id: hex::encode(&code.code_id),
            claims: code.claims,
        })
    }

    fn entry(
        &self,
        k: &TrustedKey,
    ) -> Result<(&IssuerEntry, &crate::trust_list::KeyEntry), VerifyError> {
        let issuer = self
            .trust_list
            .issuers
            .get(k.issuer)
            .ok_or(VerifyError::BadSignature)?;
        let key = issuer.keys.get(k.key).ok_or(VerifyError::BadSignature)?;
        Ok((issuer, key))
    }
}

fn check_scope(issuer: &IssuerEntry, claims: &HealthClaims) -> Result<(), VerifyError> {
    let out = |what: String| VerifyError::OutOfScope {
        issuer: issuer.id.clone(),
        what,
    };
    if !issuer.scopes.statuses.contains(&claims.status) {
        return Err(out(format!("status {}", claims.status.as_str())));
    }
    for kind in claims.evidence_kinds() {
        if !issuer.scopes.evidence.contains(&kind) {
            return Err(out(format!("{} evidence", kind.as_str())));
        }
    }
    if let Some(regions) = &issuer.scopes.regions {
        let Some(region) = &claims.region else {
            return Err(out("codes without a region".to_owned()));
        };
        let covered = regions.iter().any(|r| {
            region == r
                || (r.len() == 2
                    && region
                        .strip_prefix(r.as_str())
                        .is_some_and(|rest| rest.starts_with('-')))
        });
        if !covered {
            return Err(out(format!("region {region}")));
        }
    }
    Ok(())
}
