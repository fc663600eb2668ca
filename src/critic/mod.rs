//! The content and structure critic: offline, deterministic and explainable.
//!
//! [`critique`] judges one answer (typed text or a timed transcript) against a
//! question card: which key points it makes and where, which mistakes it makes
//! (the card's and six generic ones), how it is organised as Situation / Task /
//! Action / Result, the scores, and a summary that points at the sentences.
//! Everything it matches on is data in `assets/critic.toml`
//! ([`CriticConfig::load`]). An optional language model ([`llm`]) can add to
//! the rule result, never replace it. How it decides: `docs/critic.md`.

pub mod config;
pub mod generic;
pub mod lexicon;
pub mod llm;
pub mod points;
pub mod star;
pub mod text;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::questions::Card;
use crate::report::{
    Content, Finding, KeyPointResult, MistakeResult, QuestionRef, Report, Score, Source, Structure,
    Summary, Transcript,
};

pub use config::{ConfigError, CriticConfig, LlmConfig};
pub use star::{StarLabel, StructureFlag};

use lexicon::Indexed;
use points::{Ctx, PointSig};

/// What is critiqued.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A typed or pasted answer: no times.
    Text(String),
    /// A transcript with word times.
    Transcript(Transcript),
}

/// One key point of the card, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPointDetail {
    /// Key point id.
    pub id: String,
    /// Its label on the card.
    pub label: String,
    /// Made or not.
    pub covered: bool,
    /// The sentence that makes it (or came closest, when not made).
    pub evidence: Option<String>,
    /// When that sentence starts, in seconds.
    pub at: Option<f64>,
    /// Who decided: the rules or the language model.
    pub source: Source,
    /// The rule score (covered at or above the threshold).
    pub score: f64,
    /// Why, in words.
    pub why: String,
}

/// One mistake, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MistakeDetail {
    /// Mistake id (a card id, or a generic id such as `no_metric`).
    pub id: String,
    /// Label.
    pub label: String,
    /// A generic mistake rather than one of the card's.
    pub generic: bool,
    /// Present or not.
    pub present: bool,
    /// The sentence that shows it.
    pub evidence: Option<String>,
    /// When that sentence starts, in seconds.
    pub at: Option<f64>,
    /// Who decided.
    pub source: Source,
    /// Why, in words.
    pub why: String,
}

/// One sentence of the answer with its STAR label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceDetail {
    /// The sentence.
    pub text: String,
    /// Start in seconds, for transcripts.
    pub start: Option<f64>,
    /// End in seconds.
    pub end: Option<f64>,
    /// Its part of the story.
    pub star: StarLabel,
}

/// One part of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorePart {
    /// Part name.
    pub name: String,
    /// 0–100.
    pub value: f64,
    /// Weight in its score.
    pub weight: f64,
    /// What it measures.
    pub note: String,
}

/// The parts each score is made of.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreParts {
    /// Content.
    pub content: Vec<ScorePart>,
    /// Structure.
    pub structure: Vec<ScorePart>,
    /// Overall.
    pub overall: Vec<ScorePart>,
}

/// Everything the critic found. `content`, `structure`, `score` and `summary`
/// fill the report; the rest is the detail behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Critique {
    /// The card answered.
    pub question: QuestionRef,
    /// Key points and mistakes for the report.
    pub content: Content,
    /// STAR parts for the report.
    pub structure: Structure,
    /// Scores, delivery included when it was given.
    pub score: Score,
    /// Strengths and improvements.
    pub summary: Summary,
    /// A short note naming this question's key points.
    pub coach_note: String,
    /// Key points with labels, scores, explanations and sources.
    pub key_points: Vec<KeyPointDetail>,
    /// Mistakes with labels and sources.
    pub mistakes: Vec<MistakeDetail>,
    /// Sentences with STAR labels.
    pub sentences: Vec<SentenceDetail>,
    /// Structure problems.
    pub flags: Vec<StructureFlag>,
    /// How each score was made.
    pub score_parts: ScoreParts,
    /// Whether the answer tells a specific occasion.
    pub story: bool,
    /// Notices (e.g. the language model fell back).
    pub notices: Vec<String>,
}

/// Judges `answer` against `card` with the rules alone.
pub fn critique(card: &Card, answer: &Answer, config: &CriticConfig) -> Critique {
    critique_with_delivery(card, answer, None, config)
}

