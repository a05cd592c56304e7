//! Verifying many codes at once, with exactly the verdicts [`Verifier::verify_at`] gives one by one.
//!
//! # Why not ed25519-dalek's `verify_batch`
//!
//! `verify_batch` checks one random linear combination of all the signature equations,
//! `[-Σzᵢsᵢ]B + Σzᵢ·Rᵢ + Σ(zᵢkᵢ)·Aᵢ = 0`. That accepts signatures `verify_strict` rejects:
//! it never looks at whether `R` or `A` are of small order, it decodes a non-canonical `R`
//! encoding and hashes the bytes as sent, and — the one no cheap pre-check removes — when `R`
//! carries a small-order component `T` (a *mixed-order* `R = rB + T`) the residual `zᵢ·T`
//! vanishes whenever `zᵢ` is a multiple of `T`'s order: half the time for an order-2 `T`.
//! Deciding whether `R` has such a component costs a full scalar multiplication (`[ℓ]R`), as
//! much as the verification it was meant to save. So batches of that kind could disagree with
//! single verification, which the specification forbids (one signature set, SPEC.md §6).
//!
//! # What this module does instead
//!
//! Every signature is decided on its own, by the very equation `verify_strict` uses, but with the
//! work shared across the batch:
//!
//! - `[s]B − [k]A` is computed with *fixed-base* combs for both `B` and each trusted key `A`
//!   (signed radix 2^8, built once per key and kept, looked up in variable time as only
//!   public data is involved): at most 2 × 33 point additions and no doublings, instead of the
//!   ~253 doublings and ~70 additions of a variable-base double-scalar multiplication. Tables
//!   are kept for at most [`MAX_KEY_TABLES`] keys; signatures by further keys are checked by
//!   `verify_strict` itself, so memory stays bounded whatever the trust list holds;
//! - the results are compressed together, with one field inversion for the whole batch
//!   (Montgomery's trick) instead of one per signature;
//! - `R` is never decompressed: `compress([s]B − [k]A) == R` already implies that `R` is the
//!   canonical encoding of that point, so `R` is of small order exactly when its bytes are one
//!   of the 8 canonical encodings of the small-order points;
//! - the combs are walked one row at a time across the whole batch, so each row is read by
//!   every signature while it is in cache.
//!
//! `verify_strict` accepts exactly when `s < ℓ`, `R` decodes, neither `R` nor `A` is of small
//! order, and `compress([s]B − [k]A) == R` with `k = SHA-512(R ‖ A ‖ M) mod ℓ` (the bytes of
//! `R` and `A` as received). [`StrictBatch::verify`] checks these same conditions, so the two
//! accept the same signatures — including the small-order, mixed-order and non-canonical edge
//! cases of the C2SP and ed25519-speccheck vectors, which the tests run through both. There is
//! no randomness and so no failure probability, and a batch needs no fallback to find its
//! invalid signatures: each verdict is already individual.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use sha2::{Digest, Sha512};

use crate::decode::decode;
use crate::error::VerifyError;
use crate::keys::PublicKey;
use crate::verify::{Clock, TrustedKey, VerifiedCode, Verifier};

/// Bits per comb digit. curve25519-dalek's own fixed-base tables select their entry in
/// constant time, scanning the whole row; a verifier handles public data only, so a direct
/// (variable-time) look-up is fine and lets a wider radix pay off. Each step of the radix
/// removes additions (2^5: 52 per scalar, 2^8: 33, 2^10: 27) at the price of a larger table
/// (130 KB at 2^5, 676 KB at 2^8, 2.1 MB at 2^10). Walking the combs row by row across a batch
/// (see [`StrictBatch::verify`]), 2^8, 2^10 and 2^11 measured alike within this machine's noise
/// and 2^12 was slower; 2^8 keeps the tables smallest.
const W: usize = 8;
/// Most keys with a comb table (about 676 KB each, so at most ~11 MB in all). Codes signed by
/// other keys are checked by `verify_strict` one by one: same verdicts, bounded memory.
pub const MAX_KEY_TABLES: usize = 16;
/// Entries per comb row: signed digits lie in `[-HALF, HALF)`, so `1..=HALF` multiples.
const HALF: usize = 1 << (W - 1);
/// Comb rows: reduced scalars are below 2^253, and the signed recoding adds one carry bit.
const ROWS: usize = 253_usize.div_ceil(W) + 1;

