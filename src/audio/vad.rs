//! Energy-based speech activity: where in a recording someone is making sound.
//!
//! Used to pin word boundaries to the real edges of silences; the recogniser's
//! own timings drift by a few hundred milliseconds around pauses.

use super::ANALYSIS_RATE;

/// Analysis frame length in seconds.
pub const FRAME_S: f64 = 0.01;
/// Gaps shorter than this inside speech (stop closures, breaths between
/// syllables) do not split it.
pub const MIN_GAP_S: f64 = 0.15;
/// Bursts shorter than this are clicks, not speech.
pub const MIN_SPEECH_S: f64 = 0.05;

/// A stretch of the recording, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Start.
    pub start: f64,
    /// End.
    pub end: f64,
}

impl Span {
    /// Length in seconds.
    pub fn len(&self) -> f64 {
        self.end - self.start
    }

    /// True for an empty span.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Level of each 10 ms frame in dBFS.
pub fn frame_levels_db(samples: &[f32]) -> Vec<f64> {
    let frame = (ANALYSIS_RATE as f64 * FRAME_S) as usize;
    samples
        .chunks(frame)
        .map(|chunk| {
            let power =
                chunk.iter().map(|&s| (s as f64) * (s as f64)).sum::<f64>() / chunk.len() as f64;
            10.0 * power.max(1e-12).log10()
        })
        .collect()
}

/// The threshold separating speech from background: well above the noise
/// floor, and within a speech-like dynamic range of the loudest frames.
fn speech_threshold_db(levels: &[f64]) -> f64 {
    let mut sorted = levels.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize];
    let floor = at(0.1);
    let loud = at(0.98);
    (floor + 12.0).max(loud - 40.0).min(loud - 6.0)
}

/// Spans of sound in 16 kHz mono audio.
pub fn speech_spans(samples: &[f32]) -> Vec<Span> {
    let levels = frame_levels_db(samples);
    if levels.is_empty() {
        return Vec::new();
    }
    let threshold = speech_threshold_db(&levels);
    let mut spans: Vec<Span> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &db) in levels
        .iter()
        .chain(std::iter::once(&f64::NEG_INFINITY))
        .enumerate()
    {
        match (db > threshold, open) {
            (true, None) => open = Some(i),
            (false, Some(s)) => {
                spans.push(Span {
                    start: s as f64 * FRAME_S,
                    end: i as f64 * FRAME_S,
                });
                open = None;
            }
            _ => {}
        }
    }
    let mut merged: Vec<Span> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start - last.end < MIN_GAP_S => last.end = span.end,
            _ => merged.push(span),
        }
    }
    let duration = samples.len() as f64 / ANALYSIS_RATE as f64;
    merged
        .into_iter()
        .filter(|s| s.len() >= MIN_SPEECH_S)
        .map(|s| Span {
            start: s.start,
            end: s.end.min(duration),
        })
        .collect()
}

/// The silences between and around `spans` within `[0, duration]`.
pub fn silences(spans: &[Span], duration: f64) -> Vec<Span> {
    let mut out = Vec::new();
    let mut cursor = 0.0;
    for s in spans {
        if s.start > cursor {
            out.push(Span {
                start: cursor,
                end: s.start,
            });
        }
        cursor = s.end;
    }
    if duration > cursor {
        out.push(Span {
            start: cursor,
            end: duration,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64, amplitude: f32) -> Vec<f32> {
        (0..(seconds * 16_000.0) as usize)
            .map(|i| (i as f32 * 2.0 * std::f32::consts::PI * 180.0 / 16_000.0).sin() * amplitude)
            .collect()
    }

    fn noise(seconds: f64, amplitude: f32) -> Vec<f32> {
        let mut state = 12345u32;
        (0..(seconds * 16_000.0) as usize)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * amplitude
            })
            .collect()
    }

    #[test]
    fn finds_sound_between_silences_over_a_noise_floor() {
        let mut audio = noise(0.5, 0.001);
        audio.extend(
            tone(1.0, 0.3)
                .iter()
                .zip(noise(1.0, 0.001))
                .map(|(a, b)| a + b),
        );
        audio.extend(noise(0.8, 0.001));
        audio.extend(tone(0.6, 0.1));
        audio.extend(noise(0.4, 0.001));
        let spans = speech_spans(&audio);
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert!(
            (spans[0].start - 0.5).abs() <= 0.011 && (spans[0].end - 1.5).abs() <= 0.011,
            "{spans:?}"
        );
        assert!(
            (spans[1].start - 2.3).abs() <= 0.011 && (spans[1].end - 2.9).abs() <= 0.011,
            "{spans:?}"
        );
        let gaps = silences(&spans, 3.3);
        assert_eq!(gaps.len(), 3);
        assert!((gaps[1].len() - 0.8).abs() < 0.02);
    }

    #[test]
    fn short_dips_do_not_split_speech() {
        let mut audio = tone(0.4, 0.3);
        audio.extend(vec![0.0; 1600]); // 100 ms closure
        audio.extend(tone(0.4, 0.3));
        assert_eq!(speech_spans(&audio).len(), 1);
    }
}
