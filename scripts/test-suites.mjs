// Which test files (uvu suites) belong to which tier, which of them share an expensive setup when they run in the
// same process, and how long each takes on a two-core machine when .build/test-times.json has no measurement yet.
// `npm test` runs both tiers; `npm run test:unit` runs the first. Every file in tests/ must be in exactly one list:
// scripts/test.mjs fails the run otherwise, so a new suite cannot drop out of a tier unnoticed.

/**
 * The edit loop (`npm run test:unit`): suites that start nothing. No emulator (fauxqs, dynalite), no embedded cloud
 * or pipeline, no run of Pulumi's language host, no Chromium, no child process of ours (a fake `pulumi` shell script
 * aside). The dev stack synthesized in-process under Pulumi's mocks is allowed: it is how the infrastructure is unit
 * tested, and every suite that needs it shares one synthesis per process.
 */
export const UNIT_SUITES = [
  "adapters.test.ts",
  "architecture.test.ts",
  "config.test.ts",
  "contracts-kernel.test.ts",
  "contracts-queue-discovery.test.ts",
  "controlplane-alarms.test.ts",
  "controlplane-iam.test.ts",
  "controlplane-preflight.test.ts",
  "controlplane-wire-errors.test.ts",
  "dashboard-aggregate.test.ts",
  "dashboard-alarms.test.ts",
  "dashboard-faults.test.ts",
  "dashboard-stack.test.ts",
  "engine-compile-cache.test.ts",
  "faults-spec.test.ts",
  "handlers-item.test.ts",
  "handlers-rules.test.ts",
  "handlers-vehicle.test.ts",
  "infra-consumer-archive.test.ts",
  "infra-function.test.ts",
  "infra-iam.test.ts",
  "infra-queue.test.ts",
  "infra-table.test.ts",
  "local-batch-reader-scaling.test.ts",
  "local-iam-units.test.ts",
  "local-units.test.ts",
  "observability-alarms.test.ts",
  "observability-dashboard.test.ts",
  "observability-log-queries.test.ts",
  "producer-args.test.ts",
  "producer-messages.test.ts",
  "producer-rate.test.ts",
  "readme.test.ts",
  "report-cloudwatch.test.ts",
  "report-generate.test.ts",
  "report-pure.test.ts",
  "report-reliability.test.ts",
];

/** What a unit suite's source may not use: the ways in to everything the unit tier leaves out. */
export const NOT_IN_UNIT =
  /\b(startSqs|startDynamo|startLocalSqs|startConsumerWorld|consumerSuite|EmbeddedCloud|runPipeline|synthesizeStack|deployDeadLetterCloud|devUpdate|synthesizeWithLanguageHost|playwright-core|node:child_process)\b/;

/** The rest of `npm test`: emulators, the embedded cloud, the language host, child processes, the browser. */
export const INTEGRATION_SUITES = [
  "artifact-consumer.test.ts",
  "controlplane-preview.test.ts",
  "dashboard-browser.test.ts",
  "dlq-cli.test.ts",
  "dlq-commands.test.ts",
  "dlq-pipeline.test.ts",
  "dlq-reason-messages.test.ts",
  "dlq-rejected-once.test.ts",
  "engine-language-host.test.ts",
  "engine-units.test.ts",
  "faults-clients.test.ts",
  "faults-esm.test.ts",
  "faults-pipeline.test.ts",
  "handlers-consumer.test.ts",
  "handlers-dead-letter-once.test.ts",
  "handlers-deadline.test.ts",
  "handlers-serialized.test.ts",
  "infra-config.test.ts",
  "local-cloud.test.ts",
  "local-iam-access.test.ts",
  "local-iam-pipeline.test.ts",
  "local-lifecycle.test.ts",
  "local-runtime.test.ts",
  "local-sqs-fidelity.test.ts",
  "local-sqs-journal.test.ts",
  "observability-infra.test.ts",
  "observability-log-level.test.ts",
  "observability-signals.test.ts",
  "producer-cli.test.ts",
  "producer-send.test.ts",
];

/**
 * Suites whose verdicts need each Lambda invocation to end within a 2 s function timeout (the faults stack, the
 * dead-letter cloud of tests/support): their test processes keep the usual CPU priority while the others yield, so
 * a busy machine slows the rest of the run rather than failing them.
 */
export const REAL_TIME_SUITES = ["faults-pipeline.test.ts", "dlq-pipeline.test.ts", "dlq-rejected-once.test.ts"];

/**
 * Setups memoized once per process, most expensive first. Suites whose source uses one run in the same process, so
 * it is paid once rather than once per suite; a suite that uses several goes with the first.
 */
export const SHARED_SETUPS = [
  // tests/support/language-host.ts: a type-checked run of the program through Pulumi's language host.
  { name: "language host", uses: /\bdevUpdate\b/ },
  // tests/support/pulumi.ts: the program under setMocks, which takes effect once per process.
  { name: "mock synthesis", uses: /\bdevStack\b/ },
];

/**
 * Seconds the slower suites and the checks took in a full run on two busy cores: the order on a fresh clone, until
 * a run has written .build/test-times.json. A suite missing here counts as one second.
 */
export const DEFAULT_SECONDS = {
  "faults-pipeline.test.ts": 125,
  "engine-language-host.test.ts": 58,
  "producer-cli.test.ts": 44,
  "local-lifecycle.test.ts": 36,
  typecheck: 40,
  "dlq-cli.test.ts": 31,
  "local-iam-pipeline.test.ts": 30,
  "infra-config.test.ts": 25,
  "local-cloud.test.ts": 20,
  "artifact-consumer.test.ts": 19,
  "observability-infra.test.ts": 18,
  "dashboard-browser.test.ts": 15,
  "dlq-pipeline.test.ts": 13,
  "dlq-rejected-once.test.ts": 13,
  "controlplane-preview.test.ts": 12,
  "unused code (knip)": 12,
  "dlq-reason-messages.test.ts": 7,
  "observability-dashboard.test.ts": 6,
  "faults-clients.test.ts": 5,
  "handlers-deadline.test.ts": 5,
  "report-generate.test.ts": 5,
  "format and lint (biome ci)": 5,
  "handlers-consumer.test.ts": 4,
  "dlq-commands.test.ts": 3,
  "engine-units.test.ts": 3,
  "handlers-serialized.test.ts": 3,
  "local-runtime.test.ts": 3,
  "local-sqs-journal.test.ts": 3,
  "handlers-dead-letter-once.test.ts": 2,
};
