//! The global allocator: mimalloc, with the arena (`arena`) for
//! [`trees`](crate::trees) and, for the blocks the arena does not take, one
//! extra first-class heap (one for the process; each thread allocates from
//! it through its own thread-local part, a "theap", which mimalloc cleans
//! up when the thread ends).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::{c_int, c_long, c_void};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::arena;

// mimalloc 3's first-class heaps and options (the library is linked through
// the `mimalloc` crate).
unsafe extern "C" {
    fn mi_heap_new() -> *mut c_void;
    fn mi_free(p: *mut c_void);
    fn mi_heap_delete(heap: *mut c_void);
    fn mi_heap_theap(heap: *mut c_void) -> *mut c_void;
    fn mi_theap_malloc(theap: *mut c_void, size: usize) -> *mut c_void;
    fn mi_theap_malloc_small(theap: *mut c_void, size: usize) -> *mut c_void;
    fn mi_theap_malloc_aligned(theap: *mut c_void, size: usize, align: usize) -> *mut c_void;
    fn mi_theap_zalloc(theap: *mut c_void, size: usize) -> *mut c_void;
    fn mi_theap_realloc(theap: *mut c_void, p: *mut c_void, size: usize) -> *mut c_void;
    fn mi_option_get(option: c_int) -> c_long;
    fn mi_option_set(option: c_int, value: c_long);
}

/// mimalloc's natural alignment on 64-bit targets: blocks of the plain
/// (unaligned) calls are aligned to it.
const NATURAL_ALIGN: usize = 16;

/// mimalloc's `MI_SMALL_SIZE_MAX`: the largest block `mi_theap_malloc_small`
/// takes (straight from the free list of the page of its size class).
const SMALL_SIZE_MAX: usize = 128 * std::mem::size_of::<usize>();

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t`.
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// The scratch heap, made on first use.
static SCRATCH_HEAP: AtomicPtr<c_void> = AtomicPtr::new(null_mut());

thread_local! {
    /// This thread's part of the scratch heap, once asked for.
    static SCRATCH: Cell<*mut c_void> = const { Cell::new(null_mut()) };
}

/// The scratch heap's part for this thread (null if mimalloc could not
/// make it), asked for inside [`trees`](crate::trees) only.
#[inline(always)]
fn scratch() -> *mut c_void {
    let t = SCRATCH.with(Cell::get);
    if t.is_null() { first_scratch() } else { t }
}

/// This thread's part of the scratch heap, the first time it is needed.
#[cold]
#[inline(never)]
fn first_scratch() -> *mut c_void {
    let heap = scratch_heap();
    if heap.is_null() {
        return null_mut();
    }
    // SAFETY: `heap` is a live heap made by `mi_heap_new` (never deleted
    // once published); the call takes no other pointer.
    let t = unsafe { mi_heap_theap(heap) };
    SCRATCH.with(|s| s.set(t));
    t
}

/// The process's scratch heap, made by the first thread that needs it.
fn scratch_heap() -> *mut c_void {
    let heap = SCRATCH_HEAP.load(Ordering::Acquire);
    if !heap.is_null() {
        return heap;
    }
    // SAFETY: no arguments; mimalloc allocates the heap's metadata itself
    // (not through the Rust allocator, so this cannot recurse).
    let made = unsafe { mi_heap_new() };
    if made.is_null() {
        return null_mut();
    }
    match SCRATCH_HEAP.compare_exchange(null_mut(), made, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => made,
        Err(first) => {
            // Another thread published one first; ours holds no block.
            // SAFETY: `made` is ours, unpublished and empty.
            unsafe { mi_heap_delete(made) };
            first
        }
    }
}

/// mimalloc as the global allocator, allocating inside
/// [`trees`](crate::trees) from the arena (or the scratch heap). Use it as
/// `#[global_allocator] static GLOBAL: nova_alloc::Allocator = nova_alloc::Allocator;`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allocator;

