//! Deciding whether the answer makes each key point of the card, or makes one
//! of its mistakes, from the point's label and cues: literal cue phrases,
//! concepts shared between cue or label and the sentence, negation and who
//! did it.

use std::collections::HashSet;

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

/// A card cue, prepared.
#[derive(Debug, Clone)]
pub struct CueSig {
    /// The cue as written.
    pub text: String,
    literal: Vec<Elem>,
    literal_strength: f64,
    features: Vec<Feature>,
    concept_strength: f64,
}

/// A key point or mistake, prepared.
#[derive(Debug, Clone)]
pub struct PointSig {
    /// Point id.
    pub id: String,
    /// Point label.
    pub label: String,
    /// Label features and their weights.
    pub features: Vec<(Feature, f64)>,
    /// Cues.
    pub cues: Vec<CueSig>,
    /// Only the speaker's (or the speaker's team's) own actions count.
    pub needs_agent: bool,
    /// The evidence must hold a number.
    pub needs_number: bool,
    /// For a cue-less mistake about something missing: what is missing.
    pub absent: Option<Vec<(Feature, f64)>>,
    /// A cue-less mistake about length ("rambles").
    pub length: bool,
}

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
}

impl<'a> Ctx<'a> {
    /// Prepares the helpers.
    pub fn new(config: &'a CriticConfig, rules: &'a TextRules, lexicon: &'a Lexicon) -> Self {
        Ctx {
            config,
            rules,
            lexicon,
            negators: config.text.negators.iter().map(|w| w.to_lowercase()).collect(),
        }
    }

    /// Whether the words `[s, e)` are negated: a negator earlier in the same
    /// clause within the negation scope, or inside the span unless the phrase
    /// itself holds it.
    pub fn negated(&self, ix: &Indexed, s: usize, e: usize, inner_ok: bool) -> bool {
        let sentence = ix.sentence;
        let clause = sentence.clause_of[ix.words[s]];
        let mut p = s;
        let mut steps = 0;
        while p > 0 && steps < self.config.text.negation_scope {
            p -= 1;
            steps += 1;
            if sentence.clause_of[ix.words[p]] != clause {
                break;
            }
            if self.negators.contains(ix.norm(p)) {
                return true;
            }
        }
        !inner_ok && (s..e).any(|q| self.negators.contains(ix.norm(q)))
    }

    /// Whether the clause of word `s` is someone else's action, with the
    /// speaker not involved as its object.
    pub fn attributed(&self, ix: &Indexed, s: usize) -> bool {
        let t = ix.words[s];
        ix.sentence.agent_at(t) == Agent::Other && !ix.sentence.me_at(t)
    }

    fn phrase_has_negator(&self, elems: &[Elem]) -> bool {
        elems.iter().any(|e| match e {
            Elem::Stem(s) => self.negators.contains(s),
            _ => false,
        })
    }

    /// Occurrences of a feature in a sentence that count: not negated, and not
    /// someone else's action when the point needs the speaker's own.
    pub fn feature_hits(&self, ix: &Indexed, f: &Feature, needs_agent: bool) -> Vec<(usize, usize)> {
        let (spans, agent_any): (Vec<(usize, usize)>, bool) = match f {
            Feature::Concept(c) => (ix.occ[*c].clone(), self.lexicon.agent_any[*c]),
            Feature::Stem(s) => (
                (0..ix.len()).filter(|&p| ix.stem(p) == s).map(|p| (p, p + 1)).collect(),
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
                !self.negated(ix, s, e, inner_ok)
                    && !(needs_agent && !agent_any && self.attributed(ix, s))
            })
            .collect()
    }

    fn feature_found(&self, ix: &Indexed, f: &Feature, needs_agent: bool) -> bool {
        !self.feature_hits(ix, f, needs_agent).is_empty()
    }

    /// Describes a feature for explanations.
    pub fn feature_name(&self, f: &Feature) -> String {
        match f {
            Feature::Concept(c) => format!("~{}", self.lexicon.names[*c]),
            Feature::Stem(s) => s.clone(),
        }
    }

    /// Features of a phrase: its concepts (longest occurrences only) and the
    /// stems of its content words that no concept covers.
    pub fn features_of(&self, text: &str, label: bool) -> Vec<(Feature, f64)> {
        let m = &self.config.matching;
        let sentence = self.rules.sentence(text, None, None, 0);
        let ix = self.lexicon.index(&sentence);
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (c, occ) in ix.occ.iter().enumerate() {
            for &(s, e) in occ {
                spans.push((s, e, c));
            }
        }
        let maximal: Vec<(usize, usize, usize)> = spans
            .iter()
            .copied()
            .filter(|&(s, e, _)| {
                !spans
                    .iter()
                    .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (e2 - s2) > (e - s))
            })
            .collect();
        let mut covered = vec![false; ix.len()];
        let mut out: Vec<(Feature, f64)> = Vec::new();
        for &(s, e, c) in &maximal {
            // A negator inside a label phrase ("no real trade-off") is not a concept use.
            if label && self.negated(&ix, s, e, true) {
                continue;
            }
            for flag in covered.iter_mut().take(e).skip(s) {
                *flag = true;
            }
            let f = Feature::Concept(c);
            if !out.iter().any(|(g, _)| *g == f) {
                let w = if self.lexicon.weak[c] { m.weak_weight.max(0.5) } else { 1.0 };
                out.push((f, w));
            }
        }
        let label_stop: HashSet<String> = m.label_stopwords.iter().map(|w| self.rules.stem(w)).collect();
        let weak: HashSet<String> = m.weak_words.iter().map(|w| self.rules.stem(w)).collect();
        for p in 0..ix.len() {
            if covered[p] {
                continue;
            }
            let norm = ix.norm(p);
            let stem = ix.stem(p).to_string();
            if self.rules.is_stopword(norm)
                || self.negators.contains(norm)
                || (label && label_stop.contains(&stem))
                || stem.len() < 2
            {
                continue;
            }
            let f = Feature::Stem(stem.clone());
            if !out.iter().any(|(g, _)| *g == f) {
                let w = if weak.contains(&stem) { m.weak_weight } else { 1.0 };
                out.push((f, w));
            }
        }
        out
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
                let stems: Vec<String> = self.rules.tokenize(w).into_iter().map(|t| t.stem).collect();
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
        let mut length = false;
        if mistake && point.cues.is_empty() {
            if has_word(&m.length_words) {
                length = true;
            } else {
                // The thing missing is what follows the first absence marker.
                let tokens: Vec<String> = lower.split_whitespace().map(|w| w.to_string()).collect();
                if let Some(k) = tokens.iter().position(|w| {
                    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                    m.absence_markers.iter().any(|a| a == w)
                }) {
                    let rest = tokens[k + 1..].join(" ");
                    absent = Some(self.features_of(&rest, true));
                }
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
        }
    }

