//! The critic against labelled answers: the dev set
//! (`tests/fixtures/critic/answers/`) with firm floors, and held-out answers for
//! cards the dev set does not cover (`tests/fixtures/critic/heldout/`) with
//! loose floors. Prints precision, recall and F1 for key points and mistakes,
//! STAR presence accuracy, figures per held-out batch, a per-card breakdown,
//! the misses and the time per answer. Some held-out cards are test-only
//! (`tests/fixtures/critic/cards/`): labels and no cues, like a user's own.
//!
//! Held-out batches from [`SEALED_FROM`] on are sealed and left out;
//! `CRITIC_SEAL=N` leaves out batches N and above instead (a lower N for
//! tuning without seeing a batch, a higher one to measure a sealed batch).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rehearse::critic::{critique, Answer, CriticConfig};
use rehearse::questions::Bank;
use serde::Deserialize;

#[derive(Deserialize)]
struct Star {
    situation: bool,
    task: bool,
    action: bool,
    result: bool,
}

#[derive(Deserialize)]
struct Labelled {
    card: String,
    #[allow(dead_code)]
    quality: String,
    text: String,
    /// Held-out batch (see `docs/critic.md` for which were tuned on).
    #[serde(default)]
    batch: Option<u32>,
    key_points: Vec<String>,
    mistakes: Vec<String>,
    star: Star,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
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
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn accuracy(&self) -> f64 {
        let n = self.tp + self.fp + self.fn_ + self.tn;
        if n == 0 {
            1.0
        } else {
            (self.tp + self.tn) as f64 / n as f64
        }
    }
    fn line(&self) -> String {
        format!(
            "P {:.3}  R {:.3}  F1 {:.3}  (tp {} fp {} fn {})",
            self.precision(),
            self.recall(),
            self.f1(),
            self.tp,
            self.fp,
            self.fn_
        )
    }
}

struct Summary {
    key_points: Counts,
    mistakes: Counts,
    star: Counts,
    answers: usize,
    /// Held-out batch → (key points, mistakes, STAR).
    per_batch: BTreeMap<u32, (Counts, Counts, Counts)>,
}

/// The bundled critic settings, or those overlaid with the file named by
/// `CRITIC_OVERLAY` (to try a change to the word lists without rebuilding).
fn critic_config() -> CriticConfig {
    match std::env::var_os("CRITIC_OVERLAY") {
        Some(path) => CriticConfig::load(Some(Path::new(&path))).expect("the overlay loads"),
        None => CriticConfig::default(),
    }
}

/// The first held-out batch still sealed: written and labelled blind, and
/// left out of every run until it is measured once, after the tuning it is
/// meant to judge (`docs/critic.md`).
const SEALED_FROM: u32 = 10;

