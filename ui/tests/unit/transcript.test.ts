import { describe, expect, it } from "vitest";
import full from "../fixtures/report-full.json";
import deliveryOnly from "../fixtures/report-delivery-only.json";
import { locateEvidence, markTranscript, transcriptSource, wordIndexAt, type Token, type WordToken } from "../../src/lib/transcript";
import type { Report, Word } from "../../src/lib/types";

const report = full as unknown as Report;

function w(text: string, start: number, end: number, filler = false): Word {
  return { text, start, end, confidence: 0.9, filler };
}

function mini(): Report {
  const r = JSON.parse(JSON.stringify(deliveryOnly)) as Report;
  r.transcript.words = [
    w("So", 0.0, 0.3),
    w("um,", 0.4, 0.6, true),
    w("I", 0.7, 0.8),
    w("think", 0.8, 1.1),
    w("we", 1.2, 1.4),
    w("shipped.", 1.4, 2.0),
    w("Then", 4.0, 4.3),
    w("like", 4.4, 4.6),
    w("it", 5.5, 5.6),
    w("worked.", 5.6, 6.0),
  ];
  r.delivery.fillers.items = [
    { text: "um", start: 0.4, end: 0.6, kind: "filled_pause", source: "asr" },
    { text: "like", start: 4.4, end: 4.6, kind: "discourse", source: "asr" },
    { text: "uh", start: 4.9, end: 5.2, kind: "filled_pause", source: "acoustic" },
  ];
  r.delivery.hedges = [{ text: "i think", start: 0.7, end: 1.1 }];
  r.delivery.pauses = [
    { start: 2.0, end: 4.0, duration: 2.0, long: true, position: "boundary" },
    { start: 4.6, end: 5.5, duration: 0.9, long: false, position: "mid_sentence" },
  ];
  return r;
}

const kinds = (tokens: Token[]) =>
  tokens.map((t) => (t.kind === "word" ? t.word.text : t.kind === "pause" ? `[${t.pause.duration}s]` : `(${t.filler.text})`));

describe("markTranscript", () => {
  it("marks fillers from the word flag and from transcript filler items", () => {
    const words = markTranscript(mini()).filter((t): t is WordToken => t.kind === "word");
    expect(words.filter((t) => t.filler).map((t) => t.word.text)).toEqual(["um,", "like"]);
    expect(words.find((t) => t.word.text === "like")?.filler).toBe("discourse");
    expect(words.find((t) => t.word.text === "um,")?.filler).toBe("filled_pause");
  });

  it("marks every word of a multi-word hedge and nothing else", () => {
    const words = markTranscript(mini()).filter((t): t is WordToken => t.kind === "word");
    expect(words.filter((t) => t.hedge).map((t) => t.word.text)).toEqual(["I", "think"]);
  });

  it("puts pauses between the words around them and acoustic fillers by time", () => {
    expect(kinds(markTranscript(mini()))).toEqual([
      "So", "um,", "I", "think", "we", "shipped.", "[2s]", "Then", "like", "[0.9s]", "(uh)", "it", "worked.",
    ]);
  });

  it("can keep long pauses only, or none", () => {
    expect(kinds(markTranscript(mini(), { pauses: "long" }))).toContain("[2s]");
    expect(kinds(markTranscript(mini(), { pauses: "long" }))).not.toContain("[0.9s]");
    expect(markTranscript(mini(), { pauses: "none" }).some((t) => t.kind === "pause")).toBe(false);
  });

  it("places an acoustic filler that starts with a word before that word", () => {
    const r = mini();
    r.delivery.fillers.items = [{ text: "er", start: 5.5, end: 5.7, kind: "filled_pause", source: "acoustic" }];
    const k = kinds(markTranscript(r, { pauses: "none" }));
    expect(k.slice(-3)).toEqual(["(er)", "it", "worked."]);
  });

  it("handles the real fixture: every word once, in order, and the acoustic um inside the last long gap", () => {
    const tokens = markTranscript(report);
    const words = tokens.filter((t): t is WordToken => t.kind === "word");
    expect(words.map((t) => t.index)).toEqual(report.transcript.words.map((_, i) => i));
    const um = tokens.findIndex((t) => t.kind === "acoustic");
    const prev = tokens.slice(0, um).reverse().find((t): t is WordToken => t.kind === "word");
    const next = tokens.slice(um).find((t): t is WordToken => t.kind === "word");
    expect(prev!.word.end).toBeLessThanOrEqual(41.2);
    expect(next!.word.start).toBeGreaterThanOrEqual(41.2);
    const fillerWords = words.filter((t) => t.filler).map((t) => t.word.text.toLowerCase().replace(/[^a-z]/g, ""));
    expect(fillerWords).toEqual(expect.arrayContaining(["um", "like", "uh", "you", "know"]));
  });

  it("copes with a report that has no words", () => {
    const r = mini();
    r.transcript.words = [];
    r.delivery.pauses = [];
    expect(kinds(markTranscript(r))).toEqual(["(uh)"]);
  });
});

