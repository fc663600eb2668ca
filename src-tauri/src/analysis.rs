//! Analysing a recording and saving the attempt, with progress events.

use std::path::Path;

use rehearse::analyze::{build_report, AnalysisSettings, AnalyzeError};
use rehearse::asr::{AsrError, FilledPauseProbe, TranscribeOptions};
use rehearse::live::{BackgroundFullPass, LiveOptions, LiveResult, LiveSession};
use rehearse::questions::Bank;
use rehearse::report::Report;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    attempt_id: Option<i64>,
    stage: &'static str,
    fraction: f64,
}

fn progress<R: tauri::Runtime>(app: &AppHandle<R>, stage: &'static str, fraction: f64) {
    let _ = app.emit(
        "analysis-progress",
        Progress {
            attempt_id: None,
            stage,
            fraction,
        },
    );
}

/// Transcribes and critiques `audio_path` as an answer to `card_id`, stores
/// the attempt and returns its id. Runs on a blocking thread.
pub fn analyse_and_save<R: tauri::Runtime>(
    app: &AppHandle<R>,
    card_id: &str,
    audio_path: &Path,
) -> Result<i64, String> {
    let state = app.state::<AppState>();
    let card = Bank::load_default()
        .get(card_id)
        .cloned()
        .ok_or_else(|| format!("no question card with id {card_id:?}"))?;
    progress(app, "decode", 0.05);
    let audio = rehearse::audio::load_for_analysis(audio_path).map_err(|e| e.to_string())?;
    progress(app, "transcribe", 0.15);
    let transcriber = state.models.transcriber()?;
    let transcript = transcriber
        .transcribe(&audio.samples, &TranscribeOptions::default())
        .map_err(|e| e.to_string())?;
    progress(app, "delivery", 0.7);
    let mut notices = Vec::new();
    let settings = analysis_settings(&state, &mut notices);
    let mut probe = FilledPauseProbe::new(&transcriber, 1).map_err(|e| e.to_string())?;
    progress(app, "critique", 0.85);
    let mut report = build_report(&audio, transcript, Some(&card), &settings, Some(&mut probe));
    drop(probe);
    rehearse::memory::release_freed();
    report.notices.splice(0..0, notices);
    save(app, card_id, audio_path, report)
}

/// The analysis settings: the bundled ones, the user's settings files, and
/// what the Settings screen chose (pace band, LLM critic).
pub fn analysis_settings(state: &AppState, notices: &mut Vec<String>) -> AnalysisSettings {
    let user = state.settings();
    let mut settings = AnalysisSettings::load_user(notices);
    settings.delivery.pace.band_wpm = user.pace_band;
    settings.critic.llm.enabled = user.llm.enabled;
    settings.critic.llm.base_url = user.llm.base_url.clone();
    settings.critic.llm.model = user.llm.model.clone();
    settings.critic.llm.api_key_env = user.llm.api_key_env.clone().unwrap_or_default();
    settings
}

/// Stores a finished report as an attempt and tells the UI it is ready.
pub fn save<R: tauri::Runtime>(
    app: &AppHandle<R>,
    card_id: &str,
    audio_path: &Path,
    mut report: Report,
) -> Result<i64, String> {
    report.audio_path = Some(audio_path.display().to_string());
    progress(app, "save", 0.95);
    let id = app
        .state::<AppState>()
        .store
        .lock()
        .map_err(|_| "the history is unavailable".to_string())?
        .add_attempt(card_id, audio_path, &report)
        .map_err(|e| e.to_string())?;
    let _ = app.emit("analysis-done", serde_json::json!({ "attemptId": id }));
    Ok(id)
}

/// Whether answers are transcribed while they are recorded: the Settings
/// switch, unless `REHEARSE_LIVE=on|off` overrides it for this run (tests and
/// benchmarks pin the path they measure that way).
fn live_analysis_enabled(state: &AppState) -> bool {
    match std::env::var("REHEARSE_LIVE").as_deref() {
        Ok("on") => true,
        Ok("off") => false,
        _ => state.settings().live_analysis,
    }
}

/// Starts transcribing an answer while it is recorded, so that Stop leaves
/// only the last seconds to decode. `None` when live analysis is off in the
/// settings or no model is usable: the recording is then analysed after Stop,
/// which reports any model problem.
pub fn start_live<R: tauri::Runtime>(app: &AppHandle<R>, card_id: &str) -> Option<LiveSession> {
    let state = app.state::<AppState>();
    if !live_analysis_enabled(&state) {
        return None;
    }
    let transcriber = state.models.transcriber().ok()?;
    let options = live_options(&state, card_id);
    let updates = app.clone();
    LiveSession::start(transcriber, options, move |update| {
        let _ = updates.emit("live-update", &update);
    })
    .ok()
}

fn live_options(state: &AppState, card_id: &str) -> LiveOptions {
    let mut notices = Vec::new();
    LiveOptions {
        question: Bank::load_default().get(card_id).cloned(),
        settings: analysis_settings(state, &mut notices),
        ..LiveOptions::default()
    }
}

/// Stop, for an answer transcribed live: decodes the tail, runs the delivery
/// analysis and the critic, and saves the attempt; then starts the full pass
/// that refines it in the background.
pub fn finish_live_and_save<R: tauri::Runtime>(
    app: &AppHandle<R>,
    card_id: &str,
    audio_path: &Path,
    session: LiveSession,
) -> Result<i64, String> {
    progress(app, "transcribe", 0.6);
    let result = session.finish().map_err(|e| e.to_string())?;
    progress(app, "critique", 0.9);
    let id = save(app, card_id, audio_path, result.report.clone())?;
    refine_in_background(app, id, card_id, audio_path, result);
    Ok(id)
}

/// Transcribes the whole answer again after its first report is shown and,
/// unless cancelled, replaces the stored report with the refined one and
/// emits `report-refined`. Live windows hear less context than one pass over
/// the whole recording; see `rehearse::live::full_pass`.
fn refine_in_background<R: tauri::Runtime>(
    app: &AppHandle<R>,
    id: i64,
    card_id: &str,
    audio_path: &Path,
    live: LiveResult,
) {
    if std::env::var("REHEARSE_FULL_PASS").as_deref() == Ok("off") {
        return;
    }
    let state = app.state::<AppState>();
    let Ok(transcriber) = state.models.transcriber() else {
        return;
    };
    let options = live_options(&state, card_id);
    let (handle, audio_path) = (app.clone(), audio_path.to_path_buf());
    let done = move |result: Result<Report, AnalyzeError>| match result {
        Ok(mut report) => {
            report.audio_path = Some(audio_path.display().to_string());
            let state = handle.state::<AppState>();
            let replaced = state
                .store
                .lock()
                .map_err(|_| "the history is unavailable".to_string())
                .and_then(|store| store.replace_report(id, &report).map_err(|e| e.to_string()));
            match replaced {
                Ok(true) => {
                    let _ = handle.emit("report-refined", serde_json::json!({ "attemptId": id }));
                }
                Ok(false) => {}
                Err(e) => eprintln!("the refined report was not saved: {e}"),
            }
        }
        Err(AnalyzeError::Asr(AsrError::Cancelled)) => {}
        Err(e) => eprintln!("the full pass after Stop failed; the first report stays: {e}"),
    };
    match BackgroundFullPass::spawn(transcriber, live, options, done) {
        Ok(pass) => state.full_pass.replace(pass),
        Err(e) => eprintln!("the full pass after Stop could not start: {e}"),
    }
}
