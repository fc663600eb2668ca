//! The app's state, owned by a few managers: the history, the recorder, the
//! recogniser and a running model download.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rehearse::asr::model;
use rehearse::asr::Transcriber;
use rehearse::audio::capture::Recorder;
use rehearse::live::{BackgroundFullPass, LiveSession};
use rehearse::store::Store;

use crate::settings::Settings;

/// A recording in progress.
pub struct ActiveRecording {
    /// The recorder.
    pub recorder: Recorder,
    /// The card being answered.
    pub card_id: String,
    /// Where the WAV goes.
    pub path: PathBuf,
    /// The transcript being made while recording, when a model is usable.
    pub live: Option<LiveSession>,
}

/// Loads the recogniser once and keeps it for every analysis.
#[derive(Default)]
pub struct ModelManager {
    loaded: Mutex<Option<Arc<Transcriber>>>,
}

impl ModelManager {
    /// The recogniser for the default model, loading it on first use.
    pub fn transcriber(&self) -> Result<Arc<Transcriber>, String> {
        let mut loaded = self.loaded.lock().expect("model lock");
        if let Some(t) = loaded.as_ref() {
            return Ok(t.clone());
        }
        let (path, info) = model::resolve(None).map_err(|e| e.to_string())?;
        let transcriber = Arc::new(Transcriber::load(&path, &info).map_err(|e| e.to_string())?);
        *loaded = Some(transcriber.clone());
        Ok(transcriber)
    }

    /// Forgets the loaded model (after the default changed).
    pub fn reset(&self) {
        *self.loaded.lock().expect("model lock") = None;
    }
}

/// The full pass over the last live-transcribed answer, running after its
/// first report was shown. One at a time: a newer one, or a new recording,
/// cancels it (the recording needs the cores more).
#[derive(Default)]
pub struct FullPassManager {
    running: Mutex<Option<BackgroundFullPass>>,
}

impl FullPassManager {
    /// Keeps `pass`, cancelling the one before it.
    pub fn replace(&self, pass: BackgroundFullPass) {
        if let Some(previous) = self.running.lock().expect("full pass lock").replace(pass) {
            previous.cancel();
        }
    }

    /// Cancels the running pass, if any; its answer keeps its first report.
    pub fn cancel(&self) {
        if let Some(pass) = self.running.lock().expect("full pass lock").take() {
            pass.cancel();
        }
    }
}

/// Everything the commands share.
pub struct AppState {
    /// Practice history.
    pub store: Mutex<Store>,
    /// The recording in progress, if any.
    pub recording: Mutex<Option<ActiveRecording>>,
    /// The recogniser.
    pub models: ModelManager,
    /// Set to cancel a running model download.
    pub fetch_cancel: Arc<AtomicBool>,
    /// The full pass after Stop, while it runs.
    pub full_pass: FullPassManager,
}

impl AppState {
    /// Opens the history in the data folder.
    pub fn open() -> Result<Self, String> {
        let store = Store::open(&Store::default_path()).map_err(|e| e.to_string())?;
        Ok(Self {
            store: Mutex::new(store),
            recording: Mutex::new(None),
            models: ModelManager::default(),
            fetch_cancel: Arc::new(AtomicBool::new(false)),
            full_pass: FullPassManager::default(),
        })
    }

    /// The saved settings, or the defaults.
    pub fn settings(&self) -> Settings {
        let store = self.store.lock().expect("store lock");
        let mut settings: Settings = store
            .setting("settings")
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        settings.data_dir = rehearse::asr::model::store::data_dir()
            .display()
            .to_string();
        settings
    }
}

/// Where recordings are kept.
pub fn recordings_dir() -> PathBuf {
    rehearse::asr::model::store::data_dir().join("recordings")
}
