//! The optional language-model critic (off by default): any OpenAI-compatible
//! chat-completions endpoint (Ollama's `http://127.0.0.1:11434/v1`, or a hosted
//! one with an API key read from an environment variable whose name is
//! configured) is asked which key points and mistakes the answer has, as JSON.
//!
//! The rule result is always computed first and stays: the model can only add
//! key points or mistakes the rules missed (marked `source: llm`), and only with
//! evidence that is really in the answer. A timeout, a refused connection, a
//! non-200 status, malformed JSON or unknown ids leave the rule result as it is
//! and add a notice.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::questions::Card;
use crate::report::Source;

use super::config::{CriticConfig, LlmConfig};
use super::generic;
use super::Critique;

/// Why the model's opinion could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The configured key variable is not set.
    #[error("the API key variable {0} is not set")]
    MissingKey(String),
    /// No answer within the timeout.
    #[error("no answer within {0:.0} s")]
    Timeout(f64),
    /// Could not connect or the transfer failed.
    #[error("could not reach {url}: {message}")]
    Connection {
        /// Endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an error status.
    #[error("the server answered {status}: {body}")]
    Status {
        /// HTTP status.
        status: u16,
        /// Start of the body.
        body: String,
    },
    /// The answer was not the JSON asked for.
    #[error("the answer was not the JSON asked for: {0}")]
    Malformed(String),
    /// The JSON named key points or mistakes the card does not have.
    #[error("the answer names ids the card does not have: {0}")]
    UnknownIds(String),
}

/// One key point as the model judged it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmKeyPoint {
    /// Key point id.
    pub id: String,
    /// Made or not.
    pub covered: bool,
    /// A quote from the answer.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// One mistake as the model judged it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmMistake {
    /// Mistake id.
    pub id: String,
    /// Present or not.
    pub present: bool,
    /// A quote from the answer.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// The model's content judgement.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct LlmContent {
    /// Key points.
    #[serde(default)]
    pub key_points: Vec<LlmKeyPoint>,
    /// Mistakes.
    #[serde(default)]
    pub mistakes: Vec<LlmMistake>,
}

/// The chat-completions request body for `card` and the answer's sentences.
pub fn request_body(card: &Card, answer: &str, config: &LlmConfig) -> serde_json::Value {
    let mut answer = answer.to_string();
    if answer.chars().count() > config.max_answer_chars {
        answer = answer.chars().take(config.max_answer_chars).collect();
    }
    let key_points: Vec<_> = card
        .key_points
        .iter()
        .map(|p| json!({"id": p.id, "label": p.label}))
        .collect();
    let mut mistakes: Vec<_> = card
        .mistakes
        .iter()
        .map(|p| json!({"id": p.id, "label": p.label}))
        .collect();
    for id in generic::IDS {
        mistakes.push(json!({"id": id, "label": generic::label(id)}));
    }
    let system = "You are a strict interview coach. You judge one spoken answer against a question card. \
        A key point counts only if the speaker makes it themselves (not someone else in the story, not \
        negated, not as a general belief). A mistake counts only if the answer really makes it. \
        Evidence must be an exact quote of one sentence of the answer. Reply with JSON only.";
    let user = format!(
        "Question: {prompt}\n\nKey points (judge every one):\n{kp}\n\nMistakes (judge every one):\n{mi}\n\n\
         Answer:\n\"\"\"\n{answer}\n\"\"\"\n\n\
         Reply with exactly this JSON shape, using only the ids above:\n\
         {{\"key_points\": [{{\"id\": \"...\", \"covered\": true, \"evidence\": \"quoted sentence or null\"}}], \
         \"mistakes\": [{{\"id\": \"...\", \"present\": false, \"evidence\": null}}]}}",
        prompt = card.prompt,
        kp = serde_json::to_string_pretty(&key_points).unwrap_or_default(),
        mi = serde_json::to_string_pretty(&mistakes).unwrap_or_default(),
    );
    json!({
        "model": config.model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        "temperature": 0,
        "stream": false,
        "response_format": {"type": "json_object"},
    })
}

/// Parses a chat-completions response body into the content judgement and
/// checks every id against the card.
pub fn parse_response(card: &Card, body: &str) -> Result<LlmContent, LlmError> {
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| LlmError::Malformed(format!("response body: {e}")))?;
    let content = value
        .pointer("/choices/0/message/content")
        .and_then(|c| c.as_str())
        .ok_or_else(|| LlmError::Malformed("no choices[0].message.content".into()))?;
    let text = strip_fences(content);
    let parsed: LlmContent =
        serde_json::from_str(text).map_err(|e| LlmError::Malformed(format!("content: {e}")))?;
    let kp_ids: HashSet<&str> = card.key_points.iter().map(|p| p.id.as_str()).collect();
    let mut mistake_ids: HashSet<&str> = card.mistakes.iter().map(|p| p.id.as_str()).collect();
    mistake_ids.extend(generic::IDS);
    let mut unknown: Vec<String> = parsed
        .key_points
        .iter()
        .filter(|k| !kp_ids.contains(k.id.as_str()))
        .map(|k| k.id.clone())
        .collect();
    unknown.extend(
        parsed
            .mistakes
            .iter()
            .filter(|m| !mistake_ids.contains(m.id.as_str()))
            .map(|m| m.id.clone()),
    );
    if !unknown.is_empty() {
        return Err(LlmError::UnknownIds(unknown.join(", ")));
    }
    if parsed.key_points.is_empty() && parsed.mistakes.is_empty() {
        return Err(LlmError::Malformed(
            "no key points or mistakes judged".into(),
        ));
    }
    Ok(parsed)
}

fn strip_fences(s: &str) -> &str {
    let t = s.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .unwrap_or(t);
    t.strip_suffix("```").unwrap_or(t).trim()
}

