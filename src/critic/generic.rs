//! The generic mistakes, checked on every answer whatever the card:
//! `no_example`, `no_result`, `no_metric`, `blames_others`, `absolutes`,
//! `we_not_i`.

use super::config::ABSOLUTE_EXEMPT;
use super::lexicon::Indexed;
use super::points::Ctx;
use super::text::Agent;

/// Ids of the generic mistakes, in report order.
pub const IDS: [&str; 6] = [
    "no_example",
    "no_result",
    "no_metric",
    "blames_others",
    "absolutes",
    "we_not_i",
];

/// A generic mistake's human label.
pub fn label(id: &str) -> &'static str {
    match id {
        "no_example" => "Gives no concrete example",
        "no_result" => "Never states an outcome",
        "no_metric" => "States a result with no number",
        "blames_others" => "Blames other people",
        "absolutes" => "Makes sweeping claims (always, never) about themselves",
        "we_not_i" => "Says \"we\" throughout and never what \"I\" did",
        _ => "",
    }
}

fn phrases_in(ctx: &Ctx, ix: &Indexed, phrases: &[String], gap: usize) -> Vec<(usize, usize)> {
    ctx.phrase_hits(ix, phrases, gap)
}

/// Whether a sentence holds a quantity that measures a result: as
/// [`has_quantity`], but how long something was done for ("worked evenings for
/// the last three weeks", "paused features for a month") is the effort, not
/// the result, unless the sentence measures an effect ("down for an hour").
pub fn has_result_quantity(ctx: &Ctx, ix: &Indexed, measures_effect: bool) -> bool {
    if !has_quantity(ctx, ix) {
        return false;
    }
    if measures_effect {
        return true;
    }
    let spans: Vec<(usize, usize)> = (0..ix.len())
        .filter(|&p| ix.norm(p) == "for")
        .map(|p| {
            // "for", then up to three of "the", "last", "next", "first",
            // "about", "a", "an", "over", then the amount.
            let mut q = p + 1;
            while q < ix.len()
                && q <= p + 4
                && matches!(
                    ix.norm(q),
                    "the"
                        | "last"
                        | "next"
                        | "first"
                        | "about"
                        | "around"
                        | "almost"
                        | "nearly"
                        | "over"
                        | "a"
                        | "an"
                        | "another"
                        | "most"
                )
            {
                q += 1;
            }
            (p, (q + 2).min(ix.len()))
        })
        .collect();
    let idioms = phrases_in(ctx, ix, &ctx.config.generic.quantity_idioms, 0);
    (0..ix.len()).any(|p| {
        if !quantity_at(ctx, ix, &idioms, p, EFFORT_UNITS) {
            return false;
        }
        // Inside "for … <unit>": a duration of effort.
        let in_for = spans.iter().any(|&(s, e)| {
            // Only the speaker's (or their team's) own effort.
            matches!(
                ix.sentence.agent_at(ix.words[s]),
                Agent::Speaker | Agent::Team
            ) && s < p
                && p < e
                && (p + 1..(p + 3).min(ix.len())).any(|u| unit_at(ctx, ix, u, EFFORT_UNITS))
        });
        !in_for
    })
}

/// Units a stretch of effort is counted in ("for three weeks", "a weekend").
const EFFORT_UNITS: &[&str] = &[
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "quarter",
    "sprint",
    "fortnight",
    "evening",
    "night",
    "weekend",
];

/// Units that make "a"/"an" an amount when no figure is said ("a day
/// earlier", "by a third").
const AMOUNT_UNITS: &[&str] = &[
    "minute", "hour", "day", "week", "month", "year", "quarter", "sprint", "third", "half",
];

/// Whether word `q` is one of `units` (any inflection).
fn unit_at(ctx: &Ctx, ix: &Indexed, q: usize, units: &[&str]) -> bool {
    units.iter().any(|u| ix.stem(q) == ctx.rules.stem(u))
}

