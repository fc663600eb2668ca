//! Delivery thresholds and word lists, from `assets/delivery.toml` overlaid
//! with the user's own `delivery.toml` in the data folder.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

const BUNDLED: &str = include_str!("../../assets/delivery.toml");

/// Pace settings.
#[derive(Debug, Clone, Deserialize)]
pub struct PaceConfig {
    /// Target band `[low, high]` in words per minute.
    pub band_wpm: [f64; 2],
    /// Rolling window for the pace timeline.
    pub window_s: f64,
    /// Step between windows.
    pub step_s: f64,
    /// Shortest stretch outside the band worth reporting.
    pub min_stretch_s: f64,
    /// Pauses at least this long are removed for articulation pace.
    pub articulation_pause_s: f64,
}

/// Pause settings.
#[derive(Debug, Clone, Deserialize)]
pub struct PauseConfig {
    /// Shortest gap that counts as a pause.
    pub min_s: f64,
    /// Shortest long pause.
    pub long_s: f64,
}

/// Filler settings.
#[derive(Debug, Clone, Deserialize)]
pub struct FillerConfig {
    /// Spellings of hesitation sounds.
    pub filled_pauses: Vec<String>,
    /// Share of words above which fillers are flagged.
    pub flag_share: f64,
    /// Shortest acoustic filled pause.
    pub acoustic_min_s: f64,
    /// Longest acoustic filled pause.
    pub acoustic_max_s: f64,
}

/// Hedge phrases.
#[derive(Debug, Clone, Deserialize)]
pub struct HedgeConfig {
    /// Lower-case phrases.
    pub phrases: Vec<String>,
}

/// Repetition and word-count settings.
#[derive(Debug, Clone, Deserialize)]
pub struct RepetitionConfig {
    /// Words left out of the most-used list.
    pub stop_words: Vec<String>,
    /// How many most-used words to report.
    pub top_words: usize,
}

/// Length settings.
#[derive(Debug, Clone, Deserialize)]
pub struct LengthConfig {
    /// Target used without a question card.
    pub default_target_s: [f64; 2],
}

/// Loudness and pitch settings.
#[derive(Debug, Clone, Deserialize)]
pub struct VoiceConfig {
    /// Median speech level below which speech is too quiet.
    pub too_quiet_dbfs: f64,
    /// Sample magnitude that counts as clipping.
    pub clip_level: f32,
    /// Share of clipping speech frames that is flagged.
    pub clip_share: f64,
    /// Pitch spread below which delivery is monotone.
    pub monotone_semitones: f64,
    /// Lowest pitch tracked.
    pub pitch_floor_hz: f64,
    /// Highest pitch tracked.
    pub pitch_ceiling_hz: f64,
}

/// Score weights.
#[derive(Debug, Clone, Deserialize)]
pub struct ScoreConfig {
    /// Weight per part name.
    pub weights: BTreeMap<String, f64>,
}

/// Everything the delivery analysis is tuned by.
#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryConfig {
    /// Pace.
    pub pace: PaceConfig,
    /// Pauses.
    pub pauses: PauseConfig,
    /// Fillers.
    pub fillers: FillerConfig,
    /// Hedges.
    pub hedges: HedgeConfig,
    /// Repetition.
    pub repetition: RepetitionConfig,
    /// Length.
    pub length: LengthConfig,
    /// Voice.
    pub voice: VoiceConfig,
    /// Score.
    pub score: ScoreConfig,
}

/// Why a delivery settings file could not be used.
pub type ConfigError = crate::settings_file::SettingsError;

impl Default for DeliveryConfig {
    fn default() -> Self {
        toml::from_str(BUNDLED).expect("the bundled delivery.toml is valid")
    }
}

impl DeliveryConfig {
    /// The bundled settings overlaid with `path`, when it exists.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        crate::settings_file::overlay(BUNDLED, path)
    }

    /// The user's settings file in the data folder.
    pub fn user_path() -> std::path::PathBuf {
        crate::asr::model::store::data_dir().join("delivery.toml")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_settings_load_and_user_files_override_single_fields() {
        let config = DeliveryConfig::default();
        assert_eq!(config.pace.band_wpm, [120.0, 160.0]);
        let dir = std::env::temp_dir().join(format!("rehearse-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("delivery.toml");
        std::fs::write(&path, "[pace]\nband_wpm = [130, 170]\n").unwrap();
        let config = DeliveryConfig::load(Some(&path)).unwrap();
        assert_eq!(config.pace.band_wpm, [130.0, 170.0]);
        assert_eq!(config.pace.window_s, 10.0);
        std::fs::write(&path, "[pace]\nband_wpm = \"fast\"\n").unwrap();
        assert!(DeliveryConfig::load(Some(&path))
            .unwrap_err()
            .to_string()
            .contains("delivery.toml"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
