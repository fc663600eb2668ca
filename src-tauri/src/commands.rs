//! The IPC commands of docs/ipc.md: a few lines each over the engine.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use rehearse::asr::model::{self, fetch, store as models, Quantization};
use rehearse::audio::capture::{self, InputDevice, Recorder, StopReason, Unfinished};
use rehearse::questions::{self, Bank, Card, Origin};
use rehearse::store::{Attempt, AttemptSummary};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::analysis::{analyse_and_save, finish_live_and_save, start_live};
use crate::settings::Settings;
use crate::state::{recordings_dir, ActiveRecording, AppState};

type Result<T> = std::result::Result<T, String>;

fn lock<T>(m: &std::sync::Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| "the app's state is unavailable; restart Rehearse".to_string())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
}

/// A card as the library lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardSummary {
    id: String,
    title: String,
    prompt: String,
    category: String,
    tags: Vec<String>,
    custom: bool,
    attempts: usize,
    best_score: Option<f64>,
    last_attempt_at: Option<String>,
}

#[tauri::command]
pub fn list_cards(state: State<'_, AppState>) -> Result<Vec<CardSummary>> {
    let bank = Bank::load_default();
    let stats = lock(&state.store)?
        .card_stats()
        .map_err(|e| e.to_string())?;
    Ok(bank
        .cards()
        .map(|c| {
            let s = stats.get(&c.id).cloned().unwrap_or_default();
            CardSummary {
                id: c.id.clone(),
                title: c.title.clone(),
                prompt: c.prompt.clone(),
                category: c.category.clone(),
                tags: c.tags.clone(),
                custom: matches!(bank.origin(&c.id), Some(Origin::User(_))),
                attempts: s.attempts,
                best_score: s.best_score,
                last_attempt_at: s.last_attempt_at,
            }
        })
        .collect())
}

#[tauri::command]
pub fn get_card(id: String) -> Result<Card> {
    Bank::load_default()
        .get(&id)
        .cloned()
        .ok_or_else(|| format!("no question card with id {id:?}"))
}

#[tauri::command]
pub fn save_card(card: Card) -> Result<Card> {
    let dir = questions::user_dir();
    let path = dir.join(format!("{}.toml", card.id));
    let text = toml_text(&card)?;
    // Parse what will be written, so an invalid card is refused with the reason.
    let checked = Card::parse(&text, &path).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    Ok(checked)
}

fn toml_text(card: &Card) -> Result<String> {
    card.to_toml().map_err(|e| e.to_string())
}

#[tauri::command]
pub fn delete_card(id: String) -> Result<()> {
    match Bank::load_default().origin(&id) {
        Some(Origin::User(path)) => std::fs::remove_file(path).map_err(|e| e.to_string()),
        Some(Origin::Bundled) => Err("bundled cards cannot be deleted".into()),
        None => Err(format!("no question card with id {id:?}")),
    }
}

#[derive(Serialize)]
pub struct ImportResult {
    imported: usize,
    errors: Vec<String>,
}

#[tauri::command]
pub fn import_cards(path: PathBuf) -> Result<ImportResult> {
    let files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(&path)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
            .collect()
    } else {
        vec![path]
    };
    let dir = questions::user_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut result = ImportResult {
        imported: 0,
        errors: Vec::new(),
    };
    for file in files {
        match Card::load(&file) {
            Ok(card) => {
                let text = toml_text(&card)?;
                std::fs::write(dir.join(format!("{}.toml", card.id)), text)
                    .map_err(|e| e.to_string())?;
                result.imported += 1;
            }
            Err(e) => result.errors.push(e.to_string()),
        }
    }
    Ok(result)
}

