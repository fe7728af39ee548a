import { existsSync, readFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { OperatorError } from "../contracts";
import { type DashboardWidget, parseDashboardBody } from "./body";
import { type RecordSource, runDirRecordSource } from "./record-source";
import { dashboardData, type PeriodOverride } from "./widget-data";

export interface DashboardServerOptions {
  /** The run folder to follow (or a function naming it, for a server started before the run). */
  runDir?: string | (() => string | undefined);
  /** Any other record source; exactly one of runDir and recordSource. */
  recordSource?: RecordSource;
  /** The CloudWatch dashboard body the program declares (JSON text or the parsed object). */
  dashboardBody: string | object;
  /** 0 or omitted: a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the page shows the pipeline's data and has no authentication. */
  host?: string;
}

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

/** The local dashboard cannot start or answer: a port in use, a missing vendor build, a bad period. */
class DashboardServerError extends OperatorError {}

const STATIC_DIR = path.join(__dirname, "static");
const STATIC_FILES: Record<string, string> = {
  "/": "index.html",
  "/static/dashboard.js": "dashboard.js",
  "/static/dashboard.css": "dashboard.css",
};
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The browser builds of vega and vega-lite, found by walking up to node_modules (their package exports hide build/). */
function vendorFile(name: "vega" | "vega-lite"): string {
  const relative = path.join("node_modules", name, "build", `${name}.min.js`);
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir)
      throw new DashboardServerError(`cannot find ${relative} above ${__dirname}: is ${name} installed?`);
  }
}

function parsePeriod(raw: string | null): PeriodOverride {
  if (raw === null || raw === "auto") return "auto";
  if (raw === "declared") return "declared";
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400)
    throw new DashboardServerError(`period must be auto, declared or whole seconds from 1 to 86400, got "${raw}"`);
  return seconds;
}

/**
 * Serves the local dashboard: GET / is the page, GET /api/series?period=auto|declared|<s> is every widget's
 * data from the record at that moment (the page polls it), GET /api/dashboard is the parsed body.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  if ((options.runDir === undefined) === (options.recordSource === undefined)) {
    throw new DashboardServerError("startDashboardServer needs exactly one of runDir and recordSource");
  }
  const widgets: DashboardWidget[] = parseDashboardBody(options.dashboardBody);
  const source = options.recordSource ?? runDirRecordSource(options.runDir!);
  const vendor: Record<string, string> = {
    "/vendor/vega.min.js": vendorFile("vega"),
    "/vendor/vega-lite.min.js": vendorFile("vega-lite"),
  };

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    try {
      if (request.method !== "GET") return send(405, "text/plain", "only GET");
      const staticName = STATIC_FILES[url.pathname];
      if (staticName)
        return send(200, CONTENT_TYPES[path.extname(staticName)]!, readFileSync(path.join(STATIC_DIR, staticName)));
      const vendorPath = vendor[url.pathname];
      if (vendorPath) return send(200, CONTENT_TYPES[".js"]!, readFileSync(vendorPath));
      if (url.pathname === "/api/dashboard") return send(200, "application/json", JSON.stringify({ widgets }));
      if (url.pathname === "/api/series") {
        let period: PeriodOverride;
        try {
          period = parsePeriod(url.searchParams.get("period"));
        } catch (error) {
          return send(400, "text/plain", (error as Error).message);
        }
        const snapshot = await source.read();
        const data = dashboardData(widgets, snapshot.metrics, period, snapshot.alarms);
        const run = snapshot.run
          ? { runId: snapshot.run.runId, startedAt: snapshot.run.startedAt, endedAt: snapshot.run.endedAt }
          : null;
        return send(200, "application/json", JSON.stringify({ run, ...data }));
      }
      return send(404, "text/plain", `not found: ${url.pathname}`);
    } catch (error) {
      return send(500, "text/plain", `dashboard error: ${(error as Error).message}`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new DashboardServerError(`port ${options.port} is already in use: pass another port, or 0 for a free one`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
