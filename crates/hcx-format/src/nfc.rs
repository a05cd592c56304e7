//! Unicode NFC (UAX #15) for the claims' text rules (SPEC §4.3), built from
//! unicode-normalization's per-character data (decomposition, combining class, composition).
//!
//! Hand-written on purpose, in place of the crate's `nfc()` iterator and `is_nfc`: that
//! iterator also carries the compatibility (NFKD) branch, which pulls 62 KB of NFKD tables into
//! every build, the small WebAssembly verifier included, although hcx only ever uses NFC. The
//! data and the quick check stay the crate's, so the Unicode version is still exactly the
//! crate's (`claims::tests::nfc_is_unicode_18`); the tests below hold this module to the
//! crate's own `nfc()` and `is_nfc` over every code point, pairs and random strings.

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};
use unicode_normalization::{IsNormalized, is_nfc_quick};

/// Whether `s` is in NFC: the quick check, then for the rare undecided text a full
/// normalisation compared with it (as UAX #15 §9 describes).
pub(crate) fn is_nfc(s: &str) -> bool {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => s.chars().eq(to_nfc(s).chars()),
    }
}

/// `s` in NFC: canonical decomposition, canonical ordering, canonical composition.
pub(crate) fn to_nfc(s: &str) -> String {
    // Canonical decomposition, each character with its combining class.
    let mut chars: Vec<(u8, char)> = Vec::with_capacity(s.len());
    for c in s.chars() {
        decompose_canonical(c, |d| chars.push((canonical_combining_class(d), d)));
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
    use unicode_normalization::UnicodeNormalization;

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
