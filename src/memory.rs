//! Giving memory back to the system between analyses.
//!
//! Each analysis makes and frees whisper.cpp decoding states of a few dozen
//! to a hundred-odd megabytes, from several threads. glibc keeps what they
//! freed in its per-thread arenas, scattered among small live blocks, so a
//! long-running app's resident memory wandered by up to 90 MB from one answer
//! to the next (base model, 100 answers in one process) although nothing was
//! leaked.

/// Returns the heap's free pages to the system. Call it after an analysis,
/// once its decoding states are gone; it takes a few milliseconds.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Blocks at least this large are mapped on their own, and unmapped when
/// freed.
const MAP_FROM_BYTES: i32 = 1 << 20;

/// Makes every block of 1 MB or more a mapping of its own, returned to the
/// system the moment it is freed. glibc otherwise raises that threshold to
/// the size of the largest block freed so far (up to 32 MB), after which
/// whisper.cpp's per-window buffers (its 6–19 MB key/value caches, the
/// logits of a word-timing pass) came from the heap and stayed resident
/// between windows: with base, 245 MB between two windows where 170 MB are
/// in use. Called once when a model is loaded.
pub fn unmap_large_blocks_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM_BYTES);
    }
}
