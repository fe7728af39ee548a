import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { OperatorError } from "../contracts";

/**
 * The one place that reaches inside @pulumi/pulumi: its gRPC runtime and generated protocol stubs (proto/*.js, not
 * part of its public API), loaded from its own dependency tree, so the engine speaks exactly the protocol version the
 * program's SDK speaks and the project adds no gRPC dependency of its own. Every service, RPC and message the engine
 * uses is named below and checked when this module loads: an SDK upgrade that moves one fails here, with a sentence.
 * The stubs are generated JavaScript without usable types here, hence `any`.
 */
const pulumiPackageJson = require.resolve("@pulumi/pulumi/package.json");
const fromPulumi = createRequire(pulumiPackageJson);

/** Folder of the installed @pulumi/pulumi (its cmd/run is the program's entry point under `pulumi up`). */
export const PULUMI_SDK_DIR = dirname(pulumiPackageJson);
/** The SDK version this engine was written against (package.json pins ~3.248). */
const PULUMI_SDK_VERSION = "3.248";

// biome-ignore lint/suspicious/noExplicitAny: generated protobuf and grpc-js modules, loaded dynamically
type Module = any;

/** What the engine uses of each module: services with the RPCs it serves, message classes, grpc-js members. */
export const PROTOCOL_NEEDS = {
  grpc: ["Server", "ServerCredentials", "status"],
  emptyProto: ["Empty"],
  structProto: ["Struct"],
  resourceProto: ["RegisterResourceResponse", "SupportsFeatureResponse"],
  resourceGrpc: [
    "ResourceMonitorService.supportsFeature",
    "ResourceMonitorService.registerResource",
    "ResourceMonitorService.registerResourceOutputs",
    "ResourceMonitorService.invoke",
    "ResourceMonitorService.signalAndWaitForShutdown",
  ],
  engineProto: ["GetRootResourceResponse", "SetRootResourceResponse"],
  engineGrpc: ["EngineService.log", "EngineService.getRootResource", "EngineService.setRootResource"],
  providerProto: ["InvokeResponse"],
} as const;

export type ProtocolModules = Record<keyof typeof PROTOCOL_NEEDS, Module>;

/** The installed @pulumi/pulumi lacks something the in-process engine serves or sends. */
class PulumiProtocolError extends OperatorError {
  constructor(missing: readonly string[], version: string) {
    super(
      `@pulumi/pulumi ${version} no longer has what the in-process engine uses: ${missing.join(", ")} ` +
        `(engine/pulumi-protocol.ts was written against ${PULUMI_SDK_VERSION})`,
      "run `npm ci` to install the pinned @pulumi/pulumi, or update engine/pulumi-protocol.ts and engine/monitor.ts",
    );
  }
}

/** Throws PulumiProtocolError listing every needed member the modules lack. Exported for the test that plants one. */
export function checkPulumiProtocol(modules: ProtocolModules, version: string): void {
  const missing: string[] = [];
  for (const [name, members] of Object.entries(PROTOCOL_NEEDS) as [keyof typeof PROTOCOL_NEEDS, readonly string[]][]) {
    for (const member of members) {
      const value = member.split(".").reduce<Module>((object, key) => object?.[key], modules[name]);
      if (value === undefined) missing.push(`${name}.${member}`);
    }
  }
  if (missing.length > 0) throw new PulumiProtocolError(missing, version);
}

const modules: ProtocolModules = {
  grpc: fromPulumi("@grpc/grpc-js"),
  emptyProto: fromPulumi("google-protobuf/google/protobuf/empty_pb"),
  structProto: fromPulumi("google-protobuf/google/protobuf/struct_pb"),
  resourceProto: fromPulumi(join(PULUMI_SDK_DIR, "proto/resource_pb.js")),
  resourceGrpc: fromPulumi(join(PULUMI_SDK_DIR, "proto/resource_grpc_pb.js")),
  engineProto: fromPulumi(join(PULUMI_SDK_DIR, "proto/engine_pb.js")),
  engineGrpc: fromPulumi(join(PULUMI_SDK_DIR, "proto/engine_grpc_pb.js")),
  providerProto: fromPulumi(join(PULUMI_SDK_DIR, "proto/provider_pb.js")),
};
checkPulumiProtocol(modules, (require(pulumiPackageJson) as { version: string }).version);

export const { grpc, emptyProto, structProto, resourceProto, resourceGrpc, engineProto, engineGrpc, providerProto } =
  modules;
