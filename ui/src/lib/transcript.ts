// Turns a report's transcript and delivery findings into tokens to render:
// words marked as fillers or hedges, pause markers between words, and fillers
// heard only in the audio ("acoustic") placed by time.
import type { Filler, FillerKind, Hedge, Pause, Report, Word } from "./types";

export type WordToken = {
  kind: "word";
  index: number;
  word: Word;
  filler: FillerKind | null;
  hedge: boolean;
};
export type PauseToken = { kind: "pause"; pause: Pause };
export type AcousticToken = { kind: "acoustic"; filler: Filler };
export type Token = WordToken | PauseToken | AcousticToken;

const EPS = 0.02;

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const aEnd = Math.max(a.end, a.start + EPS);
  const bEnd = Math.max(b.end, b.start + EPS);
  return a.start < bEnd - EPS / 2 && b.start < aEnd - EPS / 2;
}

/** Which kind of filler a word is, if any: the word's own flag or a transcript filler over it. */
export function fillerKindOf(word: Word, asrFillers: Filler[]): FillerKind | null {
  const hit = asrFillers.find((f) => overlaps(word, f));
  if (hit) return hit.kind;
  return word.filler ? "filled_pause" : null;
}

export function isHedge(word: Word, hedges: Hedge[]): boolean {
  return hedges.some((h) => overlaps(word, h));
}

export type MarkOptions = { pauses?: "all" | "long" | "none" };

/**
 * Tokens in time order. Pauses go between the words around them; acoustic
 * fillers go before the first word that starts after them.
 */
export function markTranscript(report: Report, options: MarkOptions = {}): Token[] {
  const words = report.transcript.words;
  const d = report.delivery;
  const fillers = d?.fillers?.items ?? [];
  const asr = fillers.filter((f) => f.source !== "acoustic");
  const acoustic = fillers.filter((f) => f.source === "acoustic");
  const hedges = d?.hedges ?? [];
  const which = options.pauses ?? "all";
  const pauses = which === "none" ? [] : (d?.pauses ?? []).filter((p) => which === "all" || p.long);

  const keyed: { key: number; order: number; token: Token }[] = [];
  words.forEach((word, index) => {
    keyed.push({
      key: word.start,
      order: 1,
      token: { kind: "word", index, word, filler: fillerKindOf(word, asr), hedge: isHedge(word, hedges) },
    });
  });
  for (const pause of pauses) keyed.push({ key: pause.start, order: 2, token: { kind: "pause", pause } });
  for (const filler of acoustic) keyed.push({ key: filler.start, order: 0, token: { kind: "acoustic", filler } });
  // Words first at equal keys except acoustic fillers, which precede the word
  // starting at the same instant; pauses start where the previous word ends.
  keyed.sort((a, b) => a.key - b.key || a.order - b.order);
  return keyed.map((k) => k.token);
}

/**
 * Index of the word being spoken at time `t` (binary search over word starts):
 * the last word that has started, or -1 before the first word and in gaps of
 * more than `gap` seconds after a word ends.
 */
export function wordIndexAt(words: Word[], t: number, gap = 0.3): number {
  let lo = 0;
  let hi = words.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid].start <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return -1;
  if (t > words[found].end + gap) return -1;
  return found;
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’']/g, "")
    .split(/[^\p{L}\p{N}%]+/u)
    .filter(Boolean);
}

/**
 * Where an evidence sentence was said: the start time of the best-matching run
 * of transcript words, or null when less than 60 % of its words match.
 */
export function locateEvidence(words: Word[], evidence: string | null | undefined): number | null {
  if (!evidence) return null;
  const want = tokens(evidence);
  if (!want.length || !words.length) return null;
  const have: { tok: string; word: number }[] = [];
  words.forEach((w, i) => tokens(w.text).forEach((tok) => have.push({ tok, word: i })));
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < have.length; i++) {
    let score = 0;
    for (let j = 0; j < want.length && i + j < have.length; j++) if (have[i + j].tok === want[j]) score++;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  if (best < 0 || bestScore < Math.max(1, want.length * 0.6)) return null;
  return words[have[best].word].start;
}

/**
 * How the transcript was made, for answers transcribed while recording:
 * live, or refined after Stop by a full pass over the whole recording.
 * `null` for an answer analysed after Stop in one pass.
 */
export function transcriptSource(report: Report): string | null {
  const t = report.timing;
  if (t.full_pass_s != null) {
    const changed = t.live?.words_changed ?? 0;
    const what = changed === 0 ? "which confirmed the live transcript" : `which changed ${changed} word${changed === 1 ? "" : "s"} of the live transcript`;
    return `Refined after Stop by a full pass over the whole recording, ${what}.`;
  }
  if (t.stop_to_report_s != null) return "Transcribed live while you spoke.";
  return null;
}