/// Held-out batches at or above this are sealed (left out) for this run:
/// [`SEALED_FROM`], or `CRITIC_SEAL=N`.
fn seal() -> u32 {
    std::env::var("CRITIC_SEAL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SEALED_FROM)
}

fn evaluate(name: &str, dir: &Path) -> Summary {
    // Bundled cards plus the test-only cards (labels, no cues: like users' own).
    let bank = Bank::load(&fixtures("cards"));
    assert!(bank.errors.is_empty(), "{:?}", bank.errors);
    let config = critic_config();

    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no answers in {}", dir.display());
    let files: Vec<(PathBuf, Labelled)> = files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let labelled: Labelled =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            (file, labelled)
        })
        .filter(|(_, l)| l.batch.unwrap_or(1) < seal())
        .collect();

    let mut kp = Counts::default();
    let mut mi = Counts::default();
    let mut st = Counts::default();
    let mut per_card: BTreeMap<String, (Counts, Counts, Counts)> = BTreeMap::new();
    let mut per_batch: BTreeMap<u32, (Counts, Counts, Counts)> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut times: Vec<f64> = Vec::new();

    for (file, labelled) in &files {
        let card = bank
            .get(&labelled.card)
            .unwrap_or_else(|| panic!("{}: no card {}", file.display(), labelled.card));
        let started = Instant::now();
        let c = critique(card, &Answer::Text(labelled.text.clone()), &config);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        let entry = per_card.entry(labelled.card.clone()).or_default();
        let batch = per_batch.entry(labelled.batch.unwrap_or(1)).or_default();

        let gold_kp: HashSet<&str> = labelled.key_points.iter().map(|s| s.as_str()).collect();
        for id in &gold_kp {
            assert!(
                card.key_points.iter().any(|p| p.id == *id),
                "{stem}: unknown key point {id}"
            );
        }
        for d in &c.key_points {
            let gold = gold_kp.contains(d.id.as_str());
            kp.add(gold, d.covered);
            entry.0.add(gold, d.covered);
            batch.0.add(gold, d.covered);
            if gold != d.covered {
                misses.push(format!(
                    "{stem}: key point {} {} (score {:.2}, {}; {:?})",
                    d.id,
                    if gold { "MISSED" } else { "FALSELY MADE" },
                    d.score,
                    d.why,
                    d.evidence.as_deref().unwrap_or("-")
                ));
            }
        }
        let gold_mi: HashSet<&str> = labelled.mistakes.iter().map(|s| s.as_str()).collect();
        for id in &gold_mi {
            assert!(
                c.mistakes.iter().any(|m| m.id == *id),
                "{stem}: unknown mistake {id}"
            );
        }
        for d in &c.mistakes {
            let gold = gold_mi.contains(d.id.as_str());
            mi.add(gold, d.present);
            entry.1.add(gold, d.present);
            batch.1.add(gold, d.present);
            if gold != d.present {
                misses.push(format!(
                    "{stem}: mistake {} {} ({}; {:?})",
                    d.id,
                    if gold { "MISSED" } else { "FALSELY FOUND" },
                    d.why,
                    d.evidence.as_deref().unwrap_or("-")
                ));
            }
        }
        let s = &c.structure.star;
        for (part, gold, pred) in [
            ("situation", labelled.star.situation, s.situation.present),
            ("task", labelled.star.task, s.task.present),
            ("action", labelled.star.action, s.action.present),
            ("result", labelled.star.result, s.result.present),
        ] {
            st.add(gold, pred);
            entry.2.add(gold, pred);
            batch.2.add(gold, pred);
            if gold != pred {
                misses.push(format!("{stem}: STAR {part} should be {gold}"));
                if std::env::var_os("CRITIC_DEBUG").is_some() {
                    for sd in &c.sentences {
                        misses.push(format!("      [{:?}] {}", sd.star, sd.text));
                    }
                }
            }
        }
    }

    println!("\n===== critic {name}: {} answers =====", files.len());
    println!("key points : {}", kp.line());
    println!("mistakes   : {}", mi.line());
    println!(
        "STAR parts : accuracy {:.3} ({} of {})",
        st.accuracy(),
        st.tp + st.tn,
        st.tp + st.tn + st.fp + st.fn_
    );
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "time       : {mean:.2} ms per answer on average, median {:.2}, slowest {:.2}",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    if per_batch.len() > 1 {
        for (b, (k, m, s)) in &per_batch {
            println!(
                "batch {b}    : key points F1 {:.3} (P {:.3} R {:.3}), mistakes F1 {:.3} (P {:.3} R {:.3}), STAR {:.3}",
                k.f1(),
                k.precision(),
                k.recall(),
                m.f1(),
                m.precision(),
                m.recall(),
                s.accuracy()
            );
        }
    }
    println!("\nper card (key-point F1 / mistake F1 / STAR accuracy):");
    for (card, (k, m, s)) in &per_card {
        println!(
            "  {card:32} {:.2} / {:.2} / {:.2}",
            k.f1(),
            m.f1(),
            s.accuracy()
        );
    }
    println!("\nmisses ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }
    Summary {
        key_points: kp,
        mistakes: mi,
        star: st,
        answers: files.len(),
        per_batch,
    }
}

fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/critic")
        .join(sub)
}

