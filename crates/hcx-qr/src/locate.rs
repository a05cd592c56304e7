//! Our own driver around rxing's QR detector: a fast finder-pattern scan on the bit-packed rows,
//! then rxing's `LocateConcentricPattern`, `GenerateFinderPatternSets`, `SampleQR` and `Decode`.
//!
//! It does what rxing's `QrReader::decode_multiple` does for plain QR codes (rows every 3 pixels,
//! the 1:1:3:1:1 test, the same tolerances), with two differences that only save time:
//! - run lengths come straight from the row's words (rxing reads the row bit by bit);
//! - a candidate is first put through the same cross checks that rxing's `LocateConcentricPattern`
//!   starts with (vertical, horizontal, diagonal), read straight from the matrix with rxing's
//!   edge-counting rules (the picture's border counts as an edge), so clutter that fails them
//!   costs a few pixel reads and never reaches rxing's slower cursor code; one that passes goes
//!   straight to the ring tracing (`FinetuneConcentricPatternCenter`, ours but for its rare
//!   fallbacks).

use rxing::common::cpp_essentials::{CenterOfDoubleCross, ConcentricPattern, FitSquareToPoints};
use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{GenerateFinderPatternSets, SampleQR};
use rxing::{BarcodeFormat, Point, RXingResult};
use std::borrow::Cow;

use crate::symbol::{QrMeta, ecc_from_name};

/// The finder pattern: dark 1, light 1, dark 3, light 1, dark 1 modules.
const PATTERN: [u16; 5] = [1, 1, 3, 1, 1];
/// Rows scanned: every third (what rxing and zxing-cpp do when trying harder).
const ROW_STEP: usize = 3;

/// Run lengths of one row, light run first (0 if the row starts dark), ending with a light run.
fn row_runs(words: &[usize], width: usize, runs: &mut Vec<u32>) {
    runs.clear();
    if width == 0 {
        return;
    }
    let bits = usize::BITS as usize;
    let mut last = 0usize;
    // The pixel before the row counts as light.
    let mut carry = 0usize;
    for (i, &w) in words.iter().enumerate().take(width.div_ceil(bits)) {
        let base = i * bits;
        // Bit x set where pixel x differs from the pixel before it: each is the end of a run,
        // taken a set bit at a time.
        let mut edges = w ^ ((w << 1) | carry);
        carry = w >> (bits - 1);
        if width - base < bits {
            edges &= (1 << (width - base)) - 1;
        }
        while edges != 0 {
            let at = base + edges.trailing_zeros() as usize;
            runs.push((at - last) as u32);
            last = at;
            edges &= edges - 1;
        }
    }
    runs.push((width - last) as u32);
    if runs.len().is_multiple_of(2) {
        // The last run was dark: close the row with an empty light run.
        runs.push(0);
    }
}

/// rxing's edge-to-edge `IsPattern` for 1:1:3:1:1: the module size, or `None`.
fn is_pattern(v: &[u32; 5], space_before: Option<f64>) -> Option<f64> {
    let bars = f64::from(v[0] + v[2] + v[4]) / 5.0;
    let spaces = f64::from(v[1] + v[3]) / 2.0;
    let (m, big) = (bars.min(spaces), bars.max(spaces));
    if big > 4.0 * m {
        return None;
    }
    if space_before.is_some_and(|space| space < 0.1 * spaces) {
        return None;
    }
    let (bar_thr, space_thr) = (bars * 0.75 + 0.5, spaces / 3.0 + 0.5);
    for (x, (&run, &p)) in v.iter().zip(&PATTERN).enumerate() {
        let (module, thr) = if x % 2 == 0 {
            (bars, bar_thr)
        } else {
            (spaces, space_thr)
        };
        if (f64::from(run) - f64::from(p) * module).abs() > thr {
            return None;
        }
    }
    let size = (bars + spaces) / 2.0;
    (size > 0.0).then_some(size)
}

/// The quick test rxing's `FindPattern` makes before `IsPattern`.
fn plausible(v: &[u32; 5]) -> bool {
    v[2] >= 3 && v[2] >= 2 * v[0].max(v[4]) && v[2] >= v[1].max(v[3])
}

