//! Frame-level acoustic features every 10 ms: level, pitch (YIN) and how fast
//! the spectrum is changing. Shared by the voice analysis and the detector of
//! filled pauses the recogniser dropped.

use pitch_detection::detector::yin::YINDetector;
use pitch_detection::detector::PitchDetector;
use realfft::RealFftPlanner;

use crate::audio::vad::{frame_levels_db, FRAME_S};
use crate::audio::ANALYSIS_RATE;

/// Pitch analysis window: 40 ms holds two periods of a 50 Hz voice.
const PITCH_WINDOW: usize = 640;
/// Spectrum window: 32 ms.
const SPECTRUM_WINDOW: usize = 512;
/// Triangular mel filters between 300 Hz and 4 kHz, where vowel formants
/// live; wide enough that harmonics gliding with the pitch stay inside one.
const FILTERS: usize = 16;
const FILTER_LOW_HZ: f64 = 300.0;
const FILTER_HIGH_HZ: f64 = 4000.0;
/// Range of band energies kept below the strongest band.
const DYNAMIC_RANGE_DB: f64 = 40.0;
/// Cepstral coefficients compared (the first, overall loudness, is skipped).
const CEPSTRA: usize = 10;
/// Minimum YIN clarity (1 − aperiodicity) for a frame to count as voiced.
const VOICED_CLARITY: f64 = 0.6;

/// Features of each 10 ms frame.
#[derive(Debug, Clone, Default)]
pub struct Frames {
    /// Level in dBFS.
    pub level_db: Vec<f64>,
    /// Fundamental frequency, where the frame is voiced.
    pub pitch_hz: Vec<Option<f64>>,
    /// RMS change of the spectral envelope (mel cepstrum, loudness excluded)
    /// over 20 ms, in dB.
    pub spectral_change_db: Vec<f64>,
}

impl Frames {
    /// Number of frames.
    pub fn len(&self) -> usize {
        self.level_db.len()
    }

    /// True for silence-length input.
    pub fn is_empty(&self) -> bool {
        self.level_db.is_empty()
    }

    /// Time of frame `i`'s start.
    pub fn time(i: usize) -> f64 {
        i as f64 * FRAME_S
    }

    /// The frame containing time `t`.
    pub fn index(t: f64) -> usize {
        (t / FRAME_S).max(0.0) as usize
    }
}

fn window_at(samples: &[f32], centre: usize, size: usize) -> Vec<f64> {
    let start = centre.saturating_sub(size / 2);
    (0..size)
        .map(|k| samples.get(start + k).copied().unwrap_or(0.0) as f64)
        .collect()
}

fn mel(f: f64) -> f64 {
    2595.0 * (1.0 + f / 700.0).log10()
}

fn mel_inverse(m: f64) -> f64 {
    700.0 * (10f64.powf(m / 2595.0) - 1.0)
}

/// Each filter as (bin, weight) pairs.
fn mel_filters() -> Vec<Vec<(usize, f64)>> {
    let bin_hz = ANALYSIS_RATE as f64 / SPECTRUM_WINDOW as f64;
    let edges: Vec<f64> = (0..FILTERS + 2)
        .map(|k| {
            mel_inverse(
                mel(FILTER_LOW_HZ)
                    + (mel(FILTER_HIGH_HZ) - mel(FILTER_LOW_HZ)) * k as f64 / (FILTERS + 1) as f64,
            )
        })
        .collect();
    (0..FILTERS)
        .map(|m| {
            let (lo, mid, hi) = (edges[m], edges[m + 1], edges[m + 2]);
            ((lo / bin_hz).floor() as usize..=(hi / bin_hz).ceil() as usize)
                .filter_map(|bin| {
                    let f = bin as f64 * bin_hz;
                    let w = ((f - lo) / (mid - lo)).min((hi - f) / (hi - mid));
                    (w > 0.0).then_some((bin, w))
                })
                .collect()
        })
        .collect()
}

/// Orthonormal DCT-II coefficients 1..=CEPSTRA of log filter energies.
fn dct(log_energy: &[f64]) -> [f64; CEPSTRA] {
    let n = log_energy.len() as f64;
    let mut out = [0.0; CEPSTRA];
    for (k, c) in out.iter_mut().enumerate() {
        let k = k + 1;
        *c = (2.0 / n).sqrt()
            * log_energy
                .iter()
                .enumerate()
                .map(|(i, e)| e * (std::f64::consts::PI * k as f64 * (i as f64 + 0.5) / n).cos())
                .sum::<f64>();
    }
    out
}

