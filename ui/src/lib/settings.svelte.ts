// App-wide settings: loaded once, saved through the shell, theme applied to <html>.
import { api, errorMessage } from "./api";
import type { Settings, Theme } from "./types";

export const DEFAULT_SETTINGS: Settings = {
  inputDevice: null,
  paceBand: [120, 160],
  hideKeyPointsUntilFirstAttempt: false,
  liveAnalysis: true,
  theme: "system",
  llm: { enabled: false, baseUrl: "http://localhost:11434/v1", model: "", apiKeyEnv: null },
  dataDir: "",
};

class SettingsStore {
  value = $state<Settings>(structuredClone(DEFAULT_SETTINGS));
  loaded = $state(false);
  error = $state<string | null>(null);
  systemDark = $state(false);

  get resolvedTheme(): "light" | "dark" {
    const t = this.value.theme;
    return t === "system" ? (this.systemDark ? "dark" : "light") : t;
  }

  async load() {
    try {
      this.value = await api.getSettings();
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  /** Saves a change; the shell's answer becomes the new value. Throws the user message. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    const next: Settings = { ...$state.snapshot(this.value), ...patch };
    const saved = await api.saveSettings(next);
    this.value = saved;
    return saved;
  }

  setTheme(theme: Theme) {
    return this.update({ theme });
  }
}

export const settings = new SettingsStore();

/** Follows the system colour scheme and applies the resolved theme to <html>. */
export function watchTheme(): () => void {
  const mq = window.matchMedia("(prefers-color-scheme: dark)");
  settings.systemDark = mq.matches;
  const onChange = (e: MediaQueryListEvent) => (settings.systemDark = e.matches);
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}
