//! The delivery analysis on the labelled development set
//! (`tests/fixtures/delivery/`, synthesised by `scripts/make-delivery-set.py`):
//! prints recall and precision per filler kind, pace error and pause timing
//! error, and asserts the acceptance floors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rehearse::analyze::{build_report, AnalysisSettings};
use rehearse::asr::model::store;
use rehearse::asr::{FilledPauseProbe, TranscribeOptions, Transcriber};
use rehearse::audio;
use rehearse::report::{FillerKind, Report};
use serde_json::Value;

mod common;

fn dev_set() -> PathBuf {
    let dir = std::env::var_os("REHEARSE_DELIVERY_SET")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/rehearse/delivery-set")
        });
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/delivery/answers.toml");
    let stale = match (
        std::fs::metadata(dir.join("index.json")),
        std::fs::metadata(&fixture),
    ) {
        (Ok(index), Ok(source)) => index.modified().unwrap() < source.modified().unwrap(),
        _ => true,
    };
    if stale {
        let status = std::process::Command::new("/usr/bin/python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/make-delivery-set.py"))
            .arg(&dir)
            .status()
            .expect("python3 runs the dev-set generator");
        assert!(
            status.success(),
            "the delivery dev set could not be generated"
        );
    }
    dir
}

#[derive(Default)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Tally {
    fn add(&mut self, predicted: usize, gold: usize) {
        self.tp += predicted.min(gold);
        self.fp += predicted.saturating_sub(gold);
        self.fn_ += gold.saturating_sub(predicted);
    }
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

fn count_by_text(items: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for t in items {
        *m.entry(t.to_lowercase().trim_end_matches('?').to_string())
            .or_default() += 1;
    }
    m
}

