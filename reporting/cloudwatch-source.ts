import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { OperatorError } from "../contracts";
import type { SeriesPoint } from "../metrics";
import type { MetricsSource, SeriesQuery, TimeRange } from "./queries";

/** GetMetricData takes at most 500 queries per call. */
const MAX_QUERIES_PER_CALL = 500;

/** CloudWatch refused or failed a read; the message says which call and why. */
export class CloudWatchReadError extends OperatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "check the region and that these credentials may call cloudwatch:GetMetricData", options);
  }
}

/** CloudWatch's SEARCH syntax quotes with double quotes inside a single-quoted expression string. */
function quote(value: string): string {
  return `"${value.replace(/"/g, '\\"')}"`;
}

/**
 * One report query as a GetMetricData query. A query pooling a dimension (ValidationFailures over every
 * Reason) becomes SUM(SEARCH(...)), the metric-math form of "all values of that dimension"; SUM of a
 * percentile would be meaningless, so pooling is only allowed for Sum and SampleCount.
 */
export function toMetricDataQuery(query: SeriesQuery, period: number): MetricDataQuery {
  if (query.pooledDimensions && query.pooledDimensions.length > 0) {
    if (query.stat !== "Sum" && query.stat !== "SampleCount") {
      throw new CloudWatchReadError(
        `${query.id}: pooling ${query.pooledDimensions.join(", ")} needs Sum or SampleCount, not ${query.stat}`,
      );
    }
    const schema = [query.namespace, ...Object.keys(query.dimensions), ...query.pooledDimensions]
      .map((k) => (/^[\w/.-]+$/.test(k) ? k : quote(k)))
      .join(",");
    const filters = [
      `MetricName=${quote(query.metric)}`,
      ...Object.entries(query.dimensions).map(([k, v]) => `${k}=${quote(v)}`),
    ].join(" ");
    return {
      Id: query.id,
      Expression: `SUM(SEARCH('{${schema}} ${filters}', '${query.stat}', ${period}))`,
      Period: period,
      ReturnData: true,
    };
  }
  return {
    Id: query.id,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metric,
        Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: query.stat,
    },
    ReturnData: true,
  };
}

/** A deployed stack's metrics, turned into the same series shape the local record gives. */
export class CloudWatchMetricsSource implements MetricsSource {
  readonly kind = "CloudWatch";

  constructor(private readonly client: CloudWatchClient) {}

  private async fetch(
    queries: readonly SeriesQuery[],
    range: TimeRange,
    period: number,
  ): Promise<Record<string, SeriesPoint[]>> {
    const out: Record<string, SeriesPoint[]> = Object.fromEntries(queries.map((q) => [q.id, []]));
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) {
      const chunk = queries.slice(i, i + MAX_QUERIES_PER_CALL).map((q) => toMetricDataQuery(q, period));
      let nextToken: string | undefined;
      do {
        let response: GetMetricDataCommandOutput;
        try {
          response = await this.client.send(
            new GetMetricDataCommand({
              MetricDataQueries: chunk,
              StartTime: new Date(range.start * 1000),
              EndTime: new Date(range.end * 1000),
              ScanBy: "TimestampAscending",
              NextToken: nextToken,
            }),
          );
        } catch (error) {
          throw new CloudWatchReadError(`GetMetricData failed: ${(error as Error).message}`, { cause: error });
        }
        for (const result of response.MetricDataResults ?? []) {
          if (!result.Id || !(result.Id in out)) continue;
          const timestamps = result.Timestamps ?? [];
          const values = result.Values ?? [];
          for (let k = 0; k < Math.min(timestamps.length, values.length); k++) {
            out[result.Id]!.push({ t: Math.floor(new Date(timestamps[k]!).getTime() / 1000), value: values[k]! });
          }
        }
        nextToken = response.NextToken;
      } while (nextToken);
    }
    for (const points of Object.values(out)) points.sort((a, b) => a.t - b.t);
    return out;
  }

  series(queries: readonly SeriesQuery[], range: TimeRange, period: number): Promise<Record<string, SeriesPoint[]>> {
    return this.fetch(queries, range, period);
  }

  /** One period spanning the whole range (rounded up to whole minutes, as CloudWatch requires). */
  async totals(queries: readonly SeriesQuery[], range: TimeRange): Promise<Record<string, number | undefined>> {
    const period = Math.max(60, Math.ceil((range.end - range.start) / 60) * 60);
    const series = await this.fetch(queries, { start: range.start, end: range.start + period }, period);
    const out: Record<string, number | undefined> = {};
    for (const q of queries) {
      const points = series[q.id] ?? [];
      // A range that straddles a bucket boundary comes back in two: additive statistics add up, the others take the larger part's value.
      if (points.length === 0) out[q.id] = undefined;
      else if (q.stat === "Sum" || q.stat === "SampleCount") out[q.id] = points.reduce((n, p) => n + p.value, 0);
      else if (q.stat === "Maximum") out[q.id] = Math.max(...points.map((p) => p.value));
      else if (q.stat === "Minimum") out[q.id] = Math.min(...points.map((p) => p.value));
      else out[q.id] = points[0]!.value;
    }
    return out;
  }
}
