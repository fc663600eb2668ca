//! `rehearse`: the command-line face of the engine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Args, Parser, Subcommand};
use rehearse::analyze::{analyze_file, AnalyzeOptions};
use rehearse::asr::model::{self, fetch, store, Quantization};
use rehearse::asr::TranscribeOptions;
use rehearse::audio::capture;
use rehearse::critic::{critique_with_llm, Answer, CriticConfig};
use rehearse::live::{LiveOptions, LiveSession};
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
        /// Feed the file through the live path (as while recording) at
        /// real-time pace, press Stop at its end, and add the Stop-to-report
        /// timings.
        #[arg(long)]
        live: bool,
        /// With --live: feed this many times faster than real time (0: as
        /// fast as possible).
        #[arg(long, default_value_t = 1.0, hide = true, requires = "live")]
        speed: f64,
        /// With --live: run the whole session this many times in one process
        /// and print the memory in use after each (a leak check).
        #[arg(long, default_value_t = 1, hide = true, requires = "live")]
        cycles: usize,
        /// With --live: keep the live transcript instead of replacing it
        /// with a full pass over the whole recording after Stop (the app
        /// runs that pass in the background once the first report is shown).
        #[arg(long, requires = "live")]
        no_full_pass: bool,
        /// With --live: also write the first report (the live transcript's,
        /// before the full pass) to this file, as JSON.
        #[arg(long, hide = true, requires = "live")]
        first_report: Option<PathBuf>,
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
    /// Critique a typed or pasted answer against a question card (no audio).
    Critique {
        /// The question card, from a file (TOML or JSON).
        #[arg(long, conflicts_with = "question")]
        question_file: Option<PathBuf>,
        /// The question card, by id.
        #[arg(long)]
        question: Option<String>,
        /// The answer as text.
        #[arg(long)]
        text_file: PathBuf,
        /// Print the full critique as JSON.
        #[arg(long)]
        json: bool,
        /// Also ask the language model configured in critic.toml.
        #[arg(long)]
        llm: bool,
    },
    /// Browse, check and share question cards.
    #[command(subcommand)]
    Questions(QuestionsCommand),
    /// Record an answer from the microphone into a WAV file (Ctrl-C or --seconds stops).
    Record {
        /// Output WAV file (16 kHz mono).
        out: PathBuf,
        /// Input device name (see `rehearse devices`); the system default otherwise.
        #[arg(long)]
        device: Option<String>,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<f64>,
    },
    /// List microphones.
    Devices,
    /// Repair recordings left unfinished by a crash in FOLDER.
    Recover {
        /// Folder holding `*.partial.wav` files.
        folder: PathBuf,
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
enum QuestionsCommand {
    /// List the cards (bundled and your own).
    List {
        /// Only this category.
        #[arg(long)]
        category: Option<String>,
    },
    /// Show one card.
    Show {
        /// Card id.
        id: String,
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check card files; reports every problem with file and line.
    Validate {
        /// Card files or folders.
        paths: Vec<PathBuf>,
    },
    /// Copy card files (or a pack folder) into your questions folder.
    Import {
        /// Card files or folders.
        paths: Vec<PathBuf>,
    },
    /// Write cards to a folder as TOML, to share them.
    Export {
        /// Card ids.
        ids: Vec<String>,
        /// Destination folder.
        #[arg(long, default_value = ".")]
        to: PathBuf,
    },
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
    rehearse::memory::configure_allocator();
    rehearse::asr::log::to_stderr();
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
            live,
            speed,
            cycles,
            no_full_pass,
            first_report,
        } => {
            let card = load_card(question_file, question)?;
            let mut options = asr.options();
            options.question = card;
            let report = if live {
                let passes = LivePasses {
                    full_pass: !no_full_pass,
                    first_report,
                };
                analyze_live(&audio, &options, speed, cycles, &passes)?
            } else {
                analyze_file(&audio, &options).map_err(|e| e.to_string())?
            };
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
        Command::Critique {
            question_file,
            question,
            text_file,
            json,
            llm,
        } => {
            let card = load_card(question_file, question)?
                .ok_or("give --question ID or --question-file FILE")?;
            let text = std::fs::read_to_string(&text_file)
                .map_err(|e| format!("{}: {e}", text_file.display()))?;
            let mut config =
                CriticConfig::load(Some(&CriticConfig::user_path())).map_err(|e| e.to_string())?;
            if llm {
                config.llm.enabled = true;
            }
            let c = critique_with_llm(&card, &Answer::Text(text), None, &config);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&c).expect("critique serialises")
                );
                return Ok(());
            }
            let show = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into());
            println!("{}", c.question.title);
            println!(
                "Overall {}  content {}  structure {}",
                show(c.score.overall),
                show(c.score.content),
                show(c.score.structure)
            );
            println!("\nKey points:");
            for k in &c.key_points {
                println!("  [{}] {}", if k.covered { "x" } else { " " }, k.label);
                if let Some(e) = k.evidence.as_ref().filter(|_| k.covered) {
                    println!("        \"{e}\"");
                }
            }
            let mistakes: Vec<_> = c.mistakes.iter().filter(|m| m.present).collect();
            if !mistakes.is_empty() {
                println!("\nMistakes:");
                for m in mistakes {
                    println!("  - {}", m.label);
                }
            }
            println!("\nStrengths:");
            for f in &c.summary.strengths {
                println!("  + {}", f.message);
            }
            println!("To improve:");
            for f in &c.summary.improvements {
                println!("  - {}", f.message);
            }
            println!("\n{}", c.coach_note);
            for n in &c.notices {
                println!("Note: {n}");
            }
            Ok(())
        }
        Command::Questions(command) => run_questions(command),
        Command::Record {
            out,
            device,
            seconds,
        } => record(&out, device.as_deref(), seconds),
        Command::Devices => {
            let devices = capture::input_devices();
            if devices.is_empty() {
                return Err(capture::CaptureError::NoDevice.to_string());
            }
            for d in devices {
                println!("{} {}", if d.is_default { "*" } else { " " }, d.name);
            }
            Ok(())
        }
        Command::Recover { folder } => {
            for unfinished in capture::find_unfinished(&folder) {
                let path = capture::repair(&unfinished.path).map_err(|e| e.to_string())?;
                println!(
                    "recovered {} ({:.1} s)",
                    path.display(),
                    unfinished.duration_s
                );
            }
            Ok(())
        }
        Command::Model(command) => run_model(command),
    }
}

