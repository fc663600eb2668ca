//! The full pass after Stop: the whole recording transcribed again in one
//! batch, as `rehearse analyze` would, to replace the live transcript.
//!
//! Windows cut at pauses hear less context than whisper.cpp's own 30 s
//! windows, and with base that cost about two points of word error rate
//! (docs/live.md). The live report is shown the moment Stop is pressed; this
//! pass then runs in the background and its report replaces the live one,
//! keeping the live timings and saying in them what changed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use super::{LiveOptions, LiveResult};
use crate::analyze::{build_report, AnalyzeError};
use crate::asr::{FilledPauseProbe, Transcriber};
use crate::report::Report;

/// Transcribes `live`'s whole recording in one batch and builds the report
/// again from it (delivery, critic). The result keeps the live report's
/// timings (`stop_to_report_s` is still when the first report was ready),
/// adds `timing.full_pass_s` (transcription, delivery and critic of the
/// pass) and `timing.live.words_changed`, and carries the live report's
/// notices.
///
/// Setting `cancel` abandons the pass with
/// [`crate::asr::AsrError::Cancelled`]; the app does so when a new recording
/// starts, which needs the cores. A pass cancelled after its transcription
/// still returns its report: what is left takes a fraction of a second.
pub fn full_pass(
    transcriber: &Transcriber,
    live: &LiveResult,
    options: &LiveOptions,
    cancel: Arc<AtomicBool>,
) -> Result<Report, AnalyzeError> {
    let started = Instant::now();
    let transcript =
        transcriber.transcribe_in_background(&live.audio.samples, &options.transcribe, cancel)?;
    let mut probe = FilledPauseProbe::new(transcriber, options.transcribe.threads)?;
    let mut report = build_report(
        &live.audio,
        transcript,
        options.question.as_ref(),
        &options.settings,
        Some(&mut probe),
    );
    drop(probe);
    crate::memory::release_freed();

    let before = &live.report;
    let changed = words_changed(&before.transcript.text, &report.transcript.text);
    // Said in the timings, not as a notice: notices are for what the user
    // should act on, and the app shows these figures beside the transcript.
    report.notices = before.notices.clone();
    report.audio_path = before.audio_path.clone();
    report.model = before.model.clone();
    // The timings stay those of the first report (what Stop waited for);
    // the pass adds its own duration.
    report.timing = before.timing.clone();
    report.timing.full_pass_s = Some(started.elapsed().as_secs_f64());
    if let Some(live_timing) = report.timing.live.as_mut() {
        live_timing.words_changed = Some(changed);
    }
    Ok(report)
}

/// A [`full_pass`] on a thread of its own, at the live decoder's low
/// priority, so the first report stays responsive while it runs.
pub struct BackgroundFullPass {
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundFullPass {
    /// Starts the pass; `on_done` gets its report (or why there is none) on
    /// the pass's thread. A cancelled pass calls it with
    /// [`crate::asr::AsrError::Cancelled`].
    pub fn spawn(
        transcriber: Arc<Transcriber>,
        live: LiveResult,
        options: LiveOptions,
        on_done: impl FnOnce(Result<Report, AnalyzeError>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        let thread = std::thread::Builder::new()
            .name("rehearse-full-pass".into())
            .spawn(move || {
                super::lower_priority();
                on_done(full_pass(&transcriber, &live, &options, flag));
            })?;
        Ok(Self {
            cancel,
            thread: Some(thread),
        })
    }

    /// Abandons the pass; whisper.cpp stops at its next step (within a
    /// second or so) and the first report stays.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Waits for the pass to end.
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Words compared without case or punctuation ("Checkout," = "checkout").
fn word_keys(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The word-level edit distance between two transcripts: substitutions,
/// insertions and deletions.
fn words_changed(before: &str, after: &str) -> usize {
    let (a, b) = (word_keys(before), word_keys(after));
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, word_a) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, word_b) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(word_a != word_b);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_changed_ignores_case_and_punctuation_and_counts_edits() {
        assert_eq!(words_changed("Check out, now.", "check out now"), 0);
        assert_eq!(words_changed("the check out flow", "the checkout flow"), 2);
        assert_eq!(words_changed("", "one two"), 2);
        assert_eq!(words_changed("one two three", "one three"), 1);
    }
}
