//! Recording from a microphone: cpal on its own callback thread, a lock-free
//! ring buffer, and a writer thread that resamples to 16 kHz and writes the WAV
//! incrementally, so a crash loses at most the last half second.
//!
//! Device loss ends the recording within a second with the audio kept: the
//! first stream error is final, a watchdog notices when data stops arriving,
//! and the stream is dropped on its own thread (some backends hang there when
//! the audio server dies).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::ANALYSIS_RATE;

/// Suffix of a recording still being written; found and repaired at start-up
/// if the app died.
pub const PARTIAL_SUFFIX: &str = ".partial.wav";
/// How often the WAV header is brought up to date.
const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// No audio for this long means the device is gone.
const WATCHDOG: Duration = Duration::from_millis(1000);
/// Level reports per second.
const LEVEL_EVERY: Duration = Duration::from_millis(50);
/// Ring buffer capacity: ten seconds of 48 kHz mono.
const RING_SAMPLES: usize = 480_000;
/// Resampler chunk in input frames.
const CHUNK: usize = 1024;

/// Why recording could not start or went wrong.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// No input device at all.
    #[error("no microphone found; connect one and check the system's sound settings")]
    NoDevice,
    /// The chosen device is not there.
    #[error("the microphone {0:?} is not available; choose another in Settings")]
    DeviceNotFound(String),
    /// The audio system refused the stream.
    #[error("cannot record from {device:?}: {reason}")]
    Stream {
        /// The device.
        device: String,
        /// What the audio system said.
        reason: String,
    },
    /// Writing the recording failed.
    #[error("cannot write the recording {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// An input device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputDevice {
    /// Stable identifier (the device's name on its host).
    pub id: String,
    /// Name to show.
    pub name: String,
    /// The system's default input.
    pub is_default: bool,
}

/// Pseudo-devices that produce silence; never a sensible default.
fn is_pseudo(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower == "null" || lower.starts_with("null ") || lower.contains("discard all samples")
}

/// The input devices, default first; pseudo devices left out.
pub fn input_devices() -> Vec<InputDevice> {
    let host = cpal::default_host();
    let default = host.default_input_device().map(|d| d.to_string());
    let mut list: Vec<InputDevice> = host
        .input_devices()
        .map(|devices| {
            devices
                .map(|d| d.to_string())
                .filter(|name| !is_pseudo(name))
                .map(|name| InputDevice {
                    is_default: Some(&name) == default.as_ref(),
                    id: name.clone(),
                    name,
                })
                .collect()
        })
        .unwrap_or_default();
    list.sort_by_key(|d| !d.is_default);
    list.dedup_by(|a, b| a.id == b.id);
    list
}

fn open_device(wanted: Option<&str>) -> Result<cpal::Device, CaptureError> {
    let host = cpal::default_host();
    match wanted {
        Some(name) => host
            .input_devices()
            .ok()
            .and_then(|mut devices| devices.find(|d| d.to_string() == name))
            .ok_or_else(|| CaptureError::DeviceNotFound(name.to_string())),
        None => {
            let device = host.default_input_device().ok_or(CaptureError::NoDevice)?;
            if is_pseudo(&device.to_string()) {
                return Err(CaptureError::NoDevice);
            }
            Ok(device)
        }
    }
}

/// Input level over the last 50 ms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Level {
    /// Seconds recorded so far.
    pub elapsed_s: f64,
    /// RMS level, dBFS.
    pub rms_db: f64,
    /// Peak level, dBFS.
    pub peak_db: f64,
}

/// Why a recording ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The user stopped it.
    User,
    /// The device or the audio server went away.
    DeviceLost,
    /// Something else failed; the message says what.
    Error(String),
}

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The WAV file (16 kHz mono 16-bit).
    pub path: PathBuf,
    /// Its length.
    pub duration_s: f64,
    /// Why it ended.
    pub reason: StopReason,
}

const ERR_NONE: u8 = 0;
const ERR_DEVICE_LOST: u8 = 1;
const ERR_OTHER: u8 = 2;

