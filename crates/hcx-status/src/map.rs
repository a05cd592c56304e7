//! Status maps: an exact function from a universe of code digests to classes
//! (SPEC.md §14.4).
//!
//! A map is a cascade of levels. Level `i` separates one class from the classes of the levels
//! after it, over the codes that reached it; the last class needs no level. Each level is an
//! exact membership test for a *marked* set `T` (the level's class, or the rest when that is
//! smaller) in two stages, after CRLite's clubcards (Schanck 2025):
//!
//! 1. a **filter**: a homogeneous ribbon of `k` planes; every code of `T` evaluates to zero in
//!    all planes, any other code does with probability about `2^-k`;
//! 2. an **exact** one-plane ribbon over the codes that pass the filter (`T` and the filter's
//!    false positives), giving 1 exactly for the codes of `T`.
//!
//! A universe of `u` codes with `n` marked costs about `n·k + n + u·2^-k` bits (plus about 1 %
//! for the ribbons), within about 5 % of the information bound `u·H(n/u)` at the best `k`,
//! and the chain rule makes the cascade's total near `N·H(p)` for the status distribution `p`.
//! Codes outside the universe get an arbitrary class: coverage is decided before the map.

use crate::hash::IdentityDigest;
use crate::ribbon::{Ribbon, System, retrieval};
use crate::status::{CLASSES, Class};

/// Most planes a filter may have (the reader's limit; builders use far fewer).
pub const MAX_PLANES: usize = 32;
/// Most levels in one map: one per class but the last.
pub const MAX_LEVELS: usize = CLASSES - 1;

/// One level of the cascade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Level {
    /// The class a code that stops here gets.
    pub(crate) class: Class,
    /// False: the marked set is the codes of `class`; true: the marked set is the others.
    pub(crate) invert: bool,
    /// Stage 1: marked codes evaluate to zero in every plane (no columns: every code passes).
    pub(crate) filter: Ribbon,
    /// Stage 2: over the codes passing the filter, 1 exactly for the marked codes.
    pub(crate) exact: Ribbon,
}

impl Level {
    fn marked(&self, digest: &IdentityDigest) -> bool {
        self.filter.is_zero(digest) && self.exact.bit(digest)
    }

    fn stops(&self, digest: &IdentityDigest) -> bool {
        self.marked(digest) != self.invert
    }

    /// Bytes on the wire of the two stages' solutions.
    pub(crate) fn solution_bytes(&self) -> usize {
        (self.filter.columns() * self.filter.planes()).div_ceil(8)
            + (self.exact.columns() * self.exact.planes()).div_ceil(8)
    }
}

/// An exact map from the digests of a universe to classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusMap {
    pub(crate) levels: Vec<Level>,
    pub(crate) last: Class,
}

/// Why a map could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildError {
    /// The same digest was given two different classes.
    Conflict,
    /// No seed and size tried gave a solvable system, or the self-check failed (neither
    /// happens in practice; the caller reports it rather than publish a wrong list).
    Unsolvable,
}

impl StatusMap {
    /// The class of a digest of the universe.
    pub(crate) fn get(&self, digest: &IdentityDigest) -> Class {
        for level in &self.levels {
            if level.stops(digest) {
                return level.class;
            }
        }
        self.last
    }

    /// Bytes of solution held in memory.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.levels.capacity() * std::mem::size_of::<Level>()
            + self
                .levels
                .iter()
                .map(|l| l.filter.heap_bytes() + l.exact.heap_bytes())
                .sum::<usize>()
    }

    /// Builds the map giving each digest its class; `empty` is the class of a map with no
    /// codes at all. Equal digests with equal classes count once.
    pub(crate) fn build(
        mut items: Vec<(IdentityDigest, Class)>,
        empty: Class,
    ) -> Result<StatusMap, BuildError> {
        // Sorting makes the result independent of the input order, and finds repeats.
        items.sort_unstable();
        items.dedup();
        if items.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
            return Err(BuildError::Conflict);
        }
        let mut counts = [0usize; CLASSES];
        for (_, class) in &items {
            if let Some(c) = counts.get_mut(usize::from(*class)) {
                *c += 1;
            }
        }
        // Largest class first: it is separated from the rest by the first level, and each
        // later level works on a smaller universe.
        let mut order: Vec<Class> = (0..CLASSES as u8)
            .filter(|c| counts.get(usize::from(*c)).is_some_and(|n| *n > 0))
            .collect();
        order.sort_by_key(|c| (std::cmp::Reverse(counts.get(usize::from(*c))), *c));
        let Some((&last, separated)) = order.split_last() else {
            return Ok(StatusMap {
                levels: Vec::new(),
                last: empty,
            });
        };
        let mut universe = items;
        let mut levels = Vec::with_capacity(separated.len());
        for &class in separated {
            levels.push(build_level(&universe, class)?);
            universe.retain(|(_, c)| *c != class);
        }
        Ok(StatusMap { levels, last })
    }
}

