//! Writes the NFC data `src/nfc.rs` reads (`$OUT_DIR/nfc_tables.rs`) from unicode-normalization's
//! per-character functions, so the Unicode version stays exactly the crate's.
//!
//! Why not link the crate's own tables: they are perfect-hash tables of every canonical
//! decomposition, composition, combining class and quick-check value (54 KB, 26 KB of brotli
//! in the small WebAssembly verifier, its largest part). The same facts as sorted runs and
//! sorted lists, searched by bisection, are a fraction of that after compression; `src/nfc.rs`'s
//! tests hold the result to the crate over every code point.
#![allow(
    clippy::panic,
    reason = "a build script that cannot write its output must stop the build"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};
use unicode_normalization::{IsNormalized, is_nfc_quick};

/// Hangul syllables, decomposed and composed by arithmetic rather than tables (UAX #15 §16).
const HANGUL: std::ops::RangeInclusive<u32> = 0xAC00..=0xD7A3;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let chars = || (0..=0x10FFFFu32).filter_map(char::from_u32);

    // Runs of consecutive characters with one nonzero combining class.
    let mut runs: Vec<(u32, u32, u8)> = Vec::new();
    for c in chars() {
        let class = canonical_combining_class(c);
        if class == 0 {
            continue;
        }
        match runs.last_mut() {
            Some((_, last, run_class)) if *last + 1 == c as u32 && *run_class == class => {
                *last = c as u32;
            }
            _ => runs.push((c as u32, c as u32, class)),
        }
    }

    // Full canonical decompositions of every character that has one, Hangul syllables aside.
    let mut decompositions: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for c in chars().filter(|c| !HANGUL.contains(&(*c as u32))) {
        let mut d = Vec::new();
        decompose_canonical(c, |x| d.push(x as u32));
        if d != [c as u32] {
            decompositions.insert(c as u32, d);
        }
    }
    // Several characters can share one (Å and the Angstrom sign): each is a candidate.
    let mut by_decomposition: BTreeMap<&[u32], Vec<u32>> = BTreeMap::new();
    for (&c, d) in &decompositions {
        by_decomposition.entry(d.as_slice()).or_default().push(c);
    }

    // Primary composites: a character is one when some pair (first, second) composes to it.
    // Its pair is found among its decomposition split into one character and the rest (the rest
    // being a character itself or the decomposition of one), confirmed by the crate's `compose`.
    let mut compositions: Vec<(u32, u32, u32)> = Vec::new();
    for (&c, d) in &decompositions {
        for (i, &second) in d.iter().enumerate() {
            let rest: Vec<u32> = d
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &x)| x)
                .collect();
            let firsts = match rest.as_slice() {
                [one] => vec![*one],
                more => by_decomposition.get(more).cloned().unwrap_or_default(),
            };
            for first in firsts {
                let (Some(a), Some(b)) = (char::from_u32(first), char::from_u32(second)) else {
                    continue;
                };
                if compose(a, b) == char::from_u32(c) {
                    compositions.push((first, second, c));
                }
            }
        }
    }
    compositions.sort_unstable();
    compositions.dedup();

    // The quick-check values as Unicode gives them (DerivedNormalizationProps, through the
    // crate): not derived from the compositions, which they do not always follow (U+113C5 is
    // Maybe though nothing composes with it before). Every No has a decomposition, so it is a
    // flag of the decomposition table; the Maybes are a list.
    let quick = |c: char| is_nfc_quick(std::iter::once(c));
    let mut maybe: Vec<u32> = Vec::new();
    for c in chars() {
        match quick(c) {
            IsNormalized::Maybe => maybe.push(c as u32),
            IsNormalized::No if !decompositions.contains_key(&(c as u32)) => {
                panic!(
                    "U+{:04X} is NFC_QC=No without a decomposition: teach nfc.rs",
                    c as u32
                )
            }
            _ => {}
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// Each run of characters with one nonzero canonical combining class: its first \
         character, its length less one, its class.\nstatic CLASS_RUNS: [(u32, u16, u8); {}] = [",
        runs.len()
    );
    for (first, last, class) in &runs {
        let _ = writeln!(out, "({first}, {}, {class}),", last - first);
    }
    out.push_str("];\n");

    let mut flat: Vec<u32> = Vec::new();
    let _ = writeln!(
        out,
        "/// Every character with a canonical decomposition (Hangul syllables aside), sorted: the \
         character, where its full decomposition starts in `DECOMPOSED` and its length, and \
         whether it never occurs in NFC (its quick-check value is No).\n\
         static DECOMPOSITIONS: [(u32, u16, u8, bool); {}] = [",
        decompositions.len()
    );
    for (c, d) in &decompositions {
        let _ = writeln!(
            out,
            "({c}, {}, {}, {}),",
            flat.len(),
            d.len(),
            char::from_u32(*c).is_some_and(|c| quick(c) == IsNormalized::No)
        );
        flat.extend(d);
    }
    out.push_str("];\n");
    assert!(
        flat.len() < usize::from(u16::MAX),
        "DECOMPOSED outgrew u16 offsets"
    );
    let _ = writeln!(
        out,
        "/// The decompositions, one after another.\nstatic DECOMPOSED: [u32; {}] = [",
        flat.len()
    );
    for chunk in flat.chunks(16) {
        let line: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "{},", line.join(", "));
    }
    out.push_str("];\n");

    let _ = writeln!(
        out,
        "/// Every canonical composition (Hangul aside), sorted: first, second, composite.\n\
         static COMPOSITIONS: [(u32, u32, u32); {}] = [",
        compositions.len()
    );
    for (a, b, c) in &compositions {
        let _ = writeln!(out, "({a}, {b}, {c}),");
    }
    out.push_str("];\n");

    let _ = writeln!(
        out,
        "/// Every character whose NFC quick-check value is Maybe, sorted.\n\
         static MAYBE: [u32; {}] = [",
        maybe.len()
    );
    for chunk in maybe.chunks(16) {
        let line: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "{},", line.join(", "));
    }
    out.push_str("];\n");

    let dir = std::env::var_os("OUT_DIR").unwrap_or_default();
    let path = std::path::Path::new(&dir).join("nfc_tables.rs");
    if let Err(e) = std::fs::write(&path, out) {
        panic!("cannot write {}: {e}", path.display());
    }
}
