//! Filled pauses heard in the audio. Whisper drops most "um"s and "uh"s from
//! its transcript (only 14 of 36 survived in one measurement), so they are also
//! looked for directly: a filled pause is sustained, steady voicing — one vowel
//! or nasal held for a fraction of a second, its spectrum barely changing, its
//! pitch flat or falling — unlike words, whose spectrum moves every few tens of
//! milliseconds.

use super::config::DeliveryConfig;
use super::features::Frames;
use crate::audio::vad::FRAME_S;
use crate::report::Word;

/// Spectral change (dB per 20 ms) below which a frame counts as steady.
pub const STEADY_CHANGE_DB: f64 = 2.5;
/// Rise in pitch (semitones, end minus start) above which a stretch is a
/// question-like rise rather than a hesitation.
pub const MAX_RISE_SEMITONES: f64 = 1.5;
/// Unvoiced frames tolerated inside a stretch (glottal jitter, a click).
const MAX_BREAK_FRAMES: usize = 2;
/// Longest unsteady but voiced transition inside one filled pause.
const MAX_TRANSITION_FRAMES: usize = 10;
/// Share of a stretch's frames that must be steady.
const MIN_STEADY_SHARE: f64 = 0.6;
/// A candidate is dropped when recognised words cover more than this share of it.
pub const MAX_WORD_COVER: f64 = 0.5;

/// One filled pause found in the audio.
#[derive(Debug, Clone, PartialEq)]
pub struct HeardFiller {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// Median pitch.
    pub pitch_hz: f64,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Stretches of steady voicing within the length limits, with a flat or
/// falling pitch.
pub fn steady_voicing(
    frames: &Frames,
    speech_level_db: f64,
    config: &DeliveryConfig,
) -> Vec<HeardFiller> {
    let min_frames = (config.fillers.acoustic_min_s / FRAME_S).round() as usize;
    let max_frames = (config.fillers.acoustic_max_s / FRAME_S).round() as usize;
    let loud_enough = speech_level_db - 20.0;
    let voiced = |i: usize| frames.pitch_hz[i].is_some() && frames.level_db[i] >= loud_enough;
    let steady = |i: usize| voiced(i) && frames.spectral_change_db[i] <= STEADY_CHANGE_DB;
    let mut found = Vec::new();
    let mut i = 0;
    while i < frames.len() {
        if !steady(i) {
            i += 1;
            continue;
        }
        // Extend while voicing continues; unsteady stretches are allowed
        // only briefly (the move from the vowel to the nasal of "um").
        let start = i;
        let mut last_steady = i;
        let mut steady_count = 1;
        let mut k = i + 1;
        let mut unvoiced = 0;
        while k < frames.len() && k - last_steady <= MAX_TRANSITION_FRAMES {
            if steady(k) {
                last_steady = k;
                steady_count += 1;
                unvoiced = 0;
            } else if !voiced(k) {
                unvoiced += 1;
                if unvoiced > MAX_BREAK_FRAMES {
                    break;
                }
            }
            k += 1;
        }
        let end = last_steady + 1;
        let len = end - start;
        let mostly_steady = steady_count as f64 >= MIN_STEADY_SHARE * len as f64;
        if (min_frames..=max_frames).contains(&len) && mostly_steady {
            let pitches: Vec<f64> = (start..end).filter_map(|k| frames.pitch_hz[k]).collect();
            let third = (pitches.len() / 3).max(1);
            let mut head = pitches[..third].to_vec();
            let mut tail = pitches[pitches.len() - third..].to_vec();
            let rise = 12.0 * (median(&mut tail) / median(&mut head)).log2();
            if rise <= MAX_RISE_SEMITONES {
                let mut all = pitches.clone();
                found.push(HeardFiller {
                    start: Frames::time(start),
                    end: Frames::time(end),
                    pitch_hz: median(&mut all),
                });
            }
        }
        i = end.max(start + 1);
    }
    found
}

/// Seconds between a heard stretch and `[start, end]` (0 when they overlap).
pub fn gap(heard: &HeardFiller, start: f64, end: f64) -> f64 {
    (heard.start - end).max(start - heard.end).max(0.0)
}

/// Stretches closer than this are one hesitation ("and-um", "uh… um").
pub const MERGE_GAP_S: f64 = 0.3;

/// Share of `[start, end]` covered by recognised words that are not fillers.
pub fn word_cover(start: f64, end: f64, words: &[Word]) -> f64 {
    let covered: f64 = words
        .iter()
        .filter(|w| !w.filler)
        .map(|w| (w.end.min(end) - w.start.max(start)).max(0.0))
        .sum();
    covered / (end - start)
}

/// Filled pauses in the audio that no recognised word accounts for.
pub fn unrecognised_filled_pauses(
    frames: &Frames,
    speech_level_db: f64,
    words: &[Word],
    config: &DeliveryConfig,
) -> Vec<HeardFiller> {
    steady_voicing(frames, speech_level_db, config)
        .into_iter()
        .filter(|f| word_cover(f.start, f.end, words) <= MAX_WORD_COVER)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::features::{analyse, tests::glide};
    use super::*;

    fn frames_of(samples: &[f32]) -> Frames {
        analyse(samples, -60.0, 60.0, 400.0)
    }

    /// A vowel-like sound: harmonics of a (possibly gliding) fundamental.
    fn vowel(f0: f64, f1: f64, seconds: f64) -> Vec<f32> {
        let mut out = glide(f0, f1, seconds, 0.2);
        for (k, h) in [(2.0, 0.12), (3.0, 0.08)] {
            for (o, s) in out.iter_mut().zip(glide(f0 * k, f1 * k, seconds, h)) {
                *o += s;
            }
        }
        out
    }

    #[test]
    fn a_held_falling_vowel_between_silences_is_a_filled_pause() {
        let mut audio = vec![0.0f32; 8000];
        audio.extend(vowel(140.0, 125.0, 0.45));
        audio.extend(vec![0.0f32; 8000]);
        let found =
            unrecognised_filled_pauses(&frames_of(&audio), -20.0, &[], &DeliveryConfig::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            (found[0].start - 0.5).abs() < 0.05 && (found[0].end - 0.95).abs() < 0.05,
            "{found:?}"
        );
    }

    #[test]
    fn rising_short_or_covered_voicing_is_not() {
        let config = DeliveryConfig::default();
        let rising = vowel(120.0, 170.0, 0.45);
        assert!(unrecognised_filled_pauses(&frames_of(&rising), -20.0, &[], &config).is_empty());
        let short = vowel(140.0, 130.0, 0.1);
        assert!(unrecognised_filled_pauses(&frames_of(&short), -20.0, &[], &config).is_empty());
        let held = vowel(140.0, 130.0, 0.45);
        let word = Word {
            text: "so".into(),
            start: 0.0,
            end: 0.45,
            confidence: 0.9,
            filler: false,
        };
        assert!(unrecognised_filled_pauses(&frames_of(&held), -20.0, &[word], &config).is_empty());
    }
}
