import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import {
  type AlarmRunSummary,
  attachReasons,
  type DeadLetter,
  type DenialSummary,
  type IamRunSummary,
  isReasonMessage,
  MAX_BATCH_ENTRIES,
  readDeadLetter,
  VEHICLE_FIELDS,
} from "../contracts";
import type { OutgoingMessage } from "../producer";

/** What the verification reads of a message the queue accepted from the producer: its key, kind and body. */
type SentRecord = Pick<OutgoingMessage, "eventId" | "kind" | "body">;

export interface Verification {
  ok: boolean;
  sent: number;
  valid: number;
  invalid: number;
  /** Valid messages stored exactly once with the body's content. */
  storedCorrectly: number;
  /** Invalid messages found exactly once in the DLQ with an errorCode and errorReason (and the expected code). */
  deadLetteredCorrectly: number;
  /** Sent, but neither stored nor dead-lettered. */
  lost: number;
  /** Stored or dead-lettered more than once, or both. */
  duplicated: number;
  /** Stored with content that differs from the body. */
  mismatched: number;
  /** Valid messages that went to the DLQ, or invalid ones that were stored. */
  misrouted: number;
  /** Items or DLQ messages whose eventId the producer never sent (other clients, earlier persisted runs). */
  unexpected: number;
  /** Messages still in the source queue when verification ran. */
  leftInQueue: number;
  itemsInTable: number;
  /** Vehicle messages in the DLQ (reason messages not counted). */
  messagesInDlq: number;
  /** Reason messages in the DLQ: companions carrying the reason of a body too big to carry it. */
  reasonMessages: number;
  /** DLQ messages by errorCode ("(none)": moved there by the source queue's redrive policy). */
  dlqByCode: Record<string, number>;
  /**
   * Messages neither stored nor dead-lettered by the consumer, moved to the DLQ by the redrive policy after
   * maxReceiveCount receives (not lost, not stored), each with what hit it.
   */
  deadLetteredAfterReceives: number;
  redriven: RedrivenMessage[];
  /** Further DLQ copies of a message already accounted for (a crash or a duplicate delivery after the DLQ send). */
  extraDlqCopies: number;
  extraCopies: ExtraCopy[];
  /**
   * Calls IAM refused during the run, one entry per (principal, action, resource). Any fails the run: a message
   * retried until the redrive policy moved it is accounted for, but the deployment that refused it is not sound.
   */
  accessDenied: DenialSummary[];
  /** Alarms watching a metric the run never published and this stack does not (a misspelled metric or dimension). */
  alarmsWithoutData: string[];
  /** Up to ten concrete problems, for the summary. */
  problems: string[];
}

export interface VerifyTarget {
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  tableName: string;
  dlqUrl: string;
  /** Messages visible or in flight in the source queue (must be 0). */
  leftInQueue: number;
  /** The producer's malformed kind -> the errorCode the consumer must give it. */
  expectedCodes: Readonly<Record<string, string>>;
  context?: JudgeContext;
}

/** What the verification reads of a dead letter: an errorCode means the consumer sent it, none the redrive policy. */
type JudgedLetter = Pick<DeadLetter, "eventId" | "errorCode" | "errorReason" | "sourceMessageId" | "body">;

/** A message the redrive policy moved to the DLQ after maxReceiveCount receives. */
export interface RedrivenMessage {
  eventId: string;
  kind: string;
  /** The source queue's maxReceiveCount (the redrive policy moves a message on the receive after it). */
  maxReceiveCount: number | undefined;
  /** Also stored once before it was moved (later receives failed or their deletes did). */
  stored: boolean;
  /** Also sent to the DLQ by the consumer, with its errorCode, before it was moved. */
  deadLetteredByConsumer: boolean;
  why: string[];
}

/** More than one DLQ copy of one message, by the sourceMessageId the consumer gave each copy. */
export interface ExtraCopy {
  eventId: string;
  sourceMessageId: string;
  copies: number;
}

/** What verification can say beyond the table and the DLQ: why a message was moved (the fault ledger). */
export interface JudgeContext {
  maxReceiveCount?: number;
  whyOf?: (eventId: string) => string[];
  /** eventIds of the messages the source queue still holds: neither stored nor lost yet, so not counted as lost. */
  heldInQueue?: ReadonlySet<string>;
  /** The run keeps its queues on disk (--persist), so what they hold outlives the stop. */
  persist?: boolean;
}

/** Lists in the verdict stay readable; the counts are complete. */
const LISTED = 50;

/** Every item in the table (a run is a few thousand; a Scan is fine). */
export async function readTable(dynamo: DynamoDBClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    for (const item of page.Items ?? []) items.push(unmarshall(item));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Reads every DLQ message once, hiding each for ten minutes so it is not read twice; nothing is deleted, so a user
 * can still inspect the DLQ after the run (they come back when the visibility timeout passes). Reason messages give
 * their big message its reason, as `npm run dlq` reads them.
 */
async function readDeadLetters(sqs: SQSClient, dlqUrl: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  let empty = 0;
  while (empty < 2) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: MAX_BATCH_ENTRIES,
        VisibilityTimeout: 600,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) empty += 1;
    for (const m of Messages) out.push(readDeadLetter(m));
  }
  return attachReasons(out);
}

