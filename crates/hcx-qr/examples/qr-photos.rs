//! Generates synthetic "phone photos" of health-code-sized QR codes, with a manifest of their texts.
//!
//! ```text
//! cargo run -p hcx-qr --release --example qr-photos -- --out DIR [--seed 1] [--count 200]
//! ```
//!
//! Each photo holds one QR code of a 200–600 character `HCX1:`/`HC1:`-like base45 text, distorted as a
//! phone camera would: any rotation, perspective, scale (module size 1.6–7 px), a cluttered background,
//! uneven lighting, low contrast, blur, sensor noise, JPEG compression and sometimes inversion.
//! `DIR/manifest.tsv` has one line per photo: `file<TAB>expected text<TAB>distortions`.
//! The same seed gives the same files.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::f32::consts::PI;
use std::io::Write;
use std::path::PathBuf;

use hcx_qr::{EccLevel, EncodeOptions};
use image::{GrayImage, Luma, LumaA};
use imageproc::geometric_transformations::{Interpolation, Projection, warp_into};

/// SplitMix64: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
    fn chance(&mut self, p: f32) -> bool {
        self.range(0.0, 1.0) < p
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f32 {
        let u1 = self.range(1e-7, 1.0);
        let u2 = self.range(0.0, 1.0);
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }
}

const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn health_text(rng: &mut Rng) -> String {
    let prefix = if rng.chance(0.5) { "HCX1:" } else { "HC1:" };
    let len = 200 + rng.below(401) as usize - prefix.len();
    let mut s = String::from(prefix);
    for _ in 0..len {
        s.push(BASE45[rng.below(45) as usize] as char);
    }
    s
}

/// A cluttered background: a gradient plus random rectangles, bars and speckles.
fn background(rng: &mut Rng, w: u32, h: u32) -> Vec<f32> {
    let base = rng.range(90.0, 230.0);
    let (gx, gy) = (rng.range(-60.0, 60.0), rng.range(-60.0, 60.0));
    let mut bg: Vec<f32> = (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f32 / w as f32, (i / w) as f32 / h as f32);
            base + gx * (x - 0.5) + gy * (y - 0.5)
        })
        .collect();
    let shapes = rng.below(40);
    for _ in 0..shapes {
        let (x0, y0) = (rng.below(w), rng.below(h));
        let (sw, sh) = if rng.chance(0.5) {
            (1 + rng.below(w / 3), 1 + rng.below(h / 3))
        } else {
            // thin bars, like text lines or table rules
            (1 + rng.below(w / 2), 1 + rng.below(6))
        };
        let v = rng.range(0.0, 255.0);
        for y in y0..(y0 + sh).min(h) {
            for x in x0..(x0 + sw).min(w) {
                bg[(y * w + x) as usize] = v;
            }
        }
    }
    bg
}

struct Photo {
    luma: GrayImage,
    jpeg_quality: Option<u8>,
    notes: String,
}

