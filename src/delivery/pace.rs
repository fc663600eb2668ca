//! Pace, pauses and length from word timings.

use super::config::DeliveryConfig;
use crate::report::{
    Length, LengthVerdict, Pace, PaceKind, PacePoint, PaceStretch, Pause, PausePosition, Word,
};

/// Speaking span: first counted word's start to last counted word's end.
pub fn span(words: &[&Word]) -> Option<(f64, f64)> {
    let first = words.first()?;
    let last = words.last()?;
    (last.end > first.start).then_some((first.start, last.end))
}

/// Words per minute over the span.
pub fn wpm(words: &[&Word]) -> Option<f64> {
    let (start, end) = span(words)?;
    Some(words.len() as f64 / (end - start) * 60.0)
}

/// Silent gaps between consecutive words (all words, fillers included, since
/// a filler fills the silence).
pub fn pauses(words: &[Word], config: &DeliveryConfig) -> Vec<Pause> {
    words
        .windows(2)
        .filter_map(|pair| {
            let (before, after) = (&pair[0], &pair[1]);
            let duration = after.start - before.end;
            if duration < config.pauses.min_s {
                return None;
            }
            let boundary = before
                .text
                .trim_end_matches(['"', '\'', ')'])
                .ends_with(['.', '?', '!', ',', ';', ':', '-', '—']);
            Some(Pause {
                start: before.end,
                end: after.start,
                duration,
                long: duration >= config.pauses.long_s,
                position: if boundary {
                    PausePosition::Boundary
                } else {
                    PausePosition::MidSentence
                },
            })
        })
        .collect()
}

/// Pace with pauses of at least the articulation threshold taken out.
pub fn articulation_wpm(words: &[&Word], pauses: &[Pause], config: &DeliveryConfig) -> Option<f64> {
    let (start, end) = span(words)?;
    let paused: f64 = pauses
        .iter()
        .filter(|p| {
            p.duration >= config.pace.articulation_pause_s && p.start >= start && p.end <= end
        })
        .map(|p| p.duration)
        .sum();
    let speaking = end - start - paused;
    (speaking > 0.0).then(|| words.len() as f64 / speaking * 60.0)
}

/// Rolling-window pace and the stretches outside the band.
pub fn timeline(words: &[&Word], config: &DeliveryConfig) -> Pace {
    let band = config.pace.band_wpm;
    let mut pace = Pace {
        band_wpm: band,
        ..Pace::default()
    };
    let Some((start, end)) = span(words) else {
        return pace;
    };
    let window = config.pace.window_s.min(end - start);
    let step = config.pace.step_s.max(0.1);
    let mut t0 = start;
    loop {
        let t1 = t0 + window;
        let count = words
            .iter()
            .filter(|w| {
                let mid = (w.start + w.end) / 2.0;
                mid >= t0 && mid < t1
            })
            .count();
        pace.timeline.push(PacePoint {
            t: t0 + window / 2.0,
            wpm: count as f64 / window * 60.0,
        });
        if t1 >= end - 1e-9 {
            break;
        }
        t0 = (t0 + step).min(end - window);
    }

    let kind_of = |wpm: f64| {
        if wpm > band[1] {
            Some(PaceKind::Rushing)
        } else if wpm < band[0] {
            Some(PaceKind::Dragging)
        } else {
            None
        }
    };
    let mut i = 0;
    while i < pace.timeline.len() {
        let Some(kind) = kind_of(pace.timeline[i].wpm) else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j + 1 < pace.timeline.len() && kind_of(pace.timeline[j + 1].wpm) == Some(kind) {
            j += 1;
        }
        let s = (pace.timeline[i].t - window / 2.0).max(start);
        let e = (pace.timeline[j].t + window / 2.0).min(end);
        if e - s >= config.pace.min_stretch_s {
            let mean = pace.timeline[i..=j].iter().map(|p| p.wpm).sum::<f64>() / (j - i + 1) as f64;
            pace.stretches.push(PaceStretch {
                start: s,
                end: e,
                kind,
                wpm: mean,
            });
        }
        i = j + 1;
    }
    pace
}

/// Speaking time against the target range.
pub fn length(words: &[&Word], target_s: [f64; 2]) -> Option<Length> {
    let (start, end) = span(words)?;
    let seconds = end - start;
    let verdict = if seconds < target_s[0] {
        LengthVerdict::Short
    } else if seconds > target_s[1] {
        LengthVerdict::Long
    } else {
        LengthVerdict::Ok
    };
    Some(Length {
        seconds,
        target_s,
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evenly(count: usize, per_minute: f64, from: f64) -> Vec<Word> {
        let step = 60.0 / per_minute;
        (0..count)
            .map(|i| Word {
                text: "word".into(),
                start: from + i as f64 * step,
                end: from + i as f64 * step + step * 0.8,
                confidence: 1.0,
                filler: false,
            })
            .collect()
    }

    #[test]
    fn pace_and_stretches_follow_the_band() {
        let config = DeliveryConfig::default();
        // 30 s at 140 wpm, then 30 s at 200 wpm.
        let mut words = evenly(70, 140.0, 0.0);
        let offset = words.last().unwrap().end + 0.06;
        words.extend(evenly(100, 200.0, offset));
        let refs: Vec<&Word> = words.iter().collect();
        let overall = wpm(&refs).unwrap();
        assert!((overall - 170.0 / (words.last().unwrap().end / 60.0)).abs() < 1e-9);
        let pace = timeline(&refs, &config);
        assert_eq!(pace.stretches.len(), 1, "{:?}", pace.stretches);
        let s = &pace.stretches[0];
        assert_eq!(s.kind, PaceKind::Rushing);
        assert!(s.start > 20.0 && s.start < 35.0, "{s:?}");
        assert!((s.wpm - 200.0).abs() < 15.0, "{s:?}");
    }

    #[test]
    fn pauses_are_classified_by_punctuation_and_excluded_from_articulation() {
        let config = DeliveryConfig::default();
        let mut words = evenly(4, 120.0, 0.0);
        words[1].text = "done.".into();
        for w in &mut words[2..] {
            w.start += 2.5;
            w.end += 2.5;
        }
        words[3].start += 0.7;
        words[3].end += 0.7;
        let p = pauses(&words, &config);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].position, PausePosition::Boundary);
        assert!(p[0].long);
        assert_eq!(p[1].position, PausePosition::MidSentence);
        assert!(!p[1].long);
        let refs: Vec<&Word> = words.iter().collect();
        let art = articulation_wpm(&refs, &p, &config).unwrap();
        assert!(art > wpm(&refs).unwrap());
    }

    #[test]
    fn length_is_judged_against_the_target() {
        let words = evenly(100, 150.0, 1.0);
        let refs: Vec<&Word> = words.iter().collect();
        assert_eq!(
            length(&refs, [60.0, 90.0]).unwrap().verdict,
            LengthVerdict::Short
        );
        assert_eq!(
            length(&refs, [30.0, 60.0]).unwrap().verdict,
            LengthVerdict::Ok
        );
        assert_eq!(
            length(&refs, [10.0, 30.0]).unwrap().verdict,
            LengthVerdict::Long
        );
    }
}
