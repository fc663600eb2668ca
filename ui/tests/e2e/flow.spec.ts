import { expect, test } from "@playwright/test";
import { emit, mockCalls, open } from "./helpers";

test("library → card → practise → analysis → report → replay", async ({ page }) => {
  await open(page);
  await expect(page.getByRole("heading", { name: "Library" })).toBeVisible();
  const cards = page.getByRole("list", { name: "Questions" }).getByRole("listitem");
  await expect(cards).toHaveCount(8);

  // search, then category filter
  await page.keyboard.press("/");
  await expect(page.getByLabel("Search questions")).toBeFocused();
  await page.keyboard.type("quality");
  await expect(cards).toHaveCount(1);
  await page.getByLabel("Search questions").fill("");
  await page.getByLabel("Category").selectOption("conflict");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("Conflict with a teammate");
  await page.getByLabel("Category").selectOption("");
  await page.getByLabel("Search questions").fill("ship fast");
  const ship = cards.filter({ hasText: "Shipping fast" });
  await expect(ship).toContainText("3 attempts");
  await expect(ship).toContainText("Best 78");
  await ship.getByRole("link").click();

  // question card
  await expect(page).toHaveURL(/#\/card\/ship-fast-vs-quality$/);
  await expect(page.getByRole("heading", { name: "Why interviewers ask it" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Key points" })).toBeVisible();
  await expect(page.getByText("Triages risk by user impact and reversibility")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Sample outline" })).toBeVisible();
  await page.getByRole("link", { name: /Practise/ }).click();

  // practice: Space starts the countdown, then recording
  await expect(page).toHaveURL(/#\/practice\/ship-fast-vs-quality$/);
  await expect(page.getByRole("heading", { name: /balance shipping quickly/ })).toBeVisible();
  await page.getByRole("combobox", { name: "Microphone" }).selectOption("usb-1");
  await page.keyboard.press("Space");
  await expect(page.getByRole("status").filter({ hasText: "Recording starts in" })).toBeVisible();
  await expect.poll(async () => (await mockCalls(page)).some((c) => c.cmd === "start_recording")).toBe(true);
  const start = (await mockCalls(page)).find((c) => c.cmd === "start_recording")!;
  expect(start.args).toEqual({ cardId: "ship-fast-vs-quality", deviceId: "usb-1" });

  for (const [t, db] of [[0.5, -40], [30, -22], [60, -18]] as const) {
    await emit(page, "recording-level", { elapsedS: t, rmsDb: db, peakDb: db + 6 });
  }
  await expect(page.getByRole("meter", { name: "Input level" })).toHaveAttribute("aria-valuenow", "-18");
  await expect(page.getByTestId("timer")).toHaveText(/^1:0[01]$/);
  await expect(page.getByTestId("timer")).toHaveClass(/tone-under/);
  await emit(page, "recording-level", { elapsedS: 95, rmsDb: -20, peakDb: -10 });
  await expect(page.getByTestId("timer")).toHaveClass(/tone-ok/);
  await expect(page.getByText("In the target range")).toBeVisible();
  await emit(page, "recording-level", { elapsedS: 155, rmsDb: -20, peakDb: -10 });
  await expect(page.getByTestId("timer")).toHaveClass(/tone-over/);
  await expect(page.getByText(/Over by 0:0\d: time to wrap up/)).toBeVisible();

  await page.keyboard.press("Space");
  await expect(page.getByRole("heading", { name: "Analysing your answer…" })).toBeVisible();
  const id = await page.evaluate(() => (window as unknown as { __rehearseMock: { lastAttemptId: () => number } }).__rehearseMock.lastAttemptId());
  await emit(page, "analysis-progress", { attemptId: id, stage: "decode", fraction: 1 });
  await emit(page, "analysis-progress", { attemptId: id, stage: "transcribe", fraction: 0.5 });
  const bar = page.getByRole("progressbar", { name: "Analysis progress" });
  await expect(bar).toHaveAttribute("aria-valuenow", "30");
  await expect(page.locator("li[aria-current='step']")).toContainText("Transcribing");
  await emit(page, "analysis-progress", { attemptId: id, stage: "critique", fraction: 0.5 });
  await emit(page, "analysis-done", { attemptId: id });

  // report
  await expect(page).toHaveURL(new RegExp(`#/report/${id}$`));
  await expect(page.getByTestId("transcript")).toContainText("I owned the checkout service");
  await expect(page.getByTestId("fig-pace")).toContainText("157");
  await expect(page.getByTestId("fig-pace")).toContainText("Inside your band");
  await expect(page.getByRole("img", { name: "Overall score: 78 out of 100" })).toBeVisible();
  await expect(page.getByText("4 of 5 covered")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Top fixes" })).toBeVisible();
  await expect(page.getByRole("group", { name: "STAR parts along the answer" }).getByRole("button")).toHaveCount(4);
  await expect(page.locator(".transcript .w.filler")).not.toHaveCount(0);
  await expect(page.locator(".transcript .acoustic")).toHaveText("(um)");
  await expect(page.locator(".transcript .pause.long")).toContainText("2.6 s");
  await expect(page.locator(".transcript .w.hedge")).toHaveCount(2);

  // key-point evidence → replay at that moment
  const evidence = page.getByRole("button", { name: /We shipped on time, and conversion went up by 4%/ }).first();
  await expect(evidence).toContainText("0:42");
  await evidence.click();
  await expect(page).toHaveURL(new RegExp(`#/replay/${id}\\?t=42\\.07$`));
  const player = page.getByTestId("player");
  await expect.poll(async () => Number(await player.getAttribute("data-current-time")), { timeout: 10_000 }).toBeGreaterThan(41.5);
  await expect.poll(async () => Number(await player.getAttribute("data-current-time"))).toBeLessThan(46);
  await expect(page.locator(".transcript .w.current")).toHaveCount(1);
});

test("the replay obeys Space and the arrow keys, and clicking a word seeks", async ({ page }) => {
  await open(page, "/replay/4");
  const player = page.getByTestId("player");
  const time = async () => Number(await player.getAttribute("data-current-time"));
  await expect(page.getByRole("button", { name: "Play" })).toBeEnabled({ timeout: 10_000 });

  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect.poll(time).toBeCloseTo(10, 0);
  await page.keyboard.press("ArrowLeft");
  await expect.poll(time).toBeCloseTo(5, 0);

  await page.keyboard.press("Space");
  await expect(player).toHaveAttribute("data-playing", "true");
  // Headless Chromium's media clock can take a few seconds to start on a
  // cold audio pipeline (seen in CI after the app's window tests).
  await expect.poll(time, { timeout: 15_000 }).toBeGreaterThan(5.3);
  await page.keyboard.press("Space");
  await expect(player).toHaveAttribute("data-playing", "false");

  await page.getByRole("radio", { name: "1.5×" }).click();
  await expect(page.getByRole("radio", { name: "1.5×" })).toHaveAttribute("aria-checked", "true");

  await page.locator(".transcript .w", { hasText: "canary" }).click();
  await expect.poll(time).toBeGreaterThan(31);
  await expect(page.locator(".transcript .w.current")).toHaveText("canary");
  // after clicking a word, Space still plays rather than re-clicking the word
  await page.keyboard.press("Space");
  await expect(player).toHaveAttribute("data-playing", "true");
  await page.keyboard.press("Space");
});

test("a report without critic parts still renders, with clear placeholders", async ({ page }) => {
  await open(page, "/report/1");
  await expect(page.getByRole("img", { name: "Overall score: not analysed" })).toBeVisible();
  await expect(page.getByText("Content has not been analysed for this attempt.").first()).toBeVisible();
  await expect(page.getByText("Structure has not been analysed for this attempt.")).toBeVisible();
  await expect(page.getByText(/coach's summary is not available/)).toBeVisible();
  await expect(page.getByTestId("score-delivery")).toContainText("68");
  await expect(page.getByTestId("transcript")).toContainText("checkout service");
});

test("progress shows attempts, charts and a side-by-side comparison", async ({ page }) => {
  await open(page, "/progress");
  await expect(page.getByRole("heading", { name: "Progress" })).toBeVisible();
  await expect(page.locator(".uplot")).toHaveCount(3);
  const rows = page.getByRole("region", { name: "Attempts", exact: true }).locator("tbody tr");
  await expect(rows).toHaveCount(4);
  await page.getByLabel("Question", { exact: true }).selectOption("ship-fast-vs-quality");
  await expect(page).toHaveURL(/progress\?card=ship-fast-vs-quality/);
  await expect(page.getByRole("region", { name: "Attempts", exact: true }).locator("tbody tr")).toHaveCount(3);
  const boxes = page.getByRole("checkbox");
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByRole("button", { name: "Compare" }).click();
  const cmp = page.getByRole("region", { name: /Comparing two attempts/ });
  await expect(cmp).toBeVisible();
  await expect(cmp.getByRole("row", { name: /^Overall/ })).toContainText("64");
  await expect(cmp.getByRole("row", { name: /^Overall/ })).toContainText("78");
  await expect(cmp.getByRole("row", { name: /^Overall/ })).toContainText("+14");
  await expect(cmp.getByRole("row", { name: /Key points covered/ })).toContainText("2 of 5");
  await expect(cmp.getByRole("row", { name: /Key points covered/ })).toContainText("4 of 5");
});

test("the new attempt shows up in Progress after practising", async ({ page }) => {
  await open(page, "/practice/conflict-with-peer", "auto=1");
  await page.getByRole("button", { name: /Start recording/ }).click();
  await expect(page.getByRole("button", { name: /Stop/ })).toBeVisible({ timeout: 5000 });
  await page.waitForTimeout(400);
  await page.getByRole("button", { name: /Stop/ }).click();
  await expect(page).toHaveURL(/#\/report\/\d+$/, { timeout: 10_000 });
  await page.getByRole("link", { name: "Progress" }).click();
  const rows = page.getByRole("region", { name: "Attempts", exact: true }).locator("tbody tr");
  await expect(rows).toHaveCount(5);
  await expect(rows.filter({ hasText: "Conflict with a teammate" })).toHaveCount(2);
});

test("live captions, the filler counter and the pace show while recording", async ({ page }) => {
  await open(page, "/practice/ship-fast-vs-quality", "auto=1");
  await page.getByRole("button", { name: /Start recording/ }).click();
  await expect(page.getByRole("button", { name: /Stop/ })).toBeVisible({ timeout: 5000 });
  await expect(page.getByTestId("live-caption")).toContainText("checkout flow", { timeout: 10_000 });
  await expect(page.getByTestId("live-fillers")).toContainText("1");
  await expect(page.getByTestId("live-pace")).toContainText("150");
  await page.getByRole("button", { name: /Stop/ }).click();
  await expect(page).toHaveURL(/#\/report\/\d+$/, { timeout: 10_000 });
  // The full pass after Stop then replaces the report in place, and says so.
  const source = page.getByTestId("transcript-source");
  await expect(source).toHaveText("Transcribed live while you spoke.");
  await expect(source).toHaveText(/Refined after Stop by a full pass .* changed 1 word of the live transcript/, { timeout: 10_000 });
  await expect(page).toHaveURL(/#\/report\/\d+$/);
});

test("a rushing pace gets a nudge; a decoder that falls behind says so", async ({ page }) => {
  await open(page, "/practice/ship-fast-vs-quality");
  await page.getByRole("button", { name: /Start recording/ }).click();
  await expect(page.getByRole("button", { name: /Stop/ })).toBeVisible({ timeout: 5000 });
  await emit(page, "live-update", {
    elapsedS: 20,
    transcribedS: 12,
    lagS: 8,
    caption: "we moved fast",
    committedCount: 3,
    newCommitted: [],
    tentative: [],
    fillers: 4,
    wpm: 210,
    bandWpm: [130, 170],
    pace: "rushing",
    degraded: true,
  });
  await expect(page.getByRole("status").filter({ hasText: "A little fast" })).toBeVisible();
  await expect(page.getByTestId("live-degraded")).toBeVisible();
  await expect(page.getByTestId("live-fillers")).toContainText("4");
  await expect(page.getByTestId("live-pace")).toContainText("210");
});

test("Escape cancels a recording; a lost microphone keeps the audio", async ({ page }) => {
  await open(page, "/practice/ship-fast-vs-quality");
  await page.keyboard.press("Space");
  await expect.poll(async () => (await mockCalls(page)).some((c) => c.cmd === "start_recording")).toBe(true);
  await emit(page, "recording-level", { elapsedS: 3, rmsDb: -20, peakDb: -10 });
  await page.keyboard.press("Escape");
  await expect.poll(async () => (await mockCalls(page)).some((c) => c.cmd === "cancel_recording")).toBe(true);
  await expect(page.getByText("Recording cancelled and discarded.")).toBeVisible();

  await page.keyboard.press("Space");
  await expect.poll(async () => (await mockCalls(page)).filter((c) => c.cmd === "start_recording").length).toBe(2);
  await emit(page, "recording-level", { elapsedS: 41, rmsDb: -20, peakDb: -10 });
  await emit(page, "recording-stopped", { reason: "device-lost", message: "USB Headset was unplugged.", path: "/data/rec/partial.wav" });
  const alert = page.getByRole("alert").filter({ hasText: "microphone was disconnected" });
  await expect(alert).toContainText("Your audio up to this point is kept");
  await expect(alert).toContainText("USB Headset was unplugged.");
  await alert.getByRole("button", { name: "Analyse what was recorded" }).click();
  await expect(page.getByRole("heading", { name: "Analysing your answer…" })).toBeVisible();
  const rec = (await mockCalls(page)).find((c) => c.cmd === "recover_recording")!;
  expect(rec.args).toEqual({ path: "/data/rec/partial.wav", cardId: "ship-fast-vs-quality" });
});

test("settings save the pace band and the theme", async ({ page }) => {
  await open(page, "/settings");
  await expect(page.getByTestId("data-dir")).toContainText("/home/sam/.local/share/rehearse");
  const lo = page.getByLabel("Lowest words per minute");
  const hi = page.getByLabel("Highest words per minute");
  await lo.fill("170");
  await lo.press("Tab");
  await expect(page.getByText("The low end must be below the high end.")).toBeVisible();
  await lo.fill("110");
  await hi.fill("150");
  await hi.press("Tab");
  await expect(page.getByRole("status").filter({ hasText: "Pace band saved" })).toBeVisible();
  const band = await page.evaluate(() => (window as unknown as { __rehearseMock: { settings: () => { paceBand: number[] } } }).__rehearseMock.settings().paceBand);
  expect(band).toEqual([110, 150]);

  await page.getByText("Dark", { exact: true }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByText("System", { exact: true }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");

  await page.getByLabel("Hide key points until my first attempt").check();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __rehearseMock: { settings: () => { hideKeyPointsUntilFirstAttempt: boolean } } }).__rehearseMock.settings().hideKeyPointsUntilFirstAttempt)).toBe(true);
  await page.goto("/?auto=0#/card/mentored-someone");
  await expect(page.getByText("Hidden until your first attempt")).toBeVisible();

  // model download with progress
  await page.goto("/?auto=0#/settings");
  await page.getByRole("button", { name: "Download" }).click();
  await expect(page.getByRole("progressbar", { name: "Download progress" })).toBeVisible();
  await expect(page.getByText("Downloaded ggml-base.en.bin.")).toBeVisible({ timeout: 8000 });
});

test("start-up offers to analyse or discard recordings cut short", async ({ page }) => {
  await open(page, "/library", "auto=0&recover=1");
  const dlg = page.getByRole("dialog", { name: "Recover unfinished recordings" });
  await expect(dlg).toBeVisible();
  await expect(dlg.getByRole("listitem")).toHaveCount(2);
  await dlg.getByRole("listitem").nth(1).getByRole("button", { name: "Analyse" }).click();
  await expect(dlg.getByText("Choose the question this recording answers.")).toBeVisible();
  await dlg.getByRole("listitem").nth(1).getByRole("button", { name: "Discard" }).click();
  await expect(dlg.getByRole("listitem")).toHaveCount(1);
  await dlg.getByRole("button", { name: "Analyse" }).click();
  await expect(dlg).toBeHidden();
  await expect(page).toHaveURL(/#\/analysis\/\d+\?card=ship-fast-vs-quality/);
});

test("a new card is validated before it is saved", async ({ page }) => {
  await open(page, "/card/new");
  await page.getByRole("button", { name: "Create card" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please fix" })).toBeVisible();
  await expect(page.getByLabel("Title")).toBeFocused();
  await page.getByLabel("Title").fill("Handling an outage at 3 am");
  await expect(page.getByLabel("Card id")).toHaveValue("handling-an-outage-at-3-am");
  await page.getByLabel("Question").fill("Tell me about a time you handled an outage in the night.");
  await page.getByRole("textbox", { name: "Key point 1" }).fill("Communicates status early and often");
  await page.getByRole("button", { name: "Add mistake" }).click();
  await page.getByRole("textbox", { name: "Mistake 1" }).fill("Blames");
  await expect(page.getByText("Use a full phrase, not a single word.")).toBeVisible();
  await page.getByRole("textbox", { name: "Mistake 1" }).fill("Blames other people for the outage");
  await page.getByRole("button", { name: "Create card" }).click();
  await expect(page).toHaveURL(/#\/card\/handling-an-outage-at-3-am$/);
  await expect(page.getByText("Communicates status early and often")).toBeVisible();
  const save = (await mockCalls(page)).find((c) => c.cmd === "save_card")!;
  expect((save.args.card as { key_points: { id: string }[] }).key_points[0].id).toBe("communicates-status-early-and");
});

test("no screen breaks the app's Content-Security-Policy or logs errors", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await open(page, "/library");
  const csp = await page.locator("meta[http-equiv='Content-Security-Policy']").getAttribute("content");
  expect(csp).toContain("default-src 'self'");
  for (const route of ["/card/ship-fast-vs-quality", "/card/new", "/practice/ship-fast-vs-quality", "/report/4", "/report/1", "/progress", "/settings"]) {
    await page.goto(`/?auto=0#${route}`);
    await expect(page.locator("main h1").first()).toBeVisible();
  }
  await page.goto("/?auto=0#/replay/4");
  await expect(page.getByRole("button", { name: "Play" })).toBeEnabled({ timeout: 10_000 });
  await page.waitForTimeout(300);
  expect(problems).toEqual([]);
});

test("the replay still plays, with an approximate waveform, when the audio cannot be fetched for decoding", async ({ page }) => {
  // In the shell a CSP without connect-src for the asset protocol blocks
  // wavesurfer's fetch while <audio> may still play the file.
  await page.route("**/*.ogg", (route) => (route.request().resourceType() === "fetch" ? route.abort() : route.continue()));
  await open(page, "/replay/4");
  await expect(page.getByTestId("approx-wave")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Play" })).toBeEnabled();
  await page.keyboard.press("ArrowRight");
  await expect.poll(async () => Number(await page.getByTestId("player").getAttribute("data-current-time"))).toBeCloseTo(5, 0);
});
