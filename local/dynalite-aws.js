// dynalite with the one answer it lacks that the consumer relies on: ReturnValuesOnConditionCheckFailure ("ALL_OLD"),
// with which DynamoDB returns the stored item inside ConditionalCheckFailedException. Everyone who starts dynalite
// (the embedded cloud's worker thread and the tests' in-process emulator) starts it through here, so both see what
// AWS answers. Plain CommonJS: the worker thread has no TypeScript loader.
// The stored item is read after the failed write, not atomically with it; a test or local run never races itself
// on one key, and AWS does the read atomically.

const { EventEmitter } = require("node:events");
const { crc32 } = require("node:zlib");
const dynalite = require("dynalite");

const CONDITIONAL_WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem"]);

/** A dynalite http.Server (same options, same close) answering ReturnValuesOnConditionCheckFailure as AWS does. */
function startableDynalite(options) {
  const server = dynalite(options);
  const [inner] = server.listeners("request");
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1];
    if (req.method !== "POST" || !CONDITIONAL_WRITES.has(operation)) return inner(req, res);
    const answer = (body, data) => {
      if (data?.ReturnValuesOnConditionCheckFailure !== "ALL_OLD") return inner(replay(req, body), res);
      withStoredItem(inner, req, body, data).then(
        (answer) => send(res, answer),
        (error) => send(res, { status: 500, headers: {}, body: JSON.stringify({ message: String(error) }) }),
      );
    };
    // A request the IAM layer has read already carries its body, read and parsed once (iam/dynamo-iam-layer.js).
    if (req.readBody) return answer(req.readBody.raw, req.readBody.parsed);
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let data;
      try {
        data = JSON.parse(body.toString());
      } catch {
        data = undefined;
      }
      answer(body, data);
    });
  });
  return server;
}

/** The write's answer; when its condition failed, with the stored item added as AWS adds it. */
async function withStoredItem(inner, req, body, data) {
  const answer = await call(inner, req, body);
  const failed = answer.status === 400 && /ConditionalCheckFailedException/.test(answer.body);
  if (!failed) return answer;
  const table = await call(inner, req, JSON.stringify({ TableName: data.TableName }), "DescribeTable");
  const keyNames = JSON.parse(table.body).Table.KeySchema.map((k) => k.AttributeName);
  const source = data.Item ?? data.Key;
  const Key = Object.fromEntries(keyNames.map((name) => [name, source[name]]));
  const got = await call(
    inner,
    req,
    JSON.stringify({ TableName: data.TableName, Key, ConsistentRead: true }),
    "GetItem",
  );
  const stored = JSON.parse(got.body).Item;
  if (!stored) return answer;
  const text = JSON.stringify({ ...JSON.parse(answer.body), Item: stored });
  return { ...answer, body: text, headers: { ...answer.headers, "content-length": String(Buffer.byteLength(text)) } };
}

/** Run one request through dynalite's handler in memory and collect its answer. */
function call(inner, req, body, operation) {
  return new Promise((resolve) => {
    const headers = { ...req.headers };
    if (operation) headers["x-amz-target"] = `${headers["x-amz-target"].split(".")[0]}.${operation}`;
    headers["content-length"] = String(Buffer.byteLength(body));
    const fakeReq = replay({ headers, method: req.method, url: req.url }, Buffer.from(body));
    const answer = { status: 200, headers: {}, body: "" };
    const fakeRes = {
      set statusCode(value) {
        answer.status = value;
      },
      get statusCode() {
        return answer.status;
      },
      setHeader(name, value) {
        answer.headers[name.toLowerCase()] = String(value);
      },
      end(text) {
        answer.body = text ? String(text) : "";
        resolve(answer);
      },
    };
    inner(fakeReq, fakeRes);
  });
}

/** A request-like emitter that hands dynalite a body already read. */
function replay(req, body) {
  const fake = Object.assign(new EventEmitter(), { headers: req.headers, method: req.method, url: req.url });
  process.nextTick(() => {
    if (body.length) fake.emit("data", body);
    fake.emit("end");
  });
  return fake;
}

function send(res, answer) {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  // The SDK checks DynamoDB's CRC32 of the body.
  res.setHeader("x-amz-crc32", String(crc32(answer.body)));
  res.setHeader("content-length", String(Buffer.byteLength(answer.body)));
  res.end(answer.body);
}

module.exports = { startableDynalite };
