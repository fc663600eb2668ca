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
    /// Share of all words (fillers included) that are fillers.
    pub share: Option<f64>,
}

/// Where a pause falls in the sentence structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PausePosition {
    /// Between sentences or clauses (after `.`, `?`, `!`, `,`, `;`, `:`).
    Boundary,
    /// Inside a sentence, where a listener expects the next word.
    MidSentence,
}

/// A silent gap between words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// Where the silence begins (end of the previous word).
    pub start: f64,
    /// Where it ends (start of the next word).
    pub end: f64,
    /// Length in seconds.
    pub duration: f64,
    /// At least the long-pause threshold.
    pub long: bool,
    /// Mid-sentence or at a boundary.
    pub position: PausePosition,
}

/// Words per minute over one window of the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PacePoint {
    /// Window centre in seconds.
    pub t: f64,
    /// Pace in the window.
    pub wpm: f64,
}

/// Whether a stretch ran fast or slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaceKind {
    /// Above the band.
    Rushing,
    /// Below the band.
    Dragging,
}

/// A stretch of the answer outside the pace band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceStretch {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// Fast or slow.
    pub kind: PaceKind,
    /// Mean pace over the stretch.
    pub wpm: f64,
}

/// Pace over time against the target band.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pace {
    /// The target band `[low, high]` in words per minute.
    pub band_wpm: [f64; 2],
    /// Rolling-window pace.
    pub timeline: Vec<PacePoint>,
    /// Stretches outside the band.
    pub stretches: Vec<PaceStretch>,
}

/// A hedge or weak phrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hedge {
    /// The words.
    pub text: String,
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
}

/// Kinds of repetition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepetitionKind {
    /// One word said twice ("I I").
    Repeat,
    /// A phrase started again ("it was it was").
    Restart,
}

/// An immediate repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repetition {
    /// The repeated words.
    pub text: String,
    /// Start of the first occurrence.
    pub start: f64,
    /// End of the second.
    pub end: f64,
    /// Word or phrase.
    pub kind: RepetitionKind,
}

/// A content word and how often it was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordCount {
    /// The word, lower-cased.
    pub word: String,
    /// Occurrences.
    pub count: usize,
}

/// How the length compares with the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthVerdict {
    /// Shorter than the target range.
    Short,
    /// Within it.
    Ok,
    /// Longer.
    Long,
}

/// Speaking time against the card's target range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Length {
    /// First word to last, in seconds.
    pub seconds: f64,
    /// The target `[min, max]` in seconds.
    pub target_s: [f64; 2],
    /// Short, ok or long.
    pub verdict: LengthVerdict,
}

/// A level reading over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelPoint {
    /// Time in seconds.
    pub t: f64,
    /// Speech level in dBFS.
    pub dbfs: f64,
}

/// A pitch reading over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitchPoint {
    /// Time in seconds.
    pub t: f64,
    /// Fundamental frequency in hertz.
    pub hz: f64,
}

/// Loudness and intonation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    /// Median level of speech, dBFS.
    pub median_dbfs: Option<f64>,
    /// Speech level every half second.
    pub level_timeline: Vec<LevelPoint>,
    /// Speech below the quiet threshold.
    pub too_quiet: bool,
    /// Share of speech frames that clip.
    pub clipping_share: f64,
    /// Clipping above the threshold.
    pub clipping: bool,
    /// Median pitch over voiced speech.
    pub pitch_median_hz: Option<f64>,
    /// Spread of pitch (10th–90th percentile) in semitones.
    pub pitch_spread_semitones: Option<f64>,
    /// Spread below the monotone threshold.
    pub monotone: bool,
    /// Pitch every 50 ms of voiced speech.
    pub pitch_timeline: Vec<PitchPoint>,
}

/// One weighted part of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorePart {
    /// What is scored.
    pub name: String,
    /// 0–100.
    pub score: f64,
    /// Share of the total, 0–1.
    pub weight: f64,
    /// Why, in a few words.
    pub detail: String,
}

/// How the answer was spoken.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Words per minute, fillers excluded, over first word to last.
    pub wpm: Option<f64>,
    /// Words per minute with pauses of at least the articulation threshold removed.
    pub articulation_wpm: Option<f64>,
    /// Pace over time.
    pub pace: Pace,
    /// Filler words and sounds.
    pub fillers: Fillers,
    /// Silent gaps of at least the pause threshold.
    pub pauses: Vec<Pause>,
    /// Hedges and weak language.
    pub hedges: Vec<Hedge>,
    /// Immediate repeats and restarts.
    pub repetitions: Vec<Repetition>,
    /// Most used content words.
    pub top_words: Vec<WordCount>,
    /// Length against the target.
    pub length: Option<Length>,
    /// Loudness and pitch.
    pub voice: Voice,
    /// Delivery score 0–100.
    pub score: Option<f64>,
    /// The parts the score is made of.
    pub score_parts: Vec<ScorePart>,
    /// Plain-language observations, most important first.
    pub findings: Vec<Finding>,
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
    /// The key point's label on the card.
    #[serde(default)]
    pub label: String,
    /// When the evidence sentence starts, in seconds.
    #[serde(default)]
    pub at: Option<f64>,
    /// Who decided: `rules` or `llm`.
    #[serde(default)]
    pub source: Option<Source>,
}

/// Whether one mistake was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MistakeResult {
    /// Mistake id (a card's, or a generic one such as `no_metric`).
    pub id: String,
    /// Present or not.
    pub present: bool,
    /// The sentence that shows it.
    pub evidence: Option<String>,
    /// The mistake's label.
    #[serde(default)]
    pub label: String,
    /// A generic mistake rather than one of the card's.
    #[serde(default)]
    pub generic: bool,
    /// When the evidence sentence starts, in seconds.
    #[serde(default)]
    pub at: Option<f64>,
    /// Who decided: `rules` or `llm`.
    #[serde(default)]
    pub source: Option<Source>,
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

