import * as pulumi from "@pulumi/pulumi";
import { type PipelineSettings, parseSettings, SETTINGS } from "../contracts";

/**
 * Reads this stack's settings (contracts/settings.ts) from Pulumi config. Throws ConfigError naming each bad key,
 * which index.ts turns into a RunError so `pulumi up` fails before any resource is touched.
 */
export function loadSettings(config = new pulumi.Config()): PipelineSettings {
  const raw: Partial<Record<keyof PipelineSettings, string | undefined>> = {};
  for (const { key } of SETTINGS) raw[key] = config.get(key);
  return parseSettings(raw, config.name);
}
