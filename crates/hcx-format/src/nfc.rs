//! Unicode NFC (UAX #15) for the claims' text rules (SPEC §4.3), from unicode-normalization's
//! per-character data written into compact tables at build time (`build.rs`).
//!
//! Hand-written on purpose, in place of the crate's `nfc()` iterator and `is_nfc`: that
//! iterator also carries the compatibility (NFKD) branch, 62 KB of tables hcx never uses, and
//! the crate's perfect-hash tables of the rest are 54 KB (26 KB of brotli, the largest part of
//! the small WebAssembly verifier). The build script reads the crate's per-character functions,
//! so the Unicode version is still exactly the crate's (`claims::tests::nfc_is_unicode_18`);
//! the tests below hold this module to the crate's own `nfc()` and `is_nfc` over every code
//! point, pairs and random strings, and each table function to the crate's for every character.

use std::cmp::Ordering;

include!(concat!(env!("OUT_DIR"), "/nfc_tables.rs"));

/// Hangul syllables, leading consonants, vowels and trailing consonants (UAX #15 §16): their
/// decomposition and composition are arithmetic.
const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;
const S_COUNT: u32 = L_COUNT * N_COUNT;

/// The CJK Unified Ideographs and their Extension A: no decomposition, class 0, quick check Yes.
fn cjk(cp: u32) -> bool {
    (0x3400..=0x4DBF).contains(&cp) || (0x4E00..=0x9FFF).contains(&cp)
}

/// Characters below U+0300, and the CJK ideographs, have combining class 0 and quick-check
/// value Yes, and compose with no character before them: names in Latin or Chinese need no
/// table for the quick check (the test of the tables checks every one).
fn inert(cp: u32) -> bool {
    cp < 0x300 || cjk(cp)
}

/// Characters with no canonical decomposition: below U+00C0 (À, the first with one) and the
/// CJK ideographs.
fn undecomposable(cp: u32) -> bool {
    cp < 0xC0 || cjk(cp)
}

/// The canonical combining class of `c`.
fn class(c: char) -> u8 {
    let cp = c as u32;
    if inert(cp) {
        return 0;
    }
    CLASS_RUNS
        .binary_search_by(|&(first, len, _)| {
            if cp < first {
                Ordering::Greater
            } else if cp > first + u32::from(len) {
                Ordering::Less
            } else {
                Ordering::Equal
            }
        })
        .ok()
        .and_then(|i| CLASS_RUNS.get(i))
        .map_or(0, |run| run.2)
}

/// The table entry of a character with a canonical decomposition (Hangul syllables aside):
/// its full decomposition, and whether it never occurs in NFC.
fn decomposition(cp: u32) -> Option<(&'static [u32], bool)> {
    let i = DECOMPOSITIONS.binary_search_by_key(&cp, |e| e.0).ok()?;
    let &(_, start, len, excluded) = DECOMPOSITIONS.get(i)?;
    let start = usize::from(start);
    Some((DECOMPOSED.get(start..start + usize::from(len))?, excluded))
}

/// Calls `emit` with each character of the full canonical decomposition of `c`.
fn decompose(c: char, emit: &mut impl FnMut(char)) {
    let cp = c as u32;
    if (S_BASE..S_BASE + S_COUNT).contains(&cp) {
        let s = cp - S_BASE;
        let jamo = [
            L_BASE + s / N_COUNT,
            V_BASE + (s % N_COUNT) / T_COUNT,
            T_BASE + s % T_COUNT,
        ];
        for (k, j) in jamo.into_iter().enumerate() {
            if k < 2 || j != T_BASE {
                emit(char::from_u32(j).unwrap_or(c));
            }
        }
        return;
    }
    if undecomposable(cp) {
        emit(c);
        return;
    }
    match decomposition(cp) {
        Some((chars, _)) => chars
            .iter()
            .filter_map(|&x| char::from_u32(x))
            .for_each(emit),
        None => emit(c),
    }
}