/// A fixed-base comb: row `i` holds `j·2^(W·i)·P` for `j = 1..=HALF`.
struct Comb {
    points: Vec<EdwardsPoint>,
}

impl Comb {
    fn new(p: &EdwardsPoint) -> Comb {
        let mut points = Vec::with_capacity(ROWS * HALF);
        let mut base = *p;
        for _ in 0..ROWS {
            let mut m = base;
            for _ in 0..HALF {
                points.push(m);
                m += base;
            }
            // HALF·base + HALF·base = 2^W·base: the next row's base.
            base = points.last().map_or(base, |last| last + last);
        }
        Comb { points }
    }

    /// `acc += d·2^(W·row)·P`: one row's share of a multiple (nothing for `d = 0`).
    fn add_entry(&self, acc: &mut EdwardsPoint, row: usize, d: i16) {
        let Some(m) = usize::from(d.unsigned_abs())
            .checked_sub(1)
            .and_then(|j| self.points.get(row * HALF + j))
        else {
            return;
        };
        *acc = if d > 0 { *acc + m } else { *acc - m };
    }

    /// `acc + [scalar]P`, from the scalar's signed digits: at most one addition per row.
    #[cfg(test)]
    fn add_multiple(&self, mut acc: EdwardsPoint, scalar: &Scalar) -> EdwardsPoint {
        for (row, d) in signed_digits(scalar).into_iter().enumerate() {
            self.add_entry(&mut acc, row, d);
        }
        acc
    }
}

/// One signature's share of the comb work: the digits of `s` and `k`, and the key's table.
struct Job {
    s: [i16; ROWS],
    k: [i16; ROWS],
    table: Arc<KeyTable>,
}

/// The canonical encodings of the 8 points of small order. For a point `P` and bytes `R`
/// with `compress(P) == R`, `P` is of small order exactly when `R` is one of these.
static SMALL_ORDER: LazyLock<[[u8; 32]; 8]> =
    LazyLock::new(|| EIGHT_TORSION.map(|t| t.compress().to_bytes()));

/// The scalar in signed radix 2^W: `Σ dᵢ·2^(W·i)` with `dᵢ ∈ [-HALF, HALF)`.
fn signed_digits(scalar: &Scalar) -> [i16; ROWS] {
    let bytes = scalar.as_bytes();
    let bit = |n: usize| {
        bytes
            .get(n / 8)
            .map_or(0, |b| i16::from((b >> (n % 8)) & 1))
    };
    let mut digits = [0i16; ROWS];
    let mut carry = 0i16;
    for (i, d) in digits.iter_mut().enumerate() {
        let window: i16 = (0..W).map(|j| bit(i * W + j) << j).sum::<i16>() + carry;
        // A window of HALF or more borrows from the next one.
        carry = (window + HALF as i16) >> W;
        *d = window - (carry << W);
    }
    digits
}

/// The Ed25519 base point's comb; built on first use.
static BASE: LazyLock<Comb> = LazyLock::new(|| Comb::new(&ED25519_BASEPOINT_POINT));

/// A public key prepared for bulk checks: the comb of `−A`, or `None` for keys
/// `verify_strict` always refuses (not a point, or of small order).
type KeyTable = Option<Comb>;

/// One Ed25519 signature to check.
#[derive(Debug, Clone, Copy)]
pub struct SignatureItem<'a> {
    /// The raw 32-byte public key, as received (its bytes are hashed as they are).
    pub public_key: &'a [u8; 32],
    /// The signed message.
    pub message: &'a [u8],
    /// The signature; anything but 64 bytes is simply invalid.
    pub signature: &'a [u8],
}

/// Checks many Ed25519 signatures with `verify_strict`'s exact acceptance rule, sharing
/// per-key tables across calls and threads.
pub struct StrictBatch {
    tables: RwLock<HashMap<[u8; 32], Arc<KeyTable>>>,
    max_tables: usize,
}

impl Default for StrictBatch {
    fn default() -> StrictBatch {
        StrictBatch::with_key_table_limit(MAX_KEY_TABLES)
    }
}

