//! Unit tests of the critic's rules: negation, attribution, cue-less labels,
//! the generic mistakes, STAR labels, the summary, transcripts and settings.

use super::*;
use crate::questions::{Bank, Point};
use crate::report::Word;

fn point(id: &str, label: &str, cues: &[&str]) -> Point {
    Point {
        id: id.into(),
        label: label.into(),
        cues: cues.iter().map(|c| c.to_string()).collect(),
    }
}

fn card(key_points: Vec<Point>, mistakes: Vec<Point>) -> Card {
    Card {
        id: "test-card".into(),
        title: "A test question".into(),
        prompt: "Tell me about a release.".into(),
        category: "judgement".into(),
        why_asked: String::new(),
        how_to_answer: Vec::new(),
        target_seconds: [60, 120],
        key_points,
        mistakes,
        sample_outline: None,
        tags: Vec::new(),
    }
}

fn run(card: &Card, text: &str) -> Critique {
    critique(card, &Answer::Text(text.into()), &CriticConfig::default())
}

fn covered(c: &Critique, id: &str) -> bool {
    c.key_points.iter().find(|k| k.id == id).unwrap().covered
}

fn present(c: &Critique, id: &str) -> bool {
    c.mistakes.iter().find(|m| m.id == id).unwrap().present
}

fn measure_card() -> Card {
    card(
        vec![
            point(
                "metric",
                "Measures the impact with a concrete metric",
                &["measured the impact", "error rate"],
            ),
            point(
                "rollback",
                "Has a rollback plan ready",
                &["rollback plan", "roll back"],
            ),
        ],
        Vec::new(),
    )
}

#[test]
fn negation_blocks_a_point() {
    let c = run(
        &measure_card(),
        "We shipped the search change last spring. We never measured the impact on that release.",
    );
    assert!(!covered(&c, "metric"), "{:?}", c.key_points);
    let c = run(
        &measure_card(),
        "We shipped the search change last spring. I measured the impact on the error rate, which fell from 2 percent to 0.5 percent.",
    );
    assert!(covered(&c, "metric"));
    assert!(c.key_points[0]
        .evidence
        .as_deref()
        .unwrap()
        .contains("error rate"));
}

#[test]
fn other_peoples_actions_do_not_make_the_speakers_point() {
    let c = run(
        &measure_card(),
        "I wrote most of the code for the release. My manager set up the rollback plan and the dashboards.",
    );
    assert!(!covered(&c, "rollback"), "{:?}", c.key_points);
    let c = run(
        &measure_card(),
        "I wrote most of the code for the release. I set up the rollback plan myself.",
    );
    assert!(covered(&c, "rollback"));
    // "…rolled it back and fixed it": the colleague stays the subject.
    let c = run(
        &measure_card(),
        "My colleague rolled the change back and fixed the formatting.",
    );
    assert!(!covered(&c, "rollback"));
}

#[test]
fn a_point_without_cues_is_matched_from_its_label() {
    let card = card(
        vec![point(
            "feedback-first",
            "Asks customers for feedback before building",
            &[],
        )],
        Vec::new(),
    );
    let c = run(
        &card,
        "Before we built anything, I asked three of our customers for feedback on paper mock-ups.",
    );
    assert!(covered(&c, "feedback-first"), "{:?}", c.key_points);
    let c = run(
        &card,
        "I built the whole feature over a weekend and shipped it on Monday.",
    );
    assert!(!covered(&c, "feedback-first"));
}

#[test]
fn absence_mistakes_follow_the_key_point_they_name() {
    let card = card(
        vec![point(
            "lesson",
            "Shows the lesson was applied later through a concrete change",
            &["since then", "now I always"],
        )],
        vec![point("no-lesson", "Never says what they learned", &[])],
    );
    let c = run(
        &card,
        "I missed a bug in review last year and it broke the export. I fixed it the next day.",
    );
    assert!(present(&c, "no-lesson"));
    let c = run(
        &card,
        "I missed a bug in review last year and it broke the export. Since then I run the export tests before I approve anything.",
    );
    assert!(!present(&c, "no-lesson"));
}