/// The primary composite of `a` followed by `b`, if there is one.
fn compose(a: char, b: char) -> Option<char> {
    let (a, b) = (a as u32, b as u32);
    if (L_BASE..L_BASE + L_COUNT).contains(&a) && (V_BASE..V_BASE + V_COUNT).contains(&b) {
        return char::from_u32(S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT);
    }
    if (S_BASE..S_BASE + S_COUNT).contains(&a)
        && (a - S_BASE).is_multiple_of(T_COUNT)
        && (T_BASE + 1..T_BASE + T_COUNT).contains(&b)
    {
        return char::from_u32(a + (b - T_BASE));
    }
    let i = COMPOSITIONS
        .binary_search_by(|&(x, y, _)| (x, y).cmp(&(a, b)))
        .ok()?;
    COMPOSITIONS.get(i).and_then(|&(_, _, c)| char::from_u32(c))
}

/// A character's NFC quick-check value (UAX #15 §9).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Quick {
    Yes,
    No,
    Maybe,
}

fn quick(c: char) -> Quick {
    let cp = c as u32;
    if inert(cp) {
        Quick::Yes
    } else if decomposition(cp).is_some_and(|(_, excluded)| excluded) {
        Quick::No
    } else if MAYBE.binary_search(&cp).is_ok() {
        Quick::Maybe
    } else {
        Quick::Yes
    }
}

/// Whether `s` is in NFC: the quick check, then for the rare undecided text a full
/// normalisation compared with it (as UAX #15 §9 describes).
pub(crate) fn is_nfc(s: &str) -> bool {
    let mut last_class = 0;
    let mut maybe = false;
    for c in s.chars() {
        let class = class(c);
        if class != 0 && last_class > class {
            return false;
        }
        match quick(c) {
            Quick::No => return false,
            Quick::Maybe => maybe = true,
            Quick::Yes => {}
        }
        last_class = class;
    }
    !maybe || s.chars().eq(to_nfc(s).chars())
}

