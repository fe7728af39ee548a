/**
 * fauxqs in a process of its own, for the producer benchmark: the producer must not share its event
 * loop with the emulator it measures against (an emulator sharing the client's event loop runs 30-40% slower).
 * Prints one JSON line {"endpoint": ...} when listening; exits when its stdin closes or on SIGTERM.
 */
import { startSqs } from "../local";

async function main(): Promise<void> {
  const sqs = await startSqs({ port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`${JSON.stringify({ endpoint: sqs.endpoint, pid: process.pid })}\n`);
  const stop = () => void sqs.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.stdin.on("end", stop);
  process.stdin.resume();
}

void main();
