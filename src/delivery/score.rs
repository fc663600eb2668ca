//! The delivery score, its parts, and the findings shown to the user.

use std::collections::BTreeMap;

use super::config::DeliveryConfig;
use crate::report::{
    Delivery, FillerKind, Finding, LengthVerdict, PaceKind, PausePosition, ScorePart, Source,
};

/// `m:ss` for a time in seconds.
pub fn clock(t: f64) -> String {
    let t = t.max(0.0).round() as u64;
    format!("{}:{:02}", t / 60, t % 60)
}

fn linear(value: f64, good: f64, bad: f64) -> f64 {
    (100.0 * (bad - value) / (bad - good)).clamp(0.0, 100.0)
}

fn counted(names: impl Iterator<Item = String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for n in names {
        *counts.entry(n).or_default() += 1;
    }
    let mut list: Vec<(String, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list.iter()
        .map(|(n, c)| {
            if *c > 1 {
                format!("\"{n}\" ×{c}")
            } else {
                format!("\"{n}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills `score`, `score_parts` and `findings`.
pub fn fill(d: &mut Delivery, word_count: usize, config: &DeliveryConfig) {
    let band = config.pace.band_wpm;
    let weight = |name: &str| config.score.weights.get(name).copied().unwrap_or(0.0);
    let mut parts: Vec<ScorePart> = Vec::new();
    let mut findings: Vec<(f64, Finding)> = Vec::new();

    if let Some(wpm) = d.wpm {
        let off = if wpm > band[1] {
            wpm - band[1]
        } else if wpm < band[0] {
            band[0] - wpm
        } else {
            0.0
        };
        let score = linear(off, 0.0, 50.0);
        parts.push(ScorePart {
            name: "pace".into(),
            score,
            weight: weight("pace"),
            detail: format!("{wpm:.0} wpm against {:.0}–{:.0}", band[0], band[1]),
        });
        let mut message = if off > 0.0 {
            let side = if wpm > band[1] { "above" } else { "below" };
            format!(
                "Your pace was {wpm:.0} words per minute, {side} the {:.0}–{:.0} band.",
                band[0], band[1]
            )
        } else {
            format!(
                "Your pace of {wpm:.0} words per minute sat inside the {:.0}–{:.0} band.",
                band[0], band[1]
            )
        };
        let first_stretch = d.pace.stretches.first();
        for s in d.pace.stretches.iter().take(2) {
            let verb = if s.kind == PaceKind::Rushing {
                "rushed"
            } else {
                "dragged"
            };
            message.push_str(&format!(
                " You {verb} from {} to {} ({:.0} wpm).",
                clock(s.start),
                clock(s.end),
                s.wpm
            ));
        }
        findings.push((
            100.0 - score,
            Finding {
                message,
                at: first_stretch.map(|s| s.start),
                evidence: None,
            },
        ));
    }

    let share = d.fillers.share.unwrap_or(0.0);
    let filler_score = linear(share, 0.01, 0.10);
    parts.push(ScorePart {
        name: "fillers".into(),
        score: filler_score,
        weight: weight("fillers"),
        detail: format!(
            "{} fillers, {:.1} % of words",
            d.fillers.count,
            share * 100.0
        ),
    });
    if d.fillers.count > 0 {
        let items = &d.fillers.items;
        let names = counted(items.iter().map(|f| f.text.to_lowercase()));
        let per_minute = d
            .fillers
            .per_minute
            .map(|p| format!(", {p:.1} per minute"))
            .unwrap_or_default();
        let mut message = format!(
            "You used {} filler{} ({names}){per_minute}.",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        );
        let heard = items
            .iter()
            .filter(|f| f.source == Source::Acoustic)
            .count();
        if heard > 0 {
            let (verb, pronoun) = if heard == 1 {
                ("was", "it")
            } else {
                ("were", "them")
            };
            message.push_str(&format!(
                " {heard} {verb} heard only in the audio; the transcript dropped {pronoun}."
            ));
        }
        // Where they cluster: the 20 s window holding the most.
        if items.len() >= 3 {
            let (best_start, best) = items
                .iter()
                .map(|f| {
                    (
                        f.start,
                        items
                            .iter()
                            .filter(|g| g.start >= f.start && g.start < f.start + 20.0)
                            .count(),
                    )
                })
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
                .expect("non-empty");
            if best * 2 >= items.len() && best >= 3 {
                message.push_str(&format!(
                    " {best} of them came between {} and {}.",
                    clock(best_start),
                    clock(best_start + 20.0)
                ));
            }
        }
        if share > config.fillers.flag_share {
            message.push_str(&format!(
                " That is {:.1} % of your words; coaches flag more than {:.0} %.",
                share * 100.0,
                config.fillers.flag_share * 100.0
            ));
        }
        let filled = items
            .iter()
            .filter(|f| f.kind == FillerKind::FilledPause)
            .count();
        if filled > 0 && filled * 2 >= items.len() {
            message.push_str(" Try a silent pause where you would say \"um\".");
        }
        findings.push((
            100.0 - filler_score + 5.0,
            Finding {
                message,
                at: items.first().map(|f| f.start),
                evidence: None,
            },
        ));
    }

    let long: Vec<_> = d.pauses.iter().filter(|p| p.long).collect();
    let long_mid = long
        .iter()
        .filter(|p| p.position == PausePosition::MidSentence)
        .count();
    let pause_score =
        (100.0 - 20.0 * long_mid as f64 - 8.0 * (long.len() - long_mid) as f64).max(0.0);
    parts.push(ScorePart {
        name: "pauses".into(),
        score: pause_score,
        weight: weight("pauses"),
        detail: format!(
            "{} long pause{}, {long_mid} mid-sentence",
            long.len(),
            if long.len() == 1 { "" } else { "s" }
        ),
    });
    if !long.is_empty() {
        let list = long
            .iter()
            .take(3)
            .map(|p| {
                let place = if p.position == PausePosition::MidSentence {
                    "mid-sentence"
                } else {
                    "between sentences"
                };
                format!("{:.1} s at {} ({place})", p.duration, clock(p.start))
            })
            .collect::<Vec<_>>()
            .join("; ");
        findings.push((
            100.0 - pause_score,
            Finding {
                message: format!(
                    "{} long pause{}: {list}.",
                    long.len(),
                    if long.len() == 1 { "" } else { "s" }
                ),
                at: long.first().map(|p| p.start),
                evidence: None,
            },
        ));
    }

    let per_100 = if word_count > 0 {
        d.hedges.len() as f64 / word_count as f64 * 100.0
    } else {
        0.0
    };
    let hedge_score = linear(per_100, 1.0, 8.0);
    parts.push(ScorePart {
        name: "hedges".into(),
        score: hedge_score,
        weight: weight("hedges"),
        detail: format!("{} hedges, {per_100:.1} per 100 words", d.hedges.len()),
    });
    if d.hedges.len() >= 2 {
        findings.push((
            100.0 - hedge_score,
            Finding {
                message: format!(
                    "You hedged {} times ({}); state what you did and decided plainly.",
                    d.hedges.len(),
                    counted(d.hedges.iter().map(|h| h.text.clone()))
                ),
                at: d.hedges.first().map(|h| h.start),
                evidence: None,
            },
        ));
    }

    if let Some(len) = &d.length {
        let [min, max] = len.target_s;
        let score = match len.verdict {
            LengthVerdict::Ok => 100.0,
            LengthVerdict::Short => 100.0 * len.seconds / min,
            LengthVerdict::Long => 100.0 * max / len.seconds,
        };
        parts.push(ScorePart {
            name: "length".into(),
            score,
            weight: weight("length"),
            detail: format!("{:.0} s against {min:.0}–{max:.0} s", len.seconds),
        });
        if len.verdict != LengthVerdict::Ok {
            let what = if len.verdict == LengthVerdict::Short {
                "short"
            } else {
                "long"
            };
            findings.push((
                100.0 - score,
                Finding {
                    message: format!(
                        "Your answer ran {:.0} s, {what} of the {min:.0}–{max:.0} s target.",
                        len.seconds
                    ),
                    at: None,
                    evidence: None,
                },
            ));
        }
    }

    let v = &d.voice;
    if v.median_dbfs.is_some() {
        let mut voice_score: f64 = 100.0;
        let mut notes = Vec::new();
        if v.monotone {
            voice_score -= 35.0;
            notes.push(format!(
                "Your pitch barely moved ({:.1} semitones); vary it to stress the key facts.",
                v.pitch_spread_semitones.unwrap_or(0.0)
            ));
        }
        if v.too_quiet {
            voice_score -= 35.0;
            notes.push(format!(
                "You were quiet ({:.0} dBFS); move closer to the microphone or speak up.",
                v.median_dbfs.unwrap_or(0.0)
            ));
        }
        if v.clipping {
            voice_score -= 35.0;
            notes.push(format!(
                "The recording clipped in {:.0} % of speech; lower the input level.",
                v.clipping_share * 100.0
            ));
        }
        parts.push(ScorePart {
            name: "voice".into(),
            score: voice_score.max(0.0),
            weight: weight("voice"),
            detail: match v.pitch_spread_semitones {
                Some(s) => format!(
                    "pitch range {s:.1} semitones, level {:.0} dBFS",
                    v.median_dbfs.unwrap_or(0.0)
                ),
                None => format!("level {:.0} dBFS", v.median_dbfs.unwrap_or(0.0)),
            },
        });
        for n in notes {
            findings.push((
                35.0,
                Finding {
                    message: n,
                    at: None,
                    evidence: None,
                },
            ));
        }
    }

    if !d.repetitions.is_empty() {
        findings.push((
            10.0 + 5.0 * d.repetitions.len() as f64,
            Finding {
                message: format!(
                    "You repeated or restarted {} time{} ({}).",
                    d.repetitions.len(),
                    if d.repetitions.len() == 1 { "" } else { "s" },
                    counted(d.repetitions.iter().map(|r| r.text.clone()))
                ),
                at: d.repetitions.first().map(|r| r.start),
                evidence: None,
            },
        ));
    }

    let total_weight: f64 = parts.iter().map(|p| p.weight).sum();
    if total_weight > 0.0 {
        for p in &mut parts {
            p.weight /= total_weight;
        }
        d.score = Some(
            parts
                .iter()
                .map(|p| p.score * p.weight)
                .sum::<f64>()
                .round(),
        );
    }
    findings.sort_by(|a, b| b.0.total_cmp(&a.0));
    d.score_parts = parts;
    d.findings = findings.into_iter().map(|(_, f)| f).collect();
}
