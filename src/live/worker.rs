//! The live session's worker thread: keeps the audio, decodes windows, commits
//! words, probes possible filled pauses, and on Stop builds the report.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, RecvTimeoutError, TryRecvError};

use super::probe_cache::{CachedListener, ProbeCache};
use super::{LiveOptions, LiveResult, LiveUpdate, Msg};
use crate::analyze::{build_report_with_frames, AnalyzeError};
use crate::asr::{
    AsrError, FilledPauseProbe, TranscribeOptions, Transcriber, Window, WindowDecoder,
};
use crate::audio::{vad, Audio16k, ANALYSIS_RATE};
use crate::delivery::features::FrameTrack;
use crate::delivery::lexical;
use crate::report::{ModelInfo, PaceKind, Segment, Transcript, Word};

const RATE: f64 = ANALYSIS_RATE as f64;
/// Updates while audio arrives but nothing was decoded.
const TICK: Duration = Duration::from_millis(500);
/// Windows up to this long shrink the encoder to their length.
const FIT_MAX_S: f64 = 29.0;
/// Don't decode a window shorter than this.
const MIN_WINDOW_S: f64 = 0.5;
/// A window whose loud frames stay below this is silence (dBFS).
const SILENT_DB: f64 = -50.0;
/// ...or that stays this far below the loudest speech heard so far.
const SILENT_BELOW_SPEECH_DB: f64 = 35.0;
/// Probe committed audio in regions of at least this many seconds.
const PROBE_REGION_S: f64 = 4.0;
/// Regions overlap by this much, so a stretch at an edge is seen whole.
const PROBE_OVERLAP_S: f64 = 1.0;
/// Silence after each window, against whisper.cpp's abort on a last pass
/// under 150 ms.
const END_PAD_S: f64 = 0.2;
/// Lead-in words are looked for among those up to this far past the start.
const LEAD_IN_SLACK_S: f64 = 0.3;
/// ...matching one of this many last committed words.
const LEAD_IN_MATCH_WORDS: usize = 3;
/// Words of committed text that prime the next window.
const PROMPT_WORDS: usize = 40;
/// Punctuation the recogniser ends a clause with.
const CLAUSE_END: [char; 6] = ['.', ',', '?', '!', ';', ':'];
/// A window committed without a late enough pause keeps at least this much.
const FORCED_CUT_MIN_S: f64 = 4.0;
/// A gap between words narrower than this is timing noise, not a boundary.
const FORCED_CUT_MIN_GAP_S: f64 = 0.1;
/// On Stop, tentative words before a pause of at least this long...
const STOP_MIN_PAUSE_S: f64 = 0.1;
/// ...lying this far before the end of the last decoded window are kept, and
/// only the audio after that pause is decoded again.
const STOP_SETTLE_S: f64 = 0.5;
/// Audio before a mid-sentence cut that the tail decode hears again.
const STOP_LEAD_IN_S: f64 = 3.0;

type OnUpdate = Box<dyn FnMut(LiveUpdate) + Send>;
type Reply = Sender<Result<LiveResult, AnalyzeError>>;

struct State {
    options: LiveOptions,
    audio: Vec<f32>,
    /// Where the next window starts (inside a pause), in samples.
    commit: usize,
    committed: Vec<Word>,
    segments: Vec<Segment>,
    tentative: Vec<Word>,
    /// End of the last decoded window, in samples.
    decoded_end: usize,
    /// The worst staleness of the transcript seen so far, in seconds of audio.
    worst_lag_s: f64,
    /// Loudest level (98th percentile of a window) heard so far.
    loudest_db: f64,
    /// When live decoding gave up, in seconds of audio, and the lag then.
    degraded: Option<(f64, f64)>,
    /// Committed words already sent in an update.
    sent_committed: usize,
    last_update: Instant,
    last_update_len: usize,
    cache: ProbeCache,
    probed_until: usize,
    /// The delivery analysis's frame features, computed as audio arrives.
    frames: Option<FrameTrack>,
    finish: Option<(Instant, Reply)>,
    disconnected: bool,
    stop: Arc<AtomicBool>,
    on_update: OnUpdate,
}

