// The runtime's rpc module alone, not all of @pulumi/pulumi (about 0.15 s to load instead of over 1 s): the embedded
// cloud imports this before its emulators start.
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { SynthesizedCode, SynthesizedResource } from "../contracts";
import { packageNameOf } from "./archive";

/** Plain property values, as SynthesizedResource carries them. */
export type Properties = SynthesizedResource["inputs"];

/**
 * Pure decoding of the property values the SDK sends over gRPC (google.protobuf.Struct as plain JS), using the
 * special-signature encoding of @pulumi/pulumi's runtime (rpc.js serializeProperty): secrets, assets, archives,
 * resource references, output values and the unknown sentinel.
 */

const {
  specialSigKey,
  specialSecretSig,
  specialAssetSig,
  specialArchiveSig,
  specialResourceSig,
  specialOutputValueSig,
} = rpc;

/** A value not known until the resource exists (preview), as the SDK itself writes it. */
export const UNKNOWN: string = rpc.unknownValue;

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

type Plain = unknown;

/** Struct values -> plain values: secrets unwrapped, resource references as their id (else URN), output values
 * as their value (UNKNOWN when not known); assets and archives keep their fields (text, path, assets). */
export function plainValue(value: Plain): Plain {
  if (Array.isArray(value)) return value.map(plainValue);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  switch (object[specialSigKey]) {
    case specialSecretSig:
      return plainValue(object.value);
    case specialResourceSig:
      return typeof object.id === "string" && object.id !== "" ? object.id : object.urn;
    case specialOutputValueSig:
      return "value" in object ? plainValue(object.value) : UNKNOWN;
    default:
      return Object.fromEntries(
        Object.entries(object)
          .filter(([key]) => key !== specialSigKey)
          .map(([key, inner]) => [key, plainValue(inner)]),
      );
  }
}

export function plainObject(value: Record<string, Plain>): Properties {
  return plainValue(value) as Properties;
}

/** The Function's `code` archive as sent to the engine -> the serialized handler and the archive's folders. */
export function describeCodeArchive(archive: Plain): SynthesizedCode {
  const raw = archive as { assets?: unknown; [key: string]: unknown } | null;
  if (raw?.[specialSigKey] !== specialArchiveSig || typeof raw.assets !== "object" || raw.assets === null)
    throw new Error(`the Function's code is not an asset archive: ${JSON.stringify(archive)?.slice(0, 200)}`);
  const assets = raw.assets as Record<string, Record<string, unknown>>;
  const index = assets["__index.js"];
  if (index?.[specialSigKey] !== specialAssetSig || typeof index.text !== "string")
    throw new Error(`the Function's archive has no __index.js text (entries: ${Object.keys(assets).join(", ")})`);
  const paths = Object.keys(assets)
    .filter((key) => key !== "__index.js")
    .sort();
  return { indexJs: index.text, packages: [...new Set(paths.map(packageNameOf))].sort(), paths };
}
