//! Ribbons: banded linear systems over GF(2) and their solutions (SPEC.md §14.4).
//!
//! A ribbon with `columns` columns and `planes` planes stores `planes` bit vectors `Z_j` of
//! `columns` bits. A digest's value in plane `j` is the parity of `coeffs AND Z_j[start ..
//! start + width]` for the digest's equation (`hash::equation`). Building chooses the `Z_j` so
//! that given digests get given values (Dillinger and Walzer, "Ribbon filter: practically
//! smaller than Bloom and Xor", 2021: on-the-fly Gaussian elimination, then back substitution).
//!
//! Hand-written rather than taken from a crate: the crates that implement ribbons (Mozilla's
//! `clubcard`, `pleat`) fix their own hashing and serialisation, which would have to become
//! hcx's wire format and be re-specified for other implementations; clubcard also solves with
//! `thread_rng` (no reproducible builds), says its format is unstable, and pulls `rand` 0.8
//! (a second `getrandom`). The algorithm itself is short: `insert` and `solve` below.

use crate::hash::{Band, Equation, IdentityDigest, WORDS, equation};

/// Words of zero padding after each plane, so a window at any start reads in bounds.
const PAD_WORDS: usize = WORDS;

/// A solved ribbon, ready for queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ribbon {
    seed: u64,
    columns: usize,
    planes: usize,
    /// Plane `j` is `words[j * stride ..][.. stride]`, bit `i` of the plane in word `i / 64`,
    /// bit `i % 64`; the last [`PAD_WORDS`] of each plane are zero.
    words: Vec<u64>,
    stride: usize,
}

impl Ribbon {
    /// A ribbon with no columns: every digest's value is zero in every plane.
    pub(crate) fn empty() -> Ribbon {
        Ribbon {
            seed: 0,
            columns: 0,
            planes: 0,
            words: Vec::new(),
            stride: 0,
        }
    }

    /// The ribbon whose planes are read from `bytes`: plane `j` is bits `j * columns ..
    /// (j + 1) * columns`, bit `i` in byte `i / 8` at bit `i % 8`. `None` unless `bytes` has
    /// exactly `ceil(planes * columns / 8)` bytes with zero padding bits.
    pub(crate) fn from_bytes(
        seed: u64,
        columns: usize,
        planes: usize,
        bytes: &[u8],
    ) -> Option<Ribbon> {
        let bits = columns.checked_mul(planes)?;
        if bytes.len() != bits.div_ceil(8) {
            return None;
        }
        if bits % 8 != 0 {
            let last = *bytes.last()?;
            if last >> (bits % 8) != 0 {
                return None;
            }
        }
        if planes == 0 || columns == 0 {
            return Some(Ribbon {
                seed,
                columns: if planes == 0 { 0 } else { columns },
                planes,
                words: Vec::new(),
                stride: 0,
            });
        }
        let stride = columns.div_ceil(64) + PAD_WORDS;
        let mut words = vec![0u64; stride.checked_mul(planes)?];
        for (j, plane) in words.chunks_exact_mut(stride).enumerate() {
            let base = j * columns;
            for (w, word) in plane.iter_mut().enumerate().take(columns.div_ceil(64)) {
                let take = (columns - w * 64).min(64);
                *word = read_bits(bytes, base + w * 64, take);
            }
        }
        Some(Ribbon {
            seed,
            columns,
            planes,
            words,
            stride,
        })
    }

