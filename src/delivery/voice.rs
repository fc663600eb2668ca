//! Loudness and intonation: speech level over time, too quiet or clipping,
//! and how much the pitch moves (monotone below about two semitones).

use super::config::DeliveryConfig;
use super::features::Frames;
use crate::audio::vad::Span;
use crate::audio::ANALYSIS_RATE;
use crate::report::{LevelPoint, PitchPoint, Voice};

/// Level timeline resolution.
const LEVEL_STEP_S: f64 = 0.5;
/// Pitch timeline resolution.
const PITCH_STEP_FRAMES: usize = 5;

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn in_speech(i: usize, spans: &[Span]) -> bool {
    let t = Frames::time(i);
    spans.iter().any(|s| t >= s.start && t < s.end)
}

/// Semitones between two frequencies.
pub fn semitones(from_hz: f64, to_hz: f64) -> f64 {
    12.0 * (to_hz / from_hz).log2()
}

/// Measures level and pitch over the speech in `spans`.
pub fn analyse(samples: &[f32], frames: &Frames, spans: &[Span], config: &DeliveryConfig) -> Voice {
    let speech: Vec<usize> = (0..frames.len()).filter(|&i| in_speech(i, spans)).collect();
    if speech.is_empty() {
        return Voice::default();
    }
    let mut levels: Vec<f64> = speech.iter().map(|&i| frames.level_db[i]).collect();
    levels.sort_by(f64::total_cmp);
    let median_dbfs = percentile(&levels, 0.5);

    let per_step = (LEVEL_STEP_S / crate::audio::vad::FRAME_S) as usize;
    let level_timeline = (0..frames.len())
        .step_by(per_step)
        .filter_map(|start| {
            let mut chunk: Vec<f64> = (start..(start + per_step).min(frames.len()))
                .filter(|&i| in_speech(i, spans))
                .map(|i| frames.level_db[i])
                .collect();
            if chunk.is_empty() {
                return None;
            }
            chunk.sort_by(f64::total_cmp);
            Some(LevelPoint {
                t: Frames::time(start) + LEVEL_STEP_S / 2.0,
                dbfs: percentile(&chunk, 0.5),
            })
        })
        .collect();

    let hop = (ANALYSIS_RATE as f64 * crate::audio::vad::FRAME_S) as usize;
    let clipped = speech
        .iter()
        .filter(|&&i| {
            samples[i * hop..((i + 1) * hop).min(samples.len())]
                .iter()
                .any(|s| s.abs() >= config.voice.clip_level)
        })
        .count();
    let clipping_share = clipped as f64 / speech.len() as f64;

    let mut pitches: Vec<f64> = speech.iter().filter_map(|&i| frames.pitch_hz[i]).collect();
    let pitch_timeline = speech
        .iter()
        .filter(|&&i| i % PITCH_STEP_FRAMES == 0)
        .filter_map(|&i| {
            frames.pitch_hz[i].map(|hz| PitchPoint {
                t: Frames::time(i),
                hz,
            })
        })
        .collect();
    let (pitch_median_hz, pitch_spread_semitones) = if pitches.len() >= 10 {
        pitches.sort_by(f64::total_cmp);
        let median = percentile(&pitches, 0.5);
        let spread = semitones(percentile(&pitches, 0.1), percentile(&pitches, 0.9));
        (Some(median), Some(spread))
    } else {
        (None, None)
    };
    Voice {
        median_dbfs: Some(median_dbfs),
        level_timeline,
        too_quiet: median_dbfs < config.voice.too_quiet_dbfs,
        clipping_share,
        clipping: clipping_share > config.voice.clip_share,
        pitch_median_hz,
        pitch_spread_semitones,
        monotone: pitch_spread_semitones.is_some_and(|s| s < config.voice.monotone_semitones),
        pitch_timeline,
    }
}

#[cfg(test)]
mod tests {
    use super::super::features::{analyse as features, tests::glide};
    use super::*;

    fn voice_of(samples: &[f32]) -> Voice {
        let config = DeliveryConfig::default();
        let frames = features(samples, -50.0, 60.0, 400.0);
        let spans = [Span {
            start: 0.0,
            end: samples.len() as f64 / 16_000.0,
        }];
        analyse(samples, &frames, &spans, &config)
    }

    #[test]
    fn a_steady_tone_is_monotone_at_its_pitch() {
        let v = voice_of(&glide(200.0, 200.0, 2.0, 0.3));
        assert!((v.pitch_median_hz.unwrap() - 200.0).abs() < 2.0);
        assert!(v.pitch_spread_semitones.unwrap() < 0.5);
        assert!(v.monotone);
        // A 0.3 sine is about -13.5 dBFS.
        assert!(
            (v.median_dbfs.unwrap() + 13.5).abs() < 1.0,
            "{:?}",
            v.median_dbfs
        );
        assert!(!v.too_quiet && !v.clipping);
    }

    #[test]
    fn a_glide_reads_as_varied() {
        // An octave glide spans 12 semitones; 10th–90th percentile ≈ 9.6.
        let v = voice_of(&glide(150.0, 300.0, 2.0, 0.3));
        let spread = v.pitch_spread_semitones.unwrap();
        assert!((8.0..11.0).contains(&spread), "{spread}");
        assert!(!v.monotone);
    }

    #[test]
    fn quiet_and_clipped_speech_are_flagged() {
        let quiet = voice_of(&glide(200.0, 220.0, 1.0, 0.01));
        assert!(quiet.too_quiet);
        let loud: Vec<f32> = glide(200.0, 220.0, 1.0, 2.0)
            .iter()
            .map(|s| s.clamp(-1.0, 1.0))
            .collect();
        let clipped = voice_of(&loud);
        assert!(clipped.clipping && clipped.clipping_share > 0.9);
    }
}