/// Computes the features of 16 kHz mono audio; pitch is searched only in
/// frames louder than `min_level_db`, and only within `[floor_hz, ceiling_hz]`.
pub fn analyse(samples: &[f32], min_level_db: f64, floor_hz: f64, ceiling_hz: f64) -> Frames {
    FrameTrack::new(floor_hz, ceiling_hz).finish(samples, min_level_db)
}

/// Frames this quiet are never searched for pitch while audio arrives (a
/// quieter speech floor has them searched in [`FrameTrack::finish`]).
const TRACK_PITCH_MIN_DB: f64 = -90.0;

/// The features of a recording computed as it arrives: the live path feeds
/// it while the user speaks, so that after Stop only the last few frames are
/// left. [`FrameTrack::finish`] gives exactly what [`analyse`] gives on the
/// whole recording: a frame is computed once every sample its windows read
/// has arrived, and the pitch search's level gate, which depends on the
/// whole recording, is applied at the end.
pub struct FrameTrack {
    floor_hz: f64,
    ceiling_hz: f64,
    level_db: Vec<f64>,
    /// The pitch of each computed frame; `None` where it was not searched
    /// (quieter than [`TRACK_PITCH_MIN_DB`]).
    pitch_hz: Vec<Option<Option<f64>>>,
    cepstra: Vec<[f64; CEPSTRA]>,
    yin: YINDetector<f64>,
    fft: std::sync::Arc<dyn realfft::RealToComplex<f64>>,
    hann: Vec<f64>,
    /// The FFT's output, reused from frame to frame.
    spectrum: Vec<realfft::num_complex::Complex<f64>>,
    filters: Vec<Vec<(usize, f64)>>,
}

impl std::fmt::Debug for FrameTrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameTrack")
            .field("frames", &self.level_db.len())
            .finish_non_exhaustive()
    }
}

/// Samples per frame.
const HOP: usize = (ANALYSIS_RATE as f64 * FRAME_S) as usize;