/// Estimated bits of an exact stage over `count` codes.
fn exact_bits(count: usize) -> usize {
    count + count.div_ceil(100) + 2
}

/// Column counts tried for a filter over `n` marked codes: about 1 % more columns than rows
/// keeps the homogeneous ribbon's false-positive rate at `2^-k` (measured: at 0.5 % it
/// collapses); small sets are dense systems, for which a few spare columns suffice.
fn filter_columns(n: usize) -> Vec<usize> {
    let mut extra: Vec<usize> = [70usize, 100, 140, 200]
        .iter()
        .map(|per_mille| (n * per_mille).div_ceil(10_000))
        .chain([4, 8, 16])
        .filter(|e| *e >= 1)
        .collect();
    extra.sort_unstable();
    extra.dedup();
    extra.into_iter().map(|e| n + e).collect()
}

/// Planes to try first: the `k` minimising `n·k + n + (u - n)·2^-k`.
fn best_planes(n: usize, u: usize) -> usize {
    let cost = |k: usize| {
        if k == 0 {
            exact_bits(u) as f64
        } else {
            let fp = (u - n) as f64 * 0.5f64.powi(k as i32);
            (n * k) as f64 * 1.01 + exact_bits(n) as f64 + fp * 1.01
        }
    };
    (0..=24)
        .min_by(|a, b| cost(*a).total_cmp(&cost(*b)))
        .unwrap_or(0)
}

/// A filter candidate: the ribbon and how many unmarked codes pass it.
struct Candidate {
    filter: Ribbon,
    false_positives: usize,
}

impl Candidate {
    fn bits(&self, marked: usize) -> usize {
        self.filter.columns() * self.filter.planes() + exact_bits(marked + self.false_positives)
    }
}

/// A deterministic stream of bits for the free variables of a homogeneous ribbon: they must be
/// random-looking (all-zero would pass every code), and reproducible so builds are.
fn free_bits(seed: u64) -> impl FnMut() -> bool {
    let mut state = seed ^ 0x6a09_e667_f3bc_c908;
    let mut word = 0u64;
    let mut left = 0u32;
    move || {
        if left == 0 {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            word = z ^ (z >> 31);
            left = 64;
        }
        let bit = word & 1 == 1;
        word >>= 1;
        left -= 1;
        bit
    }
}

fn build_filter(
    universe: &[(IdentityDigest, Class)],
    is_marked: &impl Fn(Class) -> bool,
    planes: usize,
    columns: usize,
    seed: u64,
    give_up_above: usize,
) -> Option<Candidate> {
    let mut system = System::new(seed, columns);
    for (digest, _) in universe.iter().filter(|(_, c)| is_marked(*c)) {
        // A homogeneous system (right-hand sides zero) always has a solution.
        system.insert(digest, 0);
    }
    let filter = system.solve(planes, free_bits(seed));
    let mut false_positives = 0usize;
    for (digest, class) in universe {
        if !is_marked(*class) && filter.is_zero(digest) {
            false_positives += 1;
            if false_positives > give_up_above {
                return None;
            }
        }
    }
    Some(Candidate {
        filter,
        false_positives,
    })
}

