//! Filled-pause probes run while recording, remembered for the final pass.
//!
//! The delivery analysis re-listens to every stretch of steady voicing to tell
//! an "um" from a held vowel. The live worker runs the same search on
//! committed audio as it goes and keeps the answers; on Stop the delivery
//! analysis asks again for the whole recording and is answered from here for
//! every stretch found before (within a few milliseconds of the same place).

use crate::asr::FilledPauseProbe;
use crate::audio::{vad, ANALYSIS_RATE};
use crate::delivery::{acoustic, features, speech_floor_db, voice, ClipListener, DeliveryConfig};

/// Context kept around a probed stretch (as the delivery analysis does).
const PROBE_MARGIN_S: f64 = 0.05;
/// A stretch found again this close (in samples, at both ends) is the same.
const SAME_WITHIN: usize = 800;

/// Answers of the probe, by where in the recording the clip was.
#[derive(Debug, Default)]
pub(super) struct ProbeCache {
    entries: Vec<(usize, usize, String)>,
    /// Probes run while recording.
    pub(super) probed: usize,
}

impl ProbeCache {
    fn lookup(&self, from: usize, to: usize) -> Option<&str> {
        self.entries
            .iter()
            .find(|(f, t, _)| f.abs_diff(from) <= SAME_WITHIN && t.abs_diff(to) <= SAME_WITHIN)
            .map(|(_, _, w)| w.as_str())
    }

    /// Start times (seconds) of probed clips heard as hesitations.
    pub(super) fn hesitations(&self, config: &DeliveryConfig) -> Vec<f64> {
        self.entries
            .iter()
            .filter(|(_, _, w)| {
                w.is_empty() || crate::delivery::lexical::is_filled_pause(w, config)
            })
            .map(|(f, _, _)| *f as f64 / ANALYSIS_RATE as f64)
            .collect()
    }

    /// Finds stretches of steady voicing in `audio[from..to]` and probes the
    /// ones not probed yet.
    pub(super) fn probe_region(
        &mut self,
        probe: &mut FilledPauseProbe<'_>,
        audio: &[f32],
        from: usize,
        to: usize,
        config: &DeliveryConfig,
        stop: &std::sync::atomic::AtomicBool,
    ) {
        let region = &audio[from..to];
        let frames = features::analyse(
            region,
            speech_floor_db(region),
            config.voice.pitch_floor_hz,
            config.voice.pitch_ceiling_hz,
        );
        let spans = vad::speech_spans(region);
        let level = voice::analyse(region, &frames, &spans, config)
            .median_dbfs
            .unwrap_or(-30.0);
        let rate = ANALYSIS_RATE as f64;
        for h in acoustic::steady_voicing(&frames, level, config) {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let a = from + ((h.start - PROBE_MARGIN_S).max(0.0) * rate) as usize;
            let b = (from + ((h.end + PROBE_MARGIN_S) * rate) as usize).min(to);
            if a >= b || self.lookup(a, b).is_some() {
                continue;
            }
            if let Ok(word) = probe.first_word(&audio[a..b]) {
                self.entries.push((a, b, word));
                self.probed += 1;
            }
        }
    }
}

/// A listener that answers from the cache for clips of `audio` probed while
/// recording, and runs the probe for the others.
pub(super) struct CachedListener<'a, 'p> {
    pub(super) probe: &'a mut FilledPauseProbe<'p>,
    pub(super) cache: &'a ProbeCache,
    /// The recording the delivery analysis slices its clips from.
    pub(super) audio: &'a [f32],
    pub(super) hits: usize,
    pub(super) misses: usize,
}

impl CachedListener<'_, '_> {
    /// Where `clip` lies in the recording, when it is a slice of it.
    fn position(&self, clip: &[f32]) -> Option<(usize, usize)> {
        let base = self.audio.as_ptr() as usize;
        let at = clip.as_ptr() as usize;
        let size = std::mem::size_of::<f32>();
        (at >= base && at + std::mem::size_of_val(clip) <= base + std::mem::size_of_val(self.audio))
            .then(|| {
                let from = (at - base) / size;
                (from, from + clip.len())
            })
    }
}

impl ClipListener for CachedListener<'_, '_> {
    fn first_word(&mut self, clip: &[f32]) -> Option<String> {
        if let Some(word) = self
            .position(clip)
            .and_then(|(from, to)| self.cache.lookup(from, to))
        {
            self.hits += 1;
            return Some(word.to_string());
        }
        self.misses += 1;
        self.probe.first_word(clip).ok()
    }
}