struct Shared {
    stop: AtomicBool,
    error: AtomicU8,
    /// What the audio system said when the stream failed.
    error_message: std::sync::OnceLock<String>,
    /// Milliseconds since `started` when the callback last delivered data.
    last_data_ms: AtomicU64,
    started: Instant,
}

/// A recording in progress.
pub struct Recorder {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<Result<Recorded, CaptureError>>>,
    stream_stop: mpsc::Sender<()>,
}

/// The path a recording is written to while in progress.
pub fn partial_path(final_path: &Path) -> PathBuf {
    let mut name = final_path.file_stem().unwrap_or_default().to_os_string();
    name.push(PARTIAL_SUFFIX);
    final_path.with_file_name(name)
}

impl Recorder {
    /// Starts recording from `device` (the default input when `None`) into
    /// `path`; `on_level` is called about 20 times a second from the writer
    /// thread.
    pub fn start(
        device: Option<&str>,
        path: &Path,
        on_level: impl FnMut(Level) + Send + 'static,
    ) -> Result<Self, CaptureError> {
        Self::start_with_tap(device, path, on_level, |_| {})
    }

    /// Like [`Recorder::start`], and also hands every block of 16 kHz mono
    /// samples, as written to the file, to `tap` on the writer thread (never
    /// on the audio callback). `tap` must not block: pass the samples on, e.g.
    /// with [`crate::live::LiveFeeder::push`], which only queues them.
    pub fn start_with_tap(
        device: Option<&str>,
        path: &Path,
        mut on_level: impl FnMut(Level) + Send + 'static,
        mut tap: impl FnMut(&[f32]) + Send + 'static,
    ) -> Result<Self, CaptureError> {
        let device = open_device(device)?;
        let device_name = device.to_string();
        let stream_error = |reason: String| CaptureError::Stream {
            device: device_name.clone(),
            reason,
        };
        let config = device
            .default_input_config()
            .map_err(|e| stream_error(e.to_string()))?;
        let channels = config.channels() as usize;
        let rate = config.sample_rate();
        let format = config.sample_format();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            error: AtomicU8::new(ERR_NONE),
            error_message: std::sync::OnceLock::new(),
            last_data_ms: AtomicU64::new(0),
            started: Instant::now(),
        });
        let (mut producer, mut consumer) = rtrb::RingBuffer::<f32>::new(RING_SAMPLES);

        // The stream lives on its own thread: cpal streams are not Send on
        // every platform, and dropping one can hang when the server died.
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        let callback_shared = shared.clone();
        let error_shared = shared.clone();
        std::thread::Builder::new()
            .name("rehearse-capture-stream".into())
            .spawn(move || {
                let mut mono = Vec::with_capacity(8192);
                let data_callback = move |data: &cpal::Data, _: &cpal::InputCallbackInfo| {
                    mono.clear();
                    downmix(data, channels, &mut mono);
                    // Never block the audio thread: drop what does not fit.
                    let n = producer.slots().min(mono.len());
                    if let Ok(chunk) = producer.write_chunk_uninit(n) {
                        chunk.fill_from_iter(mono.iter().copied());
                    }
                    let ms = callback_shared.started.elapsed().as_millis() as u64;
                    callback_shared
                        .last_data_ms
                        .store(ms.max(1), Ordering::Relaxed);
                };
                let error_callback = move |e: cpal::Error| {
                    // The first error is final; later ones (some backends fire
                    // them in a tight loop) change nothing.
                    let code = match e.kind() {
                        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::HostUnavailable => {
                            ERR_DEVICE_LOST
                        }
                        _ => ERR_OTHER,
                    };
                    let first = error_shared
                        .error
                        .compare_exchange(ERR_NONE, code, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok();
                    if first {
                        let said = e.to_string();
                        let said = said.trim().trim_end_matches('.');
                        let said = if said.is_empty() {
                            e.kind().to_string()
                        } else {
                            said.to_string()
                        };
                        let _ = error_shared.error_message.set(said);
                    }
                };
                // Ask for ~20 ms callbacks where the device allows it, so the
                // watchdog and the level meter see steady data.
                let mut stream_config = config.config();
                let wanted = (rate / 50).max(64);
                if let cpal::SupportedBufferSize::Range { min, max } = config.buffer_size() {
                    stream_config.buffer_size = cpal::BufferSize::Fixed(wanted.clamp(*min, *max));
                }
                let stream = device.build_input_stream_raw(
                    stream_config,
                    format,
                    data_callback,
                    error_callback,
                    Some(Duration::from_secs(5)),
                );
                let stream = match stream.and_then(|s| s.play().map(|_| s)) {
                    Ok(s) => {
                        let _ = ready_tx.send(Ok(()));
                        s
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let _ = stop_rx.recv();
                drop(stream);
            })
            .map_err(|e| stream_error(e.to_string()))?;
        match ready_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => return Err(stream_error(reason)),
            Err(_) => return Err(stream_error("the audio system did not answer".into())),
        }

        let final_path = path.to_path_buf();
        let partial = partial_path(path);
        if let Some(dir) = partial.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CaptureError::Write {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            })?;
        }
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: ANALYSIS_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let write_error = |path: &Path, e: hound::Error| CaptureError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let mut writer =
            hound::WavWriter::create(&partial, spec).map_err(|e| write_error(&partial, e))?;
        let writer_shared = shared.clone();
        let handle = std::thread::Builder::new()
            .name("rehearse-capture-writer".into())
            .spawn(move || {
                let mut resampler = (rate != ANALYSIS_RATE)
                    .then(|| {
                        Fft::<f32>::new(
                            rate as usize,
                            ANALYSIS_RATE as usize,
                            CHUNK,
                            1,
                            FixedSync::Input,
                        )
                    })
                    .transpose()
                    .map_err(|e| CaptureError::Write {
                        path: partial.clone(),
                        reason: e.to_string(),
                    })?;
                let mut pending: Vec<f32> = Vec::with_capacity(CHUNK * 4);
                let mut written: u64 = 0;
                let mut last_flush = Instant::now();
                let mut last_level = Instant::now();
                let (mut sum_sq, mut peak, mut count) = (0f64, 0f32, 0usize);
                let reason = loop {
                    let available = consumer.slots();
                    if available > 0 {
                        if let Ok(chunk) = consumer.read_chunk(available) {
                            pending.extend(chunk);
                        }
                    }
                    let mut out: Vec<f32> = Vec::new();
                    match resampler.as_mut() {
                        Some(r) => {
                            while pending.len() >= r.input_frames_next() {
                                let need = r.input_frames_next();
                                let input = InterleavedSlice::new(&pending[..need], 1, need)
                                    .expect("sizes match");
                                if let Ok(block) = r.process(&input, None) {
                                    out.extend(block.take_data());
                                }
                                pending.drain(..need);
                            }
                        }
                        None => out.append(&mut pending),
                    }
                    for &s in &out {
                        let clamped = s.clamp(-1.0, 1.0);
                        writer
                            .write_sample((clamped * i16::MAX as f32) as i16)
                            .map_err(|e| write_error(&partial, e))?;
                        sum_sq += (clamped as f64) * (clamped as f64);
                        peak = peak.max(clamped.abs());
                        count += 1;
                    }
                    written += out.len() as u64;
                    if !out.is_empty() {
                        tap(&out);
                    }
                    if last_flush.elapsed() >= FLUSH_EVERY {
                        // Updates the header's sizes, so a crash leaves a valid file.
                        writer.flush().map_err(|e| write_error(&partial, e))?;
                        last_flush = Instant::now();
                    }
                    if last_level.elapsed() >= LEVEL_EVERY && count > 0 {
                        let db = |v: f64| 20.0 * v.max(1e-9).log10();
                        on_level(Level {
                            elapsed_s: written as f64 / ANALYSIS_RATE as f64,
                            rms_db: db((sum_sq / count as f64).sqrt()),
                            peak_db: db(peak as f64),
                        });
                        (sum_sq, peak, count) = (0.0, 0.0, 0);
                        last_level = Instant::now();
                    }
                    if writer_shared.stop.load(Ordering::SeqCst) {
                        break StopReason::User;
                    }
                    match writer_shared.error.load(Ordering::SeqCst) {
                        ERR_DEVICE_LOST => break StopReason::DeviceLost,
                        ERR_OTHER => {
                            let said = writer_shared
                                .error_message
                                .get()
                                .cloned()
                                .unwrap_or_default();
                            break StopReason::Error(format!("the audio stream failed: {said}"));
                        }
                        _ => {}
                    }
                    let last = writer_shared.last_data_ms.load(Ordering::Relaxed);
                    let now = writer_shared.started.elapsed().as_millis() as u64;
                    let since = if last == 0 { now } else { now - last.min(now) };
                    if since > WATCHDOG.as_millis() as u64 + if last == 0 { 2000 } else { 0 } {
                        break StopReason::DeviceLost;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                };
                writer.finalize().map_err(|e| write_error(&partial, e))?;
                std::fs::rename(&partial, &final_path).map_err(|e| CaptureError::Write {
                    path: final_path.clone(),
                    reason: e.to_string(),
                })?;
                Ok(Recorded {
                    path: final_path,
                    duration_s: written as f64 / ANALYSIS_RATE as f64,
                    reason,
                })
            })
            .map_err(|e| stream_error(e.to_string()))?;
        Ok(Self {
            shared,
            writer: Some(handle),
            stream_stop: stop_tx,
        })
    }

    /// Whether the recording has ended by itself (device lost, error).
    pub fn has_ended(&self) -> bool {
        self.writer.as_ref().is_none_or(|w| w.is_finished())
    }

    /// Stops and returns the finished recording.
    pub fn stop(mut self) -> Result<Recorded, CaptureError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<Recorded, CaptureError> {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = self.stream_stop.send(());
        let handle = self.writer.take().expect("finished once");
        handle.join().unwrap_or_else(|_| {
            Err(CaptureError::Write {
                path: PathBuf::new(),
                reason: "the recording thread crashed".into(),
            })
        })
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.finish();
        }
    }
}

