//! Recording through a real (virtual) microphone: a private PulseAudio server
//! whose null sink's monitor is the default source. Speech played into the
//! sink is recorded by `rehearse record`; killing the recorder or the audio
//! server must keep the audio.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rehearse::asr::model::store;
use rehearse::asr::{TranscribeOptions, Transcriber};
use rehearse::audio;

mod common;
use common::*;
#[path = "common/virtual_mic.rs"]
mod virtual_mic;
use virtual_mic::VirtualMic;

/// One PulseAudio server at a time keeps the two cores free for the test.
static SERIAL: Mutex<()> = Mutex::new(());

const PHRASE: &str = "Please walk me through the decision you made and what happened next.";

fn speech(dir: &Path) -> PathBuf {
    let wav = dir.join("speech.wav");
    espeak(PHRASE, &wav, "en-us", 150);
    wav
}

/// Starts `rehearse record` and returns once it says it is recording.
fn start_recording(mic: &VirtualMic, out: &Path, extra: &[&str]) -> (Child, Instant) {
    let mut child = rehearse(mic.dir.path())
        .envs(mic.env())
        .arg("record")
        .arg(out)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("recording to"), "recorder said: {line}");
    (child, Instant::now())
}

fn transcribe(path: &Path) -> String {
    let model = real_model();
    let info = store::validate(&model).unwrap();
    let transcriber = Transcriber::load(&model, &info).unwrap();
    let samples = audio::load_for_analysis(path).unwrap().samples;
    transcriber
        .transcribe(&samples, &TranscribeOptions::default())
        .unwrap()
        .text
}

#[test]
fn speech_played_into_the_microphone_is_recorded() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mic = VirtualMic::start();
    let wav = speech(mic.dir.path());
    let out = mic.dir.path().join("answer.wav");
    let (child, _) = start_recording(&mic, &out, &["--seconds", "7"]);
    std::thread::sleep(Duration::from_millis(500));
    mic.play(&wav).wait().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = transcribe(&out);
    println!("recorded: {text}");
    assert!(wer(PHRASE, &text) <= 0.2, "{text}");
}

#[test]
fn a_killed_recorder_loses_at_most_a_second() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mic = VirtualMic::start();
    let wav = speech(mic.dir.path());
    let out = mic.dir.path().join("killed.wav");
    let (mut child, started) = start_recording(&mic, &out, &[]);
    std::thread::sleep(Duration::from_millis(300));
    mic.play(&wav).wait().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let recorded_for = started.elapsed().as_secs_f64();
    // SIGKILL: no destructor, no finalise.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists());
    let recovered = rehearse(mic.dir.path())
        .arg("recover")
        .arg(mic.dir.path())
        .output()
        .unwrap();
    assert!(
        recovered.status.success(),
        "{}",
        String::from_utf8_lossy(&recovered.stderr)
    );
    let duration = audio::load_for_analysis(&out).unwrap().duration_s();
    println!("recorded for {recorded_for:.2} s, recovered {duration:.2} s");
    assert!(
        duration >= recorded_for - 1.0,
        "lost {:.2} s",
        recorded_for - duration
    );
    assert!(wer(PHRASE, &transcribe(&out)) <= 0.2);
}

#[test]
fn an_audio_server_crash_ends_the_recording_with_the_audio_kept() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mic = VirtualMic::start();
    let wav = speech(mic.dir.path());
    let out = mic.dir.path().join("crash.wav");
    let (child, _) = start_recording(&mic, &out, &[]);
    std::thread::sleep(Duration::from_millis(300));
    mic.play(&wav).wait().unwrap();
    let killed_at = Instant::now();
    mic.kill_server();
    let output = child.wait_with_output().unwrap();
    let ended_after = killed_at.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("ended {ended_after:.2} s after the server died: {stderr}");
    assert!(!output.status.success());
    assert!(
        stderr.contains("kept in") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(ended_after < 2.0, "took {ended_after:.2} s to notice");
    let duration = audio::load_for_analysis(&out).unwrap().duration_s();
    assert!(duration > 3.0, "{duration}");
    assert!(wer(PHRASE, &transcribe(&out)) <= 0.2);
}

#[test]
fn recording_without_an_audio_server_fails_cleanly() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("run")).unwrap();
    let output = rehearse(home.path())
        .envs(VirtualMic::env_for(home.path()))
        .env(
            "PULSE_SERVER",
            format!("unix:{}/run/none", home.path().display()),
        )
        .args([
            "record",
            home.path().join("x.wav").to_str().unwrap(),
            "--seconds",
            "2",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Either no device is found, or the stream dies at once: a clear error
    // either way, never a panic or a hang.
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("error:") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
