//! Delivery analysis: how the answer was spoken (pace, fillers, pauses).

use crate::report::{Delivery, Filler, FillerKind, Fillers, Pause, Source, Word};

/// Silent gaps at least this long count as pauses.
pub const PAUSE_MIN_S: f64 = 0.5;

/// Filled pauses as Whisper spells them.
const FILLED_PAUSES: &[&str] = &[
    "um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "hm", "mm", "mhm",
];

/// Lower-cased word with surrounding punctuation removed.
pub fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_lowercase()
}

/// Marks filled pauses among `words` and measures pace and pauses.
pub fn analyze(words: &mut [Word]) -> Delivery {
    let mut items = Vec::new();
    for w in words.iter_mut() {
        if FILLED_PAUSES.contains(&normalise(&w.text).as_str()) {
            w.filler = true;
            items.push(Filler {
                text: w.text.clone(),
                start: w.start,
                end: w.end,
                kind: FillerKind::FilledPause,
                source: Source::Asr,
            });
        }
    }
    let spoken = words.iter().filter(|w| !w.filler).count();
    let span = match (words.first(), words.last()) {
        (Some(first), Some(last)) => last.end - first.start,
        _ => 0.0,
    };
    let wpm = (span > 0.0 && spoken > 0).then(|| spoken as f64 / span * 60.0);
    let pauses = words
        .windows(2)
        .filter(|pair| pair[1].start - pair[0].end >= PAUSE_MIN_S)
        .map(|pair| Pause {
            start: pair[0].end,
            end: pair[1].start,
        })
        .collect();
    let count = items.len();
    Delivery {
        wpm,
        fillers: Fillers {
            items,
            count,
            per_minute: (span > 0.0).then(|| count as f64 / span * 60.0),
        },
        pauses,
        score: None,
    }
}
