// Aggregations for the Progress screen.
import type { AttemptSummary } from "./types";

/** Attempts oldest first. */
export function chronological(attempts: AttemptSummary[]): AttemptSummary[] {
  return [...attempts].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}

/** Monday 00:00 (local) of the week that contains `d`. */
export function weekStart(d: Date): Date {
  const s = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const day = (s.getDay() + 6) % 7;
  s.setDate(s.getDate() - day);
  return s;
}

/** Attempt counts for the last `weeks` weeks, oldest first, ending with this week. */
export function attemptsPerWeek(attempts: AttemptSummary[], weeks = 8, now = new Date()): { week: Date; count: number }[] {
  const thisWeek = weekStart(now);
  const out = Array.from({ length: weeks }, (_, i) => {
    const w = new Date(thisWeek);
    w.setDate(w.getDate() - 7 * (weeks - 1 - i));
    return { week: w, count: 0 };
  });
  for (const a of attempts) {
    const w = weekStart(new Date(a.createdAt)).getTime();
    const slot = out.find((o) => o.week.getTime() === w);
    if (slot) slot.count++;
  }
  return out;
}

export type CardStats = { cardId: string; attempts: number; best: number | null; last: string; latest: number | null };

export function perCard(attempts: AttemptSummary[]): CardStats[] {
  const map = new Map<string, CardStats>();
  for (const a of chronological(attempts)) {
    const s = map.get(a.cardId) ?? { cardId: a.cardId, attempts: 0, best: null, last: a.createdAt, latest: null };
    s.attempts++;
    const score = a.overall ?? null;
    if (score != null) s.best = s.best == null ? score : Math.max(s.best, score);
    s.last = a.createdAt;
    s.latest = a.overall ?? a.delivery;
    map.set(a.cardId, s);
  }
  return [...map.values()].sort((a, b) => b.last.localeCompare(a.last));
}
