// The --faults spec, its seeded dice, and the verdict's new categories (redriven messages, extra DLQ copies).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { UsageError } from "../contracts";
import { parseCliArgs } from "../local/cli-args";
import { parseFaultFlags } from "../local/faults/cli-flags";
import { createFaultDice } from "../local/faults/dice";
import { FaultInjector } from "../local/faults/injector";
import { FAULT_KINDS, FaultSpecError, formatFaultSpec, parseFaultSpec } from "../local/faults/spec";
import { judgeRun } from "../local/verify";

const spec = suite("fault spec");

spec("a comma list of kind=rate", () => {
  assert.equal(parseFaultSpec("ddb-throttle=0.05, lambda-crash=0.02,dlq-send-fail=1"), {
    "ddb-throttle": 0.05,
    "lambda-crash": 0.02,
    "dlq-send-fail": 1,
  });
  assert.equal(parseFaultSpec("sqs-duplicate=0"), { "sqs-duplicate": 0 });
  assert.equal(parseFaultSpec("ddb-5xx=.5"), { "ddb-5xx": 0.5 });
  const every = Object.keys(FAULT_KINDS)
    .map((k) => `${k}=0.03`)
    .join(",");
  assert.is(formatFaultSpec(parseFaultSpec(every)), every);
});

spec("bad specs are refused with what is wrong", () => {
  const refuses = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseFaultSpec(text),
      (e: Error) => e instanceof FaultSpecError && pattern.test(e.message),
      text,
    );
  refuses("ddb-flood=0.1", /unknown fault kind "ddb-flood"; known kinds: ddb-throttle/);
  refuses("ddb-throttle=1.5", /from 0 to 1, got "1.5"/);
  refuses("ddb-throttle=-0.1", /from 0 to 1/);
  refuses("ddb-throttle=abc", /from 0 to 1/);
  refuses("ddb-throttle=NaN", /from 0 to 1/);
  refuses("ddb-throttle", /is not kind=rate/);
  refuses("", /comma list of kind=rate/);
  refuses("ddb-5xx=0.1,,lambda-crash=0.1", /comma list/);
  refuses("ddb-5xx=0.1,ddb-5xx=0.2", /given twice/);
});

spec("the seed: a whole number; --faults-seed alone is refused", () => {
  const seedOf = (raw: string) => parseFaultFlags("ddb-5xx=0.1", raw)?.seed;
  assert.is(seedOf("1"), 1);
  for (const raw of ["1.5", "-1", "4294967296"])
    assert.throws(() => seedOf(raw), /--faults-seed "?.*"?: expected a whole number from 0 to 4294967295/, raw);
  assert.throws(() => parseFaultFlags(undefined, "1"), /needs --faults/);
  assert.is(parseFaultFlags(undefined, undefined), undefined);
  assert.equal(parseFaultFlags("ddb-5xx=0.1", "7"), { rates: { "ddb-5xx": 0.1 }, seed: 7 });
});

spec("npm start refuses a bad spec or stack as a usage error (exit 2), and passes a good one on", () => {
  assert.throws(
    () => parseCliArgs(["run", "--faults", "nope=1"]),
    (e: Error) => e instanceof UsageError,
  );
  assert.throws(
    () => parseCliArgs(["run", "--faults", "ddb-5xx=2"]),
    (e: Error) => e instanceof UsageError,
  );
  assert.throws(
    () => parseCliArgs(["run", "--stack", "no-such-stack"]),
    (e: Error) => e instanceof UsageError && /Pulumi\.no-such-stack\.yaml/.test(e.message),
  );
  const args = parseCliArgs(["up", "--stack", "faults", "--faults", "lambda-crash=0.1", "--faults-seed", "3"]);
  assert.is(args.stackName, "faults");
  assert.equal(args.faults, { rates: { "lambda-crash": 0.1 }, seed: 3 });
});

spec("the dice: the same seed rolls the same faults, kinds roll independently, the rate is honoured", () => {
  const rolls = (seed: number, kind: string) => {
    const dice = createFaultDice({ "ddb-5xx": 0.1, "lambda-crash": 0.5 }, seed);
    return Array.from({ length: 2000 }, () => dice.roll(kind));
  };
  assert.equal(rolls(1, "ddb-5xx"), rolls(1, "ddb-5xx"));
  assert.not.equal(rolls(1, "ddb-5xx"), rolls(2, "ddb-5xx"));
  const share = rolls(1, "ddb-5xx").filter(Boolean).length / 2000;
  assert.ok(share > 0.07 && share < 0.13, `share ${share}`);
  assert.ok(
    rolls(1, "ddb-throttle").every((hit) => !hit),
    "a kind without a rate never fires",
  );
  // Rolling another kind in between does not shift a kind's sequence.
  const dice = createFaultDice({ "ddb-5xx": 0.1, "lambda-crash": 0.5 }, 1);
  const interleaved = Array.from({ length: 2000 }, () => {
    dice.roll("lambda-crash");
    return dice.roll("ddb-5xx");
  });
  assert.equal(interleaved, rolls(1, "ddb-5xx"));
});

