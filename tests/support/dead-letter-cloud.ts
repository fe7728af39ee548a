// The embedded cloud set up for dead-lettering within a test: the dev stack with short timeouts and two receives,
// so the redrive policy moves a message that keeps failing to the DLQ after a few seconds rather than minutes.

import * as assert from "uvu/assert";
import { SYNTH_CACHE_DIR } from "../../contracts";
import { EmbeddedCloud } from "../../local/cloud";
import { synthesizeStack } from "../../local/stack-source";
import { queueDepth } from "./local-sqs";

export interface DeadLetterCloud {
  cloud: EmbeddedCloud;
  queueUrl: string;
  dlqUrl: string;
  tableName: string;
}

/** The stack deployed on an embedded cloud under localRoot; the caller stops the cloud. */
export async function deployDeadLetterCloud(localRoot: string): Promise<DeadLetterCloud> {
  const stack = await synthesizeStack({
    cacheDir: SYNTH_CACHE_DIR,
    overrides: {
      "vehicle-pipeline:timeoutSeconds": "2",
      // Twice the function timeout: a message must stay hidden through a cold start and its invocation even on a
      // busy machine, or it is received again while its batch still runs and a rejected one is dead-lettered twice.
      "vehicle-pipeline:visibilityTimeoutSeconds": "4",
      "vehicle-pipeline:maxReceiveCount": "2",
    },
  });
  const cloud = await EmbeddedCloud.start({ localRoot, idleMs: 5_000, writeState: false, record: false });
  try {
    const { queueUrl, dlqUrl, tableName } = (await cloud.deploy(stack)).outputs as Record<string, string>;
    return { cloud, queueUrl: queueUrl!, dlqUrl: dlqUrl!, tableName: tableName! };
  } catch (error) {
    await cloud.stop();
    throw error;
  }
}

/** Waits (up to 3 minutes) until the DLQ holds `count` messages, then until the consumer has nothing left in flight. */
export async function waitForDeadLetters({ cloud, dlqUrl }: DeadLetterCloud, count: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  while ((await queueDepth(cloud.sqs, dlqUrl)) < count) {
    if (Date.now() > deadline)
      assert.unreachable(`only ${await queueDepth(cloud.sqs, dlqUrl)} of ${count} reached the DLQ`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await cloud.waitForDrain(60_000);
}