/// Mixes one callback's interleaved samples of any format into mono f32.
fn downmix(data: &cpal::Data, channels: usize, out: &mut Vec<f32>) {
    fn mix<T: Copy>(samples: &[T], channels: usize, to_f32: impl Fn(T) -> f32, out: &mut Vec<f32>) {
        let channels = channels.max(1);
        out.extend(
            samples
                .chunks_exact(channels)
                .map(|frame| frame.iter().map(|&s| to_f32(s)).sum::<f32>() / channels as f32),
        );
    }
    use cpal::SampleFormat as F;
    match data.sample_format() {
        F::F32 => mix(
            data.as_slice::<f32>().unwrap_or_default(),
            channels,
            |s| s,
            out,
        ),
        F::F64 => mix(
            data.as_slice::<f64>().unwrap_or_default(),
            channels,
            |s| s as f32,
            out,
        ),
        F::I16 => mix(
            data.as_slice::<i16>().unwrap_or_default(),
            channels,
            |s| s as f32 / 32_768.0,
            out,
        ),
        F::U16 => mix(
            data.as_slice::<u16>().unwrap_or_default(),
            channels,
            |s| (s as f32 - 32_768.0) / 32_768.0,
            out,
        ),
        F::I32 => mix(
            data.as_slice::<i32>().unwrap_or_default(),
            channels,
            |s| s as f32 / 2_147_483_648.0,
            out,
        ),
        F::U32 => mix(
            data.as_slice::<u32>().unwrap_or_default(),
            channels,
            |s| (s as f64 / 2_147_483_648.0 - 1.0) as f32,
            out,
        ),
        F::I8 => mix(
            data.as_slice::<i8>().unwrap_or_default(),
            channels,
            |s| s as f32 / 128.0,
            out,
        ),
        F::U8 => mix(
            data.as_slice::<u8>().unwrap_or_default(),
            channels,
            |s| (s as f32 - 128.0) / 128.0,
            out,
        ),
        _ => {}
    }
}

