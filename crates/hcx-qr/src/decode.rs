//! Pictures (PNG, JPEG, raw luma) → every QR or Aztec code in them: texts, or symbols with
//! their version, error-correction level and segments.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use rxing::common::{BitMatrix, GlobalHistogramBinarizer, HybridBinarizer};
use rxing::{Binarizer, BinaryBitmap, DecodeHints, Luma8Source, RXingResult, Reader};

use crate::binarize::{LocalAverage, MIN_SIDE};
use crate::locate::QrRead;
use crate::simd::{LANES, luma_on_white, luma16};
use crate::symbol::{QrMeta, Symbol, SymbolFormat};

use crate::Error;

/// Largest file or buffer [`decode_file`] and [`decode_image`] accept: 20 MiB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest picture accepted, in pixels (width × height), checked from the header: 40 megapixels.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most codes returned from one picture; more is an [`Error::TooManyCodes`].
pub const MAX_CODES: usize = 32;

/// Decodes every QR (and Aztec) code in a PNG or JPEG picture (format sniffed from the bytes).
///
/// Texts are deduplicated and ordered top to bottom, then left to right.
/// Nothing found is [`Error::NoCodeFound`].
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, Error> {
    image_found(bytes).map(texts)
}

/// Like [`decode_image`], with each code's symbol: symbology, QR version, error-correction
/// level and segments (see [`Symbol`]).
pub fn decode_image_symbols(bytes: &[u8]) -> Result<Vec<Symbol>, Error> {
    image_found(bytes).map(symbols)
}

fn image_found(bytes: &[u8]) -> Result<Vec<Found>, Error> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(Error::FileTooLarge {
            size,
            max: MAX_FILE_BYTES,
        });
    }
    let img = read_image(bytes)?;
    let (width, height, luma) = to_luma_on_white(img);
    scan(width, height, &luma)
}

/// Reads a PNG or JPEG file (refusing files over [`MAX_FILE_BYTES`] before reading them) and decodes it.
pub fn decode_file(path: &Path) -> Result<Vec<String>, Error> {
    file_found(path).map(texts)
}

/// Like [`decode_file`], with each code's symbol (see [`decode_image_symbols`]).
pub fn decode_file_symbols(path: &Path) -> Result<Vec<Symbol>, Error> {
    file_found(path).map(symbols)
}

fn file_found(path: &Path) -> Result<Vec<Found>, Error> {
    image_found(&read_image_file(path)?)
}

/// Reads an image file whole, refusing files over [`MAX_FILE_BYTES`] before reading them.
pub fn read_image_file(path: &Path) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Error::FileTooLarge {
            size,
            max: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Read one byte past the limit so a file that grew meanwhile is still refused.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::FileTooLarge {
            size: bytes.len() as u64,
            max: MAX_FILE_BYTES,
        });
    }
    Ok(bytes)
}

/// Decodes every code in an 8-bit grayscale frame (row-major, `width * height` bytes), e.g. from a camera.
pub fn decode_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<String>, Error> {
    luma_found(width, height, luma).map(texts)
}

/// Like [`decode_luma`], with each code's symbol (see [`decode_image_symbols`]).
pub fn decode_luma_symbols(width: u32, height: u32, luma: &[u8]) -> Result<Vec<Symbol>, Error> {
    luma_found(width, height, luma).map(symbols)
}

fn luma_found(width: u32, height: u32, luma: &[u8]) -> Result<Vec<Found>, Error> {
    check_frame(width, height, luma.len(), 1)?;
    scan(width, height, luma)
}

/// A raw frame's size is within [`MAX_PIXELS`] and its byte length is exactly
/// `width × height × bytes_per_pixel`: checked before anything is allocated or read.
fn check_frame(width: u32, height: u32, len: usize, bytes_per_pixel: u64) -> Result<(), Error> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(Error::ImageTooLarge {
            width,
            height,
            max: MAX_PIXELS,
        });
    }
    if pixels == 0 || pixels.checked_mul(bytes_per_pixel) != Some(len as u64) {
        return Err(Error::InvalidDimensions { width, height, len });
    }
    Ok(())
}

