import { describe, expect, it } from "vitest";
import { captionTail, paceNudge } from "../../src/lib/live";
import type { LiveUpdate, Word } from "../../src/lib/types";

const word = (text: string, start: number): Word => ({ text, start, end: start + 0.3, confidence: 0.9, filler: false });

function update(over: Partial<LiveUpdate>): LiveUpdate {
  return {
    elapsedS: 12,
    transcribedS: 11,
    lagS: 1,
    caption: "",
    committedCount: 0,
    newCommitted: [],
    tentative: [],
    fillers: 0,
    wpm: null,
    bandWpm: [130, 170],
    pace: null,
    degraded: false,
    ...over,
  };
}

describe("captionTail", () => {
  it("separates the tentative words from the committed text", () => {
    const parts = captionTail(
      update({ caption: "I led the migration and we shipped it", tentative: [word(" shipped", 3), word(" it", 3.4)] }),
    );
    expect(parts).toEqual({ committed: "I led the migration and we", tentative: "shipped it", clipped: false });
  });

  it("keeps only the tail of a long caption, cut at a word", () => {
    const caption = Array.from({ length: 80 }, (_, i) => `word${i}`).join(" ");
    const parts = captionTail(update({ caption }), 60);
    expect(parts.clipped).toBe(true);
    expect(parts.committed.length).toBeLessThanOrEqual(60);
    expect(parts.committed.startsWith("word")).toBe(true);
    expect(parts.committed.endsWith("word79")).toBe(true);
  });

  it("treats everything as committed when the tentative words are not at the end", () => {
    const parts = captionTail(update({ caption: "so we rolled back", tentative: [word("rolled", 1)] }));
    expect(parts.committed).toBe("so we rolled back");
  });
});

describe("paceNudge", () => {
  it("says nothing until there is a pace, or while inside the band", () => {
    expect(paceNudge(update({ wpm: null, pace: "rushing" }))).toBeNull();
    expect(paceNudge(update({ wpm: 150, pace: null }))).toBeNull();
  });
  it("nudges when rushing or dragging", () => {
    expect(paceNudge(update({ wpm: 200, pace: "rushing" }))).toMatch(/fast/);
    expect(paceNudge(update({ wpm: 90, pace: "dragging" }))).toMatch(/slow/);
  });
});
