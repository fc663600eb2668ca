// The live feedback shown while recording: the caption's tail and a gentle
// pace nudge, from the engine's `live-update` events.
import type { LiveUpdate } from "./types";

/** The caption split into committed text and the tentative words after it. */
export type CaptionParts = { committed: string; tentative: string; clipped: boolean };

/**
 * The last `maxChars` of the caption, cut at a word boundary, split where the
 * tentative words (which the next window may still revise) begin.
 */
export function captionTail(update: LiveUpdate, maxChars = 220): CaptionParts {
  const tentative = update.tentative
    .map((w) => w.text.trim())
    .filter(Boolean)
    .join(" ");
  const full = update.caption.trim();
  let committed = full;
  if (tentative && full.endsWith(tentative)) committed = full.slice(0, full.length - tentative.length).trimEnd();
  const room = Math.max(0, maxChars - tentative.length);
  let clipped = false;
  if (committed.length > room) {
    const cut = committed.slice(committed.length - room);
    const space = cut.indexOf(" ");
    committed = space >= 0 ? cut.slice(space + 1) : cut;
    clipped = true;
  }
  return { committed, tentative, clipped };
}

/** A short, kind nudge about pace, or null while the pace is fine or unknown. */
export function paceNudge(update: LiveUpdate): string | null {
  if (update.wpm == null) return null;
  if (update.pace === "rushing") return "A little fast: breathe, and let the key points land.";
  if (update.pace === "dragging") return "A little slow: keep the story moving.";
  return null;
}