fn sniff(bytes: &[u8]) -> Result<ImageFormat, Error> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(ImageFormat::Jpeg)
    } else {
        Err(Error::UnsupportedFormat)
    }
}

fn read_image(bytes: &[u8]) -> Result<DynamicImage, Error> {
    let format = sniff(bytes)?;
    let unreadable = |e: image::ImageError| Error::UnreadableImage(e.to_string());
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unreadable)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::ImageTooLarge {
            width,
            height,
            max: MAX_PIXELS,
        });
    }
    let mut limits = Limits::default();
    let side = u32::try_from(MAX_PIXELS).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    // 16-bit RGBA is 8 bytes a pixel, plus decoder working memory.
    limits.max_alloc = Some(MAX_PIXELS * 8 + 64 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoded = catch_unwind(AssertUnwindSafe(|| reader.decode()))
        .map_err(|_| Error::UnreadableImage("image decoder panicked".into()))?;
    decoded.map_err(unreadable)
}

/// Grayscale, with any transparency composited over white.
fn to_luma_on_white(img: DynamicImage) -> (u32, u32, Vec<u8>) {
    let (width, height) = (img.width(), img.height());
    if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let luma = rgba
            .pixels()
            .map(|&image::Rgba([r, g, b, a])| luma_on_white(r, g, b, a))
            .collect();
        (width, height, luma)
    } else {
        (width, height, img.into_luma8().into_raw())
    }
}

/// Converts an 8-bit RGBA frame (row-major, 4 bytes a pixel: a canvas's `ImageData`, a camera
/// frame) to the luma [`decode_luma`] reads, transparency composited over white as for pictures.
// Never inlined: inlined into a caller built for size (the WebAssembly package's binding is
// built with opt-level "z"), the loop is compiled for size too, several times slower.
#[inline(never)]
pub fn luma_from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>, Error> {
    check_frame(width, height, rgba.len(), 4)?;
    let mut luma = vec![0; rgba.len() / 4];
    let (mut out, mut pixels) = (luma.chunks_exact_mut(LANES), rgba.chunks_exact(4 * LANES));
    for (y, px) in (&mut out).zip(&mut pixels) {
        if let (Ok(y), Ok(px)) = (<&mut [u8; LANES]>::try_from(y), px.try_into()) {
            *y = luma16(px);
        }
    }
    for (y, pixel) in out
        .into_remainder()
        .iter_mut()
        .zip(pixels.remainder().chunks_exact(4))
    {
        if let &[r, g, b, a] = pixel {
            *y = luma_on_white(r, g, b, a);
        }
    }
    Ok(luma)
}

/// One code found, with its centre in the coordinates of the original picture.
struct Found {
    text: String,
    cx: f32,
    cy: f32,
    /// The sampled QR symbol; `None` for Aztec.
    qr: Option<QrMeta>,
}

impl Found {
    fn into_symbol(self) -> Symbol {
        let Some(qr) = self.qr else {
            return Symbol {
                text: self.text,
                format: SymbolFormat::Aztec,
                version: None,
                ecc: None,
                segments: None,
            };
        };
        // rxing's Java-port parts re-read the data; a panic in them only loses the segments.
        let segments = catch_unwind(AssertUnwindSafe(|| qr.segments()))
            .ok()
            .flatten();
        Symbol {
            text: self.text,
            format: SymbolFormat::Qr,
            version: (1..=40).contains(&qr.version).then_some(qr.version),
            ecc: qr.ecc,
            segments,
        }
    }
}

fn texts(found: Vec<Found>) -> Vec<String> {
    found.into_iter().map(|f| f.text).collect()
}

fn symbols(found: Vec<Found>) -> Vec<Symbol> {
    found.into_iter().map(Found::into_symbol).collect()
}

