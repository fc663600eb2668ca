//! What the words show: fillers in the transcript (with the context rules that
//! keep "I like to…" and "you know that…" out), hedges, repetition and the
//! most used words.

use std::collections::BTreeMap;

use super::config::DeliveryConfig;
use crate::report::{FillerKind, Repetition, RepetitionKind, Word, WordCount};

/// A gap between words at least this long acts like a comma (the recogniser
/// often drops the comma a speaker's pause implies).
const PAUSE_AS_COMMA_S: f64 = 0.15;

/// Lower-cased word with surrounding punctuation removed.
pub fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_lowercase()
        .replace('’', "'")
}

/// A word with the context the rules look at.
#[derive(Debug, Clone)]
pub struct Token {
    /// Normalised text.
    pub norm: String,
    /// A comma, clause punctuation or a pause comes before it.
    pub break_before: bool,
    /// A comma, clause punctuation or a pause follows it.
    pub break_after: bool,
    /// First word of a sentence.
    pub sentence_start: bool,
    /// Ends a sentence.
    pub sentence_end: bool,
    /// Ends with a question mark.
    pub question: bool,
}

fn ends_clause(text: &str) -> bool {
    text.trim_end_matches(['"', '\'', ')'])
        .ends_with([',', ';', ':', '.', '?', '!', '-', '—'])
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(['"', '\'', ')'])
        .ends_with(['.', '?', '!'])
}

/// The context of every word.
pub fn tokens(words: &[Word]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let gap_before = i > 0 && w.start - words[i - 1].end >= PAUSE_AS_COMMA_S;
        let gap_after = words
            .get(i + 1)
            .is_some_and(|n| n.start - w.end >= PAUSE_AS_COMMA_S);
        let prev_ends_clause = i > 0 && ends_clause(&words[i - 1].text);
        out.push(Token {
            norm: normalise(&w.text),
            break_before: i == 0 || gap_before || prev_ends_clause,
            break_after: i + 1 == words.len() || gap_after || ends_clause(&w.text),
            sentence_start: i == 0 || ends_sentence(&words[i - 1].text),
            sentence_end: i + 1 == words.len() || ends_sentence(&w.text),
            question: w.text.trim_end().ends_with('?'),
        });
    }
    out
}

/// A span of words `[first, last]` (inclusive) found by a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// First word index.
    pub first: usize,
    /// Last word index.
    pub last: usize,
    /// Canonical text of what was found.
    pub text: String,
}

fn is(t: Option<&Token>, options: &[&str]) -> bool {
    t.is_some_and(|t| options.contains(&t.norm.as_str()))
}

/// Whether a normalised word is a hesitation sound, also when hyphenated
/// ("uh-uh", "um-hmm").
pub fn is_filled_pause(norm: &str, config: &DeliveryConfig) -> bool {
    !norm.is_empty()
        && norm
            .split('-')
            .all(|part| config.fillers.filled_pauses.iter().any(|f| f == part))
}

/// Filled pauses in the transcript (um, uh…).
pub fn filled_pauses(tokens: &[Token], config: &DeliveryConfig) -> Vec<Found> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| is_filled_pause(&t.norm, config))
        .map(|(i, t)| Found {
            first: i,
            last: i,
            text: t.norm.clone(),
        })
        .collect()
}

/// Words after which "like" is a verb ("I like", "would like").
const LIKE_AS_VERB_AFTER: &[&str] = &[
    "i",
    "we",
    "you",
    "they",
    "he",
    "she",
    "people",
    "who",
    "would",
    "i'd",
    "we'd",
    "you'd",
    "they'd",
    "really",
    "also",
    "don't",
    "didn't",
    "doesn't",
    "do",
    "does",
    "did",
    "to",
    "i'll",
    "we'll",
    "might",
    "will",
    "actually",
    "still",
    "always",
    "never",
    "not",
    "genuinely",
    "particularly",
    "especially",
    "both",
    "all",
];
/// Words after which "like" compares ("looks like", "something like").
const LIKE_AS_COMPARISON_AFTER: &[&str] = &[
    "look",
    "looks",
    "looked",
    "looking",
    "sound",
    "sounds",
    "sounded",
    "seem",
    "seems",
    "seemed",
    "feel",
    "feels",
    "felt",
    "feeling",
    "something",
    "anything",
    "nothing",
    "just",
    "more",
    "much",
    "exactly",
    "act",
    "acted",
    "acting",
    "things",
    "stuff",
    "tools",
    "companies",
    "teams",
    "someone",
    "somebody",
    "people",
    "treat",
    "treated",
    "worked",
    "work",
    "works",
    "be",
    "behave",
    "behaves",
];
/// Words that open a clause "you know" or "I mean" takes as its object.
const CLAUSE_OBJECTS: &[&str] = &[
    "that",
    "what",
    "how",
    "when",
    "where",
    "why",
    "who",
    "whether",
    "if",
    "the",
    "a",
    "an",
    "about",
    "him",
    "her",
    "them",
    "it",
    "this",
    "these",
    "those",
    "my",
    "your",
    "our",
    "their",
    "his",
    "more",
    "each",
    "everyone",
    "everything",
    "exactly",
];
/// Sentence adverbs that are fillers when set off ("Actually, …") and real
/// words inside a clause ("we actually shipped it").
const SENTENCE_ADVERBS: &[&str] = &[
    "basically",
    "actually",
    "literally",
    "honestly",
    "obviously",
    "seriously",
];