#[test]
fn no_example_and_no_result_for_general_answers() {
    let card = measure_card();
    let c = run(&card, "I always make sure everything is tested. Usually I push for more time. I think quality matters most.");
    assert!(present(&c, "no_example"));
    assert!(present(&c, "no_result"));
    assert!(!c.story);
    assert!(!c.structure.star.action.present);
    let c = run(&card, "Last year I led the checkout release. I wrote the tests and set up the dashboard. We launched on time and conversion went up 4 percent.");
    assert!(!present(&c, "no_example"));
    assert!(!present(&c, "no_result"));
    assert!(!present(&c, "no_metric"));
}

#[test]
fn no_metric_when_the_result_has_no_number() {
    let c = run(
        &measure_card(),
        "Last year I led the checkout release. I wrote the tests and reviewed every change. In the end it went well and the customers were happy.",
    );
    assert!(!present(&c, "no_result"));
    assert!(present(&c, "no_metric"));
    // Vague amounts and idioms are not numbers.
    let c = run(
        &measure_card(),
        "Last year I led the checkout release. I wrote the tests. In the end a couple of customers noticed and I gave it a hundred percent.",
    );
    assert!(present(&c, "no_metric"));
}

#[test]
fn blaming_others_is_found() {
    let c = run(
        &measure_card(),
        "A deploy of mine broke the login page. Honestly the QA team should have caught it. I pushed a fix that evening.",
    );
    assert!(present(&c, "blames_others"));
    let c = run(
        &measure_card(),
        "A deploy of mine broke the login page. I should have caught it in review. I pushed a fix that evening.",
    );
    assert!(!present(&c, "blames_others"));
    // What someone had never done before, and users counted, are not blame.
    for text in [
        "She knew the customers well but had never written SQL. I paired with her for a month.",
        "I pulled the numbers, and 18 percent of people who reached the photo step never got past it.",
    ] {
        assert!(!present(&run(&measure_card(), text), "blames_others"), "{text}");
    }
    let c = run(
        &measure_card(),
        "I led the migration. One of the engineers never tested his part, so it broke.",
    );
    assert!(present(&c, "blames_others"));
}

#[test]
fn absolutes_about_oneself_are_found_but_not_past_events() {
    let c = run(
        &measure_card(),
        "I never miss a deadline. Last year I shipped the export on time.",
    );
    assert!(present(&c, "absolutes"));
    let c = run(
        &measure_card(),
        "Last year I shipped the export. We never measured the impact on that release, and our product people never write specs.",
    );
    assert!(!present(&c, "absolutes"), "{:?}", c.mistakes);
}

#[test]
fn we_throughout_without_i() {
    let c = run(
        &measure_card(),
        "We had a deadline last month. We decided to skip the tests. We shipped it and we fixed the bugs later. I guess it worked out.",
    );
    assert!(present(&c, "we_not_i"));
    let c = run(
        &measure_card(),
        "We had a deadline last month. We decided to skip the tests. I wrote the rollback script myself. We shipped it on time.",
    );
    assert!(!present(&c, "we_not_i"));
}

#[test]
fn star_labels_for_typical_sentences() {
    let c = run(
        &measure_card(),
        "At my last job our checkout page was slow and customers were dropping off. \
         My job was to get the load time under two seconds before the sale. \
         I profiled the page and found three blocking scripts. \
         Then I moved them behind the first render and added a cache. \
         In the end load time dropped from five seconds to 1.8 seconds and conversion went up 6 percent.",
    );
    let labels: Vec<StarLabel> = c.sentences.iter().map(|s| s.star).collect();
    assert_eq!(
        labels,
        vec![
            StarLabel::Situation,
            StarLabel::Task,
            StarLabel::Action,
            StarLabel::Action,
            StarLabel::Result
        ]
    );
    let star = &c.structure.star;
    assert!(
        star.situation.present && star.task.present && star.action.present && star.result.present
    );
    assert!(star.action.share > star.situation.share);
    assert!(!c.flags.iter().any(|f| f.id == "missing_result"));
}

#[test]
fn structure_flags_a_missing_result() {
    let c = run(
        &measure_card(),
        "At my last job our checkout page was slow. I profiled the page and found three blocking scripts. Then I moved them behind the first render.",
    );
    assert!(!c.structure.star.result.present);
    assert!(c.flags.iter().any(|f| f.id == "missing_result"));
}

