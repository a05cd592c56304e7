//! From a code's identity to the equations of the status map (SPEC.md §14.3).
//!
//! A code is identified by its `cti`. One SHA-256 turns it into a 128-bit digest; each ribbon
//! (with its own seed) then derives its equation from the digest with a few multiply-xorshift
//! rounds, so a lookup that walks several ribbons (levels, delta layers) pays for one SHA-256.
//! The mixing needs no cryptographic strength: the inputs are random ids drawn by the issuer,
//! and exactness never depends on the hash (a bad hash can only make a build fail and retry).

use sha2::{Digest, Sha256};

/// Domain separation for the identity digest: "hcx-status/v1" and a zero byte.
const DOMAIN: &[u8] = b"hcx-status/v1\0";
/// The 64-bit golden ratio, SplitMix64's increment: separates the three outputs of a seed.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
/// 64-bit words in a band.
pub(crate) const WORDS: usize = 4;
/// Widest equation, in columns: the band width of the ribbons.
pub(crate) const WIDTH: usize = 64 * WORDS;

/// The coefficients of one equation, or a window of a plane: [`WIDTH`] bits, bit `i` in word
/// `i / 64` at bit `i % 64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Band(pub(crate) [u64; WORDS]);

impl Band {
    /// True when no bit is set.
    pub(crate) fn is_zero(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// The parity of the bits set in both.
    pub(crate) fn and_parity(&self, other: &Band) -> bool {
        let mut acc = 0u64;
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            acc ^= a & b;
        }
        acc.count_ones() & 1 == 1
    }

    /// Adds (xors) another band.
    pub(crate) fn add(&mut self, other: &Band) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a ^= b;
        }
    }

    /// Index of the lowest set bit ([`WIDTH`] when none is).
    pub(crate) fn trailing_zeros(&self) -> usize {
        let mut n = 0;
        for w in self.0 {
            if w != 0 {
                return n + w.trailing_zeros() as usize;
            }
            n += 64;
        }
        n
    }

    /// Shifts right by `by` (< [`WIDTH`]) bits.
    pub(crate) fn shift_right(&mut self, by: usize) {
        let (words, bits) = (by / 64, by % 64);
        let mut out = [0u64; WORDS];
        for (i, slot) in out.iter_mut().enumerate() {
            let at = |j: usize| self.0.get(j).copied().unwrap_or(0);
            let lo = at(i + words);
            *slot = if bits == 0 {
                lo
            } else {
                (lo >> bits) | (at(i + words + 1) << (64 - bits))
            };
        }
        self.0 = out;
    }

    /// Keeps the lowest `bits` bits.
    fn truncate(&mut self, bits: usize) {
        for (i, w) in self.0.iter_mut().enumerate() {
            let low = i * 64;
            if bits <= low {
                *w = 0;
            } else if bits < low + 64 {
                *w &= (1u64 << (bits - low)) - 1;
            }
        }
    }
}

/// The 128-bit digest of a code id: the first 16 bytes of `SHA-256(DOMAIN || cti)`, read as
/// two little-endian 64-bit words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdentityDigest {
    lo: u64,
    hi: u64,
}

impl IdentityDigest {
    /// Hashes a code id (`cti`).
    pub fn of_code_id(code_id: &[u8]) -> IdentityDigest {
        let digest = Sha256::new()
            .chain_update(DOMAIN)
            .chain_update(code_id)
            .finalize();
        let word = |from: usize| {
            digest
                .iter()
                .skip(from)
                .take(8)
                .rev()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
        };
        IdentityDigest {
            lo: word(0),
            hi: word(8),
        }
    }

    /// The digest from its two words (tests and benches that need many distinct digests).
    #[doc(hidden)]
    pub fn from_words(lo: u64, hi: u64) -> IdentityDigest {
        IdentityDigest { lo, hi }
    }
}

/// SplitMix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One row of a ribbon's linear system: the coefficients `coeffs` (bit `i` for column
/// `start + i`; bit 0 always set) over the columns `start .. start + width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Equation {
    pub(crate) start: usize,
    pub(crate) coeffs: Band,
}

/// The band width of a ribbon with `columns` columns: [`WIDTH`], or all columns when fewer.
pub(crate) fn width(columns: usize) -> usize {
    columns.min(WIDTH)
}

/// The equation of `digest` in a ribbon with `seed` and `columns` (> 0) columns.
pub(crate) fn equation(digest: &IdentityDigest, seed: u64, columns: usize) -> Equation {
    let w = width(columns);
    let h = mix(digest.lo ^ seed);
    let out = |j: u64| mix(h ^ digest.hi ^ j.wrapping_mul(GOLDEN));
    // Starts are uniform over 0 ..= columns - w (multiply-shift range reduction: no division).
    let span = (columns - w + 1) as u128;
    let start = ((u128::from(out(1)) * span) >> 64) as usize;
    let mut coeffs = Band::default();
    for (j, word) in (2u64..).zip(coeffs.0.iter_mut()) {
        *word = out(j);
    }
    coeffs.0[0] |= 1;
    coeffs.truncate(w);
    Equation { start, coeffs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equations_stay_inside_the_columns() {
        for columns in [1usize, 2, 7, 64, 127, 128, 129, 200, 1000, 100_000] {
            for i in 0..2000u64 {
                let d = IdentityDigest::from_words(i, i.wrapping_mul(7));
                let eq = equation(&d, 3, columns);
                let used = (0..WIDTH)
                    .rev()
                    .find(|i| eq.coeffs.0[i / 64] >> (i % 64) & 1 == 1)
                    .map_or(0, |i| i + 1);
                assert!(eq.start + used <= columns, "{columns} {eq:?}");
                assert_eq!(eq.coeffs.0[0] & 1, 1);
            }
        }
    }

    /// Known answers, computed independently (`sha256sum` and a Python transcription of
    /// SPEC.md §14.3); the spec's worked example quotes them.
    #[test]
    fn known_answers() {
        // printf 'hcx-status/v1\0\1\2\3\4\5\6\7\10' | sha256sum → 9925b9f4ee9b8cec24e29f57…
        let d = IdentityDigest::of_code_id(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            d,
            IdentityDigest::from_words(0xec8c_9bee_f4b9_2599, 0xffe0_90cb_579f_e224)
        );
        let eq = equation(&d, 5, 1000);
        assert_eq!(eq.start, 546);
        assert_eq!(
            eq.coeffs.0,
            [
                0x2056_0c25_5789_80f5,
                0x905d_077c_ec63_4371,
                0xfe09_0498_9519_56b7,
                0xfaa3_7e5f_21e4_1102
            ]
        );
        let eq = equation(&d, 0, 100);
        assert_eq!(eq.start, 0);
        assert_eq!(
            eq.coeffs.0,
            [0x7d62_d3c8_edbe_18bb, 0x0000_000e_cf37_8dfa, 0, 0]
        );
    }
}
