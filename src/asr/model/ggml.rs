//! whisper.cpp's legacy ggml model file: writing one tensor at a time, and
//! checking an existing file's structure before whisper.cpp is asked to load it.

use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use half::f16;
use serde::Serialize;

/// `ggml` in ASCII, the first four bytes of every model file.
pub const GGML_MAGIC: u32 = 0x6767_6d6c;
/// whisper.cpp stores `ftype + QNT_VERSION * 1000` for quantized files.
const QNT_VERSION_FACTOR: i32 = 1000;
const GGML_QNT_VERSION: i32 = 2;

/// The model's dimensions, in the order whisper.cpp reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hparams {
    /// Vocabulary size including special tokens.
    pub n_vocab: i32,
    /// Encoder positions (1500 for 30 s).
    pub n_audio_ctx: i32,
    /// Encoder width.
    pub n_audio_state: i32,
    /// Encoder attention heads.
    pub n_audio_head: i32,
    /// Encoder layers.
    pub n_audio_layer: i32,
    /// Decoder positions.
    pub n_text_ctx: i32,
    /// Decoder width.
    pub n_text_state: i32,
    /// Decoder attention heads.
    pub n_text_head: i32,
    /// Decoder layers.
    pub n_text_layer: i32,
    /// Mel bands of the input.
    pub n_mels: i32,
    /// Weight type code as stored (see [`Quantization::ftype`]).
    pub ftype: i32,
}

impl Hparams {
    /// True for models trained on many languages (their vocabulary is one larger).
    pub fn is_multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }

    /// The conventional model name (`tiny.en`, `base`, `large-v3`…) from its size.
    pub fn size_name(&self) -> String {
        let size = match (self.n_audio_layer, self.n_audio_state) {
            (4, 384) => "tiny",
            (6, 512) => "base",
            (12, 768) => "small",
            (24, 1024) => "medium",
            (32, 1280) if self.n_mels == 128 => "large-v3",
            (32, 1280) => "large",
            _ => "custom",
        };
        if self.is_multilingual() {
            size.to_string()
        } else {
            format!("{size}.en")
        }
    }

    /// How many tensors whisper.cpp expects for these dimensions.
    pub fn expected_tensor_count(&self) -> usize {
        // Encoder: positions, two convs with biases, final norm; 15 per layer.
        // Decoder: positions, token embedding, final norm; 24 per layer.
        7 + 15 * self.n_audio_layer as usize + 4 + 24 * self.n_text_layer as usize
    }
}

/// How the importer stores the large weight matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantization {
    /// Half floats, as the original ggml conversions.
    F16,
    /// 8-bit blocks: as accurate as f16 for tiny.en and the fastest here.
    Q8_0,
    /// 5-bit blocks: smallest, slightly less accurate.
    Q5_0,
}

impl Quantization {
    /// The name used on the command line and in file names.
    pub fn label(self) -> &'static str {
        match self {
            Self::F16 => "f16",
            Self::Q8_0 => "q8_0",
            Self::Q5_0 => "q5_0",
        }
    }

    /// Parses `none`/`f16`, `q8_0` or `q5_0`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "none" | "f16" => Some(Self::F16),
            "q8_0" | "q8" => Some(Self::Q8_0),
            "q5_0" | "q5" => Some(Self::Q5_0),
            _ => None,
        }
    }

    /// The file-level type code whisper.cpp reads from the header.
    pub fn ftype(self) -> i32 {
        match self {
            Self::F16 => 1,
            Self::Q8_0 => 7 + GGML_QNT_VERSION * QNT_VERSION_FACTOR,
            Self::Q5_0 => 8 + GGML_QNT_VERSION * QNT_VERSION_FACTOR,
        }
    }

    /// The element type of the big 2-D weight matrices.
    pub fn matrix_type(self) -> TensorType {
        match self {
            Self::F16 => TensorType::F16,
            Self::Q8_0 => TensorType::Q8_0,
            Self::Q5_0 => TensorType::Q5_0,
        }
    }
}

