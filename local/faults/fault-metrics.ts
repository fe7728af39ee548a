import { FAULTS_DIMENSION, FAULTS_METRIC, FAULTS_NAMESPACE } from "../../contracts";
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
  for (const kind of faults.kinds)
    recorder.declare(count(FAULTS_NAMESPACE, FAULTS_METRIC, { [FAULTS_DIMENSION]: kind }), "counter");
  if (faults.enabled("ddb-throttle")) recorder.declare(count("AWS/DynamoDB", "UserErrors", {}), "counter");
  return faults.onFault((kind: FaultKind, n: number) => {
    recorder.count(count(FAULTS_NAMESPACE, FAULTS_METRIC, { [FAULTS_DIMENSION]: kind }), n);
    const table = tableName();
    if (!table) return;
    if (kind === "ddb-throttle") {
      recorder.count(count("AWS/DynamoDB", "ThrottledRequests", { TableName: table, Operation: "PutItem" }), n);
      recorder.count(count("AWS/DynamoDB", "WriteThrottleEvents", { TableName: table }), n);
      recorder.count(count("AWS/DynamoDB", "UserErrors", {}), n);
    } else if (kind === "ddb-5xx") {
      recorder.count(count("AWS/DynamoDB", "SystemErrors", { TableName: table, Operation: "PutItem" }), n);
    }
  });
}