    /// The planes packed as [`Ribbon::from_bytes`] reads them.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let bits = self.columns * self.planes;
        let mut out = vec![0u8; bits.div_ceil(8)];
        if self.stride == 0 {
            return out;
        }
        for (j, plane) in self.words.chunks_exact(self.stride).enumerate() {
            let base = j * self.columns;
            for (w, word) in plane.iter().enumerate().take(self.columns.div_ceil(64)) {
                let take = (self.columns - w * 64).min(64);
                write_bits(&mut out, base + w * 64, *word, take);
            }
        }
        out
    }

    /// The seed of this ribbon's equations.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// Columns (bits per plane).
    pub(crate) fn columns(&self) -> usize {
        self.columns
    }

    /// Planes (bits of value per digest).
    pub(crate) fn planes(&self) -> usize {
        self.planes
    }

    /// Bytes of solution held in memory.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    /// True when the digest's value is zero in every plane (always, with no columns).
    pub(crate) fn is_zero(&self, digest: &IdentityDigest) -> bool {
        if self.columns == 0 || self.stride == 0 {
            return true;
        }
        let eq = equation(digest, self.seed, self.columns);
        // Most digests outside the set fail on an early plane: stop at the first non-zero one.
        (0..self.planes).all(|j| !self.parity(j, &eq))
    }

    /// The digest's value in plane 0 (false with no columns).
    pub(crate) fn bit(&self, digest: &IdentityDigest) -> bool {
        if self.columns == 0 || self.stride == 0 {
            return false;
        }
        let eq = equation(digest, self.seed, self.columns);
        self.parity(0, &eq)
    }

    fn parity(&self, plane: usize, eq: &Equation) -> bool {
        let base = plane * self.stride;
        window(&self.words, base, eq.start).and_parity(&eq.coeffs)
    }
}

/// The band of a plane starting at bit `start` (plane words from `base`); bits past the
/// stored words read as zero.
fn window(words: &[u64], base: usize, start: usize) -> Band {
    let at = |i: usize| words.get(base + start / 64 + i).copied().unwrap_or(0);
    let shift = start % 64;
    let mut band = Band::default();
    for (i, slot) in band.0.iter_mut().enumerate() {
        *slot = if shift == 0 {
            at(i)
        } else {
            (at(i) >> shift) | (at(i + 1) << (64 - shift))
        };
    }
    band
}

/// Reads `count` (1..=64) bits starting at bit `offset` of `bytes` (LSB first); bits past the
/// end read as zero.
fn read_bits(bytes: &[u8], offset: usize, count: usize) -> u64 {
    let mut value = 0u64;
    let first = offset / 8;
    let shift = offset % 8;
    // Up to 9 bytes cover 64 bits at any bit offset.
    for i in 0..9 {
        let byte = u64::from(bytes.get(first + i).copied().unwrap_or(0));
        let pos = (i * 8) as i64 - shift as i64;
        if pos < 0 {
            value |= byte >> (-pos);
        } else if pos < 64 {
            value |= byte << pos;
        }
    }
    if count < 64 {
        value &= (1u64 << count) - 1;
    }
    value
}

/// Writes the low `count` (1..=64) bits of `value` at bit `offset` of `out` (LSB first), into
/// bits that are zero.
fn write_bits(out: &mut [u8], offset: usize, value: u64, count: usize) {
    let value = if count < 64 {
        value & ((1u64 << count) - 1)
    } else {
        value
    };
    let first = offset / 8;
    let shift = offset % 8;
    for i in 0..9 {
        let pos = (i * 8) as i64 - shift as i64;
        let byte = if pos < 0 {
            (value << (-pos)) as u8
        } else if pos < 64 {
            (value >> pos) as u8
        } else {
            0
        };
        if byte != 0 {
            if let Some(b) = out.get_mut(first + i) {
                *b |= byte;
            }
        }
    }
}

/// A ribbon's linear system while it is being built: one row per pivot column.
pub(crate) struct System {
    seed: u64,
    columns: usize,
    /// Row with pivot column `i`: its coefficients (bit 0 = column `i`) and right-hand side
    /// (bit `j` for plane `j`); coefficients 0 means no row yet.
    rows: Vec<(Band, u32)>,
}

impl System {
    /// An empty system with `columns` columns (> 0).
    pub(crate) fn new(seed: u64, columns: usize) -> System {
        System {
            seed,
            columns,
            rows: vec![(Band::default(), 0); columns],
        }
    }

    /// Adds the equation "value of `digest` = `rhs`"; false when it contradicts the equations
    /// already added (the system has no solution with this seed and size).
    pub(crate) fn insert(&mut self, digest: &IdentityDigest, rhs: u32) -> bool {
        let eq = equation(digest, self.seed, self.columns);
        let (mut start, mut coeffs, mut rhs) = (eq.start, eq.coeffs, rhs);
        loop {
            if coeffs.is_zero() {
                return rhs == 0;
            }
            let Some(row) = self.rows.get_mut(start) else {
                return false;
            };
            if row.0.is_zero() {
                *row = (coeffs, rhs);
                return true;
            }
            coeffs.add(&row.0);
            rhs ^= row.1;
            // Both rows have bit 0 set, so the sum starts further right.
            let skip = coeffs.trailing_zeros();
            if skip >= crate::hash::WIDTH {
                continue;
            }
            start += skip;
            coeffs.shift_right(skip);
        }
    }