/// A ggml element type, numbered as ggml numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    /// 32-bit float.
    F32,
    /// Half float.
    F16,
    /// 5-bit block quantization.
    Q5_0,
    /// 8-bit block quantization.
    Q8_0,
}

impl TensorType {
    /// ggml's numeric id.
    pub fn id(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q5_0 => 6,
            Self::Q8_0 => 8,
        }
    }

    fn from_id(id: i32) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::F16,
            6 => Self::Q5_0,
            8 => Self::Q8_0,
            _ => return None,
        })
    }

    /// Bytes taken by one row of `n_per_row` elements.
    pub fn row_bytes(self, n_per_row: usize) -> usize {
        match self {
            Self::F32 => 4 * n_per_row,
            Self::F16 => 2 * n_per_row,
            // Blocks of 32: an f16 scale plus packed values.
            Self::Q8_0 => n_per_row / 32 * 34,
            Self::Q5_0 => n_per_row / 32 * 22,
        }
    }

    /// Elements per quantization block (1 for plain floats).
    pub fn block_size(self) -> usize {
        match self {
            Self::F32 | Self::F16 => 1,
            Self::Q5_0 | Self::Q8_0 => 32,
        }
    }

    fn ggml_type(self) -> whisper_rs_sys::ggml_type {
        self.id() as whisper_rs_sys::ggml_type
    }
}

/// Encodes `values` (row-major, `n_per_row` wide) as `ty`.
pub fn encode_tensor(values: &[f32], n_per_row: usize, ty: TensorType) -> Vec<u8> {
    match ty {
        TensorType::F32 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        TensorType::F16 => values
            .iter()
            .flat_map(|v| f16::from_f32(*v).to_le_bytes())
            .collect(),
        TensorType::Q5_0 | TensorType::Q8_0 => {
            assert_eq!(n_per_row % ty.block_size(), 0, "row not a whole block");
            let rows = values.len() / n_per_row;
            let mut out = vec![0u8; ty.row_bytes(n_per_row) * rows];
            // SAFETY: `values` holds rows × n_per_row floats and `out` is sized by
            // the same row size ggml uses for this type; no importance matrix is
            // needed for these legacy types.
            let written = unsafe {
                whisper_rs_sys::ggml_quantize_chunk(
                    ty.ggml_type(),
                    values.as_ptr(),
                    out.as_mut_ptr().cast(),
                    0,
                    rows as i64,
                    n_per_row as i64,
                    std::ptr::null(),
                )
            };
            assert_eq!(written, out.len(), "ggml wrote an unexpected size");
            out
        }
    }
}

/// Streams a model file: header first, then tensors one by one.
pub struct GgmlWriter<W: Write> {
    out: W,
}

impl<W: Write> GgmlWriter<W> {
    /// Writes magic, hparams, the mel filterbank (`n_mels` rows of 201) and the
    /// ordinary tokens' bytes.
    pub fn new(
        mut out: W,
        hparams: &Hparams,
        mel_filters: &[f32],
        tokens: &[Vec<u8>],
    ) -> std::io::Result<Self> {
        let ints = [
            GGML_MAGIC as i32,
            hparams.n_vocab,
            hparams.n_audio_ctx,
            hparams.n_audio_state,
            hparams.n_audio_head,
            hparams.n_audio_layer,
            hparams.n_text_ctx,
            hparams.n_text_state,
            hparams.n_text_head,
            hparams.n_text_layer,
            hparams.n_mels,
            hparams.ftype,
        ];
        for v in ints {
            out.write_all(&v.to_le_bytes())?;
        }
        let n_fft = mel_filters.len() / hparams.n_mels.max(1) as usize;
        out.write_all(&hparams.n_mels.to_le_bytes())?;
        out.write_all(&(n_fft as i32).to_le_bytes())?;
        for v in mel_filters {
            out.write_all(&v.to_le_bytes())?;
        }
        out.write_all(&(tokens.len() as i32).to_le_bytes())?;
        for token in tokens {
            out.write_all(&(token.len() as u32).to_le_bytes())?;
            out.write_all(token)?;
        }
        Ok(Self { out })
    }

