import { type CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import {
  askStackOutputs,
  CONSUMER_METRICS,
  CONSUMER_NAMESPACE,
  CONSUMER_SERVICE_NAME,
  findPulumi,
  OperatorError,
  VALIDATION_CODES,
} from "../contracts";
import { CloudWatchMetricsSource } from "./cloudwatch-source";
import type { PipelineNames } from "./queries";
import { collectReportData, type ReportData, type ReportSettings } from "./report-data";

/** The deployed stack's outputs could not be read, or lack a resource name the report needs. */
export class StackOutputsError extends OperatorError {
  constructor(message: string) {
    super(message, "pass --queue-name, --dlq-name, --function-name and --table-name instead");
  }
}

const nameFromUrl = (url: unknown): string | undefined =>
  typeof url === "string" ? url.slice(url.lastIndexOf("/") + 1) : undefined;

/** queueUrl, dlqUrl, functionName, tableName from `pulumi stack output --json` (index.ts exports them). */
export function namesFromStackOutputs(
  outputs: Record<string, unknown>,
): Pick<PipelineNames, "queueName" | "dlqName" | "functionName" | "tableName"> {
  const names = {
    queueName: nameFromUrl(outputs.queueUrl),
    dlqName: nameFromUrl(outputs.dlqUrl),
    functionName: typeof outputs.functionName === "string" ? outputs.functionName : undefined,
    tableName: typeof outputs.tableName === "string" ? outputs.tableName : undefined,
  };
  const missing = Object.entries(names)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0)
    throw new StackOutputsError(
      `the stack outputs lack ${missing.join(", ")} (expected queueUrl, dlqUrl, functionName, tableName)`,
    );
  return names as Pick<PipelineNames, "queueName" | "dlqName" | "functionName" | "tableName">;
}

/** The outputs of a deployed stack, from the Pulumi CLI on the PATH. */
export async function readStackOutputs(
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, unknown>> {
  const pulumi = await findPulumi(env);
  const answer = pulumi
    ? await askStackOutputs(pulumi, { stack, env })
    : { ok: false as const, why: "the pulumi CLI is not on the PATH" };
  if (answer.ok) return answer.outputs;
  throw new StackOutputsError(`could not read the outputs of stack "${stack}" with the Pulumi CLI: ${answer.why}`);
}

/** Distinct series in the consumer's namespace (billed custom metrics); undefined when ListMetrics is not allowed. */
async function countCustomMetrics(client: CloudWatchClient): Promise<number | undefined> {
  try {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await client.send(new ListMetricsCommand({ Namespace: CONSUMER_NAMESPACE, NextToken: token }));
      count += page.Metrics?.length ?? 0;
      token = page.NextToken;
    } while (token);
    return count;
  } catch {
    return undefined;
  }
}

export interface CloudWatchReportOptions {
  client: CloudWatchClient;
  names: Pick<PipelineNames, "queueName" | "dlqName" | "functionName" | "tableName">;
  region: string;
  start: Date;
  end: Date;
  period: number;
  settings: ReportSettings;
  settingsSource: string;
  origin: string;
}

/** The consumer's series when every validation reason has occurred: one per metric, ValidationFailures per Reason. */
const ASSUMED_CUSTOM_METRICS = Object.keys(CONSUMER_METRICS).length - 1 + VALIDATION_CODES.length;

export async function cloudWatchReportData(options: CloudWatchReportOptions): Promise<ReportData> {
  const names: PipelineNames = { ...options.names, service: CONSUMER_SERVICE_NAME, namespace: CONSUMER_NAMESPACE };
  const warnings = [
    "Log excerpts are not read from CloudWatch Logs by this command; the stack's saved Logs Insights queries " +
      "show validation failures, slowest batches and duplicates.",
  ];
  const counted = await countCustomMetrics(options.client);
  if (counted === undefined)
    warnings.push(
      `ListMetrics was refused, so the custom-metric count for the cost estimate assumes ${ASSUMED_CUSTOM_METRICS} ` +
        "series (every consumer metric, ValidationFailures once per validation reason): an upper bound.",
    );
  const range = { start: Math.floor(options.start.getTime() / 1000), end: Math.ceil(options.end.getTime() / 1000) };
  return collectReportData({
    source: new CloudWatchMetricsSource(options.client),
    origin: options.origin,
    runId: `${options.names.functionName}@${options.start.toISOString()}`,
    range,
    period: options.period,
    names,
    region: options.region,
    settings: options.settings,
    settingsSource: options.settingsSource,
    customMetricCount: counted ?? ASSUMED_CUSTOM_METRICS,
    warnings,
  });
}