describe("wordIndexAt", () => {
  const words = mini().transcript.words;
  it("finds the word being spoken", () => {
    expect(wordIndexAt(words, 0)).toBe(0);
    expect(wordIndexAt(words, 0.5)).toBe(1);
    expect(wordIndexAt(words, 1.0)).toBe(3);
    expect(wordIndexAt(words, 5.8)).toBe(9);
  });
  it("keeps the previous word through a short gap, nothing in a long one", () => {
    expect(wordIndexAt(words, 0.35)).toBe(0);
    expect(wordIndexAt(words, 3.0)).toBe(-1);
  });
  it("returns -1 before the first word and after the last", () => {
    expect(wordIndexAt(words, -1)).toBe(-1);
    expect(wordIndexAt(words, 99)).toBe(-1);
    expect(wordIndexAt([], 1)).toBe(-1);
  });
  it("agrees with a linear scan on the fixture", () => {
    const ws = report.transcript.words;
    for (let t = 0; t < report.duration_s; t += 0.37) {
      let lin = -1;
      ws.forEach((x, i) => {
        if (x.start <= t) lin = i;
      });
      if (lin >= 0 && t > ws[lin].end + 0.3) lin = -1;
      expect(wordIndexAt(ws, t)).toBe(lin);
    }
  });
});

describe("locateEvidence", () => {
  const words = report.transcript.words;
  it("finds where each key point's evidence sentence starts", () => {
    for (const kp of report.content!.key_points) {
      if (!kp.evidence) continue;
      const t = locateEvidence(words, kp.evidence);
      expect(t).not.toBeNull();
      const first = kp.evidence.split(/\s+/)[0].toLowerCase().replace(/[^a-z]/g, "");
      const i = words.findIndex((x) => x.start === t);
      expect(words[i].text.toLowerCase()).toContain(first);
    }
  });
  it("tolerates small differences and rejects unrelated text", () => {
    expect(locateEvidence(words, "we shipped on time and conversion went up")).toBe(
      words.find((x) => x.text === "We" && x.start > 40)!.start,
    );
    expect(locateEvidence(words, "a completely different sentence about databases")).toBeNull();
    expect(locateEvidence(words, null)).toBeNull();
    expect(locateEvidence([], "anything")).toBeNull();
  });
});

describe("transcriptSource", () => {
  const base = full as unknown as Report;
  const live = { tail_s: 2.4, degraded_at_s: null, probes_reused: 3, probes_after_stop: 1 };

  it("says nothing for an answer analysed after Stop", () => {
    expect(transcriptSource(base)).toBeNull();
  });

  it("says a live transcript is live until the full pass replaces it", () => {
    const r: Report = { ...base, timing: { ...base.timing, stop_to_report_s: 0.6, live } };
    expect(transcriptSource(r)).toBe("Transcribed live while you spoke.");
  });

  it("counts the words the full pass changed, or says it confirmed them", () => {
    const refined = (changed: number): Report => ({
      ...base,
      timing: { ...base.timing, stop_to_report_s: 0.6, full_pass_s: 5.2, live: { ...live, words_changed: changed } },
    });
    expect(transcriptSource(refined(7))).toBe(
      "Refined after Stop by a full pass over the whole recording, which changed 7 words of the live transcript.",
    );
    expect(transcriptSource(refined(1))).toContain("changed 1 word of");
    expect(transcriptSource(refined(0))).toContain("which confirmed the live transcript");
  });
});
