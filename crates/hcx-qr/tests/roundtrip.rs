//! Encode → PNG / SVG / terminal → decode gives back the text, for every ECC level and health-code sizes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use hcx_qr::{EccLevel, EncodeOptions, Error, decode_image, decode_luma, encode};

fn texts() -> Vec<String> {
    let mut t = vec![
        "HCX1:".to_string(),
        "hello, world".to_string(),
        "https://example.org/é?ü=ß".to_string(),
    ];
    for (i, len) in [10usize, 100, 300, 600].into_iter().enumerate() {
        t.push(common::base45_text("HCX1:", len, i as u64));
        t.push(common::base45_text("HC1:", len, 100 + i as u64));
    }
    t.push(common::shc_text(20, 1));
    t.push(common::shc_text(600, 2)); // 1200 digits, like a real single-chunk SHC
    t
}

/// Rasterises an SVG with resvg and returns its luma.
fn rasterise_svg(svg: &str) -> (u32, u32, Vec<u8>) {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    let luma = pixmap.data().chunks(4).map(|p| p[0]).collect();
    (size.width(), size.height(), luma)
}

/// Parses [`hcx_qr::QrCode::to_terminal`] output back into a bitmap, `px` pixels per module.
fn rasterise_terminal(term: &str, px: u32) -> (u32, u32, Vec<u8>) {
    let mut rows: Vec<Vec<bool>> = Vec::new();
    for line in term.lines() {
        let line = line
            .replace("\x1b[38;5;16;48;5;231m", "")
            .replace("\x1b[0m", "");
        assert!(!line.contains('\x1b'), "unexpected escape in {line:?}");
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected char {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    let w = rows[0].len() as u32 * px;
    let h = rows.len() as u32 * px;
    let mut luma = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let dark = rows[(y / px) as usize][(x / px) as usize];
            luma.push(if dark { 0 } else { 255 });
        }
    }
    (w, h, luma)
}

#[test]
fn png_svg_and_terminal_round_trip_at_every_ecc_level() {
    for text in texts() {
        for ecc in EccLevel::ALL {
            let code = encode(
                &text,
                &EncodeOptions {
                    ecc,
                    ..EncodeOptions::default()
                },
            )
            .unwrap();
            assert_eq!(code.ecc(), ecc);
            let what = format!("{ecc} v{} {}…", code.version(), &text[..text.len().min(12)]);
            let png = code.to_png(3).unwrap();
            assert_eq!(
                decode_image(&png).unwrap(),
                vec![text.clone()],
                "PNG {what}"
            );
            let (w, h, luma) = rasterise_svg(&code.to_svg(2));
            assert_eq!(
                decode_luma(w, h, &luma).unwrap(),
                vec![text.clone()],
                "SVG {what}"
            );
            let (w, h, luma) = rasterise_terminal(&code.to_terminal(), 2);
            assert_eq!(
                decode_luma(w, h, &luma).unwrap(),
                vec![text.clone()],
                "terminal {what}"
            );
        }
    }
}

