//! `decode_*_symbols`: the version, error-correction level and segments read back from codes
//! that `hcx_qr::encode` made, which reports how it encoded them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use hcx_qr::{
    EccLevel, EncodeOptions, Segment, SegmentMode, Symbol, SymbolFormat, decode_file_symbols,
    decode_image, decode_image_symbols, decode_luma, decode_luma_symbols, encode,
};

fn seg(mode: SegmentMode, count: usize) -> Segment {
    Segment {
        mode,
        count: count as u32,
    }
}

/// Encodes `text`, renders it at 4 px per module and reads it back as one symbol.
fn round_trip(text: &str, ecc: EccLevel) -> (hcx_qr::QrCode, Symbol) {
    let code = encode(
        text,
        &EncodeOptions {
            ecc,
            ..EncodeOptions::default()
        },
    )
    .unwrap();
    let png = code.to_png(4).unwrap();
    let mut symbols = decode_image_symbols(&png).unwrap();
    assert_eq!(symbols.len(), 1, "{text}");
    // The text-only function is the same read.
    assert_eq!(decode_image(&png).unwrap(), vec![text.to_string()]);
    (code, symbols.remove(0))
}

#[test]
fn version_and_level_are_the_encoders_at_many_versions() {
    let mut versions = Vec::new();
    for (i, len) in [5usize, 30, 80, 150, 260, 400, 600, 900, 1300, 1800]
        .into_iter()
        .enumerate()
    {
        for ecc in [EccLevel::L, EccLevel::M, EccLevel::Q, EccLevel::H] {
            let text = common::base45_text("HC1:", len, (i * 4) as u64);
            let options = EncodeOptions {
                ecc,
                ..EncodeOptions::default()
            };
            if encode(&text, &options).is_err() {
                // Too long for a QR code at this level.
                continue;
            }
            let (code, symbol) = round_trip(&text, ecc);
            assert_eq!(symbol.text, text);
            assert_eq!(symbol.format, SymbolFormat::Qr);
            assert_eq!(symbol.version, Some(code.version()), "{len} chars at {ecc}");
            assert_eq!(
                17 + 4 * usize::from(symbol.version.unwrap()),
                code.modules()
            );
            assert_eq!(symbol.ecc, Some(ecc));
            versions.push(code.version());
        }
    }
    // Every count-indicator range (1–9, 10–26, 27–40) is covered.
    assert!(versions.iter().any(|v| *v <= 9));
    assert!(versions.iter().any(|v| (10..=26).contains(v)));
    assert!(versions.iter().any(|v| *v >= 27), "{versions:?}");
}

#[test]
fn base45_texts_are_one_alphanumeric_segment() {
    for (prefix, len) in [("HCX1:", 254), ("HC1:", 20), ("HC1:", 556), ("HC1:", 1500)] {
        let text = common::base45_text(prefix, len, len as u64);
        let (code, symbol) = round_trip(&text, EccLevel::M);
        assert_eq!(code.mode(), "alphanumeric");
        assert_eq!(
            symbol.segments,
            Some(vec![seg(SegmentMode::Alphanumeric, text.len())]),
            "{prefix} {len} (version {})",
            code.version()
        );
    }
}

#[test]
fn shc_texts_are_byte_then_numeric() {
    // From version 2 to 22 and past it (a 2400-digit text needs version 23 at L).
    for pairs in [3usize, 100, 600, 1200] {
        let text = common::shc_text(pairs, pairs as u64);
        let (code, symbol) = round_trip(&text, EccLevel::L);
        assert_eq!(code.mode(), "mixed");
        assert_eq!(
            symbol.segments,
            Some(vec![
                seg(SegmentMode::Byte, 5),
                seg(SegmentMode::Numeric, 2 * pairs)
            ]),
            "{pairs} pairs, version {}",
            code.version()
        );
        assert_eq!(symbol.version, Some(code.version()));
        if pairs == 1200 {
            assert!(code.version() > 22, "{}", code.version());
        }
    }
}

#[test]
fn chunked_shc_texts_are_byte_header_then_numeric() {
    // The `shc:/K/N/` header in one byte segment, as the SHC spec's own example 02 is encoded.
    for header in ["shc:/1/2/", "shc:/12/17/"] {
        let text = format!("{header}{}", &common::shc_text(300, 7)[5..]);
        let (_, symbol) = round_trip(&text, EccLevel::L);
        assert_eq!(
            symbol.segments,
            Some(vec![
                seg(SegmentMode::Byte, header.len()),
                seg(SegmentMode::Numeric, 600)
            ]),
            "{header}"
        );
    }
}

