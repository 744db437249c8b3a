//! What the analysis of a large template keeps, part by part, while the
//! document is open: bytes asked of the allocator and bytes it handed out
//! (its size classes round up), per byte of text. The resident memory of
//! the whole server with that document open is in `benches/hostile.rs`.
//!
//! Run: cargo bench --bench memory

#[path = "common/templates.rs"]
mod templates;

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

use openjd_lsp::analysis::{Analysis, Options, analyze_shared};

/// mimalloc, as the binary uses it, counting what is live.
struct Counting;

static ASKED: AtomicIsize = AtomicIsize::new(0);
static GIVEN: AtomicIsize = AtomicIsize::new(0);

fn given(p: *mut u8) -> isize {
    // SAFETY: `p` is a live block of mimalloc's (or null, for which the
    // usable size is 0).
    unsafe { libmimalloc_sys::mi_usable_size(p.cast()) as isize }
}

// SAFETY: every call is passed on to mimalloc unchanged; the counters only
// observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller promised for `layout`.
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        ASKED.fetch_add(layout.size() as isize, Ordering::Relaxed);
        GIVEN.fetch_add(given(p), Ordering::Relaxed);
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        ASKED.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        GIVEN.fetch_sub(given(p), Ordering::Relaxed);
        // SAFETY: as the caller promised for `p` and `layout`.
        unsafe { mimalloc::MiMalloc.dealloc(p, layout) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let before = given(p);
        // SAFETY: as the caller promised for `p`, `layout` and `size`.
        let q = unsafe { mimalloc::MiMalloc.realloc(p, layout, size) };
        if !q.is_null() {
            ASKED.fetch_add(size as isize - layout.size() as isize, Ordering::Relaxed);
            GIVEN.fetch_add(given(q) - before, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Drops one part of an analysis.
type DropPart = fn(&mut Analysis);

fn counters() -> (isize, isize) {
    (ASKED.load(Ordering::Relaxed), GIVEN.load(Ordering::Relaxed))
}

fn mb(bytes: isize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn main() {
    let text: std::sync::Arc<str> = templates::megabytes(10).into();
    let size = text.len() as f64;
    let before = counters();
    let mut analysis = analyze_shared(text.clone(), &Options::default());
    let after = counters();
    let (asked, given) = (after.0 - before.0, after.1 - before.1);
    println!(
        "== the analysis of a {:.1} MiB template (the text itself shared, not counted)",
        size / (1 << 20) as f64
    );
    println!(
        "kept: {:.1} MB asked, {:.1} MB handed out ({:.1} bytes per byte of text)",
        mb(asked),
        mb(given),
        given as f64 / size
    );
    // Each part's share: what dropping it gives back.
    let parts: [(&str, DropPart); 5] = [
        ("syntax tree", |a| a.root = None),
        ("model", |a| a.template = None),
        ("format-string sites", |a| a.fmt_sites = Vec::new()),
        ("let sites", |a| a.let_sites = Vec::new()),
        ("line index", |a| {
            a.line_index = std::sync::Arc::new(openjd_lsp::text::LineIndex::new(""))
        }),
    ];
    for (name, drop_part) in parts {
        let held = counters();
        drop_part(&mut analysis);
        let now = counters();
        println!(
            "  {name}: {:.1} MB asked, {:.1} MB handed out",
            mb(held.0 - now.0),
            mb(held.1 - now.1)
        );
    }
}