    fn cue_sig(&self, cue: &str) -> CueSig {
        let m = &self.config.matching;
        let literal = compile_phrase(cue, self.rules, None).unwrap_or_default();
        let tokens: Vec<_> = self.rules.tokenize(cue).into_iter().filter(|t| !t.punct).collect();
        let pronoun = |n: &str| matches!(n, "i" | "my" | "we" | "our" | "me" | "us" | "they" | "their" | "them");
        let content = tokens.iter().filter(|t| !self.rules.is_stopword(&t.norm)).count();
        let others_pronouns = tokens
            .iter()
            .filter(|t| self.rules.is_stopword(&t.norm))
            .all(|t| pronoun(&t.norm));
        let literal_strength = if content >= 2 {
            m.cue_full
        } else if content == 1 {
            if others_pronouns {
                m.cue_single
            } else {
                m.cue_phrase
            }
        } else if tokens.len() >= 2 {
            m.cue_phrase
        } else {
            m.cue_single
        };
        let features: Vec<Feature> = self.features_of(cue, false).into_iter().map(|(f, _)| f).collect();
        let has_concept = features.iter().any(|f| matches!(f, Feature::Concept(_)));
        let any_weak = features
            .iter()
            .any(|f| matches!(f, Feature::Concept(c) if self.lexicon.weak[*c]));
        let concept_strength = if !has_concept {
            0.0
        } else if any_weak {
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
        let mut best_cue_features: Vec<Feature> = Vec::new();
        for cue in &sig.cues {
            // Literal.
            let inner_ok = self.phrase_has_negator(&cue.literal);
            let literal_ok = find(&cue.literal, m.cue_gap, ix).into_iter().any(|(s, e)| {
                !self.negated(ix, s, e, inner_ok) && !(sig.needs_agent && self.attributed(ix, s))
            });
            if literal_ok && cue.literal_strength > best.score {
                best.score = cue.literal_strength;
                best.why = format!("says \"{}\"", cue.text);
                best_cue_features = cue.features.clone();
            }
            // Through concepts.
            if cue.concept_strength > best.score
                && cue.features.iter().all(|f| self.feature_found(ix, f, sig.needs_agent))
            {
                best.score = cue.concept_strength;
                best.why = format!(
                    "means \"{}\" ({})",
                    cue.text,
                    cue.features.iter().map(|f| self.feature_name(f)).collect::<Vec<_>>().join(", ")
                );
                best_cue_features = cue.features.clone();
            }
        }
        // Label coverage.
        let total: f64 = sig.features.iter().map(|(_, w)| w).sum();
        let mut found_w = 0.0;
        let mut found_names = Vec::new();
        let mut support = false;
        for (f, w) in &sig.features {
            if self.feature_found(ix, f, sig.needs_agent) {
                found_w += w;
                found_names.push(self.feature_name(f));
                if !best_cue_features.contains(f) && *w >= 1.0 {
                    support = true;
                }
            }
        }
        if best.score > 0.0 && best.score < m.covered_threshold && support {
            best.score += m.support_bonus;
            best.why = format!("{} with {}", best.why, found_names.join(", "));
        }
        if total > 0.0 {
            let label_score = found_w / total.min(m.label_cap);
            if label_score > best.score {
                best.score = label_score;
                best.why = format!("matches the label ({})", found_names.join(", "));
            }
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
        best
    }

    /// Whether any sentence mentions the absent thing at all (loosely): at
    /// least one of its strong features, not negated.
    pub fn loosely_found(&self, features: &[(Feature, f64)], indexed: &[Indexed]) -> Option<usize> {
        let total: f64 = features.iter().map(|(_, w)| w).sum();
        let need = total.min(1.0);
        if need <= 0.0 {
            return None;
        }
        indexed.iter().position(|ix| {
            let w: f64 = features
                .iter()
                .filter(|(f, _)| self.feature_found(ix, f, false))
                .map(|(_, w)| w)
                .sum();
            w >= need - 1e-9
        })
    }

    /// The key point an absent thing refers to, when one shares enough features.
    pub fn link(&self, absent: &[(Feature, f64)], key_points: &[PointSig]) -> Option<usize> {
        let total: f64 = absent.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        for (k, kp) in key_points.iter().enumerate() {
            let mut kp_features: Vec<&Feature> = kp.features.iter().map(|(f, _)| f).collect();
            kp_features.extend(kp.cues.iter().flat_map(|c| c.features.iter()));
            let shared: f64 = absent
                .iter()
                .filter(|(f, _)| kp_features.contains(&f))
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
