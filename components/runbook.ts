/**
 * Where an operator goes when an alarm fires: the README's runbook entry for it and the first command to run. The
 * alarm descriptions and the dashboard's dead-letter widget carry these pointers; a test keeps the README in step.
 */
const RUNBOOK_SECTION = "When an alarm fires";
const DLQ_RUNBOOK_SECTION = "When the DLQ alarm fires";

/** The first command of each alarm's runbook entry, as the README writes it. */
export const ALARM_FIRST_COMMANDS = {
  "dlq-not-empty": "npm run dlq -- stats",
  "oldest-message-age": "aws lambda list-event-source-mappings --function-name <function>",
  "consumer-errors": "aws logs tail /aws/lambda/<function> --since 15m --filter-pattern ERROR",
  "consumer-throttles": "aws lambda get-account-settings",
  "table-throttles": "aws dynamodb describe-table --table-name <table>",
} as const;

export type AlarmKey = keyof typeof ALARM_FIRST_COMMANDS;

/** The sentence an alarm's description ends with: its runbook entry and first command. */
export function runbookPointer(key: AlarmKey): string {
  return `Runbook: README.md, "${RUNBOOK_SECTION}" > ${key}; start with \`${ALARM_FIRST_COMMANDS[key]}\`.`;
}

export const DLQ_RUNBOOK_POINTER = `Runbook: README.md, section "${DLQ_RUNBOOK_SECTION}"; start with \`${ALARM_FIRST_COMMANDS["dlq-not-empty"]}\`.`;
