/**
 * How a client reaches the emulators: the region and credentials every SDK client aimed at them must carry
 * (the emulators ignore their values, the SDK refuses to sign without some), and the environment variables
 * through which SDK v3 and the AWS CLI find the emulators' endpoints.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
export const LOCAL_REGION = "us-east-1";
/** fauxqs builds queue URLs and ARNs with this account id. */
export const LOCAL_ACCOUNT_ID = "000000000000";

export interface LocalEndpoints {
  sqs: string;
  dynamodb: string;
}

/** The variables that aim the AWS SDKs and CLI at the emulators: service-specific endpoints, region, credentials. */
export function localEnvironment(endpoints: LocalEndpoints, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}
