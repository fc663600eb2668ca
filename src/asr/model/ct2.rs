//! Reader for CTranslate2 `model.bin` files (format version 6), the weights of
//! faster-whisper model folders.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use half::{bf16, f16};

/// Why a CTranslate2 model file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file ended before its declared contents.
    #[error("{path} is truncated: it ends inside {context}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What was being read when the bytes ran out.
        context: String,
    },
    /// The file is not a CTranslate2 model this reader understands.
    #[error("{path} is not a supported CTranslate2 model: {reason}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

/// Element type of a stored variable, as numbered by CTranslate2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2Dtype {
    /// 32-bit float.
    F32,
    /// 8-bit signed integer (quantized weights, scaled by a `*_scale` companion).
    I8,
    /// 16-bit signed integer.
    I16,
    /// 32-bit signed integer.
    I32,
    /// IEEE half float.
    F16,
    /// bfloat16.
    Bf16,
}

impl Ct2Dtype {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::Bf16,
            _ => return None,
        })
    }

    /// The code CTranslate2 writes for this type.
    pub fn code(self) -> u8 {
        match self {
            Self::F32 => 0,
            Self::I8 => 1,
            Self::I16 => 2,
            Self::I32 => 3,
            Self::F16 => 4,
            Self::Bf16 => 5,
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::Bf16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One named array of the model.
#[derive(Debug, Clone)]
pub struct Ct2Variable {
    /// Dimensions, outermost first (PyTorch order).
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: Ct2Dtype,
    /// Raw little-endian bytes.
    pub bytes: Vec<u8>,
}

impl Ct2Variable {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for a variable with no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as f32, whatever their stored type (integers are converted as is;
    /// quantized weights need [`Ct2Model::dequantized`]).
    pub fn to_f32(&self) -> Vec<f32> {
        let b = &self.bytes;
        match self.dtype {
            Ct2Dtype::F32 => b
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Ct2Dtype::F16 => b
                .chunks_exact(2)
                .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Ct2Dtype::Bf16 => b
                .chunks_exact(2)
                .map(|c| bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Ct2Dtype::I8 => b.iter().map(|&v| v as i8 as f32).collect(),
            Ct2Dtype::I16 => b
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32)
                .collect(),
            Ct2Dtype::I32 => b
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
        }
    }

    /// The single value of a scalar integer variable (e.g. `encoder/num_heads`).
    pub fn scalar_i64(&self) -> Option<i64> {
        if self.len() != 1 {
            return None;
        }
        Some(self.to_f32()[0] as i64)
    }
}

/// A parsed CTranslate2 model: its spec name and variables, aliases resolved.
#[derive(Debug, Clone)]
pub struct Ct2Model {
    /// The spec class name, e.g. `WhisperSpec`.
    pub spec: String,
    /// The spec revision.
    pub revision: u32,
    /// Variables by name; aliases appear under both names.
    pub variables: BTreeMap<String, Ct2Variable>,
}

/// The only format version this reader handles.
pub const SUPPORTED_VERSION: u32 = 6;

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, context: &str) -> Result<&'a [u8], Ct2Error> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(Ct2Error::Truncated {
                path: self.path.to_path_buf(),
                context: context.to_string(),
            });
        };
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn u8(&mut self, context: &str) -> Result<u8, Ct2Error> {
        Ok(self.take(1, context)?[0])
    }

    fn u16(&mut self, context: &str) -> Result<u16, Ct2Error> {
        let b = self.take(2, context)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, context: &str) -> Result<u32, Ct2Error> {
        let b = self.take(4, context)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, context: &str) -> Result<String, Ct2Error> {
        let len = self.u16(context)? as usize;
        let raw = self.take(len, context)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        Ok(String::from_utf8_lossy(raw).into_owned())
    }
}

impl Ct2Model {
    /// Reads and parses a `model.bin` file.
    pub fn read(path: &Path) -> Result<Self, Ct2Error> {
        let bytes = std::fs::read(path).map_err(|source| Ct2Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&bytes, path)
    }

