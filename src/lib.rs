//! Rehearse's engine: audio in, speech recognition, analysis, and the report
//! shared by the `rehearse` CLI and the desktop app.

pub mod analyze;
pub mod asr;
pub mod audio;
pub mod critic;
pub mod delivery;
pub mod live;
pub mod memory;
pub mod questions;
pub mod report;
pub mod settings_file;
pub mod store;
