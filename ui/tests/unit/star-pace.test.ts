import { describe, expect, it } from "vitest";
import { starGeometry } from "../../src/lib/star";
import { classifyLength, classifyPace, paceRuns } from "../../src/lib/pace";
import { overallFraction } from "../../src/lib/analysis.svelte";
import { levelFraction, levelZone } from "../../src/lib/meter";
import type { Star } from "../../src/lib/types";

const star = (over: Partial<Star> = {}): Star => ({
  situation: { present: true, start: 0, share: 0.2 },
  task: { present: true, start: 10, share: 0.1 },
  action: { present: true, start: 20, share: 0.5 },
  result: { present: true, start: 50, share: 0.2 },
  ...over,
});

describe("starGeometry", () => {
  it("runs each part from its start to the next part's start", () => {
    const g = starGeometry(star(), 100, 60);
    expect(g.segments.map((s) => [s.key, s.left, s.width])).toEqual([
      ["situation", 0, 10],
      ["task", 10, 10],
      ["action", 20, 30],
      ["result", 50, 10],
    ]);
    expect(g.missing).toEqual([]);
  });
  it("ends the last part at the end of speech, defaulting to the duration", () => {
    expect(starGeometry(star(), 100).segments.at(-1)!.width).toBe(50);
  });
  it("orders by time and lists missing and unplaced parts", () => {
    const g = starGeometry(
      star({
        task: { present: false, start: null, share: 0 },
        situation: { present: true, start: 30, share: 0.3 },
        result: { present: true, start: null, share: 0.1 },
      }),
      60,
    );
    expect(g.segments.map((s) => s.key)).toEqual(["action", "situation"]);
    expect(g.segments[0]).toMatchObject({ start: 20, end: 30 });
    expect(g.missing).toEqual(["task"]);
    expect(g.unplaced).toEqual(["result"]);
  });
  it("clamps to the timeline", () => {
    const g = starGeometry(star({ result: { present: true, start: 120, share: 0.2 } }), 100);
    const r = g.segments.find((s) => s.key === "result")!;
    expect(r.left).toBe(100);
    expect(r.width).toBe(0);
    for (const s of g.segments) expect(s.left + s.width).toBeLessThanOrEqual(100);
  });
  it("handles a zero-length recording", () => {
    expect(() => starGeometry(star(), 0)).not.toThrow();
  });
});

describe("pace", () => {
  it("classifies against the band, inclusive", () => {
    expect(classifyPace(119.9, [120, 160])).toBe("slow");
    expect(classifyPace(120, [120, 160])).toBe("ok");
    expect(classifyPace(160, [120, 160])).toBe("ok");
    expect(classifyPace(161, [120, 160])).toBe("fast");
    expect(classifyPace(null, [120, 160])).toBe("unknown");
    expect(classifyPace(130, [160, 120])).toBe("ok");
  });
  it("splits a timeline into runs", () => {
    const runs = paceRuns(
      [
        { t: 1, wpm: 170 },
        { t: 2, wpm: 175 },
        { t: 3, wpm: 150 },
        { t: 4, wpm: 100 },
      ],
      [120, 160],
    );
    expect(runs.map((r) => r.cls)).toEqual(["fast", "ok", "slow"]);
    expect(runs[0]).toMatchObject({ start: 1, end: 2 });
  });
  it("classifies elapsed time against the target", () => {
    expect(classifyLength(30, [60, 120])).toBe("under");
    expect(classifyLength(60, [60, 120])).toBe("ok");
    expect(classifyLength(121, [60, 120])).toBe("over");
  });
});

describe("progress and meter helpers", () => {
  it("overall analysis fraction spans the stages", () => {
    expect(overallFraction(null, 0)).toBe(0);
    expect(overallFraction("decode", 1)).toBeCloseTo(0.2);
    expect(overallFraction("transcribe", 0.5)).toBeCloseTo(0.3);
    expect(overallFraction("save", 1)).toBe(1);
  });
  it("level meter maps dBFS onto 0–1", () => {
    expect(levelFraction(-60)).toBe(0);
    expect(levelFraction(-30)).toBe(0.5);
    expect(levelFraction(3)).toBe(1);
    expect(levelFraction(-120)).toBe(0);
    expect(levelZone(-50)).toBe("quiet");
    expect(levelZone(-20)).toBe("good");
    expect(levelZone(-2)).toBe("hot");
  });
});