fn hints() -> DecodeHints {
    DecodeHints {
        TryHarder: Some(true),
        // Without this the QR reader also tries Micro QR and rMQR at every finder pattern: slow.
        PossibleFormats: Some(std::collections::HashSet::from([
            rxing::BarcodeFormat::QR_CODE,
        ])),
        ..DecodeHints::default()
    }
}

/// Adds a code (with its QR symbol, if it is one) at the centre of its corner points.
fn collect(r: &RXingResult, qr: Option<QrMeta>, scale: f32, out: &mut Findings) {
    let points = r.getPoints();
    let n = points.len().max(1) as f32;
    let cx = points.iter().map(|p| p.x).sum::<f32>() / n * scale;
    let cy = points.iter().map(|p| p.y).sum::<f32>() / n * scale;
    out.found.push(Found {
        text: r.getText().to_owned(),
        cx,
        cy,
        qr,
    });
}

/// What the passes found so far.
#[derive(Default)]
struct Findings {
    found: Vec<Found>,
    /// Finder patterns located by the QR passes.
    patterns: usize,
}

/// Which symbologies a pass looks for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Symbols {
    Qr,
    Aztec,
}

/// Runs the QR reader (several codes) or the Aztec reader on one binarised picture.
fn read_bitmap<B: Binarizer>(
    bitmap: &mut BinaryBitmap<B>,
    what: Symbols,
    scale: f32,
    out: &mut Findings,
) {
    let hints = hints();
    match what {
        Symbols::Qr => {
            read_matrix(bitmap.get_black_matrix(), None, scale, out);
        }
        Symbols::Aztec => {
            let aztec = catch_unwind(AssertUnwindSafe(|| {
                rxing::aztec::AztecReader.decode_with_hints(bitmap, &hints)
            }));
            if let Ok(Ok(result)) = aztec {
                collect(&result, None, scale, out);
            }
        }
    }
}

/// Runs our QR reader on one black matrix (`words`: its rows packed, if at hand).
fn read_matrix(matrix: &BitMatrix, words: Option<&[usize]>, scale: f32, out: &mut Findings) {
    if let Ok((results, located)) =
        catch_unwind(AssertUnwindSafe(|| crate::locate::read_qr(matrix, words)))
    {
        out.patterns += located;
        for QrRead { result, meta } in results {
            collect(&result, Some(meta), scale, out);
        }
    }
}

/// How a pass turns gray into black and white.
#[derive(Clone, Copy, Debug)]
enum Binarise {
    /// Local mean of 40×40 pixel neighbourhoods (ZXing's hybrid binariser).
    Local,
    /// One global threshold from the histogram (copes with smooth gradients).
    Global,
}

