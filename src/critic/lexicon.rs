//! Concepts: named groups of phrases that mean the same thing ("roll back",
//! "revert", "switch back to the old model"), matched on stems with small gaps.
//! A phrase may refer to another concept (`@customer`), end a word with `*`
//! for a prefix, or use `*` alone for a gap of up to three words.

use std::collections::{BTreeMap, HashMap};

use super::config::MatchingConfig;
use super::text::{Sentence, TextRules};

/// One element of a compiled phrase.
#[derive(Debug, Clone, PartialEq)]
pub enum Elem {
    /// A word, by stem.
    Stem(String),
    /// Any word starting with this (lower-case).
    Prefix(String),
    /// Any phrase of a concept.
    Concept(usize),
    /// Up to three words of anything before the next element.
    Gap,
    /// A number that is not a vague amount.
    Number,
}

/// The compiled concepts.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Concept names by id.
    pub names: Vec<String>,
    index: HashMap<String, usize>,
    patterns: Vec<Vec<Vec<Elem>>>,
    order: Vec<usize>,
    /// Concepts that others perform by design (no attribution check).
    pub agent_any: Vec<bool>,
    /// Concepts too common to make a point alone.
    pub weak: Vec<bool>,
    /// Helper concepts (name starting with `_`): used inside phrases, never a feature.
    pub helper: Vec<bool>,
    /// Number of phrases, counting those of the concepts referred to.
    pub size: Vec<usize>,
    /// Related-term groups (`[related]`): never picked for a phrase, only
    /// offered as alternatives for a label word ([`Lexicon::related_to`]).
    pub related: Vec<bool>,
    /// Related-term groups by the stem of each of their one-word terms.
    by_stem: HashMap<String, Vec<usize>>,
    heads: HashMap<String, usize>,
    gap: usize,
    vague: Vec<String>,
}

/// A sentence prepared for matching: word positions and concept occurrences.
#[derive(Debug, Clone)]
pub struct Indexed<'a> {
    /// The sentence.
    pub sentence: &'a Sentence,
    /// Token index of each word position (punctuation skipped).
    pub words: Vec<usize>,
    /// Occurrences `(start, end)` in word positions, per concept.
    pub occ: Vec<Vec<(usize, usize)>>,
}

impl Indexed<'_> {
    /// Stem at word position `p`.
    pub fn stem(&self, p: usize) -> &str {
        &self.sentence.tokens[self.words[p]].stem
    }

    /// Lower-case form at word position `p`.
    pub fn norm(&self, p: usize) -> &str {
        &self.sentence.tokens[self.words[p]].norm
    }

    /// Number of word positions.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when the sentence has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

impl Lexicon {
    /// Compiles the concept table; fails on unknown references or cycles.
    pub fn compile(
        concepts: &BTreeMap<String, Vec<String>>,
        related: &BTreeMap<String, Vec<String>>,
        matching: &MatchingConfig,
        rules: &TextRules,
        vague: &[String],
    ) -> Result<Self, String> {
        // Related-term groups join the concepts under a "=" prefix.
        let mut all = concepts.clone();
        for (name, terms) in related {
            all.insert(format!("={name}"), terms.clone());
        }
        let concepts = &all;
        let names: Vec<String> = concepts.keys().cloned().collect();
        let index: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let mut patterns = Vec::with_capacity(names.len());
        for name in &names {
            let mut list = Vec::new();
            for phrase in &concepts[name] {
                let elems = compile_phrase(phrase, rules, Some(&index))
                    .map_err(|e| format!("concept {name:?}, phrase {phrase:?}: {e}"))?;
                if !elems.is_empty() {
                    list.push(elems);
                }
            }
            patterns.push(list);
        }
        // Order concepts so that referenced ones are matched first.
        let mut order = Vec::with_capacity(names.len());
        let mut state = vec![0u8; names.len()];
        fn visit(
            c: usize,
            patterns: &[Vec<Vec<Elem>>],
            state: &mut [u8],
            order: &mut Vec<usize>,
            names: &[String],
        ) -> Result<(), String> {
            match state[c] {
                2 => return Ok(()),
                1 => return Err(format!("concept {:?} refers to itself", names[c])),
                _ => {}
            }
            state[c] = 1;
            for p in &patterns[c] {
                for e in p {
                    if let Elem::Concept(d) = e {
                        visit(*d, patterns, state, order, names)?;
                    }
                }
            }
            state[c] = 2;
            order.push(c);
            Ok(())
        }
        for c in 0..names.len() {
            visit(c, &patterns, &mut state, &mut order, &names)?;
        }
        let flag = |list: &[String]| -> Result<Vec<bool>, String> {
            let mut v = vec![false; names.len()];
            for n in list {
                let i = index
                    .get(n)
                    .ok_or_else(|| format!("unknown concept {n:?} in matching settings"))?;
                v[*i] = true;
            }
            Ok(v)
        };
        let mut size = vec![0usize; names.len()];
        for &c in &order {
            let mut n = 0;
            for p in &patterns[c] {
                n += 1;
                for e in p {
                    if let Elem::Concept(d) = e {
                        n += size[*d];
                    }
                }
            }
            size[c] = n;
        }
        let is_related: Vec<bool> = names.iter().map(|n| n.starts_with('=')).collect();
        let mut by_stem: HashMap<String, Vec<usize>> = HashMap::new();
        for (c, list) in patterns.iter().enumerate() {
            if !is_related[c] {
                continue;
            }
            for p in list {
                if let [Elem::Stem(s)] = p.as_slice() {
                    let v = by_stem.entry(s.clone()).or_default();
                    if !v.contains(&c) {
                        v.push(c);
                    }
                }
            }
        }
        let heads: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .filter_map(|(c, n)| n.strip_prefix('=').map(|h| (rules.stem(h), c)))
            .collect();
        Ok(Lexicon {
            heads,
            related: is_related,
            by_stem,
            helper: names.iter().map(|n| n.starts_with('_')).collect(),
            size,
            agent_any: flag(&matching.agent_any_concepts)?,
            weak: flag(&matching.weak_concepts)?,
            names,
            index,
            patterns,
            order,
            gap: matching.phrase_gap,
            vague: vague.to_vec(),
        })
    }

