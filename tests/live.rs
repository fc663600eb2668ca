//! The live path with the real tiny.en model on synthesised speech, fed
//! faster than real time: its final transcript against the batch transcript
//! of the same audio, committed words that never change, falling behind
//! without losing audio, and the timing fields of `analyze --live`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rehearse::analyze::{AnalysisSettings, AnalyzeError};
use rehearse::asr::model::store;
use rehearse::asr::{AsrError, TranscribeOptions, Transcriber};
use rehearse::live::{
    full_pass, BackgroundFullPass, LiveOptions, LiveResult, LiveSession, LiveUpdate,
};
use rehearse::report::Word;
use serde_json::Value;

mod common;
use common::*;

const ANSWER: &str = "In my last role I was responsible for the payments platform, and the business wanted a new checkout flow before the holiday season. \
The risk was obvious: checkout is where we make money, and a bad release would cost us far more than a late one. \
So I split the work by risk. The parts that touched card processing went behind a feature flag, with automated tests in the pipeline and a canary that sent five percent of traffic to the new code. \
The low risk parts, like copy changes and layout, shipped straight away. \
I agreed with the product manager on two numbers to watch: the checkout error rate and the time to complete a purchase. \
We built a dashboard for both and wrote down in advance that we would roll back if errors rose above half a percent. \
On the second day the canary showed a small rise in timeouts from one payment provider, so we turned the flag off in under a minute, fixed the retry logic, and tried again the next morning. \
We reached one hundred percent of traffic a week before the deadline. \
Conversion went up by three percent, and we had no checkout incidents over the holidays. \
What I took from it is that speed and quality are not opposites if you invest in the safety nets that let you undo a mistake quickly.";

/// The answer spoken by espeak-ng, at 16 kHz.
fn spoken_answer(dir: &std::path::Path) -> (std::path::PathBuf, Vec<f32>) {
    let wav = dir.join("answer.wav");
    espeak(ANSWER, &wav, "en-us", 150);
    let audio = rehearse::audio::load_for_analysis(&wav).unwrap();
    (wav, audio.samples)
}

fn load_model() -> Arc<Transcriber> {
    let path = real_model();
    let info = store::validate(&path).unwrap();
    Arc::new(Transcriber::load(&path, &info).unwrap())
}