/// One sentence with its part of the story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StarSentence {
    /// The sentence.
    pub text: String,
    /// Start in seconds, when the answer was spoken.
    pub start: Option<f64>,
    /// End in seconds.
    pub end: Option<f64>,
    /// `situation`, `task`, `action`, `result` or `other`.
    pub part: String,
}

/// A structure problem worth telling the user about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StructureFlag {
    /// `missing_result`, `tiny_result`, `action_not_largest`, `long_situation`,
    /// `missing_action`, `no_story`.
    pub id: String,
    /// What to tell the user.
    pub message: String,
    /// Where it applies, in seconds.
    pub at: Option<f64>,
}

/// How the answer was organised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    /// STAR parts.
    pub star: Star,
    /// Every sentence with its STAR label.
    #[serde(default)]
    pub sentences: Vec<StarSentence>,
    /// Structure problems.
    #[serde(default)]
    pub flags: Vec<StructureFlag>,
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
    /// What the content, structure and overall scores are made of (the
    /// delivery parts are in `delivery.score_parts`).
    #[serde(default)]
    pub parts: ScoreBreakdown,
}

/// The parts of the critic's scores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// Parts of the content score.
    pub content: Vec<ScorePart>,
    /// Parts of the structure score.
    pub structure: Vec<ScorePart>,
    /// Parts of the overall score.
    pub overall: Vec<ScorePart>,
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
    /// A short note that names this question's key points.
    #[serde(default)]
    pub coach_note: Option<String>,
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
    /// Delivery analysis, including re-listening to possible filled pauses.
    pub delivery_s: f64,
    /// Live analysis only: from Stop to the report being ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_to_report_s: Option<f64>,
    /// Live analysis only: the most the live transcript trailed the audio
    /// while recording, in seconds of audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime_lag_s: Option<f64>,
    /// Live analysis only: what was left for Stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveTiming>,
    /// Live analysis only: how long the full pass over the whole recording
    /// took after the first report (its report replaced that one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_pass_s: Option<f64>,
}

/// What a live analysis left for Stop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveTiming {
    /// Seconds of audio transcribed after Stop (the tail, or everything after
    /// the point where live decoding fell behind).
    pub tail_s: f64,
    /// Where live decoding fell behind and stopped, in seconds of audio;
    /// `null` when it kept up.
    pub degraded_at_s: Option<f64>,
    /// Filled-pause probes answered from the ones run while recording.
    pub probes_reused: usize,
    /// Filled-pause probes run after Stop.
    pub probes_after_stop: usize,
    /// Words the full pass after Stop changed in the live transcript (edit
    /// distance, ignoring case and punctuation); `null` without a full pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words_changed: Option<usize>,
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

fn clock(t: f64) -> String {
    let t = t.max(0.0).round() as u64;
    format!("{}:{:02}", t / 60, t % 60)
}

/// The report as a Markdown document, for export and sharing.
pub fn markdown(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let title = report
        .question
        .as_ref()
        .map_or("Practice answer", |q| q.title.as_str());
    let _ = writeln!(out, "# {title}\n");
    let score = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0}"));
    let _ = writeln!(
        out,
        "**Overall {}** · content {} · structure {} · delivery {} · {:.0} s\n",
        score(report.score.overall),
        score(report.score.content),
        score(report.score.structure),
        score(report.score.delivery.or(report.delivery.score)),
        report.duration_s
    );
    let findings = |out: &mut String, heading: &str, list: &[Finding]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "## {heading}\n");
        for f in list {
            let at = f.at.map(|t| format!(" ({})", clock(t))).unwrap_or_default();
            let _ = writeln!(out, "- {}{at}", f.message);
            if let Some(e) = &f.evidence {
                let _ = writeln!(out, "  > {e}");
            }
        }
        out.push('\n');
    };
    findings(&mut out, "Strengths", &report.summary.strengths);
    findings(&mut out, "To improve", &report.summary.improvements);
    if let Some(note) = &report.summary.coach_note {
        let _ = writeln!(out, "{note}\n");
    }
    if let Some(content) = &report.content {
        let _ = writeln!(out, "## Key points\n");
        for k in &content.key_points {
            let label = if k.label.is_empty() { &k.id } else { &k.label };
            let _ = writeln!(out, "- [{}] {label}", if k.covered { "x" } else { " " });
            if let Some(e) = &k.evidence {
                let _ = writeln!(out, "  > {e}");
            }
        }
        let present: Vec<_> = content.mistakes.iter().filter(|m| m.present).collect();
        if !present.is_empty() {
            let _ = writeln!(out, "\n## Mistakes\n");
            for m in present {
                let label = if m.label.is_empty() { &m.id } else { &m.label };
                let _ = writeln!(out, "- {label}");
            }
        }
        out.push('\n');
    }
    let d = &report.delivery;
    let _ = writeln!(out, "## Delivery\n");
    if let Some(wpm) = d.wpm {
        let _ = writeln!(out, "- Pace: {wpm:.0} words per minute");
    }
    let _ = writeln!(out, "- Fillers: {}", d.fillers.count);
    let _ = writeln!(
        out,
        "- Long pauses: {}",
        d.pauses.iter().filter(|p| p.long).count()
    );
    for f in &d.findings {
        let _ = writeln!(out, "- {}", f.message);
    }
    let _ = writeln!(out, "\n## Transcript\n\n{}", report.transcript.text);
    out
}