#[test]
fn delivery_dev_set_meets_the_floors() {
    let dir = dev_set();
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let index: Vec<String> = index["ids"]
        .as_array()
        .expect("index.json lists the answer ids")
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    let model = common::real_model();
    let info = store::validate(&model).unwrap();
    let transcriber = Transcriber::load(&model, &info).unwrap();
    let mut probe = FilledPauseProbe::new(&transcriber, 1).unwrap();

    let (mut filled, mut filled_asr_only, mut discourse) =
        (Tally::default(), Tally::default(), Tally::default());
    let mut wpm_errors = Vec::new();
    let mut pause_errors = Vec::new();
    let mut pauses_missed = 0;
    let mut gold_pauses = 0;
    for id in &index {
        let gold: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap())
                .unwrap();
        let wav = audio::load_for_analysis(&dir.join(format!("{id}.wav"))).unwrap();
        let transcript = transcriber
            .transcribe(&wav.samples, &TranscribeOptions::default())
            .unwrap();
        let report: Report = build_report(
            &wav,
            transcript,
            None,
            &AnalysisSettings::default(),
            Some(&mut probe),
        );
        let fillers = &report.delivery.fillers.items;

        let gold_filled = gold["filled_pauses"].as_array().unwrap().len();
        let predicted_filled = fillers
            .iter()
            .filter(|f| f.kind == FillerKind::FilledPause)
            .count();
        let asr_filled = fillers
            .iter()
            .filter(|f| {
                f.kind == FillerKind::FilledPause && f.source == rehearse::report::Source::Asr
            })
            .count();
        filled.add(predicted_filled, gold_filled);
        filled_asr_only.add(asr_filled, gold_filled);

        let gold_discourse = count_by_text(
            gold["discourse"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["text"].as_str().unwrap().to_string()),
        );
        let predicted_discourse = count_by_text(
            fillers
                .iter()
                .filter(|f| f.kind == FillerKind::Discourse)
                .map(|f| f.text.clone()),
        );
        let mut keys: Vec<&String> = gold_discourse
            .keys()
            .chain(predicted_discourse.keys())
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (p, g) = (
                predicted_discourse.get(k).copied().unwrap_or(0),
                gold_discourse.get(k).copied().unwrap_or(0),
            );
            if p != g {
                println!("{id}: discourse {k:?} predicted {p}, gold {g}");
            }
            discourse.add(p, g);
        }
        if predicted_filled != gold_filled {
            println!("{id}: filled pauses predicted {predicted_filled} (asr {asr_filled}), gold {gold_filled}");
        }

        let reference_wpm = gold["reference_wpm"].as_f64().unwrap();
        if let Some(wpm) = report.delivery.wpm {
            let error = ((wpm - reference_wpm) / reference_wpm).abs();
            if error > 0.03 {
                println!(
                    "{id}: {wpm:.0} wpm, reference {reference_wpm:.0} ({:+.1} %): {}",
                    (wpm - reference_wpm) / reference_wpm * 100.0,
                    report.transcript.text
                );
            }
            wpm_errors.push(error);
        }
        for p in gold["pauses"].as_array().unwrap() {
            let (start, end) = (p["start"].as_f64().unwrap(), p["end"].as_f64().unwrap());
            if end - start < 1.0 || p["kind"] != "silence" {
                continue;
            }
            gold_pauses += 1;
            let nearest = report
                .delivery
                .pauses
                .iter()
                .map(|q| (q.start - start).abs())
                .fold(f64::INFINITY, f64::min);
            if nearest <= 0.5 {
                pause_errors.push(nearest);
            } else {
                pauses_missed += 1;
                println!("{id}: pause {start:.2}-{end:.2} not found");
            }
        }
    }
    pause_errors.sort_by(f64::total_cmp);
    let mean_wpm_error = wpm_errors.iter().sum::<f64>() / wpm_errors.len() as f64;
    let max_wpm_error = wpm_errors.iter().copied().fold(0.0, f64::max);
    let worst_pause = pause_errors.last().copied().unwrap_or(0.0);
    println!("answers: {}", index.len());
    println!(
        "filled pauses: recall {:.3} precision {:.3} (transcript alone: recall {:.3} precision {:.3})",
        filled.recall(),
        filled.precision(),
        filled_asr_only.recall(),
        filled_asr_only.precision()
    );
    println!(
        "discourse fillers: recall {:.3} precision {:.3}",
        discourse.recall(),
        discourse.precision()
    );
    println!(
        "wpm error: mean {:.1} %, worst {:.1} %",
        mean_wpm_error * 100.0,
        max_wpm_error * 100.0
    );
    println!(
        "pauses >= 1 s: {} of {gold_pauses} found; onset error median {:.0} ms, worst {:.0} ms",
        pause_errors.len(),
        pause_errors
            .get(pause_errors.len() / 2)
            .copied()
            .unwrap_or(0.0)
            * 1000.0,
        worst_pause * 1000.0
    );
    assert!(
        filled.recall() >= 0.9 && filled.precision() >= 0.9,
        "filled pauses below 0.9"
    );
    assert!(
        discourse.recall() >= 0.95 && discourse.precision() >= 0.95,
        "discourse fillers below 0.95"
    );
    // The pace is the recogniser's word count over the speech time, so on one
    // answer a misheard phrase moves it by several points ("on developer
    // tools again" heard as "and be able to tool in a game": +8 %), and which
    // answer that is changes with the instruction set whisper.cpp was built
    // for and with the decoding strategy. Over the set the error must stay
    // within 5 %; no single answer may be off by more than 10 %.
    assert!(
        mean_wpm_error <= 0.05,
        "wpm off by {:.1} % on average",
        mean_wpm_error * 100.0
    );
    assert!(
        max_wpm_error <= 0.10,
        "wpm off by {:.1} % on one answer",
        max_wpm_error * 100.0
    );
    assert_eq!(pauses_missed, 0, "pauses of 1 s or more missed");
    assert!(worst_pause <= 0.15, "pause onset off by {worst_pause:.3} s");
}