/// Reads one binarisation of the picture, as is and, if nothing is found, inverted.
fn read_pass(
    width: u32,
    height: u32,
    luma: &[u8],
    how: Binarise,
    what: Symbols,
    scale: f32,
    out: &mut Findings,
) {
    let before = out.found.len();
    let local = matches!(how, Binarise::Local) && width >= MIN_SIDE && height >= MIN_SIDE;
    if local {
        let Ok(binarizer) =
            catch_unwind(AssertUnwindSafe(|| LocalAverage::new(luma, width, height)))
        else {
            return;
        };
        let Ok(mut binarizer) = binarizer else {
            return;
        };
        if what == Symbols::Qr {
            // Our QR reader needs only the black matrix, and reads the packed rows directly.
            let (matrix, words) = binarizer.parts();
            read_matrix(matrix, Some(words), scale, out);
            if out.found.len() == before {
                // Inverting the black matrix reads light-on-dark codes without binarising again.
                binarizer.invert();
                let (matrix, words) = binarizer.parts();
                read_matrix(matrix, Some(words), scale, out);
            }
            return;
        }
        let mut bitmap = BinaryBitmap::new(binarizer);
        read_bitmap(&mut bitmap, what, scale, out);
        if out.found.len() == before {
            // Inverting the black matrix reads light-on-dark codes without binarising again.
            bitmap.invert();
            read_bitmap(&mut bitmap, what, scale, out);
        }
        return;
    }
    let global = matches!(how, Binarise::Global) && width >= MIN_SIDE && height >= MIN_SIDE;
    if global && what == Symbols::Qr {
        // rxing's global-histogram black matrix, built 8 pixels a step. Where rxing finds too
        // little contrast its matrix is empty and nothing is read: the same as returning here.
        let (w, h) = (width as usize, height as usize);
        if let Ok(Some((mut matrix, mut words))) =
            catch_unwind(AssertUnwindSafe(|| crate::binarize::global(luma, w, h)))
        {
            read_matrix(&matrix, Some(&words), scale, out);
            if out.found.len() == before {
                crate::binarize::invert(&mut matrix, &mut words);
                read_matrix(&matrix, Some(&words), scale, out);
            }
        }
        return;
    }
    let Ok(source) = Luma8Source::new_with_slice(luma, width, height) else {
        return;
    };
    let mut bitmap = match how {
        Binarise::Local => {
            // Too small for the local binariser: rxing's hybrid falls back to a global threshold.
            let mut b = BinaryBitmap::new(HybridBinarizer::new(source));
            read_bitmap(&mut b, what, scale, out);
            if out.found.len() == before {
                b.invert();
                read_bitmap(&mut b, what, scale, out);
            }
            return;
        }
        Binarise::Global => BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
    };
    read_bitmap(&mut bitmap, what, scale, out);
    if out.found.len() == before {
        bitmap.invert();
        read_bitmap(&mut bitmap, what, scale, out);
    }
}

/// Halves a picture with a 2×2 box filter.
fn halve(width: u32, height: u32, luma: &[u8]) -> (u32, u32, Vec<u8>) {
    use crate::simd::{LANES, halve16};
    let (w2, h2) = (width as usize / 2, height as usize / 2);
    let w = width as usize;
    let mut out = vec![0u8; w2 * h2];
    for (dst, two) in out
        .chunks_exact_mut(w2.max(1))
        .zip(luma.chunks_exact(2 * w))
    {
        let (r0, r1) = two.split_at(w);
        // 16 pixels of each row at a time, 8 out.
        for (o, (a, b)) in dst
            .chunks_exact_mut(LANES / 2)
            .zip(r0.chunks_exact(LANES).zip(r1.chunks_exact(LANES)))
        {
            if let (Ok(a), Ok(b)) = (a.try_into(), b.try_into()) {
                o.copy_from_slice(&halve16(a, b));
            }
        }
        let done = w2 / (LANES / 2) * (LANES / 2);
        for (x, o) in dst.iter_mut().enumerate().skip(done) {
            let s: u16 = [(r0, 2 * x), (r0, 2 * x + 1), (r1, 2 * x), (r1, 2 * x + 1)]
                .iter()
                .map(|&(r, i)| u16::from(r.get(i).copied().unwrap_or(0)))
                .sum();
            *o = ((s + 2) / 4) as u8;
        }
    }
    (w2 as u32, h2 as u32, out)
}

/// Squares the grey levels (`p² / 255`): darker mid-tones move the local threshold's edges,
/// which reads some blurred, low-contrast codes that the plain picture does not.
fn darken(luma: &[u8]) -> Vec<u8> {
    let lut: [u8; 256] = std::array::from_fn(|p| ((p * p + 127) / 255) as u8);
    luma.iter()
        .map(|&p| lut.get(usize::from(p)).copied().unwrap_or(p))
        .collect()
}

