// One Lambda execution environment, as a worker thread: the embedded cloud's stand-in for the Lambda runtime
// interface client. Plain CommonJS JavaScript because it runs in a fresh thread without tsx's loader, exactly like
// the function's own __index.js. It loads the function code once (the init phase of a cold start), then runs one
// invocation at a time when the parent posts {type: "invoke"}. The parent enforces the timeout by terminating the
// thread, which is what Lambda does to a timed-out environment.

const { parentPort, workerData } = require("node:worker_threads");
const { performance } = require("node:perf_hooks");

const {
  codePath,
  handlerName,
  functionName,
  functionVersion,
  memoryLimitInMB,
  invokedFunctionArn,
  logGroupName,
  logStreamName,
  initFault,
  failFirstInvocation,
} = workerData;

function describeError(error) {
  if (error instanceof Error)
    return { errorType: error.name, errorMessage: error.message, stack: String(error.stack ?? "").split("\n") };
  return { errorType: "Error", errorMessage: String(error), stack: [] };
}

// Init phase: require the artifact and find the exported handler ("__index.handler" -> export "handler").
const initStarted = performance.now();
let handler;
let initError;
try {
  // Injected by the embedded cloud (lambda-init-fail): this cold start fails, as a crashing init would.
  if (initFault)
    throw Object.assign(new Error("fault injected by the embedded cloud: init failed"), { name: "Runtime.InitError" });
  const exportName = handlerName.slice(handlerName.lastIndexOf(".") + 1);
  const module_ = require(codePath);
  handler = module_[exportName];
  if (typeof handler !== "function")
    throw new TypeError(`${codePath} does not export a function named "${exportName}" (handler "${handlerName}")`);
} catch (error) {
  initError = describeError(error);
}
parentPort.postMessage({ type: "ready", initMs: performance.now() - initStarted, error: initError });

let invocations = 0;

parentPort.on("message", async (message) => {
  if (message.type !== "invoke") return;
  const { requestId, event, deadline, crash } = message;
  invocations += 1;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: requestId,
    functionName,
    functionVersion,
    memoryLimitInMB: String(memoryLimitInMB),
    invokedFunctionArn,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  const started = performance.now();
  try {
    if (initError) throw Object.assign(new Error(initError.errorMessage), { name: initError.errorType });
    // Injected by the embedded cloud (lambda-first-invoke-error), never by the function: this environment's first
    // invocation fails as a function whose lazy initialisation throws would.
    if (failFirstInvocation && invocations === 1) {
      throw Object.assign(new Error("fault injected by the embedded cloud: first invocation of a new environment"), {
        name: "InjectedFault",
      });
    }
    const response = await new Promise((resolve, reject) => {
      // Both handler styles Lambda supports: async (returns a promise) and callback.
      const returned = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)));
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
    });
    // Injected by the embedded cloud (lambda-crash): the records ran, the response never leaves the environment.
    if (crash) process.exit(1);
    parentPort.postMessage({ type: "result", requestId, ok: true, response, durationMs: performance.now() - started });
  } catch (error) {
    if (crash) process.exit(1);
    parentPort.postMessage({
      type: "result",
      requestId,
      ok: false,
      error: describeError(error),
      durationMs: performance.now() - started,
    });
  }
});
