// Geometry of the STAR bar drawn along the answer's timeline.
import type { Star, StarKey } from "./types";

export const STAR_KEYS: StarKey[] = ["situation", "task", "action", "result"];
export const STAR_LABEL: Record<StarKey, string> = {
  situation: "Situation",
  task: "Task",
  action: "Action",
  result: "Result",
};

export type StarSegment = {
  key: StarKey;
  label: string;
  start: number;
  end: number;
  /** Percent of the timeline's width. */
  left: number;
  width: number;
  /** Share of the answer's words, 0–1. */
  share: number;
};

export type StarGeometry = { segments: StarSegment[]; missing: StarKey[]; unplaced: StarKey[] };

/**
 * Places each present STAR part on a timeline of `duration` seconds: a part
 * runs from its start to the next part's start (in time order), the last one
 * to `end` (the end of speech when known, else the recording). Parts that are
 * missing are listed in `missing`; present parts without a start time in
 * `unplaced`.
 */
export function starGeometry(star: Star, duration: number, end: number = duration): StarGeometry {
  const missing: StarKey[] = [];
  const unplaced: StarKey[] = [];
  const placed: { key: StarKey; start: number; share: number }[] = [];
  for (const key of STAR_KEYS) {
    const part = star[key];
    if (!part || !part.present) missing.push(key);
    else if (part.start == null || !Number.isFinite(part.start)) unplaced.push(key);
    else placed.push({ key, start: part.start, share: part.share });
  }
  placed.sort((a, b) => a.start - b.start || STAR_KEYS.indexOf(a.key) - STAR_KEYS.indexOf(b.key));
  const total = duration > 0 ? duration : 1;
  const stop = Math.min(Math.max(end, 0), total);
  const clampPct = (v: number) => Math.min(100, Math.max(0, v));
  const segments = placed.map((p, i) => {
    const start = Math.min(Math.max(p.start, 0), total);
    const next = i + 1 < placed.length ? placed[i + 1].start : Math.max(stop, start);
    const segEnd = Math.min(Math.max(next, start), total);
    return {
      key: p.key,
      label: STAR_LABEL[p.key],
      start,
      end: segEnd,
      left: clampPct((start / total) * 100),
      width: clampPct(((segEnd - start) / total) * 100),
      share: p.share,
    };
  });
  return { segments, missing, unplaced };
}