#[test]
fn modes_and_versions_suit_health_codes() {
    let hcx = common::base45_text("HCX1:", 550, 7);
    let code = encode(&hcx, &EncodeOptions::default()).unwrap();
    assert_eq!(code.mode(), "alphanumeric");
    assert_eq!(code.modules(), 17 + 4 * code.version() as usize);
    let hc1 = common::base45_text("HC1:", 552, 8);
    assert_eq!(
        encode(&hc1, &EncodeOptions::default()).unwrap().mode(),
        "alphanumeric"
    );
    // 556 alphanumeric characters at Q need version 18 (capacity 573), as real DCCs do.
    let q = encode(
        &common::base45_text("HC1:", 552, 9),
        &EncodeOptions {
            ecc: EccLevel::Q,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(q.version(), 18);
    let shc = encode(
        &common::shc_text(600, 3),
        &EncodeOptions {
            ecc: EccLevel::L,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(shc.mode(), "mixed");
    assert_eq!(shc.version(), 15); // 1200 digits (4000 bits) + "shc:/" byte segment fit 523 bytes at L
    assert_eq!(
        encode("12345", &EncodeOptions::default()).unwrap().mode(),
        "numeric"
    );
    assert_eq!(
        encode("hello", &EncodeOptions::default()).unwrap().mode(),
        "byte"
    );
    assert_eq!(
        encode("HELLO WORLD", &EncodeOptions::default())
            .unwrap()
            .version(),
        1
    );
}

#[test]
fn max_version_fails_clearly() {
    let text = common::base45_text("HCX1:", 600, 1);
    let err = encode(
        &text,
        &EncodeOptions {
            max_version: 10,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLong {
                len: 605,
                ecc: EccLevel::M,
                max_version: 10
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.reason(), "too_long_for_version");
    let huge = "x".repeat(3000);
    assert_eq!(
        encode(&huge, &EncodeOptions::default())
            .unwrap_err()
            .reason(),
        "too_long_for_version"
    );
    for bad in [0, 41] {
        let err = encode(
            "A",
            &EncodeOptions {
                max_version: bad,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.reason(), "invalid_max_version");
    }
    // Exactly at the limit works.
    let v = encode(&text, &EncodeOptions::default()).unwrap().version();
    assert_eq!(
        encode(
            &text,
            &EncodeOptions {
                max_version: v,
                ..Default::default()
            }
        )
        .unwrap()
        .version(),
        v
    );
}

#[test]
fn ecc_level_parses_and_prints() {
    for (s, l) in [
        ("L", EccLevel::L),
        ("m", EccLevel::M),
        ("Q", EccLevel::Q),
        ("h", EccLevel::H),
    ] {
        assert_eq!(s.parse::<EccLevel>().unwrap(), l);
        assert_eq!(l.to_string(), s.to_uppercase());
    }
    assert_eq!(
        "X".parse::<EccLevel>().unwrap_err().reason(),
        "invalid_ecc_level"
    );
    assert_eq!(
        EncodeOptions::default(),
        EncodeOptions {
            ecc: EccLevel::M,
            max_version: 40,
            quiet_zone: 4
        }
    );
}

#[test]
fn quiet_zone_and_scale_are_respected() {
    let code = encode(
        "HCX1:ABC",
        &EncodeOptions {
            quiet_zone: 2,
            ..Default::default()
        },
    )
    .unwrap();
    let img = code.to_luma(5).unwrap();
    assert_eq!(img.width(), (21 + 4) * 5);
    assert_eq!(code.to_png(0).unwrap_err().reason(), "invalid_scale");
    assert_eq!(code.to_png(100_000).unwrap_err().reason(), "invalid_scale");
    assert!(code.to_svg(3).contains("width=\"75\""));
    let plain = code.to_terminal_plain();
    assert_eq!(plain.lines().count(), 13); // 25 rows, two per line
    assert!(!plain.contains('\x1b'));
}

/// Pastes several codes into one picture: all come back, top to bottom then left to right.
#[test]
fn every_code_in_a_picture_is_returned_in_reading_order() {
    let texts = ["HCX1:FIRST", "HCX1:SECOND", "HCX1:THIRD", "HCX1:FOURTH"];
    let (cell, cols) = (200u32, 2u32);
    let mut canvas = image::GrayImage::from_pixel(cell * cols, cell * 2, image::Luma([255]));
    for (i, t) in texts.iter().enumerate() {
        let img = encode(t, &EncodeOptions::default())
            .unwrap()
            .to_luma(4)
            .unwrap();
        let (cx, cy) = ((i as u32 % cols) * cell + 20, (i as u32 / cols) * cell + 20);
        image::imageops::overlay(&mut canvas, &img, i64::from(cx), i64::from(cy));
    }
    let got = decode_luma(canvas.width(), canvas.height(), canvas.as_raw()).unwrap();
    assert_eq!(got, texts);
    // The same picture twice side by side: texts are deduplicated.
    let mut twice =
        image::GrayImage::from_pixel(canvas.width() * 2, canvas.height(), image::Luma([255]));
    image::imageops::overlay(&mut twice, &canvas, 0, 0);
    image::imageops::overlay(&mut twice, &canvas, i64::from(canvas.width()), 0);
    assert_eq!(
        decode_luma(twice.width(), twice.height(), twice.as_raw())
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn inverted_and_rotated_codes_decode() {
    let text = common::base45_text("HC1:", 400, 5);
    let img = encode(&text, &EncodeOptions::default())
        .unwrap()
        .to_luma(4)
        .unwrap();
    let inverted: Vec<u8> = img.as_raw().iter().map(|v| 255 - v).collect();
    assert_eq!(
        decode_luma(img.width(), img.height(), &inverted).unwrap(),
        vec![text.clone()]
    );
    let rot = image::imageops::rotate90(&img);
    assert_eq!(
        decode_luma(rot.width(), rot.height(), rot.as_raw()).unwrap(),
        vec![text.clone()]
    );
    let white = image::Luma([255u8]);
    // Pad first so the rotation does not cut the corners (and their finder patterns) off.
    let mut padded = image::GrayImage::from_pixel(img.width() + 200, img.height() + 200, white);
    image::imageops::overlay(&mut padded, &img, 100, 100);
    let padded = imageproc::geometric_transformations::rotate_about_center(
        &padded,
        0.5,
        imageproc::geometric_transformations::Interpolation::Bilinear,
        white,
    );
    assert_eq!(
        decode_luma(padded.width(), padded.height(), padded.as_raw()).unwrap(),
        vec![text]
    );
}

#[test]
fn jpeg_decodes() {
    let text = common::base45_text("HCX1:", 300, 11);
    let img = encode(&text, &EncodeOptions::default())
        .unwrap()
        .to_luma(4)
        .unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 40)
        .encode_image(&img)
        .unwrap();
    assert_eq!(decode_image(&jpeg).unwrap(), vec![text]);
}

#[test]
fn transparent_png_is_read_on_white() {
    let text = "HCX1:TRANSPARENT";
    let img = encode(text, &EncodeOptions::default())
        .unwrap()
        .to_luma(4)
        .unwrap();
    // Dark modules opaque black, light modules fully transparent black.
    let rgba = image::RgbaImage::from_fn(img.width(), img.height(), |x, y| {
        if img.get_pixel(x, y).0[0] == 0 {
            image::Rgba([0, 0, 0, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut png = Vec::new();
    rgba.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(decode_image(&png).unwrap(), vec![text.to_string()]);
}
