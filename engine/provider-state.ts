import { createHash } from "node:crypto";
import { type Properties, UNKNOWN } from "./properties";

/**
 * What the AWS provider would answer for the resources and data sources this program uses: the one definition of
 * the ids, ARNs and URLs both synthesizers (the language host's engine and the unit tests' mocks) give resources,
 * which the embedded cloud rewrites to the emulators' own. Pure functions of type, name, inputs and region.
 */

/** The account in every synthesized ARN and URL. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** A short stable suffix in place of the provider's random auto-name suffix. */
function autoName(name: string): string {
  return `${name}-${createHash("sha1").update(name).digest("hex").slice(0, 7)}`;
}

function uuidOf(name: string): string {
  const hex = createHash("sha1").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Id and attributes the provider computes on create, per resource type. */
function computedAttributes(
  type: string,
  name: string,
  physical: string,
  region: string,
): { id: string; computed: Record<string, string> } {
  const at = `${region}:${MOCK_ACCOUNT_ID}`;
  switch (type) {
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}`;
      return { id: url, computed: { url, arn: `arn:aws:sqs:${at}:${physical}` } };
    }
    case "aws:dynamodb/table:Table":
      return { id: physical, computed: { arn: `arn:aws:dynamodb:${at}:table/${physical}` } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: physical, computed: { arn: `arn:aws:logs:${at}:log-group:${physical}` } };
    case "aws:iam/role:Role":
      return { id: physical, computed: { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}` } };
    case "aws:iam/policy:Policy": {
      const arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}`;
      return { id: arn, computed: { arn } };
    }
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${at}:function:${physical}`;
      const invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
      return { id: physical, computed: { arn, qualifiedArn: `${arn}:$LATEST`, invokeArn } };
    }
    case "aws:lambda/eventSourceMapping:EventSourceMapping": {
      const uuid = uuidOf(name);
      return { id: uuid, computed: { uuid, arn: `arn:aws:lambda:${at}:event-source-mapping:${uuid}` } };
    }
    default:
      return {
        id: `${physical}-id`,
        computed: { arn: `arn:aws:${type.split(":")[1]?.split("/")[0]}:${at}:${physical}` },
      };
  }
}

export interface ProviderAnswer {
  /** UNKNOWN in a preview, as a provider leaves it for a resource it has not created. */
  id: string;
  /** Inputs plus the attributes the provider adds; in a preview, computed ones are UNKNOWN. */
  state: Properties;
}

/**
 * The provider's answer for a custom resource: on update the created resource's id and attributes; in a preview
 * the same shape with the computed attributes unknown. The physical name (explicit or auto-named) is known in both,
 * as the provider's check step assigns it before the preview.
 */
export function providerAnswer(
  type: string,
  name: string,
  inputs: Properties,
  region: string,
  dryRun: boolean,
): ProviderAnswer {
  const physical: string = typeof inputs.name === "string" ? inputs.name : autoName(name);
  const { id, computed } = computedAttributes(type, name, physical, region);
  const shown = dryRun ? Object.fromEntries(Object.keys(computed).map((key) => [key, UNKNOWN])) : computed;
  return { id: dryRun ? UNKNOWN : id, state: { ...inputs, name: physical, ...shown } };
}

/** Data sources (invokes) the program calls, answered like the provider would for the configured region. */
export function invokeAnswer(token: string, region: string): Record<string, unknown> {
  switch (token) {
    case "aws:index/getRegion:getRegion":
      return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/local`,
        id: MOCK_ACCOUNT_ID,
        userId: "AIDALOCAL",
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", id: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    default:
      throw new Error(`the program made an invoke the local engine does not answer: ${token}`);
  }
}
