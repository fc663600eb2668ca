//! The models folder: where models live, which one is used, and whether a file
//! is fit to load.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use super::ggml::{self, GgmlError, GgmlInfo};
use super::import::{read_meta, ModelMeta};

/// Environment variable naming the model file to use.
pub const MODEL_ENV: &str = "REHEARSE_MODEL";
/// Environment variable overriding the app's data folder (models, attempts).
pub const DATA_DIR_ENV: &str = "REHEARSE_DATA_DIR";

/// How to get a model, said in every error about a missing or broken one.
pub const HOW_TO_GET_A_MODEL: &str = "get one with `rehearse model fetch tiny.en`, or where Hugging Face is unreachable, `rehearse model import <faster-whisper folder> --quantize q8_0` (see the README)";

/// Why no usable model could be found.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Nothing was named and the models folder holds no model.
    #[error("no Whisper model found in {models_dir}; {HOW_TO_GET_A_MODEL}")]
    NoModel {
        /// The folder searched.
        models_dir: PathBuf,
    },
    /// The named model file does not exist.
    #[error("the model {path} does not exist; {HOW_TO_GET_A_MODEL}")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but cannot be used.
    #[error("{source}; replace it: {HOW_TO_GET_A_MODEL}")]
    Unusable {
        /// The structural problem.
        #[source]
        source: GgmlError,
    },
}

/// The app's data folder: `$REHEARSE_DATA_DIR`, else the platform's data folder
/// (e.g. `~/.local/share/rehearse`).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "rehearse")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".rehearse"))
}

/// Where models are kept.
pub fn models_dir() -> PathBuf {
    data_dir().join("models")
}

/// Checks that `path` is a complete whisper.cpp model file.
pub fn validate(path: &Path) -> Result<GgmlInfo, ModelError> {
    if !path.exists() {
        return Err(ModelError::Missing {
            path: path.to_path_buf(),
        });
    }
    ggml::inspect(path).map_err(|source| ModelError::Unusable { source })
}

/// One file in the models folder.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelEntry {
    /// File name.
    pub name: String,
    /// Full path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Conventional model name (`tiny.en`), when known.
    pub model: Option<String>,
    /// Weight format, when known.
    pub quantization: Option<String>,
    /// Why the file is unusable, if it is.
    pub problem: Option<String>,
    /// Whether it is the one used when none is named.
    pub is_default: bool,
    #[serde(skip)]
    modified: Option<SystemTime>,
}

/// The model files in `dir`, newest first (partial downloads and imports excluded).
pub fn list(dir: &Path) -> Vec<ModelEntry> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut entries: Vec<ModelEntry> = read
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|path| {
            let metadata = std::fs::metadata(&path).ok();
            let inspected = ggml::inspect(&path);
            let meta: Option<ModelMeta> = read_meta(&path);
            let model = meta
                .as_ref()
                .map(|m| m.model.clone())
                .or_else(|| inspected.as_ref().ok().map(|i| i.hparams.size_name()));
            let problem = inspected.err().map(|e| e.to_string());
            ModelEntry {
                name: path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                size_bytes: metadata.as_ref().map_or(0, |m| m.len()),
                modified: metadata.and_then(|m| m.modified().ok()),
                quantization: meta.map(|m| m.quantization),
                model,
                problem,
                is_default: false,
                path,
            }
        })
        .collect();
    entries.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
    if let Some(first) = entries.iter_mut().find(|e| e.problem.is_none()) {
        first.is_default = true;
    }
    entries
}

/// Picks the model: `explicit`, else `$REHEARSE_MODEL`, else the newest usable
/// file in the models folder; returns it validated.
pub fn resolve(explicit: Option<&Path>) -> Result<(PathBuf, GgmlInfo), ModelError> {
    let named = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(MODEL_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = named {
        let info = validate(&path)?;
        return Ok((path, info));
    }
    let dir = models_dir();
    let newest = list(&dir).into_iter().find(|e| e.is_default);
    match newest {
        Some(entry) => {
            let info = validate(&entry.path)?;
            Ok((entry.path, info))
        }
        None => Err(ModelError::NoModel { models_dir: dir }),
    }
}
