//! A fast local-average binariser (ZXing's "hybrid" algorithm) that plugs into rxing.
//!
//! rxing's own `HybridBinarizer` computes the same thing but spends about half of a decode in it;
//! this one works on whole rows of the borrowed luma buffer.

use std::borrow::Cow;

use rxing::common::{
    BIT_FIELD_BASE_BITS, BitArray, BitFieldBaseType, BitMatrix, LineOrientation, Result,
};
use rxing::{Binarizer, Exceptions, Luma8Source, LuminanceSource};

use crate::simd;

const BLOCK: usize = 8;
const MIN_DYNAMIC_RANGE: u32 = 24;
/// Smallest side this binariser handles (5 blocks); smaller pictures use rxing's own.
pub(crate) const MIN_SIDE: u32 = 5 * BLOCK as u32;

/// A binariser whose black matrix is computed once, up front, from a borrowed luma buffer.
pub(crate) struct LocalAverage<'a> {
    source: Luma8Source<'a>,
    matrix: BitMatrix,
    /// The same black matrix as packed rows (`words_per_row` words each), read by our
    /// finder-pattern scan without going through `BitMatrix`.
    words: Vec<BitFieldBaseType>,
}

impl<'a> LocalAverage<'a> {
    /// Binarises `luma` (`width * height` bytes, both at least [`MIN_SIDE`]).
    pub(crate) fn new(luma: &'a [u8], width: u32, height: u32) -> Result<Self> {
        let source = Luma8Source::new_with_slice(luma, width, height)?;
        let (matrix, words) = binarise(luma, width as usize, height as usize)?;
        Ok(LocalAverage {
            source,
            matrix,
            words,
        })
    }

    /// The black matrix, and the same bits as packed rows.
    pub(crate) fn parts(&self) -> (&BitMatrix, &[BitFieldBaseType]) {
        (&self.matrix, &self.words)
    }

    /// Inverts the black matrix (light-on-dark codes), both forms.
    pub(crate) fn invert(&mut self) {
        invert(&mut self.matrix, &mut self.words);
    }
}

/// Sum, minimum and maximum of the 8×8 block at column `x` of `rows` (8 rows of `w` pixels).
fn block_stats(rows: &[u8], w: usize, x: usize) -> (u32, u8, u8) {
    let (mut sum, mut min, mut max) = (0u32, 255u8, 0u8);
    for row in rows.chunks_exact(w).take(BLOCK) {
        for &p in row.get(x..x + BLOCK).unwrap_or(&[]) {
            sum += u32::from(p);
            min = min.min(p);
            max = max.max(p);
        }
    }
    (sum, min, max)
}

/// Per 8×8 block: the mean, or for flat blocks a value below the neighbours' (ZXing's rule).
fn black_points(luma: &[u8], w: usize, h: usize, sub_w: usize, sub_h: usize) -> Vec<u32> {
    let mut points = vec![0u32; sub_w * sub_h];
    let mut sums = vec![0u32; sub_w];
    let mut mins = vec![255u8; sub_w];
    let mut maxs = vec![0u8; sub_w];
    for by in 0..sub_h {
        let yoff = (by * BLOCK).min(h - BLOCK);
        let rows = luma.get(yoff * w..(yoff + BLOCK) * w).unwrap_or(&[]);
        let mut set = |bx: usize, (sum, min, max): (u32, u8, u8)| {
            if let (Some(s), Some(lo), Some(hi)) =
                (sums.get_mut(bx), mins.get_mut(bx), maxs.get_mut(bx))
            {
                (*s, *lo, *hi) = (sum, min, max);
            }
        };
        let mut bx = 0;
        while bx < sub_w {
            // Two blocks at a time where both are whole; the last block of a row whose width is
            // not a multiple of 8 is shifted left to fit.
            let pair = if (bx + 2) * BLOCK <= w {
                simd::pair_stats(rows, w, bx * BLOCK)
            } else {
                None
            };
            if let Some([first, second]) = pair {
                set(bx, first);
                set(bx + 1, second);
                bx += 2;
                continue;
            }
            set(bx, block_stats(rows, w, (bx * BLOCK).min(w - BLOCK)));
            bx += 1;
        }
        // ZXing's rule, block by block: a flat block's point depends on the one before it.
        let (done, rest) = points.split_at_mut(by * sub_w);
        let above = done.get(done.len().saturating_sub(sub_w)..).unwrap_or(&[]);
        let row = rest.get_mut(..sub_w).unwrap_or(&mut []);
        let (mut left, mut above_left) = (0u32, 0u32);
        let stats = sums.iter().zip(mins.iter().zip(&maxs));
        let above = above.iter().copied().chain(std::iter::repeat(0));
        for (bx, ((p, (&sum, (&min, &max))), above)) in
            row.iter_mut().zip(stats).zip(above).enumerate()
        {
            let (min, max) = (u32::from(min), u32::from(max));
            let mut average = sum >> 6;
            if max - min <= MIN_DYNAMIC_RANGE {
                average = min / 2;
                if by > 0 && bx > 0 {
                    let neighbours = (above + 2 * left + above_left) / 4;
                    if min < neighbours {
                        average = neighbours;
                    }
                }
            }
            *p = average;
            (left, above_left) = (average, above);
        }
    }
    points
}

