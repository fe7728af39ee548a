// `npm run local -- up`: deploy, print how to reach the cloud, and stay up until Ctrl-C (stop-control.ts decides how).

import {
  DEFAULT_LOCAL_ROOT,
  EXIT,
  type ExitStatus,
  type LocalEndpoints,
  type LocalLayout,
  localEnvironment,
  localLayout,
  releaseStateFile,
} from "../contracts";
import type { CliArgs } from "./cli-args";
import { EmbeddedCloud } from "./cloud";
import type { DeployedStack } from "./deploy";
import { heldMessages } from "./held-messages";
import { denialLine } from "./iam/cloud-iam";
import { permissionLines } from "./iam/cloud-principals";
import { type LocalDashboard, startDashboard } from "./local-dashboard";
import { IAM_OFF_NOTICE } from "./run-summary";
import { commandStackSource, synthesizeStack } from "./stack-source";
import { StopControl } from "./stop-control";
import { table } from "./text-table";

export async function upCommand(args: CliArgs): Promise<ExitStatus> {
  // VEHICLE_PIPELINE_LOCAL_ROOT: another .local folder inside the repository (tests run their own clouds in one).
  const layout = localLayout(process.env.VEHICLE_PIPELINE_LOCAL_ROOT ?? DEFAULT_LOCAL_ROOT);
  // Listening before the cloud starts: a Ctrl-C during synthesis or deploy still cleans up.
  const stop = new StopControl({
    persist: args.persist,
    journal: layout.sqsJournal,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    releaseNow: () => releaseStateFile(layout.root),
    write: (line) => process.stderr.write(`${line}\n`),
  });
  // Takes over a synthesis cli.ts began; it runs while the emulators start and is settled on every path out.
  const synthesizing = synthesizeStack(commandStackSource(args.stackName));
  synthesizing.catch(() => undefined);
  let cloud: EmbeddedCloud;
  try {
    cloud = await EmbeddedCloud.start({
      localRoot: layout.root,
      persist: args.persist,
      sqsPort: args.port,
      dynamoPort: args.port === undefined ? undefined : args.port + 1,
      faults: args.faults,
      iam: args.iam,
    });
  } catch (error) {
    stop.dispose();
    await synthesizing.catch(() => undefined);
    throw error;
  }
  // Each distinct refusal once, as it happens: a client meeting AccessDenied sees why here.
  cloud.iam.onDistinctDenial((d) => process.stderr.write(`${denialLine(d)}\n`));
  let dashboard: LocalDashboard | undefined;
  try {
    const stack = await synthesizing;
    if (stop.requested) return EXIT.ok;
    const deployed = await cloud.deploy(stack);
    stop.attach(
      () => heldMessages(cloud),
      () => cloud.waitForDrain(Number.MAX_SAFE_INTEGER),
    );
    if (stop.requested) return EXIT.ok;
    dashboard = await startDashboard(cloud, stack);
    console.log(upLines(cloud, deployed, { persist: args.persist, dashboardUrl: dashboard?.url }).join("\n"));
    await stop.stopped;
    return EXIT.ok;
  } finally {
    stop.dispose();
    await dashboard?.close();
    await cloud.stop();
  }
}

/** What `up` prints once deployed: endpoints, resources, and how the AWS CLI and SDKs reach them. */
function upLines(
  cloud: EmbeddedCloud,
  deployed: DeployedStack,
  shown: { persist: boolean; dashboardUrl: string | undefined },
): string[] {
  const o = deployed.outputs;
  const layout = localLayout(cloud.localRoot);
  return [
    "embedded cloud up (Ctrl-C to stop)",
    table([
      ["SQS endpoint", cloud.endpoints.sqs],
      ["DynamoDB endpoint", cloud.endpoints.dynamodb],
      ["queue URL", String(o.queueUrl)],
      ["DLQ URL", String(o.dlqUrl)],
      ["table", String(o.tableName)],
      ["function", String(o.functionName)],
      ["dashboard", shown.dashboardUrl ?? "(none declared)"],
      ["state file", layout.stateFile],
      ["record", cloud.recorder?.folder ?? "-"],
      [
        "kept on disk",
        shown.persist
          ? keptLine(cloud, layout)
          : "no: queues, DLQ and table in memory, lost at stop (--persist keeps them)",
      ],
      ...(cloud.faults
        ? ([["faults", `${cloud.faults.describe()} (for every client: in the emulators' request path)`]] as const)
        : []),
    ]),
    "",
    ...principalLines(cloud, deployed),
    "",
    "resources:",
    ...deployed.resources
      .filter((r) => r.status !== "component")
      .map((r) => `  ${r.status.padEnd(12)} ${r.type} ${r.name}: ${r.detail}`),
    "",
    "for the AWS CLI and SDKs (the administrator's well-known test keys):",
    ...environmentLines(cloud.endpoints, cloud.region),
    "",
    "then, e.g. (AWS CLI v1 ignores AWS_ENDPOINT_URL_SQS in us-east-1, where it forces queue.amazonaws.com, so SQS",
    "commands pass --endpoint-url; CLI v2 and the SDKs honour the variable):",
    `  aws sqs send-message --endpoint-url ${cloud.endpoints.sqs} --queue-url ${String(o.queueUrl)} ` +
      `--message-body '{"vehicleId":"VH2001","make":"Honda","model":"Civic","year":2020,"color":"Blue","mileage":15000}'`,
    `  aws dynamodb scan --table-name ${String(o.tableName)}`,
    "  npm run produce -- --rate 50/s --duration 10s      (finds the queue through the state file)",
  ];
}

/**
 * Who may call, with which keys, and what each may do. Only the access key identifies a caller (signatures are not
 * verified): these keys exercise the stack's policies, they protect nothing.
 */
function principalLines(cloud: EmbeddedCloud, deployed: DeployedStack): string[] {
  if (!cloud.iam.enforced) return [IAM_OFF_NOTICE];
  const principals = [cloud.administrator, deployed.principals.producer, ...deployed.principals.functions.values()];
  return [
    "principals (every SQS and DynamoDB call is authorized against the stack's policies; unknown keys are refused;",
    "the access key alone says who calls, secrets and signatures are not checked):",
    ...principals.flatMap((p) => {
      if (!p) return [];
      const { identity } = p;
      const keys = identity.sessionToken
        ? `${identity.accessKeyId} (temporary, with a session token; in the function's environment)`
        : `${identity.accessKeyId} / ${identity.secretAccessKey}${p.aliases.length > 0 ? `, or the test keys ${p.aliases.join(", ")} / test` : ""}`;
      return [`  ${p.role}: ${identity.arn}`, `    keys: ${keys}`, ...permissionLines(p).map((l) => `    may: ${l}`)];
    }),
  ];
}

/** With --persist: where the queues and the table are kept, and what the queues' journal gave back at start. */
function keptLine(cloud: EmbeddedCloud, layout: LocalLayout): string {
  const restored = [...(cloud.sqsEmulator.journal?.restored ?? [])];
  const queues =
    restored.length === 0
      ? "nothing to restore"
      : `restored ${restored.map(([name, n]) => `${n} in ${name}`).join(", ")}`;
  return `yes: queues in ${layout.sqsJournal} (${queues}), table in ${layout.dynamodb}`;
}

/** The lines that let the AWS CLI and SDKs reach the embedded cloud. */
function environmentLines(endpoints: LocalEndpoints, region: string): string[] {
  return Object.entries(localEnvironment(endpoints, region)).map(([name, value]) => `export ${name}=${value}`);
}