/// Asks the model; blocking, bounded by the configured timeout.
pub fn ask(card: &Card, answer: &str, config: &LlmConfig) -> Result<LlmContent, LlmError> {
    let key = if config.api_key_env.trim().is_empty() {
        None
    } else {
        Some(
            std::env::var(&config.api_key_env)
                .map_err(|_| LlmError::MissingKey(config.api_key_env.clone()))?,
        )
    };
    let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
    let timeout = config.timeout_s.max(0.1);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs_f64(timeout)))
        .http_status_as_error(false)
        .build()
        .into();
    let body = request_body(card, answer, config).to_string();
    let mut request = agent.post(&url).header("Content-Type", "application/json");
    if let Some(key) = &key {
        request = request.header("Authorization", &format!("Bearer {key}"));
    }
    let map_err = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => LlmError::Timeout(timeout),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            LlmError::Timeout(timeout)
        }
        other => LlmError::Connection {
            url: url.clone(),
            message: other.to_string(),
        },
    };
    let mut response = request.send(&body).map_err(map_err)?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().map_err(map_err)?;
    if status != 200 {
        return Err(LlmError::Status {
            status,
            body: text.chars().take(200).collect(),
        });
    }
    parse_response(card, &text)
}

/// Finds the answer sentence a quote comes from: the one sharing the most
/// words, if it shares at least half of the quote's words.
fn locate(quote: &str, critique: &Critique) -> Option<usize> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect()
    };
    let q = words(quote);
    if q.is_empty() {
        return None;
    }
    let mut best = None;
    let mut best_share = 0.0;
    for (i, s) in critique.sentences.iter().enumerate() {
        let sw: HashSet<String> = words(&s.text).into_iter().collect();
        let shared = q.iter().filter(|w| sw.contains(*w)).count() as f64 / q.len() as f64;
        if shared > best_share {
            best_share = shared;
            best = Some(i);
        }
    }
    best.filter(|_| best_share >= 0.5)
}

/// Merges the model's judgement into the rule critique: additions only, each
/// with evidence found in the answer, marked `source: llm`. Returns a notice.
pub fn merge(
    card: &Card,
    critique: &mut Critique,
    content: &LlmContent,
    model: &str,
    config: &CriticConfig,
) -> String {
    let mut added = Vec::new();
    let mut unplaced = Vec::new();
    let mut disagreed = Vec::new();
    for k in &content.key_points {
        let Some(detail) = critique.key_points.iter().position(|d| d.id == k.id) else {
            continue;
        };
        match (critique.key_points[detail].covered, k.covered) {
            (false, true) => match k.evidence.as_deref().and_then(|q| locate(q, critique)) {
                Some(si) => {
                    let s = critique.sentences[si].clone();
                    let d = &mut critique.key_points[detail];
                    d.covered = true;
                    d.source = Source::Llm;
                    d.evidence = Some(s.text);
                    d.at = s.start;
                    d.why = format!("the language model found it ({})", d.why);
                    added.push(k.id.clone());
                }
                None => unplaced.push(k.id.clone()),
            },
            (true, false) => {
                critique.key_points[detail]
                    .why
                    .push_str("; the language model disagrees");
                disagreed.push(k.id.clone());
            }
            _ => {}
        }
    }
    for m in &content.mistakes {
        let Some(detail) = critique.mistakes.iter().position(|d| d.id == m.id) else {
            continue;
        };
        match (critique.mistakes[detail].present, m.present) {
            (false, true) => {
                let located = m.evidence.as_deref().and_then(|q| locate(q, critique));
                // An absence (a generic one, or a card mistake without cues)
                // needs no quote; anything else does.
                let absence = m.evidence.is_none()
                    && (matches!(m.id.as_str(), "no_example" | "no_result" | "no_metric")
                        || card
                            .mistakes
                            .iter()
                            .any(|p| p.id == m.id && p.cues.is_empty()));
                if located.is_some() || absence {
                    let s = located.map(|si| critique.sentences[si].clone());
                    let d = &mut critique.mistakes[detail];
                    d.present = true;
                    d.source = Source::Llm;
                    d.evidence = s.as_ref().map(|s| s.text.clone());
                    d.at = s.and_then(|s| s.start);
                    d.why = "the language model found it".into();
                    added.push(m.id.clone());
                } else {
                    unplaced.push(m.id.clone());
                }
            }
            (true, false) => {
                critique.mistakes[detail]
                    .why
                    .push_str("; the language model disagrees");
                disagreed.push(m.id.clone());
            }
            _ => {}
        }
    }
    critique.finish(card, config);
    let mut notice = format!("The language model ({model}) was asked too");
    if added.is_empty() {
        notice.push_str(" and added nothing to the rule critic's findings");
    } else {
        notice.push_str(&format!(" and added: {}", added.join(", ")));
    }
    if !disagreed.is_empty() {
        notice.push_str(&format!(
            "; it disagrees on {} (the rule result is kept)",
            disagreed.join(", ")
        ));
    }
    if !unplaced.is_empty() {
        notice.push_str(&format!(
            "; ignored {} (its evidence is not in the answer)",
            unplaced.join(", ")
        ));
    }
    notice.push('.');
    notice
}

/// Asks the model about a rule critique and merges the answer, or leaves the
/// critique as it is with a notice saying why.
pub fn refine(card: &Card, critique: &mut Critique, llm: &LlmConfig, config: &CriticConfig) {
    let answer: String = critique
        .sentences
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match ask(card, &answer, llm) {
        Ok(content) => {
            let notice = merge(card, critique, &content, &llm.model, config);
            critique.notices.push(notice);
        }
        Err(e) => critique.notices.push(format!(
            "The language model critic was not used ({e}); the rule-based critique stands."
        )),
    }
}
