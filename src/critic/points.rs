//! Deciding whether the answer makes each key point of the card, or makes one
//! of its mistakes, from the point's label and cues: literal cue phrases,
//! concepts shared between cue or label and the sentence, negation and who
//! did it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::questions::Point;

use super::config::CriticConfig;
use super::lexicon::{compile_phrase, find, Elem, Indexed, Lexicon};
use super::text::{Agent, TextRules};

/// A feature of a label or cue: a concept or a plain word stem.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Feature {
    /// A concept by id.
    Concept(usize),
    /// A word stem.
    Stem(String),
}

/// Alternatives for one stretch of a label or cue: any of them counts.
pub type Group = Vec<Feature>;

/// A card cue, prepared.
#[derive(Debug, Clone)]
pub struct CueSig {
    /// The cue as written.
    pub text: String,
    literal: Vec<Elem>,
    literal_strength: f64,
    features: Vec<Group>,
    concept_strength: f64,
}

impl CueSig {
    /// The cue's strengths and concepts, for explanations.
    pub fn describe(&self, ctx: &Ctx) -> String {
        format!(
            "literal {:.2}, concepts [{}] {:.2}",
            self.literal_strength,
            self.features
                .iter()
                .map(|g| ctx.feature_name(g))
                .collect::<Vec<_>>()
                .join(", "),
            self.concept_strength
        )
    }
}

/// A key point or mistake, prepared.
#[derive(Debug, Clone)]
pub struct PointSig {
    /// Point id.
    pub id: String,
    /// Point label.
    pub label: String,
    /// Label features and their weights.
    pub features: Vec<(Group, f64)>,
    /// Cues.
    pub cues: Vec<CueSig>,
    /// Only the speaker's (or the speaker's team's) own actions count.
    pub needs_agent: bool,
    /// The evidence must hold a number.
    pub needs_number: bool,
    /// For a cue-less mistake about something missing: what is missing.
    pub absent: Option<Vec<(Group, f64)>>,
    /// A cue-less mistake about length ("rambles").
    pub length: bool,
    /// A mistake: someone else's action blocks only when the whole sentence is
    /// theirs, and the label alone counts for less.
    pub mistake: bool,
    /// A mistake with cues whose label says something is missing ("Stays
    /// generic and never names a practice"): present only if that is missing.
    pub absent_with_cues: Option<Vec<(Group, f64)>>,
}

/// Points prepared once per settings: preparing a card's cues costs more than
/// judging an answer against them, and a user critiques the same card many
/// times. Keyed by the point itself, so an edited card is prepared afresh.
#[derive(Debug, Default)]
pub struct SigCache {
    /// Key points, then mistakes (prepared differently).
    prepared: Mutex<[HashMap<Point, Arc<PointSig>>; 2]>,
}

/// More distinct points than any bank holds: past it the cache starts over,
/// so editing cards for hours cannot grow it without bound.
const SIG_CACHE_LIMIT: usize = 20_000;

/// How well one sentence makes a point.
#[derive(Debug, Clone, Default)]
pub struct Match {
    /// 0 to about 1.2.
    pub score: f64,
    /// Sentence index.
    pub sentence: usize,
    /// Why, in words: the cue or label words found.
    pub why: String,
}

/// The helpers shared by every check on one answer.
pub struct Ctx<'a> {
    /// Settings.
    pub config: &'a CriticConfig,
    /// Text rules.
    pub rules: &'a TextRules,
    /// Concepts.
    pub lexicon: &'a Lexicon,
    negators: HashSet<String>,
    phrases: &'a std::collections::HashMap<String, Vec<Elem>>,
    sig_cache: &'a SigCache,
    label_stop: HashSet<String>,
    weak_words: HashSet<String>,
}

