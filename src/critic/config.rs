//! The critic's word lists, concepts and thresholds: `assets/critic.toml`
//! (compiled in) overlaid with an optional user file, table by table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::lexicon::Lexicon;
use super::text::TextRules;

const BUNDLED: &str = include_str!("../../assets/critic.toml");

/// Tokens, clauses and tense.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TextConfig {
    /// Function words left out of label and cue features.
    pub stopwords: Vec<String>,
    /// Number words ("two", "dozen", "half") besides digits.
    pub number_words: Vec<String>,
    /// Words that start a new clause.
    pub clause_breaks: Vec<String>,
    /// Verbs after which a new clause starts ("I think | QA needs…").
    pub complement_verbs: Vec<String>,
    /// Nouns for people other than the speaker (manager, colleague…).
    pub people_nouns: Vec<String>,
    /// Nouns for groups other than the speaker (QA, support, sales…).
    pub group_nouns: Vec<String>,
    /// Third-person subject pronouns.
    pub third_person: Vec<String>,
    /// Capitalised words that are not people's names.
    pub not_names: Vec<String>,
    /// Irregular word forms and their base form (took = "take").
    pub irregular: BTreeMap<String, String>,
    /// Irregular past-tense forms (regular ones end in "-ed").
    pub past_forms: Vec<String>,
    /// Words ending in "-ed" that are not past tense.
    pub not_past: Vec<String>,
    /// Words that negate what follows in their clause.
    pub negators: Vec<String>,
    /// How many tokens after a negator are negated.
    pub negation_scope: usize,
}

/// How key points and mistakes are matched.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MatchingConfig {
    /// Words in labels that carry no meaning for matching ("describes", "shows").
    pub label_stopwords: Vec<String>,
    /// Common words that count for little when found ("team", "work").
    pub weak_words: Vec<String>,
    /// Weight of a weak word.
    pub weak_weight: f64,
    /// A label is cut before these markers ("not just", "rather than").
    pub contrast_markers: Vec<String>,
    /// Label words that mean the point can be made by anyone's action
    /// (outcomes, what was said to the speaker).
    pub agent_free_words: Vec<String>,
    /// Label words that mean the evidence must contain a number.
    pub number_words: Vec<String>,
    /// Concepts that describe what someone else does by design (the mentee
    /// working on their own), so attribution to others does not block them.
    pub agent_any_concepts: Vec<String>,
    /// Concepts too common to make a point on their own.
    pub weak_concepts: Vec<String>,
    /// Words between two words of a concept phrase.
    pub phrase_gap: usize,
    /// Words between two words of a card cue.
    pub cue_gap: usize,
    /// Score at or above which a key point is made.
    pub covered_threshold: f64,
    /// Score at or above which a card mistake is present.
    pub mistake_threshold: f64,
    /// Label weight that counts as full coverage (about two strong features).
    pub label_cap: f64,
    /// A sentence holding this share of a label's feature weight (and two
    /// strong features) makes the point, however long the label.
    #[serde(default = "default_label_share")]
    pub label_share: f64,
    /// Score of a literal cue with two or more content words.
    pub cue_full: f64,
    /// Score of a literal cue with one content word among function words.
    pub cue_phrase: f64,
    /// Score of a cue that is one bare or pronoun-led word.
    pub cue_single: f64,
    /// Score of a cue that is one uncommon word on its own ("reworked", "norms"):
    /// the card's author picked that word, so it says more than "I built".
    pub cue_word: f64,
    /// Score of a cue matched through its concepts.
    pub cue_concept: f64,
    /// Cue words that keep a cue literal: matching it through concepts would
    /// lose them ("before rolling back", "update every").
    pub literal_only_words: Vec<String>,
    /// A one-word cue matched through its concept ("demo" → "showed the team")
    /// counts as a weak cue, needing another label feature in the sentence.
    pub single_word_cue_needs_support: bool,
    /// Label-only evidence for a mistake counts this much (mistakes rest on cues).
    pub mistake_label_factor: f64,
    /// Added when a weak cue is backed by another label feature.
    pub support_bonus: f64,
    /// Words marking a cue-less mistake as an absence ("never", "no").
    pub absence_markers: Vec<String>,
    /// Share of an absent thing's features that links it to a key point.
    pub absence_link: f64,
    /// Label words marking a length mistake ("rambles").
    pub length_words: Vec<String>,
    /// A length mistake is present above this multiple of the card's maximum.
    pub length_factor: f64,
    /// Speaking rate used to estimate the length of a typed answer.
    pub words_per_minute: f64,
}

