//! Corrupt, truncated, oversized and lying inputs fail with the right error, fast, without panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use hcx_qr::{EncodeOptions, Error, decode_file, decode_image, decode_luma, encode};

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose IHDR claims `width`×`height` (valid CRC) followed by a tiny IDAT and IEND.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grayscale
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

/// A real JPEG whose SOF0 header is patched to claim `width`×`height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut j = sample_jpeg();
    let sof = j
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("SOF0 marker");
    j[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    j
}

fn sample_png() -> Vec<u8> {
    encode("HCX1:SAMPLE", &EncodeOptions::default())
        .unwrap()
        .to_png(3)
        .unwrap()
}

fn sample_jpeg() -> Vec<u8> {
    let img = encode("HCX1:SAMPLE", &EncodeOptions::default())
        .unwrap()
        .to_luma(3)
        .unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&img)
        .unwrap();
    jpeg
}

#[test]
fn header_claiming_100000_by_100000_fails_fast_without_allocating() {
    let start = Instant::now();
    let err = decode_image(&png_claiming(100_000, 100_000)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ImageTooLarge {
                width: 100_000,
                height: 100_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.reason(), "image_too_large");
    let err = decode_image(&jpeg_claiming(65_000, 65_000)).unwrap_err();
    assert_eq!(err.reason(), "image_too_large", "{err:?}");
    // Just over the pixel limit, too.
    assert_eq!(
        decode_image(&png_claiming(8000, 5001))
            .unwrap_err()
            .reason(),
        "image_too_large"
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(
        decode_luma(100_000, 100_000, &[]).unwrap_err().reason(),
        "image_too_large"
    );
}

#[test]
fn truncated_and_garbage_images_are_unreadable() {
    let png = sample_png();
    for cut in [9, 20, 33, 40, png.len() / 2, png.len() - 13] {
        let err = decode_image(&png[..cut]).unwrap_err();
        assert_eq!(
            err.reason(),
            "unreadable_image",
            "PNG cut at {cut}: {err:?}"
        );
    }
    let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
    garbage.extend((0..500u32).map(|i| (i * 7919 % 251) as u8));
    assert_eq!(
        decode_image(&garbage).unwrap_err().reason(),
        "unreadable_image"
    );
    let jpeg = sample_jpeg();
    for cut in [3, 10, 100, jpeg.len() / 2] {
        // A truncated JPEG may still give a partial picture; either way it must be an error, not a panic.
        let err = decode_image(&jpeg[..cut]).unwrap_err();
        assert!(
            matches!(err.reason().as_str(), "unreadable_image" | "no_code_found"),
            "JPEG cut at {cut}: {err:?}"
        );
    }
    let mut garbage = vec![0xFF, 0xD8, 0xFF];
    garbage.extend((0..500u32).map(|i| (i * 7919 % 251) as u8));
    assert_eq!(
        decode_image(&garbage).unwrap_err().reason(),
        "unreadable_image"
    );
}

#[test]
fn other_formats_and_empty_input_are_refused() {
    for bytes in [
        &b""[..],
        b"GIF89a....",
        b"BM\0\0",
        b"HCX1:NOT AN IMAGE",
        b"<svg/>",
    ] {
        let err = decode_image(bytes).unwrap_err();
        assert!(matches!(err, Error::UnsupportedFormat), "{err:?}");
        assert_eq!(err.reason(), "unsupported_format");
    }
}

#[test]
fn flipped_bytes_never_panic() {
    for sample in [sample_png(), sample_jpeg()] {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..150 {
            let mut bytes = sample.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state % bytes.len() as u64) as usize;
                bytes[i] ^= (state >> 32) as u8 | 1;
            }
            // Any result is fine; a panic fails the test.
            let _ = decode_image(&bytes);
        }
    }
}

#[test]
fn blank_pictures_hold_no_code() {
    assert!(matches!(
        decode_luma(200, 100, &vec![255; 20_000]),
        Err(Error::NoCodeFound)
    ));
    assert!(matches!(decode_luma(1, 1, &[0]), Err(Error::NoCodeFound)));
    let noise: Vec<u8> = (0..300u32 * 300)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    assert_eq!(
        decode_luma(300, 300, &noise).unwrap_err().reason(),
        "no_code_found"
    );
}

#[test]
fn luma_buffer_must_match_its_size() {
    for (w, h, len) in [(10, 10, 99), (10, 10, 101), (0, 10, 0), (10, 0, 0)] {
        let err = decode_luma(w, h, &vec![255; len]).unwrap_err();
        assert_eq!(err.reason(), "invalid_dimensions", "{w}x{h} {len}");
    }
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(hcx_qr::MAX_FILE_BYTES + 1).unwrap(); // sparse: nothing is written
    let err = decode_file(&path).unwrap_err();
    assert!(matches!(err, Error::FileTooLarge { .. }), "{err:?}");
    assert_eq!(err.reason(), "file_too_large");
    let err = decode_file(&dir.path().join("missing.png")).unwrap_err();
    assert_eq!(err.reason(), "io_error");
    let big = vec![0u8; hcx_qr::MAX_FILE_BYTES as usize + 1];
    assert_eq!(decode_image(&big).unwrap_err().reason(), "file_too_large");
}

#[test]
fn too_many_codes_is_its_own_error() {
    // 6×6 = 36 distinct version-1 codes, more than MAX_CODES (32).
    let cell = 120u32;
    let mut canvas = image::GrayImage::from_pixel(cell * 6, cell * 6, image::Luma([255]));
    for i in 0..36u32 {
        let img = encode(&format!("C{i}"), &EncodeOptions::default())
            .unwrap()
            .to_luma(3)
            .unwrap();
        image::imageops::overlay(
            &mut canvas,
            &img,
            i64::from((i % 6) * cell + 10),
            i64::from((i / 6) * cell + 10),
        );
    }
    let err = decode_luma(canvas.width(), canvas.height(), canvas.as_raw()).unwrap_err();
    assert!(matches!(err, Error::TooManyCodes { max: 32 }), "{err:?}");
    assert_eq!(err.reason(), "too_many_codes");
}