impl<'a> Ctx<'a> {
    /// Prepares the helpers.
    pub(crate) fn new(config: &'a CriticConfig, compiled: &'a super::config::Compiled) -> Self {
        let rules = &compiled.rules;
        Ctx {
            config,
            rules,
            lexicon: &compiled.lexicon,
            negators: config
                .text
                .negators
                .iter()
                .map(|w| w.to_lowercase())
                .collect(),
            phrases: &compiled.phrases,
            sig_cache: &compiled.sigs,
            label_stop: config
                .matching
                .label_stopwords
                .iter()
                .map(|w| rules.stem(w))
                .collect(),
            weak_words: config
                .matching
                .weak_words
                .iter()
                .map(|w| rules.stem(w))
                .collect(),
        }
    }

    /// Occurrences of each phrase of a list (compiled once per settings).
    pub fn phrase_hits(&self, ix: &Indexed, phrases: &[String], gap: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for p in phrases {
            match self.phrases.get(p) {
                Some(e) => out.extend(find(e, gap, ix)),
                None => {
                    if let Ok(e) = compile_phrase(p, self.rules, None) {
                        out.extend(find(&e, gap, ix));
                    }
                }
            }
        }
        out
    }

    /// How many phrases of a list occur, and whether one starts the sentence.
    pub fn phrase_count(&self, ix: &Indexed, phrases: &[String], gap: usize) -> (usize, bool) {
        let mut n = 0;
        let mut at_start = false;
        for p in phrases {
            let hits = match self.phrases.get(p) {
                Some(e) => find(e, gap, ix),
                None => compile_phrase(p, self.rules, None)
                    .map(|e| find(&e, gap, ix))
                    .unwrap_or_default(),
            };
            if !hits.is_empty() {
                n += 1;
                at_start |= hits.iter().any(|&(s, _)| s <= 1);
            }
        }
        (n, at_start)
    }

    /// Whether the words `[s, e)` are negated: a negator earlier in the same
    /// clause within the negation scope, or inside the span unless the phrase
    /// itself holds it.
    pub fn negated(&self, ix: &Indexed, s: usize, e: usize, inner_ok: bool) -> bool {
        let sentence = ix.sentence;
        let clause = sentence.scope_of[ix.words[s]];
        let mut p = s;
        let mut steps = 0;
        while p > 0 && steps < self.config.text.negation_scope {
            p -= 1;
            steps += 1;
            if sentence.scope_of[ix.words[p]] != clause {
                break;
            }
            if self.negators.contains(ix.norm(p)) || counterfactual(ix, p) {
                return true;
            }
        }
        !inner_ok && (s..e).any(|q| self.negators.contains(ix.norm(q)))
    }

    /// Whether the clause of word `s` is someone else's action, with the
    /// speaker not involved as its object. With `sentence_level`, only when no
    /// clause of the sentence is the speaker's.
    pub fn attributed(&self, ix: &Indexed, s: usize, sentence_level: bool) -> bool {
        let t = ix.words[s];
        let other = ix.sentence.agent_at(t) == Agent::Other && !ix.sentence.me_at(t);
        if !sentence_level {
            return other;
        }
        other
            && !ix
                .sentence
                .agents
                .iter()
                .any(|a| matches!(a, Agent::Speaker | Agent::Team))
    }

    fn phrase_has_negator(&self, elems: &[Elem]) -> bool {
        elems.iter().any(|e| match e {
            Elem::Stem(s) => self.negators.contains(s),
            _ => false,
        })
    }

    /// Occurrences of a feature in a sentence that count: not negated, and not
    /// someone else's action when the point needs the speaker's own.
    pub fn feature_hits(
        &self,
        ix: &Indexed,
        f: &Feature,
        needs_agent: bool,
        sentence_level: bool,
    ) -> Vec<(usize, usize)> {
        let (spans, agent_any): (Vec<(usize, usize)>, bool) = match f {
            Feature::Concept(c) => (ix.occ[*c].clone(), self.lexicon.agent_any[*c]),
            Feature::Stem(s) => (
                (0..ix.len())
                    .filter(|&p| ix.stem(p) == s)
                    .map(|p| (p, p + 1))
                    .collect(),
                false,
            ),
        };
        spans
            .into_iter()
            .filter(|&(s, e)| {
                let inner_ok = match f {
                    Feature::Concept(_) => true,
                    Feature::Stem(st) => self.negators.contains(st),
                };
                let blocked = needs_agent && !agent_any && self.attributed(ix, s, sentence_level);
                !(self.negated(ix, s, e, inner_ok) || blocked)
            })
            .collect()
    }

