//! Running whisper.cpp over 16 kHz mono audio and turning its tokens into
//! timed words.

use std::path::{Path, PathBuf};

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters,
};

use super::align;
use super::model::import::read_meta;
use super::model::{GgmlInfo, ModelError};
use crate::audio::vad;
use crate::report::{Segment, Transcript, Word};

/// Why transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    /// No usable model.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// whisper.cpp refused the model file.
    #[error("whisper.cpp could not load {path}: {reason}")]
    Load {
        /// The model.
        path: PathBuf,
        /// What it said.
        reason: String,
    },
    /// Decoding failed.
    #[error("transcription failed: {0}")]
    Decode(String),
    /// The caller cancelled the transcription.
    #[error("transcription cancelled")]
    Cancelled,
}

/// Settings for one transcription.
#[derive(Debug, Clone)]
pub struct TranscribeOptions {
    /// CPU threads for whisper.cpp. One is the default: on a 2-core machine two
    /// threads ran 2–7× slower whenever another process held a core.
    pub threads: usize,
    /// Spoken language code.
    pub language: String,
    /// Text that primes the decoder (vocabulary, style).
    pub initial_prompt: Option<String>,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            threads: 1,
            language: "en".into(),
            initial_prompt: None,
        }
    }
}

/// A loaded model, ready to transcribe any number of recordings.
pub struct Transcriber {
    // Declared before `_alignment_heads` so the context is dropped first: it
    // keeps a pointer into that buffer.
    context: WhisperContext,
    _alignment_heads: Vec<whisper_rs_sys::whisper_ahead>,
    path: PathBuf,
    name: String,
}

fn preset_for(name: &str) -> Option<DtwModelPreset> {
    Some(match name {
        "tiny.en" => DtwModelPreset::TinyEn,
        "tiny" => DtwModelPreset::Tiny,
        "base.en" => DtwModelPreset::BaseEn,
        "base" => DtwModelPreset::Base,
        "small.en" => DtwModelPreset::SmallEn,
        "small" => DtwModelPreset::Small,
        "medium.en" => DtwModelPreset::MediumEn,
        "medium" => DtwModelPreset::Medium,
        "large-v3" => DtwModelPreset::LargeV3,
        _ => return None,
    })
}