impl std::fmt::Debug for StrictBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self
            .tables
            .read()
            .map(|t| t.len())
            .unwrap_or_else(|p| p.into_inner().len());
        write!(f, "StrictBatch({keys} keys)")
    }
}

impl StrictBatch {
    /// An empty checker; key tables are built on first use of each key.
    pub fn new() -> StrictBatch {
        StrictBatch::default()
    }

    /// An empty checker that keeps comb tables for at most `max` keys (0: never builds one).
    pub fn with_key_table_limit(max: usize) -> StrictBatch {
        StrictBatch {
            tables: RwLock::default(),
            max_tables: max,
        }
    }

    /// The table of one key, built at most once (a poisoned lock still holds valid tables);
    /// `None` once the limit of keys with a table is reached.
    fn table(&self, raw: &[u8; 32]) -> Option<Arc<KeyTable>> {
        let read = self.tables.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(t) = read.get(raw) {
            return Some(Arc::clone(t));
        }
        drop(read);
        let mut write = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        if write.len() >= self.max_tables && !write.contains_key(raw) {
            return None;
        }
        Some(Arc::clone(write.entry(*raw).or_insert_with(|| {
            Arc::new(
                CompressedEdwardsY(*raw)
                    .decompress()
                    .filter(|a| !a.is_small_order())
                    .map(|a| Comb::new(&-a)),
            )
        })))
    }

    /// Whether each signature is valid, exactly as `VerifyingKey::verify_strict` would say.
    pub fn verify(&self, items: &[SignatureItem<'_>]) -> Vec<bool> {
        let mut verdicts = vec![false; items.len()];
        // (index into items, expected R bytes) of the signatures that reach the final compare.
        let mut pending: Vec<(usize, [u8; 32])> = Vec::with_capacity(items.len());
        let mut jobs: Vec<Job> = Vec::with_capacity(items.len());
        let mut last: Option<([u8; 32], Arc<KeyTable>)> = None;
        for (i, item) in items.iter().enumerate() {
            let Ok(sig) = <&[u8; 64]>::try_from(item.signature) else {
                continue;
            };
            let (r_bytes, s_bytes) = sig.split_at(32);
            let (Ok(r), Ok(s)) = (<[u8; 32]>::try_from(r_bytes), <[u8; 32]>::try_from(s_bytes))
            else {
                continue;
            };
            // `s` must be reduced (below ℓ): no malleable second form of a signature.
            let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
                continue;
            };
            // Codes of one run are nearly always signed by one key: skip the map look-up.
            let table = match &last {
                Some((raw, t)) if raw == item.public_key => Arc::clone(t),
                _ => {
                    let Some(t) = self.table(item.public_key) else {
                        // Past the table budget: the library's own check, one by one.
                        if let Some(v) = verdicts.get_mut(i) {
                            *v = verify_strict_alone(item.public_key, item.message, sig);
                        }
                        continue;
                    };
                    last = Some((*item.public_key, Arc::clone(&t)));
                    t
                }
            };
            if table.is_none() {
                continue;
            }
            let mut h = Sha512::new();
            h.update(r);
            h.update(item.public_key);
            h.update(item.message);
            let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
            jobs.push(Job {
                s: signed_digits(&s),
                k: signed_digits(&k),
                table: Arc::clone(&table),
            });
            pending.push((i, r));
        }
        // [s]B − [k]A for every job, one comb row at a time across the whole batch: each row
        // of a table (20 KB) is read by all jobs while it is in cache, and the jobs' independent
        // chains of additions overlap in the processor.
        let mut points = vec![EdwardsPoint::identity(); jobs.len()];
        for row in 0..ROWS {
            for (acc, job) in points.iter_mut().zip(&jobs) {
                BASE.add_entry(acc, row, job.s.get(row).copied().unwrap_or(0));
                if let Some(minus_a) = job.table.as_ref() {
                    minus_a.add_entry(acc, row, job.k.get(row).copied().unwrap_or(0));
                }
            }
        }
        let compressed = EdwardsPoint::compress_batch_alloc(&points);
        for ((i, r), c) in pending.iter().zip(&compressed) {
            // Equal bytes mean R is the canonical encoding of the computed point, so R is of
            // small order exactly when its bytes are one of the 8 small-order encodings.
            if c.as_bytes() == r && !SMALL_ORDER.contains(r) {
                if let Some(v) = verdicts.get_mut(*i) {
                    *v = true;
                }
            }
        }
        verdicts
    }
}

