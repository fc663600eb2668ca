import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatRelative, formatScore, formatTime, scoreTone } from "../../src/lib/format";

describe("formatTime", () => {
  it("formats m:ss", () => {
    expect(formatTime(0)).toBe("0:00");
    expect(formatTime(5.9)).toBe("0:05");
    expect(formatTime(65)).toBe("1:05");
    expect(formatTime(599.99)).toBe("9:59");
    expect(formatTime(3600)).toBe("60:00");
  });
  it("clamps negatives and handles missing values", () => {
    expect(formatTime(-3)).toBe("0:00");
    expect(formatTime(null)).toBe("–:––");
    expect(formatTime(Number.NaN)).toBe("–:––");
  });
  it("does not round 59.9999 up into a wrong minute", () => {
    expect(formatTime(59.9999)).toBe("0:59");
    expect(formatTime(60 - 1e-9)).toBe("1:00");
  });
});

describe("other formats", () => {
  it("durations", () => {
    expect(formatDuration(2.63)).toBe("2.6 s");
    expect(formatDuration(12.4)).toBe("12 s");
    expect(formatDuration(75)).toBe("1:15");
  });
  it("scores and tones", () => {
    expect(formatScore(77.6)).toBe("78");
    expect(formatScore(null)).toBe("–");
    expect(scoreTone(80)).toBe("good");
    expect(scoreTone(60)).toBe("fair");
    expect(scoreTone(20)).toBe("poor");
    expect(scoreTone(null)).toBe("none");
  });
  it("bytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(43_537_433)).toBe("43.5 MB");
    expect(formatBytes(147_964_211)).toBe("148 MB");
  });
  it("relative dates", () => {
    const now = new Date("2025-11-25T12:00:00Z");
    expect(formatRelative("2025-11-25T11:59:30Z", now)).toBe("just now");
    expect(formatRelative("2025-11-25T11:30:00Z", now)).toBe("30 min ago");
    expect(formatRelative("2025-11-24T11:00:00Z", now)).toBe("yesterday");
    expect(formatRelative("2025-11-20T12:00:00Z", now)).toBe("5 days ago");
    expect(formatRelative(null, now)).toBe("never");
  });
});