impl Transcriber {
    /// Loads the model at `path` (already checked by [`super::model::resolve`]).
    pub fn load(path: &Path, info: &GgmlInfo) -> Result<Self, AsrError> {
        whisper_rs::install_logging_hooks();
        crate::memory::configure_allocator();
        let meta = read_meta(path);
        let name = meta
            .as_ref()
            .map(|m| m.model.clone())
            .unwrap_or_else(|| info.hparams.size_name());
        // Word timings come from the cross-attention heads that track the
        // audio (DTW): far closer to the truth than token timestamps.
        let alignment_heads: Vec<_> = meta
            .as_ref()
            .map(|m| {
                m.alignment_heads
                    .iter()
                    .map(|[layer, head]| whisper_rs_sys::whisper_ahead {
                        n_text_layer: *layer,
                        n_head: *head,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mode = match preset_for(&name) {
            Some(model_preset) => DtwMode::ModelPreset { model_preset },
            None if !alignment_heads.is_empty() => DtwMode::Custom {
                aheads: &alignment_heads,
            },
            None => DtwMode::TopMost {
                n_top: (info.hparams.n_text_layer / 2).max(1),
            },
        };
        let mut params = WhisperContextParameters::default();
        // Flash attention would disable DTW.
        params.flash_attn(false).dtw_parameters(DtwParameters {
            mode,
            ..DtwParameters::default()
        });
        let context =
            WhisperContext::new_with_params(path, params).map_err(|e| AsrError::Load {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            context,
            _alignment_heads: alignment_heads,
            path: path.to_path_buf(),
            name,
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The model's conventional name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe(
        &self,
        audio: &[f32],
        options: &TranscribeOptions,
    ) -> Result<Transcript, AsrError> {
        let mut state = self
            .context
            .create_state()
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        self.run(&mut state, audio, options, &Window::default())
    }

    /// [`Self::transcribe`] for a background job: it gives up (with
    /// [`AsrError::Cancelled`]) once `cancel` is set (whisper.cpp reads the
    /// flag between its steps), and its encoder uses flash attention over the
    /// full context (`vendor/whisper-rs-sys/PATCHES.md`, change 4), which
    /// takes a third of the memory with near-identical words.
    pub fn transcribe_in_background(
        &self,
        audio: &[f32],
        options: &TranscribeOptions,
        cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<Transcript, AsrError> {
        let mut state = self
            .context
            .create_state()
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        let window = Window {
            abort: Some(cancel.clone()),
            lean_encoder: true,
            ..Window::default()
        };
        let result = self.run(&mut state, audio, options, &window);
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(AsrError::Cancelled);
        }
        result
    }

    /// Runs whisper.cpp on `audio` with `state` and turns its tokens into
    /// timed words, relative to the start of `audio` plus `window.offset_s`.
    fn run(
        &self,
        state: &mut whisper_rs::WhisperState,
        audio: &[f32],
        options: &TranscribeOptions,
        window: &Window,
    ) -> Result<Transcript, AsrError> {
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(options.threads.max(1) as i32);
        params.set_language(Some(&options.language));
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(true);
        // A state reused across windows must not carry the previous window's
        // text as context: the caller passes what it wants as the prompt.
        params.set_no_context(true);
        let prompt = window.prompt.as_ref().or(options.initial_prompt.as_ref());
        if let Some(prompt) = prompt {
            params.set_initial_prompt(prompt);
        }
        // whisper.cpp needs at least one second of input; pad short clips with silence.
        let padded;
        let input = if audio.len() < 16_000 {
            padded = [audio, &vec![0.0; 16_000 - audio.len()]].concat();
            &padded[..]
        } else {
            audio
        };
        if let Some(abort) = &window.abort {
            // whisper-rs 0.16's `set_abort_callback_safe` calls its closure
            // through the wrong pointer type, so the plain C callback is used:
            // it reads the flag, which `window` keeps alive for the decode.
            // SAFETY: the callback only loads an atomic through a pointer that
            // outlives `state.full` below.
            unsafe {
                params.set_abort_callback(Some(abort_requested));
                params.set_abort_callback_user_data(
                    std::sync::Arc::as_ptr(abort) as *mut std::ffi::c_void
                );
            }
        }
        if window.fit_audio_ctx {
            // Encoder positions are 20 ms each; a window shorter than 30 s
            // needs only as many (plus a margin), which makes the encoder
            // proportionally cheaper.
            let positions = input.len().div_ceil(320) + AUDIO_CTX_MARGIN;
            if positions < FULL_AUDIO_CTX {
                params.set_audio_ctx(positions as i32);
            }
            // One pass over the whole window. Otherwise whisper.cpp starts a
            // further pass at the last timestamp it wrote, and when that pass
            // covers under 160 ms its word-timing step (DTW, median filter of
            // width 7) fails an internal check and aborts the process.
            params.set_single_segment(true);
        } else if window.lean_encoder {
            // Asking for the full context explicitly is what the vendored
            // whisper.cpp reads as "flash attention in the encoder".
            params.set_audio_ctx(FULL_AUDIO_CTX as i32);
        }
        state
            .full(params, input)
            .map_err(|e| AsrError::Decode(e.to_string()))?;

        let duration = audio.len() as f64 / 16_000.0;
        let eot = self.context.token_eot();
        let mut segments = Vec::new();
        let mut raw_words: Vec<RawWord> = Vec::new();
        for segment in state.as_iter() {
            let text = segment
                .to_str_lossy()
                .map(|t| t.trim().to_string())
                .unwrap_or_default();
            let seg_start = segment.start_timestamp() as f64 / 100.0;
            let seg_end = segment.end_timestamp() as f64 / 100.0;
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                if token.token_id() >= eot {
                    continue;
                }
                let data = token.token_data();
                let bytes = token.to_bytes().unwrap_or_default().to_vec();
                let dtw = (data.t_dtw >= 0).then(|| data.t_dtw as f64 / 100.0);
                let piece = TokenPiece {
                    bytes,
                    t0: data.t0 as f64 / 100.0,
                    t1: data.t1 as f64 / 100.0,
                    dtw,
                    p: data.p as f64,
                    seg_end,
                };
                push_token(&mut raw_words, piece);
            }
            if !text.is_empty() {
                segments.push(Segment {
                    text,
                    start: seg_start.min(duration),
                    end: seg_end.min(duration),
                });
            }
        }
        let mut words = finish_words(raw_words, duration);
        let spans = vad::speech_spans(audio);
        align::snap_to_silences(&mut words, &vad::silences(&spans, duration));
        let offset = window.offset_s;
        if offset != 0.0 {
            for w in &mut words {
                w.start += offset;
                w.end += offset;
            }
            for s in &mut segments {
                s.start += offset;
                s.end += offset;
            }
        }
        let text = segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Transcript {
            text,
            segments,
            words,
        })
    }
}

/// whisper.cpp's abort callback: `user_data` is an `AtomicBool`.
unsafe extern "C" fn abort_requested(user_data: *mut std::ffi::c_void) -> bool {
    // SAFETY: set only by `Transcriber::run` to a live `AtomicBool`.
    unsafe { &*(user_data as *const std::sync::atomic::AtomicBool) }
        .load(std::sync::atomic::Ordering::Relaxed)
}

/// Encoder positions of a full 30 s window.
const FULL_AUDIO_CTX: usize = 1500;
/// Extra encoder positions beyond a short window's audio.
const AUDIO_CTX_MARGIN: usize = 64;

/// How to decode one window of a longer recording.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Where the window starts in the recording, in seconds; added to every
    /// time in the result.
    pub offset_s: f64,
    /// Text that precedes the window (replaces the options' initial prompt).
    pub prompt: Option<String>,
    /// Shrink the encoder to the window's length (faster for short windows)
    /// and decode it in one pass; the window must be at most 30 s.
    pub fit_audio_ctx: bool,
    /// Setting this flag abandons the decode (it then fails).
    pub abort: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Without `fit_audio_ctx`: run the encoder with flash attention over
    /// the full 30 s context (a batch pass with base then peaks near 240 MB
    /// instead of 330 MB). Words can differ from the plain encoder's, within
    /// half a point of word error rate on the benchmark answers, so the batch
    /// path keeps the plain one.
    pub lean_encoder: bool,
}

/// A decoding state kept across calls, for transcribing many windows of one
/// recording (the live path) without re-allocating whisper.cpp's buffers.
pub struct WindowDecoder<'a> {
    transcriber: &'a Transcriber,
    state: whisper_rs::WhisperState,
}

impl<'a> WindowDecoder<'a> {
    /// A decoder using `transcriber`'s loaded model.
    pub fn new(transcriber: &'a Transcriber) -> Result<Self, AsrError> {
        let state = transcriber
            .context
            .create_state()
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        Ok(Self { transcriber, state })
    }

    /// Transcribes `audio` (16 kHz mono) as one window of a recording; times
    /// in the result are from the recording's start.
    pub fn decode(
        &mut self,
        audio: &[f32],
        options: &TranscribeOptions,
        window: &Window,
    ) -> Result<Transcript, AsrError> {
        self.transcriber
            .run(&mut self.state, audio, options, window)
    }
}

/// Re-decodes short clips with a prompt full of hesitations, to tell a held
/// "um" from a held vowel of a word. Used by the delivery analysis to confirm
/// filled pauses the main transcript dropped.
pub struct FilledPauseProbe<'a> {
    decoder: WindowDecoder<'a>,
    threads: usize,
}

/// Silence around a probed clip, as whisper.cpp expects some context.
const PROBE_PADDING: usize = 4_800;
/// Encoder positions for a probe (20 ms each): enough for the longest clip
/// with its padding, and a fraction of a full 30 s window's cost.
const PROBE_AUDIO_CTX: i32 = 128;
/// The prompt that makes the decoder willing to write hesitations.
const PROBE_PROMPT: &str = "Umm, let me think, uh, hmm.";

impl<'a> FilledPauseProbe<'a> {
    /// A probe using `transcriber`'s model.
    pub fn new(transcriber: &'a Transcriber, threads: usize) -> Result<Self, AsrError> {
        Ok(Self {
            decoder: WindowDecoder::new(transcriber)?,
            threads,
        })
    }

