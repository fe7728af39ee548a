/**
 * The control plane: what AWS decides before a call or a deployment goes through, as pure functions.
 *
 * - iam/: policy grammar (parsePolicy), IAM's decision for a request (evaluate, authorize), the permissions an SQS
 *   or DynamoDB call needs (requiredPermissions), the errors AWS answers with (wire errors) and who is calling
 *   (credentials).
 * - stack/: the IAM wiring a synthesized stack declares (a role's policies, a queue's policy, a function's principal).
 * - preflight/: every rule AWS or `pulumi up` would refuse a synthesized stack for, found at once (preflight).
 * - sqs/: SQS's own rule on who may use a queue as a dead-letter queue (RedriveAllowPolicy).
 * - alarms/: CloudWatch's evaluation of the stack's metric alarms over the embedded cloud's per-second record.
 */

export {
  type AlarmDefinition,
  AlarmDefinitionError,
  AlarmMonitor,
  type AlarmNotification,
  type AlarmReport,
  type AlarmState,
  alarmFromInputs,
  alarmNotification,
  datapoints,
  evaluateRange,
  evaluateRecord,
  InvalidAlarmError,
  METRIC_ALARM_TYPE,
  type MetricQuery,
  MonitorFinishedError,
  notificationSubject,
  notificationTargets,
  type RangeSlot,
  type StateTransition,
  UnsupportedAlarmError,
} from "./alarms";

export {
  operationFromTarget,
  type ResourceScope,
  requiredPermissions,
  type Service,
} from "./iam/actions";
export { arnMatch, parseArn, wildcardMatch } from "./iam/arn";
export type { RequestContext } from "./iam/conditions";
export {
  accessKeyFromAuthorization,
  accessKeyFromPresignedQuery,
  credentialRegistry,
  type Identity,
  roleSessionIdentity,
  userIdentity,
} from "./iam/credentials";
export {
  ControlPlaneError,
  MalformedPolicyError,
  UnknownOperationError,
  UnresolvableResourceError,
  UnsupportedConditionOperatorError,
  UnsupportedPolicyFeatureError,
} from "./iam/errors";
export {
  type AuthorizationRequest,
  authorize,
  type Decision,
  type Denial,
  evaluate,
  type NamedPolicy,
  type Permission,
  type PolicySet,
} from "./iam/evaluate";
export { namedPolicy } from "./iam/parse-or-throw";
export {
  type PolicyKind,
  type PolicyViolation,
  parsePolicy,
} from "./iam/policy";
export type { RequestPrincipal } from "./iam/principals";
export {
  accessDeniedResponse,
  dynamodbAccessDenied,
  dynamodbUnrecognizedClient,
  sqsAccessDenied,
  sqsInvalidClientTokenId,
  type WireError,
} from "./iam/wire-errors";
export { formatPreflightReport } from "./preflight/format";
export { preflight } from "./preflight/preflight";
export { PreflightRefusal, requireDeployable } from "./preflight/refusal";
export type { PreflightOptions, PreflightReport, PreflightViolation } from "./preflight/report";
export { parseRedriveAllowPolicy, type RedriveAllowPolicy, redriveAllowed } from "./sqs/redrive-allow";
export {
  functionPrincipal,
  functionRole,
  queueResourcePolicy,
  roleIdentityPolicies,
} from "./stack/iam-wiring";
export { findByReference, TYPES } from "./stack/lookup";