/// `s` in NFC: canonical decomposition, canonical ordering, canonical composition.
pub(crate) fn to_nfc(s: &str) -> String {
    // Canonical decomposition, each character with its combining class.
    let mut chars: Vec<(u8, char)> = Vec::with_capacity(s.len());
    for c in s.chars() {
        decompose(c, &mut |d| chars.push((class(d), d)));
    }
    // Canonical ordering: each run of non-starters sorted, stably, by combining class.
    let mut start = 0;
    while start < chars.len() {
        let end = chars
            .get(start..)
            .and_then(|rest| rest.iter().position(|&(class, _)| class == 0))
            .map_or(chars.len(), |n| start + n);
        if let Some(run) = chars.get_mut(start..end) {
            insertion_sort_by_class(run);
        }
        start = end + 1;
    }
    // Canonical composition: each character joins the last starter when nothing between them
    // blocks it (a character of combining class 0 or of a class at least its own).
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    // The last starter's index in `out`, and the class of the last character kept after it.
    let mut starter: Option<usize> = None;
    let mut last_class: Option<u8> = None;
    for (class, c) in chars {
        if let Some(at) = starter {
            let blocked = last_class.is_some_and(|last| last >= class);
            if !blocked {
                if let Some(composed) = out.get(at).and_then(|&s| compose(s, c)) {
                    if let Some(slot) = out.get_mut(at) {
                        *slot = composed;
                    }
                    continue;
                }
            }
        }
        if class == 0 {
            starter = Some(out.len());
            last_class = None;
        } else if starter.is_some() {
            last_class = Some(class);
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// A stable sort by combining class. Runs of combining marks are a few characters long, and
/// an insertion sort is a few dozen bytes of WebAssembly where `sort_by_key` is kilobytes.
fn insertion_sort_by_class(run: &mut [(u8, char)]) {
    for i in 1..run.len() {
        let mut j = i;
        while j > 0 && run.get(j - 1).map(|p| p.0) > run.get(j).map(|p| p.0) {
            run.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

    /// The crate's own NFC, the reference.
    fn reference(s: &str) -> String {
        s.nfc().collect()
    }

    fn same(s: &str) {
        assert_eq!(to_nfc(s), reference(s), "{s:?}");
        assert_eq!(is_nfc(s), unicode_normalization::is_nfc(s), "{s:?}");
    }

    /// The characters that take part in normalisation: those with a decomposition, a
    /// combining class, or a composition with a following character (Hangul jamo included).
    fn interesting() -> Vec<char> {
        (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| {
                let mut n = 0;
                decompose_canonical(c, |_| n += 1);
                n != 1
                    || canonical_combining_class(c) != 0
                    || !unicode_normalization::is_nfc_quick(std::iter::once(c))
                        .eq(&IsNormalized::Yes)
                    || (0x1100..=0x11FF).contains(&(c as u32))
            })
            .collect()
    }

    /// Each table function against the crate's, for every character: the combining class, the
    /// full decomposition, the quick-check value; and the characters `inert` skips are inert.
    #[test]
    fn tables_match_the_crate_for_every_character() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(class(c), canonical_combining_class(c), "class of {c:?}");
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            decompose(c, &mut |d| ours.push(d));
            decompose_canonical(c, |d| theirs.push(d));
            assert_eq!(ours, theirs, "decomposition of {c:?}");
            let want = match is_nfc_quick(std::iter::once(c)) {
                IsNormalized::Yes => Quick::Yes,
                IsNormalized::No => Quick::No,
                IsNormalized::Maybe => Quick::Maybe,
            };
            assert_eq!(quick(c), want, "quick check of {c:?}");
            if inert(c as u32) {
                assert_eq!(
                    (canonical_combining_class(c), want),
                    (0, Quick::Yes),
                    "{c:?}"
                );
                assert!(COMPOSITIONS.iter().all(|p| p.1 != c as u32), "{c:?}");
            }
            if undecomposable(c as u32) {
                assert_eq!(theirs, [c], "{c:?}");
            }
        }
        for &(a, b, c) in &COMPOSITIONS {
            let (a, b) = (char::from_u32(a).unwrap(), char::from_u32(b).unwrap());
            assert_eq!(
                unicode_normalization::char::compose(a, b),
                char::from_u32(c)
            );
        }
    }

    #[test]
    fn every_code_point_alone() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            same(c.encode_utf8(&mut [0; 4]));
        }
    }

    #[test]
    fn pairs_and_triples_of_interesting_characters() {
        let chars = interesting();
        assert!(chars.len() > 2000, "{}", chars.len());
        // Every pair drawn from a stride of the set, and triples around common bases.
        let sample: Vec<char> = chars.iter().copied().step_by(13).collect();
        for &a in &sample {
            for &b in &sample {
                same(&format!("{a}{b}"));
            }
        }
        for base in ['a', 'e', 'o', 'A', 'ᄀ', '가', 'क', 'ا', 'α'] {
            for &b in &sample {
                for c in [
                    '\u{301}', '\u{323}', '\u{308}', '\u{1161}', '\u{11A8}', '\u{94D}',
                ] {
                    same(&format!("{base}{b}{c}"));
                    same(&format!("{base}{c}{b}"));
                }
            }
        }
    }

    #[test]
    fn known_forms() {
        assert_eq!(to_nfc("Zoe\u{308}"), "Zoë");
        assert_eq!(to_nfc("\u{1100}\u{1161}\u{11A8}"), "각");
        assert_eq!(to_nfc("a\u{323}\u{302}"), "ậ");
        assert_eq!(to_nfc("a\u{302}\u{323}"), "ậ");
        assert!(!is_nfc("e\u{301}"));
        assert!(is_nfc("张三 é"));
        assert!(is_nfc(""));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn random_strings_match_the_crate(picks in proptest::collection::vec(0usize..100_000, 0..12)) {
            static CHARS: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
            let chars = CHARS.get_or_init(interesting);
            let s: String = picks.iter().map(|&i| chars[i % chars.len()]).collect();
            prop_assert_eq!(to_nfc(&s), reference(&s));
            prop_assert_eq!(is_nfc(&s), unicode_normalization::is_nfc(&s));
        }
    }
}