pub(super) fn run(
    transcriber: Arc<Transcriber>,
    options: LiveOptions,
    rx: Receiver<Msg>,
    ready: Sender<Result<(), AsrError>>,
    stop: Arc<AtomicBool>,
    on_update: OnUpdate,
) {
    let t = &*transcriber;
    // The windows and the filled-pause probes each have a decoding state,
    // made when needed and freed after: the windows' on their own thread, the
    // probes' here (for a few probes at a time, and after Stop for the tail
    // and the delivery analysis). Holding both for the whole session cost
    // base about 35 MB more at its peak; sharing one made whisper.cpp crash
    // now and again (SIGSEGV: once in November, once in a CI run of
    // tests/live.rs after sharing was tried again).
    let mut windows = match WindowThread::start(transcriber.clone()) {
        Ok(windows) => windows,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let voice = &options.settings.delivery.voice;
    let frames = FrameTrack::new(voice.pitch_floor_hz, voice.pitch_ceiling_hz);
    let mut s = State {
        options,
        audio: Vec::with_capacity(ANALYSIS_RATE as usize * 180),
        commit: 0,
        committed: Vec::new(),
        segments: Vec::new(),
        tentative: Vec::new(),
        decoded_end: 0,
        worst_lag_s: 0.0,
        loudest_db: f64::NEG_INFINITY,
        degraded: None,
        sent_committed: 0,
        last_update: Instant::now(),
        last_update_len: 0,
        cache: ProbeCache::default(),
        probed_until: 0,
        frames: Some(frames),
        finish: None,
        disconnected: false,
        stop,
        on_update,
    };
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(msg) => s.take(msg),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => s.disconnected = true,
        }
        s.drain(&rx);
        if let Some((stopped, reply)) = s.finish.take() {
            let result = s.finish(&mut windows, t, stopped);
            let _ = reply.send(result);
            // Dropping `windows` now waits for an abandoned window's encoder,
            // after the report is out.
            return;
        }
        if s.disconnected {
            return;
        }
        s.step(&windows, t, &rx);
    }
}

impl State {
    fn take(&mut self, msg: Msg) {
        match msg {
            Msg::Audio(samples) => self.audio.extend_from_slice(&samples),
            Msg::Finish(at, reply) => self.finish = Some((at, reply)),
        }
    }

