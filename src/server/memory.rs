//! Giving freed memory back to the system.
//!
//! The allocator keeps what a thread frees for reuse and hands it back to
//! the system only on later allocations, after a delay. A server that has
//! just closed a 10 MiB document, or replaced its analysis, then goes
//! quiet would hold the hundreds of megabytes it no longer uses until the
//! next keystroke, or for good. So after work on a large document the
//! server asks the allocator, once things settle, to return what is free.
//!
//! Only the binary knows which allocator it runs on: it hands the server
//! the function that does this ([`ReleaseMemory`]); without one (tests,
//! the system allocator) nothing is done.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Returns the memory the calling thread and the allocator's shared pool
/// hold free to the system.
pub type ReleaseMemory = fn();

/// A document (or file) at least this large is worth a release after its
/// analysis is freed; below, the allocator's own pace is fine.
pub(crate) const LARGE_BYTES: usize = 1 << 20;

/// How long to let the frees around an event finish before releasing.
const SETTLE: Duration = Duration::from_millis(100);

#[derive(Clone, Default)]
pub(crate) struct Memory {
    release: Option<ReleaseMemory>,
    pending: Arc<AtomicBool>,
    /// Counts releases asked for: each async worker releases what it holds
    /// when it next goes idle after a new one (see [`Memory::on_idle`]).
    epoch: Arc<AtomicU64>,
}

thread_local! {
    /// The release epoch this thread has done its part of.
    static RELEASED_EPOCH: Cell<u64> = const { Cell::new(0) };
}

impl Memory {
    pub fn new(release: Option<ReleaseMemory>) -> Memory {
        Memory {
            release,
            pending: Arc::default(),
            epoch: Arc::default(),
        }
    }

    /// Release now, on this thread: for the end of large work on a
    /// blocking thread, whose own freed memory only it can return.
    pub fn release_here(&self) {
        if let Some(release) = self.release {
            release();
        }
    }

    /// Release once the frees around this moment are done: on an async
    /// worker and on a blocking thread. Calls while one is pending share it.
    pub fn release_soon(&self) {
        let Some(release) = self.release else { return };
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let (pending, epoch) = (self.pending.clone(), self.epoch.clone());
        tokio::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            pending.store(false, Ordering::Release);
            // Memory one thread freed that another allocated is only
            // returned by the thread that allocated it: every worker takes
            // its turn when idle, and a blocking thread here.
            epoch.fetch_add(1, Ordering::AcqRel);
            let _ = tokio::task::spawn_blocking(release).await;
        });
    }

    /// An async worker goes idle: release what it holds if a release was
    /// asked for since its last one (cheap otherwise: one atomic load).
    pub fn on_idle(&self) {
        let Some(release) = self.release else { return };
        let epoch = self.epoch.load(Ordering::Acquire);
        if RELEASED_EPOCH.with(|e| e.replace(epoch)) != epoch {
            release();
        }
    }

    /// [`Memory::release_soon`] when `bytes` of text were involved and that
    /// is a large document's worth.
    pub fn release_soon_after(&self, bytes: usize) {
        if bytes >= LARGE_BYTES {
            self.release_soon();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    static RELEASES: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        RELEASES.fetch_add(1, Ordering::SeqCst);
    }

    #[tokio::test]
    async fn releases_once_for_a_burst_and_only_after_large_work() {
        let memory = Memory::new(Some(count));
        memory.release_soon_after(LARGE_BYTES - 1);
        for _ in 0..5 {
            memory.release_soon_after(LARGE_BYTES);
        }
        tokio::time::sleep(SETTLE * 4).await;
        // One on a blocking thread; each async worker does its own when it
        // next goes idle, once.
        assert_eq!(RELEASES.load(Ordering::SeqCst), 1);
        memory.on_idle();
        memory.on_idle();
        assert_eq!(RELEASES.load(Ordering::SeqCst), 2);
        memory.release_here();
        assert_eq!(RELEASES.load(Ordering::SeqCst), 3);
        Memory::new(None).release_soon();
    }
}