/// Doubles a picture with bilinear interpolation (pixel centres aligned, edges repeated).
fn double(width: u32, height: u32, luma: &[u8]) -> (u32, u32, Vec<u8>) {
    let (w, h) = (width as usize, height as usize);
    let row = |y: usize| luma.get(y * w..(y + 1) * w).unwrap_or(&[]);
    // Each source row widened once (each pixel twice: 3/4 of it and 1/4 of the neighbour on
    // that side, times 4), then each output row is 3/4 of its widened row and 1/4 of the one
    // above or below. At most 16 × 255 before the rounding shift: 16-bit lanes.
    let wide = |src: &[u8], dst: &mut [u16]| {
        let at = |x: usize| u16::from(src.get(x).copied().unwrap_or(0));
        for (x, pair) in dst.chunks_exact_mut(2).enumerate() {
            let (l, c, r) = (at(x.saturating_sub(1)), at(x), at((x + 1).min(w - 1)));
            if let [a, b] = pair {
                *a = 3 * c + l;
                *b = 3 * c + r;
            }
        }
    };
    let (mut above, mut here, mut below) =
        (vec![0u16; 2 * w], vec![0u16; 2 * w], vec![0u16; 2 * w]);
    wide(row(0), &mut here);
    above.copy_from_slice(&here);
    wide(row(1.min(h - 1)), &mut below);
    let mut out = Vec::with_capacity(4 * w * h);
    for y in 0..h {
        for side in [&above, &below] {
            out.extend(
                here.iter()
                    .zip(side.iter())
                    .map(|(&c, &o)| ((3 * c + o + 8) >> 4) as u8),
            );
        }
        // Roll the three rows down one: the old `above` is overwritten with the next `below`.
        std::mem::swap(&mut above, &mut here);
        std::mem::swap(&mut here, &mut below);
        wide(row((y + 2).min(h - 1)), &mut below);
    }
    (2 * width, 2 * height, out)
}

/// One attempt at reading a picture.
#[derive(Clone, Copy, Debug)]
enum Pass {
    /// Full resolution, local threshold, QR.
    Full,
    /// Half resolution, local threshold, QR (fast on big pictures; averages noise and JPEG blocks away).
    Half,
    /// Quarter resolution, local threshold, QR.
    Quarter,
    /// Full resolution, global threshold, QR (smooth lighting gradients, low contrast).
    FullGlobal,
    /// Half resolution, global threshold, QR.
    HalfGlobal,
    /// Full resolution, local threshold, Aztec.
    Aztec,
    /// Half resolution, mid-tones darkened (squared), local threshold, QR.
    DarkHalf,
    /// Full resolution, mid-tones darkened (squared), local threshold, QR.
    DarkFull,
    /// Double resolution (bilinear), local threshold, QR.
    Double,
}

/// Passes for pictures whose longer side is over [`LARGE_SIDE`]: the half-size picture first.
const LARGE_PASSES: &[Pass] = &[
    Pass::Half,
    Pass::Full,
    Pass::FullGlobal,
    Pass::HalfGlobal,
    Pass::Quarter,
    Pass::Aztec,
    Pass::DarkHalf,
    Pass::DarkFull,
    Pass::Double,
];
/// Passes for smaller pictures: full size first.
const SMALL_PASSES: &[Pass] = &[
    Pass::Full,
    Pass::Half,
    Pass::FullGlobal,
    Pass::HalfGlobal,
    Pass::Aztec,
    Pass::DarkFull,
    Pass::DarkHalf,
    Pass::Double,
];
const LARGE_SIDE: u32 = 1000;
/// Largest picture the [`Pass::Double`] pass enlarges (4× the pixels afterwards).
const DOUBLE_MAX_PIXELS: u64 = 2_000_000;