/// Whether word `p` is a real quantity: a figure or "percent" that is not a
/// moment, a vague amount, an idiom or a year; or "a"/"an" before one of
/// `units`.
fn quantity_at(
    ctx: &Ctx,
    ix: &Indexed,
    idioms: &[(usize, usize)],
    p: usize,
    units: &[&str],
) -> bool {
    let t = &ix.sentence.tokens[ix.words[p]];
    if matches!(t.norm.as_str(), "a" | "an") && p + 1 < ix.len() && unit_at(ctx, ix, p + 1, units) {
        return true;
    }
    if !(t.number || t.norm == "percent") || names_a_moment(ix, p) {
        return false;
    }
    let vague = ctx
        .config
        .generic
        .vague_quantities
        .iter()
        .any(|v| v == &t.norm);
    let idiom = idioms.iter().any(|&(s, e)| s <= p && p < e);
    // A year ("in 2019") is a date, not a measurement.
    let year = t.norm.len() == 4 && (t.norm.starts_with("19") || t.norm.starts_with("20"));
    !(vague || idiom || year)
}

/// Whether the number at `p` names a moment rather than an amount: a time of
/// day ("at 6am") or a calendar period ("by the end of the quarter").
fn names_a_moment(ix: &Indexed, p: usize) -> bool {
    let word = ix.norm(p);
    let next = |k: usize| (p + k < ix.len()).then(|| ix.norm(p + k));
    let digits_then = |suffix: &str| {
        word.strip_suffix(suffix)
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    };
    if digits_then("am") || digits_then("pm") || matches!(next(1), Some("am" | "pm" | "o")) {
        return true;
    }
    // "by the end of the quarter", "this quarter": a deadline, not a measure
    // ("over the next quarter" is how long something took).
    if word == "quarter" && p > 0 && next(1) != Some("of") {
        let before = ix.norm(p - 1);
        if matches!(before, "this" | "that" | "last")
            || (before == "the" && p > 1 && ix.norm(p - 2) == "of")
        {
            return true;
        }
    }
    false
}

/// Whether a sentence holds a real quantity: digits, number words, fractions or
/// percentages, but not vague amounts ("a couple") or idioms ("a hundred percent").
pub fn has_quantity(ctx: &Ctx, ix: &Indexed) -> bool {
    let idioms = phrases_in(ctx, ix, &ctx.config.generic.quantity_idioms, 0);
    (0..ix.len()).any(|p| quantity_at(ctx, ix, &idioms, p, AMOUNT_UNITS))
}

const SKIP_AFTER_SUBJECT: &[&str] = &[
    "also",
    "then",
    "just",
    "really",
    "actually",
    "first",
    "finally",
    "even",
    "still",
    "quickly",
    "immediately",
    "usually",
    "always",
    "never",
    "not",
    "will",
    "would",
    "can",
    "could",
    "should",
    "do",
    "did",
    "does",
    "have",
    "has",
    "had",
    "am",
    "was",
    "were",
    "be",
    "been",
    "only",
    "personally",
    "eventually",
    "later",
    "soon",
    "simply",
    "basically",
    "often",
    "sometimes",
    "probably",
];

/// The verb after each "I" or "we" subject: `(subject is "we", verb word
/// position)`. A verb after "have"/"has" (present perfect) or "am"/"are" is
/// reported as `None`-like by [`subject_verbs_tensed`].
pub fn subject_verbs(ix: &Indexed) -> Vec<(bool, usize)> {
    subject_verbs_tensed(ix)
        .into_iter()
        .map(|(w, q, _)| (w, q))
        .collect()
}

/// Like [`subject_verbs`], with whether the verb tells a finished past event
/// (not present perfect, not present).
pub fn subject_verbs_tensed(ix: &Indexed) -> Vec<(bool, usize, bool)> {
    let mut out = Vec::new();
    for p in 0..ix.len() {
        let n = ix.norm(p);
        if n != "i" && n != "we" {
            continue;
        }
        let mut q = p + 1;
        let mut simple_past = true;
        while q < ix.len() && q <= p + 4 && SKIP_AFTER_SUBJECT.contains(&ix.norm(q)) {
            if matches!(
                ix.norm(q),
                "have" | "has" | "am" | "are" | "is" | "will" | "would" | "can" | "do" | "does"
            ) {
                simple_past = false;
            }
            // "I had to", "we had a": "had" is the verb unless followed by a past participle.
            if matches!(ix.norm(q), "had" | "was" | "were" | "did")
                && q + 1 < ix.len()
                && !ix.sentence.tokens[ix.words[q + 1]].norm.ends_with("ed")
                && !matches!(
                    ix.norm(q + 1),
                    "not" | "never" | "also" | "just" | "already" | "really"
                )
            {
                break;
            }
            q += 1;
        }
        if q < ix.len() {
            out.push((n == "we", q, simple_past));
        }
    }
    out
}

