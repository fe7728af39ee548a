/**
 * The control plane's refusals: what it cannot decide, named, so a caller never mistakes "cannot evaluate" for an
 * allow or a deny. Each carries the detail a log line or a test needs.
 */
export class ControlPlaneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A policy document broke the grammar; `violations` lists every rule it broke (see parsePolicy). */
export class MalformedPolicyError extends ControlPlaneError {
  constructor(
    readonly policyName: string,
    readonly violations: readonly { field: string; rule: string }[],
  ) {
    super(`policy ${policyName} is malformed: ${violations.map((v) => `${v.field}: ${v.rule}`).join("; ")}`);
  }
}

/** A condition operator this evaluator does not implement (for example DateLessThan or IpAddress). */
export class UnsupportedConditionOperatorError extends ControlPlaneError {
  constructor(
    readonly operator: string,
    readonly key: string,
  ) {
    super(`cannot evaluate condition operator ${operator} (on ${key}): not implemented by this evaluator`);
  }
}

/** A policy feature this evaluator does not implement, such as policy variables (`${aws:username}`). */
export class UnsupportedPolicyFeatureError extends ControlPlaneError {
  constructor(
    readonly feature: string,
    readonly value: string,
  ) {
    super(`cannot evaluate ${feature} in ${JSON.stringify(value)}: not implemented by this evaluator`);
  }
}

/** An API operation whose IAM authorization this module does not know. */
export class UnknownOperationError extends ControlPlaneError {
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    super(`no IAM authorization is known for ${service} operation ${JSON.stringify(operation)}`);
  }
}

/** A request lacks the parameter its resource ARN is derived from (a QueueUrl, a TableName). */
export class UnresolvableResourceError extends ControlPlaneError {
  constructor(
    readonly operation: string,
    readonly parameter: string,
    readonly value: unknown,
  ) {
    super(`cannot derive the resource of ${operation} from ${parameter} = ${JSON.stringify(value)}`);
  }
}
