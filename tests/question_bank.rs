//! The question bank: every bundled card is valid, malformed cards are reported
//! with file and line while the rest still load, user cards override.

use std::path::Path;

use rehearse::questions::{Bank, Card, Origin, CATEGORIES};

mod common;

#[test]
fn every_bundled_card_loads_and_covers_every_category() {
    let empty = tempfile::tempdir().unwrap();
    let bank = Bank::load(empty.path());
    assert!(bank.errors.is_empty(), "{:?}", bank.errors);
    assert!(bank.len() >= 40, "{} cards", bank.len());
    for category in CATEGORIES {
        let n = bank.cards().filter(|c| c.category == *category).count();
        assert!(n >= 2, "category {category} has {n} cards");
    }
    let first = bank
        .get("ship-fast-vs-quality")
        .expect("the speed-vs-quality card");
    let ids: Vec<&str> = first.mistakes.iter().map(|m| m.id.as_str()).collect();
    for id in [
        "quality-always-first",
        "skips-tests-no-safety-net",
        "generic-no-practice",
        "process-over-safeguards",
    ] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    for card in bank.cards() {
        assert!((4..=6).contains(&card.key_points.len()), "{}", card.id);
        assert!(
            !card.why_asked.is_empty() && !card.how_to_answer.is_empty(),
            "{}",
            card.id
        );
    }
}

const MINIMAL: &str = r#"
id = "my-card"
title = "My card"
prompt = "Tell me about a time you changed your mind."
category = "growth"

[[key_points]]
id = "names-the-evidence"
label = "Names the evidence that changed their mind"
"#;

#[test]
fn a_minimal_card_takes_the_documented_defaults() {
    let card = Card::parse(MINIMAL, Path::new("my-card.toml")).unwrap();
    assert_eq!(card.target_seconds, [60, 120]);
    assert!(card.mistakes.is_empty() && card.tags.is_empty() && card.key_points[0].cues.is_empty());
    let json = serde_json::to_string(&card).unwrap();
    assert_eq!(Card::parse(&json, Path::new("my-card.json")).unwrap(), card);
}

#[test]
fn malformed_cards_are_reported_with_file_and_line() {
    let cases = [
        (
            MINIMAL.replace("category = \"growth\"", "category = \"growht\""),
            5,
            "unknown category",
        ),
        (
            MINIMAL.replace("title = \"My card\"", "title = \"My card"),
            3,
            "",
        ),
        (
            MINIMAL.replace("label = \"Names", "labl = \"Names"),
            9,
            "labl",
        ),
        (
            format!("{MINIMAL}\n[[mistakes]]\nid = \"names-the-evidence\"\nlabel = \"dup\"\n"),
            8,
            "used twice",
        ),
    ];
    for (text, line, needle) in cases {
        let err = Card::parse(&text, Path::new("cards/bad.toml")).unwrap_err();
        assert_eq!(err.line, Some(line), "{err}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("cards/bad.toml:{line}: ")),
            "{shown}"
        );
        assert!(shown.contains(needle), "{shown}");
    }
}

#[test]
fn user_cards_override_bundled_ones_and_bad_files_do_not_stop_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), "id = \"broken\"\ntitle = ").unwrap();
    let custom = MINIMAL.replace("id = \"my-card\"", "id = \"ship-fast-vs-quality\"");
    std::fs::write(dir.path().join("override.toml"), custom).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a card").unwrap();
    let bank = Bank::load(dir.path());
    assert_eq!(bank.errors.len(), 1);
    assert!(
        bank.errors[0].to_string().contains("broken.toml:2"),
        "{}",
        bank.errors[0]
    );
    assert_eq!(bank.get("ship-fast-vs-quality").unwrap().title, "My card");
    assert!(matches!(
        bank.origin("ship-fast-vs-quality"),
        Some(Origin::User(_))
    ));
    assert!(bank.len() >= 40);
}

#[test]
fn analyze_names_the_question_in_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let model = common::synthetic_ggml(tmp.path());
    let wav = tmp.path().join("a.wav");
    common::espeak("A short answer.", &wav, "en-us", 150);
    let out = common::rehearse(tmp.path())
        .args([
            "analyze",
            wav.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--question",
            "ship-fast-vs-quality",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["question"]["id"], "ship-fast-vs-quality");

    let out = common::rehearse(tmp.path())
        .args([
            "analyze",
            wav.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--question",
            "no-such-card",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-card"));
}
