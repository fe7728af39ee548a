/** Where an operator goes when the dead-letter queue fills: the README's runbook section and its first command. */
const DLQ_RUNBOOK_SECTION = "When the DLQ alarm fires";
const DLQ_FIRST_COMMAND = "npm run dlq -- stats";
export const DLQ_RUNBOOK_POINTER = `Runbook: README.md, section "${DLQ_RUNBOOK_SECTION}"; start with \`${DLQ_FIRST_COMMAND}\`.`;