/// A black matrix as packed rows (the `BitMatrix` words), read without `BitMatrix`'s checks.
pub(crate) struct Packed<'a> {
    words: Cow<'a, [usize]>,
    stride: usize,
    width: i64,
    height: i64,
}

impl<'a> Packed<'a> {
    /// `words` holds the rows of `m`, `stride` words each; copied from `m` if it does not fit.
    pub(crate) fn new(m: &BitMatrix, words: Option<&'a [usize]>) -> Self {
        let (w, h) = (m.width() as usize, m.height() as usize);
        let stride = w.div_ceil(usize::BITS as usize);
        let words = match words {
            Some(words) if words.len() == stride * h => Cow::Borrowed(words),
            _ => {
                let mut all = Vec::with_capacity(stride * h);
                for y in 0..h {
                    let row = m.getRow(y as u32);
                    let bits = row.getBitArray();
                    all.extend((0..stride).map(|i| bits.get(i).copied().unwrap_or(0)));
                }
                Cow::Owned(all)
            }
        };
        Packed {
            words,
            stride,
            width: w as i64,
            height: h as i64,
        }
    }

    /// Row `y`'s words.
    fn row(&self, y: usize) -> &[usize] {
        self.words
            .get(y * self.stride..(y + 1) * self.stride)
            .unwrap_or(&[])
    }
}

/// The pixel at (x, y), or `None` outside the matrix.
fn pixel(m: &Packed, x: i64, y: i64) -> Option<bool> {
    if x < 0 || y < 0 || x >= m.width || y >= m.height {
        return None;
    }
    Some(bit(m, x as usize, y as usize))
}

/// The pixel at (x, y), inside the matrix (unsigned arithmetic: a shift and a mask, where
/// signed division and remainder by 64 take several instructions each).
#[inline]
fn bit(m: &Packed, x: usize, y: usize) -> bool {
    let bits = usize::BITS as usize;
    m.words
        .get(y * m.stride + x / bits)
        .is_some_and(|word| (word >> (x % bits)) & 1 != 0)
}

/// rxing's `FastEdgeToEdgeCounter`: from a pixel, along a direction, the steps to the next
/// edge, where the picture's border counts as one (one step past the last pixel inside, and
/// one step at each later call), so a pattern cut by the border can still pass.
struct EdgeCounter {
    x: i64,
    y: i64,
    d: (i64, i64),
    /// Steps to the last pixel inside (negative once past the border).
    to_border: i64,
}

impl EdgeCounter {
    fn new(m: &Packed, (x, y): (i64, i64), d: (i64, i64)) -> Self {
        // Unit steps; an axis the direction does not move along never reaches its border.
        let steps = |p: i64, d: i64, size: i64| match d.signum() {
            1 => size - 1 - p,
            -1 => p,
            _ => i64::from(i32::MAX),
        };
        let to_border = steps(x, d.0, m.width).min(steps(y, d.1, m.height));
        EdgeCounter { x, y, d, to_border }
    }

    /// rxing's `stepToNextEdge`: 0 when no edge comes within `range` steps.
    fn step_to_next_edge(&mut self, m: &Packed, range: i64) -> i64 {
        let max_steps = self.to_border.min(range);
        let (dx, dy) = self.d;
        let colour = pixel(m, self.x, self.y);
        let mut steps = 0i64;
        loop {
            steps += 1;
            if steps > max_steps {
                if max_steps == self.to_border {
                    break;
                }
                return 0;
            }
            // Inside: steps <= max_steps <= to_border.
            let (x, y) = (self.x + dx * steps, self.y + dy * steps);
            if Some(bit(m, x as usize, y as usize)) != colour {
                break;
            }
        }
        self.x += dx * steps;
        self.y += dy * steps;
        self.to_border -= steps;
        steps
    }
}

/// What rxing's `CheckSymmetricPattern` will say.
enum Check {
    Fail,
    /// The pattern's spread, and how far `LocateConcentricPattern` moves to its centre.
    Pass {
        spread: i64,
        shift: i64,
    },
}

