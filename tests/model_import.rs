//! The CTranslate2 → ggml converter on small synthetic Whisper models: tensor
//! mapping, splitting of fused projections, quantization, bad folders, and
//! whisper.cpp itself loading and running the result.

use std::path::Path;

use rehearse::asr::model::ct2::{Ct2Dtype, Ct2Variable};
use rehearse::asr::model::ggml::{self, TensorType};
use rehearse::asr::model::import::{import_ct2, ImportError};
use rehearse::asr::model::{store, Quantization};
use rehearse::asr::{TranscribeOptions, Transcriber};

mod common;
use common::*;

fn var<'a>(vars: &'a [(String, Ct2Variable)], name: &str) -> &'a Ct2Variable {
    &vars.iter().find(|(n, _)| n == name).unwrap().1
}

fn read_f16_tensor(path: &Path, entry: &ggml::TensorEntry) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap();
    let data = &bytes[entry.offset as usize..(entry.offset + entry.bytes) as usize];
    data.chunks_exact(2)
        .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
        .collect()
}

#[test]
fn f16_import_maps_every_tensor_and_splits_fused_projections() {
    let tmp = tempfile::tempdir().unwrap();
    let vars = synthetic_variables();
    let src = tmp.path().join("ct2");
    write_model_dir(&src, &vars);
    let out = tmp.path().join("models/ggml-test-f16.bin");
    let imported = import_ct2(&src, &out, Quantization::F16).unwrap();
    assert_eq!(imported.meta.alignment_heads, vec![[0, 0]]);
    assert!(!out.with_extension("partial").exists());

    let (info, table) = ggml::tensor_table(&out).unwrap();
    let h = info.hparams;
    assert_eq!(
        (
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer
        ),
        (N_VOCAB as i32, 1500, D as i32, 1, 1)
    );
    assert_eq!(
        (h.n_text_ctx, h.n_text_layer, h.n_mels, h.ftype),
        (448, 1, 80, 1)
    );
    assert_eq!(table.len(), 7 + 15 + 4 + 24);

    let find = |name: &str| {
        table
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert!(
        table.iter().all(|t| !t.name.ends_with("key.bias")),
        "whisper.cpp has no key bias"
    );
    assert_eq!(find("encoder.conv1.bias").ne, vec![1, D]);
    assert_eq!(find("encoder.conv1.bias").ty, TensorType::F32);
    assert_eq!(find("encoder.conv1.weight").ne, vec![3, 80, D]);
    assert_eq!(find("encoder.positional_embedding").ty, TensorType::F32);
    assert_eq!(find("decoder.token_embedding.weight").ne, vec![D, N_VOCAB]);
    assert_eq!(find("encoder.ln_post.weight").ty, TensorType::F32);

    // The key projection is the middle third of the fused Q/K/V matrix.
    let fused = var(&vars, "decoder/layer_0/self_attention/linear_0/weight").to_f32();
    let key = read_f16_tensor(&out, find("decoder.blocks.0.attn.key.weight"));
    assert_eq!(key, fused[D * D..2 * D * D].to_vec());
    // Cross-attention value is the second half of the fused K/V matrix.
    let kv = var(&vars, "decoder/layer_0/attention/linear_1/weight").to_f32();
    let value = read_f16_tensor(&out, find("decoder.blocks.0.cross_attn.value.weight"));
    assert_eq!(value, kv[D * D..].to_vec());
}

#[test]
fn quantized_import_loads_and_runs_in_whisper_cpp() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("ct2");
    write_model_dir(&src, &synthetic_variables());
    for quantization in [Quantization::Q8_0, Quantization::Q5_0] {
        let out = tmp
            .path()
            .join(format!("ggml-test-{}.bin", quantization.label()));
        import_ct2(&src, &out, quantization).unwrap();
        let (info, table) = ggml::tensor_table(&out).unwrap();
        assert_eq!(info.hparams.ftype, quantization.ftype());
        let ty = |name: &str| table.iter().find(|t| t.name == name).unwrap().ty;
        assert_eq!(
            ty("encoder.blocks.0.mlp.0.weight"),
            quantization.matrix_type()
        );
        assert_eq!(
            ty("decoder.token_embedding.weight"),
            quantization.matrix_type()
        );
        assert_eq!(ty("encoder.conv2.weight"), TensorType::F16);
        assert_eq!(ty("decoder.positional_embedding"), TensorType::F32);

        // whisper.cpp rejects any missing, extra or mistyped tensor at load time.
        let transcriber =
            Transcriber::load(&out, &info).expect("whisper.cpp loads the converted model");
        let silence = vec![0.0f32; 16_000];
        transcriber
            .transcribe(&silence, &TranscribeOptions::default())
            .expect("a random model still runs end to end");
    }
}

#[test]
fn split_model_parts_import_like_the_whole_file() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    write_model_dir(&whole, &synthetic_variables());
    let parts = tmp.path().join("parts");
    std::fs::create_dir_all(&parts).unwrap();
    let bin = std::fs::read(whole.join("model.bin")).unwrap();
    let third = bin.len() / 3;
    // Named so that a text sort would put part10 before part2.
    std::fs::write(parts.join("model.bin.part1"), &bin[..third]).unwrap();
    std::fs::write(parts.join("model.bin.part2"), &bin[third..2 * third]).unwrap();
    std::fs::write(parts.join("model.bin.part10"), &bin[2 * third..]).unwrap();
    for f in ["vocabulary.txt", "config.json"] {
        std::fs::copy(whole.join(f), parts.join(f)).unwrap();
    }
    let a = import_ct2(&whole, &tmp.path().join("a.bin"), Quantization::F16).unwrap();
    let b = import_ct2(&parts, &tmp.path().join("b.bin"), Quantization::F16).unwrap();
    assert_eq!(
        std::fs::read(a.path).unwrap(),
        std::fs::read(b.path).unwrap()
    );
}

