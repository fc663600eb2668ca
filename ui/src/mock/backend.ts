// In-memory stand-in for the Tauri shell, used by the e2e tests and by
// `npm run dev` outside the shell. Loaded only when VITE_MOCK_IPC is set (or in
// dev mode without a shell), so it never reaches the production bundle.
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import cardsJson from "../../tests/fixtures/cards.json";
import fullJson from "../../tests/fixtures/report-full.json";
import deliveryOnlyJson from "../../tests/fixtures/report-delivery-only.json";
import audioUrl from "../../tests/fixtures/answer.ogg?url";
import type {
  Attempt,
  Card,
  CardSummary,
  EventMap,
  EventName,
  InputDevice,
  ModelEntry,
  Recoverable,
  Report,
  Settings,
} from "../lib/types";

type Args = Record<string, unknown>;

const fullReport = fullJson as unknown as Report;
const deliveryOnly = deliveryOnlyJson as unknown as Report;
const DAY = 86_400_000;

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function reportFor(base: Report, card: Card, patch: (r: Report) => void = () => {}): Report {
  const r = clone(base);
  r.question = { id: card.id, title: card.title };
  patch(r);
  return r;
}

function summaryOf(a: Attempt) {
  const { report: _r, audioPath: _p, ...rest } = a;
  void _r;
  void _p;
  return rest;
}

export type MockOptions = {
  /** Simulate recording levels and analysis on timers (dev); false = tests drive events. */
  auto: boolean;
  /** Offer recoverable recordings at start-up. */
  recover: boolean;
  /** Start with no attempts at all. */
  empty: boolean;
};