    /// Appends one tensor; `shape` is outermost-first (PyTorch order).
    pub fn tensor(
        &mut self,
        name: &str,
        shape: &[usize],
        values: &[f32],
        ty: TensorType,
    ) -> std::io::Result<()> {
        let n_per_row = *shape.last().expect("tensor has a shape");
        let data = encode_tensor(values, n_per_row, ty);
        for v in [shape.len() as i32, name.len() as i32, ty.id()] {
            self.out.write_all(&v.to_le_bytes())?;
        }
        for &d in shape.iter().rev() {
            self.out.write_all(&(d as i32).to_le_bytes())?;
        }
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(&data)
    }

    /// Flushes and returns the sink.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Why a file is not a usable whisper.cpp model.
#[derive(Debug, thiserror::Error)]
pub enum GgmlError {
    /// The file could not be opened or read.
    #[error("cannot read model {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The first bytes are not `ggml`.
    #[error("{path} is not a whisper.cpp ggml model (its first bytes are {found:#010x}, expected {GGML_MAGIC:#010x})")]
    WrongMagic {
        /// The file.
        path: PathBuf,
        /// What the file starts with.
        found: u32,
    },
    /// The file stops before its declared contents end.
    #[error("{path} is truncated ({size} bytes): it ends inside {context}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// What was being read.
        context: String,
    },
    /// The structure is inconsistent.
    #[error("{path} is corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// One tensor's entry in a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorEntry {
    /// whisper.cpp's tensor name.
    pub name: String,
    /// Dimensions, innermost first (ggml order).
    pub ne: Vec<usize>,
    /// Element type.
    pub ty: TensorType,
    /// Byte offset of the data in the file.
    pub offset: u64,
    /// Byte length of the data.
    pub bytes: u64,
}

/// What [`inspect`] learnt about a model file.
#[derive(Debug, Clone, Serialize)]
pub struct GgmlInfo {
    /// Dimensions and weight type.
    pub hparams: Hparams,
    /// Tensors found.
    pub tensor_count: usize,
    /// File size in bytes.
    pub size_bytes: u64,
}

/// Checks a model file's structure and lists its tensors.
pub fn tensor_table(path: &Path) -> Result<(GgmlInfo, Vec<TensorEntry>), GgmlError> {
    walk(path)
}

/// Walks a model file's headers and tensor table without loading the weights,
/// so a truncated or foreign file is reported instead of handed to whisper.cpp.
pub fn inspect(path: &Path) -> Result<GgmlInfo, GgmlError> {
    walk(path).map(|(info, _)| info)
}