#[test]
fn other_texts_list_every_segment() {
    // Non-ASCII text: an ECI 26 (UTF-8) designator before the data.
    let (_, symbol) = round_trip("https://example.org/é?ü=ß", EccLevel::M);
    let segments = symbol.segments.unwrap();
    assert_eq!(segments.first(), Some(&seg(SegmentMode::Eci, 26)));
    let bytes: u32 = segments.iter().skip(1).map(|s| s.count).sum();
    assert_eq!(bytes as usize, "https://example.org/é?ü=ß".len());
    // A mix the optimiser splits: digits, then letters.
    let text = "12345678901234567890123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabc";
    let (_, symbol) = round_trip(text, EccLevel::M);
    let segments = symbol.segments.unwrap();
    assert!(segments.len() > 1, "{segments:?}");
    assert_eq!(segments[0], seg(SegmentMode::Numeric, 29));
    assert_eq!(
        segments.iter().map(|s| s.count as usize).sum::<usize>(),
        text.len()
    );
}

/// Mirrored (transposed) and inverted symbols read the same version and segments.
#[test]
fn mirrored_and_inverted_symbols() {
    let text = common::shc_text(400, 3);
    let code = encode(
        &text,
        &EncodeOptions {
            ecc: EccLevel::Q,
            ..EncodeOptions::default()
        },
    )
    .unwrap();
    let img = code.to_luma(4).unwrap();
    let (w, h) = img.dimensions();
    let want = Some(vec![
        seg(SegmentMode::Byte, 5),
        seg(SegmentMode::Numeric, 800),
    ]);
    let transposed: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| img.get_pixel(y, x).0[0])
        .collect();
    let inverted: Vec<u8> = img.as_raw().iter().map(|p| 255 - p).collect();
    for (what, luma) in [("transposed", transposed), ("inverted", inverted)] {
        let symbols = decode_luma_symbols(h, w, &luma).unwrap();
        assert_eq!(decode_luma(h, w, &luma).unwrap(), vec![text.clone()]);
        assert_eq!(symbols.len(), 1, "{what}");
        assert_eq!(symbols[0].text, text, "{what}");
        assert_eq!(symbols[0].version, Some(code.version()), "{what}");
        assert_eq!(symbols[0].ecc, Some(EccLevel::Q), "{what}");
        assert_eq!(symbols[0].segments, want, "{what}");
    }
}

#[test]
fn several_codes_and_files() {
    let a = encode("HC1:ABC", &EncodeOptions::default()).unwrap();
    let b = encode(&common::shc_text(10, 1), &EncodeOptions::default()).unwrap();
    let (ia, ib) = (a.to_luma(4).unwrap(), b.to_luma(4).unwrap());
    let (w, h) = (ia.width() + ib.width(), ia.height().max(ib.height()) + 40);
    let mut canvas = image::GrayImage::from_pixel(w, h, image::Luma([255]));
    image::imageops::replace(&mut canvas, &ia, 0, 0);
    image::imageops::replace(&mut canvas, &ib, i64::from(ia.width()), 40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.png");
    canvas.save(&path).unwrap();
    let symbols = decode_file_symbols(&path).unwrap();
    let texts: Vec<&str> = symbols.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, hcx_qr::decode_file(&path).unwrap());
    assert_eq!(symbols.len(), 2);
    let versions: Vec<Option<u8>> = symbols.iter().map(|s| s.version).collect();
    assert_eq!(versions, vec![Some(a.version()), Some(b.version())]);
    assert_eq!(
        symbols[0].segments,
        Some(vec![seg(SegmentMode::Alphanumeric, 7)])
    );
}

#[test]
fn errors_are_the_text_functions_errors() {
    assert_eq!(
        decode_image_symbols(b"not an image").unwrap_err().reason(),
        "unsupported_format"
    );
    assert_eq!(
        decode_luma_symbols(100, 100, &[255; 10_000])
            .unwrap_err()
            .reason(),
        "no_code_found"
    );
    assert_eq!(
        decode_luma_symbols(10, 10, &[0; 3]).unwrap_err().reason(),
        "invalid_dimensions"
    );
}
