// Library search and filtering.
import { categoryLabel, type CardSummary } from "./types";

/** Cards whose title, prompt, tags or category contain every word of the query. */
export function filterCards(cards: CardSummary[], query: string, category: string): CardSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return cards.filter((c) => {
    if (category && c.category !== category) return false;
    if (!words.length) return true;
    const hay = [c.title, c.prompt, c.category, categoryLabel(c.category), ...c.tags].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function categoryCounts(cards: CardSummary[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of cards) m.set(c.category, (m.get(c.category) ?? 0) + 1);
  return m;
}