#[tauri::command]
pub fn export_cards(ids: Vec<String>, path: PathBuf) -> Result<()> {
    let bank = Bank::load_default();
    std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
    for id in ids {
        let card = bank
            .get(&id)
            .ok_or_else(|| format!("no question card with id {id:?}"))?;
        std::fs::write(path.join(format!("{id}.toml")), toml_text(card)?)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[tauri::command]
pub fn list_input_devices() -> Vec<InputDevice> {
    capture::input_devices()
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

#[tauri::command]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    if !(settings.pace_band[0] > 0.0 && settings.pace_band[0] < settings.pace_band[1]) {
        return Err("the pace band needs a lower and a higher number of words per minute".into());
    }
    let json = serde_json::to_string(&settings).map_err(|e| e.to_string())?;
    lock(&state.store)?
        .set_setting("settings", &json)
        .map_err(|e| e.to_string())?;
    Ok(state.settings())
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Stopped {
    reason: &'static str,
    message: Option<String>,
    path: String,
}

#[tauri::command]
pub async fn start_recording<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    card_id: String,
    device_id: Option<String>,
) -> Result<()> {
    let mut active = lock(&state.recording)?;
    if active.is_some() {
        return Err("a recording is already running".into());
    }
    // The last answer's full pass would compete with this one's live decoding.
    state.full_pass.cancel();
    let device = device_id.or_else(|| state.settings().input_device);
    let path = recordings_dir().join(format!("{}-{card_id}.wav", timestamp()));
    let levels = app.clone();
    let live = start_live(&app, &card_id);
    let feeder = live.as_ref().map(|session| session.feeder());
    let recorder = Recorder::start_with_tap(
        device.as_deref(),
        &path,
        move |level| {
            let _ = levels.emit("recording-level", level);
        },
        move |samples| {
            if let Some(feeder) = &feeder {
                feeder.push(samples);
            }
        },
    )
    .map_err(|e| e.to_string())?;
    *active = Some(ActiveRecording {
        recorder,
        card_id,
        path: path.clone(),
        live,
    });
    drop(active);
    // Watches for a recording that ends by itself (device gone, server died).
    let watcher = app.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let state = watcher.state::<AppState>();
        let Ok(mut guard) = state.recording.lock() else {
            return;
        };
        match guard.as_ref() {
            Some(a) if a.path == path && a.recorder.has_ended() => {
                let ended = guard.take().expect("checked");
                drop(guard);
                let (reason, message) = match ended.recorder.stop() {
                    Ok(r) => match r.reason {
                        StopReason::User => ("user", None),
                        StopReason::DeviceLost => (
                            "device-lost",
                            Some("The microphone went away. What was recorded is kept.".into()),
                        ),
                        StopReason::Error(m) => (
                            "error",
                            Some(format!(
                                "{}. What was recorded is kept.",
                                capitalise(m.trim_end_matches('.'))
                            )),
                        ),
                    },
                    Err(e) => ("error", Some(e.to_string())),
                };
                let _ = watcher.emit(
                    "recording-stopped",
                    Stopped {
                        reason,
                        message,
                        path: ended.path.display().to_string(),
                    },
                );
                return;
            }
            Some(a) if a.path == path => continue,
            _ => return,
        }
    });
    Ok(())
}

#[tauri::command]
pub async fn stop_recording<R: tauri::Runtime>(app: AppHandle<R>) -> Result<i64> {
    let active = {
        let state = app.state::<AppState>();
        let mut guard = lock(&state.recording)?;
        guard.take().ok_or("no recording is running")?
    };
    let ActiveRecording {
        recorder,
        card_id,
        live,
        ..
    } = active;
    let recorded = blocking(move || recorder.stop().map_err(|e| e.to_string())).await?;
    let _ = app.emit(
        "recording-stopped",
        Stopped {
            reason: "user",
            message: None,
            path: recorded.path.display().to_string(),
        },
    );
    if let Some(session) = live {
        let (handle, card, path) = (app.clone(), card_id.clone(), recorded.path.clone());
        match blocking(move || finish_live_and_save(&handle, &card, &path, session)).await {
            Ok(id) => return Ok(id),
            // The recording is whole on disk: the batch path still serves.
            Err(message) => eprintln!("live analysis failed, analysing after Stop: {message}"),
        }
    }
    analyse(app, card_id, recorded.path).await
}

async fn analyse<R: tauri::Runtime>(
    app: AppHandle<R>,
    card_id: String,
    path: PathBuf,
) -> Result<i64> {
    let handle = app.clone();
    let result = blocking(move || analyse_and_save(&handle, &card_id, &path)).await;
    if let Err(message) = &result {
        let _ = app.emit("analysis-failed", serde_json::json!({ "message": message }));
    }
    result
}

#[tauri::command]
pub fn cancel_recording(state: State<'_, AppState>) -> Result<()> {
    let active = lock(&state.recording)?.take();
    if let Some(active) = active {
        if let Ok(r) = active.recorder.stop() {
            let _ = std::fs::remove_file(r.path);
        }
    }
    Ok(())
}

