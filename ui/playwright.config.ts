import { defineConfig } from "@playwright/test";

// Runs against the production build compiled with the in-memory mock backend
// (`vite build --mode e2e`), served by `vite preview`. Uses Debian's Chromium.
export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/artifacts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [["list"]],
  use: {
    baseURL: "http://127.0.0.1:4174",
    viewport: { width: 1320, height: 860 },
    colorScheme: "light",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--autoplay-policy=no-user-gesture-required",
        // The media clock follows the audio sink: a stalled or half-dead sound
        // server on the host (CI runs these after the app's audio tests) froze
        // playback at its first buffer. A fake sink runs on the wall clock.
        "--disable-audio-output",
      ],
    },
  },
  webServer: {
    command: "npx vite build --mode e2e --outDir dist-e2e --emptyOutDir && npx vite preview --outDir dist-e2e --port 4174 --strictPort --host 127.0.0.1",
    url: "http://127.0.0.1:4174",
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
