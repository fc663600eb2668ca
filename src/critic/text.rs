//! Text handling for the critic: sentences (from typed text or a timed
//! transcript), tokens with contractions expanded and a light stemmer, clauses,
//! who does what in each clause (the agent), and tense.

use std::collections::{HashMap, HashSet};

use crate::report::Transcript;

use super::config::TextConfig;

/// Who performs the action of a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// "I".
    Speaker,
    /// "we": the speaker with others.
    Team,
    /// Someone else: he, she, they, my manager, a colleague, a name.
    Other,
    /// "you", "people" in a generic sense, or no person at all.
    Unknown,
}

/// One token of an answer or a card phrase.
#[derive(Debug, Clone)]
pub struct Token {
    /// Lower-case surface form (contractions expanded).
    pub norm: String,
    /// Stem used for matching.
    pub stem: String,
    /// The token began with a capital letter in the original text.
    pub capital: bool,
    /// Digits or a number word.
    pub number: bool,
    /// Punctuation that separates clauses.
    pub punct: bool,
}

/// One sentence of the answer.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// The sentence as said or written.
    pub text: String,
    /// Start in seconds, when the answer came with word times.
    pub start: Option<f64>,
    /// End in seconds.
    pub end: Option<f64>,
    /// Tokens, punctuation included.
    pub tokens: Vec<Token>,
    /// Clause index of each token.
    pub clause_of: Vec<usize>,
    /// Negation scope of each token: clauses, but "I didn't think | it was"
    /// stays one scope.
    pub scope_of: Vec<usize>,
    /// Agent of each clause.
    pub agents: Vec<Agent>,
    /// Whether each clause mentions the speaker as object ("told me").
    pub me_object: Vec<bool>,
    /// Number of spoken words.
    pub words: usize,
}

/// Word lists and maps prepared once from [`TextConfig`].
#[derive(Debug, Clone, Default)]
pub struct TextRules {
    irregular: HashMap<String, String>,
    past_forms: HashSet<String>,
    not_past: HashSet<String>,
    stopwords: HashSet<String>,
    number_words: HashSet<String>,
    clause_breaks: HashSet<String>,
    complement: HashSet<String>,
    people: HashSet<String>,
    groups: HashSet<String>,
    third_pronouns: HashSet<String>,
    not_names: HashSet<String>,
}

fn set(words: &[String]) -> HashSet<String> {
    words.iter().map(|w| w.to_lowercase()).collect()
}

impl TextRules {
    /// Prepares the lists.
    pub fn new(config: &TextConfig) -> Self {
        let irregular: HashMap<String, String> = config
            .irregular
            .iter()
            .map(|(k, v)| (k.to_lowercase(), v.to_lowercase()))
            .collect();
        let mut rules = TextRules {
            past_forms: set(&config.past_forms),
            not_past: set(&config.not_past),
            stopwords: set(&config.stopwords),
            number_words: set(&config.number_words),
            clause_breaks: set(&config.clause_breaks),
            complement: set(&config.complement_verbs),
            people: HashSet::new(),
            groups: set(&config.group_nouns),
            third_pronouns: set(&config.third_person),
            not_names: set(&config.not_names),
            irregular,
        };
        rules.people = config.people_nouns.iter().map(|w| rules.stem(w)).collect();
        rules.groups = config.group_nouns.iter().map(|w| rules.stem(w)).collect();
        rules
    }

    /// Whether `norm` is a stopword.
    pub fn is_stopword(&self, norm: &str) -> bool {
        self.stopwords.contains(norm)
    }

    /// Whether a lower-case word is a number word or digits.
    pub fn is_number_word(&self, norm: &str) -> bool {
        norm.chars().next().is_some_and(|c| c.is_ascii_digit()) || self.number_words.contains(norm)
    }

    /// Whether a lower-case word is a past-tense verb form.
    pub fn is_past(&self, norm: &str) -> bool {
        if self.not_past.contains(norm) {
            return false;
        }
        self.past_forms.contains(norm) || (norm.len() > 4 && norm.ends_with("ed"))
    }

