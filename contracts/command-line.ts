/**
 * Reading a command line: node:util's parseArgs, with its errors turned into one-line UsageErrors that name the flag
 * and show how it is written. Every command here parses its flags through parseCommandLine.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./cli-errors";

/** How the flags several commands share are written; a command passes examples for its own flags beside these. */
const FLAG_EXAMPLES: Readonly<Record<string, string>> = {
  "--rate": "--rate 200/s",
  "--duration": "--duration 30s",
  "--count": "--count 1000",
  "--profile": `--profile "50/s:20s,400/s:40s,0/s:20s"`,
  "--seed": "--seed 42",
  "--invalid-ratio": "--invalid-ratio 0.05",
  "--queue-url": "--queue-url https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue",
  "--dlq-url": "--dlq-url https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-dlq",
  "--endpoint": "--endpoint http://127.0.0.1:4566",
  "--region": "--region us-east-1",
  "--stack": "--stack dev",
};

type ParseArgsError = Error & { code?: string };

/** parseArgs's complaint as a sentence naming the flag; `examples` shows how a flag is written. */
function describeParseArgsError(error: ParseArgsError, examples: Readonly<Record<string, string>>): string {
  const message = error.message;
  const exampleFor = (flag: string) => examples[flag] ?? FLAG_EXAMPLES[flag] ?? `${flag} <value>`;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${/Unknown option '([^']+)'/.exec(message)?.[1] ?? "?"}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1] ?? "?";
      if (/argument missing/.test(message)) return `${flag} needs a value, e.g. ${exampleFor(flag)}`;
      if (/ambiguous/.test(message))
        return `${flag} is followed by something starting with "-": write ${flag}=<value> if that is its value, e.g. ${exampleFor(flag)}`;
      return `${flag} takes no value: write ${flag} alone`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${JSON.stringify(/Unexpected argument '([^']*)'/.exec(message)?.[1] ?? "?")}: every option starts with --`;
    default:
      return message;
  }
}

/**
 * parseArgs (strict unless the config says otherwise), throwing a UsageError that names the flag instead of
 * parseArgs's own TypeError. `examples` adds how this command's own flags are written.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  examples: Readonly<Record<string, string>> = {},
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as ParseArgsError).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw error;
    throw new UsageError(describeParseArgsError(error as ParseArgsError, examples));
  }
}