    /// Moves everything queued into the audio, up to a Stop.
    fn drain(&mut self, rx: &Receiver<Msg>) {
        while self.finish.is_none() {
            match rx.try_recv() {
                Ok(msg) => self.take(msg),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.disconnected = true;
                    break;
                }
            }
        }
    }

    fn step(&mut self, windows: &WindowThread, transcriber: &Transcriber, rx: &Receiver<Msg>) {
        let len = self.audio.len();
        let step = (self.options.step_s * RATE) as usize;
        let min_window = (MIN_WINDOW_S * RATE) as usize;
        if self.degraded.is_none()
            && len >= self.decoded_end + step
            && len >= self.commit + min_window
        {
            let previous_end = self.decoded_end;
            let Some(result) = self.decode_window(windows, rx) else {
                // Abandoned for Stop: the tail covers this window.
                return;
            };
            self.drain(rx);
            let received = self.audio.len();
            // The transcript was at `previous_end` until this decode finished.
            self.worst_lag_s = self
                .worst_lag_s
                .max((received - previous_end) as f64 / RATE);
            let lag = (received - self.decoded_end) as f64 / RATE;
            match result {
                Ok(()) if lag <= self.options.max_lag_s => {}
                _ => self.degraded = Some((self.decoded_end as f64 / RATE, lag)),
            }
            self.update();
            return;
        }
        if self.degraded.is_none()
            && self.options.incremental_probe
            && !self.stop.load(Ordering::Relaxed)
        {
            // The probes depend on the audio only, not on the transcript: all
            // but the last second (a stretch may go on) can be probed.
            let region = (PROBE_REGION_S * RATE) as usize;
            let overlap = (PROBE_OVERLAP_S * RATE) as usize;
            let until = len.saturating_sub(overlap);
            if until >= self.probed_until + region {
                // Frame-aligned, like the delivery analysis's frames.
                let from = self.probed_until.saturating_sub(overlap) / 160 * 160;
                let config = self.options.settings.delivery.clone();
                let threads = self.options.transcribe.threads;
                // A state that cannot be made now is tried again with the
                // next region; the delivery analysis probes what is left.
                if let Ok(mut probe) = FilledPauseProbe::new(transcriber, threads) {
                    self.cache.probe_region(
                        &mut probe,
                        &self.audio,
                        from,
                        until,
                        &config,
                        &self.stop,
                    );
                    self.probed_until = until;
                }
            }
        }
        if let Some(frames) = &mut self.frames {
            frames.advance(&self.audio);
        }
        if len > self.last_update_len && self.last_update.elapsed() >= TICK {
            self.update();
        }
    }

    /// Decodes `[commit, now]` on the windows' thread, commits words up to
    /// the last settled pause and keeps the rest as tentative. Audio arriving
    /// meanwhile is taken in; `None` when Stop came first (the window is
    /// abandoned, and the tail after Stop covers it).
    fn decode_window(
        &mut self,
        windows: &WindowThread,
        rx: &Receiver<Msg>,
    ) -> Option<Result<(), AsrError>> {
        // A window is at most `max_window_s` long even when the transcript
        // trails the audio: whisper.cpp's buffers grow with the longest
        // window it ever decoded (base: 186 MB at 10 s, 259 MB at 18 s and
        // 293 MB at 22 s in all), and what is beyond is the next window's.
        let end = self
            .audio
            .len()
            .min(self.commit + (self.options.max_window_s * RATE) as usize);
        let start = self.commit;
        let start_s = start as f64 / RATE;
        let end_s = end as f64 / RATE;
        let window_audio = &self.audio[start..end];
        if is_silent(window_audio, &mut self.loudest_db) {
            // Nothing said: move the commit point up, keeping a little lead-in.
            self.decoded_end = end;
            self.commit = end.saturating_sub((0.3 * RATE) as usize).max(start);
            self.tentative.clear();
            return Some(Ok(()));
        }
        let prompt = self
            .options
            .prompt_with_context
            .then(|| self.context_prompt())
            .flatten()
            .or_else(|| self.options.transcribe.initial_prompt.clone());
        let (job, placement) = prepare(
            &self.audio,
            start,
            end,
            &self.options,
            prompt,
            Some(self.stop.clone()),
        );
        windows.send(job);
        let transcript = match self.wait_for(windows, rx)? {
            Ok(transcript) => transcript,
            Err(_) if self.stop.load(Ordering::Relaxed) => return None,
            Err(e) => {
                self.decoded_end = end;
                return Some(Err(e));
            }
        };
        self.decoded_end = end;
        let Decoded { words, heard_until } = placement.place(transcript.words, &self.committed);
        let window_audio = &self.audio[start..end];
        // In samples: `end_s - start_s` of a window cut at exactly
        // `max_window_s` came out a hair under it, and the window was never
        // committed.
        let full = end - start >= (self.options.max_window_s * RATE) as usize;
        // Longer windows decode better: commit only once the window has some
        // length, at the latest settled pause.
        let pause = commit_point(
            window_audio,
            start_s,
            &words,
            self.options.min_pause_s,
            self.options.settle_s,
        )
        .filter(|p| *p <= heard_until);
        let (keep, next_commit) = match pause.filter(|p| p - start_s >= self.options.min_commit_s) {
            Some(p) => (words_before(&words, p), p),
            None if full || heard_until < end_s => {
                // No pause late enough, or the decoder lost its way: commit
                // all but the last stretch it followed.
                let latest = (end_s - self.options.settle_s - 1.0).min(heard_until);
                forced_cut(&words, pause, start_s + FORCED_CUT_MIN_S, latest)
            }
            None => (0, start_s),
        };
        let mut words = words;
        self.tentative = words.split_off(keep);
        self.commit_words(words);
        self.commit = ((next_commit * RATE) as usize).clamp(start, end);
        Some(Ok(()))
    }

    /// The windows' thread's answer, taking in the audio that arrives
    /// meanwhile; `None` as soon as Stop comes.
    fn wait_for(
        &mut self,
        windows: &WindowThread,
        rx: &Receiver<Msg>,
    ) -> Option<Result<Transcript, AsrError>> {
        loop {
            if self.finish.is_some() {
                return None;
            }
            if self.disconnected {
                return Some(windows.result());
            }
            select! {
                recv(windows.results) -> result => {
                    return Some(result.unwrap_or_else(|_| Err(window_thread_gone())));
                }
                recv(rx) -> msg => match msg {
                    Ok(msg) => self.take(msg),
                    Err(_) => self.disconnected = true,
                },
            }
        }
    }

    fn commit_words(&mut self, words: Vec<Word>) {
        if !words.is_empty() {
            self.segments.push(Segment {
                text: join(&words),
                start: words[0].start,
                end: words[words.len() - 1].end,
            });
            self.committed.extend(words);
        }
    }

    /// On Stop: keeps the tentative words that lie well inside the last
    /// decoded window, so only the audio after them is decoded. True when the
    /// cut is between two words of a sentence (no pause, no punctuation).
    fn settle_tentative(&mut self) -> bool {
        if self.degraded.is_some() || self.tentative.is_empty() || self.decoded_end <= self.commit {
            return false;
        }
        let start_s = self.commit as f64 / RATE;
        let point = commit_point(
            &self.audio[self.commit..self.decoded_end],
            start_s,
            &self.tentative,
            STOP_MIN_PAUSE_S,
            STOP_SETTLE_S,
        );
        // Then the latest of that pause, the end of a clause the recogniser
        // punctuated, and any gap between two words: a long last sentence
        // would otherwise be decoded again whole after Stop (8 s of the
        // two-minute bench answer), and words this far inside a decoded
        // window already had the audio after them.
        let decoded_s = self.decoded_end as f64 / RATE;
        let settled_pairs = || {
            self.tentative
                .windows(2)
                .filter(|pair| pair[0].end <= decoded_s - STOP_SETTLE_S)
        };
        let clause_end = settled_pairs()
            .filter(|pair| pair[0].text.ends_with(CLAUSE_END))
            .map(|pair| between(&pair[0], &pair[1]))
            .next_back();
        let word_gap = settled_pairs()
            .filter(|pair| pair[1].start >= pair[0].end)
            .map(|pair| between(&pair[0], &pair[1]))
            .next_back();
        let boundary = point.into_iter().chain(clause_end).max_by(f64::total_cmp);
        let point = boundary.into_iter().chain(word_gap).max_by(f64::total_cmp);
        let mid_sentence = point.is_some() && point != boundary;
        if let Some(p) = point {
            let keep = words_before(&self.tentative, p);
            let rest = self.tentative.split_off(keep);
            let settled = std::mem::replace(&mut self.tentative, rest);
            self.commit_words(settled);
            self.commit = ((p * RATE) as usize).clamp(self.commit, self.decoded_end);
        }
        mid_sentence
    }

    fn context_prompt(&self) -> Option<String> {
        let from = self.committed.len().saturating_sub(PROMPT_WORDS);
        (from < self.committed.len()).then(|| join(&self.committed[from..]))
    }

    fn update(&mut self) {
        let config = &self.options.settings.delivery;
        let mut all: Vec<Word> = self.committed.clone();
        all.extend(self.tentative.iter().cloned());
        let tokens = lexical::tokens(&all);
        let spoken: Vec<_> = lexical::filled_pauses(&tokens, config)
            .into_iter()
            .chain(lexical::discourse_fillers(&tokens))
            .collect();
        let filled_at: Vec<f64> = spoken
            .iter()
            .filter(|f| lexical::is_filled_pause(&lexical::normalise(&all[f.first].text), config))
            .map(|f| all[f.first].start)
            .collect();
        let mut filler_word = vec![false; all.len()];
        for f in &spoken {
            for flag in &mut filler_word[f.first..=f.last] {
                *flag = true;
            }
        }
        let heard = self
            .cache
            .hesitations(config)
            .into_iter()
            .filter(|t| filled_at.iter().all(|a| (a - t).abs() > 1.0))
            .count();
        let counted: Vec<&Word> = all
            .iter()
            .zip(&filler_word)
            .filter(|(_, f)| !**f)
            .map(|(w, _)| w)
            .collect();
        let band = config.pace.band_wpm;
        let wpm = recent_wpm(&counted, config.pace.window_s);
        let pace = wpm.and_then(|w| {
            if w > band[1] {
                Some(PaceKind::Rushing)
            } else if w < band[0] {
                Some(PaceKind::Dragging)
            } else {
                None
            }
        });
        let elapsed_s = self.audio.len() as f64 / RATE;
        let transcribed_s = self.decoded_end as f64 / RATE;
        let update = LiveUpdate {
            elapsed_s,
            transcribed_s,
            lag_s: elapsed_s - transcribed_s,
            caption: join(&all),
            committed_count: self.committed.len(),
            new_committed: self.committed[self.sent_committed..].to_vec(),
            tentative: self.tentative.clone(),
            fillers: spoken.len() + heard,
            wpm,
            band_wpm: band,
            pace,
            degraded: self.degraded.is_some(),
        };
        self.sent_committed = self.committed.len();
        self.last_update = Instant::now();
        self.last_update_len = self.audio.len();
        (self.on_update)(update);
    }

    fn finish(
        &mut self,
        windows: &mut WindowThread,
        transcriber: &Transcriber,
        stopped: Instant,
    ) -> Result<LiveResult, AnalyzeError> {
        // A window still being decoded goes on until whisper.cpp next reads
        // the abort flag, which is only after its encoder (up to a second with
        // base): meanwhile the tail is decoded here, on a probe state of its
        // own, on the other core. The windows' thread then ends.
        windows.close();
        // The tail: everything after the last commit point (after the point
        // where live decoding gave up, when it did).
        let started = Instant::now();
        let mut probe = FilledPauseProbe::new(transcriber, self.options.transcribe.threads)?;
        let decoder = probe.decoder();
        let mid_sentence = self.settle_tentative();
        let (start, end) = (self.commit, self.audio.len());
        let tail_s = (end - start) as f64 / RATE;
        let mut words = std::mem::take(&mut self.committed);
        let mut segments = std::mem::take(&mut self.segments);
        if end > start && !is_silent(&self.audio[start..end], &mut self.loudest_db) {
            let prompt = self
                .options
                .prompt_with_context
                .then(|| {
                    let from = words.len().saturating_sub(PROMPT_WORDS);
                    (from < words.len()).then(|| join(&words[from..]))
                })
                .flatten()
                .or_else(|| self.options.transcribe.initial_prompt.clone());
            // Cut between two words of a sentence, the tail alone is a
            // fragment the recogniser mishears ("safety nets that let you
            // undo" → "zinath snaprat"): it hears the seconds before the cut
            // again, and their words are dropped.
            let lead_in = LiveOptions {
                lead_in_s: STOP_LEAD_IN_S,
                ..self.options.clone()
            };
            let Decoded {
                words: mut tail,
                heard_until,
            } = decode_from(
                decoder,
                &self.audio,
                start,
                end,
                if mid_sentence {
                    &lead_in
                } else {
                    &self.options
                },
                prompt.clone(),
                &words,
            )?;
            if heard_until < end as f64 / RATE {
                // The decoder looped: what it did not follow is heard once
                // more on its own.
                let from = ((heard_until * RATE) as usize).clamp(start, end);
                let rest =
                    decode_from(decoder, &self.audio, from, end, &self.options, prompt, &[])?;
                tail.extend(rest.words);
            }
            if !tail.is_empty() {
                segments.push(Segment {
                    text: join(&tail),
                    start: tail[0].start,
                    end: tail[tail.len() - 1].end,
                });
            }
            words.extend(tail);
        }
        let transcribe_s = started.elapsed().as_secs_f64();
        let transcript = Transcript {
            text: segments
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            segments,
            words,
        };

        let started = Instant::now();
        let audio = Audio16k {
            samples: std::mem::take(&mut self.audio),
        };
        let mut listener = CachedListener {
            probe: &mut probe,
            cache: &self.cache,
            audio: &audio.samples,
            hits: 0,
            misses: 0,
        };
        let mut report = build_report_with_frames(
            &audio,
            transcript,
            self.options.question.as_ref(),
            &self.options.settings,
            Some(&mut listener),
            self.frames.take(),
        );
        let (hits, misses) = (listener.hits, listener.misses);
        report.timing.delivery_s = started.elapsed().as_secs_f64();
        report.timing.transcribe_s = transcribe_s;
        report.model = Some(ModelInfo {
            path: transcriber.path().display().to_string(),
            name: transcriber.name().to_string(),
        });
        if let Some((at, lag)) = self.degraded {
            report.notices.push(format!(
                "Live transcription fell behind at {} (it trailed the audio by {lag:.1} s), \
                 so the rest of the answer was transcribed after Stop.",
                clock(at)
            ));
        }
        let timing = &mut report.timing;
        timing.live = Some(crate::report::LiveTiming {
            tail_s,
            degraded_at_s: self.degraded.map(|(at, _)| at),
            probes_reused: hits,
            probes_after_stop: misses,
            words_changed: None,
        });
        timing.realtime_lag_s = Some(self.worst_lag_s);
        timing.stop_to_report_s = Some(stopped.elapsed().as_secs_f64());
        Ok(LiveResult { report, audio })
    }
}

