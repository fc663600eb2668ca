//! Rehearse's engine: audio in, speech recognition, analysis, and the report
//! shared by the `rehearse` CLI and the desktop app.

pub mod asr;
pub mod audio;
pub mod report;
pub mod analyze;
pub mod delivery;
