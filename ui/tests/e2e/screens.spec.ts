// Screenshots of every screen in the light and the dark theme, saved to
// test-results/screenshots/ for review.
import { expect, test, type Page } from "@playwright/test";
import { emit, mockCalls, open, shot } from "./helpers";

async function screens(page: Page, theme: "light" | "dark") {
  await page.emulateMedia({ colorScheme: theme });

  await open(page, "/library");
  await expect(page.getByRole("list", { name: "Questions" }).getByRole("listitem")).toHaveCount(8);
  await shot(page, `${theme}-01-library`);

  await open(page, "/card/ship-fast-vs-quality");
  await expect(page.getByRole("heading", { name: "Key points" })).toBeVisible();
  await shot(page, `${theme}-02-card`);

  await open(page, "/card/ship-fast-vs-quality/edit");
  await expect(page.getByLabel("Title")).toHaveValue(/Shipping fast/);
  await shot(page, `${theme}-03-card-edit`);

  await open(page, "/practice/ship-fast-vs-quality");
  await expect(page.getByRole("button", { name: /Start recording/ })).toBeEnabled();
  await shot(page, `${theme}-04-practice-ready`);
  await page.keyboard.press("Space");
  await expect(page.locator(".countdown .digit")).toBeVisible();
  await page.screenshot({ path: `test-results/screenshots/${theme}-05-practice-countdown.png` });
  await expect.poll(async () => (await mockCalls(page)).some((c) => c.cmd === "start_recording")).toBe(true);
  await emit(page, "recording-level", { elapsedS: 97.4, rmsDb: -19, peakDb: -9 });
  await expect(page.getByTestId("timer")).toHaveClass(/tone-ok/);
  await shot(page, `${theme}-06-practice-recording`);
  await page.keyboard.press("Space");
  await expect(page.getByRole("heading", { name: "Analysing your answer…" })).toBeVisible();
  await emit(page, "analysis-progress", { attemptId: 5, stage: "transcribe", fraction: 0.62 });
  await shot(page, `${theme}-07-analysing`);

  await open(page, "/report/4");
  await expect(page.getByTestId("transcript")).toContainText("checkout");
  await expect(page.locator(".uplot")).toHaveCount(1);
  await shot(page, `${theme}-08-report`);

  await open(page, "/report/1");
  await expect(page.getByTestId("transcript")).toContainText("checkout");
  await shot(page, `${theme}-09-report-delivery-only`);

  await open(page, "/replay/4?t=30.5");
  await expect(page.getByRole("button", { name: /Play|Pause/ })).toBeEnabled({ timeout: 10_000 });
  await page.waitForTimeout(600);
  await page.keyboard.press("Space");
  await page.waitForTimeout(200);
  if ((await page.getByTestId("player").getAttribute("data-playing")) === "true") await page.keyboard.press("Space");
  await shot(page, `${theme}-10-replay`);

  await open(page, "/progress");
  await expect(page.locator(".uplot")).toHaveCount(3);
  await shot(page, `${theme}-11-progress`);
  await page.getByLabel("Question", { exact: true }).selectOption("ship-fast-vs-quality");
  const boxes = page.getByRole("region", { name: "Attempts", exact: true }).getByRole("checkbox");
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page.getByRole("region", { name: /Comparing/ })).toContainText("Key points covered");
  await shot(page, `${theme}-12-progress-compare`);

  await open(page, "/settings");
  await expect(page.getByTestId("data-dir")).toContainText("rehearse");
  await shot(page, `${theme}-13-settings`);

  await open(page, "/library", "auto=0&recover=1");
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.screenshot({ path: `test-results/screenshots/${theme}-14-recovery.png` });
}

test("screenshots, light theme", async ({ page }) => {
  test.setTimeout(90_000);
  await screens(page, "light");
});

test("screenshots, dark theme", async ({ page }) => {
  test.setTimeout(90_000);
  await screens(page, "dark");
});