/// The generic mistakes every answer is checked for.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GenericConfig {
    /// Verbs (base forms) of doing something at work, for concrete episodes.
    pub action_verbs: Vec<String>,
    /// Verbs of opinion or state, which are not actions ("think", "guess").
    pub opinion_verbs: Vec<String>,
    /// Phrases of habit or hypothesis ("usually", "my approach is").
    pub habit_markers: Vec<String>,
    /// Phrases that anchor one occasion ("one time", "last year").
    pub occasion_markers: Vec<String>,
    /// Fewest concrete episode sentences for an answer to have an example.
    pub min_episodes: usize,
    /// Sweeping words ("always", "never", "everyone").
    pub absolutes: Vec<String>,
    /// Phrases that put fault on others ("user error", "should have caught").
    pub blame_phrases: Vec<String>,
    /// Phrases that put fault on others when someone else is the subject.
    pub blame_predicates: Vec<String>,
    /// Quantities too vague to be a metric ("a couple", "a few").
    pub vague_quantities: Vec<String>,
    /// Idioms with numbers that are not measurements ("a hundred percent").
    pub quantity_idioms: Vec<String>,
    /// Fewest "we" subjects before "we, never I" is flagged.
    pub we_min: usize,
    /// Words of a prompt that ask for one occasion ("tell me about a time"):
    /// on such a card an answer in general terms makes no key point.
    pub story_prompts: Vec<String>,
}

/// Situation/Task/Action/Result labelling.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StarConfig {
    /// Situation phrases.
    pub situation: Vec<String>,
    /// Task phrases.
    pub task: Vec<String>,
    /// Result phrases.
    pub result: Vec<String>,
    /// Reflection phrases (lessons, opinions), counted as no part.
    pub reflection: Vec<String>,
    /// Phrases saying the speaker does not know how it ended ("I don't know
    /// what happened"): such a sentence is not the result.
    pub no_outcome: Vec<String>,
    /// Sequence words that mark actions ("then", "first").
    pub action_markers: Vec<String>,
    /// Result share below which the result is "tiny".
    pub tiny_result_share: f64,
    /// Situation share above which the preamble is "long".
    pub long_situation_share: f64,
}

/// Score weights.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ScoringConfig {
    /// Share of the content score from key points (the rest starts full and
    /// loses points per mistake).
    pub key_point_share: f64,
    /// Points taken off per card mistake present.
    pub card_mistake_penalty: f64,
    /// Points taken off per generic mistake present.
    pub generic_mistake_penalty: f64,
    /// Structure score weight per STAR part when present.
    pub part_weights: BTreeMap<String, f64>,
    /// Structure points lost per structure flag.
    pub flag_penalty: f64,
    /// Overall weights: content, structure, delivery.
    pub overall_weights: BTreeMap<String, f64>,
}

/// The optional language-model critic (off by default).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LlmConfig {
    /// Ask the model at all.
    pub enabled: bool,
    /// Base URL of an OpenAI-compatible API, e.g. `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Name of the environment variable holding the API key (empty: none).
    pub api_key_env: String,
    /// Whole-request timeout in seconds.
    pub timeout_s: f64,
    /// Longest answer text sent, in characters.
    pub max_answer_chars: usize,
}

/// Everything the critic is tuned by.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CriticConfig {
    /// Text handling.
    pub text: TextConfig,
    /// Key point and mistake matching.
    pub matching: MatchingConfig,
    /// Generic mistakes.
    pub generic: GenericConfig,
    /// STAR.
    pub star: StarConfig,
    /// Scores.
    pub scoring: ScoringConfig,
    /// Optional language model.
    pub llm: LlmConfig,
    /// Concepts: a name and the phrases that express it. `@name` in a phrase
    /// stands for any phrase of another concept, `word*` for any word starting
    /// so, and `*` for up to three words.
    pub concepts: BTreeMap<String, Vec<String>>,
    /// Related terms: general words that can stand in for a word of a label
    /// ("promptly" ~ "straight away", "the next day"). Used only for label
    /// words that no concept covers, so cue-less points match paraphrases.
    #[serde(default)]
    pub related: BTreeMap<String, Vec<String>>,
    #[serde(skip)]
    pub(crate) compiled: Option<std::sync::Arc<Compiled>>,
}