/// `verify_strict` on one signature, for keys without a comb table. `PublicKey` refuses only
/// small-order keys beyond dalek's own decoding, which `verify_strict` refuses too.
fn verify_strict_alone(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    PublicKey::from_bytes(public_key).is_ok_and(|k| k.verify_strict(message, signature))
}

/// Verifies many hcx codes against one [`Verifier`]: for each text the same result as
/// [`Verifier::verify_at`], with the signatures checked in bulk by a [`StrictBatch`].
#[derive(Debug)]
pub struct BatchVerifier<'v> {
    verifier: &'v Verifier,
    signatures: Arc<StrictBatch>,
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
        self.check_many(texts, Clock::at(now).with_skew(self.verifier.skew_secs()))
    }

    /// Verifies each text at `clock`; results are in input order.
    pub fn check_many(
        &self,
        texts: &[&str],
        clock: Clock,
    ) -> Vec<Result<VerifiedCode, VerifyError>> {
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
                v.finish(code, signer.ok_or(VerifyError::BadSignature)?, clock)
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

    /// Verifies many texts at `clock`: the same results as [`Verifier::check`] on each, with
    /// the signatures checked in bulk.
    pub fn check_many(
        &self,
        texts: &[&str],
        clock: Clock,
    ) -> Vec<Result<VerifiedCode, VerifyError>> {
        BatchVerifier::new(self).check_many(texts, clock)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, VerifyingKey};

    fn strict(pk: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> bool {
        let Ok(vk) = VerifyingKey::from_bytes(pk) else {
            return false;
        };
        vk.verify_strict(msg, &Signature::from_bytes(sig)).is_ok()
    }

    fn hex32(s: &str) -> [u8; 32] {
        let v: Vec<u8> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect();
        v.try_into().unwrap()
    }

    fn hex64(s: &str) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&hex32(&s[..64]));
        out[32..].copy_from_slice(&hex32(&s[64..]));
        out
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The cases as items for a [`StrictBatch`].
    fn items(cases: &[([u8; 32], Vec<u8>, [u8; 64])]) -> Vec<SignatureItem<'_>> {
        cases
            .iter()
            .map(|(a, m, s)| SignatureItem {
                public_key: a,
                message: m,
                signature: s,
            })
            .collect()
    }

    /// Runs every case through both checkers, in one batch and one by one.
    fn agree(cases: &[([u8; 32], Vec<u8>, [u8; 64])]) -> Vec<bool> {
        let expected: Vec<bool> = cases.iter().map(|(a, m, s)| strict(a, m, s)).collect();
        let items = items(cases);
        // Every key gets a table, so every case goes through the combs; then none does.
        let batch = StrictBatch::with_key_table_limit(usize::MAX);
        assert_eq!(batch.verify(&items), expected, "batched");
        for (i, item) in items.iter().enumerate() {
            assert_eq!(batch.verify(&[*item]), vec![expected[i]], "case {i} alone");
        }
        let without_tables = StrictBatch::with_key_table_limit(0);
        assert_eq!(without_tables.verify(&items), expected, "without tables");
        expected
    }

    /// The ed25519-speccheck cases (novifinancial/ed25519-speccheck, cases.json): small-order
    /// and mixed-order A and R, non-canonical S (≥ ℓ), non-canonical R and A encodings.
    #[test]
    fn speccheck_vectors_agree_with_verify_strict() {
        let cases = [
            (
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
                "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
            ),
            (
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
                "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
                "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            ),
            (
                "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
                "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
            ),
            (
                "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
                "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
                "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
            ),
            (
                "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
                "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
                "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
            ),
            (
                "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
                "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
                "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
            ),
            (
                "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
                "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
                "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
            ),
            (
                "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
                "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
                "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
            ),
            (
                "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
                "fdaebc429f4a735932a160da1301080c13280eea8bc280d1b392c6b9e6ba3a5a",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f454d370c8d9fc323a41450f8d513eafeb5b0697390c1e505a0d4ddc71f566607",
            ),
            (
                "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
                "84b698d39be126ff55fe45079e6c8bf64a0d7db6994560b4e96b7021eb39c1a1",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f084d5b99c2a9463d9c8bd5026916996984eeec87ddf1d3be329006ace1b37b09",
            ),
        ];
        let cases: Vec<_> = cases
            .iter()
            .map(|(a, m, s)| (hex32(a), hex(m), hex64(s)))
            .collect();
        let verdicts = agree(&cases);
        // 0–1 small-order A and R, 2 small-order R, 3 mixed-order A passing the cofactorless
        // equation, 4 mixed-order A and 5 mixed-order R passing only the cofactored one, 6–7
        // S ≥ ℓ, 8–9 non-canonical R: verify_strict accepts case 3 alone.
        assert_eq!(
            verdicts,
            [
                false, false, false, true, false, false, false, false, false, false
            ]
        );
    }

    /// Signatures built on purpose around every edge `verify_strict` rules on, with a secret
    /// scalar so that the equation itself holds where wanted.
    #[test]
    fn constructed_edge_cases_agree_with_verify_strict() {
        // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let l_bytes = hex32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        let mut cases: Vec<([u8; 32], Vec<u8>, [u8; 64])> = Vec::new();
        let sign_with =
            |a: &Scalar, a_bytes: [u8; 32], r: &Scalar, r_point: EdwardsPoint, msg: &[u8]| {
                let r_bytes = r_point.compress().to_bytes();
                let mut h = Sha512::new();
                h.update(r_bytes);
                h.update(a_bytes);
                h.update(msg);
                let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
                let s = r + k * a;
                let mut sig = [0u8; 64];
                sig[..32].copy_from_slice(&r_bytes);
                sig[32..].copy_from_slice(s.as_bytes());
                (sig, k)
            };
        for n in 0u8..24 {
            let a = Scalar::from_bytes_mod_order([n.wrapping_mul(37).wrapping_add(5); 32]);
            let r = Scalar::from_bytes_mod_order([n.wrapping_mul(11).wrapping_add(101); 32]);
            let msg = vec![n; 40 + usize::from(n)];
            let big_a = EdwardsPoint::mul_base(&a);
            let a_bytes = big_a.compress().to_bytes();
            let t = EIGHT_TORSION[usize::from(n % 8)];
            // 1. An honest signature, and the same with s + ℓ (non-canonical S).
            let (sig, _) = sign_with(&a, a_bytes, &r, EdwardsPoint::mul_base(&r), &msg);
            cases.push((a_bytes, msg.clone(), sig));
            let mut s_plus_l = sig;
            let mut carry = 0u16;
            for j in 0..32 {
                let sum = u16::from(sig[32 + j]) + u16::from(l_bytes[j]) + carry;
                s_plus_l[32 + j] = sum as u8;
                carry = sum >> 8;
            }
            cases.push((a_bytes, msg.clone(), s_plus_l));
            // 2. Mixed-order R = rB + T, s over that R: the residual is T, which a random
            //    linear batch cancels when zᵢ is a multiple of T's order.
            let (sig, _) = sign_with(&a, a_bytes, &r, EdwardsPoint::mul_base(&r) + t, &msg);
            cases.push((a_bytes, msg.clone(), sig));
            // 3. Mixed-order A = aB + T: grind R's torsion until the cofactorless equation
            //    holds (R = rB − [k]T), so that verify_strict accepts; keep the misses too.
            let mixed_a = big_a + t;
            let mixed_bytes = mixed_a.compress().to_bytes();
            for t_r in EIGHT_TORSION {
                let (sig, _) =
                    sign_with(&a, mixed_bytes, &r, EdwardsPoint::mul_base(&r) + t_r, &msg);
                cases.push((mixed_bytes, msg.clone(), sig));
            }
            // 4. Small-order A (each torsion point) with R = any torsion point and s = 0,
            //    and small-order R with an honest key.
            let (small_a, small_r) = (
                t.compress().to_bytes(),
                EIGHT_TORSION[usize::from(n / 3 % 8)],
            );
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(small_r.compress().as_bytes());
            cases.push((small_a, msg.clone(), sig));
            let (sig, _) = sign_with(&a, a_bytes, &Scalar::ZERO, small_r, &msg);
            cases.push((a_bytes, msg.clone(), sig));
            // 5. Non-canonical encodings: y + p for the small y that allow it, as R and as A.
            for y in 0u8..19 {
                let mut enc = [0u8; 32];
                // p + y = 2^255 − 19 + y, little-endian.
                enc[0] = 0xed_u8.wrapping_add(y);
                enc[1..31].fill(0xff);
                enc[31] = 0x7f;
                for sign in [0u8, 0x80] {
                    let mut e = enc;
                    e[31] |= sign;
                    let mut sig = [0u8; 64];
                    sig[..32].copy_from_slice(&e);
                    sig[32..].copy_from_slice(Scalar::from(u64::from(n)).as_bytes());
                    cases.push((a_bytes, msg.clone(), sig));
                    cases.push((e, msg.clone(), sig));
                }
            }
            // 6. Garbage: random-looking bytes.
            let mut junk = [0u8; 64];
            for (j, b) in junk.iter_mut().enumerate() {
                *b = (j as u8).wrapping_mul(n.wrapping_add(3)).wrapping_add(n);
            }
            cases.push((a_bytes, msg.clone(), junk));
        }
        let verdicts = agree(&cases);
        // The construction must exercise both outcomes: the 24 honest signatures, some
        // accepted mixed-order A (about one in eight ground), and many refusals.
        assert!(verdicts.iter().filter(|v| **v).count() > 24 + 8);
        assert!(verdicts.iter().filter(|v| !**v).count() > 24 * 10);
    }

    #[test]
    fn comb_multiplies_like_the_library() {
        let comb = Comb::new(&ED25519_BASEPOINT_POINT);
        let minus_one = -Scalar::ONE;
        let mut scalars = vec![Scalar::ZERO, Scalar::ONE, minus_one, Scalar::from(31u8)];
        scalars.push(Scalar::from(32u8));
        scalars.push(Scalar::from_bytes_mod_order([0xff; 32]));
        for n in 0u8..32 {
            scalars.push(Scalar::from_bytes_mod_order_wide(&[n.wrapping_mul(97); 64]));
        }
        for s in &scalars {
            let digits = signed_digits(s);
            assert!(
                digits
                    .iter()
                    .all(|d| (-(HALF as i16)..HALF as i16).contains(d))
            );
            assert_eq!(
                comb.add_multiple(EdwardsPoint::identity(), s),
                EdwardsPoint::mul_base(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn keys_past_the_table_limit_are_checked_alone() {
        let cases: Vec<([u8; 32], Vec<u8>, [u8; 64])> = (0u8..6)
            .flat_map(|n| {
                let key = ed25519_dalek::SigningKey::from_bytes(&[n; 32]);
                let msg = vec![n; 40];
                let sig = ed25519_dalek::Signer::sign(&key, &msg).to_bytes();
                let mut bad = sig;
                bad[5] ^= 1;
                let a = key.verifying_key().to_bytes();
                [(a, msg.clone(), sig), (a, msg, bad)]
            })
            .collect();
        let items = items(&cases);
        let batch = StrictBatch::with_key_table_limit(2);
        let want: Vec<bool> = (0..12).map(|i| i % 2 == 0).collect();
        assert_eq!(batch.verify(&items), want);
        assert_eq!(format!("{batch:?}"), "StrictBatch(2 keys)");
    }

    #[test]
    fn wrong_lengths_and_unknown_points_are_refused() {
        let batch = StrictBatch::new();
        let not_a_point = [0x02u8; 32];
        let sig = [0u8; 63];
        let items = [
            SignatureItem {
                public_key: &[9; 32],
                message: b"m",
                signature: &sig,
            },
            SignatureItem {
                public_key: &not_a_point,
                message: b"m",
                signature: &[0u8; 64],
            },
        ];
        assert_eq!(batch.verify(&items), vec![false, false]);
        assert_eq!(batch.verify(&[]), Vec::<bool>::new());
    }
}