/// rxing's `CheckSymmetricPattern` for 1:1:3:1:1 from `at` along `d`.
fn check_symmetric(m: &Packed, at: (i64, i64), d: (i64, i64), range: i64) -> Check {
    let mut fwd = EdgeCounter::new(m, at, d);
    let mut bwd = EdgeCounter::new(m, at, (-d.0, -d.1));
    let centre_fwd = fwd.step_to_next_edge(m, range);
    if centre_fwd == 0 {
        return Check::Fail;
    }
    let centre_bwd = bwd.step_to_next_edge(m, range);
    if centre_bwd == 0 {
        return Check::Fail;
    }
    // The starting pixel is counted by both.
    let centre = centre_fwd + centre_bwd - 1;
    let mut range = range - centre;
    // [after 1, before 1, after 2, before 2], taken in that order as rxing does.
    let mut outer = [0i64; 4];
    for (k, slot) in outer.iter_mut().enumerate() {
        let counter = if k % 2 == 0 { &mut fwd } else { &mut bwd };
        let v = counter.step_to_next_edge(m, range);
        range -= v;
        if v == 0 {
            return Check::Fail;
        }
        *slot = v;
    }
    let [a1, b1, a2, b2] = outer;
    let runs = [b2, b1, centre, a1, a2].map(|v| u32::try_from(v).unwrap_or(u32::MAX));
    if is_pattern(&runs, None).is_none() {
        return Check::Fail;
    }
    Check::Pass {
        spread: b2 + b1 + centre + a1 + a2,
        shift: centre / 2 - (centre_bwd - 1),
    }
}

/// What the checks `LocateConcentricPattern` starts with say about a candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    /// rxing rejects it too.
    Reject,
    /// All checks pass: rxing goes on from this centre (moved by the vertical and horizontal
    /// checks), and the pattern's size would be `size`.
    Pass { x: i64, y: i64, size: i32 },
}

/// The checks `LocateConcentricPattern` starts with (vertical, horizontal, both diagonals, spread):
/// false only when rxing is sure to reject the candidate too.
#[cfg(test)]
fn worth_locating(m: &Packed, p: Point, range: i32) -> bool {
    verdict(m, p, range) != Verdict::Reject
}

/// The checks `LocateConcentricPattern` starts with, where they leave the centre, and the size.
fn verdict(m: &Packed, p: Point, range: i32) -> Verdict {
    let (mut x, mut y) = (p.x.floor() as i64, p.y.floor() as i64);
    let range = i64::from(range);
    let (mut min_spread, mut max_spread) = (i64::MAX, 0i64);
    for (d, r, update) in [
        ((0, 1), range, true),
        ((1, 0), range, true),
        ((1, 1), range * 2, false),
        ((1, -1), range * 2, false),
    ] {
        match check_symmetric(m, (x, y), d, r) {
            Check::Fail => return Verdict::Reject,
            Check::Pass { spread, shift } => {
                min_spread = min_spread.min(spread);
                max_spread = max_spread.max(spread);
                if update {
                    x += d.0 * shift;
                    y += d.1 * shift;
                }
            }
        }
    }
    if max_spread > 5 * min_spread {
        return Verdict::Reject;
    }
    let size = i32::try_from((max_spread + min_spread) / 2).unwrap_or(i32::MAX);
    Verdict::Pass { x, y, size }
}

/// A pixel as rxing's cursor sees it: `None` outside the matrix, else whether it is black.
fn test_at(m: &Packed, x: i64, y: i64) -> Option<bool> {
    pixel(m, x, y)
}

/// rxing's `edgeAt`: the pixel at `p` is inside and the one at `p + d` differs from it.
fn edge_at(m: &Packed, (x, y): (i64, i64), (dx, dy): (i64, i64)) -> bool {
    let v = test_at(m, x, y);
    v.is_some() && test_at(m, x + dx, y + dy) != v
}

