//! The pixel loops of the RGBA conversion, the binariser and the halving, 16 pixels a step.
//!
//! On x86-64 they use SSE2 (which every x86-64 CPU has) through `safe_arch`'s safe wrappers: our
//! crates forbid `unsafe`, and the compiler does not find these forms on its own (a comparison
//! gathered into one bit a pixel, sums of 8 bytes, minima across a vector), or finds them only in
//! some inlining contexts. On WebAssembly built with SIMD (`-C target-feature=+simd128`: the
//! package's `full-simd` build) they use `core::arch::wasm32`'s lane operations, safe to call
//! there, with `bytemuck` to move bytes in and out of vectors without `unsafe`; the RGBA
//! conversion has a SIMD form only there (x86-64 compilers vectorise the plain one well enough;
//! WebAssembly's did so four pixels at a time). Elsewhere the plain versions below run; on x86-64
//! the unit tests check that both give the same results, and the package's tests compare its SIMD
//! build with its plain one.

/// Pixels handled per step.
pub(crate) const LANES: usize = 16;

/// One RGBA pixel as luma, composited over white: the one conversion for pictures with
/// transparency and for RGBA camera frames. BT.601's weights in 8-bit fixed point (77, 150 and 29
/// 256ths, as libjpeg's and ZXing's conversions), `y = (77r + 150g + 29b + 128) >> 8`, then
/// `⌊(y · a + 255 · (255 − a)) / 255⌋` with the division as a shift-and-add (exact for every
/// value: `luma_matches_the_definition` checks them all). Every step fits 16 bits, so a vector
/// converts eight pixels a lane-wise multiply: a camera frame is a million pixels, converted
/// every frame.
#[inline]
pub(crate) fn luma_on_white(r: u8, g: u8, b: u8, a: u8) -> u8 {
    let y = (u16::from(r) * 77 + u16::from(g) * 150 + u16::from(b) * 29 + 128) >> 8;
    let a = u16::from(a);
    let over_white = y * a + 255 * (255 - a);
    ((over_white + 1 + (over_white >> 8)) >> 8) as u8
}

/// [`luma_on_white`] of 16 RGBA pixels.
#[inline]
pub(crate) fn luma16(rgba: &[u8; 4 * LANES]) -> [u8; LANES] {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::luma16(rgba)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        plain::luma16(rgba)
    }
}

/// Bit k set when pixel k is at or below its threshold `t[k]` (dark).
#[inline]
pub(crate) fn dark16(px: &[u8; LANES], t: &[u8; LANES]) -> u16 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::dark16(px, t)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::dark16(px, t)
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::pair_stats(rows, w, x)
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::halve16(a, b)
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
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

#[cfg_attr(
    any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    ),
    allow(dead_code)
)]
mod plain {
    use super::{LANES, block_rows, luma_on_white};

    #[inline]
    pub(crate) fn luma16(rgba: &[u8; 4 * LANES]) -> [u8; LANES] {
        let mut out = [0u8; LANES];
        for (y, p) in out.iter_mut().zip(rgba.chunks_exact(4)) {
            if let &[r, g, b, a] = p {
                *y = luma_on_white(r, g, b, a);
            }
        }
        out
    }

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

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{LANES, block_rows};
    use core::arch::wasm32::{
        i8x16_shuffle, i16x8_mul, u8x16_bitmask, u8x16_le, u8x16_max, u8x16_min,
        u8x16_narrow_i16x8, u16x8_add, u16x8_extadd_pairwise_u8x16, u16x8_extend_high_u8x16,
        u16x8_extend_low_u8x16, u16x8_shr, u16x8_splat, u16x8_sub, u32x4_extadd_pairwise_u16x8,
        v128,
    };

    fn load(px: &[u8; LANES]) -> v128 {
        bytemuck::cast(*px)
    }

    fn bytes(v: v128) -> [u8; LANES] {
        bytemuck::cast(v)
    }

    /// Eight pixels' luma (`luma_on_white`), each channel in a 16-bit lane: nothing overflows
    /// 16 bits, so the wrapping lane multiplies are exact.
    fn luma8(r: v128, g: v128, b: v128, a: v128) -> v128 {
        let c = u16x8_splat;
        let weighted = u16x8_add(
            u16x8_add(i16x8_mul(r, c(77)), i16x8_mul(g, c(150))),
            u16x8_add(i16x8_mul(b, c(29)), c(128)),
        );
        let y = u16x8_shr(weighted, 8);
        let over_white = u16x8_add(i16x8_mul(y, a), i16x8_mul(u16x8_sub(c(255), a), c(255)));
        u16x8_shr(
            u16x8_add(u16x8_add(over_white, c(1)), u16x8_shr(over_white, 8)),
            8,
        )
    }

