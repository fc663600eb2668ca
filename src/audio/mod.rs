//! Audio in: decoding files of any common format and rate into the 16 kHz mono
//! f32 samples Whisper and the delivery analysis work on.

pub mod capture;
pub mod decode;
pub mod resample;
pub mod vad;

pub use decode::{decode_file, AudioError, DecodedAudio};
pub use resample::{resample_to_16k, to_mono};

/// The sample rate every analysis works at.
pub const ANALYSIS_RATE: u32 = 16_000;

/// Mono audio at [`ANALYSIS_RATE`].
#[derive(Debug, Clone)]
pub struct Audio16k {
    /// Samples in [-1, 1].
    pub samples: Vec<f32>,
}

impl Audio16k {
    /// Length in seconds.
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / ANALYSIS_RATE as f64
    }
}

/// Reads any supported audio file and converts it for analysis.
pub fn load_for_analysis(path: &std::path::Path) -> Result<Audio16k, AudioError> {
    let decoded = decode_file(path)?;
    let mono = to_mono(&decoded.interleaved, decoded.channels);
    let samples =
        resample_to_16k(&mono, decoded.sample_rate).map_err(|reason| AudioError::Resample {
            path: path.to_path_buf(),
            reason,
        })?;
    Ok(Audio16k { samples })
}