/// Feeds `samples` in 20 ms blocks at `speed` times real time (0: at once),
/// then presses Stop.
fn feed(session: LiveSession, samples: &[f32], speed: f64) -> LiveResult {
    let feeder = session.feeder();
    let t0 = Instant::now();
    for (i, block) in samples.chunks(320).enumerate() {
        if speed > 0.0 {
            let due = t0 + Duration::from_secs_f64(i as f64 * 0.02 / speed);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        assert!(feeder.push(block));
    }
    session.finish().unwrap()
}

fn same_word(a: &Word, b: &Word) -> bool {
    a.text == b.text && a.start == b.start && a.end == b.end
}

/// Where the live path cuts its windows depends on how fast the decoder keeps
/// up, so the tests of this file take the cores one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn live_transcript_matches_batch_and_committed_words_never_change() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let (_, samples) = spoken_answer(tmp.path());
    let duration = samples.len() as f64 / 16_000.0;
    let transcriber = load_model();
    let batch = transcriber
        .transcribe(&samples, &TranscribeOptions::default())
        .unwrap();

    let updates: Arc<Mutex<Vec<LiveUpdate>>> = Arc::default();
    let sink = updates.clone();
    let options = LiveOptions {
        // Fed twice as fast as real time, the audio runs ahead of the
        // decoder twice as fast too: allow for it.
        max_lag_s: 60.0,
        settings: AnalysisSettings::default(),
        ..LiveOptions::default()
    };
    let session = LiveSession::start(transcriber.clone(), options.clone(), move |u| {
        sink.lock().unwrap().push(u)
    })
    .unwrap();
    let result = feed(session, &samples, 2.0);
    let report = &result.report;
    assert_eq!(result.audio.samples.len(), samples.len(), "no audio lost");
    assert!((report.duration_s - duration).abs() < 1e-6);

    let live_wer = wer(ANSWER, &report.transcript.text);
    let batch_wer = wer(ANSWER, &batch.text);
    println!(
        "{duration:.1} s: live WER {:.1} %, batch WER {:.1} %\nlive:  {}\nbatch: {}",
        live_wer * 100.0,
        batch_wer * 100.0,
        report.transcript.text,
        batch.text
    );
    // Issue #6 asks for live within 1 point of batch. Where windows are cut
    // depends on how fast the decoder keeps up, and on a shared two-core
    // machine live has ranged from 2 points better to 4 points worse (11.3 to
    // 17.4 % against 13.5 %), so that target is measured by
    // bench/live-stop-to-report.sh; this bound catches what would be a bug:
    // a sentence dropped or heard twice at a window's edge (about 8 points).
    assert!(
        live_wer <= batch_wer + 0.06,
        "live WER {live_wer:.3} vs batch {batch_wer:.3}"
    );

    // Committed words, as the updates handed them out, are exactly the start
    // of the final transcript: never revised, never re-timed.
    let updates = updates.lock().unwrap();
    assert!(updates.len() >= 5, "{} updates", updates.len());
    let mut committed: Vec<Word> = Vec::new();
    for u in updates.iter() {
        committed.extend(u.new_committed.iter().cloned());
        assert_eq!(u.committed_count, committed.len());
        assert!(u.elapsed_s <= duration + 1e-6);
        assert!(!u.degraded);
    }
    let words = &report.transcript.words;
    assert!(
        committed.len() > words.len() / 2,
        "only {} of {} words were committed live",
        committed.len(),
        words.len()
    );
    for (i, c) in committed.iter().enumerate() {
        assert!(
            same_word(c, &words[i]),
            "word {i}: {c:?} became {:?}",
            words[i]
        );
    }
    // Captions grew while speaking, and the pace showed up.
    let mid = &updates[updates.len() / 2];
    assert!(mid.caption.split_whitespace().count() > 10, "{mid:?}");
    assert!(updates.iter().any(|u| u.wpm.is_some()));
    let last = updates.last().unwrap();
    assert_eq!(last.band_wpm, [120.0, 160.0]);

    let timing = &report.timing;
    let stop = timing.stop_to_report_s.expect("stop_to_report_s");
    let lag = timing.realtime_lag_s.expect("realtime_lag_s");
    let live = timing.live.as_ref().expect("timing.live");
    println!(
        "stop to report {stop:.2} s, lag {lag:.1} s, tail {:.1} s, probes reused {} / after stop {}",
        live.tail_s, live.probes_reused, live.probes_after_stop
    );
    assert!(live.degraded_at_s.is_none());
    assert!(report.notices.is_empty(), "{:?}", report.notices);

    // The full pass after Stop hears the whole recording in one pass, as
    // batch does but with the lean encoder, and its report keeps the first
    // report's timings.
    let refined = full_pass(&transcriber, &result, &options, Arc::default()).unwrap();
    let lean = transcriber
        .transcribe_in_background(&samples, &TranscribeOptions::default(), Arc::default())
        .unwrap();
    // (The delivery analysis then marks fillers on the words, as in a batch
    // report, so words are compared by their text.)
    assert_eq!(refined.transcript.text, lean.text);
    let texts = |t: &rehearse::report::Transcript| -> Vec<String> {
        t.words.iter().map(|w| w.text.clone()).collect()
    };
    assert_eq!(texts(&refined.transcript), texts(&lean));
    let final_wer = wer(ANSWER, &refined.transcript.text);
    println!(
        "final (full pass) WER {:.1} %, batch {:.1} %",
        final_wer * 100.0,
        batch_wer * 100.0
    );
    assert!(
        (final_wer - batch_wer).abs() <= 0.03,
        "full pass WER {final_wer:.3} vs batch {batch_wer:.3}"
    );
    assert_eq!(refined.timing.stop_to_report_s, Some(stop));
    assert_eq!(refined.timing.realtime_lag_s, Some(lag));
    assert!(refined.timing.full_pass_s.unwrap() > 0.0);
    let changed = refined.timing.live.as_ref().unwrap().words_changed.unwrap();
    println!("the full pass changed {changed} words");
    assert!(report.transcript.text != batch.text || changed == 0);
    assert_eq!(refined.duration_s, report.duration_s);
    assert!(refined.delivery.wpm.is_some());
}

