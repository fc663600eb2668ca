import "uplot/dist/uPlot.min.css";
import "./styles/app.css";
import { mount } from "svelte";
import App from "./App.svelte";

async function boot() {
  // Follow the system theme until the saved setting arrives (no flash of light).
  document.documentElement.dataset.theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  // The mock backend is compiled in only for e2e builds (`--mode e2e`) and the
  // dev server outside the shell; production builds drop this branch entirely.
  if (import.meta.env.VITE_MOCK_IPC === "1" || (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window))) {
    const { installMockBackend } = await import("./mock/backend");
    const q = new URLSearchParams(location.search);
    installMockBackend({ auto: q.get("auto") !== "0", recover: q.has("recover"), empty: q.has("empty") });
  }
  mount(App, { target: document.getElementById("app")! });
}

void boot();
