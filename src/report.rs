//! The analysis report: one JSON schema (`rehearse.report/1`) shared by the CLI
//! and the desktop app. Parts not yet analysed are `null` or empty, never guessed.

use serde::{Deserialize, Serialize};

/// Schema identifier written into every report.
pub const SCHEMA: &str = "rehearse.report/1";

/// One transcribed word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as transcribed, with attached punctuation.
    pub text: String,
    /// Onset in seconds from the start of the recording.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// Mean token probability, 0–1.
    pub confidence: f64,
    /// Whether the word is a filler (see `delivery.fillers`).
    pub filler: bool,
}

/// A stretch of transcript as the recogniser segmented it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Segment text.
    pub text: String,
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
}

/// What was said, with timings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// The whole text.
    pub text: String,
    /// Segments in order.
    pub segments: Vec<Segment>,
    /// Words in order; their times are ordered and inside the audio.
    pub words: Vec<Word>,
}

/// Kinds of filler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillerKind {
    /// um, uh, er, hmm…
    FilledPause,
    /// like, you know, I mean, basically…
    Discourse,
}

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The transcript.
    Asr,
    /// The audio signal itself.
    Acoustic,
    /// The rule-based critic.
    Rules,
    /// A language model.
    Llm,
}

/// One filler occurrence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filler {
    /// What was said.
    pub text: String,
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// Which kind.
    pub kind: FillerKind,
    /// How it was found.
    pub source: Source,
}

/// Filler occurrences and rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fillers {
    /// Every occurrence, in time order.
    pub items: Vec<Filler>,
    /// Number of occurrences.
    pub count: usize,
    /// Occurrences per minute of speaking time.
    pub per_minute: Option<f64>,
}

/// A silent gap between words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// Where the silence begins (end of the previous word).
    pub start: f64,
    /// Where it ends (start of the next word).
    pub end: f64,
}

/// How the answer was spoken.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Words per minute, fillers excluded, over first word to last.
    pub wpm: Option<f64>,
    /// Filler words and sounds.
    pub fillers: Fillers,
    /// Silent gaps of at least the pause threshold.
    pub pauses: Vec<Pause>,
    /// Delivery score 0–100, once the delivery analysis provides one.
    pub score: Option<f64>,
}

/// Whether one key point of the question card was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPointResult {
    /// Key point id from the card.
    pub id: String,
    /// Made or not.
    pub covered: bool,
    /// The sentence that makes it.
    pub evidence: Option<String>,
}

/// Whether one mistake was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MistakeResult {
    /// Mistake id.
    pub id: String,
    /// Present or not.
    pub present: bool,
    /// The sentence that shows it.
    pub evidence: Option<String>,
}

/// What the answer said, judged against the question card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// One entry per key point of the card.
    pub key_points: Vec<KeyPointResult>,
    /// Card and generic mistakes.
    pub mistakes: Vec<MistakeResult>,
}

/// One part of Situation/Task/Action/Result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StarPart {
    /// Whether the answer has this part.
    pub present: bool,
    /// When it starts, in seconds.
    pub start: Option<f64>,
    /// Its share of the answer's words, 0–1.
    pub share: f64,
}

/// The STAR breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Star {
    /// Situation.
    pub situation: StarPart,
    /// Task.
    pub task: StarPart,
    /// Action.
    pub action: StarPart,
    /// Result.
    pub result: StarPart,
}

/// How the answer was organised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    /// STAR parts.
    pub star: Star,
}

/// Scores 0–100; `null` where that part was not analysed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The headline score.
    pub overall: Option<f64>,
    /// Content against the card.
    pub content: Option<f64>,
    /// STAR structure.
    pub structure: Option<f64>,
    /// Delivery.
    pub delivery: Option<f64>,
}

/// One strength or improvement, pointing at its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What to say to the user.
    pub message: String,
    /// Where in the recording it applies, in seconds.
    pub at: Option<f64>,
    /// The words that show it.
    pub evidence: Option<String>,
}

/// The coach's summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Up to three things done well.
    pub strengths: Vec<Finding>,
    /// Up to three things to fix.
    pub improvements: Vec<Finding>,
}

/// Which model produced the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Model file.
    pub path: String,
    /// Conventional name, e.g. `tiny.en`.
    pub name: String,
}

/// The question answered, when one was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionRef {
    /// Card id.
    pub id: String,
    /// Card title.
    pub title: String,
}

/// How long each stage took, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Decoding and resampling the audio file.
    pub decode_s: f64,
    /// Loading the model.
    pub model_load_s: f64,
    /// Speech recognition.
    pub transcribe_s: f64,
}

/// The full report for one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Length of the recording in seconds.
    pub duration_s: f64,
    /// The recording analysed, when it came from a file.
    pub audio_path: Option<String>,
    /// The question answered.
    pub question: Option<QuestionRef>,
    /// The recogniser used.
    pub model: Option<ModelInfo>,
    /// What was said.
    pub transcript: Transcript,
    /// How it was said.
    pub delivery: Delivery,
    /// Content against the card; `null` without a question or before critique.
    pub content: Option<Content>,
    /// STAR structure; `null` until analysed.
    pub structure: Option<Structure>,
    /// Scores.
    pub score: Score,
    /// Strengths and improvements.
    pub summary: Summary,
    /// Things the user should know about this analysis (fallbacks, limits).
    pub notices: Vec<String>,
    /// Stage timings.
    pub timing: Timing,
}

impl Report {
    /// An empty report for a recording of `duration_s` seconds.
    pub fn new(duration_s: f64) -> Self {
        Self {
            schema: SCHEMA.to_string(),
            duration_s,
            audio_path: None,
            question: None,
            model: None,
            transcript: Transcript::default(),
            delivery: Delivery::default(),
            content: None,
            structure: None,
            score: Score::default(),
            summary: Summary::default(),
            notices: Vec::new(),
            timing: Timing::default(),
        }
    }
}