#[test]
fn a_full_pass_cancelled_by_a_new_recording_ends_without_a_report() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let (_, samples) = spoken_answer(tmp.path());
    let transcriber = load_model();
    let options = LiveOptions {
        max_lag_s: 60.0,
        ..LiveOptions::default()
    };
    let session = LiveSession::start(transcriber.clone(), options.clone(), |_| {}).unwrap();
    let result = feed(session, &samples, 0.0);
    let (tx, rx) = std::sync::mpsc::channel();
    let pass =
        BackgroundFullPass::spawn(transcriber, result, options, move |r| tx.send(r).unwrap())
            .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    pass.cancel();
    pass.join();
    match rx.recv().unwrap() {
        Err(AnalyzeError::Asr(AsrError::Cancelled)) => {}
        other => panic!("expected a cancelled pass, got {other:?}"),
    }
}

#[test]
fn a_decoder_that_falls_behind_degrades_to_batch_without_losing_audio() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let (_, once) = spoken_answer(tmp.path());
    // A long answer: the same one twice, after a breath.
    let mut samples = once.clone();
    samples.extend(std::iter::repeat_n(0.0, 8_000));
    samples.extend_from_slice(&once);
    let transcriber = load_model();
    let updates: Arc<Mutex<Vec<LiveUpdate>>> = Arc::default();
    let sink = updates.clone();
    let options = LiveOptions {
        max_lag_s: 1.0,
        ..LiveOptions::default()
    };
    let session = LiveSession::start(transcriber.clone(), options, move |u| {
        sink.lock().unwrap().push(u)
    })
    .unwrap();
    // Forty times real time: no decoder keeps up with that.
    let result = feed(session, &samples, 40.0);
    let report = &result.report;
    assert_eq!(result.audio.samples, samples, "every sample kept");
    let live = report.timing.live.as_ref().unwrap();
    let at = live.degraded_at_s.expect("the session degraded");
    assert!(at < report.duration_s);
    assert!(
        report.notices.iter().any(|n| n.contains("fell behind")),
        "{:?}",
        report.notices
    );
    assert!(updates.lock().unwrap().iter().any(|u| u.degraded));
    // The whole answer is in the transcript, twice.
    let twice = format!("{ANSWER} {ANSWER}");
    let error_rate = wer(&twice, &report.transcript.text);
    println!(
        "degraded at {at:.1} s; WER {:.1} %: {}",
        error_rate * 100.0,
        report.transcript.text
    );
    // tiny.en's WER on this espeak voice is 13–16 % in batch.
    assert!(error_rate <= 0.20, "WER {error_rate:.3}");
    let spoken = normalise_for_wer(&twice).len() as f64;
    let heard = normalise_for_wer(&report.transcript.text).len() as f64;
    assert!(heard > spoken * 0.9, "{heard} words of {spoken}");
    let last_word = report.transcript.words.last().unwrap();
    assert!(last_word.end > report.duration_s - 3.0, "{last_word:?}");
}

#[test]
fn analyze_live_cli_adds_the_timing_fields() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let (wav, _) = spoken_answer(tmp.path());
    let model = real_model();
    let out = rehearse(tmp.path())
        .args(["analyze", "--live", "--speed", "8"])
        .arg(&wav)
        .args(["--model", model.to_str().unwrap(), "--json"])
        .args(["--question", "ship-fast-vs-quality"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema"], "rehearse.report/1");
    let timing = &report["timing"];
    assert!(
        timing["stop_to_report_s"].as_f64().unwrap() > 0.0,
        "{timing}"
    );
    assert!(
        timing["realtime_lag_s"].as_f64().unwrap() >= 0.0,
        "{timing}"
    );
    assert!(timing["live"]["tail_s"].as_f64().is_some(), "{timing}");
    // By default the report is the full pass's, made after the first one.
    assert!(timing["full_pass_s"].as_f64().unwrap() > 0.0, "{timing}");
    assert!(
        timing["live"]["words_changed"].as_u64().is_some(),
        "{timing}"
    );
    assert!(report["score"]["overall"].as_f64().is_some());
    let text = report["transcript"]["text"].as_str().unwrap();
    let error_rate = wer(ANSWER, text);
    assert!(error_rate <= 0.20, "WER {error_rate:.3}: {text}\n{timing}");
}