spec("the injector counts what it injects and remembers what hit each message, how often", () => {
  const injector = new FaultInjector({ rates: { "lambda-crash": 1, "ddb-5xx": 0 }, seed: 1 });
  assert.equal(injector.kinds, ["lambda-crash"]);
  assert.ok(injector.roll("lambda-crash"));
  assert.not.ok(injector.roll("ddb-5xx"));
  injector.count("ddb-throttle", 2);
  assert.equal(injector.counts, { "lambda-crash": 1, "ddb-throttle": 2 });
  injector.note(["e1", "e2"], "invocation timed out");
  injector.note(["e1"], "invocation timed out");
  injector.note(["e1"], "sqs-duplicate");
  assert.equal(injector.whyOf("e1"), ["invocation timed out x 2", "sqs-duplicate"]);
  assert.equal(injector.whyOf("e2"), ["invocation timed out"]);
  assert.equal(injector.whyOf("e3"), []);
});

const verdict = suite("verification under faults");
const body = (id: string) =>
  JSON.stringify({ vehicleId: `VH${id}`, make: "Honda", model: "Civic", year: 2020, color: "Blue", mileage: 1 });
const item = (id: string) => ({ eventId: id, ...JSON.parse(body(id)) });

verdict("redriven messages are listed with why, extra DLQ copies are counted by sourceMessageId, neither fails", () => {
  const sent = [
    { eventId: "1001", kind: "valid" as const, body: body("1001") },
    { eventId: "1002", kind: "valid" as const, body: body("1002") },
    { eventId: "1003", kind: "invalid-json" as const, body: "{" },
    { eventId: "1004", kind: "invalid-json" as const, body: "{" },
    { eventId: "1005", kind: "valid" as const, body: body("1005") },
  ];
  const letter = (eventId: string, sourceMessageId: string) => ({
    eventId,
    errorCode: "INVALID_JSON",
    errorReason: "bad",
    sourceMessageId,
    body: "{",
  });
  const moved = (eventId: string, b: string) => ({ eventId, errorCode: undefined, errorReason: undefined, body: b });
  const v = judgeRun(
    sent,
    [item("1001"), item("1005")],
    [
      moved("1002", body("1002")),
      letter("1003", "m3"),
      letter("1003", "m3"),
      letter("1003", "m3"),
      moved("1004", "{"),
      moved("1005", body("1005")),
    ],
    0,
    { "invalid-json": "INVALID_JSON" },
    { maxReceiveCount: 3, whyOf: (id) => (id === "1002" ? ["ddb-5xx", "invocation timed out"] : []) },
  );
  assert.ok(v.ok, v.problems.join("\n"));
  assert.is(v.lost, 0);
  assert.is(v.duplicated, 0);
  assert.is(v.storedCorrectly, 2);
  assert.is(v.deadLetteredCorrectly, 1);
  assert.is(v.deadLetteredAfterReceives, 2);
  assert.equal(
    v.redriven.map((r) => [r.eventId, r.maxReceiveCount, r.stored, r.deadLetteredByConsumer, r.why]),
    [
      ["1002", 3, false, false, ["ddb-5xx", "invocation timed out"]],
      ["1004", 3, false, false, []],
      ["1005", 3, true, false, []],
    ],
  );
  assert.is(v.extraDlqCopies, 3);
  assert.equal(
    v.extraCopies.map((c) => [c.eventId, c.sourceMessageId, c.copies]),
    [
      ["1003", "m3", 3],
      ["1005", "(moved by the redrive policy)", 1],
    ],
  );
});

verdict("an item stored twice is a duplicate; a message in neither place is lost; both fail the run", () => {
  const sent = [
    { eventId: "2001", kind: "valid" as const, body: body("2001") },
    { eventId: "2002", kind: "valid" as const, body: body("2002") },
  ];
  const v = judgeRun(sent, [item("2001"), item("2001")], [], 0, {});
  assert.is(v.duplicated, 1);
  assert.is(v.lost, 1);
  assert.not.ok(v.ok);
});

spec.run();
verdict.run();
