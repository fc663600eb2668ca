//! `rehearse model fetch`: downloads a ready-made ggml model with resume and
//! SHA-1 verification. A partial or corrupt download is never used.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha1::{Digest, Sha1};

use super::ggml;

/// Where whisper.cpp's published models are downloaded from.
pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";
/// Environment variable overriding [`DEFAULT_BASE_URL`] (mirrors, tests).
pub const BASE_URL_ENV: &str = "REHEARSE_MODEL_BASE_URL";

/// A model that can be fetched, with the SHA-1 of its published file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModel {
    /// Name as given on the command line.
    pub name: &'static str,
    /// Hex SHA-1 of `ggml-<name>.bin`.
    pub sha1: &'static str,
    /// Approximate size, for messages before the server says.
    pub approx_mb: u32,
}

/// The models `fetch` knows, with the hashes whisper.cpp publishes for them.
pub const KNOWN_MODELS: &[KnownModel] = &[
    KnownModel {
        name: "tiny.en",
        sha1: "c78c86eb1a8faa21b369bcd33207cc90d64ae9df",
        approx_mb: 75,
    },
    KnownModel {
        name: "base.en",
        sha1: "137c40403d78fd54d454da0f9bd998f78703390c",
        approx_mb: 142,
    },
    KnownModel {
        name: "small.en",
        sha1: "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022",
        approx_mb: 466,
    },
];

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The name is not in [`KNOWN_MODELS`].
    #[error("unknown model {0:?}; fetch knows: {known}", known = KNOWN_MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    /// The server could not be reached or answered badly.
    #[error("downloading {url} failed: {reason}")]
    Http {
        /// The address.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The finished file does not have the published hash; it was deleted.
    #[error("{url} downloaded with SHA-1 {actual}, expected {expected}; the file was discarded, try again")]
    ChecksumMismatch {
        /// The address.
        url: String,
        /// The published hash.
        expected: String,
        /// What arrived.
        actual: String,
    },
    /// The user cancelled; the partial file is kept for resuming.
    #[error("download cancelled; run the same command again to resume")]
    Cancelled,
    /// Writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Looks a model up by name.
pub fn known(name: &str) -> Result<&'static KnownModel, FetchError> {
    KNOWN_MODELS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| FetchError::Unknown(name.to_string()))
}

/// The download address of `model` under `base_url`.
pub fn url_for(base_url: &str, model: &KnownModel) -> String {
    format!("{}/ggml-{}.bin", base_url.trim_end_matches('/'), model.name)
}

/// The base URL in force: `$REHEARSE_MODEL_BASE_URL` or the default.
pub fn base_url() -> String {
    std::env::var(BASE_URL_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
}

/// Hex SHA-1 of a file.
pub fn sha1_file(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha1::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Downloads `name` into `models_dir` as `ggml-<name>.bin`, verified against
/// its published SHA-1 and checked to be a complete model before it is renamed
/// into place.
pub fn fetch(
    model: &KnownModel,
    models_dir: &Path,
    base_url: &str,
    cancel: &AtomicBool,
    progress: impl FnMut(u64, Option<u64>),
) -> Result<PathBuf, FetchError> {
    let url = url_for(base_url, model);
    let target = models_dir.join(format!("ggml-{}.bin", model.name));
    let partial = models_dir.join(format!("ggml-{}.bin.download", model.name));
    std::fs::create_dir_all(models_dir).map_err(|source| FetchError::Io {
        path: models_dir.to_path_buf(),
        source,
    })?;
    download_verified(&url, &partial, model.sha1, cancel, progress)?;
    if let Err(e) = ggml::inspect(&partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(FetchError::Http {
            url,
            reason: format!("the file is not a usable model: {e}"),
        });
    }
    std::fs::rename(&partial, &target).map_err(|source| FetchError::Io {
        path: target.clone(),
        source,
    })?;
    Ok(target)
}

/// Downloads `url` into `partial`, resuming what is already there with a range
/// request, and checks the whole file's SHA-1 against `expected_sha1`; a file
/// with the wrong hash is deleted. `progress(done, total)` is called as bytes
/// arrive; setting `cancel` stops the transfer and keeps the partial file.
pub fn download_verified(
    url: &str,
    partial: &Path,
    expected_sha1: &str,
    cancel: &AtomicBool,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<(), FetchError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FetchError::Io { path, source }
    };
    let http = |reason: String| FetchError::Http {
        url: url.to_string(),
        reason,
    };
    let have = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .build();
    let agent: ureq::Agent = config.into();
    let mut request = agent.get(url);
    if have > 0 {
        request = request.header("Range", &format!("bytes={have}-"));
    }
    let response = request.call().map_err(|e| http(e.to_string()))?;
    let status = response.status().as_u16();
    let (mut file, mut done) = match status {
        206 => (
            OpenOptions::new()
                .append(true)
                .open(partial)
                .map_err(io(partial))?,
            have,
        ),
        200 => (File::create(partial).map_err(io(partial))?, 0),
        // The partial file already holds everything the server has.
        416 if have > 0 => (
            OpenOptions::new()
                .append(true)
                .open(partial)
                .map_err(io(partial))?,
            have,
        ),
        other => return Err(http(format!("the server answered HTTP {other}"))),
    };
    let total = if status == 416 {
        Some(have)
    } else {
        response.body().content_length().map(|len| len + done)
    };
    progress(done, total);
    if status != 416 {
        let mut body = response.into_body().into_reader();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            if cancel.load(Ordering::Relaxed) {
                file.flush().map_err(io(partial))?;
                return Err(FetchError::Cancelled);
            }
            let n = body.read(&mut buf).map_err(|e| http(e.to_string()))?;
            if n == 0 {
                break;
            }
            file.write_all(&buf[..n]).map_err(io(partial))?;
            done += n as u64;
            progress(done, total);
        }
    }
    file.sync_all().map_err(io(partial))?;
    drop(file);
    if let Some(total) = total {
        if done < total {
            return Err(http(format!(
                "the connection closed after {done} of {total} bytes; run again to resume"
            )));
        }
    }

    let actual = sha1_file(partial).map_err(io(partial))?;
    if actual != expected_sha1 {
        let _ = std::fs::remove_file(partial);
        return Err(FetchError::ChecksumMismatch {
            url: url.to_string(),
            expected: expected_sha1.to_string(),
            actual,
        });
    }
    Ok(())
}