#[test]
fn the_summary_names_this_cards_key_points() {
    let bank = Bank::load(std::path::Path::new("/nonexistent-rehearse-dir"));
    let card = bank.get("ship-fast-vs-quality").unwrap();
    let c = run(
        card,
        "Last spring I owned a checkout release with three weeks to ship. I put the payment step behind a feature flag and wrote integration tests. \
         We launched on time and conversion went up four percent.",
    );
    assert!(c.coach_note.contains(&card.title));
    let made: Vec<&KeyPointDetail> = c.key_points.iter().filter(|k| k.covered).collect();
    let missing: Vec<&KeyPointDetail> = c.key_points.iter().filter(|k| !k.covered).collect();
    assert!(!made.is_empty() && !missing.is_empty());
    let lower = c.coach_note.to_lowercase();
    assert!(
        lower.contains(&made[0].label.to_lowercase()),
        "{}",
        c.coach_note
    );
    assert!(
        lower.contains(&missing[0].label.to_lowercase()),
        "{}",
        c.coach_note
    );
    assert!(!c.summary.strengths.is_empty() && c.summary.strengths.len() <= 3);
    assert!(!c.summary.improvements.is_empty() && c.summary.improvements.len() <= 3);
    for f in c.summary.strengths.iter().chain(&c.summary.improvements) {
        assert!(
            f.evidence.is_some() || f.at.is_some(),
            "finding points nowhere: {f:?}"
        );
    }
    // Another card gives another note.
    let other = bank.get("biggest-failure").unwrap();
    assert_ne!(
        run(other, "Last spring I owned a checkout release.").coach_note,
        c.coach_note
    );
}

#[test]
fn scores_have_parts_and_fold_in_delivery() {
    let config = CriticConfig::default();
    let card = measure_card();
    let answer = Answer::Text("Last year I measured the impact on the error rate: it fell by half. I had a rollback plan ready.".into());
    let without = critique(&card, &answer, &config);
    let with = critique_with_delivery(&card, &answer, Some(0.0), &config);
    assert!(without.score.delivery.is_none());
    assert!(with.score.overall.unwrap() < without.score.overall.unwrap());
    assert_eq!(with.score.content, without.score.content);
    assert_eq!(with.score_parts.overall.len(), 3);
    assert_eq!(without.score_parts.content.len(), 2);
    for v in [
        without.score.overall,
        without.score.content,
        without.score.structure,
    ] {
        let v = v.unwrap();
        assert!((0.0..=100.0).contains(&v));
    }
}

fn transcript(text: &str) -> crate::report::Transcript {
    let mut words = Vec::new();
    let mut t = 0.5;
    for w in text.split_whitespace() {
        words.push(Word {
            text: format!(" {w}"),
            start: t,
            end: t + 0.3,
            confidence: 0.9,
            filler: false,
        });
        t += 0.4;
    }
    crate::report::Transcript {
        text: text.into(),
        segments: Vec::new(),
        words,
    }
}

#[test]
fn transcripts_give_sentence_and_part_times() {
    let text = "At my last job our checkout page was slow. I profiled the page and found three blocking scripts. \
                In the end load time dropped from five seconds to two.";
    let c = critique(
        &measure_card(),
        &Answer::Transcript(transcript(text)),
        &CriticConfig::default(),
    );
    assert_eq!(c.sentences.len(), 3);
    assert_eq!(c.sentences[0].start, Some(0.5));
    assert!(c.sentences[1].start.unwrap() > 3.0);
    assert_eq!(c.structure.star.result.start, c.sentences[2].start);
    let mut report = crate::report::Report::new(20.0);
    c.apply_to(&mut report);
    assert_eq!(report.question.as_ref().unwrap().id, "test-card");
    assert!(report.content.is_some() && report.structure.is_some());
}

