//! Pinning word times to the silences actually heard.
//!
//! Whisper's word timings are good inside fluent speech but drift by hundreds
//! of milliseconds at pauses (DTW spreads a pause over the neighbouring words).
//! Each clear silence in the audio is attached to the word boundary nearest to
//! it; the words on either side are pinned to the silence's edges, and the
//! words in between are stretched linearly to fit.

use crate::audio::vad::Span;
use crate::report::Word;

/// A silence further than this from every word boundary is left alone: the
/// recogniser's timing there is too uncertain to attach it anywhere.
pub const MAX_ATTACH_DISTANCE_S: f64 = 0.8;

fn distance(time: f64, span: &Span) -> f64 {
    if time < span.start {
        span.start - time
    } else if time > span.end {
        time - span.end
    } else {
        0.0
    }
}

/// Adjusts `words` (ordered, times from the recogniser) so that no word spans
/// a silence from `silences` that sits at a word boundary.
pub fn snap_to_silences(words: &mut [Word], silences: &[Span]) {
    let n = words.len();
    if n == 0 {
        return;
    }
    // Boundary k sits before word k; boundary n after the last word.
    let boundary_time = |k: usize, words: &[Word]| {
        if k < n {
            words[k].start
        } else {
            words[n - 1].end
        }
    };
    let original: Vec<(f64, f64)> = words.iter().map(|w| (w.start, w.end)).collect();

    // Each silence goes to its nearest boundary, never to one before the
    // previous silence's.
    let mut attached: Vec<Option<(f64, f64)>> = vec![None; n + 1];
    let mut lowest = 0;
    for gap in silences {
        let best = (lowest..=n)
            .map(|k| (k, distance(boundary_time(k, words), gap)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, d)) = best else { continue };
        if d > MAX_ATTACH_DISTANCE_S {
            continue;
        }
        attached[k] = Some(match attached[k] {
            Some((first_start, _)) => (first_start, gap.end),
            None => (gap.start, gap.end),
        });
        lowest = k;
    }

    // Runs of words between attached boundaries are mapped linearly from their
    // original extent onto the space the silences leave them.
    let mut run_start = 0;
    for k in 1..=n {
        if attached[k].is_none() && k < n {
            continue;
        }
        let run = run_start..k;
        let old_from = original[run.start].0;
        let old_to = original[run.end - 1].1;
        let new_from = attached[run.start].map_or(old_from, |(_, gap_end)| gap_end);
        let new_to = attached[k]
            .map_or(old_to, |(gap_start, _)| gap_start)
            .max(new_from);
        let scale = if old_to > old_from {
            (new_to - new_from) / (old_to - old_from)
        } else {
            0.0
        };
        let count = run.len() as f64;
        for (offset, i) in run.clone().enumerate() {
            let (start, end) = original[i];
            if scale > 0.0 {
                words[i].start = new_from + (start - old_from) * scale;
                words[i].end = new_from + (end - old_from) * scale;
            } else {
                // No usable original extent: share the space evenly.
                let step = (new_to - new_from) / count;
                words[i].start = new_from + step * offset as f64;
                words[i].end = words[i].start + step;
            }
        }
        run_start = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word {
            text: text.into(),
            start,
            end,
            confidence: 1.0,
            filler: false,
        }
    }

    fn span(start: f64, end: f64) -> Span {
        Span { start, end }
    }

    #[test]
    fn a_pause_absorbed_by_a_word_is_given_back() {
        // "slowly" was stretched over the pause; the audio says speech stops
        // at 1.76 and resumes at 3.61.
        let mut words = vec![
            word("out", 1.20, 1.40),
            word("slowly", 1.40, 2.46),
            word("and", 2.46, 3.92),
            word("watched", 3.92, 4.32),
        ];
        snap_to_silences(
            &mut words,
            &[span(0.0, 0.42), span(1.76, 3.61), span(4.97, 5.3)],
        );
        assert!((words[1].end - 1.76).abs() < 1e-9, "{words:?}");
        assert!((words[2].start - 3.61).abs() < 1e-9, "{words:?}");
        // Order and containment are preserved.
        for pair in words.windows(2) {
            assert!(pair[0].start <= pair[0].end && pair[0].end <= pair[1].start + 1e-9);
        }
        assert!(words[0].start >= 0.42 - 1e-9);
    }

    #[test]
    fn leading_and_trailing_silence_trim_the_outer_words() {
        let mut words = vec![
            word("I", 0.0, 0.26),
            word("rolled", 0.26, 0.54),
            word("it", 0.54, 1.5),
        ];
        snap_to_silences(&mut words, &[span(0.0, 0.42), span(1.1, 2.0)]);
        assert!((words[0].start - 0.42).abs() < 1e-9, "{words:?}");
        assert!((words[2].end - 1.1).abs() < 1e-9, "{words:?}");
    }

    #[test]
    fn two_silences_around_an_unrecognised_sound_leave_it_uncovered() {
        // "migration [um] and": the recogniser dropped the um; both silences
        // around it belong to the same boundary.
        let mut words = vec![
            word("migration", 1.0, 2.0),
            word("and", 2.0, 2.9),
            word("we", 2.9, 3.1),
        ];
        snap_to_silences(&mut words, &[span(1.6, 1.75), span(2.2, 2.35)]);
        assert!((words[0].end - 1.6).abs() < 1e-9, "{words:?}");
        assert!((words[1].start - 2.35).abs() < 1e-9, "{words:?}");
    }

    #[test]
    fn distant_silences_are_ignored() {
        let mut words = vec![word("a", 0.0, 0.5), word("b", 0.5, 1.0)];
        let before = words.clone();
        snap_to_silences(&mut words, &[span(5.0, 6.0)]);
        assert_eq!(words, before);
    }
}
