// The kernel's shared facts on their own: how a command ends (exit statuses, the error family), the command-line
// grammar every CLI shares, SQS's size arithmetic and batch packing, the .local layout and the stack files.
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  attributeBytes,
  DEFAULT_LOCAL_ROOT,
  DEFAULT_STACK,
  defaultStack,
  EXIT,
  LAST_RUN_POINTER,
  localLayout,
  MAX_BATCH_ENTRIES,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_MESSAGE_BYTES,
  messageBytes,
  OperatorError,
  PROJECT_ROOT,
  packBatches,
  parseCommandLine,
  parseDuration,
  parseRegion,
  parseUrl,
  RUNS_DIR,
  reportError,
  SYNTH_CACHE_DIR,
  stackFileNamed,
  stackFilePath,
  UsageError,
} from "../contracts";

const kernel = suite("contracts: the kernel's shared facts");

function reported(error: unknown, help?: string): { status: number; lines: string[] } {
  const lines: string[] = [];
  const status = reportError(error, (line) => lines.push(line), help);
  return { status, lines };
}

kernel("reportError: usage 2 with the help pointer, operator 1 with its hint, anything else a crash (70)", () => {
  assert.equal(reported(new UsageError('invalid --rate "x"'), "tsx producer --help"), {
    status: EXIT.usage,
    lines: ['error: invalid --rate "x"', "run `tsx producer --help` for usage"],
  });
  assert.equal(reported(new OperatorError("port 4566 is already in use", "pick another with --port")), {
    status: EXIT.failed,
    lines: ["error: port 4566 is already in use", "pick another with --port"],
  });
  const crash = reported(new TypeError("x is undefined"), "tsx producer --help");
  assert.is(crash.status, 70);
  assert.is(crash.lines.length, 1);
  assert.match(crash.lines[0]!, /^crash: an unexpected error, which is a bug in this repository:\nTypeError: x is/);
  assert.match(crash.lines[0]!, /\n {4}at /, "with its stack");
  assert.match(reported("a string").lines[0]!, /^crash: .*\na string$/);
});

kernel("an error class says what kind it is by its class, and its name is the class's", () => {
  class PortInUse extends OperatorError {}
  const error = new PortInUse("in use");
  assert.is(error.name, "PortInUse");
  assert.is(error.exitStatus, EXIT.failed);
  assert.is(new UsageError("bad").exitStatus, EXIT.usage);
});

kernel("parseCommandLine names the flag and shows how it is written", () => {
  const options = { rate: { type: "string" }, json: { type: "boolean" } } as const;
  const refusal = (args: string[]) => {
    try {
      parseCommandLine({ args, options, strict: true, allowPositionals: false }, { "--json": "--json" });
    } catch (error) {
      assert.instance(error, UsageError);
      return (error as Error).message;
    }
    return "accepted";
  };
  assert.is(refusal(["--bogus"]), "unknown option --bogus");
  assert.is(refusal(["--rate"]), "--rate needs a value, e.g. --rate 200/s");
  assert.is(
    refusal(["--rate", "-5"]),
    `--rate is followed by something starting with "-": write --rate=<value> if that is its value, e.g. --rate 200/s`,
  );
  assert.is(refusal(["--json=1"]), "--json takes no value: write --json alone");
  assert.is(refusal(["stray"]), `unexpected argument "stray": every option starts with --`);
  assert.is(refusal(["--rate", "5/s", "--json"]), "accepted");
});

kernel("one duration grammar, in milliseconds: ms, s, m, h and d, a unit required", () => {
  assert.equal(
    ["500ms", "1.5s", "2m", "1h", "1d"].map((raw) => parseDuration(raw)),
    [500, 1500, 120_000, 3_600_000, 86_400_000],
  );
  assert.throws(() => parseDuration("30", "--since"), /^invalid --since "30": expected a duration with a unit/);
  assert.throws(() => parseDuration("0s"), /above zero/);
  assert.is(parseDuration("0s", "--hold", { allowZero: true }), 0);
});

kernel("URLs and regions: one check each, naming the flag or the variable", () => {
  assert.is(parseUrl(" http://127.0.0.1:4566 ", "--endpoint", "x"), "http://127.0.0.1:4566");
  for (const raw of ["vehicle-queue", "ftp://host/q", "http://", ""])
    assert.throws(
      () => parseUrl(raw, "$DLQ_URL", "https://q"),
      /^invalid \$DLQ_URL ".*": expected an http\(s\) URL, e\.g\. https:\/\/q$/,
    );
  assert.is(parseRegion("ap-southeast-2"), "ap-southeast-2");
  assert.is(parseRegion("us-gov-west-1"), "us-gov-west-1");
  assert.throws(() => parseRegion("Europe"), /^invalid --region "Europe"/);
});

kernel("SQS sizes count body, attribute names, types and values; batches are cut by entries and bytes", () => {
  const attribute = { DataType: "String", StringValue: "é" };
  assert.is(attributeBytes("eventId", attribute), 7 + 6 + 2);
  assert.is(messageBytes("ab", { eventId: attribute }), 2 + 15);
  assert.is(MAX_MESSAGE_BYTES, 1024 * 1024);
  const items = Array.from({ length: 25 }, (_, i) => i);
  assert.equal(
    packBatches(items, () => 1).map((batch) => batch.length),
    [MAX_BATCH_ENTRIES, MAX_BATCH_ENTRIES, 5],
  );
  const half = MAX_BATCH_PAYLOAD_BYTES / 2;
  assert.equal(
    packBatches([half, half, 1, half * 3], (n) => n).map((batch) => batch.length),
    [2, 1, 1],
    "a batch ends where the next item would pass the payload limit; an oversized item travels alone",
  );
});

kernel("the .local layout: one root, every path below it", () => {
  assert.is(DEFAULT_LOCAL_ROOT, join(PROJECT_ROOT, ".local"));
  assert.is(SYNTH_CACHE_DIR, join(DEFAULT_LOCAL_ROOT, "synth-cache"));
  assert.equal(localLayout("/r"), {
    root: "/r",
    stateFile: "/r/state.json",
    runs: join("/r", RUNS_DIR),
    lastRun: join("/r", LAST_RUN_POINTER),
    sqsJournal: "/r/sqs/journal.jsonl",
    dynamodb: "/r/dynamodb",
    functions: "/r/functions",
    reliabilityCampaign: "/r/reliability-campaign.json",
  });
  assert.is(localLayout().root, DEFAULT_LOCAL_ROOT);
});

kernel("stacks: $PULUMI_STACK else dev, and a --stack without a Pulumi.<stack>.yaml is a usage error", () => {
  assert.is(defaultStack({}), DEFAULT_STACK);
  assert.is(defaultStack({ PULUMI_STACK: " faults " }), "faults");
  assert.is(stackFileNamed("dev"), stackFilePath("dev"));
  assert.throws(
    () => stackFileNamed("nosuch"),
    (e: unknown) =>
      e instanceof UsageError && /there is no Pulumi\.nosuch\.yaml; stacks here: dev, faults$/.test(String(e)),
  );
  assert.throws(() => stackFileNamed("../x", "$PULUMI_STACK"), /^\$PULUMI_STACK "\.\.\/x" is not a stack name$/);
});

kernel.run();
