import type { FastifyInstance } from "fastify";
import type { PollerSqsApi } from "../event-source-mapping";
import type { LambdaServiceOptions } from "../lambda-service";
import type { RunRecorder } from "../recorder";
import { recordFaultMetrics } from "./fault-metrics";
import { FaultInjector, type FaultSettings } from "./injector";
import { lambdaFaultsOf } from "./lambda-faults";
import { injectedMakeVisible, type PollerFaultStats, withPollerFaults } from "./poller-faults";
import { type FaultKind, formatFaultSpec } from "./spec";

/** A slow PutItem is held this much longer than the longest function timeout. */
const SLOW_MARGIN_MS = 1000;

/**
 * The embedded cloud's fault injection, wired at the boundaries where AWS fails: fauxqs's request path, the DynamoDB
 * worker, the pollers' SQS calls and the Lambda runtime. The cloud keeps one of these per run.
 */
export class CloudFaults {
  readonly injector: FaultInjector;
  readonly pollerStats: PollerFaultStats = { redeliveries: 0 };

  constructor(settings: FaultSettings) {
    this.injector = new FaultInjector(settings);
  }

  /** What the DynamoDB worker needs: the rates and seed (it rolls its own dice) and where to report. */
  dynamoOptions(): { faults: FaultSettings; onFault: (kind: string) => void } {
    return { faults: this.injector.settings, onFault: (kind) => this.injector.count(kind as FaultKind) };
  }

  recordMetrics(recorder: RunRecorder | undefined, tableName: () => string | undefined): void {
    if (recorder) recordFaultMetrics(this.injector, recorder, tableName);
  }

  pollerApi(api: PollerSqsApi, app: FastifyInstance, host: string): PollerSqsApi {
    return withPollerFaults(api, this.injector, injectedMakeVisible(app, host), this.pollerStats);
  }

  /** The function runtime's fault hooks, and its log listener noting why the consumer failed a message. */
  runtimeOptions(): Pick<LambdaServiceOptions, "faults" | "onLog"> {
    return {
      faults: lambdaFaultsOf(this.injector),
      onLog: (record) => {
        if (record.outcome !== "failed" || typeof record.eventId !== "string") return;
        const reason = String(record.reason ?? "failed");
        this.injector.note([record.eventId], `consumer failure: ${reason.slice(0, 160)}`);
      },
    };
  }

  describe(): string {
    return `${formatFaultSpec(this.injector.settings.rates)}, seed ${this.injector.settings.seed}`;
  }

  slowMsFor(timeoutsSeconds: number[]): number {
    return Math.max(0, ...timeoutsSeconds) * 1000 + SLOW_MARGIN_MS;
  }
}