    /// Reduces a word to the stem used for matching: irregular forms first,
    /// then common English suffixes, then a final "e".
    pub fn stem(&self, word: &str) -> String {
        let w = word.to_lowercase();
        if let Some(base) = self.irregular.get(&w) {
            return strip_e(base.clone());
        }
        if w.len() <= 3 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
            return w;
        }
        let mut s = w.clone();
        // Derivational endings, longest first.
        for (suffix, keep) in [
            ("ibility", 4),
            ("ability", 4),
            ("isation", 4),
            ("ization", 4),
            ("ational", 4),
            ("fulness", 4),
            ("iveness", 4),
            ("ations", 4),
            ("ation", 4),
            ("ments", 4),
            ("ment", 4),
            ("ness", 4),
            ("ible", 4),
            ("able", 4),
            ("ities", 4),
            ("ity", 4),
            ("ily", 4),
            ("ly", 4),
        ] {
            if s.len() >= suffix.len() + keep && s.ends_with(suffix) {
                s.truncate(s.len() - suffix.len());
                if suffix == "ily" || suffix == "ities" {
                    s.push('i');
                }
                break;
            }
        }
        // Inflections.
        if (s.ends_with("ies") || s.ends_with("ied")) && s.len() > 4 {
            s.truncate(s.len() - 3);
            s.push('i');
        } else if s.ends_with("sses") {
            s.truncate(s.len() - 2);
        } else if s.ends_with("eed") {
            // need, agreed, proceed: keep
        } else if s.ends_with("ing") && s.len() >= 6 && has_vowel(&s[..s.len() - 3]) {
            s.truncate(s.len() - 3);
            undouble(&mut s);
        } else if s.ends_with("ed") && s.len() >= 5 && has_vowel(&s[..s.len() - 2]) {
            s.truncate(s.len() - 2);
            undouble(&mut s);
        } else if s.ends_with("es")
            && s.len() > 4
            && (s.ends_with("ches")
                || s.ends_with("shes")
                || s.ends_with("xes")
                || s.ends_with("zes"))
        {
            s.truncate(s.len() - 2);
        } else if s.ends_with('s')
            && !s.ends_with("ss")
            && !s.ends_with("us")
            && !s.ends_with("is")
            && s.len() > 3
        {
            s.truncate(s.len() - 1);
        }
        // -ise/-ize and -er/-or forms meet their base.
        for suffix in ["ise", "ize", "is", "iz"] {
            if s.len() > suffix.len() + 4 && s.ends_with(suffix) {
                s.truncate(s.len() - suffix.len());
                break;
            }
        }
        if s.ends_with('i') && s.len() > 3 {
            s.pop();
            s.push('y');
        }
        strip_e(s)
    }

    /// Splits `text` into tokens: words (contractions expanded, hyphens and
    /// slashes split), numbers ("%" becomes "percent") and clause punctuation.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let text = text.replace(['\u{2019}', '\u{2018}'], "'");
        let mut chars = text.char_indices().peekable();
        let bytes = text.as_str();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    let next_is_alnum = bytes[j + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_alphanumeric());
                    if d.is_alphanumeric()
                        || (d == '\'' && next_is_alnum)
                        || ((d == '.' || d == ',') && c.is_ascii_digit() && next_is_alnum)
                    {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                self.push_word(&bytes[i..end], &mut out);
            } else if c == '%' {
                out.push(self.word_token("percent", false));
            } else if matches!(
                c,
                ',' | ';' | ':' | '(' | ')' | '\u{2014}' | '\u{2013}' | '"'
            ) || (c == '-' && chars.peek().is_some_and(|&(_, d)| d == ' '))
            {
                out.push(Token {
                    norm: c.to_string(),
                    stem: c.to_string(),
                    capital: false,
                    number: false,
                    punct: true,
                });
            }
        }
        out
    }

    fn word_token(&self, norm: &str, capital: bool) -> Token {
        Token {
            norm: norm.to_string(),
            stem: self.stem(norm),
            capital,
            number: self.is_number_word(norm),
            punct: false,
        }
    }

    fn push_word(&self, word: &str, out: &mut Vec<Token>) {
        let capital = word.chars().next().is_some_and(|c| c.is_uppercase());
        let lower = word.to_lowercase();
        let mut parts: Vec<&str> = Vec::new();
        let expanded: Vec<String>;
        if let Some(base) = lower.strip_suffix("n't") {
            let base = match base {
                "ca" => "can",
                "wo" => "will",
                "sha" => "shall",
                other => other,
            };
            expanded = vec![base.to_string(), "not".to_string()];
        } else if let Some((head, tail)) = lower.split_once('\'') {
            let tail_word = match tail {
                "re" => Some("are"),
                "ve" => Some("have"),
                "ll" => Some("will"),
                "m" => Some("am"),
                "d" => Some("would"),
                "s" if matches!(
                    head,
                    "it" | "that" | "there" | "what" | "who" | "here" | "he" | "she" | "where"
                ) =>
                {
                    Some("is")
                }
                "s" if head == "let" => Some("us"),
                _ => None,
            };
            expanded = match tail_word {
                Some(t) => vec![head.to_string(), t.to_string()],
                // Possessive or unknown: keep the head word.
                None => vec![head.to_string()],
            };
        } else {
            expanded = vec![lower.clone()];
        }
        for e in &expanded {
            parts.push(e.as_str());
        }
        for (k, part) in parts.iter().enumerate() {
            if part.is_empty() {
                continue;
            }
            out.push(self.word_token(part, capital && k == 0));
        }
    }

    /// Splits a sentence into clauses and finds each clause's agent.
    fn clauses(&self, tokens: &[Token]) -> (Vec<usize>, Vec<usize>, Vec<Agent>, Vec<bool>) {
        let mut clause_of = Vec::with_capacity(tokens.len());
        let mut scope_of = Vec::with_capacity(tokens.len());
        let mut scope = 0usize;
        let mut starts = vec![0usize];
        let mut clause = 0usize;
        for (i, t) in tokens.iter().enumerate() {
            if i > 0 && (t.punct || self.clause_breaks.contains(&t.norm)) {
                scope += 1;
            }
            scope_of.push(scope);
            let prev = if i > 0 {
                tokens[i - 1].norm.as_str()
            } else {
                ""
            };
            let breaks = if t.punct {
                true
            } else {
                i > 0
                    && (self.clause_breaks.contains(&t.norm)
                        || (self.complement.contains(prev)
                            && !matches!(t.norm.as_str(), "it" | "so" | "of" | "about" | "to")
                            && !tokens[i].punct)
                        || (t.norm == "that" && matches!(prev, "is" | "was")))
            };
            if breaks && i > *starts.last().unwrap() {
                clause += 1;
                starts.push(i);
            }
            clause_of.push(clause);
        }
        let count = clause + 1;
        let mut agents = Vec::with_capacity(count);
        let mut me = Vec::with_capacity(count);
        for c in 0..count {
            let range: Vec<usize> = (0..tokens.len()).filter(|&i| clause_of[i] == c).collect();
            let first = range.first().copied().unwrap_or(0);
            let found = self.agent_of(tokens, &range, first);
            let agent = match found {
                Some(a) => a,
                None => {
                    // "who"/"which" clauses take the person before them; other
                    // clauses without a subject continue the previous one.
                    let starts_who = range
                        .iter()
                        .find(|&&i| !tokens[i].punct)
                        .is_some_and(|&i| tokens[i].norm == "who");
                    let lead = range
                        .iter()
                        .find(|&&i| !tokens[i].punct)
                        .map(|&i| tokens[i].norm.as_str())
                        .unwrap_or("");
                    if starts_who && first > 0 && {
                        let prev = tokens[first - 1].stem.as_str();
                        self.people.contains(prev) || self.groups.contains(prev)
                    } {
                        Agent::Other
                    } else if matches!(
                        lead,
                        "and" | "or" | "then" | "but" | "who" | "which" | "nor"
                    ) || tokens.get(first).is_some_and(|t| t.norm == ",")
                    {
                        // "…rolled it back and fixed it": the same subject goes on.
                        agents.last().copied().unwrap_or(Agent::Unknown)
                    } else {
                        Agent::Unknown
                    }
                }
            };
            agents.push(agent);
            me.push(range.iter().any(|&i| tokens[i].norm == "me"));
        }
        (clause_of, scope_of, agents, me)
    }

    fn agent_of(&self, tokens: &[Token], range: &[usize], _first: usize) -> Option<Agent> {
        for (k, &i) in range.iter().enumerate() {
            let t = &tokens[i];
            if t.punct {
                continue;
            }
            // Past the verb, a person is an object ("…and showed the team").
            if k > 0
                && (self.is_past(&t.norm)
                    || matches!(
                        t.norm.as_str(),
                        "is" | "are"
                            | "am"
                            | "will"
                            | "would"
                            | "can"
                            | "could"
                            | "should"
                            | "has"
                            | "have"
                            | "do"
                            | "does"
                    ))
            {
                return None;
            }
            match t.norm.as_str() {
                "i" => return Some(Agent::Speaker),
                "we" => return Some(Agent::Team),
                "you" => return Some(Agent::Unknown),
                n if self.third_pronouns.contains(n) => return Some(Agent::Other),
                _ => {}
            }
            let stem = t.stem.as_str();
            // A person noun near the start of the clause ("my manager", "the QA
            // team", "two of our engineers") is its subject.
            if k <= 4 && (self.people.contains(stem) || self.groups.contains(stem)) {
                // "my team" with "we" later is still the speaker's group.
                let next = range.get(k + 1).map(|&j| tokens[j].norm.as_str());
                if next == Some("and") {
                    continue;
                }
                let prev = if k > 0 {
                    Some(tokens[range[k - 1]].norm.as_str())
                } else {
                    None
                };
                if matches!(prev, Some("to" | "with" | "for" | "from" | "by" | "at")) {
                    continue;
                }
                return Some(Agent::Other);
            }
            // A name: capitalised, not the first word, not a known non-name.
            if t.capital && i > 0 && k <= 3 && !self.not_names.contains(&t.norm) {
                let prev = tokens[i - 1].norm.as_str();
                if !matches!(
                    prev,
                    "to" | "with" | "for" | "from" | "by" | "of" | "at" | "in" | "on"
                ) {
                    return Some(Agent::Other);
                }
            }
        }
        None
    }

    /// Builds a sentence with its tokens and clauses.
    pub fn sentence(
        &self,
        text: &str,
        start: Option<f64>,
        end: Option<f64>,
        words: usize,
    ) -> Sentence {
        let tokens = self.tokenize(text);
        let (clause_of, scope_of, agents, me_object) = self.clauses(&tokens);
        Sentence {
            text: text.to_string(),
            start,
            end,
            tokens,
            clause_of,
            scope_of,
            agents,
            me_object,
            words,
        }
    }
}

