//! The pointers the C ABI has handed out and not yet taken back (strings and verifiers), so
//! that a second `hcx_string_free` / `hcx_verifier_free` of the same pointer, or a pointer the
//! library never gave, is refused with `HCX_STATUS_ERR_NOT_LIVE` instead of corrupting the
//! heap. Only addresses are kept; nothing here reads through them.
//!
//! What it cannot catch: a pointer freed once whose address the library has since handed out
//! again (the allocator reuses it) names the new object. Use after free is likewise the
//! caller's to avoid; checking it on every call would not be sound without reference counts.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

/// A set of live addresses. (A `BTreeSet` because its `new` is `const`, for a plain static.)
#[derive(Debug)]
pub struct Live(Mutex<BTreeSet<usize>>);

/// Strings handed to C.
pub static STRINGS: Live = Live::new();
/// Verifiers handed to C.
pub static VERIFIERS: Live = Live::new();

impl Live {
    /// An empty set.
    pub const fn new() -> Live {
        Live(Mutex::new(BTreeSet::new()))
    }

    /// Records an address handed out.
    pub fn insert(&self, address: usize) {
        // A panic while the lock was held leaves the set as it was (insert and remove are
        // whole), so a poisoned lock is still usable.
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(address);
    }

    /// Takes an address back: whether it was live (and now no longer is).
    pub fn take(&self, address: usize) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_taken_back_once() {
        let live = Live::new();
        live.insert(8);
        assert!(!live.take(16));
        assert!(live.take(8));
        assert!(!live.take(8));
    }
}
