import { describe, expect, it } from "vitest";
import cards from "../fixtures/cards.json";
import { emptyCard, normaliseCard, slugify, splitList, validateCard } from "../../src/lib/cardForm";
import { attemptsPerWeek, chronological, perCard } from "../../src/lib/progress";
import { filterCards } from "../../src/lib/library";
import type { AttemptSummary, Card, CardSummary } from "../../src/lib/types";

describe("card validation", () => {
  it("accepts every real card", () => {
    for (const c of cards as unknown as Card[]) expect(validateCard(c)).toEqual({});
  });
  it("reports each problem on its field", () => {
    const c = emptyCard();
    c.id = "Bad Id";
    c.target_seconds = [120, 60];
    c.key_points = [
      { id: "same", label: "Covers it", cues: [] },
      { id: "", label: "word", cues: [] },
    ];
    c.mistakes = [{ id: "same", label: "Repeats an id", cues: [] }];
    const e = validateCard(c);
    expect(Object.keys(e).sort()).toEqual(
      ["id", "title", "prompt", "target_seconds", "key_points.1.id", "key_points.1.label", "mistakes.0.id"].sort(),
    );
    expect(e["mistakes.0.id"]).toMatch(/already used/);
  });
  it("needs a key point", () => {
    const c = { ...(cards[0] as unknown as Card), key_points: [] };
    expect(validateCard(c).key_points).toBeDefined();
  });
  it("slugs, splits and normalises", () => {
    expect(slugify("Tell me about yourself!")).toBe("tell-me-about-yourself");
    expect(slugify("  Résumé gaps  ")).toBe("resume-gaps");
    expect(splitList(" a, ,b ,c")).toEqual(["a", "b", "c"]);
    const n = normaliseCard({ ...emptyCard(), id: " x ", sample_outline: "  ", tags: [" t ", ""] });
    expect(n.id).toBe("x");
    expect(n.sample_outline).toBeNull();
    expect(n.tags).toEqual(["t"]);
  });
});

const att = (id: number, cardId: string, createdAt: string, overall: number | null): AttemptSummary => ({
  id,
  cardId,
  createdAt,
  durationS: 60,
  wpm: 140,
  fillersPerMinute: 2,
  overall,
  content: null,
  structure: null,
  delivery: 70,
});

describe("progress", () => {
  const list = [att(3, "a", "2025-11-20T10:00:00Z", 80), att(1, "a", "2025-11-01T10:00:00Z", 60), att(2, "b", "2025-11-10T10:00:00Z", null)];
  it("orders attempts oldest first", () => {
    expect(chronological(list).map((a) => a.id)).toEqual([1, 2, 3]);
  });
  it("summarises per card", () => {
    const s = perCard(list);
    expect(s.map((x) => [x.cardId, x.attempts, x.best, x.latest])).toEqual([
      ["a", 2, 80, 80],
      ["b", 1, null, 70],
    ]);
  });
  it("counts attempts per week", () => {
    const w = attemptsPerWeek(list, 4, new Date("2025-11-21T12:00:00Z"));
    expect(w).toHaveLength(4);
    expect(w.map((x) => x.count)).toEqual([1, 0, 1, 1]);
    expect(w[3].week.getDay()).toBe(1);
  });
});

describe("library filter", () => {
  const summaries: CardSummary[] = (cards as unknown as Card[]).map((c) => ({
    id: c.id,
    title: c.title,
    prompt: c.prompt,
    category: c.category,
    tags: c.tags,
    custom: false,
    attempts: 0,
    bestScore: null,
    lastAttemptAt: null,
  }));
  it("matches every word across title, prompt, tags and category", () => {
    expect(filterCards(summaries, "ship quality", "").map((c) => c.id)).toEqual(["ship-fast-vs-quality"]);
    expect(filterCards(summaries, "", "conflict").map((c) => c.id)).toEqual(["conflict-with-peer"]);
    expect(filterCards(summaries, "about you", "").map((c) => c.id)).toContain("tell-me-about-yourself");
    expect(filterCards(summaries, "zzz", "")).toEqual([]);
  });
});