/// Whether `window` holds no speech worth decoding; `loudest_db` keeps the
/// loudest speech heard so far.
fn is_silent(window: &[f32], loudest_db: &mut f64) -> bool {
    let mut levels = vad::frame_levels_db(window);
    if levels.is_empty() {
        return true;
    }
    levels.sort_by(f64::total_cmp);
    let loud = levels[(levels.len() - 1) * 98 / 100];
    let silent = loud < SILENT_DB || loud < *loudest_db - SILENT_BELOW_SPEECH_DB;
    if !silent {
        *loudest_db = loudest_db.max(loud);
    }
    silent
}

/// What one decode heard.
struct Decoded {
    /// The words from the window's start on.
    words: Vec<Word>,
    /// The decoder followed the audio up to here (seconds from the
    /// recording's start): the window's end, or where it began to repeat
    /// itself, its later words dropped.
    heard_until: f64,
}

/// One window for the windows' thread.
struct Job {
    input: Vec<f32>,
    options: TranscribeOptions,
    window: Window,
}

/// Where a job's input lies in the recording, to place its words.
#[derive(Clone, Copy)]
struct Placement {
    /// The input's first real sample (lead-in included).
    from: usize,
    start: usize,
    end: usize,
}

/// The window `audio[start..end]` as whisper.cpp's input: up to
/// [`LiveOptions::lead_in_s`] of the audio before it as context, and silence
/// around it.
fn prepare(
    audio: &[f32],
    start: usize,
    end: usize,
    options: &LiveOptions,
    prompt: Option<String>,
    abort: Option<Arc<AtomicBool>>,
) -> (Job, Placement) {
    let from = start.saturating_sub((options.lead_in_s * RATE) as usize);
    let pad = (options.pad_s * RATE) as usize;
    // Silence after the window too: whisper.cpp aborts the process (a DTW
    // median filter assertion) when its last pass over an input covers under
    // 150 ms, which an input ending mid-speech invites.
    let input: Vec<f32> = std::iter::repeat_n(0.0, pad)
        .chain(audio[from..end].iter().copied())
        .chain(std::iter::repeat_n(
            0.0,
            if pad > 0 {
                (END_PAD_S * RATE) as usize
            } else {
                0
            },
        ))
        .collect();
    let fit_audio_ctx = input.len() as f64 / RATE <= FIT_MAX_S;
    let window = Window {
        offset_s: (from as f64 - pad as f64) / RATE,
        prompt,
        fit_audio_ctx,
        abort,
        // What is left after live decoding fell behind is decoded over the
        // full context; the lean encoder keeps that within the memory
        // budget (the plain one took base to 344 MB).
        lean_encoder: !fit_audio_ctx,
    };
    let job = Job {
        input,
        options: options.transcribe.clone(),
        window,
    };
    (job, Placement { from, start, end })
}