    /// The probe's decoding state, to decode a window with it while the probe
    /// is idle (the live path's tail after Stop).
    pub fn decoder(&mut self) -> &mut WindowDecoder<'a> {
        &mut self.decoder
    }

    /// The first word the recogniser hears in `clip` (16 kHz mono, at most
    /// about 2 s), lower-cased; empty when it hears none.
    pub fn first_word(&mut self, clip: &[f32]) -> Result<String, AsrError> {
        let mut padded = vec![0.0f32; PROBE_PADDING];
        padded.extend_from_slice(clip);
        padded.extend(std::iter::repeat_n(
            0.0,
            PROBE_PADDING.max(16_000usize.saturating_sub(padded.len())),
        ));
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(self.threads.max(1) as i32);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_initial_prompt(PROBE_PROMPT);
        params.set_single_segment(true);
        params.set_no_context(true);
        params.set_audio_ctx(PROBE_AUDIO_CTX);
        params.set_max_tokens(4);
        params.set_temperature_inc(0.0);
        let state = &mut self.decoder.state;
        state
            .full(params, &padded)
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        let eot = self.decoder.transcriber.context.token_eot();
        let mut text = Vec::new();
        if let Some(segment) = state.get_segment(0) {
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                if token.token_id() < eot {
                    text.extend_from_slice(token.to_bytes().unwrap_or_default());
                }
            }
        }
        let text = String::from_utf8_lossy(&text).to_lowercase();
        Ok(text
            .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '[')
            .find(|w| !w.is_empty())
            .unwrap_or_default()
            .to_string())
    }
}

