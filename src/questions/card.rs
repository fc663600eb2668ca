//! A question card: the question, advice on answering it, and what the critic
//! listens for (key points and mistakes). Format: `docs/question-format.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Something a strong answer covers, or a mistake it makes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Id, unique within the card.
    pub id: String,
    /// A phrase that reads on its own; the critic can work from it alone.
    pub label: String,
    /// Phrases a speaker might say when making the point.
    #[serde(default)]
    pub cues: Vec<String>,
}

fn default_target() -> [u32; 2] {
    [60, 120]
}

/// One interview question with its coaching material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Kebab-case id.
    pub id: String,
    /// Short name for lists.
    pub title: String,
    /// The question as asked.
    pub prompt: String,
    /// Category slug.
    pub category: String,
    /// What the interviewer is probing.
    #[serde(default)]
    pub why_asked: String,
    /// Steps for structuring an answer.
    #[serde(default)]
    pub how_to_answer: Vec<String>,
    /// Sensible spoken length `[min, max]` in seconds.
    #[serde(default = "default_target")]
    pub target_seconds: [u32; 2],
    /// What a strong answer covers.
    pub key_points: Vec<Point>,
    /// Common mistakes.
    #[serde(default)]
    pub mistakes: Vec<Point>,
    /// An example outline.
    #[serde(default)]
    pub sample_outline: Option<String>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The category slugs a card may use.
pub const CATEGORIES: &[&str] = &[
    "judgement",
    "conflict",
    "failure",
    "leadership",
    "teamwork",
    "prioritisation",
    "ambiguity",
    "customer-focus",
    "growth",
    "influence",
    "technical-decisions",
    "about-you",
    "motivation",
];

/// Why a card could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct CardError {
    /// The card's file.
    pub path: PathBuf,
    /// The line at fault, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `needle` first appears in `text`, to point at a field.
fn line_of_field(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|offset| line_of(text, offset))
}

impl Card {
    /// Parses a card from TOML or JSON text (JSON when it starts with `{`);
    /// `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CardError> {
        let error = |line: Option<usize>, message: String| CardError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let is_json =
            path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
        let card: Card = if is_json {
            serde_json::from_str(text).map_err(|e| error(Some(e.line()), e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| {
                let line = e.span().map(|span| line_of(text, span.start));
                error(line, e.message().to_string())
            })?
        };
        card.check()
            .map_err(|(needle, message)| error(line_of_field(text, &needle), message))?;
        Ok(card)
    }

    /// The card as TOML, in the documented layout (top-level fields first,
    /// then key points and mistakes).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }

    /// Reads and parses a card file.
    pub fn load(path: &Path) -> Result<Self, CardError> {
        let text = std::fs::read_to_string(path).map_err(|e| CardError {
            path: path.to_path_buf(),
            line: None,
            message: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// Checks what the format cannot express; the error carries text to find
    /// the offending line by.
    fn check(&self) -> Result<(), (String, String)> {
        if !is_kebab(&self.id) {
            return Err((
                "id".into(),
                format!(
                    "id {:?} must be lowercase letters, digits and hyphens",
                    self.id
                ),
            ));
        }
        for (field, value) in [("title", &self.title), ("prompt", &self.prompt)] {
            if value.trim().is_empty() {
                return Err((field.into(), format!("{field} is empty")));
            }
        }
        if !CATEGORIES.contains(&self.category.as_str()) {
            return Err((
                "category".into(),
                format!(
                    "unknown category {:?}; use one of {}",
                    self.category,
                    CATEGORIES.join(", ")
                ),
            ));
        }
        let [min, max] = self.target_seconds;
        if min == 0 || min > max {
            return Err((
                "target_seconds".into(),
                format!("target_seconds [{min}, {max}] must be [min, max] with 0 < min <= max"),
            ));
        }
        if self.key_points.is_empty() {
            return Err((
                "key_points".into(),
                "a card needs at least one key point".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for point in self.key_points.iter().chain(&self.mistakes) {
            let needle = format!("\"{}\"", point.id);
            if !is_kebab(&point.id) {
                return Err((
                    needle,
                    format!(
                        "point id {:?} must be lowercase letters, digits and hyphens",
                        point.id
                    ),
                ));
            }
            if !seen.insert(point.id.as_str()) {
                return Err((needle, format!("point id {:?} is used twice", point.id)));
            }
            if point.label.trim().is_empty() {
                return Err((needle, format!("point {:?} has an empty label", point.id)));
            }
        }
        Ok(())
    }
}
