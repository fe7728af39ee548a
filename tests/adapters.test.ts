// The two adapters that reach inside a dependency (fauxqs's store, @pulumi/pulumi's protocol stubs) accept the
// installed versions and say clearly what is missing when a version no longer has what they use.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROJECT_ROOT } from "../contracts";
import {
  checkPulumiProtocol,
  emptyProto,
  engineGrpc,
  engineProto,
  grpc,
  type ProtocolModules,
  providerProto,
  resourceGrpc,
  resourceProto,
  structProto,
} from "../engine/pulumi-protocol";
import { checkFauxqsStore, createFauxqsStore, FAUXQS_VERSION } from "../local/fauxqs-store";

const installedProtocol: ProtocolModules = {
  grpc,
  emptyProto,
  structProto,
  resourceProto,
  resourceGrpc,
  engineProto,
  engineGrpc,
  providerProto,
};

/** The modules with `service.rpc` removed from a shallow copy of module `name`; the installed modules are untouched. */
function without(modules: ProtocolModules, name: keyof ProtocolModules, service: string, rpc: string): ProtocolModules {
  const { [rpc]: _removed, ...rpcs } = modules[name][service];
  return { ...modules, [name]: { ...modules[name], [service]: rpcs } };
}

test("the installed @pulumi/pulumi has every service, RPC and message the engine uses", () => {
  checkPulumiProtocol(installedProtocol, "installed");
});

test("a @pulumi/pulumi without one RPC the engine serves fails naming it and what to do", () => {
  const planted = without(installedProtocol, "resourceGrpc", "ResourceMonitorService", "registerResource");
  assert.throws(
    () => checkPulumiProtocol(planted, "9.9.9"),
    (error: Error) =>
      error.message.includes("@pulumi/pulumi 9.9.9") &&
      error.message.includes("resourceGrpc.ResourceMonitorService.registerResource") &&
      (error as Error & { hint?: string }).hint?.includes("npm ci") === true,
  );
});

const storeFile = join(PROJECT_ROOT, "node_modules", "fauxqs", "dist", "sqs", "sqsStore.js");

test(`the installed fauxqs (${FAUXQS_VERSION}) has every store and queue member the embedded cloud uses`, async () => {
  const module = await import(pathToFileURL(storeFile).href);
  assert.type(checkFauxqsStore(module, FAUXQS_VERSION), "function");
  const store = await createFauxqsStore();
  assert.is(store.host, "", "queue URLs follow the creating request's host");
});

test("a fauxqs store without a member the embedded cloud calls fails naming it and what to do", async () => {
  const { SqsStore } = (await import(pathToFileURL(storeFile).href)) as { SqsStore: new () => object };
  class PlantedStore extends SqsStore {}
  Object.defineProperty(PlantedStore.prototype, "getQueueByName", { value: undefined });
  assert.throws(
    () => checkFauxqsStore({ SqsStore: PlantedStore as never }, "2.0.0"),
    (error: Error) =>
      error.message.includes("fauxqs 2.0.0 has no SqsStore.getQueueByName()") &&
      (error as Error & { hint?: string }).hint?.includes("npm ci") === true,
  );
});

test.run();
