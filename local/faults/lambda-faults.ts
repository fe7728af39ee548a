import type { LambdaFaults } from "../lambda-service";
import { type FaultInjector, messageKey } from "./injector";

interface EventRecords {
  Records?: Array<{ messageId?: string; messageAttributes?: Record<string, { stringValue?: string }> }>;
}

function keysOf(event: object): string[] {
  return ((event as EventRecords).Records ?? []).map((r) => messageKey(r.messageId, r.messageAttributes));
}

/**
 * lambda-crash, lambda-init-fail and lambda-first-invoke-error, rolled by the Lambda service, with the messages each
 * one hit noted.
 */
export function lambdaFaultsOf(faults: FaultInjector): LambdaFaults {
  return {
    failInit: () => faults.roll("lambda-init-fail"),
    failFirstInvocation: () => faults.roll("lambda-first-invoke-error"),
    crash(event) {
      if (!faults.roll("lambda-crash")) return false;
      faults.note(keysOf(event), "lambda-crash");
      return true;
    },
    initFailed(event, error) {
      if (error.message.includes("fault injected")) faults.note(keysOf(event), "lambda-init-fail");
    },
    failed(event, outcome) {
      // A timeout here is what a slow PutItem (or anything slow) causes; the whole batch comes back.
      const what =
        outcome.kind === "timeout" ? "invocation timed out" : outcome.kind === "error" ? outcome.errorType : "";
      if (what) faults.note(keysOf(event), what);
    },
  };
}