// SAFETY: every block comes from the arena (its own range, told apart by
// address first on free and realloc: `arena::in_range`, then whether the
// range is the arena's, `arena::owns`/`arena::free`; a block is
// inside one chunk and is never handed out again while counted in use) or
// from mimalloc (the main heap through `MiMalloc`, or the scratch heap),
// aligned as the layout asks; mimalloc frees a block from any heap and any
// thread with `mi_free`, which `MiMalloc::dealloc` calls, and
// `mi_theap_realloc` moves a block of any heap.
// Outside `trees` (nearly every allocation of a scan but the trees' own),
// each call is one thread-local load and a jump to mimalloc (a free, an
// address compare first): the rest of the work in `trees` is in functions
// of its own, so that the common path needs no stack frame.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if crate::in_trees() {
            if let Some(p) = arena::alloc(layout.size(), layout.align()) {
                return p;
            }
            // SAFETY: the caller's contract, passed on.
            return unsafe { alloc_scratch(layout) };
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if crate::in_trees() {
            // SAFETY: the caller's contract, passed on.
            return unsafe { alloc_zeroed_scratch(layout) };
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if arena::in_range(ptr) {
            return arena::free(ptr);
        }
        // SAFETY: `ptr` came from mimalloc (see above).
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if arena::owns(ptr) {
            // SAFETY: the caller's contract, passed on.
            return unsafe { realloc_arena(self, ptr, layout, new_size) };
        }
        if crate::in_trees() {
            // SAFETY: the caller's contract, passed on.
            return unsafe { realloc_scratch(ptr, layout, new_size) };
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// [`Allocator::alloc`] inside `trees`. The common case (this thread's
/// theap made, a natural alignment) is a few instructions and a jump into
/// mimalloc, with no stack frame; the rest is in [`alloc_scratch_other`].
#[inline(never)]
unsafe fn alloc_scratch(layout: Layout) -> *mut u8 {
    let (size, align) = (layout.size(), layout.align());
    let p = arena::alloc_slow(size, align);
    if !p.is_null() {
        return p;
    }
    let t = SCRATCH.with(Cell::get);
    if t.is_null() || !natural(size, align) {
        // SAFETY: the caller's contract, passed on.
        return unsafe { alloc_scratch_other(layout) };
    }
    if size <= SMALL_SIZE_MAX {
        // SAFETY: `t` is this thread's theap of a live heap.
        unsafe { mi_theap_malloc_small(t, size).cast() }
    } else {
        // SAFETY: as above.
        unsafe { mi_theap_malloc(t, size).cast() }
    }
}

/// Whether every mimalloc block of `size` bytes has alignment `align`: a
/// layout's size is a multiple of its alignment, and mimalloc aligns its
/// blocks naturally up to [`NATURAL_ALIGN`] (the rule `MiMalloc` follows).
#[inline(always)]
fn natural(size: usize, align: usize) -> bool {
    align <= NATURAL_ALIGN && align <= size
}

/// [`alloc_scratch`] the first time on this thread, or for an alignment
/// larger than the natural one.
#[inline(never)]
unsafe fn alloc_scratch_other(layout: Layout) -> *mut u8 {
    let t = scratch();
    if t.is_null() {
        // SAFETY: the caller's contract, passed on.
        return unsafe { mimalloc::MiMalloc.alloc(layout) };
    }
    if natural(layout.size(), layout.align()) {
        // SAFETY: `t` is this thread's theap of a live heap.
        return unsafe { mi_theap_malloc(t, layout.size()).cast() };
    }
    // SAFETY: as above.
    unsafe { mi_theap_malloc_aligned(t, layout.size(), layout.align()).cast() }
}

/// [`Allocator::alloc_zeroed`] inside `trees`.
#[inline(never)]
unsafe fn alloc_zeroed_scratch(layout: Layout) -> *mut u8 {
    let p = arena::alloc(layout.size(), layout.align())
        .unwrap_or_else(|| arena::alloc_slow(layout.size(), layout.align()));
    if !p.is_null() {
        // SAFETY: `p` is a fresh block of `layout.size()` bytes.
        unsafe { p.write_bytes(0, layout.size()) };
        return p;
    }
    let t = scratch();
    if t.is_null() || layout.align() > NATURAL_ALIGN {
        // SAFETY: the caller's contract, passed on.
        return unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) };
    }
    // SAFETY: as in `alloc_scratch`; the alignment is the natural one.
    unsafe { mi_theap_zalloc(t, layout.size()).cast() }
}