    /// The related-term groups holding a word (by stem) as a one-word term.
    pub fn related_to(&self, stem: &str) -> &[usize] {
        self.by_stem.get(stem).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// The related-term group named after a word (by stem), if any.
    pub fn related_head(&self, stem: &str) -> Option<usize> {
        self.heads.get(stem).copied()
    }

    /// The id of a concept by name.
    pub fn id(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Finds every concept occurrence in a sentence.
    pub fn index<'a>(&self, sentence: &'a Sentence) -> Indexed<'a> {
        let words: Vec<usize> = sentence.word_indices().collect();
        let mut ix = Indexed {
            sentence,
            words,
            occ: vec![Vec::new(); self.names.len()],
        };
        for &c in &self.order {
            let mut found = Vec::new();
            for p in &self.patterns[c] {
                found.extend(find_with(p, self.gap, &ix, &self.vague));
            }
            found.sort_unstable();
            found.dedup_by(|b, a| a.0 == b.0 && a.1 <= b.1);
            ix.occ[c] = found;
        }
        ix
    }
}

/// Compiles a phrase into elements. Without `index`, `@` references are an error.
pub fn compile_phrase(
    phrase: &str,
    rules: &TextRules,
    index: Option<&HashMap<String, usize>>,
) -> Result<Vec<Elem>, String> {
    let mut out = Vec::new();
    for word in phrase.split_whitespace() {
        if word == "*" {
            out.push(Elem::Gap);
        } else if word == "#num" {
            out.push(Elem::Number);
        } else if let Some(name) = word.strip_prefix('@') {
            let id = index
                .and_then(|ix| ix.get(name))
                .ok_or_else(|| format!("unknown concept @{name}"))?;
            out.push(Elem::Concept(*id));
        } else if let Some(prefix) = word.strip_suffix('*') {
            out.push(Elem::Prefix(prefix.to_lowercase()));
        } else {
            for t in rules.tokenize(word) {
                if !t.punct {
                    out.push(Elem::Stem(t.stem));
                }
            }
        }
    }
    if matches!(out.first(), Some(Elem::Gap)) || matches!(out.last(), Some(Elem::Gap)) {
        return Err("a phrase cannot start or end with *".into());
    }
    Ok(out)
}

/// All occurrences `(start, end)` of a compiled phrase, shortest per start.
pub fn find(elems: &[Elem], gap: usize, ix: &Indexed) -> Vec<(usize, usize)> {
    find_with(elems, gap, ix, &[])
}

fn find_with(elems: &[Elem], gap: usize, ix: &Indexed, vague: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if elems.is_empty() {
        return out;
    }
    // Only positions where the first element can match.
    let starts: Vec<usize> = match &elems[0] {
        Elem::Stem(s) => (0..ix.len()).filter(|&p| ix.stem(p) == s).collect(),
        Elem::Concept(c) => ix.occ[*c].iter().map(|&(s, _)| s).collect(),
        _ => (0..ix.len()).collect(),
    };
    for start in starts {
        let mut ends = Vec::new();
        match_from(elems, 0, start, 0, gap, ix, vague, &mut ends);
        if let Some(&e) = ends.iter().min() {
            out.push((start, e));
        }
    }
    out
}

fn elem_ends(elem: &Elem, pos: usize, ix: &Indexed, vague: &[String], out: &mut Vec<usize>) {
    if pos >= ix.len() {
        return;
    }
    match elem {
        Elem::Stem(s) => {
            if ix.stem(pos) == s {
                out.push(pos + 1);
            }
        }
        Elem::Prefix(p) => {
            if ix.norm(pos).starts_with(p.as_str()) {
                out.push(pos + 1);
            }
        }
        Elem::Concept(c) => {
            for &(s, e) in &ix.occ[*c] {
                if s == pos {
                    out.push(e);
                }
            }
        }
        Elem::Number => {
            let t = &ix.sentence.tokens[ix.words[pos]];
            if t.number && !vague.iter().any(|v| v == &t.norm) {
                out.push(pos + 1);
            }
        }
        Elem::Gap => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn match_from(
    elems: &[Elem],
    k: usize,
    pos: usize,
    slack: usize,
    gap: usize,
    ix: &Indexed,
    vague: &[String],
    out: &mut Vec<usize>,
) {
    if k == elems.len() {
        out.push(pos);
        return;
    }
    if elems[k] == Elem::Gap {
        match_from(elems, k + 1, pos, 3, gap, ix, vague, out);
        return;
    }
    for q in pos..=(pos + slack).min(ix.len()) {
        let mut ends = Vec::new();
        elem_ends(&elems[k], q, ix, vague, &mut ends);
        for e in ends {
            match_from(elems, k + 1, e, gap, gap, ix, vague, out);
        }
    }
}
