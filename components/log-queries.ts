import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Outcome } from "../handlers/consumer";

/**
 * A saved CloudWatch Logs Insights query over the consumer's log group. The consumer logs one Powertools JSON line
 * per record (handlers/consumer.ts) with `outcome`, `code` (invalid only), `reason`, `messageId`, `eventId` and
 * `vehicleId`; Logs Insights discovers those fields itself because Powertools writes bare JSON lines and the function
 * uses the Text log format, under which Lambda's own REPORT lines get the discovered @duration fields.
 */
export interface ConsumerLogQuery {
  key: "validation-failures-by-reason" | "slowest-batches" | "duplicates-over-time";
  title: string;
  queryString: string;
}

// Typed against the consumer's Outcome, so renaming an outcome there breaks the build here instead of a query.
const INVALID: Outcome = "invalid";
const DUPLICATE: Outcome = "duplicate";

/** The saved queries, most useful first. */
export function consumerLogQueries(): ConsumerLogQuery[] {
  return [
    {
      key: "validation-failures-by-reason",
      title: "Validation failures by reason",
      // `code` is the stable ValidationErrorCode; `reason` is the sentence, shown once per code as an example.
      queryString: [
        `filter outcome = "${INVALID}"`,
        "| stats count(*) as failures, latest(reason) as exampleReason by code",
        "| sort failures desc",
      ].join("\n"),
    },
    {
      key: "slowest-batches",
      title: "Slowest batches (Lambda REPORT lines)",
      // One invocation is one batch; its REPORT line carries the duration, billing, memory and cold-start init time.
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
