//! whisper.cpp's own messages, which otherwise go nowhere.
//!
//! whisper.cpp reports a failed internal check through its log just before
//! it aborts the process; without a logger that reason is lost and the user
//! sees only "Aborted". This logger prints those checks to standard error,
//! and with `REHEARSE_WHISPER_LOG=error|warn|info|debug` everything at that
//! level. Its other errors ("failed to encode" after a decode is abandoned
//! on purpose) come back to the engine as results and are reported there.

use log::{Level, Log, Metadata, Record};

struct Stderr {
    /// `None`: failed checks only.
    level: Option<Level>,
}

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= self.level.unwrap_or(Level::Error)
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        if self.level.is_some() || message.contains("ASSERT") {
            eprintln!("whisper.cpp {}: {}", record.level(), message.trim_end());
        }
    }

    fn flush(&self) {}
}

/// Sends whisper.cpp's failed checks to standard error, or all its messages
/// up to the level `REHEARSE_WHISPER_LOG` names. Does nothing when the
/// program already has a logger.
pub fn to_stderr() {
    let level: Option<Level> = std::env::var("REHEARSE_WHISPER_LOG")
        .ok()
        .and_then(|v| v.parse().ok());
    let logger = Box::leak(Box::new(Stderr { level }));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level.unwrap_or(Level::Error).to_level_filter());
    }
}