/// `path`'s 16 kHz mono samples in 20 ms blocks, as the recorder's writer
/// hands them on. A 16 kHz mono 16-bit WAV (what the recorder writes) is read
/// as it is fed, so that, as in the app, the session holds the only copy of
/// the answer (memory is part of what `--live` measures); other files are
/// decoded whole first.
fn live_blocks(path: &std::path::Path) -> Result<Box<dyn Iterator<Item = Vec<f32>>>, String> {
    const BLOCK: usize = 320;
    if let Ok(reader) = hound::WavReader::open(path) {
        let spec = reader.spec();
        // Anything odd (empty, truncated, other formats) goes through the
        // decoder and its errors.
        let data_bytes = u64::from(reader.duration()) * 2;
        let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        if data_bytes > 0
            && file_bytes >= data_bytes + 44
            && spec.channels == 1
            && spec.sample_rate == rehearse::audio::ANALYSIS_RATE
            && spec.bits_per_sample == 16
            && spec.sample_format == hound::SampleFormat::Int
        {
            let mut samples = reader.into_samples::<i16>().map_while(Result::ok);
            return Ok(Box::new(std::iter::from_fn(move || {
                let block: Vec<f32> = samples
                    .by_ref()
                    .take(BLOCK)
                    .map(|s| s as f32 / 32_768.0)
                    .collect();
                (!block.is_empty()).then_some(block)
            })));
        }
    }
    let audio = rehearse::audio::load_for_analysis(path).map_err(|e| e.to_string())?;
    let blocks: Vec<Vec<f32>> = audio.samples.chunks(BLOCK).map(<[f32]>::to_vec).collect();
    Ok(Box::new(blocks.into_iter()))
}

/// What `analyze --live` does after Stop.
struct LivePasses {
    /// Replace the live report with the full pass's, as the app does once
    /// the first report is shown.
    full_pass: bool,
    /// Where to write the first (live) report too.
    first_report: Option<PathBuf>,
}