/// Lists prepared for matching.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub rules: TextRules,
    pub lexicon: Lexicon,
    /// The STAR and generic phrase lists, compiled once.
    pub phrases: std::collections::HashMap<String, Vec<super::lexicon::Elem>>,
    /// Card points already prepared under these settings.
    pub sigs: super::points::SigCache,
}

/// Phrases the absolutes check skips sentences for (a changed habit).
pub(crate) const ABSOLUTE_EXEMPT: &[&str] = &[
    "since then",
    "from then on",
    "ever since",
    "these days",
    "nowadays",
];

fn compile_lists(
    config: &CriticConfig,
    rules: &TextRules,
) -> std::collections::HashMap<String, Vec<super::lexicon::Elem>> {
    let g = &config.generic;
    let s = &config.star;
    let mut out = std::collections::HashMap::new();
    let lists: [&Vec<String>; 11] = [
        &g.habit_markers,
        &g.occasion_markers,
        &g.absolutes,
        &g.blame_phrases,
        &g.blame_predicates,
        &g.quantity_idioms,
        &s.situation,
        &s.task,
        &s.result,
        &s.reflection,
        &s.action_markers,
    ];
    let exempt: Vec<String> = ABSOLUTE_EXEMPT.iter().map(|s| s.to_string()).collect();
    for p in lists.into_iter().flatten().chain(exempt.iter()) {
        if let Ok(e) = super::lexicon::compile_phrase(p, rules, None) {
            out.insert(p.clone(), e);
        }
    }
    out
}

fn default_label_share() -> f64 {
    0.5
}

/// Why a critic settings file could not be used.
pub type ConfigError = crate::settings_file::SettingsError;

impl Default for CriticConfig {
    fn default() -> Self {
        let config: CriticConfig =
            toml::from_str(BUNDLED).expect("the bundled critic.toml is valid");
        config.compile().expect("the bundled critic.toml compiles")
    }
}

impl CriticConfig {
    /// The bundled settings overlaid with `path` when given and present. Tables
    /// merge key by key (so one concept or one threshold can be changed); lists
    /// are replaced whole.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let config: CriticConfig = crate::settings_file::overlay(BUNDLED, path)?;
        let name = path.map(|p| p.display().to_string()).unwrap_or_default();
        config.compile().map_err(|message| ConfigError {
            path: name,
            message,
        })
    }

    /// The user's critic settings in the data folder.
    pub fn user_path() -> PathBuf {
        crate::asr::model::store::data_dir().join("critic.toml")
    }

    /// Parses settings from TOML text overlaid on the bundled ones (for tests and the app).
    pub fn from_toml_overlay(text: &str) -> Result<Self, ConfigError> {
        let config: CriticConfig = crate::settings_file::overlay_text(BUNDLED, text, "<overlay>")?;
        config.compile().map_err(|message| ConfigError {
            path: "<overlay>".into(),
            message,
        })
    }

    fn compile(mut self) -> Result<Self, String> {
        self.compiled = Some(std::sync::Arc::new(self.prepare_lists()?));
        Ok(self)
    }

    fn prepare_lists(&self) -> Result<Compiled, String> {
        let rules = TextRules::new(&self.text);
        let lexicon = Lexicon::compile(
            &self.concepts,
            &self.related,
            &self.matching,
            &rules,
            &self.generic.vague_quantities,
        )?;
        let phrases = compile_lists(self, &rules);
        Ok(Compiled {
            rules,
            lexicon,
            phrases,
            sigs: Default::default(),
        })
    }

    pub(crate) fn compiled(&self) -> std::sync::Arc<Compiled> {
        match &self.compiled {
            Some(c) => c.clone(),
            // Built by hand rather than loaded: prepare now.
            None => std::sync::Arc::new(
                self.prepare_lists()
                    .unwrap_or_else(|e| panic!("critic concepts do not compile: {e}")),
            ),
        }
    }
}
