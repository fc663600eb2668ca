//! Channel mixing and sample-rate conversion.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::ANALYSIS_RATE;

/// Averages interleaved channels into one.
pub fn to_mono(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect()
}

/// Converts mono samples at `rate` to [`ANALYSIS_RATE`] with rubato's FFT
/// resampler (band-limited, so downsampling does not alias into speech bands).
pub fn resample_to_16k(mono: &[f32], rate: u32) -> Result<Vec<f32>, String> {
    if rate == ANALYSIS_RATE || mono.is_empty() {
        return Ok(mono.to_vec());
    }
    let mut resampler = Fft::<f32>::new(
        rate as usize,
        ANALYSIS_RATE as usize,
        1024,
        1,
        FixedSync::Both,
    )
    .map_err(|e| e.to_string())?;
    let input = InterleavedSlice::new(mono, 1, mono.len()).map_err(|e| e.to_string())?;
    let output = resampler
        .process_all(&input, mono.len(), None)
        .map_err(|e| e.to_string())?;
    Ok(output.take_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        (0..(rate as f32 * seconds) as usize)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    #[test]
    fn resampling_keeps_length_and_pitch() {
        for rate in [8_000, 22_050, 44_100, 48_000] {
            let out = resample_to_16k(&tone(440.0, rate, 1.0), rate).unwrap();
            assert!(
                (out.len() as i64 - 16_000).abs() <= 2,
                "{rate}: {}",
                out.len()
            );
            // Count upward zero crossings in the middle: 440 per second.
            let mid = &out[4000..12000];
            let crossings = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
            assert!((crossings as i64 - 220).abs() <= 2, "{rate}: {crossings}");
        }
    }

    #[test]
    fn mono_mix_averages_channels() {
        assert_eq!(to_mono(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.5, 0.5]);
    }
}