export function installMockBackend(opts: MockOptions) {
  const cards: Card[] = clone(cardsJson as unknown as Card[]);
  const custom = new Set<string>();
  const now = Date.now();
  const byId = (id: string) => {
    const c = cards.find((c) => c.id === id);
    if (!c) throw `No question card “${id}”.`;
    return c;
  };

  let nextId = 1;
  const attempts: Attempt[] = [];
  function addAttempt(cardId: string, createdAt: number, report: Report): Attempt {
    const d = report.delivery;
    const a: Attempt = {
      id: nextId++,
      cardId,
      createdAt: new Date(createdAt).toISOString(),
      durationS: report.duration_s,
      wpm: d.wpm,
      fillersPerMinute: d.fillers.per_minute,
      overall: report.score.overall,
      content: report.score.content,
      structure: report.score.structure,
      delivery: report.score.delivery ?? d.score,
      audioPath: report.audio_path ?? "/home/sam/.local/share/rehearse/attempts/answer.wav",
      report,
    };
    attempts.unshift(a);
    return a;
  }

  if (!opts.empty) {
    const ship = byId("ship-fast-vs-quality");
    const peer = byId("conflict-with-peer");
    addAttempt(ship.id, now - 20 * DAY, reportFor(deliveryOnly, ship, (r) => {
      r.delivery.wpm = 178;
      r.delivery.fillers.per_minute = 7.4;
      r.delivery.score = 68;
      r.delivery.score_parts[0] = { ...r.delivery.score_parts[0], score: 55, detail: "178 wpm against 120–160" };
    }));
    addAttempt(ship.id, now - 12 * DAY, reportFor(fullReport, ship, (r) => {
      r.score = { overall: 64, content: 60, structure: 70, delivery: 74 };
      r.delivery.score = 74;
      r.delivery.wpm = 171;
      r.delivery.fillers.per_minute = 6.1;
      if (r.content) {
        r.content.key_points[0].covered = false;
        r.content.key_points[0].evidence = null;
        r.content.key_points[3].covered = false;
        r.content.key_points[3].evidence = null;
      }
    }));
    addAttempt(peer.id, now - 6 * DAY, reportFor(deliveryOnly, peer, (r) => {
      r.delivery.score = 83;
      r.delivery.wpm = 149;
      r.delivery.fillers.per_minute = 3.9;
    }));
    addAttempt(ship.id, now - 2 * DAY, reportFor(fullReport, ship));
  }

  let settings: Settings = {
    inputDevice: null,
    paceBand: [120, 160],
    hideKeyPointsUntilFirstAttempt: false,
    liveAnalysis: true,
    theme: "system",
    llm: { enabled: false, baseUrl: "http://localhost:11434/v1", model: "", apiKeyEnv: null },
    dataDir: "/home/sam/.local/share/rehearse",
  };
  const devices: InputDevice[] = [
    { id: "default", name: "Built-in Microphone", isDefault: true },
    { id: "usb-1", name: "USB Headset (Jabra Evolve 40)", isDefault: false },
  ];
  let models: ModelEntry[] = [
    {
      name: "ggml-tiny.en-q8_0.bin",
      path: "/home/sam/.local/share/rehearse/models/ggml-tiny.en-q8_0.bin",
      sizeBytes: 43_537_433,
      model: "tiny.en",
      quantization: "q8_0",
      problem: null,
      isDefault: true,
    },
    {
      name: "ggml-base.en.bin",
      path: "/home/sam/.local/share/rehearse/models/ggml-base.en.bin",
      sizeBytes: 147_964_211,
      model: "base.en",
      quantization: null,
      problem: null,
      isDefault: false,
    },
  ];
  let recoverable: Recoverable[] = opts.recover
    ? [
        {
          path: "/home/sam/.local/share/rehearse/recordings/partial-1.wav",
          startedAt: new Date(now - 3 * 3600_000).toISOString(),
          durationS: 47.2,
          cardId: "ship-fast-vs-quality",
        },
        {
          path: "/home/sam/.local/share/rehearse/recordings/partial-2.wav",
          startedAt: new Date(now - 26 * 3600_000).toISOString(),
          durationS: 12.9,
          cardId: null,
        },
      ]
    : [];

  let recording: { cardId: string; started: number; timer: number | null } | null = null;
  let fetchCancelled = false;
  const calls: { cmd: string; args: Args }[] = [];

  // A scripted answer "heard" at 150 wpm: committed up to two seconds ago,
  // tentative after that, as the engine's live path reports it.
  const LIVE_SCRIPT =
    "So in my last role um we had to ship a new checkout flow before the holidays and I put the risky parts behind a feature flag".split(" ");
  function liveUpdateAt(elapsedS: number): EventMap["live-update"] {
    const heard = Math.min(LIVE_SCRIPT.length, Math.floor(elapsedS * 2.5));
    const committed = Math.max(0, heard - 5);
    const word = (text: string, i: number) => ({ text, start: i * 0.4, end: i * 0.4 + 0.3, confidence: 0.9, filler: text === "um" });
    const tentative = LIVE_SCRIPT.slice(committed, heard).map((t, i) => word(t, committed + i));
    return {
      elapsedS,
      transcribedS: heard * 0.4,
      lagS: Math.max(0, elapsedS - heard * 0.4),
      caption: LIVE_SCRIPT.slice(0, heard).join(" "),
      committedCount: committed,
      newCommitted: [],
      tentative,
      fillers: LIVE_SCRIPT.slice(0, heard).filter((t) => t === "um").length,
      wpm: heard >= 8 ? 150 : null,
      bandWpm: settings.paceBand,
      pace: null,
      degraded: false,
    };
  }

  const send = <K extends EventName>(name: K, payload: EventMap[K]) => emit(name, payload);

  function newAttemptFor(cardId: string, durationS = fullReport.duration_s): Attempt {
    const card = byId(cardId);
    const r = reportFor(fullReport, card);
    r.duration_s = durationS > 5 ? fullReport.duration_s : durationS;
    return addAttempt(cardId, Date.now(), r);
  }

  function simulateAnalysis(id: number) {
    if (!opts.auto) return;
    const steps: [EventMap["analysis-progress"]["stage"], number][] = [
      ["decode", 1],
      ["transcribe", 0.3],
      ["transcribe", 0.7],
      ["transcribe", 1],
      ["delivery", 1],
      ["critique", 1],
      ["save", 1],
    ];
    steps.forEach(([stage, fraction], i) =>
      setTimeout(() => void send("analysis-progress", { attemptId: id, stage, fraction }), 250 * (i + 1)),
    );
    setTimeout(() => void send("analysis-done", { attemptId: id }), 250 * (steps.length + 1));
  }

  /** The engine's full pass after Stop: one word heard better, the report replaced in place. */
  function simulateFullPass(id: number) {
    if (!opts.auto) return;
    setTimeout(() => {
      const a = attempts.find((x) => x.id === id);
      if (!a) return;
      const r = clone(a.report);
      const w = r.transcript.words.find((x) => !x.filler);
      if (w) {
        r.transcript.text = r.transcript.text.replace(w.text, w.text.toUpperCase());
        w.text = w.text.toUpperCase();
      }
      r.timing = { ...r.timing, transcribe_s: 4.8, full_pass_s: 5.3, live: { ...r.timing.live!, words_changed: 1 } };
      a.report = r;
      void send("report-refined", { attemptId: id });
    }, 250 * 8 + 3000);
  }

  function summaries(): CardSummary[] {
    return cards.map((c) => {
      const mine = attempts.filter((a) => a.cardId === c.id);
      const scores = mine.map((a) => a.overall).filter((s): s is number => s != null);
      return {
        id: c.id,
        title: c.title,
        prompt: c.prompt,
        category: c.category,
        tags: c.tags,
        custom: custom.has(c.id),
        attempts: mine.length,
        bestScore: scores.length ? Math.max(...scores) : null,
        lastAttemptAt: mine[0]?.createdAt ?? null,
      };
    });
  }

  const handlers: Record<string, (a: Args) => unknown> = {
    list_cards: () => summaries(),
    get_card: (a) => clone(byId(a.id as string)),
    save_card: (a) => {
      const card = clone(a.card as Card);
      if (!card.key_points.length) throw "A card needs at least one key point.";
      const i = cards.findIndex((c) => c.id === card.id);
      if (i >= 0) cards[i] = card;
      else cards.push(card);
      custom.add(card.id);
      return card;
    },
    delete_card: (a) => {
      const id = a.id as string;
      if (!custom.has(id)) throw "Bundled cards cannot be deleted.";
      cards.splice(cards.findIndex((c) => c.id === id), 1);
      custom.delete(id);
    },
    import_cards: (a) => {
      const path = String(a.path);
      if (!path.trim()) throw "Choose a file or folder to import.";
      if (path.includes("missing")) throw `No such file or folder: ${path}`;
      return { imported: 3, errors: ["bad-card.toml: key_points: missing field `label`"] };
    },
    export_cards: () => undefined,
    list_input_devices: () => clone(devices),
    get_settings: () => clone(settings),
    save_settings: (a) => {
      const s = a.settings as Settings;
      if (s.paceBand[0] >= s.paceBand[1]) throw "The pace band's low end must be below its high end.";
      settings = { ...clone(s), dataDir: settings.dataDir };
      return clone(settings);
    },
    start_recording: (a) => {
      if (recording) throw "Already recording.";
      recording = { cardId: a.cardId as string, started: Date.now(), timer: null };
      if (opts.auto) {
        recording.timer = window.setInterval(() => {
          if (!recording) return;
          const elapsedS = (Date.now() - recording.started) / 1000;
          const rmsDb = -32 + Math.sin(elapsedS * 3) * 10 + Math.random() * 6;
          void send("recording-level", { elapsedS, rmsDb, peakDb: rmsDb + 8 });
          if (settings.liveAnalysis && Math.floor(elapsedS * 20) % 10 === 0) void send("live-update", liveUpdateAt(elapsedS));
        }, 50);
      }
    },
    stop_recording: () => {
      if (!recording) throw "Not recording.";
      if (recording.timer) clearInterval(recording.timer);
      const cardId = recording.cardId;
      recording = null;
      const a = newAttemptFor(cardId);
      if (settings.liveAnalysis) {
        a.report.timing = { ...a.report.timing, stop_to_report_s: 0.6, realtime_lag_s: 2.1, live: { tail_s: 2.4, degraded_at_s: null, probes_reused: 3, probes_after_stop: 1 } };
        simulateFullPass(a.id);
      }
      simulateAnalysis(a.id);
      return a.id;
    },
    cancel_recording: () => {
      if (recording?.timer) clearInterval(recording.timer);
      recording = null;
    },
    analyze_file: (a) => {
      const path = String(a.path);
      if (!path.trim()) throw "Choose an audio file.";
      if (!/\.(wav|mp3|m4a|ogg|flac)$/i.test(path)) throw "Rehearse reads WAV, MP3, M4A, Ogg and FLAC files.";
      const att = newAttemptFor(a.cardId as string);
      simulateAnalysis(att.id);
      return att.id;
    },
    list_attempts: (a) =>
      attempts.filter((x) => a.cardId == null || x.cardId === a.cardId).map(summaryOf),
    get_attempt: (a) => {
      const found = attempts.find((x) => x.id === a.id);
      if (!found) throw `Attempt ${String(a.id)} not found.`;
      return clone(found);
    },
    delete_attempt: (a) => {
      const i = attempts.findIndex((x) => x.id === a.id);
      if (i >= 0) attempts.splice(i, 1);
    },
    delete_all_data: () => {
      attempts.splice(0);
    },
    export_attempt: (a) => {
      if (!String(a.path).trim()) throw "Choose where to save the report.";
    },
    attempt_audio: () => new URL(audioUrl, location.href).href,
    list_models: () => clone(models),
    import_model: (a) => {
      const dir = String(a.dir);
      if (!dir.trim()) throw "Choose the model folder.";
      const entry: ModelEntry = {
        name: `ggml-imported-${String(a.quantize)}.bin`,
        path: `${settings.dataDir}/models/ggml-imported-${String(a.quantize)}.bin`,
        sizeBytes: 81_000_000,
        model: "small.en",
        quantization: a.quantize === "none" ? null : String(a.quantize),
        problem: null,
        isDefault: false,
      };
      models = [...models, entry];
      return entry;
    },
    fetch_model: (a) => {
      const name = String(a.name);
      fetchCancelled = false;
      const total = 57_000_000;
      return new Promise((resolve, reject) => {
        let done = 0;
        const t = window.setInterval(() => {
          if (fetchCancelled) {
            clearInterval(t);
            reject("Download cancelled.");
            return;
          }
          done = Math.min(total, done + total / 25);
          void send("model-progress", { name, done, total });
          if (done >= total) {
            clearInterval(t);
            const entry: ModelEntry = {
              name: `ggml-${name}.bin`,
              path: `${settings.dataDir}/models/ggml-${name}.bin`,
              sizeBytes: total,
              model: name,
              quantization: null,
              problem: null,
              isDefault: false,
            };
            models = [...models.filter((m) => m.path !== entry.path), entry];
            resolve(entry);
          }
        }, 120);
      });
    },
    cancel_fetch: () => {
      fetchCancelled = true;
    },
    set_default_model: (a) => {
      models = models.map((m) => ({ ...m, isDefault: m.path === a.path }));
    },
    list_recoverable: () => clone(recoverable),
    recover_recording: (a) => {
      recoverable = recoverable.filter((r) => r.path !== a.path);
      const att = newAttemptFor(a.cardId as string);
      simulateAnalysis(att.id);
      return att.id;
    },
    discard_recording: (a) => {
      recoverable = recoverable.filter((r) => r.path !== a.path);
    },
  };

  mockWindows("main");
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Args;
      calls.push({ cmd, args: clone(args) });
      const h = handlers[cmd];
      if (!h) return Promise.reject(`Unknown command ${cmd}`);
      try {
        return Promise.resolve(h(args));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    { shouldMockEvents: true },
  );

  // Hooks for the e2e tests (and for poking at the UI by hand).
  const hooks = {
    emit: <K extends EventName>(name: K, payload: EventMap[K]) => send(name, payload),
    calls,
    lastAttemptId: () => attempts[0]?.id ?? null,
    settings: () => clone(settings),
  };
  (window as unknown as { __rehearseMock: typeof hooks }).__rehearseMock = hooks;
  return hooks;
}
