//! Whisper models: reading faster-whisper folders, writing and checking
//! whisper.cpp ggml files, downloading, and choosing which one to use.

pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod import;
pub mod mel;
pub mod store;
pub mod vocab;

pub use ggml::{GgmlInfo, Hparams, Quantization};
pub use import::{import_ct2, ImportError, Imported, ModelMeta};
pub use store::{models_dir, resolve, ModelError};
