// The AWS SDK packages the Lambda runtime provides, required by package name inside a function body. Pulumi's
// closure serializer writes an imported SDK value as a require of the file it resolved to
// (`@aws-sdk/client-sqs/dist-cjs/index.js`), which breaks as soon as a runtime ships an SDK whose `exports` map
// hides that path; a require inside a function body is kept verbatim, so the runtime resolves the name itself.
// Types come from `import type`, which leaves nothing in the serialized text.

export function sqsSdk(): typeof import("@aws-sdk/client-sqs") {
  return require("@aws-sdk/client-sqs");
}

export function dynamoDbSdk(): typeof import("@aws-sdk/client-dynamodb") {
  return require("@aws-sdk/client-dynamodb");
}

export function documentClientSdk(): typeof import("@aws-sdk/lib-dynamodb") {
  return require("@aws-sdk/lib-dynamodb");
}
