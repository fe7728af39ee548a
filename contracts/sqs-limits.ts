/**
 * SQS API limits that both a client of ours and the embedded cloud's emulation of that API must agree on.
 * A message move task moves at most 500 messages a second (MaxNumberOfMessagesPerSecond).
 */
export const MAX_MOVE_TASK_VELOCITY = 500;
