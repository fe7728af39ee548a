import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  accessDeniedResponse,
  type Denial,
  dynamodbAccessDenied,
  dynamodbUnrecognizedClient,
  evaluate,
  sqsAccessDenied,
  sqsInvalidClientTokenId,
  type WireError,
} from "../controlplane";

// Each wire error is sent by a real HTTP server and read by the real SDK client, so what a client of the embedded
// cloud sees (error name, message, status) is what these assert.

const test = suite("controlplane: wire errors through the AWS SDK");

let server: Server;
let endpoint = "";
let answer: WireError = sqsInvalidClientTokenId();

test.before(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(answer.statusCode, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.after(async () => {
  await new Promise((done) => server.close(done));
});

const clientOptions = () => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAEXAMPLEEXAMPLE00", secretAccessKey: "secret" },
  maxAttempts: 1,
});

async function sqsError(wire: WireError): Promise<{ name: string; message: string; status?: number }> {
  answer = wire;
  const client = new SQSClient(clientOptions());
  try {
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: `${endpoint}/000000000000/vehicles`,
        Entries: [{ Id: "1", MessageBody: "{}" }],
      }),
    );
    throw new Error("the call succeeded");
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  } finally {
    client.destroy();
  }
}

async function dynamodbError(wire: WireError): Promise<{ name: string; message: string; status?: number }> {
  answer = wire;
  const client = new DynamoDBClient(clientOptions());
  try {
    await client.send(new PutItemCommand({ TableName: "vehicles", Item: { vehicleId: { S: "v" } } }));
    throw new Error("the call succeeded");
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  } finally {
    client.destroy();
  }
}

const DENIAL =
  "User: arn:aws:sts::000000000000:assumed-role/producer-role/load is not authorized to perform: sqs:sendmessage on " +
  "resource: arn:aws:sqs:us-east-1:000000000000:vehicles because no identity-based policy allows the sqs:sendmessage action";

test("SQS AccessDenied: the SDK names it from x-amzn-query-error", async () => {
  assert.equal(await sqsError(sqsAccessDenied(DENIAL)), { name: "AccessDenied", message: DENIAL, status: 403 });
});

test("SQS InvalidClientTokenId for an unknown access key", async () => {
  assert.equal(await sqsError(sqsInvalidClientTokenId()), {
    name: "InvalidClientTokenId",
    message: "The security token included in the request is invalid.",
    status: 403,
  });
});

test("DynamoDB AccessDeniedException", async () => {
  const message = DENIAL.replaceAll("sqs:sendmessage", "dynamodb:PutItem");
  assert.equal(await dynamodbError(dynamodbAccessDenied(message)), {
    name: "AccessDeniedException",
    message,
    status: 400,
  });
});

test("DynamoDB UnrecognizedClientException for an unknown access key", async () => {
  assert.equal(await dynamodbError(dynamodbUnrecognizedClient()), {
    name: "UnrecognizedClientException",
    message: "The security token included in the request is invalid.",
    status: 400,
  });
});

test("an evaluator denial becomes the service's answer", async () => {
  const decision = evaluate(
    {
      principal: { arn: "arn:aws:iam::000000000000:user/producer", accountId: "000000000000" },
      action: "sqs:SendMessage",
      resource: "arn:aws:sqs:us-east-1:000000000000:vehicles",
    },
    { identityPolicies: [] },
  );
  assert.ok(decision.decision !== "allow");
  const denial: Denial = decision;
  const seen = await sqsError(accessDeniedResponse("sqs", denial, "req-1"));
  assert.is(seen.name, "AccessDenied");
  assert.is(seen.message, denial.message);
  assert.is(accessDeniedResponse("dynamodb", denial).statusCode, 400);
  assert.is(accessDeniedResponse("sqs", denial, "req-1").headers["x-amzn-requestid"], "req-1");
});

test.run();