    fn feature_found(
        &self,
        ix: &Indexed,
        g: &Group,
        needs_agent: bool,
        sentence_level: bool,
    ) -> bool {
        g.iter().any(|f| {
            !self
                .feature_hits(ix, f, needs_agent, sentence_level)
                .is_empty()
        })
    }

    /// Describes a feature group for explanations.
    pub fn feature_name(&self, g: &Group) -> String {
        g.iter()
            .map(|f| match f {
                Feature::Concept(c) => format!("~{}", self.lexicon.names[*c]),
                Feature::Stem(s) => s.clone(),
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    /// Features of a phrase: its concepts (overlapping ones grouped as
    /// alternatives) and the stems of its content words that no concept covers.
    pub fn features_of(&self, text: &str, label: bool) -> Vec<(Group, f64)> {
        let m = &self.config.matching;
        let sentence = self.rules.sentence(text, None, None, 0);
        let ix = self.lexicon.index(&sentence);
        let label_stop = &self.label_stop;
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (c, occ) in ix.occ.iter().enumerate() {
            for &(s, e) in occ {
                // A bare number in a label ("one or two highlights") is not a feature.
                let numbers_only = (s..e).all(|p| ix.sentence.tokens[ix.words[p]].number);
                if numbers_only {
                    continue;
                }
                // A negated label phrase ("no real trade-off") is not something to
                // find, nor is a phrase starting with a label's meta word ("Shows…").
                if label && (self.negated(&ix, s, e, true) || label_stop.contains(ix.stem(s))) {
                    continue;
                }
                // Related-term groups widen single label words (below) and, in
                // a label, stand for a whole idiom they hold ("kept people in
                // the loop" is =inform).
                if self.lexicon.related[c] && !(label && e - s >= 2) {
                    continue;
                }
                spans.push((s, e, c));
            }
        }
        spans.sort_unstable();
        let mut covered = vec![false; ix.len()];
        let mut out: Vec<(Group, f64)> = Vec::new();
        let mut i = 0;
        while i < spans.len() {
            // Cluster overlapping occurrences; the cluster stands for its longest
            // occurrence, and among equally long ones the most specific concept
            // (fewest phrases, counting the concepts it refers to).
            let (mut lo, mut hi) = (spans[i].0, spans[i].1);
            let mut members: Vec<(usize, usize, usize)> = Vec::new();
            while i < spans.len() && spans[i].0 < hi.max(lo + 1) {
                let (s, e, c) = spans[i];
                lo = lo.min(s);
                hi = hi.max(e);
                members.push((s, e, c));
                i += 1;
            }
            let longest = members.iter().map(|&(s, e, _)| e - s).max().unwrap_or(0);
            let pick = members
                .iter()
                .filter(|&&(s, e, c)| e - s == longest && !self.lexicon.helper[c])
                .min_by_key(|&&(_, _, c)| self.lexicon.size[c])
                .map(|&(_, _, c)| c);
            let mut group: Group = pick.map(|c| vec![Feature::Concept(c)]).unwrap_or_default();
            // A one-word label concept also takes the related terms of the
            // group named after that word ("listens" → ~address + =listen).
            if label && !group.is_empty() && hi - lo == 1 {
                if let Some(r) = self.lexicon.related_head(ix.stem(lo)) {
                    group.push(Feature::Concept(r));
                }
            }
            let weight: f64 = match pick {
                Some(c) if self.lexicon.weak[c] => 0.5,
                _ => 1.0,
            };
            if group.is_empty() {
                continue;
            }
            for flag in covered.iter_mut().take(hi).skip(lo) {
                *flag = true;
            }
            if !out.iter().any(|(g, _)| *g == group) {
                out.push((group, weight));
            }
        }
        let weak = &self.weak_words;
        for (p, &done) in covered.iter().enumerate() {
            if done {
                continue;
            }
            let norm = ix.norm(p);
            let stem = ix.stem(p).to_string();
            if self.rules.is_stopword(norm)
                || self.negators.contains(norm)
                || (label && label_stop.contains(&stem))
                || stem.len() < 2
                || ix.sentence.tokens[ix.words[p]].number
            {
                continue;
            }
            let mut g = vec![Feature::Stem(stem.clone())];
            if label {
                g.extend(
                    self.lexicon
                        .related_to(&stem)
                        .iter()
                        .map(|&c| Feature::Concept(c)),
                );
            }
            if !out.iter().any(|(h, _)| *h == g) {
                let w = if weak.contains(&stem) {
                    m.weak_weight
                } else {
                    1.0
                };
                out.push((g, w));
            }
        }
        out
    }

    /// A key point or mistake, prepared, from the cache when it was before.
    pub fn prepared(&self, point: &Point, mistake: bool) -> Arc<PointSig> {
        // A poisoned lock only means another critique panicked mid-insert;
        // the maps themselves are still whole.
        let mut maps = self
            .sig_cache
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let map = &mut maps[usize::from(mistake)];
        if let Some(sig) = map.get(point) {
            return sig.clone();
        }
        if map.len() >= SIG_CACHE_LIMIT {
            map.clear();
        }
        let sig = Arc::new(self.sig(point, mistake));
        map.insert(point.clone(), sig.clone());
        sig
    }

    /// Prepares a key point or mistake.
    pub fn sig(&self, point: &Point, mistake: bool) -> PointSig {
        let m = &self.config.matching;
        let lower = format!(" {} ", point.label.to_lowercase());
        let mut cut = lower.clone();
        for marker in &m.contrast_markers {
            if let Some(i) = cut.find(marker.as_str()) {
                if i > 0 {
                    cut.truncate(i);
                }
            }
        }
        let words: HashSet<String> = self
            .rules
            .tokenize(&lower)
            .into_iter()
            .filter(|t| !t.punct)
            .map(|t| t.stem)
            .collect();
        let has_word = |list: &[String]| {
            list.iter().any(|w| {
                let stems: Vec<String> =
                    self.rules.tokenize(w).into_iter().map(|t| t.stem).collect();
                if stems.len() > 1 {
                    lower.contains(&format!(" {} ", w.to_lowercase()))
                } else {
                    stems.iter().all(|s| words.contains(s))
                }
            })
        };
        let needs_agent = !has_word(&m.agent_free_words);
        let needs_number = has_word(&m.number_words);
        let mut absent = None;
        let mut absent_with_cues = None;
        let mut length = false;
        // The thing missing is what follows the first absence marker.
        let tokens: Vec<String> = lower.split_whitespace().map(|w| w.to_string()).collect();
        // "doesn't say how it ended", "didn't give a number": a negated
        // auxiliary marks an absence as "not" does.
        let marker = tokens.iter().position(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
            m.absence_markers.iter().any(|a| a == w) || w.ends_with("n't") || w.ends_with("n’t")
        });
        if mistake && point.cues.is_empty() {
            if has_word(&m.length_words) {
                length = true;
            } else if let Some(k) = marker {
                absent = Some(self.features_of(&tokens[k + 1..].join(" "), true));
            }
        } else if mistake {
            // Only when the label is about the absence ("Never…", "Stays generic
            // and never…"), not a qualifier at its end ("…, with no trade-off").
            if let Some(k) = marker.filter(|&k| k <= 3) {
                absent_with_cues = Some(self.features_of(&tokens[k + 1..].join(" "), true));
            }
        }
        let cues = point
            .cues
            .iter()
            .map(|cue| self.cue_sig(cue))
            .filter(|c| !c.literal.is_empty())
            .collect();
        PointSig {
            id: point.id.clone(),
            label: point.label.clone(),
            features: self.features_of(cut.trim(), true),
            cues,
            needs_agent,
            needs_number,
            absent,
            length,
            mistake,
            absent_with_cues,
        }
    }

    fn cue_sig(&self, cue: &str) -> CueSig {
        let m = &self.config.matching;
        let literal = compile_phrase(cue, self.rules, None).unwrap_or_default();
        let tokens: Vec<_> = self
            .rules
            .tokenize(cue)
            .into_iter()
            .filter(|t| !t.punct)
            .collect();
        let pronoun = |n: &str| {
            matches!(
                n,
                "i" | "my" | "we" | "our" | "me" | "us" | "they" | "their" | "them"
            )
        };
        let content = tokens
            .iter()
            .filter(|t| !self.rules.is_stopword(&t.norm))
            .count();
        let others_pronouns = tokens
            .iter()
            .filter(|t| self.rules.is_stopword(&t.norm))
            .all(|t| pronoun(&t.norm));
        let uncommon_word = tokens.len() == 1
            && content == 1
            && !self.weak_words.contains(&self.rules.stem(&tokens[0].norm));
        let literal_strength = if content >= 2 {
            m.cue_full
        } else if content == 1 {
            if uncommon_word {
                m.cue_word
            } else if others_pronouns {
                m.cue_single
            } else {
                m.cue_phrase
            }
        } else if tokens.len() >= 2 {
            m.cue_phrase
        } else {
            m.cue_single
        };
        let features: Vec<Group> = self
            .features_of(cue, false)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        let has_concept = features
            .iter()
            .flatten()
            .any(|f| matches!(f, Feature::Concept(_)));
        let any_weak = features.iter().any(|g| {
            g.iter()
                .all(|f| matches!(f, Feature::Concept(c) if self.lexicon.weak[*c]))
        });
        // Words that change the meaning ("before", "no", "every") keep a cue literal.
        let literal_only = tokens.iter().any(|t| {
            self.negators.contains(&t.norm) || m.literal_only_words.iter().any(|w| w == &t.norm)
        });
        // Through concepts only when every part of the cue is a concept: a
        // left-over plain word ("because I said so" → ~cause + "say") would
        // stand for too little.
        let all_concepts = features
            .iter()
            .all(|g| g.iter().all(|f| matches!(f, Feature::Concept(_))));
        // A one-word cue widened to its whole concept needs support from the label.
        let one_word = tokens
            .iter()
            .filter(|t| !self.rules.is_stopword(&t.norm))
            .count()
            <= 1;
        let concept_strength = if !has_concept || literal_only || !all_concepts {
            0.0
        } else if any_weak || (one_word && m.single_word_cue_needs_support) {
            m.cue_single
        } else if features.len() >= 2 {
            m.cue_full
        } else {
            m.cue_concept
        };
        CueSig {
            text: cue.to_string(),
            literal,
            literal_strength,
            features,
            concept_strength,
        }
    }

    /// How well sentence `si` makes the point.
    pub fn score(&self, sig: &PointSig, ix: &Indexed, si: usize) -> Match {
        let m = &self.config.matching;
        let mut best = Match {
            score: 0.0,
            sentence: si,
            why: String::new(),
        };
        let mut best_cue_features: Vec<Group> = Vec::new();
        for cue in &sig.cues {
            // Literal.
            let inner_ok = self.phrase_has_negator(&cue.literal);
            let literal_ok = find(&cue.literal, m.cue_gap, ix).into_iter().any(|(s, e)| {
                let blocked = sig.needs_agent && self.attributed(ix, s, sig.mistake);
                !(self.negated(ix, s, e, inner_ok) || blocked)
            });
            if literal_ok && cue.literal_strength > best.score {
                best.score = cue.literal_strength;
                best.why = format!("says \"{}\"", cue.text);
                best_cue_features = cue.features.clone();
            }
            // Through concepts.
            if cue.concept_strength > best.score
                && cue
                    .features
                    .iter()
                    .all(|f| self.feature_found(ix, f, sig.needs_agent, sig.mistake))
            {
                best.score = cue.concept_strength;
                best.why = format!(
                    "means \"{}\" ({})",
                    cue.text,
                    cue.features
                        .iter()
                        .map(|g| self.feature_name(g))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                best_cue_features = cue.features.clone();
            }
        }
        // Label coverage.
        let total: f64 = sig.features.iter().map(|(_, w)| w).sum();
        let mut found_w = 0.0;
        let mut found_names = Vec::new();
        let mut support = false;
        let mut found_strong = 0;
        for (f, w) in &sig.features {
            if self.feature_found(ix, f, sig.needs_agent, sig.mistake) {
                if *w >= 1.0 {
                    found_strong += 1;
                }
                found_w += w;
                found_names.push(self.feature_name(f));
                if !best_cue_features
                    .iter()
                    .any(|g| g.iter().any(|x| f.contains(x)))
                    && *w >= 1.0
                {
                    support = true;
                }
            }
        }
        if best.score > 0.0 && best.score < m.covered_threshold && support {
            best.score += m.support_bonus;
            best.why = format!("{} with {}", best.why, found_names.join(", "));
        }
        // The label alone needs two distinct strong features.
        if total > 0.0 && found_strong >= 2 {
            let factor = if sig.mistake && !sig.cues.is_empty() {
                m.mistake_label_factor
            } else {
                1.0
            };
            let mut label_score = factor * found_w / total.min(m.label_cap);
            // A long label: half of its weight (two strong features) is enough.
            if found_w / total >= m.label_share - 1e-9 {
                label_score = label_score.max(factor * m.covered_threshold);
            }
            if label_score > best.score {
                best.score = label_score;
                best.why = format!("matches the label ({})", found_names.join(", "));
            }
        }
        // A cue-less point whose label has one strong feature (and perhaps
        // common words): that feature is the point.
        let strong_total = sig.features.iter().filter(|(_, w)| *w >= 1.0).count();
        if sig.cues.is_empty()
            && strong_total == 1
            && found_strong == 1
            && best.score < m.covered_threshold
        {
            best.score = m.covered_threshold;
            best.why = format!("matches the label ({})", found_names.join(", "));
        }
        // For the explanation only: part of the label, below any threshold.
        if best.score == 0.0 && found_w > 0.0 && total > 0.0 {
            best.score = (0.5 * found_w / total).min(0.3);
            best.why = format!("part of the label ({})", found_names.join(", "));
        }
        if sig.needs_number && !super::generic::has_quantity(self, ix) {
            best.score = best.score.min(m.covered_threshold * 0.5);
        }
        best
    }

    /// The best sentence for a point.
    pub fn best(&self, sig: &PointSig, indexed: &[Indexed]) -> Match {
        let mut best = Match::default();
        for (si, ix) in indexed.iter().enumerate() {
            let m = self.score(sig, ix, si);
            if m.score > best.score + 1e-9 {
                best = m;
            }
        }
        if sig.cues.is_empty()
            && !sig.mistake
            && best.score < self.config.matching.covered_threshold
        {
            if let Some(m) = self.label_across_two(sig, indexed) {
                best = m;
            }
        }
        best
    }

    /// A cue-less label made over two neighbouring sentences ("I went back
    /// the next day. I asked her to show me what she cut and why" for
    /// "Asked questions to understand it"): the same weight a single
    /// sentence needs, with at least one strong feature in each sentence.
    fn label_across_two(&self, sig: &PointSig, indexed: &[Indexed]) -> Option<Match> {
        let m = &self.config.matching;
        let total: f64 = sig.features.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            return None;
        }
        let hits: Vec<Vec<bool>> = indexed
            .iter()
            .map(|ix| {
                sig.features
                    .iter()
                    .map(|(f, _)| self.feature_found(ix, f, sig.needs_agent, sig.mistake))
                    .collect()
            })
            .collect();
        let strong_in = |h: &[bool]| {
            h.iter()
                .zip(&sig.features)
                .filter(|(&x, (_, w))| x && *w >= 1.0)
                .count()
        };
        for si in 0..indexed.len().saturating_sub(1) {
            let (a, b) = (&hits[si], &hits[si + 1]);
            if strong_in(a) == 0 || strong_in(b) == 0 {
                continue;
            }
            let union: Vec<bool> = a.iter().zip(b).map(|(x, y)| *x || *y).collect();
            let found_w: f64 = union
                .iter()
                .zip(&sig.features)
                .filter(|(&x, _)| x)
                .map(|(_, (_, w))| w)
                .sum();
            if strong_in(&union) >= 2 && found_w / total >= m.label_share - 1e-9 {
                let names: Vec<String> = union
                    .iter()
                    .zip(&sig.features)
                    .filter(|(&x, _)| x)
                    .map(|(_, (f, _))| self.feature_name(f))
                    .collect();
                let sentence = if strong_in(b) > strong_in(a) {
                    si + 1
                } else {
                    si
                };
                if sig.needs_number && !super::generic::has_quantity(self, &indexed[sentence]) {
                    continue;
                }
                return Some(Match {
                    score: m.covered_threshold,
                    sentence,
                    why: format!(
                        "matches the label over two sentences ({})",
                        names.join(", ")
                    ),
                });
            }
        }
        None
    }

    /// Whether any sentence mentions the absent thing at all (loosely): at
    /// least one of its strong features, not negated.
    pub fn loosely_found(&self, features: &[(Group, f64)], indexed: &[Indexed]) -> Option<usize> {
        // At least half of its strong features (or its one feature) in one sentence.
        let strong: Vec<&Group> = features
            .iter()
            .filter(|(_, w)| *w >= 1.0)
            .map(|(g, _)| g)
            .collect();
        let groups: Vec<&Group> = if strong.is_empty() {
            features.iter().map(|(g, _)| g).collect()
        } else {
            strong
        };
        if groups.is_empty() {
            return None;
        }
        let need = groups.len().div_ceil(2);
        indexed.iter().position(|ix| {
            groups
                .iter()
                .filter(|g| self.feature_found(ix, g, false, false))
                .count()
                >= need
        })
    }

    /// The key point an absent thing refers to, when one shares enough features.
    pub fn link(&self, absent: &[(Group, f64)], key_points: &[Arc<PointSig>]) -> Option<usize> {
        let total: f64 = absent.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        for (k, kp) in key_points.iter().enumerate() {
            let mut kp_features: Vec<&Feature> =
                kp.features.iter().flat_map(|(g, _)| g.iter()).collect();
            kp_features.extend(kp.cues.iter().flat_map(|c| c.features.iter().flatten()));
            let shared: f64 = absent
                .iter()
                .filter(|(g, _)| g.iter().any(|f| kp_features.contains(&f)))
                .map(|(_, w)| w)
                .sum();
            let share = shared / total;
            if share >= self.config.matching.absence_link && best.is_none_or(|(_, b)| share > b) {
                best = Some((k, share));
            }
        }
        best.map(|(k, _)| k)
    }
}

/// Whether word `p` opens a counterfactual: "I should have raised it
/// earlier", "if I had asked", "I wish we had tested": what follows did not
/// happen. "would have to" is an obligation, not one.
fn counterfactual(ix: &Indexed, p: usize) -> bool {
    let at = |q: usize| if q < ix.len() { ix.norm(q) } else { "" };
    let modal_have = at(p) == "have"
        && p > 0
        && matches!(at(p - 1), "should" | "could" | "would" | "might")
        && at(p + 1) != "to";
    let wished_had = at(p) == "had"
        && p >= 2
        && matches!(at(p - 1), "i" | "we")
        && matches!(at(p - 2), "if" | "wish" | "wished");
    modal_have || wished_had
}