/// Forms of "be" after which "literally" is an intensifier.
const COPULAS: &[&str] = &[
    "was", "is", "were", "are", "be", "been", "it's", "that's", "there's", "he's", "she's",
    "we're", "they're", "i'm", "you're",
];

/// Discourse fillers with the context rules applied.
pub fn discourse_fillers(tokens: &[Token]) -> Vec<Found> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let next = tokens.get(i + 1);
        let after = tokens.get(i + 2);
        let mut hit = |last: usize, text: &str| {
            found.push(Found {
                first: i,
                last,
                text: text.to_string(),
            });
            last
        };
        let consumed = match t.norm.as_str() {
            "you" if is(next, &["know"]) => {
                let n = next.expect("checked");
                let object_follows = !n.break_after && is(after, CLAUSE_OBJECTS);
                let asked = is(
                    prev,
                    &["do", "did", "don't", "if", "as", "would", "didn't", "you"],
                ) && !t.break_before;
                if !object_follows && !asked && (n.break_after || t.break_before || n.sentence_end)
                {
                    Some(hit(i + 1, "you know"))
                } else {
                    None
                }
            }
            "i" if is(next, &["mean"]) => {
                let n = next.expect("checked");
                let object_follows = !n.break_after && is(after, &["it", "that", "to", "what"]);
                let quoted = is(prev, &["what", "if", "do", "did"]);
                if !object_follows && !quoted && (n.break_after || t.break_before) {
                    Some(hit(i + 1, "I mean"))
                } else {
                    None
                }
            }
            "like" => {
                let verb = !t.break_before && is(prev, LIKE_AS_VERB_AFTER);
                let comparison = !t.break_before && is(prev, LIKE_AS_COMPARISON_AFTER);
                let delimited = t.break_before || t.break_after;
                let before_number =
                    next.is_some_and(|n| n.norm.chars().next().is_some_and(|c| c.is_ascii_digit()));
                // "was like" / "is like" introducing a description or quote is
                // a filler in speech coaching; "like 5 people" is an approximation.
                let after_be = is(
                    prev,
                    &["was", "is", "were", "it's", "that's", "and", "but", "so"],
                ) && !before_number;
                if !verb && !comparison && (delimited || after_be) {
                    Some(hit(i, "like"))
                } else {
                    None
                }
            }
            word if SENTENCE_ADVERBS.contains(&word) => {
                // Set off on both sides, or opening a sentence; "we took them
                // literally." ends a clause and is the word's real use.
                // "It was literally the whole team": straight after a form of
                // "be" it only intensifies what follows (speakers rarely say
                // the commas, and the recogniser drops them).
                let intensifier = word == "literally"
                    && !t.sentence_end
                    && is(prev, COPULAS)
                    && !prev.is_some_and(|p| p.break_after);
                if t.sentence_start
                    || (t.break_before && t.break_after && !t.sentence_end)
                    || intensifier
                {
                    Some(hit(i, word))
                } else {
                    None
                }
            }
            "right" if is_tag_right(t, prev) => Some(hit(i, "right?")),
            "okay" | "ok" | "alright" if t.sentence_start && is(next, &["so"]) => {
                Some(hit(i + 1, "okay so"))
            }
            "so" if is(next, &["yeah"]) && next.is_some_and(|n| n.sentence_end) => {
                Some(hit(i + 1, "so yeah"))
            }
            _ => None,
        };
        i = consumed.map_or(i + 1, |last| last + 1);
    }
    found
}

/// Words after which "right" is an adjective or adverb ("she was right",
/// "turn right"), not a tag question.
const RIGHT_AS_WORD_AFTER: &[&str] = &[
    "was", "is", "were", "are", "be", "been", "you're", "that's", "she's", "he's", "it's",
    "they're", "we're", "i'm", "exactly", "quite", "all", "turn", "turned", "left", "the", "just",
    "not", "got", "get", "feel", "felt",
];

/// "…, right?" checking the listener agrees: a clause-final "right" not used
/// as an adjective.
fn is_tag_right(t: &Token, prev: Option<&Token>) -> bool {
    if t.sentence_start && t.break_after {
        return true;
    }
    let clause_final = t.question || t.break_after;
    clause_final && prev.is_some_and(|p| !RIGHT_AS_WORD_AFTER.contains(&p.norm.as_str()))
}

