//! The Rehearse desktop app: a Tauri shell whose commands (docs/ipc.md) are
//! thin wrappers over the `rehearse` engine.

mod analysis;
pub mod commands;
pub mod settings;
pub mod state;

use tauri::Manager;

/// Registers `state` and every command on `builder`.
pub fn setup<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: state::AppState,
) -> tauri::Builder<R> {
    builder
        .manage(state)
        .setup(|app| {
            // Recordings live in the data folder, which may be anywhere
            // (REHEARSE_DATA_DIR); let the player read them.
            let data = rehearse::asr::model::store::data_dir();
            let _ = app.asset_protocol_scope().allow_directory(&data, true);
            // Load the recogniser before the first answer, off the UI thread.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                let _ = handle.state::<state::AppState>().models.transcriber();
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_cards,
            commands::get_card,
            commands::save_card,
            commands::delete_card,
            commands::import_cards,
            commands::export_cards,
            commands::list_input_devices,
            commands::get_settings,
            commands::save_settings,
            commands::start_recording,
            commands::stop_recording,
            commands::cancel_recording,
            commands::analyze_file,
            commands::list_attempts,
            commands::get_attempt,
            commands::delete_attempt,
            commands::delete_all_data,
            commands::export_attempt,
            commands::attempt_audio,
            commands::list_models,
            commands::import_model,
            commands::fetch_model,
            commands::cancel_fetch,
            commands::set_default_model,
            commands::list_recoverable,
            commands::recover_recording,
            commands::discard_recording,
        ])
}

/// WebKit turns a `C`/`POSIX` locale into the language tag "C", which
/// JavaScript's `Intl` rejects (the UI's charts and dates then fail to load);
/// such a locale carries no language preference, so US English stands in.
fn ensure_language_tag() {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_default();
    let base = locale.split(['.', '@']).next().unwrap_or_default();
    if base.is_empty() || base == "C" || base == "POSIX" {
        std::env::set_var("LC_ALL", "en_US.UTF-8");
        std::env::set_var("LANG", "en_US.UTF-8");
    }
}

/// Starts the app.
pub fn run() {
    rehearse::memory::configure_allocator();
    ensure_language_tag();
    rehearse::asr::log::to_stderr();
    let state = match state::AppState::open() {
        Ok(state) => state,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    };
    setup(tauri::Builder::default(), state)
        .run(tauri::generate_context!())
        .expect("the Rehearse window could not open");
}