#[tauri::command]
pub async fn analyze_file<R: tauri::Runtime>(
    app: AppHandle<R>,
    card_id: String,
    path: PathBuf,
) -> Result<i64> {
    // The attempt keeps its own copy: the player may only read the data
    // folder, and deleting an attempt must never delete the user's file.
    let name = path
        .file_name()
        .ok_or("that is not a file")?
        .to_string_lossy()
        .into_owned();
    let copy = recordings_dir().join(format!("{}-{name}", timestamp()));
    std::fs::create_dir_all(recordings_dir()).map_err(|e| e.to_string())?;
    std::fs::copy(&path, &copy).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let result = analyse(app, card_id, copy.clone()).await;
    if result.is_err() {
        let _ = std::fs::remove_file(&copy);
    }
    result
}

/// The current time for file names (no colons, which some systems refuse).
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn timestamp() -> String {
    rehearse::store::rfc3339(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    )
    .replace(':', "-")
}

#[tauri::command]
pub fn list_attempts(
    state: State<'_, AppState>,
    card_id: Option<String>,
) -> Result<Vec<AttemptSummary>> {
    lock(&state.store)?
        .attempts(card_id.as_deref())
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub fn get_attempt(state: State<'_, AppState>, id: i64) -> Result<Attempt> {
    lock(&state.store)?
        .attempt(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no attempt {id}"))
}

#[tauri::command]
pub fn delete_attempt(state: State<'_, AppState>, id: i64) -> Result<()> {
    if let Some(audio) = lock(&state.store)?
        .delete_attempt(id)
        .map_err(|e| e.to_string())?
    {
        let _ = std::fs::remove_file(audio);
    }
    Ok(())
}

#[tauri::command]
pub fn delete_all_data(state: State<'_, AppState>) -> Result<()> {
    for audio in lock(&state.store)?
        .delete_all()
        .map_err(|e| e.to_string())?
    {
        let _ = std::fs::remove_file(audio);
    }
    Ok(())
}

#[tauri::command]
pub fn export_attempt(state: State<'_, AppState>, id: i64, path: PathBuf) -> Result<()> {
    let attempt = get_attempt(state, id)?;
    let markdown = rehearse::report::markdown(&attempt.report);
    std::fs::write(&path, markdown).map_err(|e| e.to_string())?;
    let wav = path.with_extension("wav");
    std::fs::copy(&attempt.audio_path, wav).map_err(|e| e.to_string())?;
    Ok(())
}

#[tauri::command]
pub fn attempt_audio(state: State<'_, AppState>, id: i64) -> Result<String> {
    let attempt = get_attempt(state, id)?;
    Ok(asset_url(&attempt.audio_path))
}

/// The URL the webview loads a local file by (Tauri's asset protocol).
pub fn asset_url(path: &std::path::Path) -> String {
    let encoded: String = path
        .display()
        .to_string()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if cfg!(windows) {
        format!("http://asset.localhost/{encoded}")
    } else {
        format!("asset://localhost/{encoded}")
    }
}

#[tauri::command]
pub fn list_models() -> Vec<models::ModelEntry> {
    models::list(&models::models_dir())
}

#[tauri::command]
pub async fn import_model<R: tauri::Runtime>(
    app: AppHandle<R>,
    dir: PathBuf,
    quantize: String,
) -> Result<models::ModelEntry> {
    let quantization =
        Quantization::parse(&quantize).ok_or_else(|| format!("unknown format {quantize:?}"))?;
    let imported = blocking(move || {
        model::import::import_into(&dir, &models::models_dir(), quantization, None)
            .map(|imported| imported.path)
            .map_err(|e| e.to_string())
    })
    .await?;
    app.state::<AppState>().models.reset();
    entry_for(&imported)
}

fn entry_for(path: &std::path::Path) -> Result<models::ModelEntry> {
    models::list(&models::models_dir())
        .into_iter()
        .find(|e| e.path == path)
        .ok_or_else(|| "the model was not found after installing it".into())
}

#[tauri::command]
pub async fn fetch_model<R: tauri::Runtime>(
    app: AppHandle<R>,
    name: String,
) -> Result<models::ModelEntry> {
    let known = fetch::known(&name).map_err(|e| e.to_string())?;
    let cancel = app.state::<AppState>().fetch_cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    let events = app.clone();
    let path = blocking(move || {
        fetch::fetch(
            known,
            &models::models_dir(),
            &fetch::base_url(),
            &cancel,
            |done, total| {
                let _ = events.emit(
                    "model-progress",
                    serde_json::json!({ "name": known.name, "done": done, "total": total }),
                );
            },
        )
        .map_err(|e| e.to_string())
    })
    .await?;
    app.state::<AppState>().models.reset();
    entry_for(&path)
}

#[tauri::command]
pub fn cancel_fetch(state: State<'_, AppState>) {
    state.fetch_cancel.store(true, Ordering::SeqCst);
}

#[tauri::command]
pub fn set_default_model(state: State<'_, AppState>, path: PathBuf) -> Result<()> {
    models::validate(&path).map_err(|e| e.to_string())?;
    // The newest usable file is the default: touching it makes it the newest.
    let file = std::fs::File::options()
        .append(true)
        .open(&path)
        .map_err(|e| e.to_string())?;
    file.set_modified(std::time::SystemTime::now())
        .map_err(|e| e.to_string())?;
    state.models.reset();
    Ok(())
}

#[tauri::command]
pub fn list_recoverable() -> Vec<Recoverable> {
    capture::find_unfinished(&recordings_dir())
        .into_iter()
        .map(Recoverable::from)
        .collect()
}

/// A recording cut short by a crash, with what its name tells of it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recoverable {
    /// The partial file.
    pub path: PathBuf,
    /// When recording started (RFC 3339), when the name records it.
    pub started_at: Option<String>,
    /// Audio it holds.
    pub duration_s: f64,
    /// The question it answers, when the name records it.
    pub card_id: Option<String>,
}

impl From<Unfinished> for Recoverable {
    fn from(unfinished: Unfinished) -> Self {
        let (started_at, card_id) = unfinished
            .path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(capture::PARTIAL_SUFFIX))
            .map(parse_recording_name)
            .unwrap_or_default();
        Self {
            path: unfinished.path,
            started_at,
            duration_s: unfinished.duration_s,
            card_id,
        }
    }
}