impl Placement {
    /// The words heard from `start` on (after the last of `committed`), and
    /// how far the decoder followed the audio.
    fn place(&self, mut words: Vec<Word>, committed: &[Word]) -> Decoded {
        let Placement { from, start, end } = *self;
        if from < start {
            words = drop_lead_in(words, committed, start as f64 / RATE);
        }
        // Nothing is heard in the padding. Words that begin after the audio's
        // end were made up by the decoder: at the end of a window cut
        // mid-sentence it repeated the window's last sentence there (17 words,
        // all timed at the end, in one two-minute run). Words that only run
        // into it are pulled back inside the window.
        let start_s = start as f64 / RATE;
        let end_s = end as f64 / RATE;
        words.retain(|w| w.start < end_s);
        for w in &mut words {
            w.start = w.start.clamp(start_s, end_s);
            w.end = w.end.clamp(w.start, end_s);
        }
        let heard_until = match repetition_start(&words) {
            Some(i) => {
                words.truncate(i);
                words.last().map_or(start_s, |w| w.end)
            }
            None => end_s,
        };
        Decoded { words, heard_until }
    }
}

/// Decodes `audio[start..end]` on `decoder` (see [`prepare`] and
/// [`Placement::place`]).
fn decode_from(
    decoder: &mut WindowDecoder<'_>,
    audio: &[f32],
    start: usize,
    end: usize,
    options: &LiveOptions,
    prompt: Option<String>,
    committed: &[Word],
) -> Result<Decoded, AsrError> {
    let (job, placement) = prepare(audio, start, end, options, prompt, None);
    let transcript = decoder.decode(&job.input, &job.options, &job.window)?;
    Ok(placement.place(transcript.words, committed))
}

