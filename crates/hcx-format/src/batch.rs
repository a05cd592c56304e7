//! Verifying many codes at once, with exactly the verdicts [`Verifier::verify_at`] gives one by one.
//!
//! The signatures are checked in bulk by [`hcx_ed25519::StrictVerifier`], which decides each
//! one on its own with exactly `verify_strict`'s acceptance rule (no random linear combination,
//! so no verdict of a batch differs from the one-by-one verdict; SPEC.md §6); its crate
//! documentation says how, and what its tests run.

use std::sync::Arc;

use hcx_ed25519::{SignatureItem, StrictVerifier};

use crate::decode::decode;
use crate::error::VerifyError;
use crate::verify::{TrustedKey, VerifiedCode, Verifier};

/// Verifies many hcx codes against one [`Verifier`]: for each text the same result as
/// [`Verifier::verify_at`], with the signatures checked in bulk by a [`StrictVerifier`].
#[derive(Debug)]
pub struct BatchVerifier<'v> {
    verifier: &'v Verifier,
    signatures: Arc<StrictVerifier>,
}

impl<'v> BatchVerifier<'v> {
    /// A batch verifier over `verifier`, sharing its key tables.
    pub fn new(verifier: &'v Verifier) -> BatchVerifier<'v> {
        BatchVerifier {
            verifier,
            signatures: Arc::clone(&verifier.signatures),
        }
    }

    /// Verifies each text at `now` (Unix seconds); results are in input order.
    pub fn verify_many(&self, texts: &[&str], now: i64) -> Vec<Result<VerifiedCode, VerifyError>> {
        let v = self.verifier;
        // Steps 1–3 per code: form, algorithm, key id.
        let decoded: Vec<Result<_, VerifyError>> = texts
            .iter()
            .map(|t| {
                let code = decode(t)?;
                let candidates = v.candidates(&code)?;
                Ok((code, candidates))
            })
            .collect();
        // Step 4 in bulk: one item per (code, candidate key); kids may collide.
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
        // Steps 5–8 per code, with the first candidate that verified, as `verify_at` picks it.
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
                v.finish(code, signer.ok_or(VerifyError::BadSignature)?, now)
            })
            .collect()
    }
}

impl Verifier {
    /// Verifies many texts at `now`: the same results as [`Verifier::verify_at`] on each, faster
    /// (see [`crate::batch`]).
    pub fn verify_many(&self, texts: &[&str], now: i64) -> Vec<Result<VerifiedCode, VerifyError>> {
        BatchVerifier::new(self).verify_many(texts, now)
    }
}