/// rxing's `CenterOfRing` (an `EdgeTracer` walk along the `nth` edge below `(cx, cy)`, on whole
/// pixels): the same result, without the cursor's floating-point steps.
fn center_of_ring(
    m: &Packed,
    (cx, cy): (i64, i64),
    range: i32,
    nth: i32,
    require_circle: bool,
) -> Option<Point> {
    let radius = i64::from(range);
    let inner = nth < 0;
    let mut nth = nth.abs();
    // stepToEdge(nth, radius, inner) downwards.
    let mut steps = 0i64;
    let mut lv = test_at(m, cx, cy);
    while nth > 0 && (radius <= 0 || steps < radius) && lv.is_some() {
        steps += 1;
        let v = test_at(m, cx, cy + steps);
        if lv != v {
            lv = v;
            nth -= 1;
        }
    }
    if inner {
        steps -= 1;
    }
    if nth != 0 || steps == 0 {
        return None;
    }
    let mut p = (cx, cy + steps);
    // turnRight from (0, 1).
    let mut d = (-1i64, 0i64);
    // Edge on the right (outer) or on the left (inner): `direction(dir)` is right() * ±1.
    let sign = if inner { -1 } else { 1 };
    let side = |d: (i64, i64), s: i64| (-d.1 * s, d.0 * s);
    let start = p;
    let (mut sx, mut sy) = (0f32, 0f32);
    let mut n = 0i64;
    let mut mask = 0u32;
    loop {
        sx += p.0 as f32 + 0.5;
        sy += p.1 as f32 + 0.5;
        n += 1;
        // floor(bresenhamDirection(p - center)) · (1, 3), + 4
        let (vx, vy) = (p.0 - cx, p.1 - cy);
        let big = vx.abs().max(vy.abs());
        let unit = |c: i64| {
            if c < 0 {
                -1
            } else if c == big {
                1
            } else {
                0
            }
        };
        let bit = 4 + unit(vx) + 3 * unit(vy);
        mask |= 1u32
            .checked_shl(u32::try_from(bit).unwrap_or(0))
            .unwrap_or(0);
        // stepAlongEdge(edgeDir, false)
        if !edge_at(m, p, side(d, sign)) {
            d = side(d, sign);
        } else if edge_at(m, p, d) {
            d = side(d, -sign);
            if edge_at(m, p, d) {
                d = side(d, -sign);
                if edge_at(m, p, d) {
                    return None;
                }
            }
        }
        p = (p.0 + d.0, p.1 + d.1);
        test_at(m, p.0, p.1)?;
        if (p.0 - cx).abs().max((p.1 - cy).abs()) > radius || p == (cx, cy) || n > 4 * 2 * radius {
            return None;
        }
        if p == start {
            break;
        }
    }
    if require_circle && mask != 0b1_1110_1111 {
        return None;
    }
    Some(Point { x: sx, y: sy } / n as f32)
}

/// rxing's `FinetuneConcentricPatternCenter` for the finder pattern, with its ring tracing
/// (`CenterOfRing`, `CenterOfRings`) done by [`center_of_ring`]; the rare fallbacks are rxing's.
fn finetune(m: &BitMatrix, packed: &Packed, centre: Point, range: i32) -> Option<Point> {
    let whole = |p: Point| (p.x.floor() as i64, p.y.floor() as i64);
    let res1 = center_of_ring(packed, whole(centre), range, 1, true)?;
    if !m.get_point(res1) {
        return None;
    }
    // CenterOfRings(res1, range, 2): one more ring, close to the first one's centre.
    let rings = center_of_ring(packed, whole(res1), range, 2, true).and_then(|c| {
        if c == Point::default() || Point::distance(c, res1) > range as f32 / 2.0 / 2.0 {
            None
        } else {
            Some((res1 + c) / 2.0)
        }
    });
    if let Some(res2) = rings {
        return m.get_point(res2).then_some(res2);
    }
    if FitSquareToPoints(m, res1, range, 1, false).is_some() {
        return Some(res1);
    }
    let res2 = CenterOfDoubleCross(m, res1.floor(), range, PATTERN.len() as u32 / 2 + 1)?;
    m.get_point(res2).then_some(res2)
}

