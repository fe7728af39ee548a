// dynalite in its own thread, so DynamoDB's CPU work (LevelDB, condition evaluation, JSON) does not share the event
// loop with fauxqs, the event source mapping and the recorder. Plain CommonJS: a worker has no tsx loader.

const { parentPort, workerData } = require("node:worker_threads");
const { performance } = require("node:perf_hooks");
const { startableDynalite } = require("./dynalite-aws.js");
const { installDynamoFaults } = require("./faults/dynamo-fault-layer.js");
const { installDynamoIam } = require("./iam/dynamo-iam-layer.js");

const server = startableDynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(workerData.path ? { path: workerData.path } : {}),
});
let observing = false;
// Calls are sent to the parent in small batches: one postMessage per call would cost more than the call at 1,000/s.
let calls = [];
let _flushTimer;
function flush() {
  _flushTimer = undefined;
  if (calls.length > 0) parentPort.postMessage({ type: "calls", calls });
  calls = [];
}
server.on("request", (request, response) => {
  if (!observing) return;
  const started = performance.now();
  response.once("finish", () => {
    const target = String(request.headers["x-amz-target"] ?? "");
    calls.push({
      operation: target.slice(target.lastIndexOf(".") + 1),
      statusCode: response.statusCode,
      latencyMs: performance.now() - started,
      requestBytes: Number(request.headers["content-length"] ?? 0),
      at: Date.now(),
    });
    _flushTimer ??= setTimeout(flush, 20);
  });
});
// Injected DynamoDB faults (--faults ddb-*), around dynalite's handler and the observer above.
const faults = installDynamoFaults(server, workerData.faults, (kind) =>
  parentPort.postMessage({ type: "fault", kind }),
);
// IAM outermost: a refused call reaches neither dynalite nor the observer nor the fault layer.
const questions = new Map();
let nextQuestion = 0;
const iam = workerData.iam
  ? installDynamoIam(server, (question) => {
      const id = nextQuestion++;
      parentPort.postMessage({ type: "authorize", id, question });
      return new Promise((resolve) => questions.set(id, resolve));
    })
  : undefined;
iam?.reset(workerData.iam?.generation ?? 0);
server.once("error", (error) => parentPort.postMessage({ type: "error", code: error.code, message: error.message }));
server.listen(workerData.port, "127.0.0.1", () =>
  parentPort.postMessage({ type: "listening", port: server.address().port }),
);
parentPort.on("message", (message) => {
  if (message.type === "observe") observing = message.on;
  if (message.type === "fault-slow-ms") faults.setSlowMs(message.ms);
  if (message.type === "authorized") {
    questions.get(message.id)?.(message.answer);
    questions.delete(message.id);
  }
  if (message.type === "iam-generation") iam?.reset(message.generation);
  if (message.type === "close") {
    flush();
    server.close(() => parentPort.postMessage({ type: "closed" }));
    server.closeAllConnections?.();
  }
});
