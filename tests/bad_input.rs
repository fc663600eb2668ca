//! Malformed input gets a clear error and a non-zero exit, never a panic.

use std::path::Path;
use std::process::Output;

mod common;
use common::*;

fn run(data_dir: &Path, args: &[&str]) -> Output {
    rehearse(data_dir).args(args).output().unwrap()
}

/// Asserts a clean failure whose message contains every one of `needles`.
fn assert_clear_failure(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success: {stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    for needle in needles {
        assert!(stderr.contains(needle), "missing {needle:?} in: {stderr}");
    }
}

#[test]
fn bad_audio_files_are_reported_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let model = synthetic_ggml(tmp.path());
    let model = model.to_str().unwrap();
    let good = tmp.path().join("good.wav");
    espeak("A short answer.", &good, "en-us", 150);
    let bytes = std::fs::read(&good).unwrap();

    let cut = tmp.path().join("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(
        tmp.path(),
        &["analyze", cut.to_str().unwrap(), "--model", model],
    );
    assert_clear_failure(&out, &["cut.wav", "is truncated", "header declares"]);

    let header_only = tmp.path().join("header-only.wav");
    std::fs::write(&header_only, &bytes[..20]).unwrap();
    let out = run(
        tmp.path(),
        &["analyze", header_only.to_str().unwrap(), "--model", model],
    );
    assert_clear_failure(&out, &["header-only.wav", "is truncated"]);

    let text = tmp.path().join("notes.wav");
    std::fs::write(&text, "these are my notes, not a recording\n").unwrap();
    let out = run(
        tmp.path(),
        &["analyze", text.to_str().unwrap(), "--model", model],
    );
    assert_clear_failure(&out, &["notes.wav", "not an audio file"]);

    let text_mp3 = tmp.path().join("notes.mp3");
    std::fs::write(&text_mp3, vec![0x42u8; 5000]).unwrap();
    let out = run(
        tmp.path(),
        &["transcribe", text_mp3.to_str().unwrap(), "--model", model],
    );
    assert_clear_failure(&out, &["notes.mp3", "not an audio file"]);

    let empty = tmp.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let out = run(
        tmp.path(),
        &["analyze", empty.to_str().unwrap(), "--model", model],
    );
    assert_clear_failure(&out, &["empty.wav", "empty"]);

    let out = run(
        tmp.path(),
        &["analyze", "/no/such/answer.wav", "--model", model],
    );
    assert_clear_failure(&out, &["/no/such/answer.wav"]);
}

#[test]
fn bad_or_missing_models_name_the_path_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("answer.wav");
    espeak("A short answer.", &wav, "en-us", 150);
    let wav = wav.to_str().unwrap();

    // No model anywhere.
    let out = run(tmp.path(), &["analyze", wav]);
    assert_clear_failure(
        &out,
        &[
            "no Whisper model found",
            "models",
            "model fetch",
            "model import",
        ],
    );

    let wrong_magic = tmp.path().join("wrong-magic.bin");
    std::fs::write(&wrong_magic, b"PK\x03\x04 this is a zip, not a model").unwrap();
    let out = run(
        tmp.path(),
        &["analyze", wav, "--model", wrong_magic.to_str().unwrap()],
    );
    assert_clear_failure(
        &out,
        &[
            "wrong-magic.bin",
            "not a whisper.cpp ggml model",
            "model import",
        ],
    );

    let model = synthetic_ggml(tmp.path());
    let bytes = std::fs::read(&model).unwrap();
    let cut = tmp.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let out = run(
        tmp.path(),
        &["analyze", wav, "--model", cut.to_str().unwrap()],
    );
    assert_clear_failure(&out, &["cut.bin", "truncated", "model fetch"]);

    let out = run(
        tmp.path(),
        &["analyze", wav, "--model", "/no/such/model.bin"],
    );
    assert_clear_failure(&out, &["/no/such/model.bin", "does not exist"]);

    // A broken file in the models folder is listed as unusable and skipped as a default.
    let models = tmp.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::fs::write(models.join("broken.bin"), b"ggml").unwrap();
    let list = run(tmp.path(), &["model", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("UNUSABLE"));
    let out = run(tmp.path(), &["analyze", wav]);
    assert_clear_failure(&out, &["no Whisper model found"]);

    let out = run(tmp.path(), &["model", "import", "/no/such/folder"]);
    assert_clear_failure(&out, &["/no/such/folder"]);
    let out = run(
        tmp.path(),
        &[
            "model",
            "import",
            tmp.path().to_str().unwrap(),
            "--quantize",
            "q3",
        ],
    );
    assert_clear_failure(&out, &["q3"]);
}
