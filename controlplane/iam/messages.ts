/**
 * AWS's access-denied message: `User: <principal> is not authorized to perform: <action> on resource: <arn>`, then
 * `because no <type> policy allows the <action> action` or `with an explicit deny in <a|an> <type> policy`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */

export type PolicyType = "identity-based" | "resource-based";

/**
 * SQS writes the action in lower case (`sqs:sendmessage`, `sqs:receivemessage`), as its real denials show
 * (aws/serverless-application-model#3633, RaiderIO/keystone.guru#3901); DynamoDB keeps `dynamodb:PutItem`.
 */
function actionAsWritten(action: string): string {
  return action.toLowerCase().startsWith("sqs:") ? action.toLowerCase() : action;
}

export function denialMessage(
  principal: string,
  action: string,
  resource: string,
  denial: { explicit: boolean; policyType: PolicyType },
): string {
  const written = actionAsWritten(action);
  const head = `User: ${principal} is not authorized to perform: ${written} on resource: ${resource}`;
  if (denial.explicit) {
    const article = denial.policyType === "identity-based" ? "an" : "a";
    return `${head} with an explicit deny in ${article} ${denial.policyType} policy`;
  }
  return `${head} because no ${denial.policyType} policy allows the ${written} action`;
}
