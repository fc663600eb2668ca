// The only place that talks to the Tauri shell. Screens import `api` and `on`
// from here; nothing else calls `invoke` or `listen` (docs/ipc.md).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  Attempt,
  AttemptSummary,
  Card,
  CardSummary,
  EventMap,
  EventName,
  ImportResult,
  InputDevice,
  ModelEntry,
  Quantize,
  Recoverable,
  Settings,
} from "./types";

export const api = {
  listCards: () => invoke<CardSummary[]>("list_cards"),
  getCard: (id: string) => invoke<Card>("get_card", { id }),
  saveCard: (card: Card) => invoke<Card>("save_card", { card }),
  deleteCard: (id: string) => invoke<void>("delete_card", { id }),
  importCards: (path: string) => invoke<ImportResult>("import_cards", { path }),
  exportCards: (ids: string[], path: string) => invoke<void>("export_cards", { ids, path }),

  listInputDevices: () => invoke<InputDevice[]>("list_input_devices"),
  getSettings: () => invoke<Settings>("get_settings"),
  saveSettings: (settings: Settings) => invoke<Settings>("save_settings", { settings }),

  startRecording: (cardId: string, deviceId: string | null) =>
    invoke<void>("start_recording", { cardId, deviceId }),
  stopRecording: () => invoke<number>("stop_recording"),
  cancelRecording: () => invoke<void>("cancel_recording"),
  analyzeFile: (cardId: string, path: string) => invoke<number>("analyze_file", { cardId, path }),

  listAttempts: (cardId: string | null = null) =>
    invoke<AttemptSummary[]>("list_attempts", { cardId }),
  getAttempt: (id: number) => invoke<Attempt>("get_attempt", { id }),
  deleteAttempt: (id: number) => invoke<void>("delete_attempt", { id }),
  deleteAllData: () => invoke<void>("delete_all_data"),
  exportAttempt: (id: number, path: string) => invoke<void>("export_attempt", { id, path }),
  attemptAudio: (id: number) => invoke<string>("attempt_audio", { id }),

  listModels: () => invoke<ModelEntry[]>("list_models"),
  importModel: (dir: string, quantize: Quantize) =>
    invoke<ModelEntry>("import_model", { dir, quantize }),
  fetchModel: (name: string) => invoke<ModelEntry>("fetch_model", { name }),
  cancelFetch: () => invoke<void>("cancel_fetch"),
  setDefaultModel: (path: string) => invoke<void>("set_default_model", { path }),

  listRecoverable: () => invoke<Recoverable[]>("list_recoverable"),
  recoverRecording: (path: string, cardId: string) =>
    invoke<number>("recover_recording", { path, cardId }),
  discardRecording: (path: string) => invoke<void>("discard_recording", { path }),
};

export type Api = typeof api;

/** Subscribes to one backend event with its typed payload. */
export async function on<K extends EventName>(
  name: K,
  handler: (payload: EventMap[K]) => void,
): Promise<UnlistenFn> {
  return listen<EventMap[K]>(name, (event) => handler(event.payload));
}

/**
 * Subscribes to several events at once and returns one function that removes
 * them all. Safe to call the returned function before the subscriptions have
 * resolved (as a component's cleanup may).
 */
export function onMany(handlers: { [K in EventName]?: (payload: EventMap[K]) => void }): () => void {
  let disposed = false;
  const unlisteners: UnlistenFn[] = [];
  for (const [name, handler] of Object.entries(handlers)) {
    if (!handler) continue;
    on(name as EventName, handler as (p: unknown) => void).then(
      (un) => {
        if (disposed) un();
        else unlisteners.push(un);
      },
      () => {
        /* not inside the shell: no events */
      },
    );
  }
  return () => {
    disposed = true;
    for (const un of unlisteners.splice(0)) un();
  };
}

/** The user-facing message of a rejected command (the shell rejects with strings). */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === "object" && "message" in e) return String((e as { message: unknown }).message);
  return "Something went wrong.";
}

/**
 * Calls `apply` with attempt `id` read again each time the full pass after
 * Stop refines its report (`report-refined`); returns the unsubscribe. A
 * failed read keeps what is shown.
 */
export function onRefined(id: number, apply: (attempt: Attempt) => void): () => void {
  return onMany({
    "report-refined": (p) => {
      if (p.attemptId !== id) return;
      api.getAttempt(id).then(apply, () => {
        /* keep what is shown */
      });
    },
  });
}
