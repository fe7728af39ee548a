/**
 * The load generator: `produce()` for the embedded cloud and the benchmarks, and the `tsx producer` command line
 * (cli.ts), which runs when this folder is the program Node starts.
 */
import { runProducerCli } from "./cli";

export type { OutgoingMessage } from "./messages";
export { type ProduceOptions, type ProduceSummary, produce } from "./produce";
export { EXAMPLE_VEHICLE } from "./vehicles";

if (require.main === module) runProducerCli();
