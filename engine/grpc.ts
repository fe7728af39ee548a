import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * gRPC runtime and Pulumi's generated protocol stubs, loaded from @pulumi/pulumi's own dependency tree: the engine
 * speaks exactly the protocol version the program's SDK speaks, and the project adds no gRPC dependency of its own.
 * The stubs are generated JavaScript without usable types here, hence `any`.
 */
const pulumiPackageJson = require.resolve("@pulumi/pulumi/package.json");
const fromPulumi = createRequire(pulumiPackageJson);

/** Folder of the installed @pulumi/pulumi (its cmd/run is the program's entry point under `pulumi up`). */
export const PULUMI_SDK_DIR = dirname(pulumiPackageJson);

// biome-ignore lint/suspicious/noExplicitAny: generated protobuf and grpc-js modules, loaded dynamically
type Module = any;

export const grpc: Module = fromPulumi("@grpc/grpc-js");
export const emptyProto: Module = fromPulumi("google-protobuf/google/protobuf/empty_pb");
export const structProto: Module = fromPulumi("google-protobuf/google/protobuf/struct_pb");
export const resourceProto: Module = fromPulumi(join(PULUMI_SDK_DIR, "proto/resource_pb.js"));
export const resourceGrpc: Module = fromPulumi(join(PULUMI_SDK_DIR, "proto/resource_grpc_pb.js"));
export const engineProto: Module = fromPulumi(join(PULUMI_SDK_DIR, "proto/engine_pb.js"));
export const engineGrpc: Module = fromPulumi(join(PULUMI_SDK_DIR, "proto/engine_grpc_pb.js"));
export const providerProto: Module = fromPulumi(join(PULUMI_SDK_DIR, "proto/provider_pb.js"));
