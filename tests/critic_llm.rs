//! The optional language-model critic against a local stand-in for an
//! OpenAI-compatible chat-completions API (a tiny HTTP/1.1 responder on
//! 127.0.0.1, one connection, stops by itself): a good answer is merged with
//! `source: llm`; a slow server, malformed JSON, unknown ids, an error status
//! and a refused connection all fall back to the rule result with a notice.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rehearse::critic::{critique, critique_with_llm, Answer, CriticConfig, Critique};
use rehearse::questions::{Bank, Card};
use rehearse::report::Source;

/// What the stand-in server does with the one request it accepts.
#[derive(Clone)]
enum Reply {
    /// 200 with this chat-completions body.
    Ok(String),
    /// Wait this long, then answer 200 with this body.
    Slow(Duration, String),
    /// This status with a short body.
    Status(u16),
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if data.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < header_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&data[header_end..]).to_string();
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

/// Serves one connection on 127.0.0.1; gives up after five seconds without one.
fn serve(reply: Reply) -> (String, JoinHandle<Option<Request>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(_) => return None,
            }
        };
        stream.set_nonblocking(false).ok()?;
        let request = read_request(&mut stream);
        let (status, body) = match &reply {
            Reply::Ok(body) => (200, body.clone()),
            Reply::Slow(wait, body) => {
                std::thread::sleep(*wait);
                (200, body.clone())
            }
            Reply::Status(code) => (*code, "{\"error\":\"overloaded\"}".to_string()),
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        // The client may have given up already (the slow case).
        let _ = stream.write_all(response.as_bytes());
        let _ = stream.flush();
        request
    });
    (format!("http://127.0.0.1:{port}/v1"), handle)
}

fn chat_body(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    })
    .to_string()
}

fn card() -> Card {
    let bank = Bank::load(std::path::Path::new("/nonexistent-rehearse-dir"));
    bank.get("ship-fast-vs-quality").unwrap().clone()
}

const ANSWER: &str = "Last spring I was the lead engineer on our checkout team and marketing wanted a new checkout in three weeks. \
I put the payment step behind a feature flag and wrote integration tests against the provider's sandbox. \
If the address service was slow, people could still type their address in by hand. \
We launched on time and conversion went up four percent.";

fn config(base_url: &str, timeout_s: f64, key_env: &str) -> CriticConfig {
    let mut config = CriticConfig::default();
    config.llm.enabled = true;
    config.llm.base_url = base_url.to_string();
    config.llm.model = "test-model".to_string();
    config.llm.timeout_s = timeout_s;
    config.llm.api_key_env = key_env.to_string();
    config
}

fn rules_only() -> Critique {
    critique(
        &card(),
        &Answer::Text(ANSWER.into()),
        &CriticConfig::default(),
    )
}

fn assert_rule_result_intact(c: &Critique) {
    let rules = rules_only();
    assert_eq!(c.content, rules.content);
    assert_eq!(c.score, rules.score);
    assert!(c.key_points.iter().all(|k| k.source == Source::Rules));
    assert!(
        c.notices
            .iter()
            .any(|n| n.contains("was not used") && n.contains("rule-based critique stands")),
        "{:?}",
        c.notices
    );
}

