//! `rehearse`: the command-line face of the engine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Args, Parser, Subcommand};
use rehearse::analyze::{analyze_file, AnalyzeOptions};
use rehearse::asr::model::{self, fetch, store, Quantization};
use rehearse::asr::TranscribeOptions;
use rehearse::questions::{Bank, Card};
use rehearse::report::Report;

#[derive(Parser)]
#[command(
    name = "rehearse",
    version,
    about = "Practise spoken interview answers: transcription and critique, all on this machine."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Transcribe a recording and report on it.
    Analyze {
        /// Audio file (WAV, MP3, M4A, Ogg, FLAC).
        audio: PathBuf,
        /// The question card answered, from a file (TOML or JSON).
        #[arg(long, conflicts_with = "question")]
        question_file: Option<PathBuf>,
        /// The question card answered, by id (bundled or in your questions folder).
        #[arg(long)]
        question: Option<String>,
        #[command(flatten)]
        asr: AsrArgs,
        /// Print the JSON report instead of the readable one.
        #[arg(long)]
        json: bool,
    },
    /// Print the transcript of a recording.
    Transcribe {
        /// Audio file (WAV, MP3, M4A, Ogg, FLAC).
        audio: PathBuf,
        #[command(flatten)]
        asr: AsrArgs,
        /// Print words with times as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage Whisper models.
    #[command(subcommand)]
    Model(ModelCommand),
}

#[derive(Args)]
struct AsrArgs {
    /// Model file; defaults to $REHEARSE_MODEL, then the newest in the models folder.
    #[arg(long)]
    model: Option<PathBuf>,
    /// CPU threads for recognition.
    #[arg(long, default_value_t = 1, env = "REHEARSE_THREADS")]
    threads: usize,
    /// Text that primes the recogniser (names, jargon).
    #[arg(long)]
    prompt: Option<String>,
}

impl AsrArgs {
    fn options(&self) -> AnalyzeOptions {
        AnalyzeOptions {
            question: None,
            model: self.model.clone(),
            transcribe: TranscribeOptions {
                threads: self.threads,
                initial_prompt: self.prompt.clone(),
                ..TranscribeOptions::default()
            },
        }
    }
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Convert a faster-whisper (CTranslate2) model folder into a whisper.cpp model.
    Import {
        /// Folder holding model.bin (or model.bin.part*), config.json and vocabulary.txt.
        dir: PathBuf,
        /// Weight format: q8_0 (smaller and as accurate for tiny.en), q5_0, or none (f16).
        #[arg(long, default_value = "q8_0")]
        quantize: String,
        /// File name in the models folder (default: ggml-<model>-<format>.bin).
        #[arg(long)]
        name: Option<String>,
    },
    /// Download a published whisper.cpp model, verified by SHA-1.
    Fetch {
        /// tiny.en, base.en or small.en.
        name: String,
        /// Mirror to download from instead of the default host.
        #[arg(long, env = fetch::BASE_URL_ENV)]
        base_url: Option<String>,
    },
    /// List the models in the models folder.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Analyze {
            audio,
            question_file,
            question,
            asr,
            json,
        } => {
            let card = match (question_file, question) {
                (Some(path), _) => Some(Card::load(&path).map_err(|e| e.to_string())?),
                (None, Some(id)) => {
                    let bank = Bank::load_default();
                    Some(bank.get(&id).cloned().ok_or_else(|| {
                        format!(
                            "no question card with id {id:?} (bundled, or in {})",
                            rehearse::questions::user_dir().display()
                        )
                    })?)
                }
                (None, None) => None,
            };
            let mut options = asr.options();
            options.question = card;
            let report = analyze_file(&audio, &options).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("report serialises")
                );
            } else {
                print_report(&report);
            }
            Ok(())
        }
        Command::Transcribe { audio, asr, json } => {
            let report = analyze_file(&audio, &asr.options()).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report.transcript)
                        .expect("transcript serialises")
                );
            } else {
                println!("{}", report.transcript.text);
            }
            Ok(())
        }
        Command::Model(command) => run_model(command),
    }
}

