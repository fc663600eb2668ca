//! The practice history in a real SQLite file.

use rehearse::report::Report;
use rehearse::store::{Store, StoreError};

fn report(duration: f64, overall: Option<f64>, wpm: f64) -> Report {
    let mut r = Report::new(duration);
    r.score.overall = overall;
    r.delivery.wpm = Some(wpm);
    r.delivery.fillers.per_minute = Some(2.5);
    r.transcript.text = "I rolled it out to five percent first.".into();
    r
}

#[test]
fn attempts_are_saved_listed_summarised_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rehearse.sqlite");
    let store = Store::open(&path).unwrap();
    let a = store
        .add_attempt(
            "ship-fast-vs-quality",
            &dir.path().join("a.wav"),
            &report(60.0, Some(71.0), 150.0),
        )
        .unwrap();
    let b = store
        .add_attempt(
            "ship-fast-vs-quality",
            &dir.path().join("b.wav"),
            &report(70.0, Some(83.5), 142.0),
        )
        .unwrap();
    let c = store
        .add_attempt(
            "biggest-failure",
            &dir.path().join("c.wav"),
            &report(90.0, None, 130.0),
        )
        .unwrap();

    let all = store.attempts(None).unwrap();
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), vec![c, b, a]);
    let one_card = store.attempts(Some("ship-fast-vs-quality")).unwrap();
    assert_eq!(one_card.len(), 2);
    assert_eq!(one_card[0].wpm, Some(142.0));

    let stats = store.card_stats().unwrap();
    assert_eq!(stats["ship-fast-vs-quality"].attempts, 2);
    assert_eq!(stats["ship-fast-vs-quality"].best_score, Some(83.5));
    assert_eq!(stats["biggest-failure"].best_score, None);

    let full = store.attempt(b).unwrap().unwrap();
    assert_eq!(full.report, report(70.0, Some(83.5), 142.0));
    assert_eq!(full.audio_path, dir.path().join("b.wav"));
    assert!(store.attempt(999).unwrap().is_none());

    assert_eq!(
        store.delete_attempt(a).unwrap(),
        Some(dir.path().join("a.wav"))
    );
    assert_eq!(store.attempts(None).unwrap().len(), 2);
    store.set_setting("paceBand", "[130,170]").unwrap();
    store.set_setting("paceBand", "[120,160]").unwrap();
    assert_eq!(
        store.setting("paceBand").unwrap().as_deref(),
        Some("[120,160]")
    );
    drop(store);

    // Reopening keeps everything and runs no migration twice.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.attempts(None).unwrap().len(), 2);
    let removed = store.delete_all().unwrap();
    assert_eq!(removed.len(), 2);
    assert!(store.attempts(None).unwrap().is_empty());
    assert_eq!(store.setting("paceBand").unwrap(), None);
}

#[test]
fn a_refined_report_replaces_the_first_and_its_listed_scores() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rehearse.sqlite");
    let store = Store::open(&path).unwrap();
    let wav = dir.path().join("a.wav");
    let id = store
        .add_attempt(
            "ship-fast-vs-quality",
            &wav,
            &report(60.0, Some(71.0), 150.0),
        )
        .unwrap();
    let mut refined = report(60.0, Some(74.0), 146.0);
    refined.transcript.text = "I rolled it out to five percent of traffic first.".into();
    refined.timing.full_pass_s = Some(4.2);
    assert!(store.replace_report(id, &refined).unwrap());
    drop(store);

    let store = Store::open(&path).unwrap();
    let attempt = store.attempt(id).unwrap().unwrap();
    assert_eq!(attempt.report, refined);
    assert_eq!(attempt.audio_path, wav);
    let listed = &store.attempts(None).unwrap()[0];
    assert_eq!((listed.overall, listed.wpm), (Some(74.0), Some(146.0)));
    // An attempt deleted while its full pass ran is not brought back.
    store.delete_attempt(id).unwrap();
    assert!(!store.replace_report(id, &refined).unwrap());
    assert!(store.attempts(None).unwrap().is_empty());
}

#[test]
fn a_history_from_a_newer_version_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rehearse.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rehearse.sqlite");
    std::fs::write(&path, "this is not a database, it is a note").unwrap();
    let err = Store::open(&path).err().expect("refused").to_string();
    assert!(err.contains("rehearse.sqlite"), "{err}");
}
