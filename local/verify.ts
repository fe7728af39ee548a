import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";

/** One message the producer had accepted by the queue, with what it carried. */
export interface SentRecord {
  eventId: string;
  /** "valid" or the producer's malformed kind (invalid-json, missing-field, ...). */
  kind: string;
  body: string;
}

/** The vehicle fields a stored item must carry unchanged from a valid message's body. */
const VEHICLE_FIELDS = ["vehicleId", "make", "model", "year", "color", "mileage"] as const;

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
  messagesInDlq: number;
  /** DLQ messages by errorCode. */
  dlqByCode: Record<string, number>;
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
}

interface DeadLetter {
  eventId: string | undefined;
  errorCode: string | undefined;
  errorReason: string | undefined;
  body: string;
}

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
 * can still inspect the DLQ after the run (they come back when the visibility timeout passes).
 */
async function readDeadLetters(sqs: SQSClient, dlqUrl: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  let empty = 0;
  while (empty < 2) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) empty += 1;
    for (const m of Messages) {
      const attributes = m.MessageAttributes ?? {};
      out.push({
        eventId: attributes.eventId?.StringValue,
        errorCode: attributes.errorCode?.StringValue,
        errorReason: attributes.errorReason?.StringValue,
        body: m.Body ?? "",
      });
    }
  }
  return out;
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
  return judgeRun(sent, items, deadLetters, target.leftInQueue, target.expectedCodes);
}

/** The pure part of verifyRun. */
export function judgeRun(
  sent: readonly SentRecord[],
  items: readonly Record<string, unknown>[],
  deadLetters: readonly DeadLetter[],
  leftInQueue: number,
  expectedCodes: Readonly<Record<string, string>>,
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
    dlqByCode: {},
    problems,
  };
  for (const d of deadLetters) v.dlqByCode[d.errorCode ?? "(none)"] = (v.dlqByCode[d.errorCode ?? "(none)"] ?? 0) + 1;
  const sentIds = new Set<string>();
  for (const message of sent) {
    sentIds.add(message.eventId);
    const stored = itemsByEvent.get(message.eventId) ?? [];
    const letters = lettersByEvent.get(message.eventId) ?? [];
    if (stored.length + letters.length === 0) {
      v.lost += 1;
      problem(`lost: ${message.kind} message ${message.eventId} is neither in the table nor in the DLQ`);
      continue;
    }
    if (stored.length + letters.length > 1) {
      v.duplicated += 1;
      problem(
        `duplicated: ${message.eventId} is stored ${stored.length} time(s) and dead-lettered ${letters.length} time(s)`,
      );
      continue;
    }
    if (message.kind === "valid") {
      v.valid += 1;
      judgeValid(message, stored, letters, v, problem);
    } else {
      v.invalid += 1;
      judgeInvalid(message, stored, letters, expectedCodes[message.kind], v, problem);
    }
  }
  for (const id of itemsByEvent.keys()) if (!sentIds.has(id)) v.unexpected += itemsByEvent.get(id)!.length;
  for (const id of lettersByEvent.keys()) if (!sentIds.has(id)) v.unexpected += lettersByEvent.get(id)!.length;
  if (leftInQueue > 0) problem(`${leftInQueue} message(s) still in the source queue`);
  v.ok =
    v.lost === 0 &&
    v.duplicated === 0 &&
    v.mismatched === 0 &&
    v.misrouted === 0 &&
    leftInQueue === 0 &&
    v.storedCorrectly + v.deadLetteredCorrectly === sent.length;
  return v;
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

/** A valid message must be stored once, with every field as sent. */
function judgeValid(
  message: SentRecord,
  stored: readonly Record<string, unknown>[],
  letters: readonly DeadLetter[],
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

/** An invalid message must be in the DLQ once, with the error code its kind calls for. */
function judgeInvalid(
  message: SentRecord,
  stored: readonly Record<string, unknown>[],
  letters: readonly DeadLetter[],
  expected: string | undefined,
  v: Verification,
  problem: (text: string) => void,
): void {
  if (stored.length > 0) {
    v.misrouted += 1;
    problem(`misrouted: ${message.kind} message ${message.eventId} was stored`);
    return;
  }
  const letter = letters[0]!;
  if (!letter.errorCode || !letter.errorReason || (expected !== undefined && letter.errorCode !== expected)) {
    v.mismatched += 1;
    problem(
      `wrong reason: ${message.kind} message ${message.eventId} is in the DLQ with errorCode ` +
        `${letter.errorCode ?? "(none)"} (expected ${expected ?? "any"}) and reason ${JSON.stringify(letter.errorReason)}`,
    );
    return;
  }
  v.deadLetteredCorrectly += 1;
}