#[test]
fn a_good_answer_is_merged_with_source_llm() {
    let rules = rules_only();
    let graceful = rules
        .key_points
        .iter()
        .find(|k| k.id == "graceful-failure")
        .unwrap();
    assert!(
        !graceful.covered,
        "the rules should miss graceful-failure for this test to mean anything"
    );
    let content = serde_json::json!({
        "key_points": [
            {"id": "graceful-failure", "covered": true, "evidence": "If the address service was slow, people could still type their address in by hand."},
            {"id": "safety-nets", "covered": true, "evidence": "I put the payment step behind a feature flag and wrote integration tests against the provider's sandbox."},
            {"id": "risk-triage", "covered": true, "evidence": "We carefully ranked every change by blast radius."},
        ],
        "mistakes": [
            {"id": "absolutes", "present": false, "evidence": null},
        ],
    })
    .to_string();
    let (url, server) = serve(Reply::Ok(chat_body(&format!("```json\n{content}\n```"))));
    std::env::set_var("REHEARSE_TEST_LLM_KEY_GOOD", "secret-123");
    let config = config(&url, 10.0, "REHEARSE_TEST_LLM_KEY_GOOD");
    let c = critique_with_llm(&card(), &Answer::Text(ANSWER.into()), None, &config);
    let request = server.join().unwrap().expect("the server got a request");

    // A proper chat-completions request, with the key.
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.header("authorization"), Some("Bearer secret-123"));
    assert!(request
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["response_format"]["type"], "json_object");
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[1]["role"], "user");
    let user = messages[1]["content"].as_str().unwrap();
    assert!(
        user.contains("graceful-failure")
            && user.contains("no_metric")
            && user.contains("type their address")
    );

    // Merged: the missed point is added with source llm; a claim whose
    // evidence is not in the answer is ignored; the rule findings stay.
    let g = c
        .key_points
        .iter()
        .find(|k| k.id == "graceful-failure")
        .unwrap();
    assert!(g.covered);
    assert_eq!(g.source, Source::Llm);
    assert!(g.evidence.as_deref().unwrap().contains("by hand"));
    let r = c.key_points.iter().find(|k| k.id == "risk-triage").unwrap();
    assert!(!r.covered && r.source == Source::Rules);
    let s = c.key_points.iter().find(|k| k.id == "safety-nets").unwrap();
    assert!(s.covered && s.source == Source::Rules);
    assert!(c
        .content
        .key_points
        .iter()
        .any(|k| k.id == "graceful-failure" && k.covered));
    assert!(c.score.content.unwrap() > rules.score.content.unwrap());
    assert!(
        c.notices.iter().any(|n| n.contains("test-model")
            && n.contains("graceful-failure")
            && n.contains("risk-triage")),
        "{:?}",
        c.notices
    );
}

#[test]
fn a_slow_server_times_out_and_the_rule_result_stands() {
    let (url, server) = serve(Reply::Slow(Duration::from_millis(2500), chat_body("{}")));
    let config = config(&url, 0.4, "");
    let started = Instant::now();
    let c = critique_with_llm(&card(), &Answer::Text(ANSWER.into()), None, &config);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_rule_result_intact(&c);
    assert!(
        c.notices.iter().any(|n| n.contains("no answer within")),
        "{:?}",
        c.notices
    );
    let request = server.join().unwrap().expect("the server got a request");
    assert!(request.header("authorization").is_none());
}

#[test]
fn malformed_json_unknown_ids_and_error_statuses_fall_back() {
    let cases = [
        (
            Reply::Ok(chat_body("Sure! Here is my opinion: the answer is good.")),
            "not the JSON asked for",
        ),
        (
            Reply::Ok("this is not json".to_string()),
            "not the JSON asked for",
        ),
        (
            Reply::Ok(chat_body(
                r#"{"key_points": [{"id": "made-up-point", "covered": true, "evidence": null}], "mistakes": []}"#,
            )),
            "ids the card does not have",
        ),
        (Reply::Status(500), "answered 500"),
    ];
    for (reply, expected) in cases {
        let (url, server) = serve(reply);
        let c = critique_with_llm(
            &card(),
            &Answer::Text(ANSWER.into()),
            None,
            &config(&url, 5.0, ""),
        );
        assert_rule_result_intact(&c);
        assert!(
            c.notices.iter().any(|n| n.contains(expected)),
            "{expected}: {:?}",
            c.notices
        );
        server.join().unwrap();
    }
}

#[test]
fn a_refused_connection_falls_back() {
    // Bind, note the port, close: nothing listens there any more.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = critique_with_llm(
        &card(),
        &Answer::Text(ANSWER.into()),
        None,
        &config(&format!("http://127.0.0.1:{port}/v1"), 2.0, ""),
    );
    assert_rule_result_intact(&c);
    assert!(
        c.notices.iter().any(|n| n.contains("could not reach")),
        "{:?}",
        c.notices
    );
}

#[test]
fn a_missing_key_variable_falls_back_without_a_request() {
    let c = critique_with_llm(
        &card(),
        &Answer::Text(ANSWER.into()),
        None,
        &config(
            "http://127.0.0.1:9/v1",
            2.0,
            "REHEARSE_TEST_LLM_KEY_SURELY_UNSET",
        ),
    );
    assert_rule_result_intact(&c);
    assert!(c
        .notices
        .iter()
        .any(|n| n.contains("REHEARSE_TEST_LLM_KEY_SURELY_UNSET")));
}

#[test]
fn off_by_default() {
    let config = CriticConfig::default();
    assert!(!config.llm.enabled);
    let c = critique_with_llm(&card(), &Answer::Text(ANSWER.into()), None, &config);
    assert_eq!(c, rules_only());
}