impl FrameTrack {
    /// An empty track; pitch is searched within `[floor_hz, ceiling_hz]`.
    pub fn new(floor_hz: f64, ceiling_hz: f64) -> Self {
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(SPECTRUM_WINDOW);
        let hann = (0..SPECTRUM_WINDOW)
            .map(|n| {
                0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / SPECTRUM_WINDOW as f64).cos()
            })
            .collect();
        let spectrum = fft.make_output_vec();
        Self {
            floor_hz,
            ceiling_hz,
            level_db: Vec::new(),
            pitch_hz: Vec::new(),
            cepstra: Vec::new(),
            yin: YINDetector::new(PITCH_WINDOW, PITCH_WINDOW / 2),
            fft,
            hann,
            spectrum,
            filters: mel_filters(),
        }
    }

    /// The pitch search range this track was made for.
    pub fn pitch_range_hz(&self) -> (f64, f64) {
        (self.floor_hz, self.ceiling_hz)
    }

    /// Computes every frame of `samples` (the recording so far, growing
    /// between calls) whose analysis windows lie wholly inside it.
    pub fn advance(&mut self, samples: &[f32]) {
        let reach = HOP / 2 + PITCH_WINDOW.max(SPECTRUM_WINDOW) / 2;
        let ready = if samples.len() >= reach {
            (samples.len() - reach) / HOP + 1
        } else {
            0
        };
        self.compute_until(samples, ready);
    }

    /// The features of the whole recording `samples`, with pitch searched in
    /// frames louder than `min_level_db`.
    pub fn finish(mut self, samples: &[f32], min_level_db: f64) -> Frames {
        let total = samples.len().div_ceil(HOP);
        self.compute_until(samples, total);
        let pitch_hz = (0..total)
            .map(|i| {
                if self.level_db[i] < min_level_db {
                    return None;
                }
                match self.pitch_hz[i] {
                    Some(pitch) => pitch,
                    None => self.pitch_at(samples, i),
                }
            })
            .collect();
        let cepstra = &self.cepstra;
        let spectral_change_db = (0..cepstra.len())
            .map(|i| {
                if i < 2 {
                    return 0.0;
                }
                let sq: f64 = cepstra[i]
                    .iter()
                    .zip(&cepstra[i - 2])
                    .map(|(a, b)| (a - b).powi(2))
                    .sum();
                (sq / CEPSTRA as f64).sqrt()
            })
            .collect();
        Frames {
            level_db: self.level_db,
            pitch_hz,
            spectral_change_db,
        }
    }

    fn compute_until(&mut self, samples: &[f32], frames: usize) {
        for i in self.level_db.len()..frames {
            let chunk = &samples[i * HOP..((i + 1) * HOP).min(samples.len())];
            let level = frame_levels_db(chunk)[0];
            self.level_db.push(level);
            let pitch = (level >= TRACK_PITCH_MIN_DB).then(|| self.pitch_at(samples, i));
            self.pitch_hz.push(pitch);
            let cepstra = self.cepstra_at(samples, i);
            self.cepstra.push(cepstra);
        }
    }

    fn pitch_at(&mut self, samples: &[f32], i: usize) -> Option<f64> {
        let window = window_at(samples, i * HOP + HOP / 2, PITCH_WINDOW);
        self.yin
            .get_pitch(&window, ANALYSIS_RATE as usize, 0.0, VOICED_CLARITY)
            .map(|p| p.frequency)
            .filter(|f| (self.floor_hz..=self.ceiling_hz).contains(f))
    }

    fn cepstra_at(&mut self, samples: &[f32], i: usize) -> [f64; CEPSTRA] {
        let mut input: Vec<f64> = window_at(samples, i * HOP + HOP / 2, SPECTRUM_WINDOW)
            .iter()
            .zip(&self.hann)
            .map(|(s, w)| s * w)
            .collect();
        self.fft
            .process(&mut input, &mut self.spectrum)
            .expect("sizes match the plan");
        let log_energy: Vec<f64> = self
            .filters
            .iter()
            .map(|f| {
                let e: f64 = f
                    .iter()
                    .map(|&(bin, w)| self.spectrum[bin].norm_sqr() * w)
                    .sum();
                10.0 * e.max(1e-12).log10()
            })
            .collect();
        // Bands far below the strongest carry only leakage and noise; limiting
        // the range keeps their jitter from reading as spectral change.
        let top = log_energy.iter().copied().fold(f64::MIN, f64::max);
        let limited: Vec<f64> = log_energy
            .iter()
            .map(|e| e.max(top - DYNAMIC_RANGE_DB))
            .collect();
        dct(&limited)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A sine whose frequency glides linearly from `f0` to `f1`.
    pub fn glide(f0: f64, f1: f64, seconds: f64, amplitude: f64) -> Vec<f32> {
        let n = (seconds * ANALYSIS_RATE as f64) as usize;
        let mut phase = 0.0f64;
        (0..n)
            .map(|i| {
                let f = f0 + (f1 - f0) * i as f64 / n as f64;
                phase += 2.0 * std::f64::consts::PI * f / ANALYSIS_RATE as f64;
                (phase.sin() * amplitude) as f32
            })
            .collect()
    }

    #[test]
    fn a_200_hz_tone_reads_as_200_hz() {
        let frames = analyse(&glide(200.0, 200.0, 1.0, 0.3), -60.0, 60.0, 400.0);
        let voiced: Vec<f64> = frames.pitch_hz.iter().flatten().copied().collect();
        assert!(voiced.len() > 80, "{}", voiced.len());
        for f in &voiced {
            assert!((f - 200.0).abs() < 2.0, "{f}");
        }
        // A steady tone barely changes its spectrum.
        let steady = frames.spectral_change_db[10..90].iter().sum::<f64>() / 80.0;
        assert!(steady < 1.0, "{steady}");
    }

    #[test]
    fn a_track_fed_piece_by_piece_equals_the_analysis_of_the_whole() {
        let mut audio = glide(120.0, 240.0, 1.3, 0.3);
        audio.extend(vec![0.0; 3_001]);
        // Quieter than the track searches while audio arrives: searched at
        // the end when the gate is lower still.
        audio.extend(glide(200.0, 150.0, 0.5, 0.000_02));
        audio.extend(glide(180.0, 110.0, 0.77, 0.05));
        for min_level_db in [-40.0, -120.0] {
            let whole = analyse(&audio, min_level_db, 60.0, 400.0);
            let mut track = FrameTrack::new(60.0, 400.0);
            for end in (0..audio.len()).step_by(1_237) {
                track.advance(&audio[..end]);
            }
            let pieces = track.finish(&audio, min_level_db);
            assert_eq!(pieces.level_db, whole.level_db);
            assert_eq!(pieces.pitch_hz, whole.pitch_hz);
            assert_eq!(pieces.spectral_change_db, whole.spectral_change_db);
            assert!(whole.pitch_hz.iter().flatten().count() > 150);
        }
    }

    #[test]
    fn silence_has_no_pitch() {
        let frames = analyse(&vec![0.0; 16_000], -60.0, 60.0, 400.0);
        assert!(frames.pitch_hz.iter().all(Option::is_none));
    }
}
