//! Our own driver around rxing's QR detector: a fast finder-pattern scan on the bit-packed rows,
//! then rxing's `LocateConcentricPattern`, `GenerateFinderPatternSets`, `SampleQR` and `Decode`.
//!
//! It does what rxing's `QrReader::decode_multiple` does for plain QR codes (rows every 3 pixels,
//! the 1:1:3:1:1 test, the same tolerances), with two differences that only save time:
//! - run lengths come straight from the row's words (rxing reads the row bit by bit);
//! - a candidate is first checked vertically on the matrix with the same test that rxing's
//!   `LocateConcentricPattern` starts with, so clutter that fails it costs a few pixel reads.

use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::common::cpp_essentials::{ConcentricPattern, LocateConcentricPattern};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{GenerateFinderPatternSets, SampleQR};
use rxing::{BarcodeFormat, Point, RXingResult};

/// The finder pattern: dark 1, light 1, dark 3, light 1, dark 1 modules.
const PATTERN: [u16; 5] = [1, 1, 3, 1, 1];
/// Rows scanned: every third (what rxing and zxing-cpp do when trying harder).
const ROW_STEP: usize = 3;

/// Run lengths of one row, light run first (0 if the row starts dark), ending with a light run.
fn row_runs(words: &[usize], width: usize, runs: &mut Vec<u32>) {
    runs.clear();
    let bits = usize::BITS as usize;
    let mut pos = 0usize;
    let mut dark = false;
    while pos < width {
        let flip = if dark { usize::MAX } else { 0 };
        let mut i = pos / bits;
        let mut x = words.get(i).map_or(0, |w| (w ^ flip) & (usize::MAX << (pos % bits)));
        let next = loop {
            if x != 0 {
                break (i * bits + x.trailing_zeros() as usize).min(width);
            }
            i += 1;
            match words.get(i) {
                Some(w) if i * bits < width => x = w ^ flip,
                _ => break width,
            }
        };
        runs.push((next - pos) as u32);
        pos = next;
        dark = !dark;
    }
    if !dark && !runs.is_empty() {
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

/// Length of the run of `colour` from `y` (exclusive) in direction `dir`, as rxing's
/// `stepToNextEdge` counts it: `Some(steps to the first pixel of another colour)`,
/// `None` when the border is reached first (then the caller defers to rxing).
fn step(m: &BitMatrix, x: u32, y: i64, dir: i64, colour: bool, range: i64) -> Option<i64> {
    let h = i64::from(m.height());
    let mut steps = 0i64;
    loop {
        steps += 1;
        let yy = y + dir * steps;
        if yy < 0 || yy >= h {
            return None;
        }
        if steps > range {
            return Some(0);
        }
        if m.get(x, yy as u32) != colour {
            return Some(steps);
        }
    }
}

/// The vertical 1:1:3:1:1 check `LocateConcentricPattern` starts with: false only when that check
/// is sure to fail too.
fn vertical_ok(m: &BitMatrix, p: Point, range: i32) -> bool {
    let (x, y) = (p.x.floor(), p.y.floor());
    if x < 0.0 || y < 0.0 || x >= m.width() as f32 || y >= m.height() as f32 {
        return true;
    }
    let (x, y) = (x as u32, i64::from(y as u32));
    let mut range = i64::from(range);
    let colour = m.get(x, y as u32);
    let (Some(fwd), Some(bwd)) = (
        step(m, x, y, 1, colour, range),
        step(m, x, y, -1, colour, range),
    ) else {
        return true;
    };
    if fwd == 0 || bwd == 0 {
        return false;
    }
    // Runs outward from the centre: [centre, below 1, above 1, below 2, above 2].
    let mut out = [(fwd + bwd - 1) as u32, 0, 0, 0, 0];
    range -= fwd + bwd - 1;
    let (mut yf, mut yb) = (y + fwd, y - bwd);
    let (mut cf, mut cb) = (!colour, !colour);
    for i in 0..2usize {
        let Some(f) = step(m, x, yf, 1, cf, range) else {
            return true;
        };
        if f == 0 {
            return false;
        }
        if let Some(r) = out.get_mut(1 + 2 * i) {
            *r = f as u32;
        }
        range -= f;
        let Some(b) = step(m, x, yb, -1, cb, range) else {
            return true;
        };
        if b == 0 {
            return false;
        }
        if let Some(r) = out.get_mut(2 + 2 * i) {
            *r = b as u32;
        }
        range -= b;
        yf += f;
        yb -= b;
        cf = !cf;
        cb = !cb;
    }
    let [c, b1, a1, b2, a2] = out;
    is_pattern(&[a2, a1, c, b1, b2], None).is_some()
}

/// Finder patterns in a black matrix (rxing's `FindFinderPatterns`, trying harder).
fn finder_patterns(m: &BitMatrix) -> Vec<ConcentricPattern> {
    let (width, height) = (m.width() as usize, m.height() as usize);
    let mut found: Vec<ConcentricPattern> = Vec::new();
    let mut runs = Vec::with_capacity(256);
    let mut y = ROW_STEP - 1;
    while y < height {
        let row = m.getRow(y as u32);
        row_runs(row.getBitArray(), width, &mut runs);
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
                if !inside && vertical_ok(m, p, range) {
                    found.extend(LocateConcentricPattern::<true, 5, 7>(
                        m, &PATTERN, p, range,
                    ));
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

/// Every QR code rxing's sampler and decoder read from the finder patterns of `m`.
pub(crate) fn read_qr(m: &BitMatrix) -> Vec<RXingResult> {
    let mut patterns = finder_patterns(m);
    let mut used: Vec<ConcentricPattern> = Vec::new();
    let mut results = Vec::new();
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
            results.push(RXingResult::with_decoder_result(
                decoded,
                detected.getPoints(),
                BarcodeFormat::QR_CODE,
            ));
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn pattern_test() {
        assert!(is_pattern(&[2, 2, 6, 2, 2], None).is_some());
        assert!(is_pattern(&[2, 2, 6, 2, 2], Some(0.0)).is_none());
        assert!(is_pattern(&[2, 6, 6, 2, 2], None).is_none());
    }
}