/// Nouns' determiners: "a kind of tool" is not a hedge.
const KIND_OF_AS_NOUN_AFTER: &[&str] = &[
    "a",
    "what",
    "this",
    "that",
    "the",
    "any",
    "some",
    "every",
    "one",
    "same",
    "which",
    "that's",
    "different",
    "other",
    "new",
    "right",
    "wrong",
];

/// Hedges and weak phrases, longest match first.
pub fn hedges(tokens: &[Token], config: &DeliveryConfig) -> Vec<Found> {
    let mut phrases: Vec<Vec<&str>> = config
        .hedges
        .phrases
        .iter()
        .map(|p| p.split_whitespace().collect())
        .collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let matched = phrases.iter().find(|phrase| {
            phrase.len() <= tokens.len() - i
                && phrase
                    .iter()
                    .enumerate()
                    .all(|(k, w)| tokens[i + k].norm == *w)
        });
        match matched {
            Some(phrase) => {
                let noun_use = matches!(phrase.as_slice(), ["kind", "of"] | ["sort", "of"])
                    && i > 0
                    && is(Some(&tokens[i - 1]), KIND_OF_AS_NOUN_AFTER);
                if !noun_use {
                    found.push(Found {
                        first: i,
                        last: i + phrase.len() - 1,
                        text: phrase.join(" "),
                    });
                }
                i += phrase.len();
            }
            None => i += 1,
        }
    }
    found
}

/// Immediate repeats ("I I") and restarts ("it was it was"); filled pauses in
/// between are skipped.
pub fn repetitions(words: &[Word], tokens: &[Token], filled: &[bool]) -> Vec<Repetition> {
    let spoken: Vec<usize> = (0..tokens.len())
        .filter(|&i| !filled[i] && !tokens[i].norm.is_empty())
        .collect();
    let norm = |k: usize| tokens[spoken[k]].norm.as_str();
    let mut out = Vec::new();
    let mut k = 0;
    while k < spoken.len() {
        let mut matched = false;
        for n in [3usize, 2, 1] {
            if k + 2 * n > spoken.len() {
                continue;
            }
            if (0..n).all(|j| norm(k + j) == norm(k + n + j))
                && !(n == 1 && is_legit_double(norm(k)))
            {
                let first = spoken[k];
                let last = spoken[k + 2 * n - 1];
                out.push(Repetition {
                    text: (0..n).map(|j| norm(k + j)).collect::<Vec<_>>().join(" "),
                    start: words[first].start,
                    end: words[last].end,
                    kind: if n == 1 {
                        RepetitionKind::Repeat
                    } else {
                        RepetitionKind::Restart
                    },
                });
                // The second occurrence may itself be restarted again.
                k += n;
                matched = true;
                break;
            }
        }
        if !matched {
            k += 1;
        }
    }
    out
}

/// Doubled words that are grammatical ("that that", "had had").
fn is_legit_double(word: &str) -> bool {
    matches!(
        word,
        "that" | "had" | "very" | "so" | "really" | "bye" | "no"
    )
}

/// The most used content words.
pub fn top_words(tokens: &[Token], filled: &[bool], config: &DeliveryConfig) -> Vec<WordCount> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (t, &is_filler) in tokens.iter().zip(filled) {
        let word = t.norm.trim_end_matches("'s");
        if is_filler || word.chars().count() < 3 || word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if config.repetition.stop_words.iter().any(|s| s == word) {
            continue;
        }
        *counts.entry(word.to_string()).or_default() += 1;
    }
    let mut list: Vec<WordCount> = counts
        .into_iter()
        .filter(|(_, count)| *count >= 2)
        .map(|(word, count)| WordCount { word, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then(a.word.cmp(&b.word)));
    list.truncate(config.repetition.top_words);
    list
}