fn has_vowel(s: &str) -> bool {
    s.chars().any(|c| "aeiouy".contains(c))
}

fn undouble(s: &mut String) {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 3 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'z' | b'e' | b'o') {
        s.pop();
    }
}

fn strip_e(mut s: String) -> String {
    if s.len() > 3 && s.ends_with('e') && !s.ends_with("ee") {
        s.pop();
    }
    s
}

/// Splits typed text into sentences at `.`, `?` and `!` followed by a space,
/// and at line breaks between paragraphs.
pub fn split_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' && chars.get(i + 1) == Some(&'\n') {
            push_sentence(&mut out, &mut current);
            i += 1;
            continue;
        }
        current.push(if c == '\n' { ' ' } else { c });
        if matches!(c, '.' | '?' | '!') {
            let next = chars.get(i + 1).copied();
            let boundary = match next {
                None => true,
                Some(n) => n.is_whitespace() || n == '"' || n == '\'',
            };
            if boundary && !is_abbreviation(&current) {
                // Keep closing quotes with the sentence.
                while let Some(&q) = chars.get(i + 1) {
                    if q == '"' || q == '\'' {
                        current.push(q);
                        i += 1;
                    } else {
                        break;
                    }
                }
                push_sentence(&mut out, &mut current);
            }
        }
        i += 1;
    }
    push_sentence(&mut out, &mut current);
    out
}

