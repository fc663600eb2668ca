// Types of the desktop IPC contract (docs/ipc.md) and of the analysis report
// (docs/report-schema.md, `rehearse.report/1`; field names as in src/report.rs).

export type CardSummary = {
  id: string;
  title: string;
  prompt: string;
  category: string;
  tags: string[];
  custom: boolean;
  attempts: number;
  bestScore: number | null;
  lastAttemptAt: string | null;
};

export type Point = { id: string; label: string; cues: string[] };

export type Card = {
  id: string;
  title: string;
  prompt: string;
  category: string;
  why_asked: string;
  how_to_answer: string[];
  target_seconds: [number, number];
  key_points: Point[];
  mistakes: Point[];
  sample_outline: string | null;
  tags: string[];
};

export type AttemptSummary = {
  id: number;
  cardId: string;
  createdAt: string;
  durationS: number;
  wpm: number | null;
  fillersPerMinute: number | null;
  overall: number | null;
  content: number | null;
  structure: number | null;
  delivery: number | null;
};

export type Attempt = AttemptSummary & { audioPath: string; report: Report };

export type InputDevice = { id: string; name: string; isDefault: boolean };

export type Theme = "system" | "light" | "dark";

export type LlmSettings = {
  enabled: boolean;
  baseUrl: string;
  model: string;
  apiKeyEnv: string | null;
};

export type Settings = {
  inputDevice: string | null;
  paceBand: [number, number];
  hideKeyPointsUntilFirstAttempt: boolean;
  liveAnalysis: boolean;
  theme: Theme;
  llm: LlmSettings;
  dataDir: string;
};

export type ModelEntry = {
  name: string;
  path: string;
  sizeBytes: number;
  model: string | null;
  quantization: string | null;
  problem: string | null;
  isDefault: boolean;
};

export type Recoverable = {
  path: string;
  startedAt: string | null;
  durationS: number;
  cardId: string | null;
};

export type ImportResult = { imported: number; errors: string[] };

export type Quantize = "q8_0" | "q5_0" | "none";

// ---- events ----

export type RecordingLevel = { elapsedS: number; rmsDb: number; peakDb: number };
export type RecordingStopped = {
  reason: "user" | "device-lost" | "error";
  message: string | null;
  path: string;
};
export type AnalysisStage = "decode" | "transcribe" | "delivery" | "critique" | "save";
export type AnalysisProgress = { attemptId: number | null; stage: AnalysisStage; fraction: number };
export type AnalysisDone = { attemptId: number };
export type AnalysisFailed = { message: string };
export type ModelProgress = { name: string; done: number; total: number | null };
/** The live transcript while recording (engine `LiveUpdate`). */
export type LiveUpdate = {
  elapsedS: number;
  transcribedS: number;
  lagS: number;
  caption: string;
  committedCount: number;
  newCommitted: Word[];
  tentative: Word[];
  fillers: number;
  wpm: number | null;
  bandWpm: [number, number];
  pace: "rushing" | "dragging" | null;
  degraded: boolean;
};

export type EventMap = {
  "recording-level": RecordingLevel;
  "recording-stopped": RecordingStopped;
  "analysis-progress": AnalysisProgress;
  "analysis-done": AnalysisDone;
  "analysis-failed": AnalysisFailed;
  "model-progress": ModelProgress;
  "live-update": LiveUpdate;
  /** The full pass after Stop replaced this attempt's report. */
  "report-refined": AnalysisDone;
};
export type EventName = keyof EventMap;

// ---- report (rehearse.report/1) ----

export type Word = { text: string; start: number; end: number; confidence: number; filler: boolean };
export type Segment = { text: string; start: number; end: number };
export type Transcript = { text: string; segments: Segment[]; words: Word[] };

export type FillerKind = "filled_pause" | "discourse";
export type Source = "asr" | "acoustic" | "rules" | "llm";
export type Filler = { text: string; start: number; end: number; kind: FillerKind; source: Source };
export type Fillers = { items: Filler[]; count: number; per_minute: number | null; share: number | null };