    /// Parses the bytes of a `model.bin` file; `path` only names it in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Self, Ct2Error> {
        let unsupported = |reason: String| Ct2Error::Unsupported {
            path: path.to_path_buf(),
            reason,
        };
        let mut cur = Cursor {
            bytes,
            pos: 0,
            path,
        };
        let version = cur.u32("the header")?;
        if version != SUPPORTED_VERSION {
            return Err(unsupported(format!(
                "format version {version}, expected {SUPPORTED_VERSION}"
            )));
        }
        let spec = cur.string("the spec name")?;
        let revision = cur.u32("the header")?;
        let count = cur.u32("the header")?;
        let mut variables = BTreeMap::new();
        for index in 0..count {
            let context = format!("variable {index} of {count}");
            let name = cur.string(&context)?;
            let rank = cur.u8(&context)? as usize;
            let mut shape = Vec::with_capacity(rank);
            for _ in 0..rank {
                shape.push(cur.u32(&context)? as usize);
            }
            let code = cur.u8(&context)?;
            let dtype = Ct2Dtype::from_code(code)
                .ok_or_else(|| unsupported(format!("variable {name} has unknown type {code}")))?;
            let byte_count = cur.u32(&context)? as usize;
            let elements: usize = shape.iter().product();
            if elements * dtype.size() != byte_count {
                return Err(unsupported(format!(
                    "variable {name} declares {byte_count} bytes for shape {shape:?} of {dtype:?}"
                )));
            }
            let data = cur.take(byte_count, &format!("the data of {name}"))?;
            variables.insert(
                name,
                Ct2Variable {
                    shape,
                    dtype,
                    bytes: data.to_vec(),
                },
            );
        }
        // Older writers stop before the alias table; a missing table means no aliases.
        if cur.pos < bytes.len() {
            let aliases = cur.u32("the alias table")?;
            for _ in 0..aliases {
                let alias = cur.string("the alias table")?;
                let target = cur.string("the alias table")?;
                let variable = variables.get(&target).cloned().ok_or_else(|| {
                    unsupported(format!("alias {alias} points to missing {target}"))
                })?;
                variables.insert(alias, variable);
            }
        }
        Ok(Self {
            spec,
            revision,
            variables,
        })
    }

    /// The variable `name`, or an error naming it.
    pub fn get(&self, name: &str) -> Option<&Ct2Variable> {
        self.variables.get(name)
    }

    /// A weight as f32, undoing CTranslate2's int8/int16 quantization when the
    /// variable has a `<name>_scale` companion (one scale per output row).
    pub fn dequantized(&self, name: &str) -> Option<Vec<f32>> {
        let var = self.get(name)?;
        let mut values = var.to_f32();
        if matches!(var.dtype, Ct2Dtype::I8 | Ct2Dtype::I16) {
            let scale = self.get(&format!("{name}_scale"))?.to_f32();
            let rows = scale.len().max(1);
            let per_row = values.len() / rows;
            for (row, chunk) in values.chunks_mut(per_row).enumerate() {
                let s = scale[row.min(scale.len() - 1)];
                for v in chunk {
                    *v /= s;
                }
            }
        }
        Some(values)
    }
}

/// Serialises variables into the `model.bin` layout; used to build small
/// synthetic models for tests and by anyone needing a round trip.
pub fn write_ct2(spec: &str, revision: u32, variables: &[(&str, &Ct2Variable)]) -> Vec<u8> {
    fn put_string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&SUPPORTED_VERSION.to_le_bytes());
    put_string(&mut out, spec);
    out.extend_from_slice(&revision.to_le_bytes());
    out.extend_from_slice(&(variables.len() as u32).to_le_bytes());
    for (name, var) in variables {
        put_string(&mut out, name);
        out.push(var.shape.len() as u8);
        for &d in &var.shape {
            out.extend_from_slice(&(d as u32).to_le_bytes());
        }
        out.push(var.dtype.code());
        out.extend_from_slice(&(var.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&var.bytes);
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}
