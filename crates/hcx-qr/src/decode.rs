//! Pictures (PNG, JPEG, raw luma) → every QR or Aztec code text in them.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{Binarizer, BinaryBitmap, DecodeHints, Luma8LuminanceSource, RXingResult, Reader};

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
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(Error::FileTooLarge {
            size,
            max: MAX_FILE_BYTES,
        });
    }
    let img = read_image(bytes)?;
    let (width, height, luma) = to_luma_on_white(img);
    scan(width, height, luma)
}

/// Reads a PNG or JPEG file (refusing files over [`MAX_FILE_BYTES`] before reading them) and decodes it.
pub fn decode_file(path: &Path) -> Result<Vec<String>, Error> {
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
    decode_image(&bytes)
}

/// Decodes every code in an 8-bit grayscale frame (row-major, `width * height` bytes), e.g. from a camera.
pub fn decode_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<String>, Error> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(Error::ImageTooLarge {
            width,
            height,
            max: MAX_PIXELS,
        });
    }
    if pixels == 0 || pixels != luma.len() as u64 {
        return Err(Error::InvalidDimensions {
            width,
            height,
            len: luma.len(),
        });
    }
    scan(width, height, luma.to_vec())
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
            .map(|p| {
                let [r, g, b, a] = p.0;
                let y = (u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000;
                let a = u32::from(a);
                ((y * a + 255 * (255 - a)) / 255) as u8
            })
            .collect();
        (width, height, luma)
    } else {
        (width, height, img.into_luma8().into_raw())
    }
}

/// One code found, with its centre in the coordinates of the original picture.
struct Found {
    text: String,
    cx: f32,
    cy: f32,
}

fn hints() -> DecodeHints {
    DecodeHints {
        TryHarder: Some(true),
        ..DecodeHints::default()
    }
}

fn collect(results: Vec<RXingResult>, scale: f32, out: &mut Vec<Found>) {
    for r in results {
        let points = r.getPoints();
        let n = points.len().max(1) as f32;
        let cx = points.iter().map(|p| p.x).sum::<f32>() / n * scale;
        let cy = points.iter().map(|p| p.y).sum::<f32>() / n * scale;
        out.push(Found {
            text: r.getText().to_owned(),
            cx,
            cy,
        });
    }
}

/// Runs the QR reader (several codes) then, if it found nothing, the Aztec reader on one binarised picture.
fn read_bitmap<B: Binarizer>(bitmap: &mut BinaryBitmap<B>, scale: f32, out: &mut Vec<Found>) {
    let hints = hints();
    let qr = catch_unwind(AssertUnwindSafe(|| {
        QrReader.decode_multiple_with_hints(bitmap, &hints)
    }));
    if let Ok(Ok(results)) = qr {
        if !results.is_empty() {
            collect(results, scale, out);
            return;
        }
    }
    let aztec = catch_unwind(AssertUnwindSafe(|| {
        rxing::aztec::AztecReader.decode_with_hints(bitmap, &hints)
    }));
    if let Ok(Ok(result)) = aztec {
        collect(vec![result], scale, out);
    }
}

#[derive(Clone, Copy)]
enum Binarise {
    Hybrid,
    Global,
}

fn read_luma(
    width: u32,
    height: u32,
    luma: Vec<u8>,
    how: Binarise,
    scale: f32,
    out: &mut Vec<Found>,
) {
    let Ok(source) = Luma8LuminanceSource::new(luma, width, height) else {
        return;
    };
    match how {
        Binarise::Hybrid => read_bitmap(
            &mut BinaryBitmap::new(HybridBinarizer::new(source)),
            scale,
            out,
        ),
        Binarise::Global => read_bitmap(
            &mut BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
            scale,
            out,
        ),
    }
}

/// Halves a picture with a 2×2 box filter.
fn halve(width: u32, height: u32, luma: &[u8]) -> (u32, u32, Vec<u8>) {
    let (w2, h2) = (width / 2, height / 2);
    let w = width as usize;
    let mut out = Vec::with_capacity(w2 as usize * h2 as usize);
    for y in 0..h2 as usize {
        let r0 = luma.get(2 * y * w..(2 * y + 1) * w).unwrap_or(&[]);
        let r1 = luma.get((2 * y + 1) * w..(2 * y + 2) * w).unwrap_or(&[]);
        for x in 0..w2 as usize {
            let px = |row: &[u8], i: usize| u16::from(row.get(i).copied().unwrap_or(255));
            let s = px(r0, 2 * x) + px(r0, 2 * x + 1) + px(r1, 2 * x) + px(r1, 2 * x + 1);
            out.push(((s + 2) / 4) as u8);
        }
    }
    (w2, h2, out)
}

fn scan(width: u32, height: u32, luma: Vec<u8>) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    // 1. As is.
    read_luma(
        width,
        height,
        luma.clone(),
        Binarise::Hybrid,
        1.0,
        &mut found,
    );
    // 2. Inverted (light-on-dark codes).
    if found.is_empty() {
        let inverted: Vec<u8> = luma.iter().map(|v| 255 - v).collect();
        read_luma(width, height, inverted, Binarise::Hybrid, 1.0, &mut found);
    }
    // 3. Half size: averages away sensor noise and JPEG blocks.
    if found.is_empty() && width >= 64 && height >= 64 {
        let (w2, h2, small) = halve(width, height, &luma);
        read_luma(w2, h2, small, Binarise::Hybrid, 2.0, &mut found);
    }
    // 4. Global threshold (smooth lighting gradients that fool local thresholds).
    if found.is_empty() {
        read_luma(width, height, luma, Binarise::Global, 1.0, &mut found);
    }
    finish(found)
}

fn finish(mut found: Vec<Found>) -> Result<Vec<String>, Error> {
    found.sort_by(|a, b| {
        a.cy.total_cmp(&b.cy)
            .then(a.cx.total_cmp(&b.cx))
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut texts: Vec<String> = Vec::new();
    for f in found {
        if !texts.contains(&f.text) {
            texts.push(f.text);
        }
    }
    if texts.is_empty() {
        return Err(Error::NoCodeFound);
    }
    if texts.len() > MAX_CODES {
        return Err(Error::TooManyCodes { max: MAX_CODES });
    }
    Ok(texts)
}
