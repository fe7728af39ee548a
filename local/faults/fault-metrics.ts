import { DYNAMODB_METRICS, FAULT_METRICS } from "../../contracts";
import type { RunRecorder, SeriesKey } from "../recorder";
import type { FaultInjector } from "./injector";
import type { FaultKind } from "./spec";

const count = (namespace: string, metric: string, dimensions: Record<string, string>): SeriesKey => ({
  namespace,
  metric,
  dimensions,
  unit: "Count",
});

/**
 * Every injected fault as FaultsInjected{Kind}, and the AWS metrics it moves as AWS would: a throttled PutItem in
 * ThrottledRequests (TableName, Operation), WriteThrottleEvents and UserErrors; a 500 in SystemErrors. Lambda's
 * Errors for crashes and failed inits are counted by the function runtime like any failed invocation.
 */
export function recordFaultMetrics(faults: FaultInjector, recorder: RunRecorder, tableName: () => string | undefined) {
  const injected = (kind: string) =>
    count(FAULT_METRICS.namespace, FAULT_METRICS.injected, { [FAULT_METRICS.kindDimension]: kind });
  const dynamo = (metric: string, dimensions: Record<string, string>) =>
    count(DYNAMODB_METRICS.namespace, metric, dimensions);
  for (const kind of faults.kinds) recorder.declare(injected(kind), "counter");
  if (faults.enabled("ddb-throttle")) recorder.declare(dynamo(DYNAMODB_METRICS.userErrors, {}), "counter");
  return faults.onFault((kind: FaultKind, n: number) => {
    recorder.count(injected(kind), n);
    const table = tableName();
    if (!table) return;
    if (kind === "ddb-throttle") {
      recorder.count(dynamo(DYNAMODB_METRICS.throttledRequests, { TableName: table, Operation: "PutItem" }), n);
      recorder.count(dynamo(DYNAMODB_METRICS.writeThrottleEvents, { TableName: table }), n);
      recorder.count(dynamo(DYNAMODB_METRICS.userErrors, {}), n);
    } else if (kind === "ddb-5xx") {
      recorder.count(dynamo(DYNAMODB_METRICS.systemErrors, { TableName: table, Operation: "PutItem" }), n);
    }
  });
}
