import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BATCH_SUMMARY_MESSAGE, type RecordOutcome } from "../contracts";

/**
 * A saved CloudWatch Logs Insights query over the consumer's log group. The consumer logs one Powertools JSON line
 * per record (handlers/consumer.ts) with `outcome`, `code` (invalid only), `reason`, `messageId`, `eventId` and
 * `vehicleId`, and one "batch processed" line per invocation with the batch's counts and `durationMs`. Logs Insights
 * discovers those fields itself because Powertools writes bare JSON lines; the function uses the Text log format,
 * under which Lambda's own REPORT lines get the discovered @duration fields.
 */
export interface ConsumerLogQuery {
  key: "validation-failures-by-reason" | "slowest-batches" | "slowest-invocations" | "duplicates-over-time";
  title: string;
  queryString: string;
}

// Typed against the consumer's RecordOutcome, so renaming an outcome breaks the build here instead of a query.
const INVALID: RecordOutcome = "invalid";
const DUPLICATE: RecordOutcome = "duplicate";

/** The saved queries, most useful first. */
export function consumerLogQueries(): ConsumerLogQuery[] {
  return [
    {
      key: "validation-failures-by-reason",
      title: "Validation failures by reason",
      // `code` is the stable RejectionCode; `reason` is the sentence, shown once per code as an example.
      queryString: [
        `filter outcome = "${INVALID}"`,
        "| stats count(*) as failures, latest(reason) as exampleReason by code",
        "| sort failures desc",
      ].join("\n"),
    },
    {
      key: "slowest-batches",
      title: "Slowest batches",
      // The consumer's one summary line per invocation: how many records the batch held, what became of them, and
      // how long the handler took; function_request_id leads to the batch's other lines and its REPORT line.
      queryString: [
        `filter message = "${BATCH_SUMMARY_MESSAGE}"`,
        "| fields @timestamp, function_request_id, records, stored, duplicates, invalid, failed, durationMs, cold_start",
        "| sort durationMs desc",
        "| limit 25",
      ].join("\n"),
    },
    {
      key: "slowest-invocations",
      title: "Slowest invocations (Lambda REPORT lines)",
      // Lambda's own line per invocation: duration as billed, peak memory and, on a cold start, the init time.
      queryString: [
        'filter @type = "REPORT"',
        "| fields @timestamp, @requestId, @duration, @billedDuration, @maxMemoryUsed, @initDuration",
        "| sort @duration desc",
        "| limit 25",
      ].join("\n"),
    },
    {
      key: "duplicates-over-time",
      title: "Duplicates over time",
      // Redeliveries and producer retries: a rise means visibility timeouts expiring or a producer resending.
      queryString: [
        `filter outcome = "${DUPLICATE}"`,
        "| stats count(*) as duplicates by bin(1m) as minute",
        "| sort minute asc",
      ].join("\n"),
    },
  ];
}

export interface LogQueriesArgs {
  /** The consumer's log group (MonitoredFunction.logGroup.name): every query is scoped to it alone. */
  logGroupName: pulumi.Input<string>;
  /** Folder shown in the Logs Insights "Saved queries" list; defaults to `<project>-<stack>` so stacks stay apart. */
  folder?: string;
}

/** The consumer's saved Logs Insights queries, filed under one folder. */
export class LogQueries extends pulumi.ComponentResource {
  readonly queries: Record<ConsumerLogQuery["key"], aws.cloudwatch.QueryDefinition>;

  constructor(name: string, args: LogQueriesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vehicle-pipeline:observability:LogQueries", name, {}, opts);
    const folder = args.folder ?? `${pulumi.getProject()}-${pulumi.getStack()}`;
    const queries: Partial<Record<ConsumerLogQuery["key"], aws.cloudwatch.QueryDefinition>> = {};
    for (const query of consumerLogQueries()) {
      queries[query.key] = new aws.cloudwatch.QueryDefinition(
        `${name}-${query.key}`,
        {
          // A "/" in the name files the query in a folder in the console.
          name: `${folder}/${query.title}`,
          logGroupNames: [args.logGroupName],
          queryString: query.queryString,
        },
        { parent: this },
      );
    }
    this.queries = queries as Record<ConsumerLogQuery["key"], aws.cloudwatch.QueryDefinition>;
    this.registerOutputs({});
  }
}
