// `npm run preview`'s verdict (engine/preview-report.ts previewOrRefuse, what preview-cli.ts calls) on the dev stack as
// Pulumi's language host previews it (ARNs and URLs unknown), with one deploy-time rule broken per case: the preview
// must refuse the stack naming AWS's rule, as `pulumi up` and AWS would. One preview run of the program, shared; each
// case plants its bug in a copy of the synthesized inputs.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { SynthesizedResource } from "../contracts";
import { PreflightRefusal, TYPES } from "../controlplane";
import { previewOrRefuse } from "../engine/preview-report";
import { type LanguageHostStack, synthesizeWithLanguageHost } from "../engine/synthesize";

const test = suite("npm run preview: deploy-time rules on a previewed stack");

let previewed: Promise<LanguageHostStack> | undefined;
/** The dev stack previewed (dryRun) once for the file; transpile-only, since `npm test` type-checks. */
const devPreview = () => {
  previewed ??= synthesizeWithLanguageHost({ stack: "dev", dryRun: true, transpileOnly: true });
  return previewed;
};

const header = { stack: "dev", stackFile: "Pulumi.dev.yaml", transpileOnly: true };

function one(stack: LanguageHostStack, type: string, name?: string): SynthesizedResource {
  const found = stack.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.is(found.length, 1, `one ${type} ${name ?? ""}`);
  return found[0]!;
}

/** The preview of a planted copy: the text written and the refusal thrown, if any. */
async function preview(
  plant: (stack: LanguageHostStack) => void,
): Promise<{ text: string; refusal?: PreflightRefusal }> {
  const stack = structuredClone(await devPreview());
  plant(stack);
  let text = "";
  try {
    previewOrRefuse(stack, header, (t) => {
      text += t;
    });
  } catch (error) {
    if (!(error instanceof PreflightRefusal)) throw error;
    return { text, refusal: error };
  }
  return { text };
}

test("the dev stack previews clean: no violation, and the rules that need ARNs listed as not checked", async () => {
  const { text, refusal } = await preview(() => undefined);
  assert.is(refusal, undefined);
  assert.match(text, "Preflight: no violations.");
  assert.match(text, "not known before deployment");
  // The engine's property dependencies tie the mapping to its queue and function although their ARNs are unknown.
  const esm = one(await devPreview(), TYPES.eventSourceMapping);
  assert.ok(esm.dependencies?.eventSourceArn?.some((urn) => urn.endsWith("::vehicles")));
});

interface Planted {
  rule: string;
  plant: (stack: LanguageHostStack) => void;
  /** What the refusal must say: the resource, the field and value, and AWS's own text where there is one. */
  says: string[];
}

const cases: Planted[] = [
  {
    rule: "function timeout above its queue's visibility timeout (mapping tied by property dependencies)",
    plant: (s) => {
      one(s, TYPES.function).inputs.timeout = 400;
    },
    says: [
      'aws:lambda/function:Function "consumer"',
      "timeout = 400",
      "AWS: Queue visibility timeout: 180 seconds is less than Function timeout: 400 seconds",
    ],
  },
  {
    rule: "batch size above 10 without a batching window",
    plant: (s) => {
      one(s, TYPES.eventSourceMapping).inputs.batchSize = 20;
    },
    says: [
      "batchSize = 20",
      "AWS: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
    ],
  },
  {
    rule: "maximumConcurrency below 2",
    plant: (s) => {
      one(s, TYPES.eventSourceMapping).inputs.scalingConfig = { maximumConcurrency: 1 };
    },
    says: ["scalingConfig.maximumConcurrency = 1", "from 2 to 1000"],
  },
  {
    rule: "an alarm period CloudWatch does not take",
    plant: (s) => {
      one(s, TYPES.metricAlarm, "alarms-dlq-not-empty").inputs.period = 45;
    },
    says: ['aws:cloudwatch/metricAlarm:MetricAlarm "alarms-dlq-not-empty"', "period = 45"],
  },
  {
    rule: "a log retention outside CloudWatch Logs' list",
    plant: (s) => {
      one(s, TYPES.logGroup).inputs.retentionInDays = 15;
    },
    says: ["retentionInDays = 15"],
  },
  {
    rule: "a queue visibility timeout above 12 hours",
    plant: (s) => {
      one(s, TYPES.queue, "vehicles").inputs.visibilityTimeoutSeconds = 50_000;
    },
    says: ['aws:sqs/queue:Queue "vehicles"', "visibilityTimeoutSeconds = 50000"],
  },
];

for (const c of cases)
  test(`refused at preview: ${c.rule}`, async () => {
    const { text, refusal } = await preview(c.plant);
    assert.ok(refusal, `the preview should refuse the stack (${c.rule})`);
    assert.match(text, "Resources to create:", "the preview itself is still written");
    assert.is(refusal!.report.violations.length, 1, refusal!.message);
    for (const words of c.says) assert.match(refusal!.message, words);
  });

test("the three planted mapping violations at once are all named in one refusal", async () => {
  const { refusal } = await preview((s) => {
    for (const c of cases.slice(0, 3)) c.plant(s);
  });
  assert.equal(refusal?.report.violations.map((v) => `${v.resource.name} ${v.field}`).sort(), [
    "consumer timeout",
    "consumer-source batchSize",
    "consumer-source scalingConfig.maximumConcurrency",
  ]);
});

test.run();
