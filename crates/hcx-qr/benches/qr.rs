//! Criterion benches: encoding a health-code-sized text, and decoding it from PNG and from a 1280×960 photo-like frame.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use hcx_qr::{EncodeOptions, decode_image, decode_image_symbols, decode_luma, encode};

fn text() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut s = String::from("HC1:");
    let mut state = 7u64;
    for _ in 0..552 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s.push(ALPHABET[((state >> 33) % 45) as usize] as char);
    }
    s
}

fn benches(c: &mut Criterion) {
    let text = text();
    let options = EncodeOptions::default();
    c.bench_function("encode 556 chars", |b| {
        b.iter(|| encode(&text, &options).unwrap())
    });
    let code = encode(&text, &options).unwrap();
    c.bench_function("encode + PNG 4 px", |b| {
        b.iter(|| encode(&text, &options).unwrap().to_png(4).unwrap())
    });
    let png = code.to_png(4).unwrap();
    c.bench_function("decode PNG 4 px/module", |b| {
        b.iter(|| decode_image(&png).unwrap())
    });
    // The same, with each symbol's version, level and segments (data codewords read again).
    c.bench_function("decode PNG 4 px/module, symbols", |b| {
        b.iter(|| decode_image_symbols(&png).unwrap())
    });
    // The code at 3 px/module in the middle of a gray 1280×960 frame.
    let img = code.to_luma(3).unwrap();
    let mut frame = image::GrayImage::from_pixel(1280, 960, image::Luma([128]));
    image::imageops::overlay(&mut frame, &img, 400, 200);
    c.bench_function("decode_luma 1280x960 frame", |b| {
        b.iter(|| decode_luma(frame.width(), frame.height(), frame.as_raw()).unwrap())
    });
}

criterion_group!(qr, benches);
criterion_main!(qr);