fn run_model(command: ModelCommand) -> Result<(), String> {
    match command {
        ModelCommand::Import {
            dir,
            quantize,
            name,
        } => {
            let quantization = Quantization::parse(&quantize).ok_or_else(|| {
                format!("unknown --quantize {quantize:?}; use q8_0, q5_0 or none")
            })?;
            let models = store::models_dir();
            let probe_name = name.unwrap_or_default();
            let started = std::time::Instant::now();
            let output = if probe_name.is_empty() {
                // The model's size is known only after reading it; import under a
                // temporary name and rename once it is.
                let tmp = models.join(format!("import-{}.bin", std::process::id()));
                let imported =
                    model::import_ct2(&dir, &tmp, quantization).map_err(|e| e.to_string())?;
                let final_path = models.join(format!(
                    "ggml-{}-{}.bin",
                    imported.meta.model,
                    quantization.label()
                ));
                std::fs::rename(&tmp, &final_path).map_err(|e| e.to_string())?;
                std::fs::rename(
                    model::import::meta_path(&tmp),
                    model::import::meta_path(&final_path),
                )
                .map_err(|e| e.to_string())?;
                final_path
            } else {
                let file = if probe_name.ends_with(".bin") {
                    probe_name
                } else {
                    format!("{probe_name}.bin")
                };
                model::import_ct2(&dir, &models.join(file), quantization)
                    .map_err(|e| e.to_string())?
                    .path
            };
            let info = store::validate(&output).map_err(|e| e.to_string())?;
            println!(
                "imported {} ({} MB, {} tensors) in {:.1} s",
                output.display(),
                info.size_bytes / 1_000_000,
                info.tensor_count,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        ModelCommand::Fetch { name, base_url } => {
            let base = base_url.unwrap_or_else(fetch::base_url);
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_message(format!("ggml-{name}.bin"));
            let cancel = AtomicBool::new(false);
            let model = fetch::known(&name).map_err(|e| e.to_string())?;
            let result = fetch::fetch(
                model,
                &store::models_dir(),
                &base,
                &cancel,
                |done, total| {
                    if let Some(total) = total {
                        bar.set_length(total);
                    }
                    bar.set_position(done);
                },
            );
            bar.finish_and_clear();
            let path = result.map_err(|e| e.to_string())?;
            println!("fetched {}", path.display());
            Ok(())
        }
        ModelCommand::List { json } => {
            let entries = store::list(&store::models_dir());
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&entries).expect("list serialises")
                );
                return Ok(());
            }
            if entries.is_empty() {
                println!(
                    "no models in {}; {}",
                    store::models_dir().display(),
                    store::HOW_TO_GET_A_MODEL
                );
            }
            for e in entries {
                let marker = if e.is_default { "*" } else { " " };
                let what = e
                    .meta
                    .map(|m| format!("{} {}", m.model, m.quantization))
                    .unwrap_or_default();
                let problem = e
                    .problem
                    .map(|p| format!("  UNUSABLE: {p}"))
                    .unwrap_or_default();
                println!(
                    "{marker} {:<32} {:>6} MB  {what}{problem}",
                    e.name,
                    e.size_bytes / 1_000_000
                );
            }
            Ok(())
        }
    }
}

fn print_report(report: &Report) {
    let d = &report.delivery;
    if let Some(q) = &report.question {
        println!("Question: {}", q.title);
    }
    println!("Duration: {:.1} s", report.duration_s);
    if let Some(score) = d.score {
        println!("Delivery: {score:.0}/100");
        for part in &d.score_parts {
            println!("  {:<8} {:>3.0}  {}", part.name, part.score, part.detail);
        }
    }
    if let Some(wpm) = d.wpm {
        let articulation = d
            .articulation_wpm
            .map(|a| format!(" ({a:.0} without pauses)"))
            .unwrap_or_default();
        println!("Pace:     {wpm:.0} words per minute{articulation}");
    }
    println!("Fillers:  {}", d.fillers.count);
    println!(
        "Pauses:   {} of 0.5 s or more, {} long",
        d.pauses.len(),
        d.pauses.iter().filter(|p| p.long).count()
    );
    if !d.top_words.is_empty() {
        let top: Vec<String> = d
            .top_words
            .iter()
            .map(|w| format!("{} ({})", w.word, w.count))
            .collect();
        println!("Most used: {}", top.join(", "));
    }
    if !d.findings.is_empty() {
        println!();
        for finding in &d.findings {
            println!("- {}", finding.message);
        }
    }
    for notice in &report.notices {
        println!("Note:     {notice}");
    }
    println!();
    println!("{}", report.transcript.text);
}