/// The windows' decoding state on a thread of its own, so that Stop need not
/// wait for a window being decoded: whisper.cpp reads the abort flag only
/// after its encoder, up to a second after Stop with base.
struct WindowThread {
    jobs: Option<crossbeam_channel::Sender<Job>>,
    results: Receiver<Result<Transcript, AsrError>>,
    thread: Option<JoinHandle<()>>,
}

impl WindowThread {
    /// Starts the thread with a fresh decoding state of `transcriber`'s model.
    fn start(transcriber: Arc<Transcriber>) -> Result<Self, AsrError> {
        let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
        let (result_tx, results) = crossbeam_channel::unbounded();
        let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("rehearse-live-windows".into())
            .spawn(move || {
                super::lower_priority();
                // Made here first to tell the caller the model is usable.
                let mut unused = match WindowDecoder::new(&transcriber) {
                    Ok(decoder) => Some(decoder),
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                for job in job_rx {
                    // A fresh state for every window, freed as soon as it is
                    // decoded: whisper.cpp places each graph's tensors anew in
                    // its buffers, so a state that decoded windows of every
                    // length from 1.5 to 16 s ended up with far more of them
                    // resident than one 16 s window needs (base: about 120 MB
                    // against 75 MB). Making one takes milliseconds against a
                    // decode's hundreds, and no decode ever runs on a state
                    // an abandoned one left half-written (it would abort).
                    let result = match unused
                        .take()
                        .map_or_else(|| WindowDecoder::new(&transcriber), Ok)
                    {
                        Ok(mut decoder) => decoder.decode(&job.input, &job.options, &job.window),
                        Err(e) => Err(e),
                    };
                    if result_tx.send(result).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| AsrError::Decode(format!("cannot start the live decoder: {e}")))?;
        let mut started = Self {
            jobs: Some(jobs),
            results,
            thread: Some(thread),
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(started),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                started.close();
                Err(window_thread_gone())
            }
        }
    }

    fn send(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            // A thread that has gone is noticed when its result is awaited.
            let _ = jobs.send(job);
        }
    }

    /// Waits for the next result.
    fn result(&self) -> Result<Transcript, AsrError> {
        self.results
            .recv()
            .unwrap_or_else(|_| Err(window_thread_gone()))
    }

    /// No more windows: the thread ends after the one it is decoding, and
    /// its state is freed then.
    fn close(&mut self) {
        self.jobs = None;
    }
}

impl Drop for WindowThread {
    fn drop(&mut self) {
        self.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn window_thread_gone() -> AsrError {
    AsrError::Decode("the live window decoder stopped".into())
}

/// Words repeated in a row at least this many at a time are the decoder
/// looping, not the speaker.
const LOOP_MIN_WORDS: usize = 4;

/// Where `words` start repeating themselves: the first word of the first
/// copy of a run of at least [`LOOP_MIN_WORDS`] words said again straight
/// after. Whisper falls into such loops when it loses its place (a sentence
/// said three times over, every copy timed at one instant), and one window
/// decoded in a single pass cannot fall back as a batch pass does.
fn repetition_start(words: &[Word]) -> Option<usize> {
    let texts: Vec<String> = words.iter().map(|w| lexical::normalise(&w.text)).collect();
    (0..texts.len()).find(|&i| {
        (LOOP_MIN_WORDS..=(texts.len() - i) / 2).any(|k| texts[i..i + k] == texts[i + k..i + 2 * k])
    })
}

/// Words the recogniser heard again in the lead-in before `start_s`. Word
/// times near a pause can be off by a few hundred milliseconds either way, so
/// the lead-in's words are found by their text where possible: the first
/// match of one of the last committed words among the words near the start
/// marks where the new words begin. Failing that, by their times.
fn drop_lead_in(mut words: Vec<Word>, committed: &[Word], start_s: f64) -> Vec<Word> {
    if committed.is_empty() {
        return words;
    }
    let near = words
        .iter()
        .take_while(|w| mid(w) < start_s + LEAD_IN_SLACK_S)
        .count();
    for back in 0..LEAD_IN_MATCH_WORDS.min(committed.len()) {
        let target = lexical::normalise(&committed[committed.len() - 1 - back].text);
        if target.is_empty() {
            continue;
        }
        if let Some(i) = words[..near]
            .iter()
            .position(|w| lexical::normalise(&w.text) == target)
        {
            // `back` committed words after the match may have been heard
            // differently this time; they are dropped with it.
            let drop = (i + 1 + back).min(words.len());
            return words.split_off(drop);
        }
    }
    words.retain(|w| mid(w) >= start_s);
    words
}

fn mid(w: &Word) -> f64 {
    (w.start + w.end) / 2.0
}

/// The middle of the gap between two consecutive words.
fn between(before: &Word, after: &Word) -> f64 {
    (before.end + after.start) / 2.0
}

/// How many of `words` lie before a cut at `p`.
fn words_before(words: &[Word], p: f64) -> usize {
    words.iter().filter(|w| mid(w) < p).count()
}

/// The latest place to commit at in a window starting at `start_s`: inside a
/// pause of at least `min_pause_s`, at least `settle_s` before the window's
/// end, and not inside any of `words`.
fn commit_point(
    window: &[f32],
    start_s: f64,
    words: &[Word],
    min_pause_s: f64,
    settle_s: f64,
) -> Option<f64> {
    let duration = window.len() as f64 / RATE;
    let end_s = start_s + duration;
    let spans = vad::speech_spans(window);
    vad::silences(&spans, duration)
        .iter()
        .filter(|gap| gap.len() >= min_pause_s)
        .map(|gap| start_s + gap.start + (gap.len() / 2.0).min(0.4))
        .filter(|p| *p <= end_s - settle_s && *p > start_s + 0.05)
        .filter(|p| !words.iter().any(|w| w.start < *p && w.end > *p))
        .fold(None, |_, p| Some(p))
}

/// Where to cut a window that must be committed without a late enough
/// pause, as (words kept, cut time) with the cut in `[earliest, latest]`:
/// an earlier pause, else the end of the latest clause the recogniser
/// punctuated, else the widest gap between two words, else the last gap
/// before `latest`. A cut inside a phrase makes both windows mishear the
/// words at it ("three things land on me" heard as "three things |
/// Animee"), and a short window is the lesser harm.
fn forced_cut(words: &[Word], pause: Option<f64>, earliest: f64, latest: f64) -> (usize, f64) {
    if let Some(p) = pause.filter(|p| *p >= earliest) {
        return (words_before(words, p), p);
    }
    let gaps = || {
        words
            .windows(2)
            .map(|pair| {
                (
                    &pair[0],
                    between(&pair[0], &pair[1]),
                    pair[1].start - pair[0].end,
                )
            })
            .filter(|(_, p, _)| (earliest..=latest).contains(p))
    };
    let clause_end = gaps()
        .filter(|(last, _, _)| last.text.ends_with(CLAUSE_END))
        .map(|(_, p, _)| p)
        .next_back();
    let widest_gap = gaps()
        .filter(|(_, _, gap)| *gap >= FORCED_CUT_MIN_GAP_S)
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(_, p, _)| p);
    if let Some(p) = clause_end.or(widest_gap) {
        return (words_before(words, p), p);
    }
    let keep = words.iter().filter(|w| w.end <= latest).count();
    let p = match (keep.checked_sub(1).map(|i| &words[i]), words.get(keep)) {
        (Some(last), Some(next)) => between(last, next),
        (Some(last), None) => last.end,
        (None, _) => latest,
    };
    (keep, p)
}

/// Words joined as a caption.
fn join(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pace over the last `window_s` seconds of `words`; over all of them when
/// they span less (but at least 5 s).
fn recent_wpm(words: &[&Word], window_s: f64) -> Option<f64> {
    let last = words.last()?.end;
    let first = words.first()?.start;
    let from = (last - window_s).max(first);
    let span = last - from;
    if span < 5.0 {
        return None;
    }
    let count = words
        .iter()
        .filter(|w| (w.start + w.end) / 2.0 >= from)
        .count();
    Some(count as f64 / span * 60.0)
}

fn clock(t: f64) -> String {
    let t = t.max(0.0).round() as u64;
    format!("{}:{:02}", t / 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.into(),
                start: i as f64 * 0.3,
                end: i as f64 * 0.3 + 0.25,
                confidence: 0.9,
                filler: false,
            })
            .collect()
    }