/// Like [`critique`], folding a delivery score (0–100) into the overall score.
pub fn critique_with_delivery(
    card: &Card,
    answer: &Answer,
    delivery: Option<f64>,
    config: &CriticConfig,
) -> Critique {
    let compiled = config.compiled();
    let ctx = Ctx::new(config, &compiled);
    let raw = match answer {
        Answer::Text(text) => text::split_text(text)
            .into_iter()
            .map(|s| {
                let n = s.split_whitespace().count();
                (s, None, None, n)
            })
            .collect(),
        Answer::Transcript(t) => text::split_transcript(t),
    };
    let sentences: Vec<text::Sentence> = raw
        .into_iter()
        .map(|(s, start, end, n)| compiled.rules.sentence(&s, start, end, n))
        .collect();
    let indexed: Vec<Indexed> = sentences
        .iter()
        .map(|s| compiled.lexicon.index(s))
        .collect();
    let duration = answer_duration(answer, &sentences, config);

    // Key points.
    let kp_sigs: Vec<Arc<PointSig>> = card
        .key_points
        .iter()
        .map(|p| ctx.prepared(p, false))
        .collect();
    let episodes = generic::episode_sentences(&ctx, &indexed);
    let story = episodes.len() >= config.generic.min_episodes;
    // The card asks for one occasion and the answer speaks in general terms:
    // "I always flag risks early" is not the point made in a story.
    let general_answer_to_story_card = !story && asks_for_story(card, config);
    let threshold = config.matching.covered_threshold;
    let key_points: Vec<KeyPointDetail> = kp_sigs
        .iter()
        .map(|sig| {
            let mut m = ctx.best(sig, &indexed);
            if general_answer_to_story_card && m.score >= threshold {
                m.why = format!(
                    "{}, but only in general terms: the question asks for one occasion",
                    m.why
                );
                m.score = m.score.min(threshold - 0.01);
            }
            let covered = m.score >= threshold;
            let s = sentences.get(m.sentence);
            let close = m.score > 0.3;
            KeyPointDetail {
                id: sig.id.clone(),
                label: sig.label.clone(),
                covered,
                evidence: if close {
                    s.map(|s| s.text.clone())
                } else {
                    None
                },
                at: if close { s.and_then(|s| s.start) } else { None },
                source: Source::Rules,
                score: (m.score * 100.0).round() / 100.0,
                why: if m.score > 0.0 {
                    m.why
                } else {
                    "nothing close".into()
                },
            }
        })
        .collect();

    // STAR and generic checks.
    let labels = star::label_sentences(&ctx, &indexed, story);
    let task_extra = star::task_mentions(&ctx, &indexed, story);
    let structure = star::structure(&indexed, &labels, &task_extra);
    let flags = star::flags(&ctx, &structure, story, &indexed, &labels);

    let mut mistakes = Vec::new();
    for point in &card.mistakes {
        let sig = ctx.prepared(point, true);
        mistakes.push(card_mistake(
            &ctx,
            &sig,
            &kp_sigs,
            &key_points,
            &indexed,
            &sentences,
            duration,
            card,
        ));
    }
    mistakes.extend(generic_mistakes(&ctx, &indexed, &sentences, &labels, story));

    let sentence_details = sentences
        .iter()
        .zip(&labels)
        .map(|(s, &l)| SentenceDetail {
            text: s.text.clone(),
            start: s.start,
            end: s.end,
            star: l,
        })
        .collect();

    let mut critique = Critique {
        question: QuestionRef {
            id: card.id.clone(),
            title: card.title.clone(),
        },
        content: Content::default(),
        structure,
        score: Score {
            delivery,
            ..Score::default()
        },
        summary: Summary::default(),
        coach_note: String::new(),
        key_points,
        mistakes,
        sentences: sentence_details,
        flags,
        score_parts: ScoreParts::default(),
        story,
        notices: Vec::new(),
    };
    critique.finish(card, config);
    critique
}

/// The rule critique, then the language model's opinion merged in when
/// `config.llm.enabled`; any failure of the model leaves the rule result and
/// adds a notice.
pub fn critique_with_llm(
    card: &Card,
    answer: &Answer,
    delivery: Option<f64>,
    config: &CriticConfig,
) -> Critique {
    let mut critique = critique_with_delivery(card, answer, delivery, config);
    if config.llm.enabled {
        llm::refine(card, &mut critique, &config.llm, config);
    }
    critique
}