fn is_opinion(ctx: &Ctx, ix: &Indexed, q: usize) -> bool {
    let stem = ix.stem(q);
    ctx.config
        .generic
        .opinion_verbs
        .iter()
        .any(|v| ctx.rules.stem(v) == stem)
}

/// Sentences that tell one concrete thing the speaker (or their team) did:
/// "I"/"we" followed by a past-tense verb of doing, or an occasion marker.
pub fn episode_sentences(ctx: &Ctx, indexed: &[Indexed]) -> Vec<usize> {
    let g = &ctx.config.generic;
    let mut out = Vec::new();
    for (si, ix) in indexed.iter().enumerate() {
        let verbs = subject_verbs_tensed(ix);
        let action = verbs.iter().any(|&(_, q, simple_past)| {
            let n = ix.norm(q);
            simple_past && ctx.rules.is_past(n) && !is_opinion(ctx, ix, q)
        });
        let occasion = !phrases_in(ctx, ix, &g.occasion_markers, 0).is_empty();

        let habit = !phrases_in(ctx, ix, &g.habit_markers, 0).is_empty();
        if (action || occasion) && !habit {
            out.push(si);
        }
    }
    out
}

/// "I" followed by a verb of doing (any tense), and the count of "we" subjects.
pub fn i_actions_and_we(ctx: &Ctx, indexed: &[Indexed]) -> (usize, usize, Option<usize>) {
    let mut i_actions = 0;
    let mut we = 0;
    let mut first_we = None;
    for (si, ix) in indexed.iter().enumerate() {
        for (is_we, q) in subject_verbs(ix) {
            if is_we {
                we += 1;
                first_we.get_or_insert(si);
            } else if !is_opinion(ctx, ix, q) && !ix.sentence.tokens[ix.words[q]].punct {
                i_actions += 1;
            }
        }
    }
    (i_actions, we, first_we)
}

/// Whether word `p` follows "had", "has" or "have": what someone had not
/// done before ("had never written SQL"), not a complaint.
fn perfect_at(ix: &Indexed, p: usize) -> bool {
    p > 0 && matches!(ix.norm(p - 1), "had" | "has" | "have" | "'d")
}

/// Whether the clause of word `p` counts its people before it ("18 percent
/// of people… never got past it", "half the users never…"): a measurement
/// of users, not a complaint about someone.
fn counted_subject(ix: &Indexed, p: usize) -> bool {
    // Back to the start of the clause, across a "who" ("18 percent of people
    // who reached it never…"), which the clause split puts apart.
    (0..p)
        .rev()
        .take(12)
        .take_while(|&q| {
            !ix.sentence.tokens[ix.words[q]].punct
                && !matches!(ix.norm(q), "and" | "but" | "so" | "because" | "then")
        })
        .any(|q| {
            // "one of the engineers never tested it" names a person.
            (ix.sentence.tokens[ix.words[q]].number && ix.norm(q) != "one")
                || matches!(
                    ix.norm(q),
                    "percent" | "half" | "third" | "quarter" | "most"
                )
        })
}

/// The first sentence that puts fault on someone else.
pub fn blame(ctx: &Ctx, indexed: &[Indexed]) -> Option<usize> {
    let g = &ctx.config.generic;
    for (si, ix) in indexed.iter().enumerate() {
        let phrase = phrases_in(ctx, ix, &g.blame_phrases, 1)
            .into_iter()
            .any(|(s, e)| !ctx.negated(ix, s, e, true) || ix.norm(s) == "not");
        let predicate = phrases_in(ctx, ix, &g.blame_predicates, 1)
            .into_iter()
            .any(|(s, _)| {
                ix.sentence.agent_at(ix.words[s]) == Agent::Other
                    && !(ix.norm(s) == "never" && perfect_at(ix, s))
                    && !counted_subject(ix, s)
            });
        // Someone else "never" did a thing, told as a past event ("the vendor
        // never fixed the bugs"): a complaint about them.
        let never_did = (0..ix.len().saturating_sub(1)).any(|p| {
            // "who had never worked with our product": what they had not
            // done before, not a complaint.
            ix.norm(p) == "never"
                && !perfect_at(ix, p)
                && !counted_subject(ix, p)
                && ix.sentence.agent_at(ix.words[p]) == Agent::Other
                && !ix.sentence.me_at(ix.words[p])
                && ctx.rules.is_past(ix.norm(p + 1))
                && !matches!(ix.norm(p + 1), "was" | "were" | "had" | "did")
        });
        if phrase || predicate || never_did {
            return Some(si);
        }
    }
    None
}