/// Feeds `path` through a live session at `speed` times real time (0: as
/// fast as possible), presses Stop at the end, and returns the report (see
/// [`LivePasses`]); `cycles` > 1 repeats the session with the same model and
/// prints the resident memory after each to stderr.
fn analyze_live(
    path: &std::path::Path,
    options: &AnalyzeOptions,
    speed: f64,
    cycles: usize,
    passes: &LivePasses,
) -> Result<Report, String> {
    use std::time::{Duration, Instant};
    let started = Instant::now();
    // Opened once to fail early on a bad file; read again for each cycle.
    drop(live_blocks(path)?);
    let decode_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let (model_path, info) = model::resolve(options.model.as_deref()).map_err(|e| e.to_string())?;
    let transcriber = std::sync::Arc::new(
        rehearse::asr::Transcriber::load(&model_path, &info).map_err(|e| e.to_string())?,
    );
    let model_load_s = started.elapsed().as_secs_f64();
    let mut notices = Vec::new();
    let settings = rehearse::analyze::AnalysisSettings::load_user(&mut notices);
    let live_options = LiveOptions {
        transcribe: options.transcribe.clone(),
        question: options.question.clone(),
        settings,
        ..LiveOptions::default()
    };
    let mut last = None;
    for cycle in 1..=cycles.max(1) {
        let session = LiveSession::start(transcriber.clone(), live_options.clone(), |_| {})
            .map_err(|e| e.to_string())?;
        let feeder = session.feeder();
        let t0 = Instant::now();
        let due = |samples: usize| {
            t0 + Duration::from_secs_f64(samples as f64 / 16_000.0 / speed.max(1e-9))
        };
        let mut fed = 0;
        for block in live_blocks(path)? {
            if speed > 0.0 {
                std::thread::sleep(due(fed).saturating_duration_since(Instant::now()));
            }
            feeder.push(&block);
            fed += block.len();
        }
        if speed > 0.0 {
            // Stop is pressed when the last sample has been spoken.
            std::thread::sleep(due(fed).saturating_duration_since(Instant::now()));
        }
        let result = session.finish().map_err(|e| e.to_string())?;
        if let Some(first) = &passes.first_report {
            let json = serde_json::to_string_pretty(&result.report).expect("report serialises");
            std::fs::write(first, json)
                .map_err(|e| format!("cannot write {}: {e}", first.display()))?;
        }
        let report = if passes.full_pass {
            rehearse::live::full_pass(&transcriber, &result, &live_options, Default::default())
                .map_err(|e| e.to_string())?
        } else {
            result.report
        };
        if cycles > 1 {
            eprintln!(
                "cycle {cycle}: rss_mib {:.1} stop_to_report_s {:.3}",
                resident_mib().unwrap_or(f64::NAN),
                report.timing.stop_to_report_s.unwrap_or(f64::NAN)
            );
        }
        last = Some(report);
    }
    let mut report = last.expect("at least one cycle");
    report.notices.splice(0..0, notices);
    report.audio_path = Some(path.display().to_string());
    report.timing.decode_s = decode_s;
    report.timing.model_load_s = model_load_s;
    Ok(report)
}

/// This process's resident memory in MiB (Linux).
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The card named by `--question-file` or `--question`, if either was given.
fn load_card(
    question_file: Option<PathBuf>,
    question: Option<String>,
) -> Result<Option<Card>, String> {
    match (question_file, question) {
        (Some(path), _) => Card::load(&path).map(Some).map_err(|e| e.to_string()),
        (None, Some(id)) => {
            let bank = Bank::load_default();
            bank.get(&id).cloned().map(Some).ok_or_else(|| {
                format!(
                    "no question card with id {id:?} (bundled, or in {}); see `rehearse questions list`",
                    rehearse::questions::user_dir().display()
                )
            })
        }
        (None, None) => Ok(None),
    }
}

/// Card files under `paths` (files as given, folders' `.toml`/`.json` files).
fn card_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            found.retain(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"));
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
}

fn run_questions(command: QuestionsCommand) -> Result<(), String> {
    match command {
        QuestionsCommand::List { category } => {
            let bank = Bank::load_default();
            for e in &bank.errors {
                eprintln!("warning: {e}");
            }
            for card in bank
                .cards()
                .filter(|c| category.as_ref().is_none_or(|cat| &c.category == cat))
            {
                println!("{:<34} {:<20} {}", card.id, card.category, card.title);
            }
            Ok(())
        }
        QuestionsCommand::Show { id, json } => {
            let card = load_card(None, Some(id))?.expect("an id was given");
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&card).expect("card serialises")
                );
                return Ok(());
            }
            println!("{}\n\n{}\n", card.title, card.prompt);
            println!("Why it is asked: {}\n", card.why_asked);
            println!("How to answer:");
            for step in &card.how_to_answer {
                println!("  - {step}");
            }
            println!("\nKey points:");
            for p in &card.key_points {
                println!("  - {}", p.label);
            }
            println!("\nCommon mistakes:");
            for p in &card.mistakes {
                println!("  - {}", p.label);
            }
            if let Some(outline) = &card.sample_outline {
                println!("\nSample outline:\n{}", outline.trim_end());
            }
            println!(
                "\nTarget length: {}–{} s",
                card.target_seconds[0], card.target_seconds[1]
            );
            Ok(())
        }
        QuestionsCommand::Validate { paths } => {
            let files = card_files(&paths);
            let mut bad = 0;
            for file in &files {
                match Card::load(file) {
                    Ok(card) => println!("ok    {} ({})", file.display(), card.id),
                    Err(e) => {
                        bad += 1;
                        println!("error {e}");
                    }
                }
            }
            if bad > 0 {
                return Err(format!("{bad} of {} card files have problems", files.len()));
            }
            Ok(())
        }
        QuestionsCommand::Import { paths } => {
            let dir = rehearse::questions::user_dir();
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let mut problems = Vec::new();
            for file in card_files(&paths) {
                match Card::load(&file) {
                    Ok(card) => {
                        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("toml");
                        let dest = dir.join(format!("{}.{ext}", card.id));
                        std::fs::copy(&file, &dest)
                            .map_err(|e| format!("{}: {e}", dest.display()))?;
                        println!("imported {} → {}", card.id, dest.display());
                    }
                    Err(e) => problems.push(e.to_string()),
                }
            }
            if !problems.is_empty() {
                return Err(format!("not imported:\n  {}", problems.join("\n  ")));
            }
            Ok(())
        }
        QuestionsCommand::Export { ids, to } => {
            let bank = Bank::load_default();
            std::fs::create_dir_all(&to).map_err(|e| format!("{}: {e}", to.display()))?;
            for id in ids {
                let card = bank
                    .get(&id)
                    .ok_or_else(|| format!("no question card with id {id:?}"))?;
                let text = toml::to_string_pretty(card).map_err(|e| e.to_string())?;
                let dest = to.join(format!("{id}.toml"));
                std::fs::write(&dest, text).map_err(|e| format!("{}: {e}", dest.display()))?;
                println!("exported {}", dest.display());
            }
            Ok(())
        }
    }
}