/// Builds the level separating `class` from the other classes of `universe`.
fn build_level(universe: &[(IdentityDigest, Class)], class: Class) -> Result<Level, BuildError> {
    let in_class = universe.iter().filter(|(_, c)| *c == class).count();
    let invert = in_class > universe.len() - in_class;
    let is_marked = |c: Class| (c == class) != invert;
    let n = if invert {
        universe.len() - in_class
    } else {
        in_class
    };
    let u = universe.len();

    // Stage 1: the cheapest filter among a few plane counts and sizes, measured exactly.
    let mut best = Candidate {
        filter: Ribbon::empty(),
        false_positives: u - n,
    };
    let mut seed = 0u64;
    let mut try_candidate = |best: &mut Candidate, planes: usize, columns: usize| {
        if planes == 0 || planes > MAX_PLANES {
            return;
        }
        // Give up on a candidate once its false positives alone make it worse than the best.
        let budget = best
            .bits(n)
            .saturating_sub(planes * columns + exact_bits(n));
        if budget == 0 {
            return;
        }
        seed += 2;
        if let Some(candidate) = build_filter(universe, &is_marked, planes, columns, seed, budget) {
            if candidate.bits(n) < best.bits(n) {
                *best = candidate;
            }
        }
    };
    let k = best_planes(n, u);
    for columns in filter_columns(n) {
        try_candidate(&mut best, k, columns);
    }
    let columns = best.filter.columns();
    if columns > 0 {
        try_candidate(&mut best, k + 1, columns);
        try_candidate(&mut best, k.saturating_sub(1), columns);
    }
    let filter = best.filter;

    // Stage 2: exact over what passes the filter.
    let stage2: Vec<(IdentityDigest, bool)> = universe
        .iter()
        .filter(|(digest, _)| filter.is_zero(digest))
        .map(|(digest, c)| (*digest, is_marked(*c)))
        .collect();
    let count = stage2.len();
    let mut extra = (count * 75).div_ceil(10_000).max(2);
    let mut attempt = 0u64;
    let exact = loop {
        let columns = count + extra;
        let found = (0..3).find_map(|_| {
            attempt += 1;
            retrieval(2 * attempt + 1, columns, stage2.iter().copied())
        });
        if let Some(ribbon) = found {
            break ribbon;
        }
        if extra > count + 64 {
            return Err(BuildError::Unsolvable);
        }
        extra = extra * 7 / 5 + 1;
    };
    let level = Level {
        class,
        invert,
        filter,
        exact,
    };
    // Self-check: every code of the universe stops here exactly when it has this class. The
    // construction guarantees it; a list that gave one registered code a wrong status would
    // be worse than no list, so it is checked rather than trusted.
    if universe
        .iter()
        .any(|(digest, c)| level.stops(digest) != (*c == class))
    {
        return Err(BuildError::Unsolvable);
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(i: u64) -> IdentityDigest {
        IdentityDigest::of_code_id(&i.to_le_bytes())
    }

    fn check(items: &[(IdentityDigest, Class)], map: &StatusMap) {
        for (d, c) in items {
            assert_eq!(map.get(d), *c);
        }
    }

    #[test]
    fn empty_and_single_class_maps_have_no_levels() {
        let map = StatusMap::build(Vec::new(), 0).unwrap();
        assert!(map.levels.is_empty());
        let items: Vec<_> = (0..100).map(|i| (digest(i), 3)).collect();
        let map = StatusMap::build(items.clone(), 0).unwrap();
        assert!(map.levels.is_empty());
        assert_eq!(map.last, 3);
        check(&items, &map);
    }

    #[test]
    fn every_code_gets_its_class() {
        for (n, every) in [(10u64, 3u64), (1000, 2), (5000, 100), (20_000, 7), (3, 1)] {
            let items: Vec<_> = (0..n)
                .map(|i| {
                    let class = if i % every == 0 { (i % 5 + 1) as u8 } else { 0 };
                    (digest(i), class)
                })
                .collect();
            let map = StatusMap::build(items.clone(), 0).unwrap();
            check(&items, &map);
        }
    }

    #[test]
    fn repeats_merge_and_conflicts_fail() {
        let items = vec![(digest(1), 0), (digest(1), 0), (digest(2), 1)];
        let map = StatusMap::build(items.clone(), 0).unwrap();
        check(&items, &map);
        let conflict = vec![(digest(1), 0), (digest(1), 1)];
        assert_eq!(StatusMap::build(conflict, 0), Err(BuildError::Conflict));
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut items: Vec<_> = (0..3000u64)
            .map(|i| (digest(i), u8::from(i % 37 == 0)))
            .collect();
        let a = StatusMap::build(items.clone(), 0).unwrap();
        items.reverse();
        assert_eq!(StatusMap::build(items, 0).unwrap(), a);
    }
}