    #[inline]
    pub(crate) fn luma16(rgba: &[u8; 4 * LANES]) -> [u8; LANES] {
        let [v0, v1, v2, v3]: [v128; 4] = bytemuck::cast(*rgba);
        // Pixels 0–7 as [r0..r7, g0..g7] and [b0..b7, a0..a7]; the same for pixels 8–15.
        let rg_lo =
            i8x16_shuffle::<0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29>(v0, v1);
        let ba_lo =
            i8x16_shuffle::<2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31>(v0, v1);
        let rg_hi =
            i8x16_shuffle::<0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29>(v2, v3);
        let ba_hi =
            i8x16_shuffle::<2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31>(v2, v3);
        let half = |rg: v128, ba: v128| {
            luma8(
                u16x8_extend_low_u8x16(rg),
                u16x8_extend_high_u8x16(rg),
                u16x8_extend_low_u8x16(ba),
                u16x8_extend_high_u8x16(ba),
            )
        };
        // Every lane is at most 255: the signed-saturating narrowing keeps it as it is.
        bytes(u8x16_narrow_i16x8(half(rg_lo, ba_lo), half(rg_hi, ba_hi)))
    }

    #[inline]
    pub(crate) fn dark16(px: &[u8; LANES], t: &[u8; LANES]) -> u16 {
        u8x16_bitmask(u8x16_le(load(px), load(t)))
    }

    #[inline]
    pub(crate) fn pair_stats(rows: &[u8], w: usize, x: usize) -> Option<[(u32, u8, u8); 2]> {
        let (mut min, mut max, mut sum) = (u16x8_splat(0xFFFF), u16x8_splat(0), u16x8_splat(0));
        let mut n = 0;
        for px in block_rows(rows, w, x) {
            let v = load(px?);
            min = u8x16_min(min, v);
            max = u8x16_max(max, v);
            // Sums of byte pairs: at most 8 rows × 510, within a 16-bit lane.
            sum = u16x8_add(sum, u16x8_extadd_pairwise_u8x16(v));
            n += 1;
        }
        if n != 8 {
            return None;
        }
        let sums: [u32; 4] = bytemuck::cast(u32x4_extadd_pairwise_u16x8(sum));
        let (min, max) = (bytes(min), bytes(max));
        let fold =
            |bytes: &[u8], f: fn(u8, u8) -> u8, start: u8| bytes.iter().copied().fold(start, f);
        let block = |k: usize| {
            let lanes = 8 * k..8 * k + 8;
            (
                sums.get(2 * k..2 * k + 2).map_or(0, |s| s.iter().sum()),
                fold(min.get(lanes.clone()).unwrap_or(&[]), u8::min, 255),
                fold(max.get(lanes).unwrap_or(&[]), u8::max, 0),
            )
        };
        Some([block(0), block(1)])
    }

    #[inline]
    pub(crate) fn halve16(a: &[u8; LANES], b: &[u8; LANES]) -> [u8; LANES / 2] {
        let sums = u16x8_add(
            u16x8_extadd_pairwise_u8x16(load(a)),
            u16x8_extadd_pairwise_u8x16(load(b)),
        );
        let means = u16x8_shr(u16x8_add(sums, u16x8_splat(2)), 2);
        let packed = bytes(u8x16_narrow_i16x8(means, means));
        let mut out = [0u8; LANES / 2];
        out.copy_from_slice(packed.get(..LANES / 2).unwrap_or(&[0; LANES / 2]));
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

    /// The 16-bit conversion equals its definition in wider integers for every input: every
    /// opaque colour (the weighted sum), and every grey (which the sum keeps as it is) at every
    /// alpha (the compositing, which depends only on that luma and the alpha).
    #[test]
    fn luma_matches_the_definition() {
        fn definition(r: u8, g: u8, b: u8, a: u8) -> u8 {
            let y = (u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29 + 128) / 256;
            let a = u32::from(a);
            ((y * a + 255 * (255 - a)) / 255) as u8
        }
        for r in 0..=255u8 {
            for g in 0..=255u8 {
                for b in 0..=255u8 {
                    assert_eq!(luma_on_white(r, g, b, 255), definition(r, g, b, 255));
                }
            }
        }
        for v in 0..=255u8 {
            assert_eq!(luma_on_white(v, v, v, 255), v, "greys stay as they are");
            for a in 0..=255u8 {
                assert_eq!(luma_on_white(v, v, v, a), definition(v, v, v, a));
            }
        }
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
            let rgba: [u8; 4 * LANES] = std::array::from_fn(|k| [a, b][k / LANES % 2][k % LANES]);
            let want: [u8; LANES] = std::array::from_fn(|k| {
                luma_on_white(
                    rgba[4 * k],
                    rgba[4 * k + 1],
                    rgba[4 * k + 2],
                    rgba[4 * k + 3],
                )
            });
            assert_eq!(plain::luma16(&rgba), want);
            assert_eq!(luma16(&rgba), want);
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
