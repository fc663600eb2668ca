//! Situation / Task / Action / Result: a label for every sentence from cue
//! phrases, who acts, tense, numbers and position; then each part's presence,
//! start time and share of the words, and the structure flags.

use serde::{Deserialize, Serialize};

use crate::report::{Star, StarPart, Structure};

use super::generic::{has_quantity, subject_verbs};
use super::lexicon::Indexed;
use super::points::Ctx;
use super::text::Agent;

/// A sentence's part of the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StarLabel {
    /// Context.
    Situation,
    /// The speaker's responsibility or goal.
    Task,
    /// What was done.
    Action,
    /// What came of it.
    Result,
    /// Opinions, lessons in general, or anything outside a specific story.
    Other,
}

pub use crate::report::StructureFlag;

fn count(ctx: &Ctx, ix: &Indexed, phrases: &[String]) -> usize {
    ctx.phrase_count(ix, phrases, 1).0
}

/// Labels each sentence. `story` is false when the answer tells no specific
/// occasion: then every sentence is [`StarLabel::Other`].
pub fn label_sentences(ctx: &Ctx, indexed: &[Indexed], story: bool) -> Vec<StarLabel> {
    let s = &ctx.config.star;
    let n = indexed.len();
    if !story {
        return vec![StarLabel::Other; n];
    }
    let mut labels = Vec::with_capacity(n);
    let mut seen_action = false;
    for (i, ix) in indexed.iter().enumerate() {
        let pos = if n > 1 {
            i as f64 / (n - 1) as f64
        } else {
            0.0
        };
        let sit = count(ctx, ix, &s.situation) as f64;
        let task = count(ctx, ix, &s.task) as f64;
        let res = count(ctx, ix, &s.result) as f64;
        // A reflection opening the sentence ("I think…") marks it; one inside
        // it ("…and I think in the end she understood") weighs less.
        let (refl, refl_at_start) = ctx.phrase_count(ix, &s.reflection, 1);
        let refl = refl as f64;
        let marks = count(ctx, ix, &s.action_markers) as f64;
        let verbs = subject_verbs(ix);
        let actions = verbs
            .iter()
            .filter(|&&(_, q)| {
                let norm = ix.norm(q);
                ctx.rules.is_past(norm)
                    && !ctx
                        .config
                        .generic
                        .opinion_verbs
                        .iter()
                        .any(|v| ctx.rules.stem(v) == ix.stem(q))
            })
            .count() as f64;
        let first_agent = ix
            .sentence
            .agents
            .first()
            .copied()
            .unwrap_or(Agent::Unknown);
        let number = has_quantity(ctx, ix);

        let mut sc_s = 0.9 * sit + (1.0 - pos) * 0.6 + if i == 0 { 0.9 } else { 0.0 };
        if actions > 0.0 {
            sc_s -= 0.4 * actions;
        }
        if seen_action {
            sc_s -= 0.4;
        }
        let mut sc_t = 1.3 * task;
        // "had to", "needed to" late in the answer are not the task.
        if pos > 0.5 {
            sc_t -= 0.8;
        }
        let mut sc_a = 0.8 * actions.min(2.0) + 0.3 * marks;
        if matches!(first_agent, Agent::Speaker | Agent::Team) {
            sc_a += 0.2;
        }
        // A closing remark in the present ("people appreciate honesty") is
        // a moral, not what happened: position alone does not make it the result.
        let tells_an_event = number || (0..ix.len()).any(|q| ctx.rules.is_past(ix.norm(q)));
        let late_weight = if res > 0.0 || tells_an_event {
            0.5
        } else {
            0.0
        };
        let mut sc_r = 1.0 * res.min(2.0) + pos * late_weight;
        if number && res > 0.0 {
            sc_r += 0.4;
        }
        if pos < 0.34 {
            sc_r -= 0.5;
        }
        if count(ctx, ix, &s.no_outcome) > 0 {
            sc_r = 0.0;
        }
        // Other people reacting late in the story is usually the result.
        if pos >= 0.5 && first_agent == Agent::Other && tells_an_event {
            sc_r += 0.4;
        }
        let sc_o = if refl_at_start { 1.2 } else { 0.5 * refl };
        let scores = [
            (StarLabel::Situation, sc_s),
            (StarLabel::Task, sc_t),
            (StarLabel::Action, sc_a),
            (StarLabel::Result, sc_r),
            (StarLabel::Other, sc_o),
        ];
        let mut best = (StarLabel::Other, 0.45);
        for (label, score) in scores {
            if score > best.1 + 1e-9 {
                best = (label, score);
            }
        }
        // An opening sentence that states the duty is still the scene:
        // `task_mentions` marks the task present from it.
        if i == 0 && best.0 == StarLabel::Task {
            best.0 = StarLabel::Situation;
        }
        if best.0 == StarLabel::Action {
            seen_action = true;
        }
        labels.push(best.0);
    }
    labels
}

