import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";

const invoke = vi.fn();
const listeners = new Map<string, (e: { event: string; id: number; payload: unknown }) => void>();
const unlisten = vi.fn();

vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, handler: (e: { event: string; id: number; payload: unknown }) => void) => {
    listeners.set(name, handler);
    return () => {
      unlisten(name);
      listeners.delete(name);
    };
  }),
}));

const { api, on, onMany, errorMessage } = await import("../../src/lib/api");
import type { AnalysisProgress, RecordingLevel, RecordingStopped, ModelProgress, Settings } from "../../src/lib/types";

function fire(name: string, payload: unknown) {
  listeners.get(name)?.({ event: name, id: 1, payload });
}

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(undefined);
  unlisten.mockReset();
  listeners.clear();
});
afterEach(() => vi.clearAllMocks());

describe("commands", () => {
  it("use the contract's command names and camelCase arguments", async () => {
    await api.startRecording("ship-fast-vs-quality", null);
    expect(invoke).toHaveBeenLastCalledWith("start_recording", { cardId: "ship-fast-vs-quality", deviceId: null });
    await api.analyzeFile("c", "/tmp/a.wav");
    expect(invoke).toHaveBeenLastCalledWith("analyze_file", { cardId: "c", path: "/tmp/a.wav" });
    await api.listAttempts();
    expect(invoke).toHaveBeenLastCalledWith("list_attempts", { cardId: null });
    await api.exportCards(["a", "b"], "/tmp/p.json");
    expect(invoke).toHaveBeenLastCalledWith("export_cards", { ids: ["a", "b"], path: "/tmp/p.json" });
    await api.importModel("/m", "q5_0");
    expect(invoke).toHaveBeenLastCalledWith("import_model", { dir: "/m", quantize: "q5_0" });
    await api.recoverRecording("/r.wav", "c");
    expect(invoke).toHaveBeenLastCalledWith("recover_recording", { path: "/r.wav", cardId: "c" });
    await api.stopRecording();
    expect(invoke).toHaveBeenLastCalledWith("stop_recording");
  });

  it("covers every command of docs/ipc.md", () => {
    const names = new Set<string>();
    invoke.mockImplementation((name: string) => {
      names.add(name);
      return Promise.resolve();
    });
    const a = api as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const fn of Object.values(a)) void fn("x", "y");
    expect([...names].sort()).toEqual(
      [
        "list_cards", "get_card", "save_card", "delete_card", "import_cards", "export_cards",
        "list_input_devices", "get_settings", "save_settings", "start_recording", "stop_recording",
        "cancel_recording", "analyze_file", "list_attempts", "get_attempt", "delete_attempt",
        "delete_all_data", "export_attempt", "attempt_audio", "list_models", "import_model",
        "fetch_model", "cancel_fetch", "set_default_model", "list_recoverable", "recover_recording",
        "discard_recording",
      ].sort(),
    );
  });

  it("passes results through with their types", async () => {
    const s: Settings = {
      inputDevice: null,
      paceBand: [120, 160],
      hideKeyPointsUntilFirstAttempt: true,
      liveAnalysis: false,
      theme: "dark",
      llm: { enabled: false, baseUrl: "", model: "", apiKeyEnv: null },
      dataDir: "/d",
    };
    invoke.mockResolvedValueOnce(s);
    const got = await api.saveSettings(s);
    expectTypeOf(got).toEqualTypeOf<Settings>();
    expect(got.theme).toBe("dark");
    expect(invoke).toHaveBeenLastCalledWith("save_settings", { settings: s });
  });

  it("turns rejections into user messages", () => {
    expect(errorMessage("No microphone found.")).toBe("No microphone found.");
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage({ message: "obj" })).toBe("obj");
    expect(errorMessage(42)).toBe("Something went wrong.");
  });
});

describe("events", () => {
  it("hands the typed payload, not the event envelope, to the handler", async () => {
    const got: RecordingLevel[] = [];
    const un = await on("recording-level", (p) => {
      expectTypeOf(p).toEqualTypeOf<RecordingLevel>();
      got.push(p);
    });
    fire("recording-level", { elapsedS: 1.5, rmsDb: -24, peakDb: -12 });
    expect(got).toEqual([{ elapsedS: 1.5, rmsDb: -24, peakDb: -12 }]);
    un();
    expect(unlisten).toHaveBeenCalledWith("recording-level");
  });

  it("types every event payload", () => {
    expectTypeOf(on<"analysis-progress">).parameter(1).parameter(0).toEqualTypeOf<AnalysisProgress>();
    expectTypeOf(on<"recording-stopped">).parameter(1).parameter(0).toEqualTypeOf<RecordingStopped>();
    expectTypeOf(on<"model-progress">).parameter(1).parameter(0).toEqualTypeOf<ModelProgress>();
    expectTypeOf(on<"analysis-done">).parameter(1).parameter(0).toEqualTypeOf<{ attemptId: number }>();
    expectTypeOf(on<"analysis-failed">).parameter(1).parameter(0).toEqualTypeOf<{ message: string }>();
  });

  it("onMany subscribes to several events and removes them all, even before they resolved", async () => {
    const progress = vi.fn();
    const done = vi.fn();
    const stop = onMany({ "analysis-progress": progress, "analysis-done": done });
    await new Promise((r) => setTimeout(r, 0));
    fire("analysis-progress", { attemptId: 3, stage: "transcribe", fraction: 0.4 });
    fire("analysis-done", { attemptId: 3 });
    expect(progress).toHaveBeenCalledWith({ attemptId: 3, stage: "transcribe", fraction: 0.4 });
    expect(done).toHaveBeenCalledWith({ attemptId: 3 });
    stop();
    expect(unlisten).toHaveBeenCalledTimes(2);

    const early = onMany({ "model-progress": vi.fn() });
    early();
    await new Promise((r) => setTimeout(r, 0));
    expect(listeners.has("model-progress")).toBe(false);
  });
});
