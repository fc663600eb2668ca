//! `model fetch` against a local HTTP server standing in for the model host:
//! resume, checksum verification, cancellation, and the CLI's refusal of a
//! file that does not match the published hash.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rehearse::asr::model::fetch::{self, FetchError, KnownModel};

mod common;

/// Serves one file at `/ggml-<name>.bin` over plain HTTP/1.1, honouring
/// `Range: bytes=N-`, one connection per request.
struct Server {
    base_url: String,
    ranges_seen: Arc<Mutex<Vec<String>>>,
    requests: Arc<AtomicUsize>,
}

fn serve(body: Vec<u8>, name: &'static str, short_first_response: bool) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let ranges_seen = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(AtomicUsize::new(0));
    let (ranges, count) = (ranges_seen.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut range = None;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((key, value)) = line.split_once(':') {
                    if key.eq_ignore_ascii_case("range") {
                        range = Some(value.trim().to_string());
                    }
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string();
            if path != format!("/ggml-{name}.bin") {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            let from = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
                .unwrap_or(0);
            ranges
                .lock()
                .unwrap()
                .push(range.clone().unwrap_or_default());
            let tail = &body[from.min(body.len())..];
            let status = if range.is_some() {
                "206 Partial Content"
            } else {
                "200 OK"
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                tail.len()
            );
            let _ = stream.write_all(head.as_bytes());
            // The first response may promise everything but deliver half and
            // hang up, like a dropped connection.
            let sent = if short_first_response && n == 0 {
                &tail[..tail.len() / 2]
            } else {
                tail
            };
            let _ = stream.write_all(sent);
        }
    });
    Server {
        base_url,
        ranges_seen,
        requests,
    }
}

fn model_for(body: &[u8], name: &'static str) -> KnownModel {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), body).unwrap();
    let sha1: &'static str = Box::leak(fetch::sha1_file(tmp.path()).unwrap().into_boxed_str());
    KnownModel {
        name,
        sha1,
        approx_mb: 1,
    }
}

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

#[test]
fn real_urls_and_hashes_are_the_published_ones() {
    let tiny = fetch::known("tiny.en").unwrap();
    assert_eq!(
        fetch::url_for(fetch::DEFAULT_BASE_URL, tiny),
        "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-tiny.en.bin"
    );
    assert_eq!(tiny.sha1, "c78c86eb1a8faa21b369bcd33207cc90d64ae9df");
    assert_eq!(
        fetch::known("base.en").unwrap().sha1,
        "137c40403d78fd54d454da0f9bd998f78703390c"
    );
    assert_eq!(
        fetch::known("small.en").unwrap().sha1,
        "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022"
    );
    assert!(matches!(
        fetch::known("huge.xx"),
        Err(FetchError::Unknown(_))
    ));
}

#[test]
fn fetch_downloads_verifies_and_installs_a_model() {
    let tmp = tempfile::tempdir().unwrap();
    let body = std::fs::read(common::synthetic_ggml(tmp.path())).unwrap();
    let model = model_for(&body, "synthetic");
    let server = serve(body.clone(), "synthetic", false);
    let models = tmp.path().join("models");
    let mut last = (0, None);
    let path = fetch::fetch(
        &model,
        &models,
        &server.base_url,
        &no_cancel(),
        |done, total| last = (done, total),
    )
    .unwrap();
    assert_eq!(path, models.join("ggml-synthetic.bin"));
    assert_eq!(std::fs::read(&path).unwrap(), body);
    assert_eq!(last, (body.len() as u64, Some(body.len() as u64)));
    assert!(!models.join("ggml-synthetic.bin.download").exists());
}

#[test]
fn an_interrupted_download_resumes_with_a_range_request() {
    let tmp = tempfile::tempdir().unwrap();
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let model = model_for(&body, "resumable");
    let server = serve(body.clone(), "resumable", true);
    let url = fetch::url_for(&server.base_url, &model);
    let partial = tmp.path().join("ggml-resumable.bin.download");

    let first = fetch::download_verified(&url, &partial, model.sha1, &no_cancel(), |_, _| {});
    assert!(
        first.is_err(),
        "a short body is an error, not a finished file"
    );
    let kept = std::fs::metadata(&partial).unwrap().len();
    assert!(
        kept > 0 && kept < body.len() as u64,
        "partial bytes are kept: {kept}"
    );

    fetch::download_verified(&url, &partial, model.sha1, &no_cancel(), |_, _| {}).unwrap();
    assert_eq!(std::fs::read(&partial).unwrap(), body);
    assert_eq!(
        server.ranges_seen.lock().unwrap().last().unwrap(),
        &format!("bytes={kept}-")
    );
}

#[test]
fn a_corrupt_download_is_discarded() {
    let tmp = tempfile::tempdir().unwrap();
    let body = vec![42u8; 10_000];
    let server = serve(body, "corrupt", false);
    let model = KnownModel {
        name: "corrupt",
        sha1: "0000000000000000000000000000000000000000",
        approx_mb: 1,
    };
    let models = tmp.path().join("models");
    let err = fetch::fetch(&model, &models, &server.base_url, &no_cancel(), |_, _| {}).unwrap_err();
    assert!(matches!(err, FetchError::ChecksumMismatch { .. }), "{err}");
    assert_eq!(
        std::fs::read_dir(&models).unwrap().count(),
        0,
        "nothing is left behind"
    );
}

#[test]
fn cancelling_keeps_the_partial_file_and_missing_files_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let body = vec![1u8; 200_000];
    let model = model_for(&body, "cancel");
    let server = serve(body, "cancel", false);
    let cancel = AtomicBool::new(true);
    let err = fetch::fetch(&model, tmp.path(), &server.base_url, &cancel, |_, _| {}).unwrap_err();
    assert!(matches!(err, FetchError::Cancelled));
    assert!(tmp.path().join("ggml-cancel.bin.download").exists());
    assert!(!tmp.path().join("ggml-cancel.bin").exists());

    let missing = KnownModel {
        name: "absent",
        sha1: model.sha1,
        approx_mb: 1,
    };
    let err = fetch::fetch(
        &missing,
        tmp.path(),
        &server.base_url,
        &no_cancel(),
        |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert!(server.requests.load(Ordering::SeqCst) >= 2);
}

#[test]
fn cli_fetch_refuses_a_file_that_does_not_match_the_published_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve(b"not really a model".to_vec(), "tiny.en", false);
    let out = common::rehearse(tmp.path())
        .args(["model", "fetch", "tiny.en", "--base-url", &server.base_url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("SHA-1") && stderr.contains("c78c86eb1a8faa21b369bcd33207cc90d64ae9df"),
        "{stderr}"
    );
    let models = tmp.path().join("models");
    let leftovers: Vec<_> = std::fs::read_dir(&models)
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
