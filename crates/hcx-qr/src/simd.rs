//! The binariser's and the halving's pixel loops, 16 pixels a step.
//!
//! On x86-64 they use SSE2 (which every x86-64 CPU has) through `safe_arch`'s safe wrappers: our
//! crates forbid `unsafe`, and the compiler does not find these forms on its own (a comparison
//! gathered into one bit a pixel, sums of 8 bytes, minima across a vector), or finds them only in
//! some inlining contexts. Elsewhere the plain versions below run; on x86-64 the unit tests check
//! that both give the same results.

/// Pixels handled per step.
pub(crate) const LANES: usize = 16;

/// Bit k set when pixel k is at or below its threshold `t[k]` (dark).
#[inline]
pub(crate) fn dark16(px: &[u8; LANES], t: &[u8; LANES]) -> u16 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::dark16(px, t)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        plain::dark16(px, t)
    }
}

/// Sum, minimum and maximum of each of the two 8×8 blocks at columns `x..x + 8` and
/// `x + 8..x + 16` of `rows` (8 rows of `w` pixels); `None` if a row is too short.
#[inline]
pub(crate) fn pair_stats(rows: &[u8], w: usize, x: usize) -> Option<[(u32, u8, u8); 2]> {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::pair_stats(rows, w, x)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        plain::pair_stats(rows, w, x)
    }
}

/// The 2×2 rounded means of two rows of 16 pixels: 8 pixels.
#[inline]
pub(crate) fn halve16(a: &[u8; LANES], b: &[u8; LANES]) -> [u8; LANES / 2] {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::halve16(a, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        plain::halve16(a, b)
    }
}

