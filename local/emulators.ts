import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

/** Credentials and region every SDK client aimed at an emulator must carry; the emulators ignore their values. */
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
export const LOCAL_REGION = "us-east-1";
/** fauxqs builds queue URLs and ARNs with this account id. */
export const LOCAL_ACCOUNT_ID = "000000000000";

export interface RunningEmulator {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** Thrown when an emulator cannot bind, with the port and what to do about it. */
export class EmulatorStartError extends Error {
  constructor(service: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const why =
      code === "EADDRINUSE"
        ? `port ${port} is already in use (another embedded cloud, or another program); pick another with --port or stop it`
        : String((cause as Error)?.message ?? cause);
    super(`cannot start the ${service} emulator on 127.0.0.1:${port}: ${why}`, { cause });
    this.name = "EmulatorStartError";
  }
}

/**
 * SQS on fauxqs, in this process, bound to loopback only. fauxqs's own startFauxqs() and CLI bind
 * 0.0.0.0, so we build its fastify app and listen ourselves. fauxqs is ESM-only: imported, not required.
 */
export async function startSqs(options: EmulatorOptions = {}): Promise<RunningEmulator & { app: import("fastify").FastifyInstance }> {
  const port = options.port ?? 0;
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false });
  try {
    await app.listen({ port, host: "127.0.0.1" });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new EmulatorStartError("SQS (fauxqs)", port, error);
  }
  const bound = (app.server.address() as AddressInfo).port;
  return {
    app,
    endpoint: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () => app.close(),
  };
}

export interface DynamoOptions extends EmulatorOptions {
  /** Keep tables in a LevelDB folder here instead of in memory. */
  path?: string;
}

/** DynamoDB on dynalite, in this process, bound to loopback only, with instant table creation. */
export async function startDynamo(options: DynamoOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  // dynalite ships no types; its factory returns a plain http.Server.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require("dynalite") as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new EmulatorStartError("DynamoDB (dynalite)", port, error)));
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