    #[test]
    fn a_decoder_loop_is_cut_where_the_repetition_begins() {
        let looped = words(
            "in her first solo month she fixed it. The next year she ran it, \
             and in her first solo month she fixed it. The next year she ran it, \
             and in her first solo month",
        );
        // From "in her first…" the words repeat with a period of 14 words.
        assert_eq!(repetition_start(&looped), Some(0));
        let looped = words("She was on call. Then she fixed it in time, she fixed it in time, she fixed it in time");
        assert_eq!(repetition_start(&looped), Some(5));
    }

    /// Words 0.3 s apart; `gaps` lists (index of the word before, extra gap).
    fn spaced(text: &str, gaps: &[(usize, f64)]) -> Vec<Word> {
        let mut shift = 0.0;
        let mut spaced = words(text);
        for (i, w) in spaced.iter_mut().enumerate() {
            w.start += shift;
            w.end += shift;
            shift += gaps
                .iter()
                .filter(|(at, _)| *at == i)
                .map(|(_, g)| g)
                .sum::<f64>();
        }
        spaced
    }

    #[test]
    fn a_forced_cut_falls_between_phrases_not_inside_one() {
        let text = "we wrapped the client in our own small interface so we could move off it \
                    in a few days, if we had to and then ran a trial on one service";
        let said = |words: &[Word], keep: usize| words[keep - 1].text.clone();
        // The recogniser's comma marks the clause end.
        let words = spaced(text, &[]);
        let (keep, _) = forced_cut(&words, None, 1.2, 6.0);
        assert_eq!(said(&words, keep), "days,");
        // Without punctuation, the widest gap between words.
        let plain = text.replace(',', "");
        let words = spaced(&plain, &[(8, 0.3), (14, 0.15)]);
        let (keep, at) = forced_cut(&words, None, 1.2, 6.0);
        assert_eq!(said(&words, keep), "interface");
        assert!(at > words[keep - 1].end && at < words[keep].start);
        // A pause found earlier in the window wins over both.
        let (keep, at) = forced_cut(&words, Some(1.175), 1.0, 6.0);
        assert_eq!((said(&words, keep), at), ("client".to_string(), 1.175));
        // With neither, the last gap before the latest cut.
        let words = spaced(&plain, &[]);
        let (keep, _) = forced_cut(&words, None, 1.2, 6.0);
        assert!(words[keep - 1].end <= 6.0 && words[keep].end > 6.0);
    }

    #[test]
    fn a_speaker_repeating_a_few_words_is_not_a_loop() {
        assert_eq!(
            repetition_start(&words(
                "I went, I went to the office and I think, I think it worked."
            )),
            None
        );
        assert_eq!(
            repetition_start(&words(
                "We rolled it back and then we rolled it forward again."
            )),
            None
        );
    }
}