/// One word of the black matrix: bit k set when `px[k] <= ts[k]`.
#[inline]
fn dark_word(px: &[u8; BIT_FIELD_BASE_BITS], ts: &[u8; BIT_FIELD_BASE_BITS]) -> BitFieldBaseType {
    let steps = px
        .chunks_exact(simd::LANES)
        .zip(ts.chunks_exact(simd::LANES));
    let mut bits: BitFieldBaseType = 0;
    for (k, (px, ts)) in steps.enumerate() {
        if let (Ok(px), Ok(ts)) = (px.try_into(), ts.try_into()) {
            bits |= BitFieldBaseType::from(simd::dark16(px, ts)) << (simd::LANES * k);
        }
    }
    bits
}

/// The black matrix as packed rows (`w.div_ceil(BIT_FIELD_BASE_BITS)` words each): the pixels
/// at or below their threshold. `thresholds(y, spread)` fills `spread` with the thresholds of row
/// `y`'s pixels; it is called for every row that is a multiple of [`BLOCK`], and they hold for
/// the next `BLOCK - 1` rows too.
fn dark_rows(
    luma: &[u8],
    w: usize,
    h: usize,
    mut thresholds: impl FnMut(usize, &mut [u8]),
) -> Vec<BitFieldBaseType> {
    // Each row is compared with its row of per-pixel thresholds, 16 pixels a step.
    let mut spread = vec![0u8; w];
    let stride = w.div_ceil(BIT_FIELD_BASE_BITS);
    let mut all: Vec<BitFieldBaseType> = vec![0; stride * h];
    for (y, (row, words)) in luma
        .chunks_exact(w)
        .zip(all.chunks_exact_mut(stride))
        .enumerate()
    {
        if y % BLOCK == 0 {
            thresholds(y, &mut spread);
        }
        let (px, ts) = (
            row.chunks_exact(BIT_FIELD_BASE_BITS),
            spread.chunks_exact(BIT_FIELD_BASE_BITS),
        );
        let (px_rest, ts_rest) = (px.remainder(), ts.remainder());
        let mut words = words.iter_mut();
        // Whole words first (zipped this way round, so the word after them is not consumed).
        for ((px, ts), word) in px.zip(ts).zip(&mut words) {
            if let (Ok(px), Ok(ts)) = (px.try_into(), ts.try_into()) {
                *word = dark_word(px, ts);
            }
        }
        if let Some(word) = words.next() {
            // The row's last pixels, padded with light ones (255 against a threshold of 0).
            let (mut p, mut t) = ([255u8; BIT_FIELD_BASE_BITS], [0u8; BIT_FIELD_BASE_BITS]);
            p.iter_mut().zip(px_rest).for_each(|(p, &v)| *p = v);
            t.iter_mut().zip(ts_rest).for_each(|(t, &v)| *t = v);
            *word = dark_word(&p, &t);
        }
    }
    all
}