/// rxing's `LocateConcentricPattern`: its four checks done by [`verdict`] (on the packed matrix,
/// near the border too), then the ring tracing (`FinetuneConcentricPatternCenter`, [`finetune`]).
fn locate(m: &BitMatrix, packed: &Packed, p: Point, range: i32) -> Option<ConcentricPattern> {
    match verdict(packed, p, range) {
        Verdict::Reject => None,
        Verdict::Pass { x, y, size } => {
            let centre = Point {
                x: x as f32,
                y: y as f32,
            };
            let p = finetune(m, packed, centre, range)?;
            Some(ConcentricPattern { p, size })
        }
    }
}

/// Finder patterns in a black matrix (rxing's `FindFinderPatterns`, trying harder).
fn finder_patterns(m: &BitMatrix, packed: &Packed) -> Vec<ConcentricPattern> {
    let (width, height) = (m.width() as usize, m.height() as usize);
    let mut found: Vec<ConcentricPattern> = Vec::new();
    let mut runs = Vec::with_capacity(256);
    let mut y = ROW_STEP - 1;
    while y < height {
        row_runs(packed.row(y), width, &mut runs);
        let mut i = 1usize;
        let mut front: u32 = runs.first().copied().unwrap_or(0);
        while i + 5 < runs.len() {
            let Some(&[a, b, c, d, e]) = runs.get(i..i + 5) else {
                break;
            };
            let v = [a, b, c, d, e];
            let before = if i == 1 {
                None
            } else {
                runs.get(i - 1).map(|&s| f64::from(s))
            };
            if plausible(&v) && is_pattern(&v, before).is_some() {
                let p = Point {
                    x: front as f32 + a as f32 + b as f32 + c as f32 / 2.0,
                    y: y as f32 + 0.5,
                };
                let inside = found
                    .iter()
                    .any(|old| Point::distance(p, old.p) < old.size as f32 / 2.0);
                let range = (a + b + c + d + e) as i32 * 3;
                if !inside {
                    found.extend(locate(m, packed, p, range));
                }
                // Go on after this pattern: its last dark run may start the next one.
                front += a + b + c + d;
                i += 4;
            } else {
                front += a + b;
                i += 2;
            }
        }
        y += ROW_STEP;
    }
    found
}

/// One QR code read by rxing's sampler and decoder.
pub(crate) struct QrRead {
    /// Text and corner points, as rxing's readers return them.
    pub(crate) result: RXingResult,
    /// The sampled symbol, for [`Symbol`](crate::Symbol)'s version, level and segments.
    pub(crate) meta: QrMeta,
}