/**
 * Checks the end state against what the producer sent: every valid message stored exactly once with its content,
 * every invalid one dead-lettered exactly once with its reason, nothing lost, nothing duplicated, the queue empty.
 */
export async function verifyRun(sent: readonly SentRecord[], target: VerifyTarget): Promise<Verification> {
  const [items, deadLetters] = await Promise.all([
    readTable(target.dynamo, target.tableName),
    readDeadLetters(target.sqs, target.dlqUrl),
  ]);
  const verification = judgeRun(
    sent,
    items,
    deadLetters.filter((d) => !isReasonMessage(d)),
    target.leftInQueue,
    target.expectedCodes,
    target.context,
  );
  verification.reasonMessages = deadLetters.filter(isReasonMessage).length;
  return verification;
}

/**
 * The pure part of verifyRun. A DLQ message with an errorCode was sent there by the consumer; one without was moved
 * there by the redrive policy after maxReceiveCount receives.
 */
export function judgeRun(
  sent: readonly SentRecord[],
  items: readonly Record<string, unknown>[],
  deadLetters: readonly JudgedLetter[],
  leftInQueue: number,
  expectedCodes: Readonly<Record<string, string>>,
  context: JudgeContext = {},
): Verification {
  const itemsByEvent = groupBy(items, (i) => String(i.eventId));
  const lettersByEvent = groupBy(deadLetters, (d) => d.eventId ?? "");
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 10) problems.push(text);
  };
  const v: Verification = {
    ok: false,
    sent: sent.length,
    valid: 0,
    invalid: 0,
    storedCorrectly: 0,
    deadLetteredCorrectly: 0,
    lost: 0,
    duplicated: 0,
    mismatched: 0,
    misrouted: 0,
    unexpected: 0,
    leftInQueue,
    itemsInTable: items.length,
    messagesInDlq: deadLetters.length,
    reasonMessages: 0,
    dlqByCode: {},
    deadLetteredAfterReceives: 0,
    redriven: [],
    extraDlqCopies: 0,
    extraCopies: [],
    accessDenied: [],
    alarmsWithoutData: [],
    problems,
  };
  for (const d of deadLetters) v.dlqByCode[d.errorCode ?? "(none)"] = (v.dlqByCode[d.errorCode ?? "(none)"] ?? 0) + 1;
  const sentIds = new Set<string>();
  for (const message of sent) {
    sentIds.add(message.eventId);
    judgeMessage(
      v,
      message,
      itemsByEvent.get(message.eventId) ?? [],
      lettersByEvent.get(message.eventId) ?? [],
      expectedCodes,
      context,
      problem,
    );
  }
  for (const id of itemsByEvent.keys()) if (!sentIds.has(id)) v.unexpected += itemsByEvent.get(id)!.length;
  for (const id of lettersByEvent.keys()) if (!sentIds.has(id)) v.unexpected += lettersByEvent.get(id)!.length;
  if (leftInQueue > 0)
    problem(
      `${leftInQueue} message(s) still in the source queue when the run ended, not yet processed: ` +
        (context.persist
          ? "kept on disk for the next run with --persist"
          : "gone when the embedded cloud stops (--persist keeps them)"),
    );
  v.ok =
    v.lost === 0 &&
    v.duplicated === 0 &&
    v.mismatched === 0 &&
    v.misrouted === 0 &&
    leftInQueue === 0 &&
    v.storedCorrectly + v.deadLetteredCorrectly + v.deadLetteredAfterReceives === sent.length;
  return v;
}

/** One sent message against its items and DLQ copies: counts it in v under exactly one verdict. */
function judgeMessage(
  v: Verification,
  message: SentRecord,
  stored: readonly Record<string, unknown>[],
  all: readonly JudgedLetter[],
  expectedCodes: Readonly<Record<string, string>>,
  context: JudgeContext,
  problem: (text: string) => void,
): void {
  const letters = all.filter((d) => d.errorCode !== undefined);
  const moved = all.filter((d) => d.errorCode === undefined);
  if (message.kind === "valid") v.valid += 1;
  else v.invalid += 1;
  if (stored.length + all.length === 0) {
    if (context.heldInQueue?.has(message.eventId)) return; // counted in leftInQueue
    v.lost += 1;
    problem(`lost: ${message.kind} message ${message.eventId} is neither in the table nor in the DLQ`);
    return;
  }
  if (stored.length > 1) {
    v.duplicated += 1;
    problem(`duplicated: ${message.eventId} is stored ${stored.length} times`);
    return;
  }
  if (stored.length > 0 && letters.length > 0) {
    v.misrouted += 1;
    problem(
      `misrouted: ${message.kind} message ${message.eventId} is stored and dead-lettered with ${letters[0]!.errorCode}`,
    );
    return;
  }
  countExtraCopies(v, message.eventId, all, stored.length > 0);
  if (stored.length === 0 && letters.length === 0) {
    // Only redrive copies: it exhausted maxReceiveCount before anything succeeded.
    v.deadLetteredAfterReceives += 1;
    listRedriven(v, message, false, false, context);
    return;
  }
  if (moved.length > 0) listRedriven(v, message, stored.length > 0, letters.length > 0, context);
  if (message.kind === "valid") judgeValid(message, stored, letters, v, problem);
  else judgeInvalid(message, stored, letters, expectedCodes[message.kind], v, problem);
}

