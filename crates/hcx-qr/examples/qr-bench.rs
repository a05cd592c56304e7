//! Times QR decoders on the photos made by the `qr-photos` example (see `docs/QR.md`).
//!
//! ```text
//! cargo run -p hcx-qr --release --example qr-bench -- DIR [hcx,rxing,rqrr] [REPEAT] [--serve]
//! ```
//!
//! With `--serve` it loads the pictures, then reads one file name per stdin line and answers with
//! that picture's lines only, so `tools/qr-photos/bench.py` can interleave it with other decoders.
//!
//! Reads `DIR/manifest.tsv`, loads every picture to grayscale (not timed), then times each decoder on the
//! raw luma (`REPEAT` times, default 3, keeping the fastest, to damp noise from other processes) and prints `file<TAB>decoder<TAB>ok(0|1)<TAB>microseconds` lines, then a summary on stderr.
//! Decoders: `hcx` = `hcx_qr::decode_luma` (the crate's pipeline), `rxing` = one plain rxing pass
//! (QR reader, hybrid binariser, try-harder), `rqrr` = rqrr 0.11.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;
use std::time::Instant;

use rxing::multi::MultipleBarcodeReader;

fn rxing_plain(w: u32, h: u32, luma: &[u8]) -> Vec<String> {
    let Ok(source) = rxing::Luma8LuminanceSource::new(luma.to_vec(), w, h) else {
        return vec![];
    };
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let hints = rxing::DecodeHints {
        TryHarder: Some(true),
        ..Default::default()
    };
    rxing::qrcode::cpp_port::QrReader
        .decode_multiple_with_hints(&mut bitmap, &hints)
        .map(|r| r.iter().map(|r| r.getText().to_string()).collect())
        .unwrap_or_default()
}

fn rqrr(w: u32, h: u32, luma: &[u8]) -> Vec<String> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        luma[y * w as usize + x]
    });
    img.detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, t)| t))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs decoder `d` `repeat` times on one picture: did it read `text`, and its fastest time in µs.
fn time_one(d: &str, luma: &image::GrayImage, text: &str, repeat: u32) -> (bool, f64) {
    let (w, h) = luma.dimensions();
    let mut us = f64::INFINITY;
    let mut got = Vec::new();
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        got = match d {
            "hcx" => hcx_qr::decode_luma(w, h, luma.as_raw()).unwrap_or_default(),
            "rxing" => rxing_plain(w, h, luma.as_raw()),
            "rqrr" => rqrr(w, h, luma.as_raw()),
            other => panic!("unknown decoder {other}"),
        };
        us = us.min(start.elapsed().as_secs_f64() * 1e6);
    }
    (got.iter().any(|t| t == text), us)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: qr-bench DIR [decoders]"));
    let decoders: Vec<String> = args
        .next()
        .unwrap_or_else(|| "hcx,rxing,rqrr".into())
        .split(',')
        .map(String::from)
        .collect();
    let repeat: u32 = args.next().map_or(3, |r| r.parse().expect("REPEAT"));
    let serve = args.next().is_some_and(|a| a == "--serve");
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let mut images = Vec::new();
    for line in manifest.lines() {
        let mut f = line.split('\t');
        let (name, text) = (f.next().unwrap().to_string(), f.next().unwrap().to_string());
        let luma = image::open(dir.join(&name)).unwrap().into_luma8();
        images.push((name, text, luma));
    }
    if serve {
        // One photo name per stdin line: time every decoder on it, print its lines, flush.
        use std::io::{BufRead, Write};
        let stdout = std::io::stdout();
        for line in std::io::stdin().lock().lines() {
            let line = line.unwrap();
            let Some((name, text, luma)) = images.iter().find(|(n, _, _)| *n == line) else {
                panic!("unknown photo {line}");
            };
            let mut out = stdout.lock();
            for d in &decoders {
                let (success, us) = time_one(d, luma, text, repeat);
                writeln!(out, "{name}\t{d}\t{}\t{us:.0}", u8::from(success)).unwrap();
            }
            out.flush().unwrap();
        }
        return;
    }
    for d in &decoders {
        let (mut ok, mut times, mut ok_times) = (0, Vec::new(), Vec::new());
        for (name, text, luma) in &images {
            let (success, us) = time_one(d, luma, text, repeat);
            println!("{name}\t{d}\t{}\t{us:.0}", u8::from(success));
            times.push(us);
            if success {
                ok += 1;
                ok_times.push(us);
            }
        }
        eprintln!(
            "{d:>6}: {ok}/{} decoded, median {:.2} ms (all), {:.2} ms (decoded)",
            images.len(),
            median(times) / 1000.0,
            median(ok_times) / 1000.0
        );
    }
}