fn photo(rng: &mut Rng, text: &str) -> Photo {
    let ecc = [EccLevel::L, EccLevel::M, EccLevel::M, EccLevel::Q][rng.below(4) as usize];
    let code = hcx_qr::encode(
        text,
        &EncodeOptions {
            ecc,
            ..EncodeOptions::default()
        },
    )
    .unwrap();
    const SRC_PX: u32 = 8;
    let src = code.to_luma(SRC_PX).unwrap();
    let side = src.width() as f32;
    // Code with alpha, so the warp leaves the background where the code is not.
    let src_la =
        image::ImageBuffer::<LumaA<u8>, Vec<u8>>::from_fn(src.width(), src.height(), |x, y| {
            LumaA([src.get_pixel(x, y).0[0], 255])
        });

    let (w, h) = if rng.chance(0.5) {
        (640u32, 480u32)
    } else {
        (1280, 960)
    };
    let (w, h) = if rng.chance(0.5) { (w, h) } else { (h, w) };
    let total_modules = code.total_modules() as f32;
    // Module size in output pixels: 1.6 (hard) to 7.
    let max_module = (w.min(h) as f32 * 0.92 / total_modules).min(7.0);
    let module = rng.range(1.6, max_module.max(1.7));
    let out_side = module * total_modules;
    let angle = rng.range(0.0, 2.0 * PI);
    let tilt = rng.range(0.0, 0.25); // perspective strength
    // Centre where the rotated code fits.
    let reach = out_side * 0.75;
    let cx = rng.range(
        reach.min(w as f32 / 2.0),
        (w as f32 - reach).max(w as f32 / 2.0),
    );
    let cy = rng.range(
        reach.min(h as f32 / 2.0),
        (h as f32 - reach).max(h as f32 / 2.0),
    );
    let half = out_side / 2.0;
    let mut corners = [(-half, -half), (half, -half), (half, half), (-half, half)];
    // Perspective: shrink one edge and stretch the opposite one.
    let edge = rng.below(4) as usize;
    for (i, c) in corners.iter_mut().enumerate() {
        let k = if i == edge || i == (edge + 1) % 4 {
            1.0 - tilt
        } else {
            1.0 + tilt * 0.5
        };
        c.0 *= k;
        c.1 *= k;
        let jitter = out_side * 0.02;
        c.0 += rng.range(-jitter, jitter);
        c.1 += rng.range(-jitter, jitter);
    }
    let (s, co) = angle.sin_cos();
    let to = corners.map(|(x, y)| (cx + x * co - y * s, cy + x * s + y * co));
    let from = [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)];
    let projection = Projection::from_control_points(from, to).unwrap();
    let mut warped = image::ImageBuffer::<LumaA<u8>, Vec<u8>>::new(w, h);
    warp_into(
        &src_la,
        &projection,
        Interpolation::Bilinear,
        LumaA([0, 0]),
        &mut warped,
    );

    // Contrast: dark and light levels of the print.
    let low_contrast = rng.chance(0.3);
    let (dark, light) = if low_contrast {
        let d = rng.range(60.0, 120.0);
        (d, d + rng.range(45.0, 90.0))
    } else {
        (rng.range(0.0, 50.0), rng.range(190.0, 255.0))
    };
    let mut px = background(rng, w, h);
    for (i, p) in warped.pixels().enumerate() {
        let [v, a] = p.0;
        if a > 0 {
            let a = f32::from(a) / 255.0;
            let code_v = dark + (light - dark) * f32::from(v) / 255.0;
            px[i] = px[i] * (1.0 - a) + code_v * a;
        }
    }
    // Uneven lighting: a soft spotlight and a shadow gradient.
    let (lx, ly) = (rng.range(0.0, w as f32), rng.range(0.0, h as f32));
    let strength = rng.range(0.0, 0.6);
    let (sx, sy) = (rng.range(-0.5, 0.5), rng.range(-0.5, 0.5));
    let r2 = (w * w + h * h) as f32 / 4.0;
    for (i, p) in px.iter_mut().enumerate() {
        let (x, y) = ((i as u32 % w) as f32, (i as u32 / w) as f32);
        let d2 = ((x - lx).powi(2) + (y - ly).powi(2)) / r2;
        let light = (1.0 - strength) + strength * (-d2).exp();
        let shadow = 1.0 + sx * (x / w as f32 - 0.5) + sy * (y / h as f32 - 0.5);
        *p *= light * shadow;
    }
    let mut img = GrayImage::from_fn(w, h, |x, y| {
        Luma([px[(y * w + x) as usize].clamp(0.0, 255.0) as u8])
    });
    // Blur (focus / motion-free defocus).
    let blur = if rng.chance(0.7) {
        rng.range(0.3, (module * 0.45).clamp(0.4, 2.2))
    } else {
        0.0
    };
    if blur > 0.0 {
        img = imageproc::filter::gaussian_blur_f32(&img, blur);
    }
    // Sensor noise.
    let noise = if rng.chance(0.7) {
        rng.range(2.0, 22.0)
    } else {
        0.0
    };
    let invert = rng.chance(0.1);
    for p in img.pixels_mut() {
        let mut v = f32::from(p.0[0]) + noise * rng.normal();
        if invert {
            v = 255.0 - v;
        }
        p.0[0] = v.clamp(0.0, 255.0) as u8;
    }
    let jpeg_quality = if rng.chance(0.75) {
        Some(20 + rng.below(71) as u8)
    } else {
        None
    };
    let notes = format!(
        "ecc={ecc} v={} module={module:.2}px angle={:.0}deg tilt={tilt:.2} contrast={:.0} light={strength:.2} \
         blur={blur:.2} noise={noise:.1} invert={invert} size={w}x{h} jpeg={}",
        code.version(),
        angle.to_degrees(),
        light - dark,
        jpeg_quality.map_or("no".to_string(), |q| q.to_string())
    );
    Photo {
        luma: img,
        jpeg_quality,
        notes,
    }
}

fn main() {
    let mut out = None;
    let (mut seed, mut count) = (1u64, 200u32);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--count" => count = args.next().and_then(|v| v.parse().ok()).expect("--count N"),
            _ => {
                eprintln!("usage: qr-photos --out DIR [--seed N] [--count N]");
                std::process::exit(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("usage: qr-photos --out DIR [--seed N] [--count N]");
        std::process::exit(2);
    };
    std::fs::create_dir_all(&out).unwrap();
    let mut manifest = std::fs::File::create(out.join("manifest.tsv")).unwrap();
    let mut rng = Rng(seed);
    for i in 0..count {
        let text = health_text(&mut rng);
        let p = photo(&mut rng, &text);
        let name = match p.jpeg_quality {
            Some(q) => {
                let name = format!("photo-{i:04}.jpg");
                let mut bytes = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, q)
                    .encode_image(&p.luma)
                    .unwrap();
                std::fs::write(out.join(&name), bytes).unwrap();
                name
            }
            None => {
                let name = format!("photo-{i:04}.png");
                p.luma.save(out.join(&name)).unwrap();
                name
            }
        };
        writeln!(manifest, "{name}\t{text}\t{}", p.notes).unwrap();
    }
    eprintln!("wrote {count} photos and manifest.tsv to {}", out.display());
}
