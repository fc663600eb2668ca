// Tracks the analysis running in the engine from app start, so a screen that
// opens after `analysis-done` was emitted still learns the outcome.
import { onMany } from "./api";
import type { AnalysisStage } from "./types";

export const STAGES: { stage: AnalysisStage; label: string }[] = [
  { stage: "decode", label: "Reading the audio" },
  { stage: "transcribe", label: "Transcribing" },
  { stage: "delivery", label: "Measuring delivery" },
  { stage: "critique", label: "Checking content and structure" },
  { stage: "save", label: "Saving the report" },
];

export type AnalysisState = {
  attemptId: number | null;
  stage: AnalysisStage | null;
  fraction: number;
  failed: string | null;
};

class AnalysisTracker {
  current = $state<AnalysisState>({ attemptId: null, stage: null, fraction: 0, failed: null });
  done = $state<number[]>([]);
  #stop: (() => void) | null = null;

  start() {
    if (this.#stop) return;
    this.#stop = onMany({
      "analysis-progress": (p) => {
        this.current = {
          attemptId: p.attemptId ?? this.current.attemptId,
          stage: p.stage,
          fraction: Math.min(1, Math.max(0, p.fraction)),
          failed: null,
        };
      },
      "analysis-done": (p) => {
        this.done = [...this.done, p.attemptId];
        this.current = { attemptId: p.attemptId, stage: "save", fraction: 1, failed: null };
      },
      "analysis-failed": (p) => {
        this.current = { ...this.current, failed: p.message };
      },
    });
  }

  /** Forgets the previous run before a new one starts. */
  begin(attemptId: number | null) {
    this.current = { attemptId, stage: null, fraction: 0, failed: null };
  }

  isDone(id: number): boolean {
    return this.done.includes(id);
  }
}

export const analysis = new AnalysisTracker();

/** Overall progress 0–1 across the stages, given the current stage and its fraction. */
export function overallFraction(stage: AnalysisStage | null, fraction: number): number {
  if (!stage) return 0;
  const i = STAGES.findIndex((s) => s.stage === stage);
  if (i < 0) return 0;
  return Math.min(1, (i + Math.min(1, Math.max(0, fraction))) / STAGES.length);
}