/// What the critic looks for on a card, in words: each key point's and
/// mistake's label features and cues as prepared for matching. For tuning a
/// card's cues and for the docs.
pub fn explain_card(card: &Card, config: &CriticConfig) -> String {
    let compiled = config.compiled();
    let ctx = Ctx::new(config, &compiled);
    let mut out = String::new();
    for (points, mistake) in [(&card.key_points, false), (&card.mistakes, true)] {
        for p in points {
            let sig = ctx.sig(p, mistake);
            out.push_str(&format!(
                "{} {}: label [{}]{}{}{}\n",
                if mistake { "mistake" } else { "key point" },
                sig.id,
                sig.features
                    .iter()
                    .map(|(g, w)| format!(
                        "{}{}",
                        ctx.feature_name(g),
                        if *w < 1.0 {
                            format!("({w})")
                        } else {
                            String::new()
                        }
                    ))
                    .collect::<Vec<_>>()
                    .join(", "),
                if sig.needs_agent { "" } else { " agent-free" },
                if sig.needs_number {
                    " needs-number"
                } else {
                    ""
                },
                match &sig.absent {
                    Some(a) => format!(
                        " absent[{}]",
                        a.iter()
                            .map(|(g, _)| ctx.feature_name(g))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => String::new(),
                }
            ));
            for cue in &sig.cues {
                out.push_str(&format!("    cue {:?}: {}\n", cue.text, cue.describe(&ctx)));
            }
        }
    }
    out
}

fn answer_duration(answer: &Answer, sentences: &[text::Sentence], config: &CriticConfig) -> f64 {
    if let Answer::Transcript(t) = answer {
        if let (Some(first), Some(last)) = (t.words.first(), t.words.last()) {
            return (last.end - first.start).max(0.0);
        }
    }
    let words: usize = sentences.iter().map(|s| s.words).sum();
    words as f64 / config.matching.words_per_minute * 60.0
}

#[allow(clippy::too_many_arguments)]
fn card_mistake(
    ctx: &Ctx,
    sig: &PointSig,
    kp_sigs: &[Arc<PointSig>],
    key_points: &[KeyPointDetail],
    indexed: &[Indexed],
    sentences: &[text::Sentence],
    duration: f64,
    card: &Card,
) -> MistakeDetail {
    let mut detail = MistakeDetail {
        id: sig.id.clone(),
        label: sig.label.clone(),
        generic: false,
        present: false,
        evidence: None,
        at: None,
        source: Source::Rules,
        why: String::new(),
    };
    if sig.length {
        let limit = card.target_seconds[1] as f64 * ctx.config.matching.length_factor;
        detail.present = duration > limit;
        detail.why = format!(
            "about {duration:.0} s against a target of at most {} s",
            card.target_seconds[1]
        );
        if detail.present {
            detail.at = Some(card.target_seconds[1] as f64);
        }
        return detail;
    }
    if let Some(absent) = &sig.absent {
        let link = ctx.link(absent, kp_sigs);
        let linked_covered = link.is_some_and(|k| key_points[k].covered);
        let loose = ctx.loosely_found(absent, indexed);
        detail.present = !linked_covered && loose.is_none();
        detail.why = match (link, loose) {
            (Some(k), _) if linked_covered => {
                format!("the key point \"{}\" is made", key_points[k].label)
            }
            (_, Some(si)) => {
                detail.evidence = Some(sentences[si].text.clone());
                detail.at = sentences[si].start;
                "mentioned, at least in passing".into()
            }
            (Some(k), None) => format!(
                "nothing like it, and the key point \"{}\" is not made",
                key_points[k].label
            ),
            (None, None) => "nothing like it in the answer".into(),
        };
        if detail.present {
            detail.evidence = None;
            detail.at = sentences.last().and_then(|s| s.end);
        } else if detail.evidence.is_none() {
            if let Some(k) = link {
                detail.evidence = key_points[k].evidence.clone();
                detail.at = key_points[k].at;
            }
        }
        return detail;
    }
    let m = ctx.best(sig, indexed);
    detail.present = m.score >= ctx.config.matching.mistake_threshold;
    if detail.present {
        if let Some(absent) = &sig.absent_with_cues {
            if let Some(si) = ctx.loosely_found(absent, indexed) {
                detail.present = false;
                detail.why = format!(
                    "{}, but the answer does mention it: {}",
                    m.why, sentences[si].text
                );
                return detail;
            }
        }
        detail.evidence = sentences.get(m.sentence).map(|s| s.text.clone());
        detail.at = sentences.get(m.sentence).and_then(|s| s.start);
    }
    detail.why = m.why;
    detail
}

/// Whether the card's prompt asks for one occasion ("Tell me about a time…").
fn asks_for_story(card: &Card, config: &CriticConfig) -> bool {
    let prompt = format!(" {} ", card.prompt.to_lowercase());
    config
        .generic
        .story_prompts
        .iter()
        .any(|p| prompt.contains(&format!(" {p} ")))
}

fn generic_mistakes(
    ctx: &Ctx,
    indexed: &[Indexed],
    sentences: &[text::Sentence],
    labels: &[StarLabel],
    story: bool,
) -> Vec<MistakeDetail> {
    let at = |si: Option<usize>| si.and_then(|i| sentences.get(i)).and_then(|s| s.start);
    let ev = |si: Option<usize>| si.and_then(|i| sentences.get(i)).map(|s| s.text.clone());
    let mk = |id: &str, present: bool, si: Option<usize>, why: String| MistakeDetail {
        id: id.to_string(),
        label: generic::label(id).to_string(),
        generic: true,
        present,
        evidence: if present { ev(si) } else { None },
        at: if present { at(si) } else { None },
        source: Source::Rules,
        why,
    };
    let mut out = Vec::new();
    out.push(mk(
        "no_example",
        !story,
        if story { None } else { Some(0) },
        if story {
            "tells a specific occasion".into()
        } else {
            "only habits, opinions or a general account: no sentence tells one thing you did on one occasion".into()
        },
    ));
    let result_sentences: Vec<usize> = (0..labels.len())
        .filter(|&i| labels[i] == StarLabel::Result)
        .collect();
    let has_result = !result_sentences.is_empty();
    out.push(mk(
        "no_result",
        !has_result,
        sentences.len().checked_sub(1),
        if has_result {
            "states an outcome".into()
        } else {
            "no sentence says what came of it".into()
        },
    ));
    // A number in a result sentence, or in a sentence that measures an
    // effect ("unusable for fifteen minutes", "conversion went up").
    let measures: Vec<usize> = ["impact_measure", "improve", "metric_word"]
        .iter()
        .filter_map(|n| ctx.lexicon.id(n))
        .collect();
    let measures_effect = |i: usize| measures.iter().any(|&c| !indexed[i].occ[c].is_empty());
    // Figures told before the speaker acts are the problem's size, not the result.
    let story_moves = labels
        .iter()
        .position(|&l| matches!(l, StarLabel::Action | StarLabel::Result))
        .unwrap_or(labels.len());
    let metric = result_sentences
        .iter()
        .copied()
        .chain(
            (story_moves..indexed.len())
                .filter(|&i| labels[i] != StarLabel::Situation && measures_effect(i)),
        )
        .find(|&i| generic::has_result_quantity(ctx, &indexed[i], measures_effect(i)));
    let no_metric = has_result && metric.is_none();
    out.push(mk(
        "no_metric",
        no_metric,
        result_sentences.last().copied(),
        match (has_result, metric) {
            (false, _) => "no result to measure".into(),
            (true, Some(i)) => format!("the result has a number: {}", sentences[i].text),
            (true, None) => "the result has no number".into(),
        },
    ));
    let blame = generic::blame(ctx, indexed);
    out.push(mk(
        "blames_others",
        blame.is_some(),
        blame,
        if blame.is_some() {
            "puts the fault on someone else".into()
        } else {
            String::new()
        },
    ));
    let abs = generic::absolute(ctx, indexed);
    out.push(mk(
        "absolutes",
        abs.is_some(),
        abs,
        if abs.is_some() {
            "a sweeping claim about yourself".into()
        } else {
            String::new()
        },
    ));
    let (i_actions, we, first_we) = generic::i_actions_and_we(ctx, indexed);
    let we_not_i = i_actions == 0 && we >= ctx.config.generic.we_min;
    out.push(mk(
        "we_not_i",
        we_not_i,
        first_we,
        format!("\"I\" does something {i_actions} times, \"we\" {we} times"),
    ));
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn quote(s: &str) -> String {
    format!("\u{201c}{}\u{201d}", lower_first(s.trim_end_matches('.')))
}

impl Critique {
    /// Rebuilds the report parts, scores, summary and coach note from the
    /// details (after the rules, and again after a language model adds to them).
    pub fn finish(&mut self, card: &Card, config: &CriticConfig) {
        self.content = Content {
            key_points: self
                .key_points
                .iter()
                .map(|k| KeyPointResult {
                    id: k.id.clone(),
                    covered: k.covered,
                    evidence: if k.covered { k.evidence.clone() } else { None },
                    label: k.label.clone(),
                    at: if k.covered { k.at } else { None },
                    source: Some(k.source),
                })
                .collect(),
            mistakes: self
                .mistakes
                .iter()
                .map(|m| MistakeResult {
                    id: m.id.clone(),
                    present: m.present,
                    evidence: if m.present { m.evidence.clone() } else { None },
                    label: m.label.clone(),
                    generic: m.generic,
                    at: if m.present { m.at } else { None },
                    source: Some(m.source),
                })
                .collect(),
        };
        self.compute_scores(config);
        self.summarise(card);
    }

    fn compute_scores(&mut self, config: &CriticConfig) {
        let sc = &config.scoring;
        let total = self.key_points.len().max(1) as f64;
        let covered = self.key_points.iter().filter(|k| k.covered).count() as f64;
        let kp_value = 100.0 * covered / total;
        let card_mistakes = self
            .mistakes
            .iter()
            .filter(|m| m.present && !m.generic)
            .count() as f64;
        let generic_mistakes = self
            .mistakes
            .iter()
            .filter(|m| m.present && m.generic)
            .count() as f64;
        let mistakes_value = (100.0
            - card_mistakes * sc.card_mistake_penalty
            - generic_mistakes * sc.generic_mistake_penalty)
            .max(0.0);
        let content = sc.key_point_share * kp_value + (1.0 - sc.key_point_share) * mistakes_value;
        let mut parts = ScoreParts {
            content: vec![
                ScorePart {
                    name: "key_points".into(),
                    value: kp_value,
                    weight: sc.key_point_share,
                    note: format!("{covered} of {total} key points made"),
                },
                ScorePart {
                    name: "mistakes".into(),
                    value: mistakes_value,
                    weight: 1.0 - sc.key_point_share,
                    note: format!(
                        "{card_mistakes} card mistakes (−{} each), {generic_mistakes} generic mistakes (−{} each)",
                        sc.card_mistake_penalty, sc.generic_mistake_penalty
                    ),
                },
            ],
            ..ScoreParts::default()
        };
        let star = &self.structure.star;
        let weight = |k: &str| sc.part_weights.get(k).copied().unwrap_or(0.0);
        let mut structure = 0.0;
        let weight_sum: f64 = ["situation", "task", "action", "result"]
            .iter()
            .map(|k| weight(k))
            .sum();
        for (name, part) in [
            ("situation", &star.situation),
            ("task", &star.task),
            ("action", &star.action),
            ("result", &star.result),
        ] {
            let value = if part.present { 100.0 } else { 0.0 };
            structure += value * weight(name) / weight_sum.max(1e-9);
            parts.structure.push(ScorePart {
                name: name.into(),
                value,
                weight: weight(name) / weight_sum.max(1e-9),
                note: if part.present {
                    format!("{:.0}% of the answer", part.share * 100.0)
                } else {
                    "missing".into()
                },
            });
        }
        let penalised: Vec<&StructureFlag> = self
            .flags
            .iter()
            .filter(|f| {
                !matches!(
                    f.id.as_str(),
                    "missing_result" | "missing_action" | "no_story"
                )
            })
            .collect();
        let flag_loss = penalised.len() as f64 * sc.flag_penalty;
        if !penalised.is_empty() {
            parts.structure.push(ScorePart {
                name: "flags".into(),
                value: -flag_loss,
                weight: 1.0,
                note: penalised
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let structure = (structure - flag_loss).clamp(0.0, 100.0);
        let ow = |k: &str| sc.overall_weights.get(k).copied().unwrap_or(0.0);
        let mut items = vec![
            ("content", content, ow("content")),
            ("structure", structure, ow("structure")),
        ];
        if let Some(d) = self.score.delivery {
            items.push(("delivery", d.clamp(0.0, 100.0), ow("delivery")));
        }
        let wsum: f64 = items.iter().map(|i| i.2).sum();
        let overall = items.iter().map(|i| i.1 * i.2).sum::<f64>() / wsum.max(1e-9);
        for (name, value, w) in &items {
            parts.overall.push(ScorePart {
                name: (*name).into(),
                value: *value,
                weight: w / wsum.max(1e-9),
                note: String::new(),
            });
        }
        let round = |v: f64| (v * 10.0).round() / 10.0;
        self.score.content = Some(round(content));
        self.score.structure = Some(round(structure));
        self.score.overall = Some(round(overall));
        self.score_parts = parts;
    }

    fn summarise(&mut self, card: &Card) {
        let mut strengths: Vec<(f64, Finding)> = Vec::new();
        for k in self.key_points.iter().filter(|k| k.covered) {
            strengths.push((
                1.0 + k.score.min(1.2),
                Finding {
                    message: format!("You made the point: {}.", k.label.trim_end_matches('.')),
                    at: k.at,
                    evidence: k.evidence.clone(),
                },
            ));
        }
        let result_metric = self
            .sentences
            .iter()
            .position(|s| s.star == StarLabel::Result)
            .filter(|_| {
                !self
                    .mistakes
                    .iter()
                    .any(|m| m.id == "no_metric" && m.present)
            });
        if self.structure.star.result.present && result_metric.is_some() {
            let s = &self.sentences[result_metric.unwrap_or(0)];
            let metric_sentence = self
                .sentences
                .iter()
                .filter(|s| s.star == StarLabel::Result)
                .find(|s| s.text.chars().any(|c| c.is_ascii_digit()) || s.text.contains("percent"))
                .unwrap_or(s);
            strengths.push((
                1.5,
                Finding {
                    message: "You closed with a concrete, measurable result.".into(),
                    at: metric_sentence.start,
                    evidence: Some(metric_sentence.text.clone()),
                },
            ));
        }
        if self.structure.star.action.present && self.structure.star.action.share >= 0.4 {
            let s = self.sentences.iter().find(|s| s.star == StarLabel::Action);
            strengths.push((
                1.4,
                Finding {
                    message: format!(
                        "Most of the answer ({:.0}%) is what you did, which is what the interviewer wants to hear.",
                        self.structure.star.action.share * 100.0
                    ),
                    at: s.and_then(|s| s.start),
                    evidence: s.map(|s| s.text.clone()),
                },
            ));
        }
        strengths.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));

        let mut improvements: Vec<(f64, Finding)> = Vec::new();
        let last_end = self.sentences.last().and_then(|s| s.end);
        for m in self.mistakes.iter().filter(|m| m.present) {
            let (priority, message) = if m.generic {
                match m.id.as_str() {
                    "no_example" => (3.0, "Tell one specific occasion: when it was, what you did, what happened.".to_string()),
                    "no_result" => (2.8, "Finish the story: say what happened in the end because of what you did.".to_string()),
                    "no_metric" => (2.0, "Put a number on the result: how much, how many, how fast, compared with before.".to_string()),
                    "blames_others" => (2.6, "Take the focus off other people's failings; say what you could control and did.".to_string()),
                    "absolutes" => (2.2, "Drop the sweeping claims (always, never, everyone); a specific example is more convincing.".to_string()),
                    "we_not_i" => (2.5, "Say what you did: swap some \"we\" for \"I\" where it was your action.".to_string()),
                    _ => (2.0, m.label.clone()),
                }
            } else {
                (
                    2.7,
                    format!("Avoid this: {}.", m.label.trim_end_matches('.')),
                )
            };
            improvements.push((
                priority,
                Finding {
                    message,
                    at: m.at.or(if m.evidence.is_none() { last_end } else { None }),
                    evidence: m.evidence.clone(),
                },
            ));
        }
        for (k, point) in self
            .key_points
            .iter()
            .enumerate()
            .filter(|(_, k)| !k.covered)
        {
            let hint = card
                .key_points
                .iter()
                .find(|p| p.id == point.id)
                .and_then(|p| p.cues.first())
                .map(|c| format!(" (for example: \"{c}\")"))
                .unwrap_or_default();
            let message = match &point.evidence {
                Some(_) => format!(
                    "Make this point outright: {}{hint}. You came close here.",
                    point.label.trim_end_matches('.')
                ),
                None => format!(
                    "Add this point: {}{hint}.",
                    point.label.trim_end_matches('.')
                ),
            };
            improvements.push((
                2.4 - k as f64 * 0.01,
                Finding {
                    message,
                    at: point.at.or(last_end),
                    evidence: point.evidence.clone(),
                },
            ));
        }
        for f in &self.flags {
            if matches!(f.id.as_str(), "missing_result" | "no_story")
                && self
                    .mistakes
                    .iter()
                    .any(|m| m.present && (m.id == "no_result" || m.id == "no_example"))
            {
                continue;
            }
            improvements.push((
                1.5,
                Finding {
                    message: f.message.clone(),
                    at: f.at,
                    evidence: None,
                },
            ));
        }
        improvements.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        // Something missing points at where it belongs: after the last action,
        // or at the end of the answer.
        let anchor = self
            .sentences
            .iter()
            .rev()
            .find(|s| s.star == StarLabel::Action)
            .or(self.sentences.last());
        if let Some(anchor) = anchor {
            for (_, f) in improvements.iter_mut() {
                if f.evidence.is_none() && f.at.is_none() {
                    f.evidence = Some(anchor.text.clone());
                    f.at = anchor.start;
                }
            }
        }

        self.coach_note = self.coach_note_for(card);
        self.summary = Summary {
            strengths: strengths.into_iter().take(3).map(|(_, f)| f).collect(),
            improvements: improvements.into_iter().take(3).map(|(_, f)| f).collect(),
            coach_note: Some(self.coach_note.clone()),
        };
    }

    fn coach_note_for(&self, card: &Card) -> String {
        let made: Vec<&KeyPointDetail> = self.key_points.iter().filter(|k| k.covered).collect();
        let missing: Vec<&KeyPointDetail> = self.key_points.iter().filter(|k| !k.covered).collect();
        let mut note = format!("For \u{201c}{}\u{201d}, ", card.title);
        if made.is_empty() {
            note.push_str(&format!(
                "none of the {} key points came through yet.",
                self.key_points.len()
            ));
        } else {
            let names: Vec<String> = made.iter().take(3).map(|k| quote(&k.label)).collect();
            note.push_str(&format!(
                "you made {} of {} key points: {}{}.",
                made.len(),
                self.key_points.len(),
                join_and(&names),
                if made.len() > 3 { " and more" } else { "" }
            ));
        }
        if let Some(first) = missing.first() {
            let rest: Vec<String> = missing
                .iter()
                .skip(1)
                .take(2)
                .map(|k| quote(&k.label))
                .collect();
            note.push_str(&format!(" The biggest gap: {}", quote(&first.label)));
            if !rest.is_empty() {
                note.push_str(&format!("; then {}", join_and(&rest)));
            }
            note.push('.');
        } else {
            note.push_str(" Every key point is there; now tighten it.");
        }
        if let Some(m) = self.mistakes.iter().find(|m| m.present && !m.generic) {
            note.push_str(&format!(" Watch for this mistake: {}.", quote(&m.label)));
        } else if let Some(m) = self.mistakes.iter().find(|m| m.present) {
            note.push_str(&format!(
                " Also: {}.",
                lower_first(m.label.trim_end_matches('.'))
            ));
        }
        note
    }

    /// Fills the critic's parts of a report: question, content, structure,
    /// scores (keeping the report's delivery score when this critique has
    /// none), summary and notices.
    pub fn apply_to(&self, report: &mut Report) {
        report.question = Some(self.question.clone());
        report.content = Some(self.content.clone());
        report.structure = Some(self.structure.clone());
        report.score.content = self.score.content;
        report.score.structure = self.score.structure;
        report.score.overall = self.score.overall;
        if self.score.delivery.is_some() {
            report.score.delivery = self.score.delivery;
        }
        report.summary = self.summary.clone();
        report.notices.extend(self.notices.iter().cloned());
        if let Some(structure) = report.structure.as_mut() {
            structure.sentences = self
                .sentences
                .iter()
                .map(|s| crate::report::StarSentence {
                    text: s.text.clone(),
                    start: s.start,
                    end: s.end,
                    part: serde_json::to_value(s.star)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                })
                .collect();
            structure.flags = self.flags.clone();
        }
        let parts = |list: &[ScorePart]| {
            list.iter()
                .map(|p| crate::report::ScorePart {
                    name: p.name.clone(),
                    score: p.value,
                    weight: p.weight,
                    detail: p.note.clone(),
                })
                .collect()
        };
        report.score.parts = crate::report::ScoreBreakdown {
            content: parts(&self.score_parts.content),
            structure: parts(&self.score_parts.structure),
            overall: parts(&self.score_parts.overall),
        };
    }
}

fn join_and(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

#[cfg(test)]
mod tests;
