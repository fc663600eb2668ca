// Pace and length classification against a target band.

export type PaceClass = "slow" | "ok" | "fast" | "unknown";

/** Where a words-per-minute figure falls against the band `[low, high]` (inclusive). */
export function classifyPace(wpm: number | null | undefined, band: [number, number]): PaceClass {
  if (wpm == null || !Number.isFinite(wpm)) return "unknown";
  const [low, high] = band[0] <= band[1] ? band : [band[1], band[0]];
  if (wpm < low) return "slow";
  if (wpm > high) return "fast";
  return "ok";
}

export type LengthClass = "under" | "ok" | "over";

/** Elapsed speaking time against the card's target range `[min, max]` seconds. */
export function classifyLength(seconds: number, target: [number, number]): LengthClass {
  if (seconds < target[0]) return "under";
  if (seconds > target[1]) return "over";
  return "ok";
}

export const PACE_LABEL: Record<PaceClass, string> = {
  slow: "Slower than your band",
  ok: "Inside your band",
  fast: "Faster than your band",
  unknown: "Not measured",
};

/**
 * Splits a pace timeline into stretches by band, for shading the chart or
 * listing where the answer rushed or dragged.
 */
export function paceRuns(
  timeline: { t: number; wpm: number }[],
  band: [number, number],
): { start: number; end: number; cls: PaceClass }[] {
  const runs: { start: number; end: number; cls: PaceClass }[] = [];
  for (const p of timeline) {
    const cls = classifyPace(p.wpm, band);
    const last = runs[runs.length - 1];
    if (last && last.cls === cls) last.end = p.t;
    else runs.push({ start: p.t, end: p.t, cls });
  }
  return runs;
}
