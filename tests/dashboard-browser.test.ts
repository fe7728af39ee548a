import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type DashboardBody, renderDashboardBody } from "../components/dashboard-widgets";
import { type DashboardServer, startDashboardServer } from "../dashboard";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../reporting/screenshot";
import { SAMPLE_NAMES, sampleRun } from "./support/sample-run";

/**
 * The local dashboard in real headless Chromium (Debian's, see .ci/install-chromium.sh), drawing the
 * program's own dashboard body (components/dashboard-widgets.ts, the JSON the CloudWatch dashboard gets)
 * over a sample record with the same resource names: the page loads, every widget draws data, and new
 * lines appended to the record show up without a reload.
 */

const SCREENSHOT = path.join(__dirname, "..", ".build", "dashboard.png");
// Generous: the CI machine is loaded. These bound waiting for a condition, they assert no timing.
const WAIT_MS = 60_000;

interface Context {
  dir: string;
  body?: DashboardBody;
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
  writeFileSync(path.join(context.dir, "metrics.jsonl"), `${firstHalf.map((m) => JSON.stringify(m)).join("\n")}\n`);
  writeFileSync(
    path.join(context.dir, "run.json"),
    JSON.stringify({ runId: sample.run.runId, startedAt: sample.run.startedAt }),
  );
  context.body = await renderDashboardBody(SAMPLE_NAMES, "us-east-1");
  context.server = await startDashboardServer({
    runDir: context.dir,
    dashboardBody: context.body,
    port: 0,
    host: "127.0.0.1",
  });
  context.browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  context.page = await context.browser.newPage({ viewport: { width: 1400, height: 900 } });
});

browserTest.after(async (context) => {
  await context.browser?.close();
  await context.server?.close();
  rmSync(context.dir, { recursive: true, force: true });
});

async function widgetStates(
  page: Page,
): Promise<{ title: string; kind: string; state: string; points: number; svgs: number }[]> {
  return page.$$eval("section.widget", (elements) =>
    elements.map((e) => ({
      title: e.querySelector("h2")?.textContent ?? "",
      kind: (e as HTMLElement).dataset.kind ?? "",
      state: (e as HTMLElement).dataset.state ?? "",
      points: Number((e as HTMLElement).dataset.points ?? 0),
      svgs: e.querySelectorAll(".body svg").length,
    })),
  );
}

const widgetByTitle = (title: string) => `section.widget:has(h2:text-is(${JSON.stringify(title)}))`;

browserTest(
  "the page draws every widget of the program's dashboard with data from the record",
  async ({ server, page, body }) => {
    const errors: string[] = [];
    page!.on("pageerror", (error) => errors.push(error.message));
    const response = await page!.goto(server!.url);
    assert.is(response?.status(), 200);
    const expected = body!.widgets.length;
    await page!.waitForFunction(
      (count) => {
        const widgets = [...document.querySelectorAll("section.widget")] as HTMLElement[];
        return (
          widgets.length === count && widgets.every((w) => w.dataset.state === "ok" || w.dataset.state === "static")
        );
      },
      expected,
      { timeout: WAIT_MS },
    );
    const states = await widgetStates(page!);
    assert.equal(
      states.map((s) => s.kind),
      body!.widgets.map((w) => (w.type === "text" ? "text" : w.properties.view === "singleValue" ? "single" : "chart")),
    );
    for (const s of states.filter((s) => s.kind === "chart")) {
      assert.ok(s.points > 0, `"${s.title}" has data points`);
      assert.is(s.svgs, 1, `"${s.title}" drew one svg`);
    }
    // Three series (sent, received, deleted), one point per second of the record (period "auto" on a short run).
    const messages = states.find((s) => s.title === "Messages sent, received, deleted")!;
    assert.is(messages.points, 3 * new Set(firstHalf.map((m) => m.t)).size);
    assert.match((await page!.textContent("section.widget[data-kind='text']")) ?? "", /Queue \(SQS\)/);
    assert.equal(errors, []);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page!.screenshot({ path: SCREENSHOT, fullPage: true });
  },
);

browserTest("lines appended to the record appear without a reload", async ({ dir, page }) => {
  const selector = widgetByTitle("Messages sent, received, deleted");
  const before = Number(await page!.getAttribute(selector, "data-points"));
  appendFileSync(path.join(dir, "metrics.jsonl"), `${secondHalf.map((m) => JSON.stringify(m)).join("\n")}\n`);
  await page!.waitForFunction(
    ([title, previous]) => {
      const widget = [...document.querySelectorAll("section.widget")].find(
        (w) => w.querySelector("h2")?.textContent === title,
      ) as HTMLElement | undefined;
      return Number(widget?.dataset.points) > previous;
    },
    ["Messages sent, received, deleted", before] as const,
    { timeout: WAIT_MS },
  );
  // A single value is the statistic over the trailing declared period: the DLQ's depth at the end of the sample.
  const dlqDepth = await page!.textContent(`${widgetByTitle("Dead-letter queue: messages visible")} .value`);
  assert.is(dlqDepth?.replace(/,/g, ""), String((sample.run.producer as { invalid: number }).invalid));
});

browserTest.run();