/// A `BitMatrix` holding the packed rows `words` (`w.div_ceil(BIT_FIELD_BASE_BITS)` each).
fn to_matrix(words: &[BitFieldBaseType], w: usize, h: usize) -> Result<BitMatrix> {
    let mut matrix = BitMatrix::new(w as u32, h as u32)?;
    let mut row_bits = BitArray::with_size(w);
    let stride = w.div_ceil(BIT_FIELD_BASE_BITS);
    // `row_bits` still holds the row before: only the words that changed are set again (a call
    // into rxing each), which in plain areas is few of them.
    let mut before: &[BitFieldBaseType] = &[];
    for (y, row) in words.chunks_exact(stride).enumerate().take(h) {
        for (i, &word) in row.iter().enumerate() {
            if y == 0 || before.get(i) != Some(&word) {
                row_bits.setBulk(i * BIT_FIELD_BASE_BITS, word);
            }
        }
        matrix.setRow(y as u32, &row_bits);
        before = row;
    }
    Ok(matrix)
}

fn binarise(luma: &[u8], w: usize, h: usize) -> Result<(BitMatrix, Vec<BitFieldBaseType>)> {
    if w < BLOCK * 5 || h < BLOCK * 5 || luma.len() != w * h {
        return Err(Exceptions::illegal_argument_with("picture too small"));
    }
    let (sub_w, sub_h) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let points = black_points(luma, w, h, sub_w, sub_h);
    // Threshold of each block: mean of the 5×5 blocks around it, clamped to the picture.
    // Sums of 5 blocks along each row first, then of 5 such sums down each column.
    let mut across = vec![0u32; sub_w * sub_h];
    for (sums, row) in across
        .chunks_exact_mut(sub_w)
        .zip(points.chunks_exact(sub_w))
    {
        // Inside, five shifted slices added (vectorised); the two blocks at each end clamp
        // their window to the picture, so they take the sum of the nearest inside block.
        let inside = sums.get_mut(2..sub_w - 2).unwrap_or(&mut []);
        let shifted = |k: usize| row.get(k..).unwrap_or(&[]).iter();
        for ((((s, a), b), (c, d)), e) in inside
            .iter_mut()
            .zip(shifted(0))
            .zip(shifted(1))
            .zip(shifted(2).zip(shifted(3)))
            .zip(shifted(4))
        {
            *s = a + b + c + d + e;
        }
        let first = sums.get(2).copied().unwrap_or(0);
        let last = sums.get(sub_w - 3).copied().unwrap_or(0);
        for (bx, s) in sums.iter_mut().enumerate() {
            if bx < 2 {
                *s = first;
            } else if bx >= sub_w - 2 {
                *s = last;
            }
        }
    }
    let mut thresholds = vec![0u8; sub_w * sub_h];
    let mut down = vec![0u32; sub_w];
    for (by, trow) in thresholds.chunks_exact_mut(sub_w).enumerate() {
        let top = by.clamp(2, sub_h - 3);
        down.fill(0);
        for row in across.chunks_exact(sub_w).skip(top - 2).take(5) {
            for (d, &v) in down.iter_mut().zip(row) {
                *d += v;
            }
        }
        for (t, &sum) in trow.iter_mut().zip(&down) {
            *t = (sum / 25).min(255) as u8;
        }
    }
    let all = dark_rows(luma, w, h, |y, spread| {
        // ZXing shifts the last, partial block of a column up (of a row, left) to fit, so it
        // overlaps the block before; both have the same threshold (their 5×5 windows clamp to
        // the same blocks), so each pixel simply takes the threshold of the block it falls in.
        let by = (y / BLOCK).min(sub_h - 1);
        let trow = thresholds.get(by * sub_w..(by + 1) * sub_w).unwrap_or(&[]);
        // Whole blocks first: a fill of a known 8 bytes is one store, not a `memset` call.
        let mut whole = spread.chunks_exact_mut(BLOCK);
        for (px, &t) in (&mut whole).zip(trow) {
            px.fill(t);
        }
        whole
            .into_remainder()
            .fill(trow.get(w / BLOCK).copied().unwrap_or(0));
    });
    let matrix = to_matrix(&all, w, h)?;
    Ok((matrix, all))
}