/// The 16 pixels at `x` of each of the 8 rows of `w` pixels in `rows`.
#[inline]
fn block_rows(rows: &[u8], w: usize, x: usize) -> impl Iterator<Item = Option<&[u8; LANES]>> {
    rows.chunks_exact(w.max(1))
        .take(8)
        .map(move |row| row.get(x..x + LANES).and_then(|px| px.try_into().ok()))
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
mod plain {
    use super::{LANES, block_rows};

    #[inline]
    pub(crate) fn dark16(px: &[u8; LANES], t: &[u8; LANES]) -> u16 {
        px.iter()
            .zip(t)
            .enumerate()
            .fold(0, |bits, (k, (&p, &t))| bits | (u16::from(p <= t) << k))
    }

    #[inline]
    pub(crate) fn pair_stats(rows: &[u8], w: usize, x: usize) -> Option<[(u32, u8, u8); 2]> {
        let mut out = [(0u32, 255u8, 0u8); 2];
        let mut n = 0;
        for px in block_rows(rows, w, x) {
            for (half, (sum, min, max)) in px?.chunks_exact(8).zip(&mut out) {
                for &p in half {
                    *sum += u32::from(p);
                    *min = (*min).min(p);
                    *max = (*max).max(p);
                }
            }
            n += 1;
        }
        (n == 8).then_some(out)
    }

    #[inline]
    pub(crate) fn halve16(a: &[u8; LANES], b: &[u8; LANES]) -> [u8; LANES / 2] {
        let mut out = [0u8; LANES / 2];
        for (o, (a, b)) in out.iter_mut().zip(a.chunks_exact(2).zip(b.chunks_exact(2))) {
            let sum: u16 = a.iter().chain(b).map(|&p| u16::from(p)).sum();
            *o = ((sum + 2) / 4) as u8;
        }
        out
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::{LANES, block_rows};
    use safe_arch::{
        add_i16_m128i, add_i32_m128i, add_i64_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i,
        m128i, max_u8_m128i, min_u8_m128i, move_mask_i8_m128i, mul_i16_horizontal_add_m128i,
        pack_i16_to_u8_m128i, pack_i32_to_i16_m128i, set_splat_i8_m128i, set_splat_i16_m128i,
        set_splat_i32_m128i, shr_imm_u32_m128i, shr_imm_u64_m128i, sum_of_u8_abs_diff_m128i,
        unpack_high_i8_m128i, unpack_low_i8_m128i, zeroed_m128i,
    };

    #[inline]
    pub(crate) fn dark16(px: &[u8; LANES], t: &[u8; LANES]) -> u16 {
        let (p, t) = (load_unaligned_m128i(px), load_unaligned_m128i(t));
        // p <= t exactly where min(p, t) == p (unsigned bytes).
        let le = cmp_eq_mask_i8_m128i(min_u8_m128i(p, t), p);
        move_mask_i8_m128i(le) as u16
    }

    #[inline]
    pub(crate) fn pair_stats(rows: &[u8], w: usize, x: usize) -> Option<[(u32, u8, u8); 2]> {
        let (mut min, mut max, mut sum) = (set_splat_i8_m128i(-1), zeroed_m128i(), zeroed_m128i());
        let mut n = 0;
        for px in block_rows(rows, w, x) {
            let v = load_unaligned_m128i(px?);
            min = min_u8_m128i(min, v);
            max = max_u8_m128i(max, v);
            // Sums of absolute differences with 0: the sum of each 8 bytes, in each 64-bit lane.
            sum = add_i64_m128i(sum, sum_of_u8_abs_diff_m128i(v, zeroed_m128i()));
            n += 1;
        }
        if n != 8 {
            return None;
        }
        // Minimum and maximum over each 64-bit lane's 8 bytes, into its lowest byte.
        let fold = |v: m128i, f: fn(m128i, m128i) -> m128i| {
            let v = f(v, shr_imm_u64_m128i::<32>(v));
            let v = f(v, shr_imm_u64_m128i::<16>(v));
            f(v, shr_imm_u64_m128i::<8>(v))
        };
        let min: [u8; 16] = fold(min, min_u8_m128i).into();
        let max: [u8; 16] = fold(max, max_u8_m128i).into();
        let sum: [u64; 2] = sum.into();
        Some([
            (sum[0] as u32, min[0], max[0]),
            (sum[1] as u32, min[8], max[8]),
        ])
    }

    #[inline]
    pub(crate) fn halve16(a: &[u8; LANES], b: &[u8; LANES]) -> [u8; LANES / 2] {
        let (a, b, zero) = (
            load_unaligned_m128i(a),
            load_unaligned_m128i(b),
            zeroed_m128i(),
        );
        // Column sums of the two rows as 16-bit lanes, then pairs of columns as 32-bit lanes.
        let cols_lo = add_i16_m128i(unpack_low_i8_m128i(a, zero), unpack_low_i8_m128i(b, zero));
        let cols_hi = add_i16_m128i(unpack_high_i8_m128i(a, zero), unpack_high_i8_m128i(b, zero));
        let ones = set_splat_i16_m128i(1);
        let two = set_splat_i32_m128i(2);
        let lo = mul_i16_horizontal_add_m128i(cols_lo, ones);
        let hi = mul_i16_horizontal_add_m128i(cols_hi, ones);
        let lo = shr_imm_u32_m128i::<2>(add_i32_m128i(lo, two));
        let hi = shr_imm_u32_m128i::<2>(add_i32_m128i(hi, two));
        let bytes: [u8; 16] = pack_i16_to_u8_m128i(pack_i32_to_i16_m128i(lo, hi), zero).into();
        let mut out = [0u8; LANES / 2];
        out.copy_from_slice(bytes.get(..LANES / 2).unwrap_or(&[0; LANES / 2]));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(seed: &mut u32) -> u8 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 17;
        *seed ^= *seed << 5;
        (*seed >> 8) as u8
    }

    /// The plain versions against a direct reading of what each function promises, and (on
    /// x86-64) the SSE2 versions against the plain ones, on noise and on extreme values.
    #[test]
    fn simd_and_plain_agree() {
        let mut seed = 0x5EED_1234u32;
        for round in 0..2000 {
            let mut pick = |k: usize| match round % 4 {
                0 => noise(&mut seed),
                1 => [0u8, 255][k % 2],
                2 => 127 + (noise(&mut seed) % 3),
                _ => noise(&mut seed) | 0x80,
            };
            let a: [u8; LANES] = std::array::from_fn(&mut pick);
            let b: [u8; LANES] = std::array::from_fn(&mut pick);
            let want = (0..LANES).fold(0u16, |m, k| m | (u16::from(a[k] <= b[k]) << k));
            assert_eq!(plain::dark16(&a, &b), want);
            assert_eq!(dark16(&a, &b), want);
            let want: [u8; 8] = std::array::from_fn(|k| {
                let s = [a[2 * k], a[2 * k + 1], b[2 * k], b[2 * k + 1]];
                ((s.iter().map(|&p| u16::from(p)).sum::<u16>() + 2) / 4) as u8
            });
            assert_eq!(plain::halve16(&a, &b), want);
            assert_eq!(halve16(&a, &b), want);
        }
        for (w, x) in [(16usize, 0usize), (40, 0), (40, 24), (41, 9), (100, 77)] {
            for round in 0..200 {
                let rows: Vec<u8> = (0..8 * w)
                    .map(|_| match round % 3 {
                        0 => noise(&mut seed),
                        1 => 255,
                        _ => noise(&mut seed) % 4,
                    })
                    .collect();
                let want: [(u32, u8, u8); 2] = std::array::from_fn(|k| {
                    let px: Vec<u8> = (0..8)
                        .flat_map(|r| rows[r * w + x + 8 * k..r * w + x + 8 * k + 8].to_vec())
                        .collect();
                    let sum = px.iter().map(|&p| u32::from(p)).sum();
                    (sum, *px.iter().min().unwrap(), *px.iter().max().unwrap())
                });
                assert_eq!(plain::pair_stats(&rows, w, x), Some(want), "{w} {x}");
                assert_eq!(pair_stats(&rows, w, x), Some(want), "{w} {x}");
            }
            // Past the end of the rows, or fewer than 8 rows: none.
            let rows = vec![0u8; 8 * w];
            assert_eq!(pair_stats(&rows, w, w - 15), None);
            assert_eq!(plain::pair_stats(&rows, w, w - 15), None);
            assert_eq!(pair_stats(&rows[..7 * w], w, 0), None);
            assert_eq!(plain::pair_stats(&rows[..7 * w], w, 0), None);
        }
    }
}
