//! Decodes every QR image published with the EU DCC and SMART Health Card test data (`shared/peers`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;

/// Images whose expected text is not the paired JSON's `PREFIX`, each with the reason.
const STALE_IMAGES: &[(&str, &str)] = &[
    (
        "ES/png/2101.png",
        "stale image from another issuance: decodes to a different valid HC1: text; the JSON's 2DCODE matches PREFIX",
    ),
    ("ES/png/2102.png", "same as 2101"),
    ("ES/png/2103.png", "same as 2101"),
];

fn pngs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pngs(&p, out);
        } else if p.extension().is_some_and(|e| e == "png") {
            out.push(p);
        }
    }
}

/// The test-case JSON that an image pairs with (see `peers/dcc/INDEX.md`).
fn paired_json(png: &Path) -> PathBuf {
    let stem = png.file_stem().unwrap().to_str().unwrap();
    let png_dir = png.parent().unwrap(); // .../png
    let above = png_dir.parent().unwrap(); // COUNTRY, PL/<ver>, or COUNTRY/2DCode
    let code_dir = if above.file_name().unwrap() == "2DCode" {
        above.to_path_buf()
    } else {
        above.join("2DCode")
    };
    let raw = if code_dir.join("Raw").is_dir() {
        code_dir.join("Raw")
    } else {
        code_dir.join("raw")
    };
    let name = if let Some(n) = stem
        .strip_suffix("_qr")
        .or_else(|| stem.strip_suffix("_aztec"))
    {
        n.to_string()
    } else if stem.starts_with("DGC_QrCode_") {
        format!("{stem}_Raw")
    } else if stem == "test-pcr_ok" {
        "test_pcr_ok".to_string()
    } else {
        stem.to_string()
    };
    raw.join(format!("{name}.json"))
}

/// A symbol's metadata agrees with its text: a QR code has a version, a level and segments whose
/// character counts add up to the text (every peer text is ASCII); Aztec has none of these.
fn check_symbol(name: &str, s: &hcx_qr::Symbol) {
    match s.format {
        hcx_qr::SymbolFormat::Qr => {
            assert!(s.version.is_some_and(|v| (1..=40).contains(&v)), "{name}");
            assert!(s.ecc.is_some(), "{name}");
            let segments = s.segments.as_ref().unwrap_or_else(|| panic!("{name}"));
            let chars: u32 = segments
                .iter()
                .filter(|g| g.mode != hcx_qr::SegmentMode::Eci)
                .map(|g| g.count)
                .sum();
            assert_eq!(chars as usize, s.text.len(), "{name}: {segments:?}");
        }
        _ => {
            assert!(name.ends_with("_aztec.png"), "{name}");
            assert_eq!((s.version, s.ecc, &s.segments), (None, None, &None));
        }
    }
}

#[test]
fn dcc_peer_images_decode_to_their_prefix() {
    let Some(peers) = common::peers_dir("dcc_peer_images_decode_to_their_prefix") else {
        return;
    };
    let root = peers.join("dcc");
    let mut files = Vec::new();
    pngs(&root, &mut files);
    assert!(
        files.len() >= 130,
        "expected the 130 DCC images, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let (mut qr, mut aztec, mut stale) = (0, 0, 0);
    for png in &files {
        let rel = png
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(paired_json(png)).unwrap()).unwrap();
        let prefix = json["PREFIX"].as_str().unwrap();
        // The symbols read, and their texts (what `decode_file` returns).
        let got = hcx_qr::decode_file_symbols(png).map(|symbols| {
            for s in &symbols {
                check_symbol(&rel, s);
            }
            symbols.into_iter().map(|s| s.text).collect::<Vec<_>>()
        });
        if let Some((_, reason)) = STALE_IMAGES.iter().find(|(p, _)| *p == rel) {
            let got = got.unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert_eq!(got.len(), 1, "{rel}");
            assert!(
                got[0].starts_with("HC1:") && got[0] != prefix,
                "{rel}: {reason}"
            );
            let embedded = base64::engine::general_purpose::STANDARD
                .decode(json["2DCODE"].as_str().unwrap())
                .unwrap();
            assert_eq!(
                hcx_qr::decode_image(&embedded).unwrap(),
                vec![prefix.to_string()],
                "{rel}: embedded 2DCODE"
            );
            stale += 1;
            continue;
        }
        match got {
            Ok(texts) if texts == [prefix] => {
                if rel.ends_with("_aztec.png") {
                    aztec += 1
                } else {
                    qr += 1
                }
            }
            Ok(texts) => failures.push(format!("{rel}: got {texts:?}")),
            Err(e) => failures.push(format!("{rel}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!((qr, aztec, stale), (123, 4, 3));
}

#[test]
fn shc_derived_pngs_decode_to_their_numeric_text() {
    let Some(peers) = common::peers_dir("shc_derived_pngs_decode_to_their_numeric_text") else {
        return;
    };
    let dir = peers.join("shc/spec-examples/derived-png");
    let mut files = Vec::new();
    pngs(&dir, &mut files);
    assert_eq!(files.len(), 6);
    for png in &files {
        let name = png.file_name().unwrap().to_str().unwrap();
        // example-NN-g-qr-code-K.png pairs with example-NN-f-qr-code-numeric-value-K.txt
        let txt = name
            .replace("-g-qr-code-", "-f-qr-code-numeric-value-")
            .replace(".png", ".txt");
        let expected = std::fs::read_to_string(dir.parent().unwrap().join(txt)).unwrap();
        assert_eq!(
            hcx_qr::decode_file(png).unwrap(),
            vec![expected.trim_end().to_string()],
            "{name}"
        );
        // As the SHC spec asks: version 22 or lower, the header in a byte segment (`shc:/`, or
        // `shc:/K/N/` for example 02's chunks), then the digits in a numeric one.
        let symbols = hcx_qr::decode_file_symbols(png).unwrap();
        let [symbol] = symbols.as_slice() else {
            panic!("{name}: {symbols:?}");
        };
        check_symbol(name, symbol);
        assert!(symbol.version.unwrap() <= 22, "{name}");
        let header = symbol.text.rfind('/').unwrap() + 1;
        let segment = |mode, count: usize| hcx_qr::Segment {
            mode,
            count: count as u32,
        };
        assert_eq!(
            symbol.segments,
            Some(vec![
                segment(hcx_qr::SegmentMode::Byte, header),
                segment(hcx_qr::SegmentMode::Numeric, symbol.text.len() - header),
            ]),
            "{name}"
        );
    }
}