/// Sentences in the first half with an explicit task phrase ("I was asked
/// to", "my job was"), even when the sentence is mostly context.
pub fn task_mentions(ctx: &Ctx, indexed: &[Indexed], story: bool) -> Vec<usize> {
    let n = indexed.len();
    if !story {
        return Vec::new();
    }
    (0..n)
        .filter(|&i| {
            (i as f64) < 0.5 * n as f64 && count(ctx, &indexed[i], &ctx.config.star.task) > 0
        })
        .collect()
}

/// Part presence, start and share from the sentence labels; `task_extra`
/// marks the task present (at its first mention) when no sentence is labelled task.
pub fn structure(indexed: &[Indexed], labels: &[StarLabel], task_extra: &[usize]) -> Structure {
    let total: usize = indexed
        .iter()
        .map(|ix| ix.sentence.words.max(ix.len()))
        .sum();
    let part = |want: StarLabel| -> StarPart {
        let mut words = 0usize;
        let mut start = None;
        let mut present = false;
        for (ix, &l) in indexed.iter().zip(labels) {
            if l == want {
                present = true;
                words += ix.sentence.words.max(ix.len());
                if start.is_none() {
                    start = ix.sentence.start;
                }
            }
        }
        StarPart {
            present,
            start,
            share: if total > 0 {
                words as f64 / total as f64
            } else {
                0.0
            },
        }
    };
    let mut task = part(StarLabel::Task);
    if !task.present {
        if let Some(&i) = task_extra.first() {
            task.present = true;
            task.start = indexed[i].sentence.start;
        }
    }
    Structure {
        star: Star {
            situation: part(StarLabel::Situation),
            task,
            action: part(StarLabel::Action),
            result: part(StarLabel::Result),
        },
        ..Structure::default()
    }
}

/// Structure problems: a missing or tiny result, an action that is not the
/// largest part, a long situation preamble.
pub fn flags(
    ctx: &Ctx,
    structure: &Structure,
    story: bool,
    indexed: &[Indexed],
    labels: &[StarLabel],
) -> Vec<StructureFlag> {
    let s = &ctx.config.star;
    let star = &structure.star;
    let mut out = Vec::new();
    let at_of = |want: StarLabel| {
        indexed
            .iter()
            .zip(labels)
            .find(|(_, &l)| l == want)
            .and_then(|(ix, _)| ix.sentence.start)
    };
    if !story {
        out.push(StructureFlag {
            id: "no_story".into(),
            message: "The answer talks in general terms; tell one specific occasion from start to finish.".into(),
            at: None,
        });
        return out;
    }
    if !star.action.present {
        out.push(StructureFlag {
            id: "missing_action".into(),
            message: "Say what you yourself did, step by step.".into(),
            at: None,
        });
    }
    if !star.result.present {
        out.push(StructureFlag {
            id: "missing_result".into(),
            message:
                "The story stops before its result: end with what happened because of what you did."
                    .into(),
            at: indexed.last().and_then(|ix| ix.sentence.end),
        });
    } else if star.result.share < s.tiny_result_share {
        out.push(StructureFlag {
            id: "tiny_result".into(),
            message: format!(
                "The result is only {:.0}% of the answer; give it more room, with a number if you can.",
                star.result.share * 100.0
            ),
            at: star.result.start,
        });
    }
    let largest_other = star
        .situation
        .share
        .max(star.task.share)
        .max(star.result.share);
    if star.action.present && star.action.share + 1e-9 < largest_other {
        out.push(StructureFlag {
            id: "action_not_largest".into(),
            message: format!(
                "The action is {:.0}% of the answer, less than another part; spend most of the time on what you did.",
                star.action.share * 100.0
            ),
            at: star.action.start,
        });
    }
    if star.situation.share > s.long_situation_share {
        out.push(StructureFlag {
            id: "long_situation".into(),
            message: format!(
                "The situation takes {:.0}% of the answer; get to the task sooner.",
                star.situation.share * 100.0
            ),
            at: at_of(StarLabel::Situation),
        });
    }
    out
}