#[test]
fn dev_set_meets_the_floors() {
    let s = evaluate("dev set", &fixtures("answers"));
    assert_eq!(s.answers, 45);
    assert!(
        s.key_points.f1() >= 0.9,
        "key-point F1 {:.3} < 0.9",
        s.key_points.f1()
    );
    assert!(
        s.mistakes.f1() >= 0.85,
        "mistake F1 {:.3} < 0.85",
        s.mistakes.f1()
    );
    assert!(
        s.star.accuracy() >= 0.9,
        "STAR accuracy {:.3} < 0.9",
        s.star.accuracy()
    );
}

#[test]
fn held_out_answers_meet_loose_floors() {
    let dev_cards: HashSet<String> = std::fs::read_dir(fixtures("answers"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            toml::from_str::<Labelled>(&text).ok().map(|l| l.card)
        })
        .collect();
    for e in std::fs::read_dir(fixtures("heldout")).unwrap().flatten() {
        let l: Labelled = toml::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        assert!(
            !dev_cards.contains(&l.card),
            "{}: held-out answers must be for cards outside the dev set",
            e.path().display()
        );
    }
    let s = evaluate("held-out set", &fixtures("heldout"));
    assert!(s.answers >= 30);
    // Floors just under the figures measured (docs/critic.md), so that a
    // regression fails; batches 4 to 9 were measured once, after all
    // tuning (batch 6 before and after the wider card cues).
    let floors: BTreeMap<u32, (f64, f64, f64)> = [
        (1, (0.85, 0.92, 0.94)),
        (2, (0.72, 0.55, 0.88)),
        (3, (0.68, 0.69, 0.88)),
        (4, (0.64, 0.77, 0.90)),
        (5, (0.40, 0.62, 0.90)),
        (6, (0.73, 0.68, 0.85)),
        (7, (0.66, 0.75, 0.85)),
        (8, (0.72, 0.59, 0.85)),
        (9, (0.52, 0.63, 0.79)),
    ]
    .into_iter()
    .collect();
    for (b, (k, m, st)) in &s.per_batch {
        let f = floors.get(b).copied().unwrap_or((0.0, 0.0, 0.0));
        check(&format!("held-out batch {b}"), k, m, st, f);
    }
    if seal() == SEALED_FROM {
        assert_eq!(s.per_batch.len(), 9);
        check(
            "held-out",
            &s.key_points,
            &s.mistakes,
            &s.star,
            (0.65, 0.69, 0.86),
        );
    }
}

/// Asserts key-point F1, mistake F1 and STAR accuracy floors.
fn check(name: &str, kp: &Counts, mi: &Counts, st: &Counts, floors: (f64, f64, f64)) {
    assert!(
        kp.f1() >= floors.0,
        "{name} key-point F1 {:.3} < {}",
        kp.f1(),
        floors.0
    );
    assert!(
        mi.f1() >= floors.1,
        "{name} mistake F1 {:.3} < {}",
        mi.f1(),
        floors.1
    );
    assert!(
        st.accuracy() >= floors.2,
        "{name} STAR accuracy {:.3} < {}",
        st.accuracy(),
        floors.2
    );
}

/// `CRITIC_EXPLAIN=card-id,…` prints what the critic looks for on those cards.
#[test]
fn explain_cards_on_request() {
    let Ok(ids) = std::env::var("CRITIC_EXPLAIN") else {
        return;
    };
    let bank = Bank::load(&fixtures("cards"));
    let config = critic_config();
    for id in ids.split(',') {
        let card = bank.get(id).unwrap_or_else(|| panic!("no card {id}"));
        println!("== {id}\n{}", rehearse::critic::explain_card(card, &config));
        // CRITIC_TEXT: an answer to judge against the card, point by point.
        if let Ok(text) = std::env::var("CRITIC_TEXT") {
            let c = critique(card, &Answer::Text(text), &config);
            for k in &c.key_points {
                println!("  {} {} {:.2} {}", k.id, k.covered, k.score, k.why);
            }
            for m in &c.mistakes {
                println!("  {} {} {}", m.id, m.present, m.why);
            }
        }
    }
}
