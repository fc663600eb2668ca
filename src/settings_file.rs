//! Settings files: a bundled TOML file overlaid, table by table, with the
//! user's own copy in the data folder (lists are replaced whole), so a user
//! file only needs the values it changes.

use std::path::Path;

use serde::de::DeserializeOwned;

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SettingsError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Merges `overlay` into `base`: tables key by key, anything else replaced.
pub fn merge(base: &mut toml::Value, overlay: toml::Value) {
    match (base, overlay) {
        (toml::Value::Table(base), toml::Value::Table(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// `bundled` overlaid with the TOML text `user`; `name` labels errors.
pub fn overlay_text<T: DeserializeOwned>(
    bundled: &str,
    user: &str,
    name: &str,
) -> Result<T, SettingsError> {
    let error = |message: String| SettingsError {
        path: name.to_string(),
        message,
    };
    let overlay: toml::Value = toml::from_str(user).map_err(|e| error(e.to_string()))?;
    let mut base: toml::Value = toml::from_str(bundled).expect("bundled settings are valid TOML");
    merge(&mut base, overlay);
    base.try_into()
        .map_err(|e: toml::de::Error| error(e.to_string()))
}

/// `bundled` overlaid with the file at `user` when it exists.
pub fn overlay<T: DeserializeOwned>(
    bundled: &str,
    user: Option<&Path>,
) -> Result<T, SettingsError> {
    match user.filter(|p| p.exists()) {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            overlay_text(bundled, &text, &path.display().to_string())
        }
        None => Ok(toml::from_str(bundled).expect("bundled settings are valid")),
    }
}
