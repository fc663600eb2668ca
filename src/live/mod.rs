//! Live analysis while the user speaks: the recording is transcribed in
//! windows cut at pauses as it comes in, so that on Stop only the last few
//! seconds are left to decode before the report is ready.
//!
//! ```text
//! capture writer ──push──▶ LiveFeeder ──(unbounded queue, never blocks)──▶ worker thread
//!                                                                  │  keeps the whole audio
//!                                                                  │  decodes [commit point, now]
//!                                                                  │  commits words up to the last pause
//!                                                                  │  probes possible "um"s in committed audio
//!                                                                  ▼
//!                                                     on_update(LiveUpdate)  (captions, fillers, pace)
//! LiveSession::finish() ──▶ worker decodes the tail, runs delivery + critic ──▶ LiveResult (report)
//! ```
//!
//! * The producer never waits: [`LiveFeeder::push`] only moves the samples
//!   into a queue the worker drains. Audio is never dropped; memory grows with
//!   the recording (64 kB a second of audio, the same as the recording itself)
//!   and the queue holds only what arrived while a window was being decoded.
//! * Committed words never change: each decode covers the audio from the last
//!   commit point (always inside a pause) to now; the words before the latest
//!   pause that is at least [`LiveOptions::settle_s`] old are committed, the
//!   rest are shown as tentative and decoded again with the next window.
//! * If decoding falls behind the audio by more than
//!   [`LiveOptions::max_lag_s`], live decoding stops and the rest is
//!   transcribed in one batch after Stop; the report's notices say so.
//!
//! See `docs/live.md` for the design and its measurements.

mod full_pass;
mod probe_cache;
mod worker;

pub use full_pass::{full_pass, BackgroundFullPass};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use serde::Serialize;

use crate::analyze::{AnalysisSettings, AnalyzeError};
use crate::asr::{AsrError, TranscribeOptions, Transcriber};
use crate::audio::Audio16k;
use crate::questions::Card;
use crate::report::{PaceKind, Report, Word};

/// Settings of a live session.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Recogniser settings (threads, language, initial prompt).
    pub transcribe: TranscribeOptions,
    /// The question card answered; the critic runs against it on Stop.
    pub question: Option<Card>,
    /// Delivery and critic settings; the pace band of live updates comes from
    /// here too.
    pub settings: AnalysisSettings,
    /// Decode the open window again once this much new audio has arrived.
    pub step_s: f64,
    /// A silence at least this long is a place to commit words at.
    pub min_pause_s: f64,
    /// A pause must lie at least this far before the end of the decoded
    /// audio to commit the words before it (the recogniser may still revise
    /// the last second).
    pub settle_s: f64,
    /// Words are committed only from windows at least this long (longer
    /// windows give the recogniser more context).
    pub min_commit_s: f64,
    /// No window is longer than this, even when decoding trails the audio
    /// (the recogniser's memory grows with the longest window it decoded);
    /// an open window this long is committed even without a pause (all but
    /// its last [`Self::settle_s`] plus one second).
    pub max_window_s: f64,
    /// Each window is decoded with up to this much audio before its start as
    /// context; the words heard there (already committed) are dropped. Off by
    /// default: tiny.en often skipped a sentence's end heard as context and
    /// then timed the next words into it, and the WER rose.
    pub lead_in_s: f64,
    /// Silence put before each window (the recogniser misses first words
    /// that start right at the beginning of its input). 0.2 s of silence
    /// always follows a window: whisper.cpp aborts the process when its last
    /// pass over an input covers under 150 ms (a DTW median-filter
    /// assertion), which an input ending mid-speech invites.
    pub pad_s: f64,
    /// When the live transcript trails the audio by more than this, live
    /// decoding stops and the rest is transcribed after Stop.
    pub max_lag_s: f64,
    /// Prime each window with the end of the committed text. Off by default:
    /// with tiny.en the prompt made the decoder drop punctuation and case
    /// window after window, and the word error rate rose (20.1 % against
    /// 15.9 % without, on the 113 s benchmark answer).
    pub prompt_with_context: bool,
    /// Re-listen to possible filled pauses in committed audio while
    /// recording, so Stop has fewer left to do.
    pub incremental_probe: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            transcribe: TranscribeOptions::default(),
            question: None,
            settings: AnalysisSettings::default(),
            step_s: 1.5,
            min_pause_s: 0.3,
            settle_s: 0.8,
            max_window_s: 16.0,
            min_commit_s: 10.0,
            lead_in_s: 0.0,
            pad_s: 0.3,
            max_lag_s: 15.0,
            prompt_with_context: false,
            incremental_probe: true,
        }
    }
}