/// Runs the passes in order until one finds a code; each pass also tries the inverted picture.
///
/// The passes and their order were chosen by measurement on synthetic phone photos (see docs/QR.md).
fn scan(width: u32, height: u32, luma: &[u8]) -> Result<Vec<Found>, Error> {
    let mut found = Findings::default();
    let passes = if width.max(height) > LARGE_SIDE {
        LARGE_PASSES
    } else {
        SMALL_PASSES
    };
    let halvable = |w: u32, h: u32| w >= 2 * MIN_SIDE && h >= 2 * MIN_SIDE;
    let mut half: Option<(u32, u32, Vec<u8>)> = None;
    for &pass in passes {
        if !found.found.is_empty() {
            break;
        }
        if matches!(pass, Pass::DarkHalf | Pass::DarkFull | Pass::Double) && found.patterns == 0 {
            // The last-resort passes only help where an earlier pass saw at least one finder pattern.
            break;
        }
        let (how, what) = match pass {
            Pass::FullGlobal | Pass::HalfGlobal => (Binarise::Global, Symbols::Qr),
            Pass::Aztec => (Binarise::Local, Symbols::Aztec),
            _ => (Binarise::Local, Symbols::Qr),
        };
        match pass {
            Pass::Full | Pass::FullGlobal | Pass::Aztec => {
                read_pass(width, height, luma, how, what, 1.0, &mut found);
            }
            Pass::DarkFull => {
                read_pass(width, height, &darken(luma), how, what, 1.0, &mut found);
            }
            Pass::Double => {
                if u64::from(width) * u64::from(height) <= DOUBLE_MAX_PIXELS {
                    let (w2, h2, big) = double(width, height, luma);
                    read_pass(w2, h2, &big, how, what, 0.5, &mut found);
                }
            }
            Pass::DarkHalf => {
                if !halvable(width, height) {
                    continue;
                }
                let (w2, h2, small) = half.get_or_insert_with(|| halve(width, height, luma));
                read_pass(*w2, *h2, &darken(small), how, what, 2.0, &mut found);
            }
            Pass::Half | Pass::HalfGlobal | Pass::Quarter => {
                if !halvable(width, height) {
                    continue;
                }
                let (w2, h2, small) = half.get_or_insert_with(|| halve(width, height, luma));
                if matches!(pass, Pass::Quarter) {
                    if halvable(*w2, *h2) {
                        let (w4, h4, quarter) = halve(*w2, *h2, small);
                        read_pass(w4, h4, &quarter, how, what, 4.0, &mut found);
                    }
                } else {
                    read_pass(*w2, *h2, small, how, what, 2.0, &mut found);
                }
            }
        }
    }
    finish(found.found)
}

