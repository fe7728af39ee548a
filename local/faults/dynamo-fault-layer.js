// DynamoDB's failure modes between the function's SDK and dynalite, installed in the DynamoDB worker thread around
// dynalite's own request handler, so every client (the consumer's SDK, the AWS CLI, boto3) meets them on the wire.
// Only PutItem is eligible. Plain CommonJS: the worker runs without tsx.

const { createFaultDice } = require("./dice.js");

const THROTTLE_TYPES = ["ProvisionedThroughputExceededException", "ThrottlingException"];
const MESSAGES = {
  ProvisionedThroughputExceededException:
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
  ThrottlingException: "Rate of requests exceeds the allowed throughput.",
  InternalServerError: "Internal server error",
};

/** The JSON error body DynamoDB answers with (the SDK reads __type and message). */
function answer(response, statusCode, type) {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: MESSAGES[type] });
  response.writeHead(statusCode, {
    "Content-Type": "application/x-amz-json-1.0",
    "Content-Length": Buffer.byteLength(body),
    "x-amzn-RequestId": Math.random().toString(36).slice(2).toUpperCase().padEnd(20, "0"),
  });
  response.end(body);
}

/**
 * Wraps the server's request listeners (dynalite's handler, and any observer) with the fault layer.
 * settings: {rates, seed, slowMs}; report(kind) tells the parent a fault was injected.
 */
function installDynamoFaults(server, settings, report) {
  if (!settings || !Object.values(settings.rates ?? {}).some((rate) => rate > 0)) return { setSlowMs() {} };
  const dice = createFaultDice(settings.rates, settings.seed);
  let slowMs = settings.slowMs ?? 10_000;
  let throttles = 0;
  const original = server.listeners("request");
  server.removeAllListeners("request");
  const pass = (request, response) => {
    for (const listener of original) listener.call(server, request, response);
  };
  server.on("request", (request, response) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    if (!target.endsWith(".PutItem")) return pass(request, response);
    if (dice.roll("ddb-throttle")) {
      report("ddb-throttle");
      request.resume();
      // Alternate the two throttling errors DynamoDB uses for a table and for the account's request rate.
      return answer(response, 400, THROTTLE_TYPES[throttles++ % 2]);
    }
    if (dice.roll("ddb-5xx")) {
      report("ddb-5xx");
      request.resume();
      return answer(response, 500, "InternalServerError");
    }
    if (dice.roll("ddb-lost-ack")) {
      report("ddb-lost-ack");
      // dynalite applies the write and answers; the answer never leaves: the connection is reset instead.
      response.end = () => {
        request.socket.destroy();
        return response;
      };
      return pass(request, response);
    }
    if (dice.roll("ddb-slow")) {
      report("ddb-slow");
      // Applied now, answered past the function's timeout: the caller has usually given up (its environment
      // terminated) before the answer leaves, so it cannot tell whether the write landed.
      const end = response.end.bind(response);
      response.end = (...args) => {
        setTimeout(() => {
          if (!request.socket.destroyed) end(...args);
        }, slowMs);
        return response;
      };
      return pass(request, response);
    }
    return pass(request, response);
  });
  return {
    setSlowMs(ms) {
      slowMs = ms;
    },
  };
}

module.exports = { installDynamoFaults };