/** Lists a message the redrive policy moved, with what hit it (the first LISTED of them). */
function listRedriven(
  v: Verification,
  message: SentRecord,
  stored: boolean,
  deadLetteredByConsumer: boolean,
  context: JudgeContext,
): void {
  if (v.redriven.length >= LISTED) return;
  v.redriven.push({
    eventId: message.eventId,
    kind: message.kind,
    maxReceiveCount: context.maxReceiveCount,
    stored,
    deadLetteredByConsumer,
    why: context.whyOf?.(message.eventId) ?? [],
  });
}

/**
 * DLQ copies beyond the one that accounts for a message (all of them when it is stored), listed by the consumer's
 * sourceMessageId, or as moved by the redrive policy.
 */
function countExtraCopies(v: Verification, eventId: string, copies: readonly JudgedLetter[], stored: boolean): void {
  const extra = copies.length - (stored ? 0 : 1);
  if (extra <= 0) return;
  v.extraDlqCopies += extra;
  for (const [sourceMessageId, same] of groupBy(copies, (d) => d.sourceMessageId ?? "(moved by the redrive policy)")) {
    if (v.extraCopies.length < LISTED) v.extraCopies.push({ eventId, sourceMessageId, copies: same.length });
  }
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const bucket = map.get(k);
    if (bucket) bucket.push(x);
    else map.set(k, [x]);
  }
  return map;
}

/** A valid message must be stored once, with every field as sent (never dead-lettered by the consumer). */
function judgeValid(
  message: SentRecord,
  stored: readonly Record<string, unknown>[],
  letters: readonly JudgedLetter[],
  v: Verification,
  problem: (text: string) => void,
): void {
  if (letters.length > 0) {
    v.misrouted += 1;
    problem(
      `misrouted: valid message ${message.eventId} went to the DLQ: ${letters[0]!.errorCode} ${letters[0]!.errorReason}`,
    );
    return;
  }
  const body = JSON.parse(message.body) as Record<string, unknown>;
  const differing = VEHICLE_FIELDS.filter((field) => stored[0]![field] !== body[field]);
  if (differing.length > 0) {
    v.mismatched += 1;
    problem(
      `mismatched: ${message.eventId} stored ` +
        `${differing.map((f) => `${f}=${JSON.stringify(stored[0]![f])} (sent ${JSON.stringify(body[f])})`).join(", ")}`,
    );
    return;
  }
  v.storedCorrectly += 1;
}

/** An invalid message must be in the DLQ, with the error code its kind calls for. */
function judgeInvalid(
  message: SentRecord,
  stored: readonly Record<string, unknown>[],
  letters: readonly JudgedLetter[],
  expected: string | undefined,
  v: Verification,
  problem: (text: string) => void,
): void {
  if (stored.length > 0) {
    v.misrouted += 1;
    problem(`misrouted: ${message.kind} message ${message.eventId} was stored`);
    return;
  }
  // Every copy the consumer sent must carry the right code (a redelivered message may be dead-lettered twice).
  const letter = letters.find(
    (l) => !l.errorCode || !l.errorReason || (expected !== undefined && l.errorCode !== expected),
  );
  if (letter) {
    v.mismatched += 1;
    problem(
      `wrong reason: ${message.kind} message ${message.eventId} is in the DLQ with errorCode ` +
        `${letter.errorCode ?? "(none)"} (expected ${expected ?? "any"}) and reason ${JSON.stringify(letter.errorReason)}`,
    );
    return;
  }
  v.deadLetteredCorrectly += 1;
}

/**
 * The control plane's part of the verdict: every call IAM refused and every alarm that watches a metric the stack
 * never publishes (a misspelled metric or dimension) fail the run, named first among the problems (they explain the
 * rest). An alarm whose well-named metric was only quiet (no PutItem, no throttle) is reported, not a failure.
 */
export function judgeControlPlane(
  v: Verification,
  iam: Pick<IamRunSummary, "denials">,
  alarms: readonly Pick<AlarmRunSummary, "alarm" | "noData" | "quiet">[],
): void {
  v.accessDenied = [...iam.denials];
  const found = [
    ...iam.denials.map(
      (d) =>
        `IAM refused ${d.operation} ${d.count} time(s): ${d.principal}` +
        `${d.action ? ` ${d.action} on ${d.resource}` : ""} (${d.code}: ${d.message})`,
    ),
    ...alarms
      .filter((a) => a.noData !== undefined && !a.quiet)
      .map((a) => {
        v.alarmsWithoutData.push(a.alarm);
        return `alarm ${a.alarm}: ${a.noData}`;
      }),
  ];
  if (found.length === 0) return;
  v.problems.unshift(...found);
  v.problems.splice(Math.max(10, found.length));
  v.ok = false;
}
