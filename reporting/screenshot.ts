import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { renderDashboardBody } from "../components";
import { OperatorError } from "../contracts";
import { startDashboardServer } from "../dashboard";
import type { PipelineNames } from "./queries";

export const DASHBOARD_SCREENSHOT = "dashboard.png";
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Flags for a headless run in CI containers: no sandbox (root), no GPU, nothing phoning home. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Chromium could not start: the message says how to get it, instead of Playwright's launch log. */
class ChromiumMissingError extends OperatorError {
  constructor(cause: unknown) {
    super(
      `cannot start Chromium at ${CHROMIUM_PATH} for --screenshot (${String((cause as Error)?.message ?? cause).split("\n")[0]})`,
      "install Debian's chromium package (as root: bash .ci/install-chromium.sh) or set CHROMIUM_PATH; " +
        "or leave out --screenshot",
      { cause },
    );
  }
}

export interface ScreenshotOptions {
  runDir: string;
  names: Pick<PipelineNames, "queueName" | "dlqName" | "functionName" | "tableName">;
  region: string;
  outFile: string;
  /** Upper bound on waiting for every widget to draw; not a measurement. */
  timeoutMs?: number;
}

/**
 * Draws the program's dashboard (the same body the CloudWatch dashboard gets, for the run's resource
 * names) over a finished run in headless Chromium and saves a full-page screenshot.
 */
export async function screenshotDashboard(options: ScreenshotOptions): Promise<string> {
  const body = await renderDashboardBody(
    {
      queueName: options.names.queueName,
      dlqName: options.names.dlqName,
      functionName: options.names.functionName,
      tableName: options.names.tableName,
    },
    options.region,
  );
  const server = await startDashboardServer({
    runDir: options.runDir,
    dashboardBody: body,
    port: 0,
    host: "127.0.0.1",
  });
  const { chromium } = await import("playwright-core");
  let browser: Browser | undefined;
  try {
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    } catch (error) {
      throw new ChromiumMissingError(error);
    }
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.url);
    await page.waitForFunction(
      (count) => {
        const widgets = [...document.querySelectorAll("section.widget")] as HTMLElement[];
        return widgets.length === count && widgets.every((w) => w.dataset.state !== undefined);
      },
      body.widgets.length,
      { timeout: options.timeoutMs ?? 60_000 },
    );
    mkdirSync(path.dirname(options.outFile), { recursive: true });
    await page.screenshot({ path: options.outFile, fullPage: true });
    return options.outFile;
  } finally {
    await browser?.close();
    await server.close();
  }
}