fn is_abbreviation(current: &str) -> bool {
    let last = current
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_lowercase();
    matches!(
        last.as_str(),
        "e.g." | "i.e." | "mr." | "mrs." | "ms." | "dr." | "vs." | "etc." | "approx."
    )
}

fn push_sentence(out: &mut Vec<String>, current: &mut String) {
    let t = current.trim();
    if t.chars().any(|c| c.is_alphanumeric()) {
        out.push(t.to_string());
    }
    current.clear();
}

/// Sentences of a timed transcript: words are grouped until one ends with
/// sentence punctuation; each sentence keeps its first word's start time.
pub fn split_transcript(transcript: &Transcript) -> Vec<(String, Option<f64>, Option<f64>, usize)> {
    if transcript.words.is_empty() {
        return split_text(&transcript.text)
            .into_iter()
            .map(|s| {
                let n = s.split_whitespace().count();
                (s, None, None, n)
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut text = String::new();
    let mut start = None;
    let mut end = None;
    let mut count = 0usize;
    for word in &transcript.words {
        let w = word.text.trim();
        if w.is_empty() {
            continue;
        }
        if start.is_none() {
            start = Some(word.start);
        }
        end = Some(word.end);
        // Whisper attaches punctuation to words and starts words with a space;
        // punctuation-only pieces join the previous word.
        let punct_only = !w.chars().any(|c| c.is_alphanumeric());
        if !text.is_empty() && !punct_only && !w.starts_with('\'') {
            text.push(' ');
        }
        text.push_str(w);
        if !punct_only {
            count += 1;
        }
        let ends = w.ends_with(['.', '?', '!']) || w.ends_with(".\"") || w.ends_with("?\"");
        if ends && !is_abbreviation(&text) {
            out.push((std::mem::take(&mut text), start.take(), end.take(), count));
            count = 0;
        }
    }
    if text.chars().any(|c| c.is_alphanumeric()) {
        out.push((text, start, end, count));
    }
    out
}

impl Sentence {
    /// Indices of the non-punctuation tokens.
    pub fn word_indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.tokens.len()).filter(|&i| !self.tokens[i].punct)
    }

    /// The agent of the clause holding token `i`.
    pub fn agent_at(&self, i: usize) -> Agent {
        self.agents[self.clause_of[i]]
    }

    /// Whether the clause holding token `i` has the speaker as object.
    pub fn me_at(&self, i: usize) -> bool {
        self.me_object[self.clause_of[i]]
    }
}