/// Every QR code rxing's sampler and decoder read from the finder patterns of `m`, and how many
/// finder patterns were located. `words`, if given, are `m`'s rows packed (as `BitMatrix` keeps
/// them); otherwise they are copied from `m`.
pub(crate) fn read_qr(m: &BitMatrix, words: Option<&[usize]>) -> (Vec<QrRead>, usize) {
    let packed = Packed::new(m, words);
    let mut patterns = finder_patterns(m, &packed);
    let mut used: Vec<ConcentricPattern> = Vec::new();
    let mut results = Vec::new();
    let located = patterns.len();
    for set in GenerateFinderPatternSets(&mut patterns) {
        if used.contains(&set.bl) || used.contains(&set.tl) || used.contains(&set.tr) {
            continue;
        }
        let Ok(detected) = SampleQR(m, &set) else {
            continue;
        };
        let Ok(decoded) = Decode(detected.getBits()) else {
            continue;
        };
        if decoded.isValid() {
            used.extend([set.bl, set.tl, set.tr]);
            // The sampled modules (at most 177 x 177 bits) are kept so that the segments are
            // read only when a caller asks for symbols, not on the text-only path.
            let meta = QrMeta {
                bits: detected.getBits().clone(),
                version: u8::try_from(decoded.versionNumber()).unwrap_or(0),
                mirrored: decoded.isMirrored(),
                ecc: ecc_from_name(decoded.ecLevel()),
            };
            let result = RXingResult::with_decoder_result(
                decoded,
                detected.getPoints(),
                BarcodeFormat::QR_CODE,
            );
            results.push(QrRead { result, meta });
        }
    }
    (results, located)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::cpp_essentials::LocateConcentricPattern;

    #[test]
    fn runs_of_a_row() {
        let mut runs = Vec::new();
        // bits 0..3 dark, 3..5 light, 5..70 dark (crosses a word), 70..80 light
        let mut words = vec![0usize; 2];
        for b in (0..3).chain(5..70) {
            words[b / 64] |= 1 << (b % 64);
        }
        row_runs(&words, 80, &mut runs);
        assert_eq!(runs, vec![0, 3, 2, 65, 10]);
        row_runs(&words, 70, &mut runs);
        assert_eq!(runs, vec![0, 3, 2, 65, 0]);
        row_runs(&[0], 0, &mut runs);
        assert!(runs.is_empty());
        // Against a pixel-by-pixel count, on random rows (bits past the width set too).
        let mut seed = 0xACE1_2468u32;
        for width in [1usize, 5, 63, 64, 65, 127, 128, 130, 200] {
            for density in [2u32, 5, 17] {
                let words: Vec<usize> = (0..width.div_ceil(64) + 1)
                    .map(|_| {
                        (0..64).fold(0usize, |w, b| {
                            seed ^= seed << 13;
                            seed ^= seed >> 17;
                            seed ^= seed << 5;
                            w | (usize::from(seed.is_multiple_of(density)) << b)
                        })
                    })
                    .collect();
                let dark = |x: usize| (words[x / 64] >> (x % 64)) & 1 == 1;
                let mut want = vec![0u32];
                let mut colour = false;
                for x in 0..width {
                    if dark(x) != colour {
                        colour = !colour;
                        want.push(0);
                    }
                    *want.last_mut().unwrap() += 1;
                }
                if colour {
                    want.push(0);
                }
                row_runs(&words, width, &mut runs);
                assert_eq!(runs, want, "{width} {density}");
            }
        }
    }

    #[test]
    fn pattern_test() {
        assert!(is_pattern(&[2, 2, 6, 2, 2], None).is_some());
        assert!(is_pattern(&[2, 2, 6, 2, 2], Some(0.0)).is_none());
        assert!(is_pattern(&[2, 6, 6, 2, 2], None).is_none());
    }

    /// Blocky noise (`block` px blocks, about `1/odds` of them black) with two finder patterns
    /// drawn in at 3 px per module, one partly off the edge.
    fn noise(w: u32, h: u32, block: u32, odds: u32, mut seed: u32) -> BitMatrix {
        let mut m = BitMatrix::new(w, h).unwrap();
        for by in 0..h / block {
            for bx in 0..w / block {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                if seed.is_multiple_of(odds) {
                    m.setRegion(bx * block, by * block, block, block).unwrap();
                }
            }
        }
        for (ox, oy) in [(30u32, 30u32), (99, 70)] {
            for y in 0..21u32 {
                for x in 0..21u32 {
                    let ring = (x / 3).abs_diff(3).max((y / 3).abs_diff(3));
                    let (px, py) = (ox + x, oy + y);
                    if px < w && py < h {
                        m.set_bool(px, py, ring != 2);
                    }
                }
            }
        }
        m
    }

    /// Finder patterns cut by the border (where rxing's edge counter counts the border as an
    /// edge): `locate` finds exactly what `LocateConcentricPattern` finds at every pixel, on
    /// noise with patterns drawn across each side, for short and long ranges.
    #[test]
    fn locate_agrees_with_rxing_at_the_border() {
        let (w, h) = (72i64, 54i64);
        let mut found = 0;
        for (block, odds, seed) in [(2u32, 3u32, 0xC0FF_EE11u32), (1, 4, 77)] {
            let mut m = noise(w as u32, h as u32, block, odds, seed);
            // Patterns at 2 px a module, half off the left, top, right and bottom sides.
            for (ox, oy) in [(-7i64, 20i64), (30, -6), (64, 10), (20, 47)] {
                for y in 0..14i64 {
                    for x in 0..14i64 {
                        let ring = (x / 2).abs_diff(3).max((y / 2).abs_diff(3));
                        let (px, py) = (ox + x, oy + y);
                        if (0..w).contains(&px) && (0..h).contains(&py) {
                            m.set_bool(px as u32, py as u32, ring != 2);
                        }
                    }
                }
            }
            let pk = Packed::new(&m, None);
            for range in [12, 42, 150] {
                for y in 0..h {
                    for x in 0..w {
                        let p = Point {
                            x: x as f32 + 0.5,
                            y: y as f32 + 0.5,
                        };
                        let rx = LocateConcentricPattern::<true, 5, 7>(&m, &PATTERN, p, range);
                        let ours = locate(&m, &pk, p, range);
                        assert_eq!(
                            rx.map(|c| (c.p, c.size)),
                            ours.map(|c| (c.p, c.size)),
                            "{x},{y} {range}"
                        );
                        found += usize::from(rx.is_some());
                    }
                }
            }
        }
        assert!(found > 0);
    }

    /// Our ring tracer gives exactly rxing's `CenterOfRing` and `FinetuneConcentricPatternCenter`
    /// at every pixel of several noise pictures, for several ranges and rings.
    #[test]
    fn ring_tracing_agrees_with_rxing() {
        use rxing::common::cpp_essentials::{CenterOfRing, FinetuneConcentricPatternCenter};
        let (mut found, mut rings) = (0, 0);
        for (block, odds, seed) in [(3, 3, 0x9E37_79B9u32), (1, 2, 7), (2, 2, 99), (4, 4, 5)] {
            let m = noise(120, 90, block, odds, seed);
            let pk = Packed::new(&m, None);
            for y in -1..91i64 {
                for x in -1..121i64 {
                    let p = Point {
                        x: x as f32,
                        y: y as f32,
                    };
                    for range in [4, 21, 63] {
                        for nth in [1, 2, -1] {
                            for circle in [true, false] {
                                let rx = CenterOfRing(&m, p, range, nth, circle);
                                let ours = center_of_ring(&pk, (x, y), range, nth, circle);
                                assert_eq!(rx, ours, "{x},{y} {range} {nth} {circle}");
                                rings += usize::from(rx.is_some());
                            }
                        }
                        let centre = Point {
                            x: x as f32 + 0.5,
                            y: y as f32 + 0.5,
                        };
                        let rx = FinetuneConcentricPatternCenter(&m, centre, range, 5);
                        assert_eq!(rx, finetune(&m, &pk, centre, range), "{x},{y} {range}");
                        found += usize::from(rx.is_some());
                    }
                }
            }
        }
        assert!(found > 0 && rings > found, "{found} {rings}");
    }

    /// The pre-checks only skip what rxing would reject: on blocky noise with finder patterns
    /// drawn in, every point they turn down is also turned down by `LocateConcentricPattern`.
    #[test]
    fn prechecks_agree_with_rxing() {
        let (w, h) = (120u32, 90u32);
        let m = noise(w, h, 3, 3, 0x9E37_79B9);
        let pk = Packed::new(&m, None);
        let centre = Point { x: 40.5, y: 40.5 };
        assert!(worth_locating(&pk, centre, 63));
        assert!(LocateConcentricPattern::<true, 5, 7>(&m, &PATTERN, centre, 63).is_some());
        let (mut skipped, mut found) = (0, 0);
        for y in 0..h {
            for x in 0..w {
                let p = Point {
                    x: x as f32 + 0.5,
                    y: y as f32 + 0.5,
                };
                let rx = LocateConcentricPattern::<true, 5, 7>(&m, &PATTERN, p, 63).is_some();
                found += usize::from(rx);
                if !worth_locating(&pk, p, 63) {
                    skipped += 1;
                    assert!(!rx, "skipped a pattern rxing finds at {x},{y}");
                }
            }
        }
        assert!(found > 0 && skipped > 0, "{found} {skipped}");
        // `locate` finds exactly what rxing's `LocateConcentricPattern` finds, everywhere.
        for y in 0..h {
            for x in 0..w {
                let p = Point {
                    x: x as f32 + 0.5,
                    y: y as f32 + 0.5,
                };
                let rx = LocateConcentricPattern::<true, 5, 7>(&m, &PATTERN, p, 63);
                let ours = locate(&m, &pk, p, 63);
                assert_eq!(
                    rx.map(|c| (c.p, c.size)),
                    ours.map(|c| (c.p, c.size)),
                    "{x},{y}"
                );
            }
        }
    }
}
