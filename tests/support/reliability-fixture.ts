import type { MetricLine, RunInfo } from "../../contracts";
import type { ReliabilityInput } from "../../reporting/reliability";

/**
 * Two small campaign runs in the record format (docs/CONTRACTS.md): a fault-free baseline and a run with throttles
 * and slow writes, with the numbers a reader can check by hand. Not evidence: RELIABILITY.md comes from real runs.
 */

const T = 1_796_000_000;
const service = { service: "vehicle-consumer" };

function counter(namespace: string, metric: string, dimensions: Record<string, string>, perSecond: number[]) {
  return perSecond
    .map((value, i): MetricLine => ({ t: T + i, namespace, metric, dimensions, unit: "Count", values: [value] }))
    .filter((line) => line.values[0]! > 0);
}

function verification(overrides: Record<string, unknown> = {}) {
  return {
    ok: true,
    sent: 100,
    valid: 97,
    invalid: 3,
    storedCorrectly: 97,
    deadLetteredCorrectly: 3,
    deadLetteredAfterReceives: 0,
    extraDlqCopies: 0,
    lost: 0,
    duplicated: 0,
    mismatched: 0,
    misrouted: 0,
    unexpected: 0,
    leftInQueue: 0,
    dlqByCode: { INVALID_JSON: 3 },
    ...overrides,
  };
}

function run(runId: string, extra: Partial<RunInfo>): RunInfo {
  return {
    runId,
    lambda: { invocations: 12, errors: 0, coldStarts: 4 },
    latency: { count: 97, p50: 100, p90: 180, p99: 250, max: 300 },
    timings: { produceMs: 4_000, drainMs: 1_000 },
    ...extra,
  };
}

export function baselineInput(): ReliabilityInput {
  return {
    name: "baseline",
    run: run("run-baseline", { faults: null, verification: verification() }),
    // 97 stored over 4 seconds.
    metrics: counter("VehiclePipeline", "VehiclesStored", service, [20, 30, 30, 17]),
  };
}

export function faultedInput(): ReliabilityInput {
  return {
    name: "ddb-slow",
    note: "two kinds at once",
    load: [1.5, 2],
    run: run("run-faulted", {
      lambda: { invocations: 14, errors: 1, coldStarts: 5 },
      latency: { count: 97, p50: 400, p99: 9_000 },
      timings: { produceMs: 4_000, drainMs: 11_000 },
      faults: {
        spec: "ddb-slow=0.02,ddb-throttle=0.03",
        injected: { "ddb-slow": 2, "ddb-throttle": 3 },
        caused: { putItemCallsPerStoredItem: 1.052, batchItemFailures: 2, redeliveries: 2, timeouts: 0 },
      },
      verification: verification({ extraDlqCopies: 1, dlqByCode: { INVALID_JSON: 3, "(none)": 1 } }),
    }),
    metrics: [
      // 95 stored in the first 4 seconds, the 2 slowed writes' retries meet the condition 10 s later.
      ...counter("VehiclePipeline", "VehiclesStored", service, [20, 30, 30, 15]),
      ...counter("VehiclePipeline", "DuplicatesSkipped", service, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]),
      ...counter("VehiclePipeline", "TransientFailures", service, [0, 1, 1]),
      ...counter("EmbeddedCloud/Faults", "FaultsInjected", { Kind: "ddb-throttle" }, [1, 2]),
      ...counter("EmbeddedCloud/Faults", "FaultsInjected", { Kind: "ddb-slow" }, [0, 1, 1]),
    ],
  };
}