/// rxing's `GlobalHistogramBinarizer` (one threshold from a histogram of four rows), with the
/// same black matrix, built 8 pixels a step; also the packed rows. `None` where rxing finds too
/// little contrast (its black matrix is then empty, and nothing can be read from it).
pub(crate) fn global(
    luma: &[u8],
    w: usize,
    h: usize,
) -> Option<(BitMatrix, Vec<BitFieldBaseType>)> {
    if w < BLOCK * 5 || h < BLOCK * 5 || luma.len() != w * h {
        return None;
    }
    let mut buckets = [0u32; 32];
    for y in 1..5 {
        let row = luma.get(h * y / 5 * w..(h * y / 5 + 1) * w)?;
        for &p in row.get(w / 5..w * 4 / 5)? {
            if let Some(b) = buckets.get_mut(usize::from(p >> 3)) {
                *b += 1;
            }
        }
    }
    let black_point = estimate_black_point(&buckets)?;
    // Dark is `p < black_point`, that is `p <= black_point - 1`.
    let t = u8::try_from(black_point.checked_sub(1)?).ok()?;
    let all = dark_rows(luma, w, h, |_, spread| spread.fill(t));
    let matrix = to_matrix(&all, w, h).ok()?;
    Some((matrix, all))
}

/// rxing's `estimateBlackPoint` over 32 buckets (same arithmetic).
fn estimate_black_point(buckets: &[u32; 32]) -> Option<u32> {
    let (mut max_count, mut first, mut first_size) = (0u32, 0usize, 0u32);
    for (x, &b) in buckets.iter().enumerate() {
        if b > first_size {
            first = x;
            first_size = b;
        }
        max_count = max_count.max(b);
    }
    let (mut second, mut second_score) = (0usize, 0u32);
    for (x, &b) in buckets.iter().enumerate() {
        let d = (x as i32 - first as i32).unsigned_abs();
        let score = b.wrapping_mul(d).wrapping_mul(d);
        if score > second_score {
            second = x;
            second_score = score;
        }
    }
    if first > second {
        std::mem::swap(&mut first, &mut second);
    }
    if second - first <= 32 / 16 {
        return None;
    }
    let mut best = second as isize - 1;
    let mut best_score = -1i32;
    let mut x = second as isize;
    while x > first as isize {
        let from_first = x - first as isize;
        let here = buckets.get(x as usize).copied().unwrap_or(0);
        let score = from_first
            .wrapping_mul(from_first)
            .wrapping_mul(second as isize - x)
            .wrapping_mul(max_count.wrapping_sub(here) as isize);
        if score as i32 > best_score {
            best = x;
            best_score = score as i32;
        }
        x -= 1;
    }
    Some((best as u32) << 3)
}

/// Inverts a black matrix and its packed rows (bits past each row's end stay clear).
pub(crate) fn invert(matrix: &mut BitMatrix, words: &mut [BitFieldBaseType]) {
    matrix.flip_self();
    let width = matrix.width() as usize;
    let stride = width.div_ceil(BIT_FIELD_BASE_BITS).max(1);
    let last = match width % BIT_FIELD_BASE_BITS {
        0 => BitFieldBaseType::MAX,
        used => (1 << used) - 1,
    };
    for row in words.chunks_exact_mut(stride) {
        for w in row.iter_mut() {
            *w = !*w;
        }
        if let Some(w) = row.last_mut() {
            *w &= last;
        }
    }
}

impl<'a> Binarizer for LocalAverage<'a> {
    type Source = Luma8Source<'a>;

    fn get_luminance_source(&self) -> &Self::Source {
        &self.source
    }

    fn get_black_row(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        if y >= self.matrix.height() as usize {
            return Err(Exceptions::INDEX_OUT_OF_BOUNDS);
        }
        Ok(Cow::Owned(self.matrix.getRow(y as u32)))
    }

    fn get_black_row_from_matrix(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.get_black_row(y)
    }

    fn get_black_matrix(&self) -> Result<&BitMatrix> {
        Ok(&self.matrix)
    }