#[test]
fn settings_load_and_override_one_field_or_concept() {
    let dir = std::env::temp_dir().join(format!("rehearse-critic-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("critic.toml");
    std::fs::write(
        &path,
        "[matching]\ncovered_threshold = 0.95\n[concepts]\nundo = [\"roll back\", \"unship\"]\n",
    )
    .unwrap();
    let config = CriticConfig::load(Some(&path)).unwrap();
    assert_eq!(config.matching.covered_threshold, 0.95);
    assert_eq!(
        config.concepts["undo"],
        vec!["roll back".to_string(), "unship".to_string()]
    );
    assert!(config.concepts.contains_key("monitor"));
    std::fs::write(&path, "[concepts]\nbroken = [\"@nowhere\"]\n").unwrap();
    let err = CriticConfig::load(Some(&path)).unwrap_err().to_string();
    assert!(err.contains("nowhere"), "{err}");
    assert!(CriticConfig::load(None).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_bundled_card_can_be_explained_and_critiqued() {
    let bank = Bank::load(std::path::Path::new("/nonexistent-rehearse-dir"));
    let config = CriticConfig::default();
    for card in bank.cards() {
        assert!(!explain_card(card, &config).is_empty());
        let c = critique(card, &Answer::Text(String::new()), &config);
        assert_eq!(c.key_points.len(), card.key_points.len());
        assert!(c.key_points.iter().all(|k| !k.covered));
    }
}

#[test]
fn cue_less_labels_match_through_related_terms() {
    let c = card(
        vec![
            point("prompt", "Raises concerns promptly", &[]),
            point("later", "Checks later whether things changed", &[]),
        ],
        Vec::new(),
    );
    let r = run(
        &c,
        "Last spring I saw the nightly import failing. I flagged the problem straight away to the data team. Two weeks later I checked in with them.",
    );
    assert!(covered(&r, "prompt"), "{:?}", r.key_points);
    assert!(covered(&r, "later"), "{:?}", r.key_points);
    let r = run(
        &c,
        "Last spring I saw the nightly import failing. I fixed the script myself.",
    );
    assert!(!covered(&r, "prompt"), "{:?}", r.key_points);
    assert!(!covered(&r, "later"), "{:?}", r.key_points);
}

#[test]
fn effort_durations_are_not_the_results_number() {
    let c = run(
        &measure_card(),
        "Last year I led the data migration. We worked late for the last two weeks to finish it. In the end it went live and the customers were happy.",
    );
    assert!(present(&c, "no_metric"), "{:?}", c.mistakes);
    let c = run(
        &measure_card(),
        "Last year I led the data migration. We worked late to finish it. In the end the client renewed for another three years.",
    );
    assert!(!present(&c, "no_metric"), "{:?}", c.mistakes);
}

#[test]
fn soft_blame_and_team_absolutes_are_found() {
    let c = run(
        &measure_card(),
        "Last year our release slipped by a month, which wasn't our fault. I rewrote the plan.",
    );
    assert!(present(&c, "blames_others"), "{:?}", c.mistakes);
    let c = run(
        &measure_card(),
        "Last year our release slipped. The vendor never answered our emails. I rewrote the plan.",
    );
    assert!(present(&c, "blames_others"), "{:?}", c.mistakes);
    let c = run(
        &measure_card(),
        "Everyone always pulls together in our team. Last year I shipped the export on time.",
    );
    assert!(present(&c, "absolutes"), "{:?}", c.mistakes);
}

#[test]
fn blame_absolutes_and_absences_in_user_wording() {
    // An unnamed outside party's failure, told as an event: blame.
    let c = run(
        &measure_card(),
        "Last year our launch slipped. The supplier never answered our emails. I rewrote the plan.",
    );
    assert!(present(&c, "blames_others"), "{:?}", c.mistakes);
    // What someone had never done before is not a complaint about them.
    let c = run(
        &measure_card(),
        "Last year I onboarded a support engineer who had never worked with our product. I paired with her for a week.",
    );
    assert!(!present(&c, "blames_others"), "{:?}", c.mistakes);
    // A "who" clause describing the speaker carries their sweeping claim.
    let c = run(
        &measure_card(),
        "I'm the kind of person who always sees problems coming. Last year I shipped the export on time.",
    );
    assert!(present(&c, "absolutes"), "{:?}", c.mistakes);
    // "doesn't …" in a user's label marks an absence as "never …" does.
    let card = card(
        vec![point("outcome", "says how it turned out in the end", &[])],
        vec![point("no-outcome", "doesn't say how it turned out", &[])],
    );
    let c = run(
        &card,
        "Last year I rewrote our release checklist. I walked the team through it on a Friday.",
    );
    assert!(present(&c, "no-outcome"), "{:?}", c.mistakes);
    let c = run(
        &card,
        "Last year I rewrote our release checklist. In the end it turned out we shipped twice as often.",
    );
    assert!(!present(&c, "no-outcome"), "{:?}", c.mistakes);
}

#[test]
fn counterfactuals_do_not_make_a_point() {
    let card = card(
        vec![point(
            "early-warning",
            "Raises the risk early with the people who own it",
            &["raised it early", "flagged it early"],
        )],
        vec![],
    );
    let c = run(
        &card,
        "Last year our migration slipped by a month. Looking back, I should have raised it early with my manager.",
    );
    assert!(!covered(&c, "early-warning"), "{:?}", c.key_points);
    let c = run(
        &card,
        "Last year I saw the migration would slip, so I raised it early with my manager and we moved the date.",
    );
    assert!(covered(&c, "early-warning"), "{:?}", c.key_points);
}

#[test]
fn prepared_points_are_reused_but_an_edited_card_is_prepared_afresh() {
    let config = CriticConfig::default();
    let answer = Answer::Text("We agreed to watch the churn numbers every morning.".into());
    let original = measure_card();
    let first = critique(&original, &answer, &config);
    let again = critique(&original, &answer, &config);
    assert_eq!(
        format!("{:?}", first.key_points),
        format!("{:?}", again.key_points)
    );
    assert!(!covered(&first, "metric"));

    // The same settings, a card edited to name what the answer says.
    let mut edited = original.clone();
    edited.key_points[0].cues.push("churn numbers".into());
    let after_edit = critique(&edited, &answer, &config);
    let why = |c: &Critique| c.key_points[0].why.clone();
    assert!(!why(&first).contains("churn numbers"), "{}", why(&first));
    assert!(
        why(&after_edit).contains("churn numbers"),
        "{}",
        why(&after_edit)
    );
}

#[test]
fn general_terms_make_no_point_when_the_card_asks_for_an_occasion() {
    let general = "I always have a rollback plan ready before a release. \
        I measure the error rate whenever something ships.";
    let mut story_card = measure_card();
    story_card.prompt = "Tell me about a time you shipped something risky.".into();
    let c = run(&story_card, general);
    assert!(present(&c, "no_example"));
    assert!(!covered(&c, "rollback"));
    let why = &c
        .key_points
        .iter()
        .find(|k| k.id == "rollback")
        .unwrap()
        .why;
    assert!(why.contains("only in general terms"), "{why}");
    // A prompt that asks for a view, not a story, still takes general terms.
    let mut view_card = measure_card();
    view_card.prompt = "How do you make releases safe?".into();
    assert!(covered(&run(&view_card, general), "rollback"));
}

#[test]
fn records_over_a_career_are_absolutes_and_not_knowing_is_no_result() {
    let card = measure_card();
    for text in [
        "Last year I led the checkout release. I've never missed a deadline.",
        "Last year I led the checkout release. Never missed a launch date in my career.",
    ] {
        assert!(present(&run(&card, text), "absolutes"), "{text}");
    }
    let c = run(
        &card,
        "Last year I led the checkout release. We have never had an outage since.",
    );
    assert!(!present(&c, "absolutes"));
    let c = run(
        &card,
        "Last year a customer complained about a refund. I passed it on to billing. I don't know what happened after that.",
    );
    assert!(present(&c, "no_result"), "{:?}", c.sentences);
}

#[test]
fn an_uncommon_one_word_cue_makes_a_point_alone() {
    let card = card(
        vec![
            point(
                "replanned",
                "Changes the plan after the feedback",
                &["reworked"],
            ),
            point("built", "Takes part in delivery", &["I built"]),
        ],
        Vec::new(),
    );
    let c = run(
        &card,
        "Last spring I reworked the signup flow over two sprints.",
    );
    assert!(covered(&c, "replanned"));
    let c = run(
        &card,
        "Last spring I built a small tool for the support desk.",
    );
    assert!(!covered(&c, "built"));
}

#[test]
fn a_cue_less_label_can_be_made_over_two_sentences() {
    let card = card(
        vec![point("mapped", "Drew a diagram of the services", &[])],
        Vec::new(),
    );
    let c = run(
        &card,
        "Last year I joined the payments team. I drew it all out on the whiteboard. \
         It showed every one of the services and how they talked.",
    );
    assert!(covered(&c, "mapped"), "{:?}", c.key_points);
    let why = &c.key_points[0].why;
    assert!(why.contains("two sentences"), "{why}");
}