/// The first sentence with a sweeping claim about the speaker or their team.
pub fn absolute(ctx: &Ctx, indexed: &[Indexed]) -> Option<usize> {
    let g = &ctx.config.generic;
    for (si, ix) in indexed.iter().enumerate() {
        let exempt_list: Vec<String> = ABSOLUTE_EXEMPT.iter().map(|s| s.to_string()).collect();
        let exempt = !phrases_in(ctx, ix, &exempt_list, 0).is_empty();
        if exempt {
            continue;
        }
        for (s, e) in phrases_in(ctx, ix, &g.absolutes, 0) {
            let t = ix.words[s];
            let clause = ix.sentence.clause_of[t];
            // "not everyone": not sweeping.
            if s > 0 && matches!(ix.norm(s - 1), "not" | "almost" | "nearly") {
                continue;
            }
            // Told as a past event ("we released it to everyone").
            let past_before = (0..s).any(|p| {
                ix.sentence.clause_of[ix.words[p]] == clause
                    && ctx.rules.is_past(ix.norm(p))
                    && !matches!(ix.norm(p), "was" | "were" | "had")
            });
            let agent = ix.sentence.agents[clause];
            let about_me = (0..ix.len()).any(|p| {
                ix.sentence.clause_of[ix.words[p]] == clause
                    && matches!(ix.norm(p), "me" | "my" | "i")
            });
            let adverb = matches!(ix.norm(s), "always" | "never");
            if adverb {
                // The verb after "always"/"never" must not be past tense: "I
                // never sat with them" tells what happened once.
                let mut q = e;
                while q < ix.len() && SKIP_AFTER_SUBJECT.contains(&ix.norm(q)) {
                    q += 1;
                }
                // "I've never missed a deadline", "never missed one in my
                // career": a record claimed over all time, not one event
                // ("we've never had an outage since" is a result).
                let in_clause = |w: &[&str]| {
                    (0..ix.len()).any(|p| {
                        ix.sentence.clause_of[ix.words[p]] == clause && w.contains(&ix.norm(p))
                    })
                };
                let lifelong = ix.norm(s) == "never"
                    && ((s > 0 && matches!(ix.norm(s - 1), "have" | "has"))
                        || in_clause(&["career", "life"]));
                let past = q < ix.len() && ctx.rules.is_past(ix.norm(q)) && !lifelong;
                let modal = (0..s).any(|p| {
                    ix.sentence.clause_of[ix.words[p]] == clause
                        && matches!(ix.norm(p), "would" | "will" | "could")
                });
                // "We've never had an outage since": the result, told as a record.
                let since_then = (s..ix.len()).any(|p| ix.norm(p) == "since");
                if past || modal || since_then {
                    continue;
                }
                // "Everyone always gets along in our team": a sweeping claim
                // about the speaker's team told through "everyone".
                let everyone_in_ours = (0..ix.len()).any(|p| {
                    ix.sentence.clause_of[ix.words[p]] == clause
                        && matches!(ix.norm(p), "everyone" | "everybody" | "nobody")
                }) && (0..ix.len()).any(|p| {
                    ix.sentence.clause_of[ix.words[p]] == clause
                        && matches!(ix.norm(p), "our" | "we" | "us")
                });
                // "I'm the kind of person who always…": the "who" clause
                // describes the speaker.
                let describes_me = clause > 0
                    && (0..s).any(|p| {
                        let c = ix.sentence.clause_of[ix.words[p]];
                        c + 1 == clause
                            && matches!(ix.norm(p), "person" | "someone" | "type" | "kind")
                    })
                    && (0..s).any(|p| {
                        ix.sentence.clause_of[ix.words[p]] + 1 == clause && ix.norm(p) == "i"
                    });
                if matches!(agent, Agent::Speaker | Agent::Team)
                    || (agent == Agent::Other && (about_me || everyone_in_ours || describes_me))
                    || (lifelong && about_me)
                {
                    return Some(si);
                }
            } else if !past_before && (matches!(agent, Agent::Speaker | Agent::Team) || about_me) {
                return Some(si);
            }
        }
    }
    None
}