/// A recording left unfinished by a crash.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unfinished {
    /// The partial file.
    pub path: PathBuf,
    /// Audio it holds.
    pub duration_s: f64,
}

/// Recordings in `dir` that were still being written when the app stopped.
pub fn find_unfinished(dir: &Path) -> Vec<Unfinished> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut list: Vec<Unfinished> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(PARTIAL_SUFFIX))
        .map(|path| {
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            Unfinished {
                duration_s: bytes.saturating_sub(44) as f64 / (2.0 * ANALYSIS_RATE as f64),
                path,
            }
        })
        .collect();
    list.sort_by(|a, b| a.path.cmp(&b.path));
    list
}

/// Makes an unfinished recording a valid WAV holding every whole sample on
/// disk, and renames it to its final name; returns that path.
pub fn repair(partial: &Path) -> Result<PathBuf, CaptureError> {
    let error = |reason: String| CaptureError::Write {
        path: partial.to_path_buf(),
        reason,
    };
    let mut bytes = std::fs::read(partial).map_err(|e| error(e.to_string()))?;
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(error("not a WAV recording".into()));
    }
    // Walk the chunks to the data chunk; its size runs to the end of the file.
    let mut pos = 12;
    let data_start = loop {
        if pos + 8 > bytes.len() {
            return Err(error("the recording has no audio data".into()));
        }
        let id = &bytes[pos..pos + 4];
        let size =
            u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().expect("4 bytes")) as usize;
        if id == b"data" {
            break pos + 8;
        }
        pos += 8 + size + (size & 1);
    };
    let whole = (bytes.len() - data_start) / 2 * 2;
    bytes.truncate(data_start + whole);
    let riff_size = (bytes.len() - 8) as u32;
    bytes[4..8].copy_from_slice(&riff_size.to_le_bytes());
    bytes[data_start - 4..data_start].copy_from_slice(&(whole as u32).to_le_bytes());
    let name = partial.to_string_lossy();
    let final_path = PathBuf::from(format!("{}.wav", name.trim_end_matches(PARTIAL_SUFFIX)));
    std::fs::write(&final_path, &bytes).map_err(|e| error(e.to_string()))?;
    std::fs::remove_file(partial).map_err(|e| error(e.to_string()))?;
    Ok(final_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_devices_are_recognised() {
        assert!(is_pseudo("null"));
        assert!(is_pseudo("Null Output"));
        assert!(is_pseudo(
            "Discard all samples (playback) or generate zero samples (capture)"
        ));
        assert!(!is_pseudo("Monitor of Built-in Audio"));
    }

    #[test]
    fn partial_recordings_are_repaired_to_every_whole_sample() {
        let dir = std::env::temp_dir().join(format!("rehearse-repair-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let final_path = dir.join("answer.wav");
        let partial = partial_path(&final_path);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: ANALYSIS_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(&partial, spec).unwrap();
        for i in 0..16_000 {
            writer.write_sample((i % 100) as i16).unwrap();
        }
        writer.flush().unwrap();
        for i in 0..8_000 {
            writer.write_sample((i % 100) as i16).unwrap();
        }
        // A crash: the writer never finalises; its buffered bytes reach the
        // file but the header still says one second. Add half a sample too.
        std::mem::forget(writer);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&partial)
            .unwrap();
        std::io::Write::write_all(&mut f, &[7]).unwrap();
        drop(f);
        let found = find_unfinished(&dir);
        assert_eq!(found.len(), 1);
        let repaired = repair(&partial).unwrap();
        assert_eq!(repaired, final_path);
        let reader = hound::WavReader::open(&repaired).unwrap();
        assert!(reader.len() >= 16_000, "{}", reader.len());
        assert!(!partial.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