/// What the live transcript looks like now; sent after every decoded window
/// and about twice a second while audio arrives. Serialises in camelCase for
/// the app's events.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveUpdate {
    /// Seconds of audio received so far.
    pub elapsed_s: f64,
    /// Seconds of audio the transcript covers (committed and tentative).
    pub transcribed_s: f64,
    /// How far the transcript trails the audio now, in seconds.
    pub lag_s: f64,
    /// The caption so far: committed words, then tentative ones.
    pub caption: String,
    /// How many words are committed in all.
    pub committed_count: usize,
    /// Words committed since the previous update; committed words never
    /// change, so appending these to the earlier ones gives all of them.
    pub new_committed: Vec<Word>,
    /// Words after the last commit point; the next window may revise them.
    pub tentative: Vec<Word>,
    /// Fillers so far: in the words, plus "um"s heard in the committed audio.
    pub fillers: usize,
    /// Pace over the last [`crate::delivery::config::PaceConfig::window_s`]
    /// seconds of words, fillers excluded; `None` before there are enough.
    pub wpm: Option<f64>,
    /// The target pace band `[low, high]`.
    pub band_wpm: [f64; 2],
    /// Above or below the band; `None` inside it or before there is a pace.
    pub pace: Option<PaceKind>,
    /// Live decoding fell behind: the rest is transcribed after Stop.
    pub degraded: bool,
}

/// The outcome of a live session.
#[derive(Debug, Clone)]
pub struct LiveResult {
    /// The same `rehearse.report/1` report as a batch analysis, with
    /// `timing.stop_to_report_s` and `timing.realtime_lag_s` filled.
    pub report: Report,
    /// Everything that was pushed, for saving or a later re-analysis.
    pub audio: Audio16k,
}

enum Msg {
    Audio(Vec<f32>),
    Finish(Instant, mpsc::Sender<Result<LiveResult, AnalyzeError>>),
}

/// Hands 16 kHz mono samples to a live session. Cheap to clone, `Send`, and
/// never blocks: call it from the recorder's writer thread (see
/// [`crate::audio::capture::Recorder::start_with_tap`]).
#[derive(Clone)]
pub struct LiveFeeder {
    tx: crossbeam_channel::Sender<Msg>,
}

impl LiveFeeder {
    /// Queues `samples` (16 kHz mono, in [-1, 1]) for the session. Returns
    /// `false` once the session has finished (the samples are then ignored).
    pub fn push(&self, samples: &[f32]) -> bool {
        samples.is_empty() || self.tx.send(Msg::Audio(samples.to_vec())).is_ok()
    }
}

/// A recording being transcribed while it happens. Start one per answer;
/// the model is loaded once by the caller and shared between sessions.
pub struct LiveSession {
    tx: crossbeam_channel::Sender<Msg>,
    /// Set on Stop: a window being decoded then is abandoned (the tail
    /// covers it).
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl LiveSession {
    /// Starts a session with an already loaded model. `on_update` is called on
    /// the session's worker thread; keep it short (forward it to the UI).
    pub fn start(
        transcriber: Arc<Transcriber>,
        options: LiveOptions,
        on_update: impl FnMut(LiveUpdate) + Send + 'static,
    ) -> Result<Self, AsrError> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (ready_tx, ready_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let worker_stop = stop.clone();
        let worker = std::thread::Builder::new()
            .name("rehearse-live".into())
            .spawn(move || {
                lower_priority();
                worker::run(
                    transcriber,
                    options,
                    rx,
                    ready_tx,
                    worker_stop,
                    Box::new(on_update),
                )
            })
            .map_err(|e| AsrError::Decode(format!("cannot start the live decoder: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Self {
                tx,
                stop,
                worker: Some(worker),
            }),
            Ok(Err(e)) => {
                let _ = worker.join();
                Err(e)
            }
            Err(_) => {
                let _ = worker.join();
                Err(AsrError::Decode("the live decoder stopped at start".into()))
            }
        }
    }

    /// A handle that pushes samples into this session from any thread.
    pub fn feeder(&self) -> LiveFeeder {
        LiveFeeder {
            tx: self.tx.clone(),
        }
    }

    /// Queues samples; the same as `self.feeder().push(samples)`.
    pub fn push(&self, samples: &[f32]) -> bool {
        samples.is_empty() || self.tx.send(Msg::Audio(samples.to_vec())).is_ok()
    }

    /// Stop: decodes what is left after the last commit, runs the delivery
    /// analysis and the critic, and returns the report. Everything pushed
    /// before this call is analysed; a feeder pushing after it is ignored.
    pub fn finish(mut self) -> Result<LiveResult, AnalyzeError> {
        let stopped = Instant::now();
        let (reply_tx, reply_rx) = mpsc::channel();
        self.stop.store(true, Ordering::Relaxed);
        self.tx
            .send(Msg::Finish(stopped, reply_tx))
            .map_err(|_| AsrError::Decode("the live decoder has stopped".into()))?;
        let result = reply_rx
            .recv()
            .unwrap_or_else(|_| Err(AsrError::Decode("the live decoder crashed".into()).into()));
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        // The session's decoding states are gone now.
        crate::memory::release_freed();
        result
    }
}

impl Drop for LiveSession {
    fn drop(&mut self) {
        // Without finish(): the worker ends when every sender is gone; it is
        // not joined here so that a feeder still alive cannot hang the caller.
        self.worker.take();
    }
}

/// Decoding yields to everything else in the app: on a busy two-core machine
/// a decoder at normal priority delayed the capture threads by seconds, and a
/// crash then lost that much audio. Best effort; a refusal changes nothing.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread, no memory involved.
    unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread, 10);
    }
}