/// Splits a recording's name, `<timestamp>-<card id>` as `start_recording`
/// writes it, into an RFC 3339 time and the card id.
fn parse_recording_name(stem: &str) -> (Option<String>, Option<String>) {
    // "2026-11-25T13-35-04Z": RFC 3339 with the colons a file name cannot hold.
    const STAMP: usize = "2026-11-25T13-35-04Z".len();
    let (Some(stamp), Some(rest)) = (stem.get(..STAMP), stem.get(STAMP..)) else {
        return (None, None);
    };
    let bytes = stamp.as_bytes();
    if bytes[10] != b'T' || bytes[STAMP - 1] != b'Z' {
        return (None, None);
    }
    let started_at = format!("{}:{}:{}Z", &stamp[..13], &stamp[14..16], &stamp[17..19]);
    let card_id = rest.strip_prefix('-').filter(|id| !id.is_empty());
    (Some(started_at), card_id.map(str::to_string))
}

#[tauri::command]
pub async fn recover_recording<R: tauri::Runtime>(
    app: AppHandle<R>,
    path: PathBuf,
    card_id: String,
) -> Result<i64> {
    let repaired = capture::repair(&path).map_err(|e| e.to_string())?;
    analyse(app, card_id, repaired).await
}

#[tauri::command]
pub fn discard_recording(path: PathBuf) -> Result<()> {
    if !path.to_string_lossy().ends_with(capture::PARTIAL_SUFFIX) {
        return Err("only unfinished recordings can be discarded here".into());
    }
    std::fs::remove_file(path).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_recording_name;

    #[test]
    fn a_recording_name_gives_its_start_time_and_card() {
        assert_eq!(
            parse_recording_name("2026-11-25T13-35-04Z-ship-fast-vs-quality"),
            (
                Some("2026-11-25T13:35:04Z".to_string()),
                Some("ship-fast-vs-quality".to_string())
            )
        );
        assert_eq!(
            parse_recording_name("2026-11-25T13-35-04Z"),
            (Some("2026-11-25T13:35:04Z".to_string()), None)
        );
        assert_eq!(parse_recording_name("answer"), (None, None));
    }
}
