// A fauxqs with a queue journal in its own process, so a test can SIGKILL it and start another on the same journal.
// Usage: tsx tests/support/journaled-sqs-child.ts <journal file> [port]; prints {"endpoint": ...} once listening.
import { startSqs } from "../../local/emulators";

startSqs({ loopbackQueueUrls: true, journalFile: process.argv[2], port: Number(process.argv[3] ?? 0) }).then(
  (sqs) => process.stdout.write(`${JSON.stringify({ endpoint: sqs.endpoint, port: sqs.port })}\n`),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
