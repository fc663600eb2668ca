import { expect, type Page } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";

export const SHOTS = path.resolve(import.meta.dirname, "../../test-results/screenshots");

/** Opens the app at a route with the mock backend in test-driven mode. */
export async function open(page: Page, route = "/library", query = "auto=0") {
  await page.goto(`/?${query}#${route}`);
  await expect(page.locator("nav[aria-label='Main']")).toBeVisible();
}

export async function emit(page: Page, name: string, payload: unknown) {
  await page.evaluate(
    ([n, p]) => (window as unknown as { __rehearseMock: { emit: (n: string, p: unknown) => Promise<void> } }).__rehearseMock.emit(n as string, p),
    [name, payload] as const,
  );
}

export async function mockCalls(page: Page): Promise<{ cmd: string; args: Record<string, unknown> }[]> {
  return page.evaluate(() => (window as unknown as { __rehearseMock: { calls: { cmd: string; args: Record<string, unknown> }[] } }).__rehearseMock.calls);
}

export async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  // Let charts, transitions and fonts settle.
  await page.waitForTimeout(350);
  // The page scrolls inside <main>: grow the viewport to show all of it.
  const size = page.viewportSize() ?? { width: 1320, height: 860 };
  const h = await page.evaluate(() => document.querySelector("main")?.scrollHeight ?? 0);
  if (h > size.height) {
    await page.setViewportSize({ width: size.width, height: Math.min(h, 4000) });
    await page.waitForTimeout(300);
  }
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.setViewportSize(size);
}
