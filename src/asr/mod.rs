//! Speech recognition: Whisper through whisper.cpp, producing words with times.

pub mod align;
pub mod log;
pub mod model;
mod transcribe;

pub use transcribe::{
    AsrError, FilledPauseProbe, TranscribeOptions, Transcriber, Window, WindowDecoder,
};