    /// Solves by back substitution into a ribbon with `planes` planes; `free` gives the value
    /// of each free variable (columns without a pivot row), called plane by plane from the
    /// last column down.
    pub(crate) fn solve(&self, planes: usize, mut free: impl FnMut() -> bool) -> Ribbon {
        let stride = self.columns.div_ceil(64) + PAD_WORDS;
        let mut words = vec![0u64; stride * planes];
        for (j, plane) in words.chunks_exact_mut(stride).enumerate() {
            for (i, &(coeffs, rhs)) in self.rows.iter().enumerate().rev() {
                let value = if coeffs.is_zero() {
                    free()
                } else {
                    // Bit i of the plane is still zero, so the window's parity is the rest of
                    // the row; choose bit i to make the row's value equal its right-hand side.
                    let parity = window(plane, 0, i).and_parity(&coeffs);
                    parity != (rhs >> j & 1 == 1)
                };
                if value {
                    if let Some(word) = plane.get_mut(i / 64) {
                        *word |= 1 << (i % 64);
                    }
                }
            }
        }
        Ribbon {
            seed: self.seed,
            columns: self.columns,
            planes,
            words,
            stride,
        }
    }
}

/// Builds a one-plane ribbon giving each digest its bit; `None` when the system has no
/// solution with this seed and size.
pub(crate) fn retrieval(
    seed: u64,
    columns: usize,
    items: impl IntoIterator<Item = (IdentityDigest, bool)>,
) -> Option<Ribbon> {
    let mut system = System::new(seed, columns);
    for (digest, bit) in items {
        if !system.insert(&digest, u32::from(bit)) {
            return None;
        }
    }
    // Free variables are zero: the result is a function of the input alone.
    Some(system.solve(1, || false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests(n: u64, salt: u64) -> Vec<IdentityDigest> {
        (0..n)
            .map(|i| {
                IdentityDigest::from_words(
                    (i ^ salt).wrapping_mul(0x2545_f491_4f6c_dd1d),
                    i.rotate_left(17) ^ salt,
                )
            })
            .collect()
    }

    #[test]
    fn bits_round_trip_through_bytes() {
        let bytes: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37)).collect();
        for offset in [0usize, 1, 7, 8, 13, 64, 100] {
            for count in [1usize, 5, 8, 63, 64] {
                let v = read_bits(&bytes, offset, count);
                let mut out = vec![0u8; 40];
                write_bits(&mut out, offset, v, count);
                assert_eq!(read_bits(&out, offset, count), v);
            }
        }
    }

    #[test]
    fn retrieval_returns_every_bit() {
        for n in [1u64, 5, 100, 127, 128, 129, 1000, 20_000] {
            let items: Vec<(IdentityDigest, bool)> = digests(n, 9)
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d, i % 3 == 0))
                .collect();
            let columns = (n as usize * 110 / 100).max(n as usize + 10);
            let ribbon = (0..20)
                .find_map(|seed| retrieval(seed, columns, items.iter().copied()))
                .unwrap();
            for (d, bit) in &items {
                assert_eq!(ribbon.bit(d), *bit);
            }
            let back = Ribbon::from_bytes(ribbon.seed(), columns, 1, &ribbon.to_bytes()).unwrap();
            assert_eq!(back, ribbon);
        }
    }

    #[test]
    fn padding_bits_must_be_zero() {
        assert!(Ribbon::from_bytes(0, 3, 1, &[0b0000_0111]).is_some());
        assert!(Ribbon::from_bytes(0, 3, 1, &[0b0000_1111]).is_none());
        assert!(Ribbon::from_bytes(0, 3, 1, &[0, 0]).is_none());
        assert!(Ribbon::from_bytes(0, usize::MAX, 2, &[]).is_none());
    }
}
