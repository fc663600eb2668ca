//! The user's settings, stored as one JSON value in the history database.

use serde::{Deserialize, Serialize};

/// Optional language-model critic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LlmSettings {
    /// Off by default.
    pub enabled: bool,
    /// OpenAI-compatible base URL.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Environment variable holding the API key, if one is needed.
    pub api_key_env: Option<String>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: "http://127.0.0.1:11434/v1".into(),
            model: "llama3.1".into(),
            api_key_env: None,
        }
    }
}

/// Everything the Settings screen edits (see docs/ipc.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Chosen microphone; `None` follows the system default.
    pub input_device: Option<String>,
    /// Target pace band in words per minute.
    pub pace_band: [f64; 2],
    /// Keep a card's key points hidden until its first attempt.
    pub hide_key_points_until_first_attempt: bool,
    /// Transcribe while recording: captions, filler counter and pace on the
    /// Practice screen, and the report about a second after Stop.
    pub live_analysis: bool,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// Language-model critic.
    pub llm: LlmSettings,
    /// The data folder (read-only here).
    pub data_dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            input_device: None,
            pace_band: [120.0, 160.0],
            hide_key_points_until_first_attempt: false,
            live_analysis: true,
            theme: "system".into(),
            llm: LlmSettings::default(),
            data_dir: rehearse::asr::model::store::data_dir()
                .display()
                .to_string(),
        }
    }
}
