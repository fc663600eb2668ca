/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The shell's Content-Security-Policy. e2e builds carry it in a <meta> so the
// tests fail on anything the real app would block.
export const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: asset: http://asset.localhost; " +
  "media-src 'self' asset: http://asset.localhost blob:";

const cspMeta = (mode: string): Plugin => ({
  name: "rehearse-csp-meta",
  transformIndexHtml(html) {
    if (mode !== "e2e") return html;
    return html.replace("<head>", `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`);
  },
});

// Tauri serves the built files itself; relative paths keep them working from
// any origin (tauri://, http://tauri.localhost, or vite preview).
export default defineConfig(({ mode }) => ({
  base: "./",
  plugins: [svelte(), cspMeta(mode)],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  test: {
    environment: "happy-dom",
    include: ["tests/unit/**/*.test.ts"],
    pool: "threads",
    maxWorkers: 1,
  },
}));