/// Orders the codes top to bottom, then left to right, and keeps the first of each text.
fn finish(mut found: Vec<Found>) -> Result<Vec<Found>, Error> {
    found.sort_by(|a, b| {
        a.cy.total_cmp(&b.cy)
            .then(a.cx.total_cmp(&b.cx))
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut kept: Vec<Found> = Vec::new();
    for f in found {
        if !kept.iter().any(|k| k.text == f.text) {
            kept.push(f);
        }
    }
    if kept.is_empty() {
        return Err(Error::NoCodeFound);
    }
    if kept.len() > MAX_CODES {
        return Err(Error::TooManyCodes { max: MAX_CODES });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doubling in fixed point, exactly: each output pixel is 9/16 of its source pixel, 3/16 of
    /// each neighbour on its sides, 1/16 of the diagonal one, rounded; also at one-pixel sides.
    #[test]
    fn double_is_fixed_point_bilinear() {
        let mut seed = 0x1234_5678u32;
        for (w, h) in [(1usize, 1usize), (1, 4), (4, 1), (2, 3), (7, 5), (16, 9)] {
            let luma: Vec<u8> = (0..w * h)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    (seed >> 8) as u8
                })
                .collect();
            let (w2, h2, out) = double(w as u32, h as u32, &luma);
            assert_eq!(
                (w2 as usize, h2 as usize, out.len()),
                (2 * w, 2 * h, 4 * w * h)
            );
            let p = |x: usize, y: usize| u32::from(luma[y * w + x]);
            for y in 0..2 * h {
                for x in 0..2 * w {
                    let (sx, sy) = (x / 2, y / 2);
                    let nx = if x % 2 == 0 {
                        sx.saturating_sub(1)
                    } else {
                        (sx + 1).min(w - 1)
                    };
                    let ny = if y % 2 == 0 {
                        sy.saturating_sub(1)
                    } else {
                        (sy + 1).min(h - 1)
                    };
                    let want = (9 * p(sx, sy) + 3 * p(nx, sy) + 3 * p(sx, ny) + p(nx, ny) + 8) / 16;
                    assert_eq!(u32::from(out[y * 2 * w + x]), want, "{w}x{h} at {x},{y}");
                }
            }
        }
    }

    /// RGBA frames become the luma a PNG with alpha becomes; wrong sizes are typed errors.
    #[test]
    fn rgba_frames_convert_like_pictures_with_alpha() {
        let rgba = [
            0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 0, 10, 200, 30, 128,
        ];
        let luma = luma_from_rgba(2, 2, &rgba).unwrap_or_default();
        let mut img = image::RgbaImage::new(2, 2);
        img.copy_from_slice(&rgba);
        let (_, _, want) = to_luma_on_white(DynamicImage::ImageRgba8(img));
        assert_eq!(luma, want);
        assert_eq!(luma.first(), Some(&0));
        assert_eq!(luma.get(2), Some(&255)); // transparent black is white paper
        for (w, h, len) in [(2, 2, 15), (2, 2, 4), (0, 0, 0), (3, 1, 16)] {
            assert!(matches!(
                luma_from_rgba(w, h, &vec![0; len]),
                Err(Error::InvalidDimensions { .. })
            ));
        }
        assert!(matches!(
            luma_from_rgba(100_000, 100_000, &[]),
            Err(Error::ImageTooLarge { .. })
        ));
    }

    /// The word-at-a-time halving equals the plain 2×2 rounded mean, on odd sizes too.
    #[test]
    fn halve_is_the_box_mean() {
        let mut seed = 0x2468_ACE1_u32;
        for (w, h) in [(2u32, 2u32), (17, 9), (80, 41), (131, 64), (8, 3)] {
            let luma: Vec<u8> = (0..w * h)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            let (w2, h2, out) = halve(w, h, &luma);
            assert_eq!((w2, h2), (w / 2, h / 2));
            let at = |x: u32, y: u32| u16::from(luma[(y * w + x) as usize]);
            for y in 0..h2 {
                for x in 0..w2 {
                    let s = at(2 * x, 2 * y)
                        + at(2 * x + 1, 2 * y)
                        + at(2 * x, 2 * y + 1)
                        + at(2 * x + 1, 2 * y + 1);
                    assert_eq!(
                        out[(y * w2 + x) as usize],
                        ((s + 2) / 4) as u8,
                        "{w}x{h} {x},{y}"
                    );
                }
            }
        }
    }

    /// Doubling: every output pixel is the bilinear value at its centre (edges repeated).
    #[test]
    fn double_is_bilinear() {
        let (w, h) = (7u32, 5u32);
        let luma: Vec<u8> = (0..w * h).map(|i| (i * 37 % 251) as u8).collect();
        let (w2, h2, out) = double(w, h, &luma);
        assert_eq!((w2, h2, out.len()), (14, 10, 140));
        let at = |x: i64, y: i64| f64::from(luma[(y.clamp(0, 4) * 7 + x.clamp(0, 6)) as usize]);
        for y in 0..h2 as i64 {
            for x in 0..w2 as i64 {
                let (fx, fy) = ((x as f64 + 0.5) / 2.0 - 0.5, (y as f64 + 0.5) / 2.0 - 0.5);
                let (x0, y0) = (fx.floor() as i64, fy.floor() as i64);
                let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
                let v = (at(x0, y0) * (1.0 - tx) + at(x0 + 1, y0) * tx) * (1.0 - ty)
                    + (at(x0, y0 + 1) * (1.0 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
                let got = f64::from(out[(y * 14 + x) as usize]);
                assert!((got - v).abs() <= 0.5 + 1e-9, "{x},{y}: {got} vs {v}");
            }
        }
    }
}