impl crate::delivery::ClipListener for FilledPauseProbe<'_> {
    fn first_word(&mut self, clip: &[f32]) -> Option<String> {
        FilledPauseProbe::first_word(self, clip).ok()
    }
}

struct TokenPiece {
    bytes: Vec<u8>,
    t0: f64,
    t1: f64,
    dtw: Option<f64>,
    p: f64,
    seg_end: f64,
}

struct RawWord {
    bytes: Vec<u8>,
    pieces: Vec<TokenPiece>,
}

fn is_punctuation(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_punctuation() || b.is_ascii_whitespace())
}

/// Tokens that begin with a space start a new word; punctuation and word
/// pieces join the current one.
fn push_token(words: &mut Vec<RawWord>, piece: TokenPiece) {
    let starts_word = piece.bytes.first() == Some(&b' ') && !is_punctuation(&piece.bytes);
    match words.last_mut() {
        Some(word) if !starts_word => {
            word.bytes.extend_from_slice(&piece.bytes);
            word.pieces.push(piece);
        }
        _ => words.push(RawWord {
            bytes: piece.bytes.clone(),
            pieces: vec![piece],
        }),
    }
}

/// Non-speech annotations such as `[BLANK_AUDIO]` or `(music)`.
fn is_annotation(text: &str) -> bool {
    (text.starts_with('[') && text.ends_with(']')) || (text.starts_with('(') && text.ends_with(')'))
}

fn finish_words(raw: Vec<RawWord>, duration: f64) -> Vec<Word> {
    let raw: Vec<RawWord> = raw
        .into_iter()
        .filter(|w| {
            let text = String::from_utf8_lossy(&w.bytes);
            let text = text.trim();
            !text.is_empty() && !is_annotation(text)
        })
        .collect();
    // A token's DTW time marks where the alignment leaves it, i.e. its end; a
    // word therefore runs from the previous word's end to its last token's.
    let ends: Vec<f64> = raw
        .iter()
        .map(|w| {
            let last = w.pieces.last().expect("a word has tokens");
            last.dtw.unwrap_or(last.t1.min(last.seg_end))
        })
        .collect();
    let mut words: Vec<Word> = Vec::with_capacity(raw.len());
    for (i, word) in raw.iter().enumerate() {
        let first = &word.pieces[0];
        let start = if i == 0 { first.t0 } else { ends[i - 1] };
        let confidence = word.pieces.iter().map(|p| p.p).sum::<f64>() / word.pieces.len() as f64;
        words.push(Word {
            text: String::from_utf8_lossy(&word.bytes).trim().to_string(),
            start,
            end: ends[i].max(start),
            confidence,
            filler: false,
        });
    }
    // Times must be ordered and inside the audio whatever the decoder said.
    let mut floor = 0.0f64;
    for w in &mut words {
        w.start = w.start.max(floor).min(duration);
        w.end = w.end.max(w.start).min(duration);
        floor = w.start;
    }
    words
}
