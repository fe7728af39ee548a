/**
 * How a command finds one of the stack's queues, by its stack output name: the flag, then the environment variable,
 * then the stack's output of that name (`pulumi stack output --json`) when the Pulumi CLI is on the PATH, then the
 * running embedded cloud's state file. The producer asks for queueUrl, `npm run dlq` for dlqUrl (and queueUrl, for the redrive's destination).
 */
import * as path from "node:path";
import { UsageError } from "./cli-errors";
import { parseUrl } from "./flag-values";
import { askStackOutputs, findPulumi } from "./stack-outputs";
import { DEFAULT_STATE_FILE, type EmbeddedCloudState, inspectStateFile, isAlive } from "./state-file";

/** A stack output naming a queue, which the embedded cloud's state file carries too (docs/CONTRACTS.md). */
export type QueueOutput = "queueUrl" | "dlqUrl";

/** How the user names each queue. */
const QUEUE_SOURCES: Record<QueueOutput, { flag: string; env: string; what: string; example: string }> = {
  queueUrl: {
    flag: "--queue-url",
    env: "QUEUE_URL",
    what: "vehicle queue",
    example: "https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue",
  },
  dlqUrl: {
    flag: "--dlq-url",
    env: "DLQ_URL",
    what: "dead-letter queue",
    example: "https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-dlq",
  },
};

/** FoundQueue.source when the embedded cloud's state file named the queue. */
export const EMBEDDED_CLOUD_SOURCE = "embedded cloud";

/** A queue, and how it was found. */
export interface FoundQueue {
  url: string;
  /** `--queue-url`, `$DLQ_URL`, `pulumi stack output` or `embedded cloud`. */
  source: string;
  /** Set when the source also says where SQS listens and in which region (the embedded cloud's state file). */
  endpoint?: string;
  region?: string;
  /** The embedded cloud's principals' keys, from its state file. */
  credentials?: EmbeddedCloudState["credentials"];
}

/** No source named the queue. The message lists every source tried, why each gave nothing, and how to give one. */
export class QueueNotFoundError extends UsageError {
  constructor(
    output: QueueOutput,
    readonly tried: readonly string[],
  ) {
    const { flag, env, what, example } = QUEUE_SOURCES[output];
    super(
      [
        `no ${what}. Give one of:`,
        `  ${flag} ${example}`,
        `  ${env}=<url> in the environment`,
        `  a deployed stack: \`pulumi up\`, then \`pulumi stack output ${output}\` must answer`,
        "  the embedded cloud: `npm run local -- up` in another terminal",
        "Tried, in order:",
        ...tried.map((line) => `  - ${line}`),
      ].join("\n"),
    );
  }
}

export type PulumiAnswer = { ok: true; url: string } | { ok: false; why: string };

export type AskPulumi = (output: QueueOutput) => Promise<PulumiAnswer>;

export interface DiscoveryInputs {
  /** Which queue (default queueUrl). */
  output?: QueueOutput;
  /** The flag's value, already checked by the command line. */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Asks the deployed stack for an output; default: the pulumi on the PATH, if any (pulumiOnPath). A command finding
   * both queues passes one, so Pulumi is asked once. Injected by tests.
   */
  askPulumi?: AskPulumi;
  /** Default: $VEHICLE_PIPELINE_STATE_FILE (tests point it at another cloud's), else this checkout's. */
  stateFile?: string;
  /** Whether a process id is alive; injected by tests. */
  isRunning?: (pid: number) => boolean;
}

/** Finds the queue; throws QueueNotFoundError, or a UsageError when the environment variable is not a URL. */
export async function discoverQueue(inputs: DiscoveryInputs = {}): Promise<FoundQueue> {
  const output = inputs.output ?? "queueUrl";
  const { flag, env: envName, example } = QUEUE_SOURCES[output];
  const env = inputs.env ?? process.env;
  const tried: string[] = [];
  if (inputs.flag) return { url: inputs.flag, source: flag };
  tried.push(`${flag}: not given`);

  const fromEnv = env[envName]?.trim();
  // Checked like the flag, so a typo is a usage error rather than retries against nowhere.
  if (fromEnv) return { url: parseUrl(fromEnv, `$${envName}`, example), source: `$${envName}` };
  tried.push(`$${envName}: not set`);

  const askPulumi = inputs.askPulumi ?? (await pulumiOnPath(env));
  if (askPulumi) {
    const answer = await askPulumi(output);
    if (answer.ok) return { url: answer.url, source: "pulumi stack output" };
    tried.push(`pulumi stack output ${output}: ${answer.why}`);
  } else {
    tried.push(`pulumi stack output ${output}: the pulumi CLI is not on the PATH`);
  }

  const stateFile = inputs.stateFile ?? env.VEHICLE_PIPELINE_STATE_FILE ?? DEFAULT_STATE_FILE;
  const state = queueFromStateFile(stateFile, inputs.isRunning ?? isAlive, output);
  if (state.ok) return state.queue;
  const shown = path.relative(process.cwd(), stateFile);
  tried.push(`embedded cloud (${shown.startsWith("..") ? stateFile : shown}): ${state.why}`);

  throw new QueueNotFoundError(output, tried);
}

/** A queue of the running embedded cloud, from its state file, with the cloud's SQS endpoint and region. */
function queueFromStateFile(
  file: string,
  isRunning: (pid: number) => boolean,
  output: QueueOutput,
): { ok: true; queue: FoundQueue } | { ok: false; why: string } {
  const answer = inspectStateFile(file, isRunning);
  if (!answer.ok) return answer;
  const { state } = answer;
  const url = state.outputs?.[output];
  if (typeof url !== "string" || url === "") return { ok: false, why: `the state file has no outputs.${output}` };
  return {
    ok: true,
    queue: {
      url,
      source: EMBEDDED_CLOUD_SOURCE,
      endpoint: typeof state.endpoints?.sqs === "string" ? state.endpoints.sqs : undefined,
      region: typeof state.region === "string" ? state.region : undefined,
      ...(state.credentials ? { credentials: state.credentials } : {}),
    },
  };
}

/**
 * Finds `pulumi` on the PATH and returns a function asking the selected stack for an output, or undefined. The
 * stack's outputs are read once (`pulumi stack output --json`), however many outputs are asked for.
 */
export async function pulumiOnPath(env: NodeJS.ProcessEnv = process.env): Promise<AskPulumi | undefined> {
  const executable = await findPulumi(env);
  if (!executable) return undefined;
  let outputs: ReturnType<typeof askStackOutputs> | undefined;
  return async (output) => {
    outputs ??= askStackOutputs(executable, { env });
    const answer = await outputs;
    if (!answer.ok) return answer;
    const url = answer.outputs[output];
    return typeof url === "string" && url !== ""
      ? { ok: true, url }
      : { ok: false, why: `the stack has no output ${output}` };
  };
}
