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

/// Sets glibc's allocator up for a process that makes and frees decoding
/// states: call it first thing in `main`, before other threads start
/// ([`crate::asr::Transcriber::load`] calls it too, for other callers of the
/// engine; it is process-wide and idempotent).
///
/// - Every block of 1 MB or more becomes a mapping of its own, returned to
///   the system the moment it is freed. glibc otherwise raises that threshold
///   to the size of the largest block freed so far (up to 32 MB), after which
///   whisper.cpp's per-window buffers (its 6–19 MB key/value caches, the
///   logits of a word-timing pass) came from the heap and stayed resident
///   between windows: with base, 245 MB between two windows where 170 MB
///   are in use.
/// - One heap arena for all threads. By default each thread that allocates
///   gets an arena of its own (up to eight per core), and what a window's
///   state freed on the decoding thread stayed in that thread's arena while
///   the Stop path built the tail's state in another: base's peak on a
///   two-minute live answer was 260–299 MiB with per-thread arenas (six
///   runs) and 238–280 MiB with one (eight runs, 2026-12-03). whisper.cpp
///   allocates its large buffers once per state; small allocations go
///   through glibc's per-thread cache first, so the shared arena's lock is
///   taken rarely.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM_BYTES);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
