// IAM in front of dynalite, in the DynamoDB worker thread: every call is authorized before dynalite, the observer or
// the fault layer sees it. The evaluator is TypeScript on the main thread, so the worker asks it once per
// (access key, session token, operation, table) and caches what it allowed: the cloud supplies no request-varying
// condition keys, so a decision holds until a key or a policy changes (the main thread then sends a new generation).
// Refusals are never cached, so each one is recorded. Plain CommonJS: the worker runs without tsx.

const { EventEmitter } = require("node:events");
const { randomUUID } = require("node:crypto");
const { crc32 } = require("node:zlib");

/** The access key of a SigV4 Authorization header or a presigned query (as controlplane's credentials.ts reads it). */
function accessKeyOf(request) {
  const header = request.headers.authorization;
  if (typeof header === "string" && header.startsWith("AWS4-HMAC-SHA256 "))
    return /(?:^|[\s,])Credential=([^/,\s]+)\//.exec(header.slice(16))?.[1];
  const query = new URL(request.url ?? "/", "http://localhost").searchParams;
  return query.get("X-Amz-Credential")?.split("/")[0] || undefined;
}

/** Operations on one table named by TableName (and an index by IndexName): cacheable by that name. */
const SINGLE_TABLE = new Set(["PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "DescribeTable"]);

/** What the evaluator needs to derive the resources: the names, never the items (a PutItem body may be 400 KB). */
function resourceFields(body) {
  const out = {};
  for (const key of ["TableName", "IndexName", "ResourceArn"]) if (typeof body[key] === "string") out[key] = body[key];
  if (body.RequestItems && typeof body.RequestItems === "object")
    out.RequestItems = Object.fromEntries(Object.keys(body.RequestItems).map((name) => [name, []]));
  if (Array.isArray(body.TransactItems))
    out.TransactItems = body.TransactItems.map((item) =>
      Object.fromEntries(Object.entries(item ?? {}).map(([kind, entry]) => [kind, { TableName: entry?.TableName }])),
    );
  return out;
}

/**
 * A request-like emitter replaying a body already read, on the same socket (the fault layer may reset it). It carries
 * the body as read and parsed (`readBody`), so dynalite-aws.js does not read and parse it a second time.
 */
function replay(request, body, parsed) {
  const fake = Object.assign(new EventEmitter(), {
    headers: request.headers,
    method: request.method,
    url: request.url,
    socket: request.socket,
    readBody: parsed === undefined ? undefined : { raw: body, parsed },
    resume() {},
  });
  process.nextTick(() => {
    if (body.length) fake.emit("data", body);
    fake.emit("end");
  });
  return fake;
}

function refuse(response, wire) {
  // A fresh request id per answer, and DynamoDB's CRC32 of the body, which the SDK checks.
  const headers = { ...wire.headers, "x-amzn-requestid": randomUUID(), "x-amz-crc32": String(crc32(wire.body)) };
  response.writeHead(wire.statusCode, headers);
  response.end(wire.body);
}

/**
 * Wraps the server's request listeners (dynalite's handler, the observer, the fault layer) with authorization.
 * `ask(question)` resolves to `{ allowed, generation, wire? }` from the main thread. Returns `reset(generation)`.
 */
function installDynamoIam(server, ask) {
  const allowed = new Set();
  let generation = 0;
  const original = server.listeners("request");
  server.removeAllListeners("request");
  const pass = (request, response) => {
    for (const listener of original) listener.call(server, request, response);
  };
  server.on("request", (request, response) => {
    const accessKeyId = accessKeyOf(request);
    // Unsigned requests and GETs: dynalite answers them (MissingAuthenticationTokenException, its health check).
    if (request.method !== "POST" || !accessKeyId) return pass(request, response);
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      let data;
      try {
        data = JSON.parse(body.toString() || "{}");
      } catch {
        return pass(replay(request, body), response); // dynalite answers SerializationException
      }
      const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      const sessionToken = request.headers["x-amz-security-token"];
      const cacheKey = SINGLE_TABLE.has(operation)
        ? [accessKeyId, sessionToken ?? "", operation, data?.TableName, data?.IndexName ?? ""].join("\n")
        : undefined;
      if (cacheKey && allowed.has(cacheKey)) return pass(replay(request, body, data), response);
      ask({ accessKeyId, sessionToken, operation, input: resourceFields(data ?? {}) }).then(
        (answer) => {
          if (!answer.allowed) return refuse(response, answer.wire);
          if (cacheKey && answer.generation === generation) allowed.add(cacheKey);
          pass(replay(request, body, data), response);
        },
        (error) => refuse(response, { statusCode: 500, headers: {}, body: JSON.stringify({ message: String(error) }) }),
      );
    });
  });
  return {
    reset(next) {
      generation = next;
      allowed.clear();
    },
  };
}

module.exports = { installDynamoIam };