    fn get_black_line(&self, l: usize, lt: LineOrientation) -> Result<Cow<'_, BitArray>> {
        match lt {
            LineOrientation::Row => self.get_black_row(l),
            LineOrientation::Column => {
                if l >= self.matrix.width() as usize {
                    return Err(Exceptions::INDEX_OUT_OF_BOUNDS);
                }
                Ok(Cow::Owned(self.matrix.getCol(l as u32)))
            }
        }
    }

    fn create_binarizer(&self, source: Self::Source) -> Self {
        let (w, h) = (source.get_width(), source.get_height());
        let luma = source.get_matrix();
        let (matrix, words) = binarise(&luma, w, h)
            .or_else(|_| BitMatrix::new(w.max(1) as u32, h.max(1) as u32).map(|m| (m, Vec::new())))
            .unwrap_or_else(|_| (self.matrix.clone(), Vec::new()));
        LocalAverage {
            source,
            matrix,
            words,
        }
    }

    fn get_width(&self) -> usize {
        self.matrix.width() as usize
    }

    fn get_height(&self) -> usize {
        self.matrix.height() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::HybridBinarizer;

    /// Same black matrix as rxing's `GlobalHistogramBinarizer`, or none where it has none.
    #[test]
    fn global_matches_rxing() {
        use rxing::common::GlobalHistogramBinarizer;
        let mut seed = 0x0BAD_5EEDu32;
        let (mut some, mut none) = (0, 0);
        for (w, h) in [
            (40, 40),
            (41, 57),
            (100, 67),
            (131, 129),
            (64, 200),
            (333, 41),
        ] {
            for contrast in [4u32, 40, 256] {
                let luma: Vec<u8> = (0..w * h)
                    .map(|i| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        let (x, y) = (i % w, i / w);
                        let base = if (x / 7 + y / 5) % 3 == 0 {
                            0
                        } else {
                            contrast - 1
                        };
                        if contrast > 4 && seed.is_multiple_of(10) {
                            // Some pixels of any level, so some sit right at the black point.
                            (seed >> 8) as u8
                        } else {
                            (base.min(255) as u8).saturating_add((seed % 9) as u8)
                        }
                    })
                    .collect();
                let source = Luma8Source::new_with_slice(&luma, w as u32, h as u32).unwrap();
                let theirs = GlobalHistogramBinarizer::new(source);
                match (global(&luma, w, h), theirs.get_black_matrix()) {
                    (Some((m, words)), Ok(t)) => {
                        assert_eq!(&m, t, "{w}x{h} {contrast}");
                        let stride = words.len() / h;
                        for y in 0..h {
                            let row = m.getRow(y as u32);
                            assert_eq!(row.getBitArray(), &words[y * stride..(y + 1) * stride]);
                        }
                        some += 1;
                    }
                    (None, Err(_)) => none += 1,
                    (a, b) => panic!("{w}x{h} {contrast}: {:?} {:?}", a.is_some(), b.is_ok()),
                }
            }
        }
        assert!(some > 0 && none > 0, "{some} {none}");
    }

    /// Same black matrix as rxing's `HybridBinarizer` (ZXing's algorithm), on odd sizes and noise.
    #[test]
    fn matches_rxing_hybrid() {
        let mut seed = 0x1234_5678_u32;
        for (w, h) in [
            (40, 40),
            (41, 57),
            (100, 67),
            (131, 129),
            (64, 200),
            (259, 83),
        ] {
            let luma: Vec<u8> = (0..w * h)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    // gradients, flat areas and noise
                    let (x, y) = (i % w, i / w);
                    if (x / 16 + y / 16) % 3 == 0 {
                        100
                    } else {
                        ((x * 3 + y) as u32 % 200 + seed % 56) as u8
                    }
                })
                .collect();
            let (ours, words) = binarise(&luma, w, h).unwrap();
            let source = Luma8Source::new_with_slice(&luma, w as u32, h as u32).unwrap();
            let theirs = HybridBinarizer::new(source);
            assert_eq!(&ours, theirs.get_black_matrix().unwrap(), "{w}x{h}");
            // The packed rows are the matrix's rows, also once inverted.
            let mut la = LocalAverage::new(&luma, w as u32, h as u32).unwrap();
            for inverted in [false, true] {
                let (m, words) = la.parts();
                let stride = words.len() / h;
                for y in 0..h {
                    let row = m.getRow(y as u32);
                    assert_eq!(row.getBitArray(), &words[y * stride..(y + 1) * stride]);
                }
                assert_eq!(m == &ours, !inverted);
                la.invert();
            }
            assert_eq!(words.len(), h * w.div_ceil(BIT_FIELD_BASE_BITS));
        }
    }
}
