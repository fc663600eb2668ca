//! The Slaney-style mel filterbank Whisper computes its log-mel input with.
//!
//! CTranslate2 models do not carry it, but whisper.cpp reads it from the model
//! file, so the importer computes it the way librosa's `filters.mel` does
//! (`htk=False`, `norm="slaney"`), which is what Whisper itself shipped.

/// Whisper's sample rate.
pub const SAMPLE_RATE: f64 = 16_000.0;
/// Whisper's FFT size; the filterbank has `N_FFT / 2 + 1` columns.
pub const N_FFT: usize = 400;

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hertz to Slaney mels: linear below 1 kHz, logarithmic above.
pub fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_HZ / F_SP + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

/// Slaney mels back to hertz.
pub fn mel_to_hz(mel: f64) -> f64 {
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (log_step() * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

/// The `n_mels × (N_FFT/2 + 1)` filterbank, row-major, area-normalised.
pub fn filterbank(n_mels: usize) -> Vec<f32> {
    let n_bins = N_FFT / 2 + 1;
    let fft_freqs: Vec<f64> = (0..n_bins)
        .map(|i| i as f64 * (SAMPLE_RATE / 2.0) / (n_bins - 1) as f64)
        .collect();
    let max_mel = hz_to_mel(SAMPLE_RATE / 2.0);
    let mel_points: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(max_mel * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut weights = vec![0f32; n_mels * n_bins];
    for m in 0..n_mels {
        let (left, centre, right) = (mel_points[m], mel_points[m + 1], mel_points[m + 2]);
        let norm = 2.0 / (right - left);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let rising = (f - left) / (centre - left);
            let falling = (right - f) / (right - centre);
            let w = rising.min(falling).max(0.0);
            weights[m * n_bins + k] = (w * norm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_is_linear_below_1khz() {
        for hz in [0.0, 200.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-6);
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(500.0) - 7.5).abs() < 1e-12);
    }

    #[test]
    fn filterbank_matches_librosa_slaney_values() {
        // Expected values computed with librosa's algorithm (htk=False, norm="slaney")
        // for sr=16000, n_fft=400, n_mels=80, as Whisper's mel_filters.npz was.
        let fb = filterbank(80);
        assert_eq!(fb.len(), 80 * 201);
        let at = |m: usize, k: usize| fb[m * 201 + k];
        for (m, k, expected) in [
            (0, 1, 0.024_862_595),
            (40, 42, 0.005_411_105),
            (40, 43, 0.014_735_566),
            (79, 186, 0.000_366_741_7),
            (79, 187, 0.000_833_07),
        ] {
            assert!(
                (at(m, k) - expected).abs() < 1e-7,
                "({m},{k}) = {}",
                at(m, k)
            );
        }
        assert_eq!(at(0, 0), 0.0);
        assert!(fb.iter().all(|&w| w >= 0.0));
    }
}