#[test]
fn int8_weights_are_dequantized_with_their_row_scales() {
    let tmp = tempfile::tempdir().unwrap();
    let mut vars = synthetic_variables();
    let name = "encoder/layer_0/ffn/linear_0/weight";
    let (rows, cols) = (4 * D, D);
    let int8: Vec<i8> = (0..rows * cols)
        .map(|i| ((i % 255) as i32 - 127) as i8)
        .collect();
    let scales: Vec<f32> = (0..rows).map(|r| 100.0 + r as f32).collect();
    for (n, v) in vars.iter_mut() {
        if n == name {
            *v = Ct2Variable {
                shape: vec![rows, cols],
                dtype: Ct2Dtype::I8,
                bytes: int8.iter().map(|&x| x as u8).collect(),
            };
        }
    }
    vars.push((
        format!("{name}_scale"),
        Ct2Variable {
            shape: vec![rows],
            dtype: Ct2Dtype::F32,
            bytes: scales.iter().flat_map(|s| s.to_le_bytes()).collect(),
        },
    ));
    let src = tmp.path().join("ct2");
    write_model_dir(&src, &vars);
    let out = tmp.path().join("m.bin");
    import_ct2(&src, &out, Quantization::F16).unwrap();
    let (_, table) = ggml::tensor_table(&out).unwrap();
    let entry = table
        .iter()
        .find(|t| t.name == "encoder.blocks.0.mlp.0.weight")
        .unwrap();
    let got = read_f16_tensor(&out, entry);
    for (i, g) in got.iter().enumerate().step_by(97) {
        let expected = int8[i] as f32 / scales[i / cols];
        assert!(
            (g - expected).abs() < 1e-3,
            "element {i}: {g} vs {expected}"
        );
    }
}

#[test]
fn bad_model_folders_get_clear_errors_and_leave_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let vars = synthetic_variables();

    let no_vocab = tmp.path().join("no-vocab");
    write_model_dir(&no_vocab, &vars);
    std::fs::remove_file(no_vocab.join("vocabulary.txt")).unwrap();
    let err = import_ct2(&no_vocab, &tmp.path().join("x.bin"), Quantization::Q8_0).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::MissingFile {
                file: "vocabulary.txt",
                ..
            }
        ),
        "{err}"
    );

    let truncated = tmp.path().join("truncated");
    write_model_dir(&truncated, &vars);
    let bin = std::fs::read(truncated.join("model.bin")).unwrap();
    std::fs::write(truncated.join("model.bin"), &bin[..bin.len() / 2]).unwrap();
    let err = import_ct2(&truncated, &tmp.path().join("y.bin"), Quantization::Q8_0).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");

    let missing_tensor = tmp.path().join("missing-tensor");
    let fewer: Vec<_> = vars
        .iter()
        .filter(|(n, _)| !n.contains("attention/linear_2"))
        .cloned()
        .collect();
    write_model_dir(&missing_tensor, &fewer);
    let out = tmp.path().join("z.bin");
    let err = import_ct2(&missing_tensor, &out, Quantization::Q8_0).unwrap_err();
    assert!(err.to_string().contains("attention/linear_2"), "{err}");
    assert!(!out.exists() && !out.with_extension("partial").exists());

    let not_a_model = tmp.path().join("not-a-model");
    std::fs::create_dir_all(&not_a_model).unwrap();
    std::fs::write(not_a_model.join("model.bin"), b"hello").unwrap();
    std::fs::write(not_a_model.join("vocabulary.txt"), vocabulary()).unwrap();
    let err = import_ct2(&not_a_model, &tmp.path().join("w.bin"), Quantization::Q8_0).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a supported CTranslate2 model"),
        "{err}"
    );
}

#[test]
fn truncated_and_foreign_model_files_are_refused_before_loading() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("ct2");
    write_model_dir(&src, &synthetic_variables());
    let good = tmp.path().join("good.bin");
    import_ct2(&src, &good, Quantization::Q8_0).unwrap();
    let bytes = std::fs::read(&good).unwrap();

    let cut = tmp.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    let err = store::validate(&cut).unwrap_err().to_string();
    assert!(
        err.contains("truncated") && err.contains("model import"),
        "{err}"
    );

    // A file cut exactly at a tensor boundary is caught by the tensor count.
    let (_, table) = ggml::tensor_table(&good).unwrap();
    let last = table.last().unwrap();
    let header_len = 12 + 4 * last.ne.len() + last.name.len();
    let boundary = last.offset as usize - header_len;
    std::fs::write(&cut, &bytes[..boundary]).unwrap();
    let err = store::validate(&cut).unwrap_err().to_string();
    assert!(err.contains("tensors present"), "{err}");

    let foreign = tmp.path().join("foreign.bin");
    std::fs::write(&foreign, b"GGUF\x03\x00\x00\x00 more bytes here").unwrap();
    let err = store::validate(&foreign).unwrap_err().to_string();
    assert!(err.contains("not a whisper.cpp ggml model"), "{err}");

    let err = store::validate(&tmp.path().join("absent.bin"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not exist") && err.contains("model fetch"),
        "{err}"
    );
}
