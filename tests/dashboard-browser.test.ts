import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDashboardServer, type DashboardServer } from "../local/dashboard";
import { sampleDashboardBody, sampleRun } from "../report/sample-run";

/**
 * The local dashboard in real headless Chromium (Debian's, see .ci/install-chromium.sh): the page loads,
 * every widget draws data from the record, and new lines appended to the record show up without a reload.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = path.join(__dirname, "..", ".build", "dashboard.png");
// Generous: the CI machine is loaded. These bound waiting for a condition, they assert no timing.
const WAIT_MS = 60_000;

interface Context {
  dir: string;
  server?: DashboardServer;
  browser?: Browser;
  page?: Page;
}

const browserTest = suite<Context>("dashboard in headless Chromium", { dir: "" });
const sample = sampleRun();
const firstHalf = sample.metrics.filter((m) => m.t < sample.metrics[0]!.t + 8);
const secondHalf = sample.metrics.filter((m) => m.t >= sample.metrics[0]!.t + 8);

browserTest.before(async (context) => {
  context.dir = mkdtempSync(path.join(tmpdir(), "dashboard-browser-"));
  writeFileSync(path.join(context.dir, "metrics.jsonl"), firstHalf.map((m) => JSON.stringify(m)).join("\n") + "\n");
  writeFileSync(path.join(context.dir, "run.json"), JSON.stringify({ runId: sample.run.runId, startedAt: sample.run.startedAt }));
  context.server = await startDashboardServer({ runDir: context.dir, dashboardBody: sampleDashboardBody(), port: 0, host: "127.0.0.1" });
  context.browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  context.page = await context.browser.newPage({ viewport: { width: 1400, height: 900 } });
});

browserTest.after(async (context) => {
  await context.browser?.close();
  await context.server?.close();
  rmSync(context.dir, { recursive: true, force: true });
});

async function widgetStates(page: Page): Promise<{ index: string; kind: string; state: string; points: number; svgs: number }[]> {
  return page.$$eval("section.widget", (elements) =>
    elements.map((e) => ({
      index: (e as HTMLElement).dataset.widgetIndex ?? "",
      kind: (e as HTMLElement).dataset.kind ?? "",
      state: (e as HTMLElement).dataset.state ?? "",
      points: Number((e as HTMLElement).dataset.points ?? 0),
      svgs: e.querySelectorAll(".body svg").length,
    })),
  );
}

browserTest("the page draws every widget with data from the record", async ({ server, page }) => {
  const errors: string[] = [];
  page!.on("pageerror", (error) => errors.push(error.message));
  const response = await page!.goto(server!.url);
  assert.is(response?.status(), 200);
  await page!.waitForFunction(
    () => {
      const widgets = [...document.querySelectorAll("section.widget")] as HTMLElement[];
      return widgets.length === 6 && widgets.every((w) => w.dataset.state === "ok" || w.dataset.state === "static");
    },
    undefined,
    { timeout: WAIT_MS },
  );
  const states = await widgetStates(page!);
  assert.equal(states.map((s) => s.kind), ["text", "chart", "chart", "chart", "single", "chart"]);
  for (const s of states.filter((s) => s.kind === "chart")) {
    assert.ok(s.points > 0, `widget ${s.index} has data points`);
    assert.is(s.svgs, 1, `widget ${s.index} drew one svg`);
  }
  // The Messages widget draws three series of one point per second (period "auto" on a short run).
  assert.is(states[1]!.points, 3 * new Set(firstHalf.map((m) => m.t)).size);
  assert.match(await page!.textContent("section.widget[data-widget-index='0']") ?? "", /Vehicle pipeline/);
  assert.equal(errors, []);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page!.screenshot({ path: SCREENSHOT, fullPage: true });
});

browserTest("lines appended to the record appear without a reload", async ({ dir, page }) => {
  const before = (await widgetStates(page!))[1]!.points;
  appendFileSync(path.join(dir, "metrics.jsonl"), secondHalf.map((m) => JSON.stringify(m)).join("\n") + "\n");
  await page!.waitForFunction(
    (previous) => Number((document.querySelector("section.widget[data-widget-index='1']") as HTMLElement).dataset.points) > previous,
    before,
    { timeout: WAIT_MS },
  );
  const stored = await page!.textContent("section.widget[data-widget-index='4'] .value");
  assert.is(stored, String(sample.run.verification!.stored)); // 418: below 1000, printed without separators
});

browserTest.run();