export type Pause = {
  start: number;
  end: number;
  duration: number;
  long: boolean;
  position: "boundary" | "mid_sentence";
};
export type PacePoint = { t: number; wpm: number };
export type PaceStretch = { start: number; end: number; kind: "rushing" | "dragging"; wpm: number };
export type Pace = { band_wpm: [number, number]; timeline: PacePoint[]; stretches: PaceStretch[] };
export type Hedge = { text: string; start: number; end: number };
export type Repetition = { text: string; start: number; end: number; kind: "repeat" | "restart" };
export type WordCount = { word: string; count: number };
export type Length = { seconds: number; target_s: [number, number]; verdict: "short" | "ok" | "long" };
export type Voice = {
  median_dbfs: number | null;
  level_timeline: { t: number; dbfs: number }[];
  too_quiet: boolean;
  clipping_share: number;
  clipping: boolean;
  pitch_median_hz: number | null;
  pitch_spread_semitones: number | null;
  monotone: boolean;
  pitch_timeline: { t: number; hz: number }[];
};
export type ScorePart = { name: string; score: number; weight: number; detail: string };
export type Finding = { message: string; at: number | null; evidence: string | null };

export type Delivery = {
  wpm: number | null;
  articulation_wpm: number | null;
  pace: Pace;
  fillers: Fillers;
  pauses: Pause[];
  hedges: Hedge[];
  repetitions: Repetition[];
  top_words: WordCount[];
  length: Length | null;
  voice: Voice;
  score: number | null;
  score_parts: ScorePart[];
  findings: Finding[];
};

export type KeyPointResult = { id: string; covered: boolean; evidence: string | null };
export type MistakeResult = { id: string; present: boolean; evidence: string | null };
export type Content = { key_points: KeyPointResult[]; mistakes: MistakeResult[] };
export type StarPart = { present: boolean; start: number | null; share: number };
export type StarKey = "situation" | "task" | "action" | "result";
export type Star = Record<StarKey, StarPart>;
export type Structure = { star: Star };
export type Score = {
  overall: number | null;
  content: number | null;
  structure: number | null;
  delivery: number | null;
};
export type Summary = { strengths: Finding[]; improvements: Finding[] };

export type Report = {
  schema: string;
  duration_s: number;
  audio_path: string | null;
  question: { id: string; title: string } | null;
  model: { path: string; name: string } | null;
  transcript: Transcript;
  delivery: Delivery;
  content: Content | null;
  structure: Structure | null;
  score: Score;
  summary: Summary;
  notices: string[];
  timing: Timing;
};

/** Where the time went; the live fields only for an answer transcribed while recording. */
export type Timing = {
  decode_s: number;
  model_load_s: number;
  transcribe_s: number;
  delivery_s: number;
  stop_to_report_s?: number;
  realtime_lag_s?: number;
  live?: {
    tail_s: number;
    degraded_at_s: number | null;
    probes_reused: number;
    probes_after_stop: number;
    words_changed?: number;
  };
  /** The full pass over the whole recording after Stop, whose report replaced the live one. */
  full_pass_s?: number;
};

export const CATEGORIES: { slug: string; label: string }[] = [
  { slug: "judgement", label: "Judgement" },
  { slug: "conflict", label: "Conflict" },
  { slug: "failure", label: "Failure" },
  { slug: "leadership", label: "Leadership" },
  { slug: "teamwork", label: "Teamwork" },
  { slug: "prioritisation", label: "Prioritisation" },
  { slug: "ambiguity", label: "Ambiguity" },
  { slug: "customer-focus", label: "Customer focus" },
  { slug: "growth", label: "Growth" },
  { slug: "influence", label: "Influence" },
  { slug: "technical-decisions", label: "Technical decisions" },
  { slug: "about-you", label: "About you" },
  { slug: "motivation", label: "Motivation" },
];

export function categoryLabel(slug: string): string {
  return CATEGORIES.find((c) => c.slug === slug)?.label ?? slug;
}
