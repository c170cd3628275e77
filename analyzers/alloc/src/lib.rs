//! nova's memory.
//!
//! A scan parses every file into a syntax tree, walks it once, keeps the
//! facts it found and drops the tree; later it parses SQL texts the same
//! way. With one heap per thread, the facts of a file are allocated between
//! the nodes of its tree, so when the tree is dropped the pages it used stay
//! partly taken: the next tree is built in their gaps, scattered, and the
//! facts that outlive the scan end up spread thin over many pages. Both are
//! then read with more cache and TLB misses.
//!
//! [`trees`] marks the code that builds such a throw-away tree (and the
//! walk over it, whose facts are copied out at the end). With
//! [`Allocator`] (feature `mimalloc`) as the binary's global allocator, what
//! the current thread allocates inside it is cut from a bump arena of its
//! own (`arena`: a pointer bump per block, a count per free, a chunk cut
//! again once its blocks are all freed), or, for the blocks the arena does
//! not take, from a scratch heap: the trees' pages are reused, hot, for the
//! next tree, and the facts stay packed in the main heap. Under any other
//! global allocator [`trees`] only sets a thread-local flag that nothing
//! reads.
//!
//! Freeing works whichever heap a block came from, and a block that
//! outlives its `trees` call (a tree kept on purpose, a growing buffer) is
//! only less well placed: the split is about locality, never about
//! correctness.

use std::cell::Cell;

#[cfg(feature = "mimalloc")]
mod arena;
#[cfg(feature = "mimalloc")]
mod mi;
#[cfg(feature = "mimalloc")]
pub use mi::{Allocator, configure};

thread_local! {
    /// Whether this thread is inside [`trees`].
    static IN_TREES: Cell<bool> = const { Cell::new(false) };
}

/// Run `f`, which builds a syntax tree the caller drops soon after (a
/// `syn::File`, a macro's arguments, a SQL statement), or values made from
/// one that go with it (a file's walk: what it keeps is copied out after),
/// with its allocations apart from the long-lived ones (see the crate's
/// doc). Calls nest; the previous state comes back when `f` returns or
/// unwinds.
pub fn trees<R>(f: impl FnOnce() -> R) -> R {
    /// Puts the flag back on the way out, panics included.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            IN_TREES.with(|c| c.set(self.0));
        }
    }
    let outer = !IN_TREES.with(|c| c.replace(true));
    let _restore = Restore(!outer);
    // Only the outermost call trims: a nested one (a macro's arguments
    // parsed during a file's walk) would leave a current chunk that still
    // holds the enclosing tree's blocks, one stranded chunk per call.
    #[cfg(feature = "mimalloc")]
    if outer {
        arena::enter();
    }
    f()
}

/// Whether this thread is inside [`trees`].
#[inline]
pub fn in_trees() -> bool {
    IN_TREES.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_nest_and_restore_the_flag() {
        assert!(!in_trees());
        let inner = trees(|| {
            assert!(in_trees());
            trees(in_trees)
        });
        assert!(inner);
        assert!(!in_trees());
    }

    #[test]
    fn the_flag_comes_back_after_a_panic() {
        let r = std::panic::catch_unwind(|| trees(|| panic!("inside")));
        assert!(r.is_err());
        assert!(!in_trees());
    }
}
