//! A fast local-average binariser (ZXing's "hybrid" algorithm) that plugs into rxing.
//!
//! rxing's own `HybridBinarizer` computes the same thing but spends about half of a decode in it;
//! this one works on whole rows of the borrowed luma buffer.

use std::borrow::Cow;

use rxing::common::{
    BIT_FIELD_BASE_BITS, BitArray, BitFieldBaseType, BitMatrix, LineOrientation, Result,
};
use rxing::{Binarizer, Exceptions, Luma8Source, LuminanceSource};

const BLOCK: usize = 8;
const MIN_DYNAMIC_RANGE: u32 = 24;
/// Smallest side this binariser handles (5 blocks); smaller pictures use rxing's own.
pub(crate) const MIN_SIDE: u32 = 5 * BLOCK as u32;

/// A binariser whose black matrix is computed once, up front, from a borrowed luma buffer.
pub(crate) struct LocalAverage<'a> {
    source: Luma8Source<'a>,
    matrix: BitMatrix,
}

impl<'a> LocalAverage<'a> {
    /// Binarises `luma` (`width * height` bytes, both at least [`MIN_SIDE`]).
    pub(crate) fn new(luma: &'a [u8], width: u32, height: u32) -> Result<Self> {
        let source = Luma8Source::new_with_slice(luma, width, height)?;
        let matrix = binarise(luma, width as usize, height as usize)?;
        Ok(LocalAverage { source, matrix })
    }
}

/// Per 8×8 block: the mean, or for flat blocks a value below the neighbours' (ZXing's rule).
fn black_points(luma: &[u8], w: usize, h: usize, sub_w: usize, sub_h: usize) -> Vec<u32> {
    let mut points = vec![0u32; sub_w * sub_h];
    for by in 0..sub_h {
        let yoff = (by * BLOCK).min(h - BLOCK);
        for bx in 0..sub_w {
            let xoff = (bx * BLOCK).min(w - BLOCK);
            let (mut sum, mut min, mut max) = (0u32, 255u32, 0u32);
            for row in luma.chunks_exact(w).skip(yoff).take(BLOCK) {
                for &p in row.get(xoff..xoff + BLOCK).unwrap_or(&[]) {
                    let p = u32::from(p);
                    sum += p;
                    min = min.min(p);
                    max = max.max(p);
                }
            }
            let mut average = sum >> 6;
            if max - min <= MIN_DYNAMIC_RANGE {
                average = min / 2;
                if by > 0 && bx > 0 {
                    let at = |x: usize, y: usize| points.get(y * sub_w + x).copied().unwrap_or(0);
                    let neighbours = (at(bx, by - 1) + 2 * at(bx - 1, by) + at(bx - 1, by - 1)) / 4;
                    if min < neighbours {
                        average = neighbours;
                    }
                }
            }
            if let Some(p) = points.get_mut(by * sub_w + bx) {
                *p = average;
            }
        }
    }
    points
}

fn binarise(luma: &[u8], w: usize, h: usize) -> Result<BitMatrix> {
    if w < BLOCK * 5 || h < BLOCK * 5 || luma.len() != w * h {
        return Err(Exceptions::illegal_argument_with("picture too small"));
    }
    let (sub_w, sub_h) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let points = black_points(luma, w, h, sub_w, sub_h);
    // Threshold of each block: mean of the 5×5 blocks around it, clamped to the picture.
    let mut thresholds = vec![0u8; sub_w * sub_h];
    for by in 0..sub_h {
        let top = by.clamp(2, sub_h - 3);
        for bx in 0..sub_w {
            let left = bx.clamp(2, sub_w - 3);
            let mut sum = 0u32;
            for row in points.chunks_exact(sub_w).skip(top - 2).take(5) {
                sum += row
                    .get(left - 2..=left + 2)
                    .unwrap_or(&[])
                    .iter()
                    .sum::<u32>();
            }
            if let Some(t) = thresholds.get_mut(by * sub_w + bx) {
                *t = (sum / 25).min(255) as u8;
            }
        }
    }
    let mut matrix = BitMatrix::new(w as u32, h as u32)?;
    let mut row_bits = BitArray::with_size(w);
    let mut row_thresholds = vec![0u8; w];
    let mut current_block_row = usize::MAX;
    for (y, row) in luma.chunks_exact(w).enumerate() {
        // Rows of the last, partial block use the last block (ZXing shifts it up to fit).
        let by = (y / BLOCK).min(sub_h - 1);
        if by != current_block_row {
            current_block_row = by;
            let trow = thresholds.get(by * sub_w..(by + 1) * sub_w).unwrap_or(&[]);
            for (x, t) in row_thresholds.iter_mut().enumerate() {
                *t = trow.get((x / BLOCK).min(sub_w - 1)).copied().unwrap_or(0);
            }
        }
        for (i, (pixels, limits)) in row
            .chunks(BIT_FIELD_BASE_BITS)
            .zip(row_thresholds.chunks(BIT_FIELD_BASE_BITS))
            .enumerate()
        {
            let mut word: BitFieldBaseType = 0;
            for (k, (&p, &t)) in pixels.iter().zip(limits).enumerate() {
                word |= BitFieldBaseType::from(p <= t) << k;
            }
            row_bits.setBulk(i * BIT_FIELD_BASE_BITS, word);
        }
        matrix.setRow(y as u32, &row_bits);
    }
    Ok(matrix)
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
        let matrix = binarise(&luma, w, h)
            .or_else(|_| BitMatrix::new(w.max(1) as u32, h.max(1) as u32))
            .unwrap_or_else(|_| self.matrix.clone());
        LocalAverage { source, matrix }
    }

    fn get_width(&self) -> usize {
        self.matrix.width() as usize
    }

    fn get_height(&self) -> usize {
        self.matrix.height() as usize
    }
}
