import { FUNCTION_TYPE, type SynthesizedResource } from "../contracts";
import { describeCodeArchive, type Properties, plainObject } from "./properties";
import { invokeAnswer, providerAnswer } from "./provider-state";
import {
  emptyProto,
  engineGrpc,
  engineProto,
  grpc,
  providerProto,
  resourceGrpc,
  resourceProto,
  structProto,
} from "./pulumi-protocol";

/**
 * An in-process Pulumi engine: serves the ResourceMonitor and Engine gRPC services the Node language host
 * (@pulumi/pulumi/cmd/run) talks to, records every registration, and answers like the AWS provider would
 * (provider-state.ts). It deploys nothing.
 */

const STACK_TYPE = "pulumi:pulumi:Stack";

/** Features the real engine supports and this one honours; the callback-based ones (transforms, hooks) it does
 * not serve, so a program using them fails clearly instead of silently running without them. */
const SUPPORTED_FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "deletedWith",
  "replaceWith",
  "aliasSpecs",
  "parameterization",
]);

export interface Diagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn?: string;
}

const SEVERITIES: Diagnostic["severity"][] = ["debug", "info", "warning", "error"];

export interface EngineOptions {
  project: string;
  stack: string;
  dryRun: boolean;
  /** The provider's region: answers getRegion and goes into ARNs and URLs. */
  region: string;
}

/** What the program registered, in registration order. */
export interface EngineRecord {
  resources: SynthesizedResource[];
  outputs: Properties;
  diagnostics: Diagnostic[];
  /** Types of the invokes the program made, in order (data sources). */
  invokes: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: generated protobuf messages and grpc-js calls
type Call = any;
type Callback = (error: unknown, response?: unknown) => void;

export class LocalEngine {
  readonly record: EngineRecord = { resources: [], outputs: {}, diagnostics: [], invokes: [] };
  /** URN -> qualified type (parent types joined with `$`, the stack left out), to build children's URNs. */
  private readonly qualifiedTypes = new Map<string, string>();
  private stackUrn = "";
  private rootUrn = "";
  private server = new grpc.Server();

  constructor(private readonly options: EngineOptions) {}

  /** Starts serving on 127.0.0.1 and returns the `host:port` the language host is given as --monitor and --engine. */
  async start(): Promise<string> {
    this.server.addService(resourceGrpc.ResourceMonitorService, this.monitorHandlers());
    this.server.addService(engineGrpc.EngineService, this.engineHandlers());
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, p: number) =>
        error ? reject(error) : resolve(p),
      ),
    );
    return `127.0.0.1:${port}`;
  }

  stop(): void {
    this.server.forceShutdown();
  }

  private urnOf(type: string, name: string, parent: string): string {
    const parentType = parent && parent !== this.stackUrn ? this.qualifiedTypes.get(parent) : undefined;
    const qualified = parentType ? `${parentType}$${type}` : type;
    const urn = `urn:pulumi:${this.options.stack}::${this.options.project}::${qualified}::${name}`;
    this.qualifiedTypes.set(urn, qualified);
    return urn;
  }

  /** Records one registration and builds the provider's answer (inputs kept in their wire encoding, so
   * secrets stay secret when the SDK reads them back). */
  private register(request: Call): { urn: string; id: string; object: Record<string, unknown> } {
    const type: string = request.getType();
    const name: string = request.getName();
    const parent: string = request.getParent();
    const wireInputs: Record<string, unknown> = request.getObject()?.toJavaScript() ?? {};
    const urn = this.urnOf(type, name, parent);
    if (type === STACK_TYPE) {
      this.stackUrn = urn;
      return { urn, id: "", object: {} };
    }
    const inputs = plainObject(wireInputs);
    if (type === FUNCTION_TYPE && "code" in wireInputs) inputs.code = describeCodeArchive(wireInputs.code);
    const custom: boolean = request.getCustom();
    const { id, state } = custom
      ? providerAnswer(type, name, inputs, this.options.region, this.options.dryRun)
      : { id: "", state: {} };
    const dependencies = propertyDependencies(request);
    this.record.resources.push({
      type,
      name,
      urn,
      id,
      ...(parent && parent !== this.stackUrn ? { parent } : {}),
      inputs,
      state,
      ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}),
    });
    const computed = Object.fromEntries(Object.entries(state).filter(([key]) => !(key in wireInputs)));
    return { urn, id: this.options.dryRun ? "" : id, object: { ...wireInputs, ...computed } };
  }

  private monitorHandlers(): Record<string, (call: Call, callback: Callback) => void> {
    return {
      supportsFeature: (call, callback) => {
        const response = new resourceProto.SupportsFeatureResponse();
        response.setHassupport(SUPPORTED_FEATURES.has(call.request.getId()));
        callback(null, response);
      },
      registerResource: (call, callback) =>
        answer(callback, () => {
          const { urn, id, object } = this.register(call.request);
          const response = new resourceProto.RegisterResourceResponse();
          response.setUrn(urn);
          response.setId(id);
          response.setObject(structProto.Struct.fromJavaScript(object));
          return response;
        }),
      registerResourceOutputs: (call, callback) =>
        answer(callback, () => {
          if (call.request.getUrn() === this.stackUrn)
            this.record.outputs = plainObject(call.request.getOutputs()?.toJavaScript() ?? {});
          return new emptyProto.Empty();
        }),
      invoke: (call, callback) =>
        answer(callback, () => {
          const token: string = call.request.getTok();
          this.record.invokes.push(token);
          const response = new providerProto.InvokeResponse();
          response.setReturn(structProto.Struct.fromJavaScript(invokeAnswer(token, this.options.region)));
          return response;
        }),
      signalAndWaitForShutdown: (_call, callback) => callback(null, new emptyProto.Empty()),
    };
  }

  private engineHandlers(): Record<string, (call: Call, callback: Callback) => void> {
    return {
      log: (call, callback) => {
        const urn: string = call.request.getUrn();
        this.record.diagnostics.push({
          severity: SEVERITIES[call.request.getSeverity()] ?? "info",
          message: call.request.getMessage(),
          ...(urn ? { urn } : {}),
        });
        callback(null, new emptyProto.Empty());
      },
      getRootResource: (_call, callback) => {
        const response = new engineProto.GetRootResourceResponse();
        response.setUrn(this.rootUrn);
        callback(null, response);
      },
      setRootResource: (call, callback) => {
        this.rootUrn = call.request.getUrn();
        callback(null, new engineProto.SetRootResourceResponse());
      },
    };
  }
}

/**
 * Which resources each input's value came from (the SDK's propertyDependencies): what lets a preview say that a
 * mapping's unknown eventSourceArn is a given queue's ARN, as Pulumi's engine orders creates by it.
 */
function propertyDependencies(request: Call): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  request.getPropertydependenciesMap().forEach((deps: Call, key: string) => {
    const urns: string[] = deps.getUrnsList();
    if (urns.length > 0) out[key] = urns;
  });
  return out;
}

/** Runs a handler and turns a thrown error into a gRPC error the SDK reports as the program's failure. */
function answer(callback: Callback, handle: () => unknown): void {
  try {
    callback(null, handle());
  } catch (error) {
    callback({ code: grpc.status.UNKNOWN, details: (error as Error).message });
  }
}