/// The filler kind of a transcript finding.
pub fn kind_of(text: &str, config: &DeliveryConfig) -> FillerKind {
    if is_filled_pause(text, config) {
        FillerKind::FilledPause
    } else {
        FillerKind::Discourse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words one every 0.3 s, with an optional pause before the word at `pause_at`.
    fn words(text: &str) -> Vec<Word> {
        let mut t = 0.0;
        text.split_whitespace()
            .map(|w| {
                let (w, pause) = match w.strip_prefix('|') {
                    Some(rest) => (rest, 0.6),
                    None => (w, 0.0),
                };
                t += pause;
                let word = Word {
                    text: w.to_string(),
                    start: t,
                    end: t + 0.25,
                    confidence: 1.0,
                    filler: false,
                };
                t += 0.3;
                word
            })
            .collect()
    }

    fn discourse(text: &str) -> Vec<String> {
        discourse_fillers(&tokens(&words(text)))
            .into_iter()
            .map(|f| f.text)
            .collect()
    }

    fn hedge_list(text: &str) -> Vec<String> {
        hedges(&tokens(&words(text)), &DeliveryConfig::default())
            .into_iter()
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn like_as_a_verb_or_comparison_is_not_a_filler() {
        assert!(discourse("I like to ask the team first.").is_empty());
        assert!(discourse("It looks like the cache was cold.").is_empty());
        assert!(discourse("We would like more time.").is_empty());
        assert!(discourse("It felt like a long week.").is_empty());
        assert!(discourse("Something like five teams used it.").is_empty());
        assert!(discourse("We didn't like the old design.").is_empty());
    }

    #[test]
    fn like_set_off_or_after_be_is_a_filler() {
        assert_eq!(discourse("It was, like, really slow."), vec!["like"]);
        assert_eq!(discourse("And like, we had no tests."), vec!["like"]);
        assert_eq!(
            discourse("The team was like completely lost."),
            vec!["like"]
        );
        assert_eq!(discourse("We had |like three weeks."), vec!["like"]);
    }

    #[test]
    fn you_know_with_an_object_is_not_a_filler() {
        assert!(discourse("You know that the deadline moved.").is_empty());
        assert!(discourse("Do you know what broke?").is_empty());
        assert!(discourse("I wanted you know how much it mattered.").is_empty());
        assert_eq!(discourse("And, you know, it worked."), vec!["you know"]);
        assert_eq!(discourse("It was hard, you know."), vec!["you know"]);
    }

    #[test]
    fn i_mean_as_a_verb_is_not_a_filler() {
        assert!(discourse("What I mean is that we waited.").is_empty());
        assert!(discourse("I mean it when I say it.").is_empty());
        assert_eq!(discourse("I mean, the numbers were fine."), vec!["I mean"]);
        assert_eq!(discourse("It was late. I mean, very late."), vec!["I mean"]);
    }

    #[test]
    fn sentence_adverbs_are_fillers_only_when_set_off() {
        assert!(discourse("We actually shipped it on time.").is_empty());
        assert!(discourse("It literally doubled overnight.").is_empty());
        assert!(discourse("We had taken them literally.").is_empty());
        assert_eq!(
            discourse("It was literally the whole team on one call."),
            vec!["literally"]
        );
        assert_eq!(
            discourse("Actually, we shipped it on time."),
            vec!["actually"]
        );
        assert_eq!(discourse("Basically we rewrote it."), vec!["basically"]);
        assert_eq!(
            discourse("It was, basically, a rewrite."),
            vec!["basically"]
        );
    }

    #[test]
    fn tag_questions_and_okay_so_are_fillers() {
        assert_eq!(
            discourse("You need tests, right? So we wrote them."),
            vec!["right?"]
        );
        assert!(discourse("It was the right call.").is_empty());
        assert!(discourse("I think she was right.").is_empty());
        assert_eq!(
            discourse("It looked like a retry storm, right."),
            vec!["right?"]
        );
        assert!(discourse("We fixed it right away.").is_empty());
        assert_eq!(
            discourse("Okay, so the first thing I did was ask."),
            vec!["okay so"]
        );
        assert!(discourse("It was okay so far.").is_empty());
    }

    #[test]
    fn hedges_are_found_but_nouns_are_not() {
        assert_eq!(
            hedge_list("I think it was probably fine."),
            vec!["i think", "probably"]
        );
        assert_eq!(hedge_list("It was kind of slow."), vec!["kind of"]);
        assert!(hedge_list("What kind of tests did you write?").is_empty());
        assert_eq!(
            hedge_list("I feel like we just rushed it."),
            vec!["i feel like", "just"]
        );
    }

    #[test]
    fn repeats_and_restarts_are_found_across_filled_pauses() {
        let w = words("I I think it was it was um it was fine and that that helped");
        let t = tokens(&w);
        let filled: Vec<bool> = t.iter().map(|t| t.norm == "um").collect();
        let reps = repetitions(&w, &t, &filled);
        let texts: Vec<&str> = reps.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, vec!["i", "it was", "it was"], "{reps:?}");
        assert_eq!(reps[0].kind, RepetitionKind::Repeat);
        assert_eq!(reps[1].kind, RepetitionKind::Restart);
    }

    #[test]
    fn top_words_skip_stop_words() {
        let w = words("The cache was slow. The cache was cold and the cache missed. Latency rose, latency fell.");
        let t = tokens(&w);
        let top = top_words(&t, &vec![false; t.len()], &DeliveryConfig::default());
        assert_eq!(
            top[0],
            WordCount {
                word: "cache".into(),
                count: 3
            }
        );
        assert_eq!(
            top[1],
            WordCount {
                word: "latency".into(),
                count: 2
            }
        );
    }
}
