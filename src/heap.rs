//! The global allocator of the wasm build: blocks in power-of-two size classes, each class with a
//! free list, carved from linear memory that only ever grows. A freed block is reused by the next
//! allocation of its class. Small (a few hundred bytes of code) and fast; the price is up to 2x
//! internal fragmentation, and memory that one class freed is not given to another.
#![allow(unsafe_code)]

use ::core::alloc::{GlobalAlloc, Layout};
use ::core::arch::wasm32;
use ::core::cell::UnsafeCell;
use ::core::ptr;

const PAGE: usize = 65_536;
/// The smallest block: room for the free-list link.
const MIN_BLOCK: usize = 8;
/// Memory grows by at least this much (1 MiB), so that growing (which detaches JavaScript's views
/// of the memory) is rare.
const MIN_GROW_PAGES: usize = 16;
const CLASSES: usize = usize::BITS as usize;

struct State {
    /// Head of the free list of each class (`null` when empty); a free block holds the next link.
    free: [*mut u8; CLASSES],
    /// The part of memory not carved yet: `next..end`.
    next: usize,
    end: usize,
}

pub(crate) struct Heap(UnsafeCell<State>);

// wasm32-unknown-unknown without atomics has one thread.
unsafe impl Sync for Heap {}

impl Heap {
    pub(crate) const fn new() -> Heap {
        Heap(UnsafeCell::new(State { free: [ptr::null_mut(); CLASSES], next: 0, end: 0 }))
    }
}

/// The size class of a layout (log2 of the block size); alignment up to a page is honoured by
/// carving each block aligned to its own size (or to a page, for larger blocks).
fn class_of(layout: &Layout) -> Option<usize> {
    if layout.align() > PAGE {
        return None;
    }
    let size = layout.size().max(layout.align()).max(MIN_BLOCK).checked_next_power_of_two()?;
    Some(size.trailing_zeros() as usize)
}

fn align_up(n: usize, align: usize) -> Option<usize> {
    Some(n.checked_add(align - 1)? & !(align - 1))
}

impl State {
    /// A fresh block of `size` bytes (a power of two), from the uncarved end of memory.
    unsafe fn carve(&mut self, size: usize) -> *mut u8 {
        let align = size.min(PAGE);
        if self.end == 0 {
            self.next = wasm32::memory_size(0) * PAGE;
            self.end = self.next;
        }
        let fits = |start: usize, end: usize| start.checked_add(size).is_some_and(|stop| stop <= end);
        let mut start = align_up(self.next, align).unwrap_or(usize::MAX);
        if !fits(start, self.end) {
            // Room for the block wherever the new pages start, alignment included.
            let pages = (size.saturating_add(align).saturating_add(PAGE - 1) / PAGE).max(MIN_GROW_PAGES);
            let prev = wasm32::memory_grow(0, pages);
            let Some(base) = prev.checked_mul(PAGE) else { return ptr::null_mut() };
            let Some(new_end) = pages.checked_mul(PAGE).and_then(|n| n.checked_add(base)) else { return ptr::null_mut() };
            if base != self.end {
                // The memory grew elsewhere meanwhile: carve from the new pages only.
                self.next = base;
            }
            self.end = new_end;
            start = align_up(self.next, align).unwrap_or(usize::MAX);
            if !fits(start, self.end) {
                return ptr::null_mut();
            }
        }
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(&layout) else { return ptr::null_mut() };
        let st = &mut *self.0.get();
        let Some(head) = st.free.get_mut(class) else { return ptr::null_mut() };
        let block = *head;
        if !block.is_null() {
            *head = *(block as *mut *mut u8);
            return block;
        }
        st.carve(1usize << class)
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(&layout) else { return };
        let st = &mut *self.0.get();
        if let Some(head) = st.free.get_mut(class) {
            *(block as *mut *mut u8) = *head;
            *head = block;
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if class_of(&layout).is_some() && class_of(&layout) == class_of(&new_layout) {
            return block;
        }
        let moved = self.alloc(new_layout);
        if !moved.is_null() {
            ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
            self.dealloc(block, layout);
        }
        moved
    }
}
