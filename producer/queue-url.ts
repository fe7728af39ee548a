import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access } from "node:fs/promises";
import * as path from "node:path";
import { DEFAULT_STATE_FILE, inspectStateFile, isAlive } from "../contracts/state-file";
import { ProducerArgsError } from "./args";

/** Where the producer sends, and how it found out. */
export interface QueueTarget {
  queueUrl: string;
  source: "--queue-url" | "$QUEUE_URL" | "pulumi stack output" | "embedded cloud";
  /** Set when the source also says where SQS listens (the embedded cloud's state file). */
  endpoint?: string;
  region?: string;
}

/** No source named a queue. The message lists every source tried, why each gave nothing, and how to give one. */
export class QueueNotFoundError extends Error {
  constructor(readonly tried: readonly string[]) {
    super(
      [
        "no queue to send to. Give one of:",
        "  --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue",
        "  QUEUE_URL=<url> in the environment",
        "  a deployed stack: `pulumi up`, then `pulumi stack output queueUrl` must answer",
        "  the embedded cloud: `npm run local -- up` in another terminal",
        "Tried, in order:",
        ...tried.map((line) => `  - ${line}`),
      ].join("\n"),
    );
    this.name = "QueueNotFoundError";
  }
}

/** The repository root: producer/ sits directly below it. */
const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface DiscoveryInputs {
  flag?: string;
  env?: NodeJS.ProcessEnv;
  /** Runs `pulumi stack output queueUrl`; undefined when the CLI is not on the PATH. Injected by tests. */
  pulumiQueueUrl?: () => Promise<PulumiAnswer>;
  stateFile?: string;
  /** Whether a process id is alive; injected by tests. */
  isRunning?: (pid: number) => boolean;
}

export type PulumiAnswer = { ok: true; queueUrl: string } | { ok: false; why: string };

/**
 * Finds the queue: --queue-url, then $QUEUE_URL, then `pulumi stack output queueUrl` when the Pulumi CLI
 * is on the PATH, then the running embedded cloud's .local/state.json. Throws QueueNotFoundError.
 */
export async function discoverQueue(inputs: DiscoveryInputs = {}): Promise<QueueTarget> {
  const env = inputs.env ?? process.env;
  const tried: string[] = [];
  if (inputs.flag) return { queueUrl: inputs.flag, source: "--queue-url" };
  tried.push("--queue-url: not given");

  const fromEnv = env.QUEUE_URL?.trim();
  if (fromEnv) {
    // Checked like --queue-url, so a typo is a usage error (exit 2) rather than five retries against nowhere.
    if (!/^https?:\/\/[^/\s]+/.test(fromEnv) || !URL.canParse(fromEnv)) {
      throw new ProducerArgsError(
        `invalid $QUEUE_URL "${fromEnv}": expected an http(s) URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue`,
      );
    }
    return { queueUrl: fromEnv, source: "$QUEUE_URL" };
  }
  tried.push("$QUEUE_URL: not set");

  const askPulumi = inputs.pulumiQueueUrl ?? (await pulumiOnPath(env)) ?? undefined;
  if (askPulumi) {
    const answer = await askPulumi();
    if (answer.ok) return { queueUrl: answer.queueUrl, source: "pulumi stack output" };
    tried.push(`pulumi stack output queueUrl: ${answer.why}`);
  } else {
    tried.push("pulumi stack output queueUrl: the pulumi CLI is not on the PATH");
  }

  // VEHICLE_PIPELINE_STATE_FILE points at another cloud's state (tests use it to stay clear of a cloud running in this checkout).
  const stateFile = inputs.stateFile ?? env.VEHICLE_PIPELINE_STATE_FILE ?? DEFAULT_STATE_FILE;
  const state = queueFromStateFile(stateFile, inputs.isRunning ?? isAlive);
  if (state.ok)
    return { queueUrl: state.queueUrl, source: "embedded cloud", endpoint: state.endpoint, region: state.region };
  const shown = path.relative(process.cwd(), stateFile);
  tried.push(`embedded cloud (${shown.startsWith("..") ? stateFile : shown}): ${state.why}`);

  throw new QueueNotFoundError(tried);
}

/** The running embedded cloud's queue, from its state file (see docs/CONTRACTS.md). */
function queueFromStateFile(
  file: string,
  isRunning: (pid: number) => boolean,
): { ok: true; queueUrl: string; endpoint?: string; region?: string } | { ok: false; why: string } {
  const answer = inspectStateFile(file, isRunning);
  if (!answer.ok) return answer;
  const { state } = answer;
  const queueUrl = state.outputs?.queueUrl;
  if (typeof queueUrl !== "string" || queueUrl === "")
    return { ok: false, why: "the state file has no outputs.queueUrl" };
  return {
    ok: true,
    queueUrl,
    endpoint: typeof state.endpoints?.sqs === "string" ? state.endpoints.sqs : undefined,
    region: typeof state.region === "string" ? state.region : undefined,
  };
}

/** Finds `pulumi` on the PATH and returns a function asking it for the stack's queueUrl, or undefined. */
export async function pulumiOnPath(
  env: NodeJS.ProcessEnv = process.env,
): Promise<(() => Promise<PulumiAnswer>) | undefined> {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        await access(candidate, fsConstants.X_OK);
        return () => askPulumiForQueueUrl(candidate, env);
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

function askPulumiForQueueUrl(executable: string, env: NodeJS.ProcessEnv): Promise<PulumiAnswer> {
  return new Promise((resolve) => {
    // Run from the project root so Pulumi finds Pulumi.yaml and the selected stack, wherever the user stands.
    execFile(
      executable,
      ["stack", "output", "queueUrl"],
      { cwd: PROJECT_ROOT, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        const url = stdout.trim();
        if (!error && url) return resolve({ ok: true, queueUrl: url });
        const why = (stderr.trim().split("\n").pop() ?? "").trim() || (error ? error.message : "printed nothing");
        resolve({ ok: false, why: `no answer (${why})` });
      },
    );
  });
}
