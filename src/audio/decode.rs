//! Decoding audio files: WAV through hound (any PCM width, float, any rate and
//! channel count); MP3, M4A/AAC, Ogg Vorbis and FLAC through symphonia.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Why an audio file could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file could not be opened or read.
    #[error("cannot read audio file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file has no bytes.
    #[error("{path} is empty (0 bytes)")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is not in a format this program reads.
    #[error("{path} is not an audio file this program can read (WAV, MP3, M4A/AAC, Ogg Vorbis or FLAC): {reason}")]
    NotAudio {
        /// The file.
        path: PathBuf,
        /// What the decoders said.
        reason: String,
    },
    /// The file's header promises more audio than the file holds.
    #[error("{path} is truncated: {reason}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A recognised format with settings this program does not decode.
    #[error("{path} uses an unsupported encoding: {reason}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Which.
        reason: String,
    },
    /// Decoding produced no samples.
    #[error("{path} holds no audio samples")]
    NoSamples {
        /// The file.
        path: PathBuf,
    },
    /// Sample-rate conversion failed.
    #[error("cannot resample {path}: {reason}")]
    Resample {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Decoded samples in the file's own rate and channel layout.
#[derive(Debug, Clone)]
pub struct DecodedAudio {
    /// Interleaved samples in [-1, 1].
    pub interleaved: Vec<f32>,
    /// Channel count.
    pub channels: usize,
    /// Frames per second.
    pub sample_rate: u32,
}

/// Decodes `path`, choosing the decoder by content rather than extension.
pub fn decode_file(path: &Path) -> Result<DecodedAudio, AudioError> {
    let io = |source| AudioError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if metadata.len() == 0 {
        return Err(AudioError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut head = [0u8; 12];
    let n = std::io::Read::read(&mut File::open(path).map_err(io)?, &mut head).map_err(io)?;
    let is_riff = n >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WAVE";
    let decoded = if is_riff {
        match decode_wav(path) {
            // hound reads PCM and 32-bit float; symphonia also knows 64-bit
            // float, A-law and µ-law WAVs.
            Err(e @ (AudioError::Unsupported { .. } | AudioError::NotAudio { .. })) => {
                decode_compressed(path).map_err(|_| e)?
            }
            other => other?,
        }
    } else {
        decode_compressed(path)?
    };
    if decoded.interleaved.is_empty() {
        return Err(AudioError::NoSamples {
            path: path.to_path_buf(),
        });
    }
    Ok(decoded)
}

fn decode_wav(path: &Path) -> Result<DecodedAudio, AudioError> {
    let classify = |e: hound::Error| match e {
        // hound signals a short read as a generic I/O error.
        hound::Error::IoError(io)
            if !matches!(
                io.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            AudioError::Truncated {
                path: path.to_path_buf(),
                reason: "the file ends inside its header".into(),
            }
        }
        hound::Error::IoError(source) => AudioError::Io {
            path: path.to_path_buf(),
            source,
        },
        hound::Error::Unsupported => AudioError::Unsupported {
            path: path.to_path_buf(),
            reason: "a WAV encoding other than PCM or IEEE float".into(),
        },
        other => AudioError::NotAudio {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    };
    let reader = hound::WavReader::open(path).map_err(classify)?;
    let spec = reader.spec();
    let declared = reader.len() as usize;
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let data_bytes = declared as u64 * spec.bits_per_sample.div_ceil(8) as u64;
    let samples: Result<Vec<f32>, hound::Error> = match spec.sample_format {
        hound::SampleFormat::Float => reader.into_samples::<f32>().collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1i64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect()
        }
    };
    // hound reports a short data chunk as a generic read error; the sizes tell
    // the user what actually happened.
    const WAV_HEADER_MIN: u64 = 44;
    let interleaved = samples.map_err(|e| match e {
        hound::Error::IoError(_) if file_len < data_bytes + WAV_HEADER_MIN => AudioError::Truncated {
            path: path.to_path_buf(),
            reason: format!(
                "its header declares {data_bytes} bytes of samples but the whole file is only {file_len} bytes"
            ),
        },
        other => classify(other),
    })?;
    Ok(DecodedAudio {
        interleaved,
        channels: spec.channels as usize,
        sample_rate: spec.sample_rate,
    })
}

fn decode_compressed(path: &Path) -> Result<DecodedAudio, AudioError> {
    let file = File::open(path).map_err(|source| AudioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let not_audio = |reason: String| AudioError::NotAudio {
        path: path.to_path_buf(),
        reason,
    };
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| not_audio(e.to_string()))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| not_audio("no audio track".into()))?;
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| AudioError::Unsupported {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    let mut interleaved = Vec::new();
    let mut channels = track.codec_params.channels.map_or(0, |c| c.count());
    let mut sample_rate = track.codec_params.sample_rate.unwrap_or(0);
    let mut buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => return Err(not_audio(e.to_string())),
        };
        if packet.track_id() != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let spec = *decoded.spec();
                channels = spec.channels.count();
                sample_rate = spec.rate;
                let buf = buffer
                    .get_or_insert_with(|| SampleBuffer::new(decoded.capacity() as u64, spec));
                if buf.capacity() < decoded.capacity() * channels {
                    *buf = SampleBuffer::new(decoded.capacity() as u64, spec);
                }
                buf.copy_interleaved_ref(decoded);
                interleaved.extend_from_slice(buf.samples());
            }
            // A damaged packet is skipped, as players do.
            Err(SymphoniaError::DecodeError(_)) => continue,
            Err(e) => return Err(not_audio(e.to_string())),
        }
    }
    if channels == 0 || sample_rate == 0 {
        return Err(not_audio(
            "the stream has no channel layout or sample rate".into(),
        ));
    }
    Ok(DecodedAudio {
        interleaved,
        channels,
        sample_rate,
    })
}