fn walk(path: &Path) -> Result<(GgmlInfo, Vec<TensorEntry>), GgmlError> {
    let io = |source| GgmlError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut reader = BufReader::new(file);
    let truncated = |context: &str| GgmlError::Truncated {
        path: path.to_path_buf(),
        size,
        context: context.to_string(),
    };
    let corrupt = |reason: String| GgmlError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let read_i32 = |reader: &mut BufReader<File>, context: &str| {
        let mut b = [0u8; 4];
        reader.read_exact(&mut b).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                truncated(context)
            } else {
                io(e)
            }
        })?;
        Ok::<i32, GgmlError>(i32::from_le_bytes(b))
    };
    let magic = read_i32(&mut reader, "the header")? as u32;
    if magic != GGML_MAGIC {
        return Err(GgmlError::WrongMagic {
            path: path.to_path_buf(),
            found: magic,
        });
    }
    let mut h = [0i32; 11];
    for v in &mut h {
        *v = read_i32(&mut reader, "the header")?;
    }
    let hparams = Hparams {
        n_vocab: h[0],
        n_audio_ctx: h[1],
        n_audio_state: h[2],
        n_audio_head: h[3],
        n_audio_layer: h[4],
        n_text_ctx: h[5],
        n_text_state: h[6],
        n_text_head: h[7],
        n_text_layer: h[8],
        n_mels: h[9],
        ftype: h[10],
    };
    if h[..10].iter().any(|&v| v <= 0 || v > 1_000_000) {
        return Err(corrupt(format!("implausible dimensions {hparams:?}")));
    }
    let skip = |reader: &mut BufReader<File>, bytes: u64, context: &str| {
        let pos = reader.stream_position().map_err(io)?;
        if pos + bytes > size {
            return Err(truncated(context));
        }
        reader.seek_relative(bytes as i64).map_err(io)
    };
    let n_mel = read_i32(&mut reader, "the mel filterbank")?;
    let n_fft = read_i32(&mut reader, "the mel filterbank")?;
    if !(1..=512).contains(&n_mel) || !(1..=4096).contains(&n_fft) {
        return Err(corrupt(format!("mel filterbank of {n_mel}×{n_fft}")));
    }
    skip(
        &mut reader,
        4 * n_mel as u64 * n_fft as u64,
        "the mel filterbank",
    )?;
    let n_tokens = read_i32(&mut reader, "the vocabulary")?;
    if !(0..=hparams.n_vocab).contains(&n_tokens) {
        return Err(corrupt(format!(
            "{n_tokens} tokens for n_vocab {}",
            hparams.n_vocab
        )));
    }
    for _ in 0..n_tokens {
        let len = read_i32(&mut reader, "the vocabulary")?;
        if !(0..=1024).contains(&len) {
            return Err(corrupt(format!("a token of {len} bytes")));
        }
        skip(&mut reader, len as u64, "the vocabulary")?;
    }
    let mut tensors = Vec::new();
    loop {
        let pos = reader.stream_position().map_err(io)?;
        if pos == size {
            break;
        }
        let context = format!("tensor {}", tensors.len() + 1);
        let n_dims = read_i32(&mut reader, &context)?;
        let name_len = read_i32(&mut reader, &context)?;
        let type_id = read_i32(&mut reader, &context)?;
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_len) {
            return Err(corrupt(format!(
                "{context} has {n_dims} dims and a {name_len}-byte name"
            )));
        }
        let ty = TensorType::from_id(type_id)
            .ok_or_else(|| corrupt(format!("{context} has unsupported type {type_id}")))?;
        let mut ne = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            let d = read_i32(&mut reader, &context)?;
            if d <= 0 {
                return Err(corrupt(format!("{context} has dimension {d}")));
            }
            ne.push(d as u64);
        }
        let mut name = vec![0u8; name_len as usize];
        reader
            .read_exact(&mut name)
            .map_err(|_| truncated(&context))?;
        let name = String::from_utf8_lossy(&name).into_owned();
        let rows: u64 = ne[1..].iter().product();
        let bytes = ty.row_bytes(ne[0] as usize) as u64 * rows;
        let offset = reader.stream_position().map_err(io)?;
        skip(&mut reader, bytes, &format!("the data of {name}"))?;
        tensors.push(TensorEntry {
            name,
            ne: ne.iter().map(|&d| d as usize).collect(),
            ty,
            offset,
            bytes,
        });
    }
    let tensor_count = tensors.len();
    let expected = hparams.expected_tensor_count();
    if tensor_count != expected {
        return Err(GgmlError::Truncated {
            path: path.to_path_buf(),
            size,
            context: format!("the tensor table ({tensor_count} of {expected} tensors present)"),
        });
    }
    let info = GgmlInfo {
        hparams,
        tensor_count,
        size_bytes: size,
    };
    Ok((info, tensors))
}