/// [`Allocator::realloc`] of a block cut from the arena: in place when it
/// is the last block cut, else moved (into the arena inside `trees`, into
/// the main heap outside).
#[inline(never)]
unsafe fn realloc_arena(a: &Allocator, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    let q = arena::resize_in_place(ptr, layout.size(), new_size);
    if !q.is_null() {
        return q;
    }
    // SAFETY: the caller's contract: `new_size`, rounded up to the
    // alignment, does not overflow.
    let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
    // SAFETY: a non-zero size, as the caller's contract says.
    let q = unsafe { a.alloc(new_layout) };
    if !q.is_null() {
        // SAFETY: both blocks are live and at least this long; distinct.
        unsafe { std::ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size)) };
        // (`ptr` is the arena's: `owns` said so.)
        arena::free(ptr);
    }
    q
}

/// Free a block of mimalloc's (of any heap).
///
/// # Safety
/// `p` is a live block mimalloc gave.
pub(crate) unsafe fn heap_free(p: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { mi_free(p.cast()) }
}

/// [`Allocator::realloc`] inside `trees`.
#[inline(never)]
unsafe fn realloc_scratch(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    let t = scratch();
    if t.is_null() || layout.align() > NATURAL_ALIGN {
        // SAFETY: the caller's contract, passed on.
        return unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
    }
    // SAFETY: `ptr` is a live mimalloc block; the alignment is the natural
    // one, which every mimalloc block has.
    unsafe { mi_theap_realloc(t, ptr.cast(), new_size).cast() }
}

/// Set mimalloc's options for a scan: give freed memory back to the system
/// after 10 ms instead of mimalloc 3's default second. A scan frees and
/// reallocates in bursts (each file's syntax tree, each batch of resolved
/// SQL), and a second of delay held 20 to 40% more memory at the peak of a
/// 20 MB generated file, for no measurable speed on a 1k-file scan
/// (`benches/scan.rs` of nova-scan). Left alone when the option does not
/// hold the default expected (another mimalloc). Call it first thing.
pub fn configure() {
    // SAFETY: both functions read or set one integer option of the linked
    // mimalloc; they take no pointers.
    unsafe {
        if mi_option_get(MI_OPTION_PURGE_DELAY) == 1000 {
            mi_option_set(MI_OPTION_PURGE_DELAY, 10);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_either_heap_grow_shrink_and_free() {
        let a = Allocator;
        for (align, size) in [
            (1, 1),
            (8, 24),
            (16, 16),
            (16, 100),
            (8, 1024),
            (8, 2000),
            (64, 200),
            (4096, 8192),
        ] {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: non-zero sizes; each block is written within its
            // size, reallocated with its own layout, freed once.
            unsafe {
                let outside = a.alloc(layout);
                let inside = crate::trees(|| a.alloc(layout));
                let zeroed = crate::trees(|| a.alloc_zeroed(layout));
                for p in [outside, inside, zeroed] {
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0);
                }
                assert!(
                    std::slice::from_raw_parts(zeroed, size)
                        .iter()
                        .all(|b| *b == 0)
                );
                outside.write_bytes(7, size);
                inside.write_bytes(9, size);
                // A main-heap block grown inside `trees`, a scratch block
                // grown outside: the contents move with them.
                let grown = crate::trees(|| a.realloc(outside, layout, size * 3));
                let moved = a.realloc(inside, layout, size * 3);
                assert_eq!(*grown.add(size - 1), 7);
                assert_eq!(*moved.add(size - 1), 9);
                assert_eq!(grown as usize % align, 0);
                assert_eq!(moved as usize % align, 0);
                let bigger = Layout::from_size_align(size * 3, align).unwrap();
                // Freed on another thread, as rayon does with trees.
                let (g, m) = (grown as usize, moved as usize);
                std::thread::spawn(move || {
                    a.dealloc(g as *mut u8, bigger);
                    a.dealloc(m as *mut u8, bigger);
                })
                .join()
                .unwrap();
                a.dealloc(zeroed, layout);
            }
        }
    }
}
