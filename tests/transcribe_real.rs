//! The real Whisper tiny.en, converted by this run from the faster-whisper
//! weights, transcribing speech synthesised during the test.

use std::path::Path;

use rehearse::asr::model::store;
use rehearse::asr::{TranscribeOptions, Transcriber};
use rehearse::audio;
use serde_json::Value;

mod common;
use common::*;

const ANSWER: &str = "Last spring our checkout service kept failing during traffic peaks, \
and I was asked to make it stable without slowing down the release schedule. \
First I looked at the error logs and found that most failures came from one slow database query. \
I added an index, put the new code behind a feature flag, and rolled it out to ten percent of users. \
I watched the error rate and the response time for two days before turning it on for everyone. \
As a result, checkout errors dropped by eighty percent and we kept shipping every week.";

fn run_json(data_dir: &Path, args: &[&str]) -> Value {
    let out = rehearse(data_dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "rehearse {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

#[test]
fn analyze_a_thirty_second_answer_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("answer.wav");
    espeak(ANSWER, &wav, "en-us", 150);
    let model = real_model();
    let report = run_json(
        tmp.path(),
        &[
            "analyze",
            wav.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--json",
        ],
    );

    assert_eq!(report["schema"], "rehearse.report/1");
    let duration = report["duration_s"].as_f64().unwrap();
    assert!(
        (25.0..40.0).contains(&duration),
        "espeak answer lasts {duration} s"
    );
    let text = report["transcript"]["text"].as_str().unwrap();
    let error_rate = wer(ANSWER, text);
    println!("WER {:.1} % on {duration:.1} s: {text}", error_rate * 100.0);
    // tiny.en's errors on espeak's voice move with how whisper.cpp was
    // compiled: 7.3 % built for the build machine's CPU, 17.7 % built for
    // x86-64-v3 (the shipped build), the same words misheard in every run of
    // one build. The bound catches lost or garbled words; the duration and
    // pace checks catch a wrong sample rate.
    assert!(error_rate <= 0.25, "WER {error_rate:.3}: {text}");

    let words = report["transcript"]["words"].as_array().unwrap();
    assert!(words.len() > 70);
    let mut previous_start = 0.0;
    for w in words {
        let (start, end) = (w["start"].as_f64().unwrap(), w["end"].as_f64().unwrap());
        assert!(
            start >= previous_start && start <= end && end <= duration,
            "{w}"
        );
        let confidence = w["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&confidence));
        previous_start = start;
    }
    let wpm = report["delivery"]["wpm"].as_f64().unwrap();
    assert!(
        (120.0..200.0).contains(&wpm),
        "espeak at 150 wpm measured {wpm}"
    );
    assert_eq!(report["model"]["name"], "tiny.en");
    // Parts a later analysis fills are null, not invented.
    assert!(report["score"]["overall"].is_null());
}

#[test]
fn transcribe_prints_plain_text_and_json_words() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("short.wav");
    let said = "I rolled the change out slowly and watched the error rate.";
    espeak(said, &wav, "en-us", 150);
    let model = real_model();
    let out = rehearse(tmp.path())
        .args([
            "transcribe",
            wav.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    // The plain text is a transcript of this audio. tiny.en mishears a
    // phrase or two of espeak's voice, and which ones depends on the build
    // ("watched the error rate" came back as "washed the hair arrayed"), so
    // most of the words are asked for, not all.
    let text = String::from_utf8_lossy(&out.stdout);
    let heard = normalise_for_wer(&text);
    let spoken = normalise_for_wer(said);
    let found = spoken.iter().filter(|w| heard.contains(w)).count();
    assert!(found * 2 > spoken.len(), "{found} of {spoken:?} in {text}");
    let json = run_json(
        tmp.path(),
        &[
            "transcribe",
            wav.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(json["words"].as_array().unwrap().len() >= 8);
}

#[test]
fn the_default_model_comes_from_the_environment_or_the_models_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("short.wav");
    espeak("Quality means failing gracefully.", &wav, "en-us", 150);
    let model = real_model();
    // $REHEARSE_MODEL when no --model is given.
    let out = rehearse(tmp.path())
        .env("REHEARSE_MODEL", &model)
        .args(["transcribe", wav.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Then the newest usable file in the models folder.
    let models = tmp.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::fs::copy(&model, models.join("ggml-tiny.en-q8_0.bin")).unwrap();
    let out = rehearse(tmp.path())
        .args(["transcribe", wav.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .to_lowercase()
        .contains("gracefully"));
    let list = rehearse(tmp.path())
        .args(["model", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("* ggml-tiny.en-q8_0.bin"));
}

#[test]
fn every_common_audio_format_decodes_to_the_same_words() {
    let tmp = tempfile::tempdir().unwrap();
    let phrase = "Please walk me through the decision you made and what happened next.";
    let source = tmp.path().join("source.wav");
    espeak(phrase, &source, "en-us", 150);
    let path = |name: &str| tmp.path().join(name);
    let variants = [
        ("u8.wav", vec!["-e", "unsigned-integer", "-b", "8"]),
        ("s16-8k.wav", vec!["-r", "8000"]),
        (
            "s24-44k-stereo.wav",
            vec!["-b", "24", "-r", "44100", "-c", "2"],
        ),
        (
            "s32-48k.wav",
            vec!["-e", "signed-integer", "-b", "32", "-r", "48000"],
        ),
        (
            "f32-16k.wav",
            vec!["-e", "floating-point", "-b", "32", "-r", "16000"],
        ),
        (
            "f64-stereo.wav",
            vec!["-e", "floating-point", "-b", "64", "-c", "2"],
        ),
        ("alaw.wav", vec!["-e", "a-law"]),
        ("speech.flac", vec!["-r", "44100"]),
        ("speech.ogg", vec!["-r", "48000", "-c", "2"]),
        ("speech.mp3", vec!["-r", "44100"]),
    ];
    let model = real_model();
    let info = store::validate(&model).unwrap();
    let transcriber = Transcriber::load(&model, &info).unwrap();
    for (name, effects) in &variants {
        let out = path(name);
        let mut args = vec![source.to_str().unwrap()];
        args.extend(effects.iter().copied());
        args.push(out.to_str().unwrap());
        // sox puts output options before the output file.
        let (inputs, outputs) = args.split_at(1);
        let mut ordered: Vec<&str> = inputs.to_vec();
        ordered.extend(outputs);
        sox(&ordered);
        let decoded = audio::load_for_analysis(&out);
        let decoded = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
        let transcript = transcriber
            .transcribe(&decoded.samples, &TranscribeOptions::default())
            .unwrap();
        // Telephone-band audio loses too much for tiny.en to match the script;
        // it must match what sox's own resampler gives the recogniser instead.
        let reference = if name.contains("8k") {
            let upsampled = path("sox-16k.wav");
            sox(&[
                out.to_str().unwrap(),
                "-r",
                "16000",
                upsampled.to_str().unwrap(),
            ]);
            let samples = audio::load_for_analysis(&upsampled).unwrap().samples;
            transcriber
                .transcribe(&samples, &TranscribeOptions::default())
                .unwrap()
                .text
        } else {
            phrase.to_string()
        };
        let error_rate = wer(&reference, &transcript.text);
        println!("{name}: WER {:.2} {}", error_rate, transcript.text);
        assert!(
            error_rate <= 0.2,
            "{name}: {} (expected {reference})",
            transcript.text
        );
    }
}

#[test]
fn a_pause_between_phrases_is_timed_from_the_audio() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    espeak(
        "I rolled the change out slowly",
        Path::new(&p("a.wav")),
        "en-us",
        150,
    );
    espeak(
        "and watched the error rate for a week",
        Path::new(&p("b.wav")),
        "en-us",
        150,
    );
    // Trim espeak's own silences so the speech edges are known exactly.
    let trim = [
        "silence", "1", "0.01", "0.1%", "reverse", "silence", "1", "0.01", "0.1%", "reverse",
    ];
    for name in ["a", "b"] {
        let mut args = vec![
            p(&format!("{name}.wav")),
            "-r".into(),
            "16000".into(),
            p(&format!("{name}-trim.wav")),
        ];
        args.extend(trim.iter().map(|s| s.to_string()));
        sox(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    sox(&[
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        &p("gap.wav"),
        "trim",
        "0",
        "1.5",
    ]);
    sox(&[
        &p("a-trim.wav"),
        &p("gap.wav"),
        &p("b-trim.wav"),
        &p("joined.wav"),
    ]);
    let a_len = audio::load_for_analysis(Path::new(&p("a-trim.wav")))
        .unwrap()
        .duration_s();

    let model = real_model();
    let report = run_json(
        tmp.path(),
        &[
            "analyze",
            &p("joined.wav"),
            "--model",
            model.to_str().unwrap(),
            "--json",
        ],
    );
    let pauses = report["delivery"]["pauses"].as_array().unwrap();
    let long: Vec<_> = pauses
        .iter()
        .map(|q| (q["start"].as_f64().unwrap(), q["end"].as_f64().unwrap()))
        .filter(|(s, e)| e - s >= 1.0)
        .collect();
    assert_eq!(long.len(), 1, "{pauses:?}");
    let (start, end) = long[0];
    println!(
        "pause {start:.3}–{end:.3}, true {a_len:.3}–{:.3}",
        a_len + 1.5
    );
    assert!(
        (start - a_len).abs() <= 0.15,
        "pause starts at {start}, speech ended at {a_len}"
    );
    assert!(
        (end - (a_len + 1.5)).abs() <= 0.15,
        "pause ends at {end}, speech resumed at {}",
        a_len + 1.5
    );
}

#[test]
fn an_m4a_recording_decodes_and_transcribes() {
    let m4a = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/speech.m4a");
    let decoded = audio::load_for_analysis(&m4a).unwrap();
    assert!(
        (3.0..6.0).contains(&decoded.duration_s()),
        "{}",
        decoded.duration_s()
    );
    let model = real_model();
    let info = store::validate(&model).unwrap();
    let transcriber = Transcriber::load(&model, &info).unwrap();
    let text = transcriber
        .transcribe(&decoded.samples, &TranscribeOptions::default())
        .unwrap()
        .text;
    let error_rate = wer(
        "Please walk me through the decision you made and what happened next.",
        &text,
    );
    assert!(error_rate <= 0.2, "{text}");
}
