//! Experiment: which picture transforms let `decode_luma` read photos it otherwise misses.
//! `cargo run -p hcx-qr --release --example qr-variants -- DIR`
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;

/// Width, height, luma.
type Picture = (usize, usize, Vec<u8>);

fn up2(w: usize, h: usize, l: &[u8]) -> Picture {
    let (w2, h2) = (w * 2, h * 2);
    let mut out = vec![0u8; w2 * h2];
    for y in 0..h2 {
        let fy = (y as f32 + 0.5) / 2.0 - 0.5;
        let y0 = fy.floor().max(0.0) as usize;
        let y1 = (y0 + 1).min(h - 1);
        let ty = (fy - y0 as f32).clamp(0.0, 1.0);
        for x in 0..w2 {
            let fx = (x as f32 + 0.5) / 2.0 - 0.5;
            let x0 = fx.floor().max(0.0) as usize;
            let x1 = (x0 + 1).min(w - 1);
            let tx = (fx - x0 as f32).clamp(0.0, 1.0);
            let p = |x: usize, y: usize| f32::from(l[y * w + x]);
            let v = (p(x0, y0) * (1.0 - tx) + p(x1, y0) * tx) * (1.0 - ty)
                + (p(x0, y1) * (1.0 - tx) + p(x1, y1) * tx) * ty;
            out[y * w2 + x] = v.round() as u8;
        }
    }
    (w2, h2, out)
}

fn shrink(w: usize, h: usize, l: &[u8], k: usize) -> Picture {
    let (w2, h2) = (w / k, h / k);
    let mut out = vec![0u8; w2 * h2];
    for y in 0..h2 {
        for x in 0..w2 {
            let mut s = 0u32;
            for dy in 0..k {
                for dx in 0..k {
                    s += u32::from(l[(y * k + dy) * w + x * k + dx]);
                }
            }
            out[y * w2 + x] = (s / (k * k) as u32) as u8;
        }
    }
    (w2, h2, out)
}

fn blur(w: usize, h: usize, l: &[u8]) -> Picture {
    let mut out = l.to_vec();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let mut s = 0u32;
            for dy in 0..3 {
                for dx in 0..3 {
                    s += u32::from(l[(y + dy - 1) * w + x + dx - 1]);
                }
            }
            out[y * w + x] = (s / 9) as u8;
        }
    }
    (w, h, out)
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap());
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let mut wins = std::collections::BTreeMap::<&str, usize>::new();
    for line in manifest.lines() {
        let mut f = line.split('\t');
        let (name, text) = (f.next().unwrap(), f.next().unwrap());
        let img = image::open(dir.join(name)).unwrap().into_luma8();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let l = img.into_raw();
        let mut row = format!("{name}:");
        let variants: Vec<(&str, Picture)> = vec![
            ("orig", (w, h, l.clone())),
            ("up2", up2(w, h, &l)),
            ("third", shrink(w, h, &l, 3)),
            ("blur", blur(w, h, &l)),
            ("blurup2", {
                let (a, b, c) = blur(w, h, &l);
                up2(a, b, &c)
            }),
            ("up2blur", {
                let (a, b, c) = up2(w, h, &l);
                blur(a, b, &c)
            }),
            ("up4", {
                let (a, b, c) = up2(w, h, &l);
                up2(a, b, &c)
            }),
            (
                "gamma",
                (
                    w,
                    h,
                    l.iter()
                        .map(|&p| ((f32::from(p) / 255.0).sqrt() * 255.0) as u8)
                        .collect(),
                ),
            ),
            (
                "gamma2",
                (
                    w,
                    h,
                    l.iter()
                        .map(|&p| ((f32::from(p) / 255.0).powi(2) * 255.0) as u8)
                        .collect(),
                ),
            ),
            ("blur2", {
                let (a, b, c) = blur(w, h, &l);
                blur(a, b, &c)
            }),
        ];
        for (tag, (vw, vh, v)) in variants {
            let ok = hcx_qr::decode_luma(vw as u32, vh as u32, &v)
                .map(|t| t.iter().any(|t| t == text))
                .unwrap_or(false);
            if ok {
                *wins.entry(tag).or_default() += 1;
                row.push_str(&format!(" {tag}"));
            }
        }
        println!("{row}");
    }
    println!("{wins:?}");
}