fn record(out: &std::path::Path, device: Option<&str>, seconds: Option<f64>) -> Result<(), String> {
    let last_level = std::sync::Arc::new(std::sync::Mutex::new(None::<capture::Level>));
    let sink = last_level.clone();
    let recorder = capture::Recorder::start(device, out, move |level| {
        *sink.lock().expect("level lock") = Some(level);
    })
    .map_err(|e| e.to_string())?;
    eprintln!("recording to {} — press Ctrl-C to stop", out.display());
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = interrupted.clone();
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    while !interrupted.load(std::sync::atomic::Ordering::SeqCst)
        && !recorder.has_ended()
        && seconds.is_none_or(|s| started.elapsed().as_secs_f64() < s)
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let recorded = recorder.stop().map_err(|e| e.to_string())?;
    match recorded.reason {
        capture::StopReason::User => {
            println!(
                "recorded {:.1} s to {}",
                recorded.duration_s,
                recorded.path.display()
            );
            Ok(())
        }
        capture::StopReason::DeviceLost => Err(format!(
            "the microphone went away after {:.1} s; what was recorded is kept in {}",
            recorded.duration_s,
            recorded.path.display()
        )),
        capture::StopReason::Error(message) => Err(format!(
            "recording stopped after {:.1} s: {message}; what was recorded is kept in {}",
            recorded.duration_s,
            recorded.path.display()
        )),
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
            let started = std::time::Instant::now();
            let output = model::import::import_into(
                &dir,
                &store::models_dir(),
                quantization,
                name.as_deref(),
            )
            .map_err(|e| e.to_string())?
            .path;
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
                let what = format!(
                    "{} {}",
                    e.model.unwrap_or_default(),
                    e.quantization.unwrap_or_default()
                );
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
    if let Some(overall) = report.score.overall {
        let show = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into());
        println!(
            "Overall:  {overall:.0}/100 (content {}, structure {}, delivery {})",
            show(report.score.content),
            show(report.score.structure),
            show(report.score.delivery)
        );
    }
    if let Some(content) = &report.content {
        println!("Key points:");
        for k in &content.key_points {
            println!("  [{}] {}", if k.covered { "x" } else { " " }, k.label);
        }
        for m in content.mistakes.iter().filter(|m| m.present) {
            println!("  mistake: {}", m.label);
        }
    }
    if let Some(structure) = &report.structure {
        let star = &structure.star;
        let part = |name: &str, p: &rehearse::report::StarPart| {
            format!(
                "{name} {}",
                if p.present {
                    format!("{:.0}%", p.share * 100.0)
                } else {
                    "missing".into()
                }
            )
        };
        println!(
            "STAR:     {}, {}, {}, {}",
            part("situation", &star.situation),
            part("task", &star.task),
            part("action", &star.action),
            part("result", &star.result)
        );
    }
    for f in &report.summary.improvements {
        println!("To improve: {}", f.message);
    }
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
    if let Some(s) = report.timing.stop_to_report_s {
        let lag = report.timing.realtime_lag_s.unwrap_or(0.0);
        println!("Live:     report {s:.2} s after Stop; captions trailed the audio by {lag:.1} s at most");
    }
    if let Some(s) = report.timing.full_pass_s {
        let changed = report.timing.live.as_ref().and_then(|l| l.words_changed);
        println!(
            "          then a full pass over the whole recording ({s:.1} s) changed {} of its words",
            changed.unwrap_or(0)
        );
    }
    println!();
    println!("{}", report.transcript.text);
}
