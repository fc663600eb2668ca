//! `rehearse model import`: a faster-whisper (CTranslate2) Whisper folder
//! converted into a whisper.cpp ggml model file.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ct2::{Ct2Error, Ct2Model};
use super::ggml::{GgmlWriter, Hparams, Quantization, TensorType};
use super::mel;
use super::vocab::{decode_vocabulary, VocabError};

/// Why a model folder could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A required file is absent from the folder.
    #[error("{dir} is not a faster-whisper model folder: {file} is missing")]
    MissingFile {
        /// The folder.
        dir: PathBuf,
        /// The missing file.
        file: &'static str,
    },
    /// The weights could not be parsed.
    #[error(transparent)]
    Ct2(#[from] Ct2Error),
    /// The vocabulary could not be decoded.
    #[error("{path}: {source}")]
    Vocab {
        /// The vocabulary file.
        path: PathBuf,
        /// What was wrong.
        source: VocabError,
    },
    /// The weights are not a Whisper model whisper.cpp can run.
    #[error("{dir} does not hold a Whisper model whisper.cpp can run: {reason}")]
    NotWhisper {
        /// The folder.
        dir: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Reading the folder or writing the output failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Facts about an imported model, saved beside it as `<file>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Conventional model name, e.g. `tiny.en`.
    pub model: String,
    /// Weight format of the matrices.
    pub quantization: String,
    /// The folder it was imported from.
    pub source: String,
    /// Cross-attention heads that align text to audio, `[layer, head]`, used
    /// for word timings.
    #[serde(default)]
    pub alignment_heads: Vec<[i32; 2]>,
}

/// The outcome of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Where the ggml file was written.
    pub path: PathBuf,
    /// Its dimensions.
    pub hparams: Hparams,
    /// Its sidecar metadata.
    pub meta: ModelMeta,
}

/// The metadata file that accompanies a model file.
pub fn meta_path(model_path: &Path) -> PathBuf {
    let mut name = model_path.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

/// Reads a model's sidecar metadata, if it has one.
pub fn read_meta(model_path: &Path) -> Option<ModelMeta> {
    let text = std::fs::read_to_string(meta_path(model_path)).ok()?;
    serde_json::from_str(&text).ok()
}

#[derive(Deserialize, Default)]
struct Ct2Config {
    #[serde(default)]
    alignment_heads: Vec<[i32; 2]>,
}

/// Reads `model.bin`, or the concatenation of `model.bin.part*` when a model was
/// shipped in pieces.
fn read_weights(dir: &Path) -> Result<Ct2Model, ImportError> {
    let whole = dir.join("model.bin");
    if whole.exists() {
        return Ok(Ct2Model::read(&whole)?);
    }
    let io = |path: &Path, source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("model.bin.part"))
        })
        .collect();
    if parts.is_empty() {
        return Err(ImportError::MissingFile {
            dir: dir.to_path_buf(),
            file: "model.bin",
        });
    }
    // part1, part2 … part10 must sort numerically, not as text.
    parts.sort_by_key(|p| {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let digits: String = name.chars().filter(|c| c.is_ascii_digit()).collect();
        (digits.parse::<u64>().unwrap_or(0), name)
    });
    let mut bytes = Vec::new();
    for part in &parts {
        bytes.extend(std::fs::read(part).map_err(|e| io(part, e))?);
    }
    Ok(Ct2Model::parse(&bytes, &dir.join("model.bin.part*"))?)
}

/// Reads the tokens from `vocabulary.txt` or the newer `vocabulary.json`.
fn read_tokens(dir: &Path) -> Result<Vec<Vec<u8>>, ImportError> {
    let txt = dir.join("vocabulary.txt");
    let json = dir.join("vocabulary.json");
    let (path, text) = if txt.exists() {
        let text = std::fs::read_to_string(&txt).map_err(|source| ImportError::Io {
            path: txt.clone(),
            source,
        })?;
        (txt, text)
    } else if json.exists() {
        let raw = std::fs::read_to_string(&json).map_err(|source| ImportError::Io {
            path: json.clone(),
            source,
        })?;
        let list: Vec<String> = serde_json::from_str(&raw).map_err(|e| ImportError::Io {
            path: json.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        (json, list.join("\n"))
    } else {
        return Err(ImportError::MissingFile {
            dir: dir.to_path_buf(),
            file: "vocabulary.txt",
        });
    };
    decode_vocabulary(&text).map_err(|source| ImportError::Vocab { path, source })
}

/// Where one whisper.cpp tensor comes from in the CTranslate2 weights.
struct Mapping {
    ggml: String,
    ct2: String,
    /// `(index, count)`: take the index-th of `count` equal row blocks, for the
    /// fused attention projections.
    split: Option<(usize, usize)>,
}

fn map(ggml: String, ct2: String) -> Mapping {
    Mapping {
        ggml,
        ct2,
        split: None,
    }
}

fn split(ggml: String, ct2: String, index: usize, count: usize) -> Mapping {
    Mapping {
        ggml,
        ct2,
        split: Some((index, count)),
    }
}

fn norm(out: &mut Vec<Mapping>, ggml: &str, ct2: &str) {
    out.push(map(format!("{ggml}.weight"), format!("{ct2}/gamma")));
    out.push(map(format!("{ggml}.bias"), format!("{ct2}/beta")));
}

fn linear(out: &mut Vec<Mapping>, ggml: &str, ct2: &str) {
    out.push(map(format!("{ggml}.weight"), format!("{ct2}/weight")));
    out.push(map(format!("{ggml}.bias"), format!("{ct2}/bias")));
}

/// Adds query/key/value from a fused projection of `parts` blocks starting at
/// block `first`; whisper.cpp has no key bias (CTranslate2 stores zeros there).
fn fused(
    out: &mut Vec<Mapping>,
    ggml: &str,
    ct2: &str,
    names: &[&str],
    first: usize,
    parts: usize,
) {
    for (i, name) in names.iter().enumerate() {
        let block = first + i;
        out.push(split(
            format!("{ggml}.{name}.weight"),
            format!("{ct2}/weight"),
            block,
            parts,
        ));
        if *name != "key" {
            out.push(split(
                format!("{ggml}.{name}.bias"),
                format!("{ct2}/bias"),
                block,
                parts,
            ));
        }
    }
}

/// Self-attention of one layer: its norm, fused Q/K/V and output projection.
fn self_attention(out: &mut Vec<Mapping>, ggml: &str, ct2: &str) {
    norm(
        out,
        &format!("{ggml}.attn_ln"),
        &format!("{ct2}/self_attention/layer_norm"),
    );
    fused(
        out,
        &format!("{ggml}.attn"),
        &format!("{ct2}/self_attention/linear_0"),
        &["query", "key", "value"],
        0,
        3,
    );
    linear(
        out,
        &format!("{ggml}.attn.out"),
        &format!("{ct2}/self_attention/linear_1"),
    );
}

fn ffn(out: &mut Vec<Mapping>, ggml: &str, ct2: &str) {
    norm(
        out,
        &format!("{ggml}.mlp_ln"),
        &format!("{ct2}/ffn/layer_norm"),
    );
    linear(
        out,
        &format!("{ggml}.mlp.0"),
        &format!("{ct2}/ffn/linear_0"),
    );
    linear(
        out,
        &format!("{ggml}.mlp.2"),
        &format!("{ct2}/ffn/linear_1"),
    );
}

fn tensor_plan(hparams: &Hparams) -> Vec<Mapping> {
    let mut out = vec![map(
        "encoder.positional_embedding".into(),
        "encoder/position_encodings/encodings".into(),
    )];
    linear(&mut out, "encoder.conv1", "encoder/conv1");
    linear(&mut out, "encoder.conv2", "encoder/conv2");
    norm(&mut out, "encoder.ln_post", "encoder/layer_norm");
    for i in 0..hparams.n_audio_layer {
        let (g, c) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
        self_attention(&mut out, &g, &c);
        ffn(&mut out, &g, &c);
    }
    out.push(map(
        "decoder.positional_embedding".into(),
        "decoder/position_encodings/encodings".into(),
    ));
    out.push(map(
        "decoder.token_embedding.weight".into(),
        "decoder/embeddings/weight".into(),
    ));
    norm(&mut out, "decoder.ln", "decoder/layer_norm");
    for i in 0..hparams.n_text_layer {
        let (g, c) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
        self_attention(&mut out, &g, &c);
        norm(
            &mut out,
            &format!("{g}.cross_attn_ln"),
            &format!("{c}/attention/layer_norm"),
        );
        linear(
            &mut out,
            &format!("{g}.cross_attn.query"),
            &format!("{c}/attention/linear_0"),
        );
        fused(
            &mut out,
            &format!("{g}.cross_attn"),
            &format!("{c}/attention/linear_1"),
            &["key", "value"],
            0,
            2,
        );
        linear(
            &mut out,
            &format!("{g}.cross_attn.out"),
            &format!("{c}/attention/linear_2"),
        );
        ffn(&mut out, &g, &c);
    }
    out
}

/// Tensors whisper.cpp keeps in f32 whatever the file's weight type.
fn always_f32(name: &str) -> bool {
    matches!(
        name,
        "encoder.conv1.bias"
            | "encoder.conv2.bias"
            | "encoder.positional_embedding"
            | "decoder.positional_embedding"
    )
}

/// The element type whisper.cpp expects for a tensor of this name and rank.
fn tensor_type(name: &str, rank: usize, quantization: Quantization) -> TensorType {
    if rank < 2 || always_f32(name) {
        TensorType::F32
    } else if rank == 2 {
        quantization.matrix_type()
    } else {
        // Convolution kernels stay in half precision even in quantized files.
        TensorType::F16
    }
}

fn count_layers(model: &Ct2Model, prefix: &str) -> i32 {
    let mut seen = std::collections::BTreeSet::new();
    for name in model.variables.keys() {
        if let Some(rest) = name.strip_prefix(prefix) {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() && rest[digits.len()..].starts_with('/') {
                seen.insert(digits);
            }
        }
    }
    seen.len() as i32
}

fn derive_hparams(
    model: &Ct2Model,
    dir: &Path,
    quantization: Quantization,
) -> Result<Hparams, ImportError> {
    let not_whisper = |reason: String| ImportError::NotWhisper {
        dir: dir.to_path_buf(),
        reason,
    };
    if model.spec != "WhisperSpec" {
        return Err(not_whisper(format!(
            "its spec is {}, not WhisperSpec",
            model.spec
        )));
    }
    let shape = |name: &str| {
        model
            .get(name)
            .map(|v| v.shape.clone())
            .ok_or_else(|| not_whisper(format!("{name} is missing")))
    };
    let embeddings = shape("decoder/embeddings/weight")?;
    let audio_pos = shape("encoder/position_encodings/encodings")?;
    let text_pos = shape("decoder/position_encodings/encodings")?;
    let conv1 = shape("encoder/conv1/weight")?;
    if embeddings.len() != 2 || audio_pos.len() != 2 || text_pos.len() != 2 || conv1.len() != 3 {
        return Err(not_whisper("unexpected tensor ranks".into()));
    }
    let heads = |name: &str, width: usize| {
        model
            .get(name)
            .and_then(|v| v.scalar_i64())
            .map(|h| h as i32)
            .unwrap_or((width / 64) as i32)
    };
    Ok(Hparams {
        n_vocab: embeddings[0] as i32,
        n_audio_ctx: audio_pos[0] as i32,
        n_audio_state: audio_pos[1] as i32,
        n_audio_head: heads("encoder/num_heads", audio_pos[1]),
        n_audio_layer: count_layers(model, "encoder/layer_"),
        n_text_ctx: text_pos[0] as i32,
        n_text_state: text_pos[1] as i32,
        n_text_head: heads("decoder/num_heads", text_pos[1]),
        n_text_layer: count_layers(model, "decoder/layer_"),
        n_mels: conv1[1] as i32,
        ftype: quantization.ftype(),
    })
}

/// The rows `split` selects from a tensor of `shape`, and the resulting shape.
fn take_block(
    values: Vec<f32>,
    shape: &[usize],
    split: Option<(usize, usize)>,
) -> (Vec<f32>, Vec<usize>) {
    let Some((index, count)) = split else {
        return (values, shape.to_vec());
    };
    let rows = shape[0] / count;
    let per_row: usize = shape[1..].iter().product();
    let start = index * rows * per_row;
    let block = values[start..start + rows * per_row].to_vec();
    let mut new_shape = shape.to_vec();
    new_shape[0] = rows;
    (block, new_shape)
}

/// Converts the model folder `dir` into `output`; writes to a temporary name and
/// renames at the end, so a failed import never leaves a half-written model.
pub fn import_ct2(
    dir: &Path,
    output: &Path,
    quantization: Quantization,
) -> Result<Imported, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    let config: Ct2Config = std::fs::read_to_string(dir.join("config.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let tokens = read_tokens(dir)?;
    // whisper.cpp aborts the process if these are missing when it decodes.
    for required in [&b" "[..], b" -", b" '"] {
        if !tokens.iter().any(|t| t == required) {
            return Err(ImportError::NotWhisper {
                dir: dir.to_path_buf(),
                reason: format!(
                    "its vocabulary lacks the token {:?}",
                    String::from_utf8_lossy(required)
                ),
            });
        }
    }
    let model = read_weights(dir)?;
    let hparams = derive_hparams(&model, dir, quantization)?;
    let filters = mel::filterbank(hparams.n_mels as usize);

    let partial = output.with_extension("partial");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let file = File::create(&partial).map_err(io(&partial))?;
    let result = (|| {
        let mut writer = GgmlWriter::new(BufWriter::new(file), &hparams, &filters, &tokens)
            .map_err(io(&partial))?;
        for m in tensor_plan(&hparams) {
            let var = model.get(&m.ct2).ok_or_else(|| ImportError::NotWhisper {
                dir: dir.to_path_buf(),
                reason: format!("{} is missing", m.ct2),
            })?;
            let values = model
                .dequantized(&m.ct2)
                .ok_or_else(|| ImportError::NotWhisper {
                    dir: dir.to_path_buf(),
                    reason: format!("{} is quantized without a scale", m.ct2),
                })?;
            let (values, mut shape) = take_block(values, &var.shape, m.split);
            if m.ggml.starts_with("encoder.conv") && m.ggml.ends_with(".bias") {
                // whisper.cpp adds conv biases as a (d, 1) column.
                shape.push(1);
            }
            let ty = tensor_type(&m.ggml, shape.len(), quantization);
            let n_per_row = *shape.last().unwrap_or(&1);
            if n_per_row % ty.block_size() != 0 {
                return Err(ImportError::NotWhisper {
                    dir: dir.to_path_buf(),
                    reason: format!(
                        "{} rows of {n_per_row} cannot be quantized to {}",
                        m.ggml,
                        quantization.label()
                    ),
                });
            }
            writer
                .tensor(&m.ggml, &shape, &values, ty)
                .map_err(io(&partial))?;
        }
        writer
            .finish()
            .map_err(io(&partial))?
            .into_inner()
            .map_err(|e| ImportError::Io {
                path: partial.clone(),
                source: e.into_error(),
            })?
            .sync_all()
            .map_err(io(&partial))
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, output).map_err(io(output))?;

    let meta = ModelMeta {
        model: hparams.size_name(),
        quantization: quantization.label().to_string(),
        source: dir.display().to_string(),
        alignment_heads: config.alignment_heads,
    };
    let meta_json = serde_json::to_string_pretty(&meta).expect("metadata serialises");
    std::fs::write(meta_path(output), meta_json).map_err(io(&meta_path(output)))?;
    Ok(Imported {
        path: output.to_path_buf(),
        hparams,
        meta,
    })
}

/// Imports `dir` into `models_dir` as `ggml-<model>-<format>.bin`, or as
/// `<name>.bin` when a name is given. The model's size is known only after
/// reading it, so it is written under a temporary name and renamed, with its
/// metadata, once complete.
pub fn import_into(
    dir: &Path,
    models_dir: &Path,
    quantization: Quantization,
    name: Option<&str>,
) -> Result<Imported, ImportError> {
    if let Some(name) = name.filter(|n| !n.is_empty()) {
        let file = if name.ends_with(".bin") {
            name.to_string()
        } else {
            format!("{name}.bin")
        };
        return import_ct2(dir, &models_dir.join(file), quantization);
    }
    let tmp = models_dir.join(format!("import-{}.bin", std::process::id()));
    let mut imported = import_ct2(dir, &tmp, quantization)?;
    let path = models_dir.join(format!(
        "ggml-{}-{}.bin",
        imported.meta.model,
        quantization.label()
    ));
    let rename = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|source| ImportError::Io {
            path: to.to_path_buf(),
            source,
        })
    };
    rename(&tmp, &path)?;
    rename(&meta_path(&tmp), &meta_path(&path))?;
    imported.path = path;
    Ok(imported)
}
