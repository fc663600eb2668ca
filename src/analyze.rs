//! The analysis pipeline: audio file → transcript → report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::asr::model::{self, ModelError};
use crate::asr::{AsrError, FilledPauseProbe, TranscribeOptions, Transcriber};
use crate::audio::{self, Audio16k, AudioError};
use crate::critic::{critique_with_llm, Answer, CriticConfig};
use crate::delivery::features::FrameTrack;
use crate::delivery::{self, ClipListener, DeliveryConfig};
use crate::questions::Card;
use crate::report::{ModelInfo, QuestionRef, Report, Transcript};

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// The audio could not be read.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// No usable model.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Recognition failed.
    #[error(transparent)]
    Asr(#[from] AsrError),
}

/// What to analyse with.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// The question card answered.
    pub question: Option<Card>,
    /// Model file; `None` resolves the default.
    pub model: Option<PathBuf>,
    /// Recogniser settings.
    pub transcribe: TranscribeOptions,
}

/// The tunable settings an analysis runs with.
#[derive(Debug, Clone, Default)]
pub struct AnalysisSettings {
    /// Delivery thresholds and word lists.
    pub delivery: DeliveryConfig,
    /// The critic's lists, weights and optional language model.
    pub critic: CriticConfig,
}

impl AnalysisSettings {
    /// The bundled settings overlaid with the user's files in the data folder;
    /// a broken file is ignored with a notice pushed to `notices`.
    pub fn load_user(notices: &mut Vec<String>) -> Self {
        let delivery =
            DeliveryConfig::load(Some(&DeliveryConfig::user_path())).unwrap_or_else(|e| {
                notices.push(format!("Your delivery settings were ignored: {e}"));
                DeliveryConfig::default()
            });
        let critic = CriticConfig::load(Some(&CriticConfig::user_path())).unwrap_or_else(|e| {
            notices.push(format!("Your critic settings were ignored: {e}"));
            CriticConfig::default()
        });
        Self { delivery, critic }
    }
}

/// Builds the report for a transcribed recording. The app calls this with its
/// own audio and transcript; [`analyze_file`] with a file's.
pub fn build_report(
    audio: &Audio16k,
    transcript: Transcript,
    question: Option<&Card>,
    settings: &AnalysisSettings,
    listener: Option<&mut dyn ClipListener>,
) -> Report {
    build_report_with_frames(audio, transcript, question, settings, listener, None)
}

/// [`build_report`] with the audio's features computed while it was being
/// recorded (the live path), so that only the last frames are left.
pub fn build_report_with_frames(
    audio: &Audio16k,
    transcript: Transcript,
    question: Option<&Card>,
    settings: &AnalysisSettings,
    listener: Option<&mut dyn ClipListener>,
    frames: Option<FrameTrack>,
) -> Report {
    let mut report = Report::new(audio.duration_s());
    report.transcript = transcript;
    let target = question.map(|c| [c.target_seconds[0] as f64, c.target_seconds[1] as f64]);
    report.delivery = delivery::analyze(
        &mut report.transcript.words,
        &audio.samples,
        target,
        &settings.delivery,
        listener,
        frames,
    );
    report.question = question.map(|card| QuestionRef {
        id: card.id.clone(),
        title: card.title.clone(),
    });
    if let Some(card) = question {
        let answer = Answer::Transcript(report.transcript.clone());
        critique_with_llm(card, &answer, report.delivery.score, &settings.critic)
            .apply_to(&mut report);
    }
    report
}

/// Decodes, transcribes and analyses an audio file.
pub fn analyze_file(path: &Path, options: &AnalyzeOptions) -> Result<Report, AnalyzeError> {
    let started = Instant::now();
    let audio = audio::load_for_analysis(path)?;
    let decode_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let (model_path, info) = model::resolve(options.model.as_deref())?;
    let transcriber = Transcriber::load(&model_path, &info)?;
    let model_load_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let transcript = transcriber.transcribe(&audio.samples, &options.transcribe)?;
    let transcribe_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut probe = FilledPauseProbe::new(&transcriber, options.transcribe.threads)?;
    let mut notices = Vec::new();
    let settings = AnalysisSettings::load_user(&mut notices);
    let mut report = build_report(
        &audio,
        transcript,
        options.question.as_ref(),
        &settings,
        Some(&mut probe),
    );
    report.notices.splice(0..0, notices);
    report.timing.delivery_s = started.elapsed().as_secs_f64();
    report.audio_path = Some(path.display().to_string());
    report.model = Some(ModelInfo {
        path: model_path.display().to_string(),
        name: transcriber.name().to_string(),
    });
    report.timing.decode_s = decode_s;
    report.timing.model_load_s = model_load_s;
    report.timing.transcribe_s = transcribe_s;
    Ok(report)
}
