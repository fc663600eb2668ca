//! Delivery analysis: how the answer was spoken — pace, fillers (including
//! those only heard in the audio), pauses, hedges, repetition, length, level
//! and pitch — with a score made of visible parts and plain-language findings.

pub mod acoustic;
pub mod config;
pub mod features;
pub mod lexical;
pub mod pace;
mod score;
pub mod voice;

pub use config::DeliveryConfig;
pub use lexical::normalise;

use crate::audio::{vad, ANALYSIS_RATE};
use crate::report::{Delivery, Filler, FillerKind, Fillers, Hedge, Source, Word};

/// A filler in the transcript and one heard in the audio are the same event
/// when they lie this close.
const RETIME_WITHIN_S: f64 = 1.0;

/// Says which word a short clip of audio holds; the recogniser implements it
/// to confirm filled pauses heard in the audio.
pub trait ClipListener {
    /// The first word heard in `clip` (16 kHz mono), lower-cased, or `None`
    /// when listening failed.
    fn first_word(&mut self, clip: &[f32]) -> Option<String>;
}

/// Context kept around a probed stretch, in seconds.
const PROBE_MARGIN_S: f64 = 0.05;

/// Analyses `words` (marking fillers among them) and the 16 kHz `audio` they
/// were transcribed from, against a target length when a card gives one.
/// Without a `listener`, a filled pause heard in the audio is kept only where
/// no recognised word covers it. `frames` holds the audio's features when
/// they were computed while it was recorded (the live path).
pub fn analyze(
    words: &mut [Word],
    audio: &[f32],
    target_s: Option<[f64; 2]>,
    config: &DeliveryConfig,
    mut listener: Option<&mut dyn ClipListener>,
    frames: Option<features::FrameTrack>,
) -> Delivery {
    let tokens = lexical::tokens(words);
    let mut items: Vec<Filler> = Vec::new();
    let mut filled = vec![false; words.len()];
    for found in lexical::filled_pauses(&tokens, config)
        .into_iter()
        .chain(lexical::discourse_fillers(&tokens))
    {
        let kind = lexical::kind_of(&found.text, config);
        for i in found.first..=found.last {
            words[i].filler = true;
            filled[i] |= kind == FillerKind::FilledPause;
        }
        items.push(Filler {
            text: if kind == FillerKind::FilledPause {
                words[found.first]
                    .text
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_string()
            } else {
                found.text
            },
            start: words[found.first].start,
            end: words[found.last].end,
            kind,
            source: Source::Asr,
        });
    }

    let counted: Vec<&Word> = words
        .iter()
        .zip(&filled)
        .filter(|(_, f)| !**f)
        .map(|(w, _)| w)
        .collect();
    let pauses = pace::pauses(words, config);
    let wpm = pace::wpm(&counted);
    let articulation_wpm = pace::articulation_wpm(&counted, &pauses, config);
    let pace_over_time = pace::timeline(&counted, config);
    let length = pace::length(&counted, target_s.unwrap_or(config.length.default_target_s));

    let hedges = lexical::hedges(&tokens, config)
        .into_iter()
        .map(|h| Hedge {
            text: h.text,
            start: words[h.first].start,
            end: words[h.last].end,
        })
        .collect();
    let repetitions = lexical::repetitions(words, &tokens, &filled);
    let top_words = lexical::top_words(&tokens, &filled, config);

    let spans = vad::speech_spans(audio);
    let pitch_range = (config.voice.pitch_floor_hz, config.voice.pitch_ceiling_hz);
    let frames = frames
        .filter(|track| track.pitch_range_hz() == pitch_range)
        .unwrap_or_else(|| features::FrameTrack::new(pitch_range.0, pitch_range.1))
        .finish(audio, speech_floor_db(audio));
    let voice = voice::analyse(audio, &frames, &spans, config);
    let speech_level = voice.median_dbfs.unwrap_or(-30.0);
    let candidates = acoustic::steady_voicing(&frames, speech_level, config);
    // Each stretch is re-listened to on its own; a held word ("and…") next to
    // an "um" must not hide it.
    let listened: Vec<(acoustic::HeardFiller, Option<bool>)> = candidates
        .into_iter()
        .map(|h| {
            let verdict = listener.as_deref_mut().and_then(|l| {
                let from = ((h.start - PROBE_MARGIN_S).max(0.0) * ANALYSIS_RATE as f64) as usize;
                let to =
                    (((h.end + PROBE_MARGIN_S) * ANALYSIS_RATE as f64) as usize).min(audio.len());
                // Nothing recognisable in a held voiced sound is a hesitation too.
                l.first_word(&audio[from.min(to)..to])
                    .map(|w| w.is_empty() || lexical::is_filled_pause(&w, config))
            });
            (h, verdict)
        })
        .filter(|(_, verdict)| *verdict != Some(false))
        .collect();
    // Stretches that follow closely are one hesitation ("uh… um").
    let mut heard: Vec<acoustic::HeardFiller> = Vec::new();
    let mut verdicts: Vec<Option<bool>> = Vec::new();
    for (h, verdict) in listened {
        match heard.last_mut() {
            Some(last) if h.start - last.end < acoustic::MERGE_GAP_S => {
                last.end = h.end;
                let merged = verdicts.last_mut().expect("parallel to heard");
                *merged = merged.or(verdict);
            }
            _ => {
                heard.push(h);
                verdicts.push(verdict);
            }
        }
    }
    // The recogniser's own "um"s are timed poorly (often onto the next word):
    // each takes the times of the nearest stretch heard in the audio.
    let mut used = vec![false; heard.len()];
    for item in items
        .iter_mut()
        .filter(|f| f.kind == FillerKind::FilledPause)
    {
        let nearest = heard
            .iter()
            .enumerate()
            .filter(|(k, h)| {
                !used[*k]
                    && verdicts[*k] != Some(false)
                    && acoustic::gap(h, item.start, item.end) <= RETIME_WITHIN_S
            })
            .min_by(|a, b| {
                acoustic::gap(a.1, item.start, item.end)
                    .total_cmp(&acoustic::gap(b.1, item.start, item.end))
            });
        if let Some((k, h)) = nearest {
            used[k] = true;
            item.start = h.start;
            item.end = h.end;
        }
    }
    for (k, h) in heard.iter().enumerate() {
        if used[k] {
            continue;
        }
        let accepted = verdicts[k].unwrap_or_else(|| {
            acoustic::word_cover(h.start, h.end, words) <= acoustic::MAX_WORD_COVER
        });
        if accepted {
            items.push(Filler {
                text: "um".into(),
                start: h.start,
                end: h.end,
                kind: FillerKind::FilledPause,
                source: Source::Acoustic,
            });
        }
    }
    items.sort_by(|a, b| a.start.total_cmp(&b.start));

    let spoken_span = pace::span(&counted).map(|(s, e)| e - s);
    let heard_only = items
        .iter()
        .filter(|f| f.source == Source::Acoustic)
        .count();
    let count = items.len();
    let fillers = Fillers {
        count,
        per_minute: spoken_span
            .filter(|s| *s > 0.0)
            .map(|s| count as f64 / s * 60.0),
        share: (!words.is_empty()).then(|| {
            let filler_words = words.iter().filter(|w| w.filler).count() + heard_only;
            filler_words as f64 / (words.len() + heard_only) as f64
        }),
        items,
    };

    let mut delivery = Delivery {
        wpm,
        articulation_wpm,
        pace: pace_over_time,
        fillers,
        pauses,
        hedges,
        repetitions,
        top_words,
        length,
        voice,
        ..Delivery::default()
    };
    let word_count = counted.len();
    score::fill(&mut delivery, word_count, config);
    delivery
}

/// The level below which a frame is background, for the pitch search (the
/// live worker's filled-pause probes use it too, on each region they search).
pub(crate) fn speech_floor_db(audio: &[f32]) -> f64 {
    let mut levels = vad::frame_levels_db(audio);
    if levels.is_empty() {
        return 0.0;
    }
    levels.sort_by(f64::total_cmp);
    let floor = levels[levels.len() / 10];
    let loud = levels[levels.len() * 98 / 100];
    (floor + 10.0).max(loud - 45.0)
}
